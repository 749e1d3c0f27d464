package agent_test

import (
	"context"
	"errors"
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

// Drift: the refresh sets back a value changed on the device; a value it
// cannot set back turns the document to ConfigCompletedError (61) with a
// new result_checksum, and the agent asks for a session.
func ExampleAgent_Refresh() {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a, err := agent.New(ctx, agent.Config{Surface: surface,
		RequestSession: func(reason string) { fmt.Println("session asked for:", reason) },
		OnEvent: func(e agent.Event) {
			if e.Kind == agent.EventRepaired || e.Kind == agent.EventDrifted {
				fmt.Println(e.Kind, e.URI)
			}
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	doc := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "A1", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"}}}}}
	add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id), doc, syncml.DataText)
	if err != nil {
		fmt.Println(err)
		return
	}
	a.ServeCommand(ctx, &session.Request{Command: add})
	if err := a.ApplyPending(ctx); err != nil {
		fmt.Println(err)
		return
	}
	before := a.Summary().Documents[0]

	node := "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
	must := func(err error) {
		if err != nil {
			fmt.Println(err)
		}
	}
	must(surface.Set(ctx, node, "false")) // a local change
	must(a.Refresh(ctx))
	after := a.Summary().Documents[0]
	fmt.Println("state", after.State, "same result_checksum:", after.ResultChecksum == before.ResultChecksum)

	must(surface.Set(ctx, node, "false")) // and now a lock on it
	surface.Refuse = func(op, uri string) error { return errors.New("locked") }
	must(a.Refresh(ctx))
	after = a.Summary().Documents[0]
	fmt.Println("state", after.State, "same result_checksum:", after.ResultChecksum == before.ResultChecksum)
	// Output:
	// session asked for: document 27FEA311-68B9-4320-9FC4-296F6FDFAFE2 applied
	// Repaired ./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn
	// state 60 same result_checksum: true
	// Drifted ./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn
	// session asked for: document 27FEA311-68B9-4320-9FC4-296F6FDFAFE2 drifted and cannot be repaired
	// state 61 same result_checksum: false
}

// The key of the hashes of secret values kept out of the state: the
// device unseals it (DPAPI, a TPM) at every start and gives it to New.
func ExampleConfig_hashKey() {
	ctx := context.Background()
	key := make([]byte, 32) // in practice: crypto/rand once, then sealed and unsealed
	store := &agent.MemoryStore{}
	a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: store, HashKey: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("key in the state: %q\n", a.Snapshot().HashKey)
	_, err = agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, HashKey: key[:16]})
	fmt.Println(errors.Is(err, agent.ErrConfig))
	// Output:
	// key in the state: ""
	// true
}
