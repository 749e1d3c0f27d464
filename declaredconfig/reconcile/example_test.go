package reconcile_test

import (
	"context"
	"fmt"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A server declares a VPN document to a device. The device's first
// message lists no document, so the reconciler sends it and asks for its
// results; the next message reports it applied.
func Example() {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{
		OnEvent: func(_ context.Context, e reconcile.Event) {
			fmt.Println("event:", e.Kind, e.Status.URI.DocID, e.Status.Condition)
		},
	})
	const device, id = "urn:uuid:device-1", "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	err := rec.Declare(ctx, device, reconcile.Doc{
		Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Document: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: id, Checksum: "A0", Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
				{Path: "ContosoVPN/AlwaysOn", Type: "bool", Value: "true"},
			}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The device's session on the server runs the reconciler before each
	// reply.
	ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})

	summary := func(entries string) syncml.Command {
		return session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType,
			`<DeclaredConfigurations schema="1.0">`+entries+`</DeclaredConfigurations>`)
	}
	message := func(msgID string, cmds ...syncml.Command) *syncml.Message {
		syncml.NumberCommands(cmds, 1)
		return &syncml.Message{
			Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
				Target: syncml.Location{LocURI: "https://mdm.example/WinDC"}, Source: syncml.Location{LocURI: device}},
			Body: syncml.Body{Commands: cmds, Final: true},
		}
	}
	sentID := map[string]string{} // the CmdIDs of the server's commands
	show := func(x *session.Exchange) {
		for _, c := range x.Reply.Body.Commands {
			if c.ElementName() != "Status" {
				fmt.Println("server:", c.ElementName(), syncml.Targets(c)[0])
				sentID[c.ElementName()] = c.ID()
			}
		}
	}

	// Message 1: the session starts; the device holds nothing.
	x, err := ss.Handle(ctx, &session.Inbound{Message: message("1",
		&syncml.Alert{Data: syncml.AlertClientInitiated.Data()}, summary(""))})
	if err != nil {
		fmt.Println(err)
		return
	}
	show(x)

	// Message 2: the device applied the document (Status 200 for the Add,
	// 200 and a Results for the Get) and lists it in sync.
	results := declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, id).String()
	x, err = ss.Handle(ctx, &session.Inbound{Message: message("2",
		&syncml.Status{MsgRef: "1", CmdRef: sentID["Add"], Cmd: "Add", Data: syncml.StatusOK.Data()},
		&syncml.Status{MsgRef: "1", CmdRef: sentID["Get"], Cmd: "Get", Data: syncml.StatusOK.Data()},
		&syncml.Results{MsgRef: "1", CmdRef: sentID["Get"], Items: []syncml.Item{{
			Source: &syncml.Location{LocURI: results},
			Data: syncml.Text(`<DeclaredConfigurationResult context="Device" schema="1.0" id="` + id +
				`" osdefinedscenario="MSFTVPN" checksum="A0" result_checksum="R1" operation="Set" state="60">` +
				`<CSP name="./Vendor/MSFT/VPNv2" state="60"><URI path="ContosoVPN/AlwaysOn" status="200" state="60" type="bool"/></CSP>` +
				`</DeclaredConfigurationResult>`),
		}}},
		summary(`<DeclaredConfiguration context="Device" id="`+id+`" checksum="A0" result_checksum="R1" state="60"/>`))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("done:", x.Done)
	st, _ := rec.Status(ctx, device)
	for _, d := range st.Docs {
		fmt.Println(d.URI.DocID, d.Checksum, d.Condition, d.State, len(d.Settings()), "settings")
	}
	// Output:
	// server: Add ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305/Document
	// server: Get ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305/Document
	// event: Applied 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 InSync
	// done: true
	// 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 A0 InSync ConfigCompletedSuccess(60) 1 settings
}
