package session

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestRv2EachLeftCarriedByUnsentMessage: an EachMessage command that
// package 1's first message could not carry (./E/1/2, left in the rest)
// and that the second message then carried is still one EachMessage gave
// the session. When that second message is not run (the server refuses
// it at its SyncHdr and the session is given up on authentication), the
// next Start must not queue it again: the next package 1 would carry the
// stale report after EachMessage's fresh one, which is what 259cd65 set
// out to stop. noteEachLeft drops it from c.eachLeft as soon as a message
// is built with it, and unsend puts that message's commands back in the
// rest, so withoutEachLeft no longer knows it.
func TestRv2EachLeftCarriedByUnsentMessage(t *testing.T) {
	ctx := context.Background()
	c := eachClient(t, []int{400, 400, 400}, 1) // no Credentials: a 401 gives up at once
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, srvMsg("1", "1", "", false, hdrOK("1"), NewAlert(syncml.AlertNextMessage)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(x.Reply.Body.Commands, func(x syncml.Command) bool { return uriOf(x) == "./E/1/2" }) {
		t.Fatalf("message 2 does not carry ./E/1/2, left by message 1: nothing to test")
	}
	refuse := &syncml.Status{MsgRef: "2", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("401")}
	if _, err := c.Handle(ctx, srvMsg("1", "2", "", true, refuse)); err == nil {
		t.Fatal("a 401 without Credentials did not give the session up")
	}
	m, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range slices.Concat(m.Body.Commands, c.cont, c.queue) {
		if uriOf(x) == "./E/1/2" {
			t.Errorf("session 2's package 1 carries %s ./E/1/2 of session 1's EachMessage (queued again)", x.ElementName())
		}
	}
	n := 0
	for _, o := range c.abandoned {
		if uriOf(o.Command) == "./E/1/2" {
			n++
			if o.Err == nil {
				t.Errorf("./E/1/2: Outcome without Err; want one that says it was not sent")
			}
		}
	}
	if n != 1 {
		t.Errorf("./E/1/2: %d Outcomes, want 1", n)
	}
}

// TestRv2EachLeftCarriedByUnpostedMessage: as
// TestRv2EachLeftCarriedByUnsentMessage, over Run: message 2, which
// carries ./E/1/2 (left by package 1's first message), goes to the
// reply's RespURI, a loopback port that refuses the connection, so it is
// never posted (c.unsent). The next Start must not queue ./E/1/2 again.
func TestRv2EachLeftCarriedByUnpostedMessage(t *testing.T) {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String() + "/gone"
	ln.Close()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		m := srvMsg("1", "1", "", false, hdrOK("1"), NewAlert(syncml.AlertNextMessage))
		m.Header.RespURI = closed
		b, err := syncml.Marshal(m)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", ContentType)
		w.Write(b)
	}))
	defer srv.Close()
	c := eachClient(t, []int{400, 400, 400}, 1)
	if _, err := c.Run(ctx, srv.Client(), srv.URL, "1"); err == nil {
		t.Fatal("Run posted to a closed port")
	}
	if !c.unsent || !slices.ContainsFunc(c.lastSent, func(x syncml.Command) bool { return uriOf(x) == "./E/1/2" }) {
		t.Fatalf("message 2 (unsent %v) does not carry ./E/1/2: nothing to test", c.unsent)
	}
	m, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range slices.Concat(m.Body.Commands, c.cont, c.queue) {
		if uriOf(x) == "./E/1/2" {
			t.Errorf("session 2's package 1 carries %s ./E/1/2 of session 1's EachMessage (queued again)", x.ElementName())
		}
	}
}
