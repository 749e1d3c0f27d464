package agent_test

import (
	"context"
	"fmt"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device's session client answers a server message that declares a
// document; the worker applies it; the summary reports it.
func Example() {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a, err := agent.New(ctx, agent.Config{Surface: surface,
		RequestSession: func(reason string) { fmt.Println("session asked for:", reason) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		fmt.Println(err)
		return
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:dev-1", ServerURI: "https://mdm.example/windc",
		Handler: mux, EachMessage: a.EachMessage})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		fmt.Println(err)
		return
	}

	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	target := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id)
	add, err := declaredconfig.AddDocument(target, &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: id, Checksum: "A1", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"}}}},
	}, syncml.DataText)
	if err != nil {
		fmt.Println(err)
		return
	}
	server := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "urn:uuid:dev-1"}, Source: syncml.Location{LocURI: "https://mdm.example/windc"}},
		Body: syncml.Body{Commands: []syncml.Command{add}, Final: true}}
	syncml.NumberCommands(server.Body.Commands, 2)
	x, err := c.Handle(ctx, server)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cmd := range x.Reply.Body.Commands {
		if st, ok := cmd.(*syncml.Status); ok {
			fmt.Println("Status", st.Cmd, st.Data.Value)
		}
	}
	if err := a.ApplyPending(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(surface.Nodes("./Device/Vendor/MSFT/VPNv2/"))
	e := a.Summary().Documents[0]
	fmt.Println(e.ID, e.Checksum, "state", e.State)
	// Output:
	// Status SyncHdr 200
	// Status Add 200
	// session asked for: document 27FEA311-68B9-4320-9FC4-296F6FDFAFE2 applied
	// map[./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn:true]
	// 27FEA311-68B9-4320-9FC4-296F6FDFAFE2 A1 state 60
}
