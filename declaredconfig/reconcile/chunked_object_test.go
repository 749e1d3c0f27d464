package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestChunkedObjectKeepsDocuments: a device whose Client gives the 1224
// summary from EachMessage sends an object in chunks (a 6000-byte Replace
// under a server MaxMsgSize of 1500). The messages that go on with the
// object carry no summary (the Client leaves EachMessage out of them);
// the reconciler decides nothing on them (session.Exchange.Continued),
// where it read the second one as an empty summary: the document was
// taken as Lost and its Add sent again (found by the review helper).
func TestChunkedObjectKeepsDocuments(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	d := newSimDevice(t, dev1)
	l := newLink(t, rec, d)
	l.session(-1)
	l.noErrors()
	t.Logf("first: %q", ev.kinds())
	l.sent = nil
	// now: the device's summary from EachMessage, and a server that announces 1500
	l.srv = session.NewSession(&session.Config{
		Handler: session.Accept, AnnounceMaxMsgSize: 1500,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
				l.errs = append(l.errs, err)
			}
		},
	})
	mux := session.NewMux()
	mux.NotFound = session.HandlerFunc(func(context.Context, *session.Request) session.Response {
		return session.Response{Code: syncml.StatusNotFound}
	})
	if err := mux.HandleSubtree("", "./Device/Vendor/MSFT/DeclaredConfiguration", session.HandlerFunc(d.serve)); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: dev1, ServerURI: "http://127.0.0.1/WinDC", Handler: mux,
		EachMessage: func(context.Context) ([]syncml.Command, error) { return d.summaryAlerts(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	d.client = c
	for s := 0; s < 2; s++ {
		big := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Example/Big"}, Data: syncml.Text(strings.Repeat("x", 6000))}}}
		if err := c.Queue(big); err != nil {
			t.Fatal(err)
		}
		l.n++
		m, err := c.Start(context.Background(), "C"+string(rune('0'+s)))
		if err != nil {
			t.Fatal(err)
		}
		l.run(m, -1)
		l.noErrors()
		cmds, evs := l.commands(), ev.kinds()
		for _, c := range cmds {
			if strings.HasPrefix(c, "Add ") || strings.HasPrefix(c, "Replace ") {
				t.Errorf("session %d: the server sent %s again", s, short(c))
			}
		}
		if len(evs) > 0 {
			t.Errorf("session %d: events %q, want none (nothing changed on the device)", s, evs)
		}
		l.sent = nil
	}
}
