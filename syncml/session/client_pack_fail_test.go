package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// srvMsg is a message of the server at mdm.example to DEV1 in session
// sid, with MaxMsgSize max in its SyncHdr Meta when not empty.
func srvMsg(sid, msgID, max string, final bool, cmds ...syncml.Command) *syncml.Message {
	m := &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sid, MsgID: msgID,
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}},
		Body: syncml.Body{Final: final, Commands: cmds},
	}
	if max != "" {
		m.Header.Meta = &syncml.Meta{MaxMsgSize: max}
	}
	number(m.Body.Commands, new(int))
	return m
}

// bigReplace is a Replace of n bytes of text to ./Vendor/Big.
func bigReplace(n int) *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Big"},
		Data: syncml.Text(strings.Repeat("0123456789", n/10))}}}
}

// ignoreID compares commands without their CmdIDs (each message numbers
// what it carries).
var ignoreID = cmp.Transformer("noCmdID", func(r *syncml.Replace) syncml.Replace {
	c := *r
	c.CmdID = ""
	return c
})

// shape describes c in a line: its element, and of each Item the length
// of its Data, MoreData and Meta Size (go-cmp's diff of a cut object is
// pages of digits).
func shape(c syncml.Command) string {
	var b strings.Builder
	b.WriteString(c.ElementName())
	for _, it := range c.ItemList() {
		n, size := 0, ""
		if it.Data != nil {
			n = len(it.Data.Value)
		}
		if it.Meta != nil {
			size = it.Meta.Size
		}
		fmt.Fprintf(&b, " [%d bytes MoreData=%v Size=%q]", n, it.MoreData, size)
	}
	return b.String()
}

// shapes is shape of each command of m.
func shapes(m *syncml.Message) []string {
	var out []string
	for _, c := range m.Body.Commands {
		out = append(out, shape(c))
	}
	return out
}

// failOnceClient is a Client of DEV1 whose Credentials send no Cred,
// and fail once, with why, each time *fail is set.
func failOnceClient(t *testing.T, why string) (c *Client, fail *bool) {
	t.Helper()
	fail = new(bool)
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc",
		Credentials: credFunc(func(context.Context, *syncml.Chal) (*syncml.Cred, error) {
			if *fail {
				*fail = false
				return nil, errors.New(why)
			}
			return nil, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	return c, fail
}

// boundSession runs c's session "1" to its end, the server answering its
// Alert 1201 and announcing MaxMsgSize 1500: the bound c keeps for its
// next session.
func boundSession(t *testing.T, c *Client) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	ok := &syncml.Status{MsgRef: "1", CmdRef: "1", Cmd: "Alert", Data: syncml.Text("200")}
	if x, err := c.Handle(ctx, srvMsg("1", "1", "1500", true, ok)); err != nil || !x.Done {
		t.Fatalf("session 1: %v", err)
	}
}

// queueBig queues on c a bigReplace of n bytes and returns it, with a
// copy of it as queued.
func queueBig(t *testing.T, c *Client, n int) (r *syncml.Replace, queued syncml.Command) {
	t.Helper()
	r = bigReplace(n)
	queued = copiesOf(t, []syncml.Command{r})[0]
	if err := c.Queue(r); err != nil {
		t.Fatal(err)
	}
	return r, queued
}

// checkAsQueued checks that r is as it was queued (queued, from
// queueBig), but for its CmdID; when says after what.
func checkAsQueued(t *testing.T, when string, r *syncml.Replace, queued syncml.Command) {
	t.Helper()
	if !cmp.Equal(queued, syncml.Command(r), ignoreID) {
		t.Errorf("the Replace %s: %s, queued: %s", when, shape(r), shape(queued))
	}
}

// TestClientPackFailKeepsQueue: a reply that cannot be kept within the
// server's MaxMsgSize (not even its SyncHdr and Statuses fit) fails, and
// leaves the device's queued command as it was: whole (chunkCommands cut
// it for the reply before pack failed), still queued, and the server's
// bound of the failed message not kept. The device's next session sends it
// whole in package 1. Before the fix the Replace was left cut to its last
// chunk, the queue was empty, and the next Start failed on the bound of
// 100 bytes.
func TestClientPackFailKeepsQueue(t *testing.T) {
	c := newTestClient(t, nil)
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	r, want := queueBig(t, c, 3000)
	_, err := c.Handle(ctx, srvMsg("1", "1", "100", true, get("./DevDetail/SwV")))
	if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrProtocol) {
		t.Fatalf("Handle: %v, want an error matching ErrLimit and ErrProtocol", err)
	}
	checkAsQueued(t, "after the failed reply", r, want)
	if len(c.queue) != 1 || c.queue[0] != syncml.Command(r) {
		t.Errorf("queue after the failed reply: %d commands, want the Replace", len(c.queue))
	}
	m, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatalf("next session: %v", err)
	}
	got := m.Body.Commands[len(m.Body.Commands)-1]
	if !cmp.Equal(want, got, ignoreID) {
		t.Errorf("package 1 of the next session ends with %s, want %s", shape(got), shape(want))
	}
}

// TestClientChallengeRebuildsWhole: package 1 sent again after a
// challenge carries the device's queued object as the first one did, its
// first chunk, when the server's MaxMsgSize (kept from the last session)
// had it cut: not the command itself, cut to its last chunk by the first
// package 1, as a whole object of the last chunk's bytes.
//
// The Credentials fail once on that challenge: the failed Handle leaves
// the Replace as package 1 left it (its last chunk, the first ones sent),
// and the same challenge handled again gives the package 1 above.
func TestClientChallengeRebuildsWhole(t *testing.T) {
	c, fail := failOnceClient(t, "key store busy")
	ctx := context.Background()
	boundSession(t, c)
	r, _ := queueBig(t, c, 5000)
	p1, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	first := shapes(p1)
	if n := len(p1.Body.Commands); n < 2 || !isChunk(p1.Body.Commands[n-1]) {
		t.Fatalf("package 1 does not end with a chunk: %v", first)
	}
	chal := &syncml.Status{MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("401"),
		Chal: &syncml.Chal{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}}}
	cut := shape(r)
	*fail = true
	if _, err := c.Handle(ctx, srvMsg("2", "1", "1500", true, chal)); err == nil {
		t.Fatal("Handle: no error from the Credentials")
	}
	if got := shape(r); got != cut {
		t.Errorf("the Replace after the failed Handle: %s, after package 1: %s", got, cut)
	}
	x, err := c.Handle(ctx, srvMsg("2", "1", "1500", true, chal))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(first, shapes(x.Reply)); d != "" {
		t.Errorf("package 1 sent again (-first +again):\n%s", d)
	}
}

// BenchmarkClientSession runs a device's side of whole sessions in
// process: package 1 with a queued Alert, a server message of 20 Gets
// (with MaxMsgSize, so that the reply is measured against it) answered
// with their Statuses and Results, and the server's Statuses that end the
// session. It is the cost of Start, Handle and their finish.
func BenchmarkClientSession(b *testing.B) {
	c := benchDevice(b, "https://mdm.example/ManagementServer/MDM.svc")
	ctx := context.Background()
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n++
		sid := itoa(n % 100)
		if err := c.Queue(NewAlert(syncml.AlertClientEvent)); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Start(ctx, sid); err != nil {
			b.Fatal(err)
		}
		hdr := &syncml.Status{MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")}
		x, err := c.Handle(ctx, srvMsg(sid, "1", "100000", true, append([]syncml.Command{hdr}, benchGets()...)...))
		if err != nil || x.Reply == nil {
			b.Fatalf("reply: %v", err)
		}
		var sts []syncml.Command
		for _, cmd := range x.Reply.Body.Commands {
			if _, ok := cmd.(*syncml.Status); ok {
				continue
			}
			sts = append(sts, &syncml.Status{MsgRef: x.Reply.Header.MsgID, CmdRef: cmd.ID(), Cmd: cmd.ElementName(), Data: syncml.Text("200")})
		}
		if x, err = c.Handle(ctx, srvMsg(sid, "2", "100000", true, sts...)); err != nil || !x.Done {
			b.Fatalf("end: %v", err)
		}
	}
}

// TestClientFailedReplyRetry: a Handle that fails (here EachMessage, once)
// leaves the Client as it was, so that handling the same message again
// gives what it would have given the first time: the Outcomes of package
// 1, which the failed call had matched (before the fix the retry found
// their records answered: the Statuses came back Unmatched and the
// Outcomes were never reported), and the server's object in chunks whole
// (before, the failed call's chunk stayed in the partial object and the
// retry added it again: the Handler never got the object, refused 424).
func TestClientFailedReplyRetry(t *testing.T) {
	ctx := context.Background()
	type result struct {
		Outcomes []string
		Got      []string
		Replies  [][]string
	}
	run := func(failAt int) result {
		var res result
		fail := false
		mux := NewMux()
		mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
			res.Got = append(res.Got, r.Command.ItemList()[0].Data.Value)
			return Response{}
		}))
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/ManagementServer/MDM.svc", Handler: mux,
			DevInfo: DevInfo{DevID: "DEV1", Lang: "en-US"},
			EachMessage: func(context.Context) ([]syncml.Command, error) {
				if fail {
					fail = false
					return nil, errors.New("transient")
				}
				return nil, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		p1, err := c.Start(ctx, "1", NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user"))
		if err != nil {
			t.Fatal(err)
		}
		var st1 []syncml.Command
		for _, x := range p1.Body.Commands {
			st1 = append(st1, &syncml.Status{MsgRef: "1", CmdRef: x.ID(), Cmd: x.ElementName(), Data: syncml.Text("200")})
		}
		chunk1 := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Obj"},
			Meta: &syncml.Meta{Size: "20"}, Data: syncml.Text("0123456789"), MoreData: true}}}
		chunk2 := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Obj"}, Data: syncml.Text("abcdefghij")}}}
		msgs := []*syncml.Message{
			srvMsg("1", "1", "", false, append(st1, chunk1)...),
			srvMsg("1", "2", "", true, chunk2),
		}
		for i, m := range msgs {
			if i == failAt {
				fail = true
				n := len(res.Got)
				if _, err := c.Handle(ctx, m); err == nil {
					t.Fatalf("message %d: Handle did not fail", i+1)
				}
				res.Got = res.Got[:n] // the Handler runs again, as the message is handled again
			}
			x, err := c.Handle(ctx, m)
			if err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
			for _, o := range x.Outcomes {
				code, _ := o.Code()
				res.Outcomes = append(res.Outcomes, fmt.Sprintf("%s %s:%s %d", o.MsgID, o.Command.ID(), o.Command.ElementName(), code))
			}
			if x.Reply != nil {
				res.Replies = append(res.Replies, summary(x.Reply))
			}
		}
		return res
	}
	want := run(-1)
	if len(want.Outcomes) != 3 || len(want.Got) != 1 {
		t.Fatalf("control run: %+v", want)
	}
	for failAt := range 2 {
		if d := cmp.Diff(want, run(failAt)); d != "" {
			t.Errorf("message %d failed once, then handled again (-no failure +failure):\n%s", failAt+1, d)
		}
	}
}

// TestChunkCommandsErrorUncuts: chunkCommands failing on a command (one
// that does not encode) leaves the commands it cut before as they were,
// not cut to their last chunk with no record of it (before the fix the
// first Replace stayed its last chunk: the caller got no cut list to undo).
func TestChunkCommandsErrorUncuts(t *testing.T) {
	first := bigReplace(3000)
	bad := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Bad"},
		Data: syncml.Text("\x00" + strings.Repeat("x", 3000))}}}
	res := &syncml.Results{Items: []syncml.Item{
		{Source: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(strings.Repeat("a", 3000))},
		{Source: &syncml.Location{LocURI: "./B"}, Data: syncml.Text(strings.Repeat("b", 3000))},
	}}
	cands := []syncml.Command{first, res, bad}
	want := copiesOf(t, cands[:2])
	h := &syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1",
		Target: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}, Source: syncml.Location{LocURI: "DEV1"}}
	if _, _, _, err := chunkCommands(cands, 1000, 0, h, nil); err == nil {
		t.Fatal("chunkCommands: no error for a command that does not encode")
	}
	for i, c := range cands[:2] {
		if !cmp.Equal(want[i], c) {
			t.Errorf("command %d after the error: %s, before: %s", i+1, shape(c), shape(want[i]))
		}
	}
}

// TestClientStartFailKeepsQueue: a Start that fails (here the
// Credentials, once) keeps what was queued, whole: the next Start sends
// it in package 1 (before the fix the queue was gone with the failed
// package 1: the next one carried Alert 1201 alone).
func TestClientStartFailKeepsQueue(t *testing.T) {
	c, fail := failOnceClient(t, "no key yet")
	ctx := context.Background()
	boundSession(t, c)
	r, want := queueBig(t, c, 5000)
	*fail = true
	if _, err := c.Start(ctx, "2"); err == nil {
		t.Fatal("Start: no error from the Credentials")
	}
	if !cmp.Equal(want, syncml.Command(r), ignoreID) || len(c.queue) != 1 {
		t.Errorf("after the failed Start: %d queued, the Replace %s, before: %s", len(c.queue), shape(r), shape(want))
	}
	p1, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	if got := shapes(p1); len(got) != 2 || got[1] != `Replace [573 bytes MoreData=true Size="5000"]` {
		t.Errorf("package 1 after the failed Start: %v, want Alert 1201 and the Replace's first chunk", got)
	}
}

// TestClientChallengeRebuildsWholeOverHTTP is TestClientChallengeRebuildsWhole
// against a Server over loopback HTTP: MD5, the server's MaxMsgSize of
// 1500 kept from the first session, and in the second a server that does
// not know the device's nonce (a new one: it challenges package 1), which
// carries a 5000-byte Replace in chunks. The Server's Handler
// gets the object whole, and the Outcomes say so (before the fix it got
// the last 240 bytes as the whole object, 200 for it: the device's
// Outcome reported success).
func TestClientChallengeRebuildsWholeOverHTTP(t *testing.T) {
	var got []string
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		got = append(got, r.Command.ItemList()[0].Data.Value)
		return Response{}
	}))
	newServer := func() http.Handler {
		return NewServer(ServerConfig{Session: Config{Authenticator: authServer(AuthMD5), AnnounceMaxMsgSize: 1500, Handler: mux}})
	}
	var server atomic.Value
	server.Store(newServer())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		server.Load().(http.Handler).ServeHTTP(w, r)
	}))
	defer srv.Close()
	auth := &ClientAuth{Username: "dev", Password: "secret"}
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", LocName: "dev", ServerURI: srv.URL, Credentials: auth})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Run(ctx, srv.Client(), srv.URL, "1"); err != nil {
		t.Fatal(err)
	}
	r, _ := queueBig(t, c, 5000)
	want := r.Items[0].Data.Value
	// A server that does not know the device's nonce (its state lost):
	// it challenges package 1.
	server.Store(newServer())
	outs, err := c.Run(ctx, srv.Client(), srv.URL, "2")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != want {
		lens := make([]int, len(got))
		for i, g := range got {
			lens[i] = len(g)
		}
		t.Errorf("the server's Handler got objects of %v bytes, want one of %d", lens, len(want))
	}
	for _, o := range outs {
		if code, err := o.Code(); err != nil || !code.Success() {
			t.Errorf("Outcome %s %s: %v %v", o.Command.ElementName(), o.Command.ID(), code, err)
		}
	}
}

// TestClientGivenUpUncuts: a session given up in the middle of an object
// (the caller stops after a network error, say) leaves the object whole
// for the next session, which sends it cut anew, as the first time (the
// rest of the package goes first in the next one: see
// TestClientGivenUpRequeuesRest). Before, the command stayed its last
// chunk and the next package 1 carried those 416 bytes as the whole
// object (when the caller queued it again, as it had to then).
func TestClientGivenUpUncuts(t *testing.T) {
	c := newTestClient(t, nil)
	ctx := context.Background()
	boundSession(t, c)
	r, want := queueBig(t, c, 5000)
	p2, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	// No answer comes: the caller starts over; twice.
	for _, sid := range []string{"3", "4"} {
		again, err := c.Start(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(shapes(p2), shapes(again)); d != "" {
			t.Errorf("package 1 of session %s, after one given up (-given up +next):\n%s", sid, d)
		}
	}
	// The rest of package 1 is the Replace, whole but for the chunk sent.
	if len(c.cont) == 0 || c.cont[len(c.cont)-1] != syncml.Command(r) {
		t.Errorf("the rest of package 1 does not end with the Replace: %d commands", len(c.cont))
	}
	undoCuts(c.cuts)
	checkAsQueued(t, "put back", r, want)
}

// TestClientGivenUpUncutsForced is TestClientGivenUpUncuts for an object
// that pack's forced cut cut (it fits a message alone, not after the five
// Statuses of the reply), not chunkCommands. Before, the Replace stayed
// the 216 bytes of its last chunk (so it did with the forced cut not
// noted among the session's cuts).
func TestClientGivenUpUncutsForced(t *testing.T) {
	c := newTestClient(t, nil)
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	r, want := queueBig(t, c, 500)
	var cmds []syncml.Command
	for i := range 4 {
		cmds = append(cmds, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./Vendor/N%d", i)}, Data: syncml.Text("1")}}})
	}
	x, err := c.Handle(ctx, srvMsg("1", "1", "1500", true, cmds...))
	if err != nil {
		t.Fatal(err)
	}
	last := x.Reply.Body.Commands[len(x.Reply.Body.Commands)-1]
	if !isChunk(last) || last.ItemList()[0].Meta.Size != "500" || shape(r) == shape(want) {
		t.Fatalf("the reply does not begin the Replace with a chunk: %v; the Replace %s", shapes(x.Reply), shape(r))
	}
	// No answer comes: the caller starts over; the Replace goes whole in
	// package 1, once.
	p1, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	checkAsQueued(t, "after its session was given up", r, want)
	n := 0
	for _, x := range p1.Body.Commands {
		if x == syncml.Command(r) {
			n++
		}
	}
	if n != 1 || len(c.cont) != 0 {
		t.Errorf("package 1 of the next session carries the Replace %d times, %d commands wait; want it once, none", n, len(c.cont))
	}
}

// TestClientAbortUncuts: a session the server aborts while an object of
// the device's is in flight leaves the object whole: the rest of the
// package goes with the session, and the caller may queue it again
// (before, the command stayed the 416 bytes of its last chunk).
func TestClientAbortUncuts(t *testing.T) {
	c := newTestClient(t, nil)
	ctx := context.Background()
	boundSession(t, c)
	r, want := queueBig(t, c, 5000)
	if _, err := c.Start(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, srvMsg("2", "1", "1500", true, NewAlert(syncml.AlertSessionAbort)))
	if err != nil || !x.Done {
		t.Fatalf("abort: %v", err)
	}
	checkAsQueued(t, "after the abort", r, want)
}
