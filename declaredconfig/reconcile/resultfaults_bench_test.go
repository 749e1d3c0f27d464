package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// BenchmarkResultUnknownSettings measures one message whose Results of
// the declared document (a new result_checksum each time, so that it is
// checked) fill the default MaxResultBytes with settings the document
// does not have: each a fault of the result, told in one Problem.
func BenchmarkResultUnknownSettings(b *testing.B) {
	ctx := context.Background()
	problems := 0
	rec := reconcile.New(reconcile.Config{OnEvent: func(_ context.Context, e reconcile.Event) {
		if e.Kind == reconcile.Problem && strings.Contains(e.Err.Error(), "is not in the document; and ") {
			problems++
		}
	}})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		b.Fatal(err)
	}
	var settings strings.Builder
	for i := 0; settings.Len() < reconcile.DefaultMaxResultBytes-1024; i++ {
		fmt.Fprintf(&settings, `<URI path="X/%d" status="200" state="60" type="chr"/>`, i)
	}
	get, err := declaredconfig.GetResults(declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, ids[0]))
	if err != nil {
		b.Fatal(err)
	}
	get.CmdID = "5"
	status := &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "5", Cmd: "Get", Data: syncml.StatusOK.Data()}
	type msg struct {
		res *syncml.Results
		sum *syncml.Alert
	}
	var msgs [2]msg
	for i := range msgs {
		rc := fmt.Sprint("R", i)
		text := `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + ids[0] + `" osdefinedscenario="MSFTVPN" checksum="A0" result_checksum="` + rc +
			`" operation="Set" state="60"><CSP name="./Vendor/MSFT/VPNv2" state="60">` + settings.String() + `</CSP></DeclaredConfigurationResult>`
		msgs[i] = msg{
			res: &syncml.Results{CmdID: "2", MsgRef: "1", CmdRef: "5", Items: []syncml.Item{{Data: syncml.Text(text)}}},
			sum: summaryAlertOf(declaredconfig.SummaryEntry{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: rc, State: "60"}),
		}
	}
	x := &session.Exchange{Identity: session.Identity{Device: dev1}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		c := msgs[n%2]
		m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: fmt.Sprint(n)}, Body: syncml.Body{Commands: []syncml.Command{status, c.res, c.sum}}}
		x.Outcomes = []session.Outcome{{MsgID: "1", Command: get, Status: status, Results: []*syncml.Results{c.res}}}
		if _, err := rec.Reconcile(ctx, session.NewSession(nil), m, x); err != nil {
			b.Fatal(err)
		}
	}
	if problems != n {
		b.Fatalf("%d Problems of the result's faults in %d messages", problems, n)
	}
}
