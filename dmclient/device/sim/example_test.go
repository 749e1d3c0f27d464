package sim_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// One simulated device checks in with a server that declares a document
// on the device's first session: the device applies it and reports it in
// a second session.
func ExampleDevice_CheckIn() {
	const id = "5D1C0DE5-0000-4000-8000-000000000001"
	srv := session.NewServer(session.ServerConfig{Session: session.Config{
		OnStart: func(_ context.Context, s *session.Session, _ session.Identity, first bool) {
			if !first {
				return
			}
			add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id),
				&declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "1", Scenario: declaredconfig.ScenarioVPN,
					CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
						{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"}}}}}, syncml.DataText)
			if err == nil {
				err = s.Queue(add)
			}
			if err != nil {
				fmt.Println(err)
			}
		},
	}})
	hs := httptest.NewServer(srv)
	defer hs.Close()

	d, err := sim.New(context.Background(), sim.Config{ServerURL: hs.URL, HTTPClient: hs.Client(),
		DevInfo: session.DevInfo{DevID: sim.DeviceID(1), Man: "Contoso", Mod: "Sim 1", DmV: "1.3", Lang: "en-US"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := d.CheckIn(context.Background())
	fmt.Println("sessions", st.Sessions, "messages", st.Messages, "errors", st.Errors)
	e := d.Agent().Summary().Documents[0]
	fmt.Println(e.ID, "state", e.State)
	// Output:
	// sessions 2 messages 3 errors 0
	// 5D1C0DE5-0000-4000-8000-000000000001 state 60
}
