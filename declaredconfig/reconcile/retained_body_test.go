package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Messages read as a server reads a request body (syncml.UnmarshalOwned,
// whose strings may share the body's memory), a session that sends a
// document and RefreshInterval and reads the device's summary again and
// again: nothing that the Reconciler holds of the device in memory (its
// decoded state, its last summary and text) points into a body, which
// would stay alive with the device's cache entry while MaxCachedBytes
// counts only the strings. The summary is given as text (the decoder
// copies escaped and CDATA text today: the test sets the Data to a text
// that shares the memory of a buffer, as UnmarshalOwned allows) or as
// XML. Before, the cache kept the summary's text, the entries of the
// summary parsed from it and what the state took of them (DevCS, DevRC),
// the SessionID of the message that acknowledged the document (AckedIn)
// and the RefreshInterval read back.
func TestCachedNotInBody(t *testing.T) {
	for _, asText := range []bool{true, false} {
		t.Run(fmt.Sprint("text ", asText), func(t *testing.T) { cachedNotInBody(t, asText) })
	}
}

func cachedNotInBody(t *testing.T, asText bool) {
	ctx := context.Background()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	if err := rec.SetRefreshInterval(ctx, dev1, 45); err != nil {
		t.Fatal(err)
	}
	srv := session.NewSession(&session.Config{Handler: session.Accept, BeforeReply: rec.BeforeReply})
	summary := func(state string) string {
		if state == "" {
			return `<DeclaredConfigurations schema="1.0"/>`
		}
		return `<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + ids[0] +
			`" checksum="A0" result_checksum="R" state="` + state + `"/></DeclaredConfigurations>`
	}
	var answer string
	for _, c := range []struct{ session, msg, state string }{
		{"1", "1", ""},   // the Add is sent
		{"1", "2", "60"}, // acknowledged, and listed: its results are read
		{"1", "3", "60"}, // the same summary again
		{"2", "1", "60"}, // again, in a new session
		{"2", "2", "10"}, // another summary
		{"2", "3", "10"},
	} {
		alert := `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`
		if c.msg != "1" {
			alert = answer
		}
		data := "text"
		if !asText {
			data = summary(c.state)
		}
		body := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>` + c.session + `</SessionID><MsgID>` + c.msg + `</MsgID><Target><LocURI>https://mdm.example</LocURI></Target>` +
			`<Source><LocURI>` + dev1 + `</LocURI></Source></SyncHdr><SyncBody>` + alert +
			`<Alert><CmdID>99</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">` + declaredconfig.SummaryType +
			`</Type></Meta><Data>` + data + `</Data></Item></Alert><Final/></SyncBody></SyncML>`)
		var m syncml.Message
		if err := syncml.UnmarshalOwned(body, &m, syncml.Limits{}); err != nil {
			t.Fatal(err)
		}
		text := []byte(summary(c.state))
		if asText {
			a := m.Body.Commands[len(m.Body.Commands)-1].(*syncml.Alert)
			a.Items[0].Data.Value = unsafe.String(unsafe.SliceData(text), len(text))
		}
		x, err := srv.Handle(ctx, &session.Inbound{Message: &m})
		if err != nil {
			t.Fatal(err)
		}
		_, answer = answers(x, func(string) int { return 200 })
		for _, e := range ev.events {
			if e.Kind == reconcile.Problem {
				t.Errorf("message %s/%s: %v", c.session, c.msg, e.Err)
			}
		}
		ev.events = nil
		for _, cmd := range x.Reply.Body.Commands {
			data := ""
			switch {
			case cmd.ElementName() != "Get":
				continue
			case target(cmd) == declaredconfig.RefreshIntervalURI:
				data = "45"
			case c.state != "": // the Results of the document, as XML
				data = `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + ids[0] + `" checksum="A0" result_checksum="R" ` +
					`operation="Set" state="` + c.state + `"><CSP name="./Vendor/MSFT/VPNv2" state="60"><URI path="P/AlwaysOn" status="200" ` +
					`state="60" type="bool"/></CSP></DeclaredConfigurationResult>`
			default:
				continue
			}
			answer += `<Results><CmdID>9` + cmd.ID() + `</CmdID><MsgRef>` + x.Reply.Header.MsgID + `</MsgRef><CmdRef>` + cmd.ID() +
				`</CmdRef><Item><Source><LocURI>` + target(cmd) + `</LocURI></Source><Data>` + data + `</Data></Item></Results>`
		}
		if in := reconcile.CachedInto(rec, dev1, body, text); len(in) > 0 {
			t.Errorf("message %s/%s: the Reconciler holds %d strings of the body:\n%s", c.session, c.msg, len(in), strings.Join(in, "\n"))
		}
	}
	st := status(t, rec)
	if st.RefreshInterval != "45" {
		t.Errorf("RefreshInterval %q, want 45 (read back)", st.RefreshInterval)
	}
	if d := st.Doc(ids[0]); d == nil || len(d.Settings()) != 1 {
		t.Errorf("status %+v, want the result read", d)
	}
}
