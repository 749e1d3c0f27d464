package reconcile_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// A WinDC server over HTTP: a session.Server whose sessions run the
// reconciler before each reply, its Store another than the Reconciler's
// (both key by device). A simulated device (package
// dmclient/device/sim, which runs the module's device side,
// declaredconfig/agent) checks in on loopback, applies the document and
// reports it; the document is changed, then removed.
func Example_server() {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{ // Store nil: its own, in memory
		OnEvent: func(_ context.Context, e reconcile.Event) {
			if e.Status.URI.DocID != "" {
				fmt.Println("event:", e.Kind, e.Status.Checksum, e.Status.Condition)
			}
		},
	})
	srv := session.NewServer(session.ServerConfig{ // Store nil: another, in memory
		Session: session.Config{BeforeReply: rec.BeforeReply},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()

	const device = "urn:uuid:device-1"
	doc := func(checksum, value string) reconcile.Doc {
		return reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
			Document: &declaredconfig.Document{
				Schema: "1.0", Context: "Device", ID: "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305",
				Checksum: checksum, Scenario: "MSFTPolicies",
				CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy", Settings: []declaredconfig.Setting{
					{Path: "Config/Camera/AllowCamera", Type: "int", Value: value},
				}}},
			}}
	}
	dev, err := sim.New(ctx, sim.Config{ServerURL: hs.URL, DevInfo: session.DevInfo{DevID: device}})
	if err != nil {
		fmt.Println(err)
		return
	}
	checkIn := func() {
		if st := dev.CheckIn(ctx); st.Err != nil {
			fmt.Println(st.Err)
		}
		v, _, _ := dev.Surface().Get(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")
		fmt.Printf("device: AllowCamera=%q\n", v)
	}

	if err := rec.Declare(ctx, device, doc("V1", "0")); err != nil {
		fmt.Println(err)
		return
	}
	checkIn()
	if err := rec.Declare(ctx, device, doc("V2", "1")); err != nil { // a change needs a new checksum
		fmt.Println(err)
		return
	}
	checkIn()
	if err := rec.Remove(ctx, device, "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"); err != nil {
		fmt.Println(err)
		return
	}
	checkIn() // the setting stays, as on Windows
	st, _ := rec.Status(ctx, device)
	fmt.Println("documents:", len(st.Docs))
	// Output:
	// event: Applied V1 InSync
	// device: AllowCamera="0"
	// event: Applied V2 InSync
	// device: AllowCamera="1"
	// event: Removed V2 Removing
	// device: AllowCamera="1"
	// documents: 0
}
