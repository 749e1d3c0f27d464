package agent_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// The two sides wired by hand, each as its author would: the server is
// a session.Server whose sessions run a reconcile.Reconciler before each
// reply, over HTTP (loopback here); the device is an Agent behind a
// session.Client, which carries the agent's summary in every message
// (EachMessage), reads the documents while it decodes (Unmarshal) and
// answers the CSP's commands (the Mux the agent is registered on). After
// each session the device applies what it was sent (ApplyPending; Agent.Run
// does it in the background), and the next session reports the outcome.
// One document is declared, changed and removed; each session prints
// where the server has it and what the device holds.
func Example_wiring() {
	ctx := context.Background()
	const device, id = "urn:uuid:dev-1", "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"

	// The server.
	rec := reconcile.New(reconcile.Config{ // its own Store, in memory
		OnEvent: func(_ context.Context, e reconcile.Event) {
			if e.Status.URI.DocID == id { // not RefreshIntervalRead
				fmt.Println("  server event:", e.Kind, e.Status.Checksum)
			}
		}})
	srv := session.NewServer(session.ServerConfig{
		Session: session.Config{BeforeReply: rec.BeforeReply}})
	hs := httptest.NewServer(srv)
	defer hs.Close()

	// The device.
	surface := &agent.MemorySurface{}
	a, err := agent.New(ctx, agent.Config{Surface: surface, Store: &agent.MemoryStore{},
		// A device starts its next session here (this one: the loop below).
		RequestSession: func(reason string) { fmt.Println("  agent asks for a session:", reason) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		fmt.Println(err)
		return
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: device, ServerURI: hs.URL,
		Handler: mux, EachMessage: a.EachMessage, Unmarshal: a.Unmarshal})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The device's view of the document: the version it holds, the state
	// its summary reports, and the node the document sets.
	view := func() string {
		v, _, _ := surface.Get(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")
		e := a.Summary().Entry(id)
		if e == nil {
			return fmt.Sprintf("no document, AllowCamera=%q", v)
		}
		state, _ := e.ParsedState()
		return fmt.Sprintf("%s %v, AllowCamera=%q", e.Checksum, state, v)
	}
	sessions := 0
	// checkIn runs one session, then applies what it brought, and tells
	// the server's condition of the document (false once it has none).
	checkIn := func() (reconcile.DocCondition, bool) {
		sessions++
		fmt.Printf("session %d\n", sessions)
		if _, err := c.Run(ctx, hs.Client(), hs.URL, strconv.Itoa(sessions)); err != nil {
			fmt.Println(err)
			return 0, false
		}
		st, err := rec.Status(ctx, device)
		if err != nil {
			fmt.Println(err)
			return 0, false
		}
		d := st.Doc(id)
		server := "no document"
		if d != nil {
			server = d.Checksum + " " + d.Condition.String()
		}
		fmt.Printf("  server %s; device %s\n", server, view())
		if err := a.ApplyPending(ctx); err != nil {
			fmt.Println(err)
			return 0, false
		}
		fmt.Printf("  ApplyPending: device %s\n", view())
		if d == nil {
			return 0, false
		}
		return d.Condition, true
	}
	until := func(want reconcile.DocCondition) {
		for range 4 { // a few sessions, no more
			if cond, ok := checkIn(); !ok || cond == want {
				return
			}
		}
	}
	doc := func(checksum, value string) reconcile.Doc {
		return reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
			Document: &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id,
				Checksum: checksum, Scenario: "MSFTPolicies",
				CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/Policy", Settings: []declaredconfig.Setting{
					{Path: "Config/Camera/AllowCamera", Type: "int", Value: value}}}}}}
	}

	if err := rec.Declare(ctx, device, doc("V1", "0")); err != nil {
		fmt.Println(err)
		return
	}
	until(reconcile.InSync)
	if err := rec.Declare(ctx, device, doc("V2", "1")); err != nil { // a change needs a new checksum
		fmt.Println(err)
		return
	}
	until(reconcile.InSync)
	if err := rec.Remove(ctx, device, id); err != nil {
		fmt.Println(err)
		return
	}
	checkIn() // the setting stays, as on Windows
	// Output:
	// session 1
	//   server V1 Pending; device V1 ConfigRequest(1), AllowCamera=""
	//   agent asks for a session: document 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 applied
	//   ApplyPending: device V1 ConfigCompletedSuccess(60), AllowCamera="0"
	// session 2
	//   server event: Applied V1
	//   server V1 InSync; device V1 ConfigCompletedSuccess(60), AllowCamera="0"
	//   ApplyPending: device V1 ConfigCompletedSuccess(60), AllowCamera="0"
	// session 3
	//   server V2 Pending; device V2 ConfigRequest(1), AllowCamera="0"
	//   agent asks for a session: document 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 applied
	//   ApplyPending: device V2 ConfigCompletedSuccess(60), AllowCamera="1"
	// session 4
	//   server event: Applied V2
	//   server V2 InSync; device V2 ConfigCompletedSuccess(60), AllowCamera="1"
	//   ApplyPending: device V2 ConfigCompletedSuccess(60), AllowCamera="1"
	// session 5
	//   server event: Removed V2
	//   server no document; device no document, AllowCamera="1"
	//   ApplyPending: device no document, AllowCamera="1"
}
