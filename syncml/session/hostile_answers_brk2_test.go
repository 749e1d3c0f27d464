package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
)

// TestBrk2SlowBody: a server that sends its headers and then stalls the
// body holds Run only until the context's deadline; the error matches
// context.DeadlineExceeded, no goroutine is left, and the queued command
// comes back in the next session.
func TestBrk2SlowBody(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Content-Length", "100000")
		_, _ = w.Write([]byte("<SyncML>"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Run(ctx, hc, srv.URL, "1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: %v; want context.DeadlineExceeded", err)
	}
	assertBrk2Accounted(t, c)
}

// brk2Script is a server that answers the device's n-th post (from 1)
// with script(n, msgRef), recording the device's messages.
func brk2Script(t *testing.T, script func(n int, ref string) []byte) (*httptest.Server, *[]*syncml.Message) {
	var posts atomic.Int32
	var got []*syncml.Message
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(posts.Add(1))
		var m syncml.Message
		raw := make([]byte, 0, 4096)
		buf := make([]byte, 4096)
		for {
			k, err := r.Body.Read(buf)
			raw = append(raw, buf[:k]...)
			if err != nil {
				break
			}
		}
		if err := syncml.Unmarshal(raw, &m); err != nil {
			t.Errorf("device message: %v", err)
		}
		got = append(got, &m)
		if n > 20 {
			w.WriteHeader(500)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(script(n, m.Header.MsgID))
	}))
	return srv, &got
}

// brk2Statuses returns the device's Statuses in msgs, as "Cmd code".
func brk2Statuses(msgs []*syncml.Message) []string {
	var out []string
	for _, m := range msgs {
		for _, c := range m.Body.Commands {
			if st, ok := c.(*syncml.Status); ok && st.Cmd != "SyncHdr" {
				out = append(out, st.Cmd+" "+st.Data.Value)
			}
		}
	}
	return out
}

// TestBrk2ChunkSizeLies: a server object in chunks whose total is not
// the Size its first chunk announced (less, more) is answered 424 on its
// last chunk and never given to the Handler; the session ends normally.
func TestBrk2ChunkSizeLies(t *testing.T) {
	for _, size := range []string{"10", "2"} {
		ran := 0
		h := HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} })
		srv, got := brk2Script(t, func(n int, ref string) []byte {
			item := syncml.Item{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text("abc")}
			switch n {
			case 1:
				item.Meta, item.MoreData = &syncml.Meta{Size: size}, true
				return brk2Reply(t, "1", "1", ref, false, &syncml.Replace{Items: []syncml.Item{item}})
			case 2:
				return brk2Reply(t, "1", "2", ref, true, &syncml.Replace{Items: []syncml.Item{item}})
			}
			return brk2Reply(t, "1", strconv.Itoa(n), ref, true)
		})
		c := brk2Device(t, ClientConfig{Handler: h})
		_, err := c.Run(context.Background(), srv.Client(), srv.URL, "1")
		srv.Client().CloseIdleConnections()
		srv.Close()
		if err != nil {
			t.Errorf("Size %s: Run: %v", size, err)
		}
		if ran != 0 {
			t.Errorf("Size %s: the Handler got the object %d times", size, ran)
		}
		if st := strings.Join(brk2Statuses(*got), ","); st != "Replace 213,Replace 424" {
			t.Errorf("Size %s: device Statuses %s, want Replace 213,Replace 424", size, st)
		}
	}
}

// TestBrk2AnswersForNothing: Statuses for CmdRefs the device never sent,
// a Results without MsgRef and a second Status for the device's Replace
// end neither in a panic nor in an Outcome for a command never queued;
// the Replace gets exactly one Outcome, with the first Status.
func TestBrk2AnswersForNothing(t *testing.T) {
	srv := answersForNothing(t, &syncml.Results{CmdRef: "2", Items: []syncml.Item{{Source: &syncml.Location{LocURI: "./X"}, Data: syncml.Text("x")}}})
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	out, err := c.Run(context.Background(), hc, srv.URL, "1")
	if err != nil {
		t.Logf("Run: %v", err)
		// A refusal is fine as long as it is typed.
		wantIs(ErrProtocol)(t, err)
		return
	}
	n := 0
	for _, o := range out {
		if r, ok := o.Command.(*syncml.Replace); ok && r.Items[0].Target.LocURI == "./Vendor/Q" {
			n++
			if o.Status == nil || o.Status.Data.Value != "200" {
				t.Errorf("the Replace's Outcome has Status %+v, want the first (200)", o.Status)
			}
		} else if o.Command == nil || o.Command.ElementName() == "Get" {
			t.Errorf("an Outcome for a command never sent: %+v", o)
		}
	}
	t.Logf("%d Outcomes", len(out))
	if n != 1 {
		t.Errorf("the Replace has %d Outcomes, want 1", n)
	}
}

// answersForNothing returns a server whose reply to the device's package
// 1 (Alert 1201 is CmdID 1, the Replace 2) holds the Replace's Status
// 200, a second Status 500 for it, a Status for CmdRef 99 and more, then
// ends the session.
func answersForNothing(t *testing.T, more ...syncml.Command) *httptest.Server {
	srv, _ := brk2Script(t, func(n int, ref string) []byte {
		if n > 1 {
			return brk2Reply(t, "1", strconv.Itoa(n), ref, true)
		}
		return brk2Reply(t, "1", "1", ref, true, append([]syncml.Command{
			&syncml.Status{MsgRef: ref, CmdRef: "2", Cmd: "Replace", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: ref, CmdRef: "2", Cmd: "Replace", Data: syncml.Text("500")},
			&syncml.Status{MsgRef: ref, CmdRef: "99", Cmd: "Get", Data: syncml.StatusOK.Data()},
		}, more...)...)
	})
	return srv
}

// TestBrk2TinyServerMaxMsgSize: a server that announces a MaxMsgSize no
// answer fits in (10 bytes) ends Run with an error matching ErrLimit that
// names MaxMsgSize, after no more posts than its first, and the queued
// command comes back in the next session.
func TestBrk2TinyServerMaxMsgSize(t *testing.T) {
	srv, got := brk2Script(t, func(n int, ref string) []byte {
		raw := brk2Reply(t, "1", strconv.Itoa(n), ref, true, &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}}}})
		return []byte(strings.Replace(string(raw), "</Source>", `</Source><Meta><MaxMsgSize xmlns="syncml:metinf">10</MaxMsgSize></Meta>`, 1))
	})
	defer srv.Close()
	hc := srv.Client()
	brk2NoLeak(t, hc)
	c := brk2Device(t, ClientConfig{})
	_, err := c.Run(context.Background(), hc, srv.URL, "1")
	wantLimit("MaxMsgSize")(t, err)
	if n := len(*got); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
	assertBrk2Accounted(t, c)
}
