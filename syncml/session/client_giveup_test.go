package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// failingPost is an http.RoundTripper that fails the post numbered fail
// (from 1, counted over its life) before it reaches the server, as a
// network that drops the device's message; the others go to next.
type failingPost struct {
	next http.RoundTripper
	n    int
	fail int
}

func (f *failingPost) RoundTrip(r *http.Request) (*http.Response, error) {
	f.n++
	if f.n == f.fail {
		return nil, errors.New("network down")
	}
	return f.next.RoundTrip(r)
}

// TestClientGivenUpRequeuesRest: a session given up in the middle of the
// device's package (a post fails; the caller starts the next session)
// sends the rest of that package in the next session, in order, its
// object in flight whole, and reports what was sent and not answered as
// Abandoned Outcomes (the chunks of the object in flight are not among
// them: the object goes again whole). The device queues a small Replace
// A, a 5000-byte Replace B (in chunks: the server's MaxMsgSize is 1500)
// and a small Replace C; package 1 carries A and B's first chunk.
//
//   - the post of package 1 fails: A is Abandoned (and so is Alert 1201),
//     the server's Handler gets B whole and C in the next session;
//   - the post of the device's second message (B's second chunk) fails:
//     the server got A and B's first chunk; nothing is Abandoned but
//     the second chunk, which is not reported; B whole and C follow.
//
// Before the fix the next session carried neither B nor C (the rest of
// the package was forgotten by Start, with no Outcome) and nothing was
// reported Abandoned.
func TestClientGivenUpRequeuesRest(t *testing.T) {
	for _, fail := range []int{1, 2} {
		t.Run(fmt.Sprintf("post%d", fail), func(t *testing.T) {
			var got []string
			mux := NewMux()
			mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
				it := r.Command.ItemList()[0]
				got = append(got, fmt.Sprintf("%s %d", it.Target.LocURI, len(it.Data.Value)))
				return Response{}
			}))
			srv := httptest.NewServer(NewServer(ServerConfig{Session: Config{AnnounceMaxMsgSize: 1500, Handler: mux}}))
			defer srv.Close()
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			hc := srv.Client()
			// Session 1 learns the server's MaxMsgSize.
			if _, err := c.Run(ctx, hc, srv.URL, "1"); err != nil {
				t.Fatal(err)
			}
			small := func(uri string) *syncml.Replace {
				return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text("1")}}}
			}
			a, b, cc := small("./Vendor/A"), bigReplace(5000), small("./Vendor/C")
			if err := c.Queue(a, b, cc); err != nil {
				t.Fatal(err)
			}
			down := &http.Client{Transport: &failingPost{next: hc.Transport, fail: fail}}
			if _, err := c.Run(ctx, down, srv.URL, "2"); err == nil {
				t.Fatal("session 2: no error from the failed post")
			}
			before := slices.Clone(got)
			outs, err := c.Run(ctx, hc, srv.URL, "3")
			if err != nil {
				t.Fatalf("session 3: %v", err)
			}
			var abandoned []string
			byCmd := map[syncml.Command]int{}
			for _, o := range outs {
				if o.Abandoned {
					abandoned = append(abandoned, fmt.Sprintf("%s %s", o.Command.ElementName(), strings.Join(syncml.Targets(o.Command), ",")))
					continue
				}
				if code, err := o.Code(); err == nil {
					byCmd[o.Command] = int(code)
				}
			}
			wantGot := []string{"./Vendor/Big 5000", "./Vendor/C 1"}
			var wantAbandoned []string
			if fail == 1 {
				wantAbandoned = []string{"Alert ", "Replace ./Vendor/A"}
			} else {
				wantGot = append([]string{"./Vendor/A 1"}, wantGot...)
			}
			if d := cmp.Diff(wantGot, got); d != "" {
				t.Errorf("the server's Handler got (-want +got; %d before session 3):\n%s", len(before), d)
			}
			if d := cmp.Diff(wantAbandoned, abandoned); d != "" {
				t.Errorf("Abandoned Outcomes (-want +got):\n%s", d)
			}
			if byCmd[b] != 200 || byCmd[cc] != 200 {
				t.Errorf("Outcomes of B and C: %d, %d; want 200, 200", byCmd[b], byCmd[cc])
			}
		})
	}
}

// TestClientAbortRequeuesRest: a session the server aborts in the middle
// of the device's package puts the rest of that package back at the front
// of the queue, whole and in order (as a Server does with its own), and
// reports what was sent and not answered as Abandoned, without the chunk
// of the object in flight (the object goes again whole). Before the fix
// the rest (B and C) was dropped with no Outcome and B's first chunk was
// reported Abandoned as if it were a command of the device's.
func TestClientAbortRequeuesRest(t *testing.T) {
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	boundSession(t, c)
	a := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/A"}, Data: syncml.Text("1")}}}
	b := bigReplace(5000)
	cc := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/C"}, Data: syncml.Text("1")}}}
	want := copiesOf(t, []syncml.Command{b, cc})
	if err := c.Queue(a, b, cc); err != nil {
		t.Fatal(err)
	}
	p1, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	if last := p1.Body.Commands[len(p1.Body.Commands)-1]; !isChunk(last) {
		t.Fatalf("package 1 does not end with B's first chunk: %v", shapes(p1))
	}
	x, err := c.Handle(ctx, srvMsg("2", "1", "1500", true, NewAlert(syncml.AlertSessionAbort)))
	if err != nil || !x.Done {
		t.Fatalf("abort: %v", err)
	}
	var abandoned []string
	for _, o := range x.Outcomes {
		if o.Abandoned {
			abandoned = append(abandoned, fmt.Sprintf("%s %s", o.Command.ElementName(), strings.Join(syncml.Targets(o.Command), ",")))
		}
	}
	if d := cmp.Diff([]string{"Alert ", "Replace ./Vendor/A"}, abandoned); d != "" {
		t.Errorf("Abandoned Outcomes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, c.queue, ignoreID); d != "" {
		t.Errorf("queue after the abort (-want +got):\n%s", d)
	}
	if len(c.queue) == 2 && (c.queue[0] != syncml.Command(b) || c.queue[1] != syncml.Command(cc)) {
		t.Error("the queue does not hold the commands queued (B, C) themselves")
	}
}

// TestClientEndedUnansweredAbandoned: a session that ended with a command
// of the device's the server never answered (its last message ended the
// session without a Status for it) reports it Abandoned in the Exchange
// that ends it (Changed: in the next session's first, which a device that
// restarted first never saw), and not again: not after a Start that
// fails, nor a Handle that fails, in the next session. Before the first
// fix the next Start forgot it: no Outcome ever.
func TestClientEndedUnansweredAbandoned(t *testing.T) {
	failCred, failEach := false, false
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		Credentials: credFunc(func(context.Context, *syncml.Chal) (*syncml.Cred, error) {
			if failCred {
				failCred = false
				return nil, errors.New("key store busy")
			}
			return nil, nil
		}),
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if failEach {
				failEach = false
				return nil, errors.New("transient")
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/A"}, Data: syncml.Text("1")}}}
	if err := c.Queue(a); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	ok := &syncml.Status{MsgRef: "1", CmdRef: "1", Cmd: "Alert", Data: syncml.Text("200")}
	x, err := c.Handle(ctx, srvMsg("1", "1", "", true, ok))
	if err != nil || !x.Done {
		t.Fatalf("session 1: %v", err)
	}
	outcomes := func(x *Exchange) []string {
		var got []string
		for _, o := range x.Outcomes {
			code, _ := o.Code()
			got = append(got, fmt.Sprintf("%s %s %s:%s abandoned=%v %d", o.SessionID, o.MsgID, o.Command.ID(), o.Command.ElementName(), o.Abandoned, code))
		}
		return got
	}
	want := []string{"1 1 1:Alert abandoned=false 200", "1 1 2:Replace abandoned=true 0"}
	if d := cmp.Diff(want, outcomes(x)); d != "" {
		t.Errorf("Outcomes of session 1's last message (-want +got):\n%s", d)
	}
	failCred = true
	if _, err := c.Start(ctx, "2"); err == nil {
		t.Fatal("Start: no error from the Credentials")
	}
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	// The server's message needs an answer (a Get), which EachMessage
	// fails once.
	m := srvMsg("2", "1", "", true, ok, get("./DevDetail/SwV"))
	failEach = true
	if _, err := c.Handle(ctx, m); err == nil {
		t.Fatal("Handle: no error from EachMessage")
	}
	x, err = c.Handle(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"2 1 1:Alert abandoned=false 200"}
	if d := cmp.Diff(want, outcomes(x)); d != "" {
		t.Errorf("Outcomes of session 2's first message (-want +got):\n%s", d)
	}
	if x, err := c.Handle(ctx, srvMsg("2", "2", "", true)); err != nil || len(x.Outcomes) != 0 {
		t.Errorf("the next message: %v, %d Outcomes; want none again", err, len(x.Outcomes))
	}
}

// TestClientRefusedServerRequeuesRest: a session whose server fails
// ClientConfig.ServerAuth ends (the device's 401 is its last message)
// before the device's package was all sent: the rest of it goes first in
// the next session, whole, as after a session given up. Before the fix
// the next package 1 carried Alert 1201 alone: the rest (B, C) was
// forgotten with no Outcome.
func TestClientRefusedServerRequeuesRest(t *testing.T) {
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		ServerAuth: &ServerCheck{Type: AuthBasic, Name: "srv", Password: "srv-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := basicCred("srv", "srv-secret")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	ok := &syncml.Status{MsgRef: "1", CmdRef: "1", Cmd: "Alert", Data: syncml.Text("200")}
	m := srvMsg("1", "1", "1500", true, ok)
	m.Header.Cred = cred
	if x, err := c.Handle(ctx, m); err != nil || !x.Done || x.Refused != nil {
		t.Fatalf("session 1: %v", err)
	}
	a := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/A"}, Data: syncml.Text("1")}}}
	b := bigReplace(5000)
	cc := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/C"}, Data: syncml.Text("1")}}}
	if err := c.Queue(a, b, cc); err != nil {
		t.Fatal(err)
	}
	p2, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	// an impostor: no Cred
	x, err := c.Handle(ctx, srvMsg("2", "1", "1500", true, &syncml.Status{MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.Text("200")}))
	if err != nil || x.Refused == nil || !x.Done {
		t.Fatalf("the server without credentials: %v, Refused %v", err, x.Refused)
	}
	p3, err := c.Start(ctx, "3")
	if err != nil {
		t.Fatal(err)
	}
	// package 1 again, without A (sent: Abandoned), B cut anew
	want := shapes(p2)
	want = append(want[:1:1], want[2:]...)
	if d := cmp.Diff(want, shapes(p3)); d != "" {
		t.Errorf("package 1 after the refused server (-want +got):\n%s", d)
	}
	if n := len(c.cont); n == 0 || c.cont[n-1] != syncml.Command(cc) || c.cont[n-2] != syncml.Command(b) {
		t.Errorf("the rest of package 1 does not end with B and C: %d commands", n)
	}
}

// TestClientStartForgetsLastMessage: package 1 is measured and cut on its
// own, not as the continuation of the last message of the session before.
// A session is given up after its last message carried the end of a
// 3000-byte Replace (the server's MaxMsgSize is 1500); the caller queues
// the Replace again for the next session. Package 1 carries its first
// chunk, as the first session's package 1 did. Before the fix Start kept
// the last message's commands (lastSent), which finish takes as cut
// already: the Replace was not cut, package 1 was Alert 1201 alone and
// the whole object waited for a forced cut in a later message.
func TestClientStartForgetsLastMessage(t *testing.T) {
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	boundSession(t, c)
	r := bigReplace(3000)
	if err := c.Queue(r); err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	first := shapes(m)
	for i := 1; len(c.cont) > 0; i++ {
		if i > 10 {
			t.Fatal("the Replace does not end")
		}
		var sts []syncml.Command
		for _, x := range m.Body.Commands {
			if _, ok := x.(*syncml.Status); !ok {
				sts = append(sts, &syncml.Status{MsgRef: m.Header.MsgID, CmdRef: x.ID(), Cmd: x.ElementName(), Data: syncml.Text("213")})
			}
		}
		x, err := c.Handle(ctx, srvMsg("2", itoa(i), "1500", true, append(sts, NewAlert(syncml.AlertNextMessage))...))
		if err != nil {
			t.Fatal(err)
		}
		m = x.Reply
	}
	if last := m.Body.Commands[len(m.Body.Commands)-1]; last != syncml.Command(r) {
		t.Fatalf("the last message does not end the Replace: %v", shapes(m))
	}
	// No answer comes: the caller queues the Replace again and starts over.
	if err := c.Queue(r); err != nil {
		t.Fatal(err)
	}
	p1, err := c.Start(ctx, "3")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(first, shapes(p1)); d != "" {
		t.Errorf("package 1 after the session given up (-first +again):\n%s", d)
	}
}
