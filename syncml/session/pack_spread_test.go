package session

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// spreadSession runs a session in which the device sends n Replaces in
// its package 1, under a server without a bound of its own, with max as
// the device's MaxMsgSize. It returns the server's messages, encoded, the
// (MsgRef, CmdRef) of every Status they carry, in order, the codes the
// device got for its Replaces, in the order it queued them, and whether
// the session ended normally.
func spreadSession(t testing.TB, n, max int) (server [][]byte, refs [][2]int, codes map[string]syncml.StatusCode, err error) {
	ctx := context.Background()
	s := NewSession(&Config{})
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: max})
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range n {
		if err := c.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/Node%03d", i), 2)); err != nil {
			return nil, nil, nil, err
		}
	}
	codes = map[string]syncml.StatusCode{}
	m, err := c.Start(ctx, "1")
	if err != nil {
		return nil, nil, nil, err
	}
	for range 400 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return server, refs, codes, err
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return server, refs, codes, err
		}
		server = append(server, x.Raw)
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return server, refs, codes, err
		}
		for _, cmd := range back.Body.Commands {
			if st, ok := cmd.(*syncml.Status); ok && st.CmdRef != "0" { // each message's SyncHdr Status is first
				mr, _ := strconv.Atoi(st.MsgRef)
				cr, _ := strconv.Atoi(st.CmdRef)
				refs = append(refs, [2]int{mr, cr})
			}
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return server, refs, codes, err
		}
		if len(cx.Unmatched) > 0 {
			return server, refs, codes, fmt.Errorf("device: unmatched %s", summary(&syncml.Message{Body: syncml.Body{Commands: cx.Unmatched}}))
		}
		for _, o := range cx.Outcomes {
			code, err := o.Code()
			if err != nil {
				return server, refs, codes, fmt.Errorf("outcome of %v: %w", syncml.Targets(o.Command), err)
			}
			for _, u := range syncml.Targets(o.Command) {
				codes[u] = code
			}
		}
		if cx.Done {
			return server, refs, codes, nil
		}
		m = cx.Reply
	}
	return server, refs, codes, fmt.Errorf("session does not end")
}

// A device message of many commands whose Statuses do not fit in one
// message under the device's MaxMsgSize is answered over several server
// messages, each within the bound, the Statuses in order, without Final
// until the last; the device asks for each with Alert 1222.
func TestServerStatusesSpread(t *testing.T) {
	for _, tc := range []struct{ n, max int }{{60, 5000}, {60, 2000}, {5, 5000}} {
		t.Run(fmt.Sprintf("%d/%d", tc.n, tc.max), func(t *testing.T) {
			server, refs, codes, err := spreadSession(t, tc.n, tc.max)
			if err != nil {
				t.Fatalf("%v (after %d server messages)", err, len(server))
			}
			for i := range tc.n {
				u := fmt.Sprintf("./Vendor/MSFT/Node%03d", i)
				if code, ok := codes[u]; !ok || code != syncml.StatusOK {
					t.Errorf("%s: status %v (%v), want 200", u, code, ok)
				}
			}
			for i, b := range server {
				if len(b) > tc.max {
					t.Errorf("server message %d: %d > %d bytes", i+1, len(b), tc.max)
				}
			}
			for i := 1; i < len(refs); i++ {
				a, b := refs[i-1], refs[i]
				if a[0] > b[0] || (a[0] == b[0] && a[1] >= b[1]) {
					t.Errorf("Status %d answers %d/%d after %d/%d", i+1, b[0], b[1], a[0], a[1])
				}
			}
			for i, b := range server {
				var m syncml.Message
				if err := syncml.Unmarshal(b, &m); err != nil {
					t.Fatal(err)
				}
				if last := i == len(server)-1; m.Body.Final != last {
					t.Errorf("server message %d of %d: Final %v", i+1, len(server), m.Body.Final)
				}
			}
			if tc.n*60 > tc.max && len(server) < 3 {
				t.Errorf("%d server messages: the Statuses were not spread", len(server))
			}
			t.Logf("%d server messages, %d Statuses", len(server), len(refs))
		})
	}
}

// The same over HTTP, through a Server whose Store keeps the state
// encoded between messages: the Statuses still to send survive it.
func TestServerStatusesSpreadHTTP(t *testing.T) {
	const n, max = 60, 2000
	var sizes []int
	s := NewServer(ServerConfig{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		sizes = append(sizes, rec.Body.Len())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: srv.URL, MaxMsgSize: max})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := c.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/Node%03d", i), 2)); err != nil {
			t.Fatal(err)
		}
	}
	outs, err := c.Run(context.Background(), srv.Client(), srv.URL, "1")
	if err != nil {
		t.Fatalf("%v (after %d server messages)", err, len(sizes))
	}
	got := 0
	for _, o := range outs {
		if o.Command.ElementName() != "Replace" {
			continue
		}
		if code, err := o.Code(); err != nil || code != syncml.StatusOK {
			t.Errorf("%v: %v %v", syncml.Targets(o.Command), code, err)
		}
		got++
	}
	if got != n {
		t.Errorf("%d Replaces answered, want %d", got, n)
	}
	if len(sizes) < 3 {
		t.Errorf("%d server messages: the Statuses were not spread", len(sizes))
	}
	for i, l := range sizes {
		if l > max {
			t.Errorf("server message %d: %d > %d bytes", i+1, l, max)
		}
	}
}

// A device that starts over while the server's Statuses are spread gets
// none of the old session's Statuses; a 1222 message sent again gets the
// same reply.
func TestServerStatusesSpreadRestartReplay(t *testing.T) {
	ctx := context.Background()
	s := NewSession(&Config{})
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: 2000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if err := c.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/Node%03d", i), 2)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := syncml.Marshal(m)
	x := handle(t, s, raw)
	if x.Reply.Body.Final {
		t.Fatal("first reply Final: the Statuses were not spread")
	}
	cx, err := c.Handle(ctx, x.Reply)
	if err != nil {
		t.Fatal(err)
	}
	ask, _ := syncml.Marshal(cx.Reply)
	first := handle(t, s, ask)
	again := handle(t, s, ask)
	if !again.Replayed || string(again.Raw) != string(first.Raw) {
		t.Errorf("the 1222 message sent again: replayed %v, same reply %v", again.Replayed, string(again.Raw) == string(first.Raw))
	}
	// The device starts over: the reply answers package 1 only.
	x = handle(t, s, devMsg("2", "1", alert1201))
	for _, cmd := range x.Reply.Body.Commands {
		if st, ok := cmd.(*syncml.Status); ok && st.MsgRef != "1" {
			t.Errorf("restarted session: Status of message %s of the old one", st.MsgRef)
		}
	}
	if got := summary(x.Reply); len(got) != 2 || !x.Reply.Body.Final {
		t.Errorf("restarted session: reply %v, Final %v; want the Statuses of package 1", got, x.Reply.Body.Final)
	}
}
