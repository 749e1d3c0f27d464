package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
)

// This file attacks the device side (Client.Run) with hostile or broken
// servers over httptest on loopback: every case must end in an error
// usable with errors.Is or errors.As, within the Client's bounds, with no
// goroutine left and every queued command accounted for.

// brk2Reply is a server message for DEV1 in session sid, MsgID msgID,
// that answers the device's message msgRef (a Status for its SyncHdr)
// and carries cmds after it, numbered from 2.
func brk2Reply(t *testing.T, sid, msgID, msgRef string, final bool, cmds ...syncml.Command) []byte {
	t.Helper()
	all := []syncml.Command{&syncml.Status{MsgRef: msgRef, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}}
	all = append(all, cmds...)
	syncml.NumberCommands(all, 1)
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sid, MsgID: msgID,
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
		Body: syncml.Body{Final: final, Commands: all}}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// brk2Device is a device whose Handler answers 200 to everything, with
// one Replace queued.
func brk2Device(t *testing.T, cfg ClientConfig) *Client {
	t.Helper()
	cfg.DeviceID, cfg.ServerURI = "DEV1", "https://srv/dm"
	if cfg.Handler == nil {
		cfg.Handler = HandlerFunc(func(context.Context, *Request) Response { return Response{} })
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Q"}, Data: syncml.Text("q")}}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// brk2NoLeak fails when goroutines started during the test outlive it
// (beyond those of idle HTTP connections, closed first).
func brk2NoLeak(t *testing.T, hc *http.Client) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		if hc != nil {
			hc.CloseIdleConnections()
		}
		for range 50 {
			if runtime.NumGoroutine() <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
	})
}

// brk2MsgID returns the MsgID of the device message in body.
func brk2MsgID(t *testing.T, r *http.Request) string {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Error(err)
		return ""
	}
	var m syncml.Message
	if err := syncml.Unmarshal(body, &m); err != nil {
		t.Errorf("device message: %v", err)
		return ""
	}
	return m.Header.MsgID
}

// TestBrk2HostileServerReplies runs Run against servers whose replies
// break the protocol in one way each and checks the error's type and
// that the device's queued command comes back, in the next session, as
// an Outcome (Abandoned, or not sent and sent again).
func TestBrk2HostileServerReplies(t *testing.T) {
	type reply func(t *testing.T, n int, msgRef string, w http.ResponseWriter)
	write := func(w http.ResponseWriter, raw []byte) {
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(raw)
	}
	cases := []struct {
		name  string
		cfg   ClientConfig
		reply reply
		check func(t *testing.T, err error)
	}{
		{"wrong SessionID", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "2", "1", ref, true))
		}, wantIs(ErrProtocol)},
		{"MsgID backwards", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", strconv.Itoa(3-n), ref, false, &syncml.Alert{Data: syncml.Text("1222")}))
		}, wantAs[*MsgIDError]()},
		{"MsgRef of a message never sent", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", "1", "7", true))
		}, wantIs(ErrProtocol)},
		{"Final missing forever", ClientConfig{MaxMessages: 5}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", strconv.Itoa(n), ref, false))
		}, wantLimit("MaxMessages")},
		{"Alert 1222 forever", ClientConfig{MaxMessages: 5}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", strconv.Itoa(n), ref, false, &syncml.Alert{Data: syncml.Text("1222")}))
		}, wantLimit("MaxMessages")},
		{"RespURI to itself forever", ClientConfig{MaxMessages: 5}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			raw := brk2Reply(t, "1", strconv.Itoa(n), ref, false, &syncml.Alert{Data: syncml.Text("1222")})
			raw = []byte(strings.Replace(string(raw), "<SessionID>", "<RespURI>/dm?x="+strconv.Itoa(n)+"</RespURI><SessionID>", 1))
			write(w, raw)
		}, wantLimit("MaxMessages")},
		{"RespURI not a URL", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			raw := brk2Reply(t, "1", strconv.Itoa(n), ref, false, &syncml.Alert{Data: syncml.Text("1222")})
			raw = []byte(strings.Replace(string(raw), "<SessionID>", "<RespURI>mailto:x@y</RespURI><SessionID>", 1))
			write(w, raw)
		}, wantIs(ErrProtocol)},
		{"reply over MaxBytes", ClientConfig{MaxBytes: 2048}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", "1", ref, true, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(strings.Repeat("x", 4096))}}}))
		}, wantLimit("MaxBytes")},
		{"reply over MaxMsgSize", ClientConfig{MaxMsgSize: 2048}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", "1", ref, true, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(strings.Repeat("x", 4096))}}}))
		}, wantLimit("MaxMsgSize")},
		{"500 with odd headers", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			w.Header()["Retry-After"] = []string{"-1", "Wed, 99 Foo 0000"}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			_, _ = w.Write([]byte("<html>"))
		}, wantAs[*HTTPError]()},
		{"401 without a challenge", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			w.Header().Set("WWW-Authenticate", "Basic")
			w.WriteHeader(401)
		}, wantAs[*HTTPError]()},
		{"truncated body", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			raw := brk2Reply(t, "1", "1", ref, true)
			w.Header().Set("Content-Type", ContentType)
			w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
			_, _ = w.Write(raw[:len(raw)/2])
		}, wantIs(io.ErrUnexpectedEOF)},
		{"body not XML", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, []byte("\x00\x01garbage"))
		}, wantAs[*syncml.DecodeError]()},
		{"empty body", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, nil)
		}, wantAs[*syncml.DecodeError]()},
		{"MsgID not decimal", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", "+1", ref, true))
		}, wantAs[*MsgIDError]()},
		{"MsgIDs past int64, counting on", ClientConfig{MaxMessages: 5}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, "1", "99999999999999999999"+strconv.Itoa(n), ref, false, &syncml.Alert{Data: syncml.Text("1222")}))
		}, wantLimit("MaxMessages")},
		{"SessionID padded", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			write(w, brk2Reply(t, " 1", "1", ref, true))
		}, wantIs(ErrProtocol)},
		{"SyncHdr Status not a code", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			raw := strings.Replace(string(brk2Reply(t, "1", "1", ref, true)), "<Data>200</Data>", "<Data>OK</Data>", 1)
			write(w, []byte(raw))
		}, wantIs(ErrProtocol)},
		{"Atomic nested 500 deep", ClientConfig{}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			raw := string(brk2Reply(t, "1", "1", ref, true))
			deep := strings.Repeat("<Atomic><CmdID>9</CmdID>", 500) + strings.Repeat("</Atomic>", 500)
			write(w, []byte(strings.Replace(raw, "<Final", deep+"<Final", 1)))
		}, wantLimit("MaxDepth")},
		{"MoreData forever", ClientConfig{MaxObjectChunks: 3, MaxMessages: 10}, func(t *testing.T, n int, ref string, w http.ResponseWriter) {
			item := syncml.Item{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text("x"), MoreData: true}
			if n == 1 {
				item.Meta = &syncml.Meta{Size: "1000"}
			}
			write(w, brk2Reply(t, "1", strconv.Itoa(n), ref, false, &syncml.Replace{Items: []syncml.Item{item}}))
		}, wantLimit("MaxMessages")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(posts.Add(1))
				ref := brk2MsgID(t, r)
				if n > 50 {
					t.Errorf("post %d: the device does not stop", n)
					w.WriteHeader(500)
					return
				}
				tc.reply(t, n, ref, w)
			}))
			defer srv.Close()
			hc := srv.Client()
			brk2NoLeak(t, hc)
			c := brk2Device(t, tc.cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.Run(ctx, hc, srv.URL+"/dm", "1")
			if err == nil {
				t.Fatal("Run succeeded")
			}
			tc.check(t, err)
			if ctx.Err() != nil {
				t.Fatalf("Run ran until the test's deadline: %v", err)
			}
			// The queued Replace is not lost: the next session sends it
			// again or reports it Abandoned.
			assertBrk2Accounted(t, c)
		})
	}
}

// assertBrk2Accounted runs a next session against a well-behaved server
// and checks that the Replace queued on the device is reported (sent and
// answered, or Abandoned).
func assertBrk2Accounted(t *testing.T, c *Client) {
	t.Helper()
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := posts.Add(1)
		body, _ := io.ReadAll(r.Body)
		var m syncml.Message
		if err := syncml.Unmarshal(body, &m); err != nil {
			t.Errorf("device message: %v", err)
			return
		}
		var st []syncml.Command
		for _, cmd := range m.Body.Commands {
			switch cmd.(type) {
			case *syncml.Status, *syncml.Results:
				continue
			}
			st = append(st, &syncml.Status{MsgRef: m.Header.MsgID, CmdRef: cmd.ID(), Cmd: cmd.ElementName(), Data: syncml.StatusOK.Data()})
		}
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(brk2Reply(t, "2", strconv.Itoa(int(n)), m.Header.MsgID, true, st...))
	}))
	defer srv.Close()
	out, err := c.Run(context.Background(), srv.Client(), srv.URL, "2")
	if err != nil {
		t.Fatalf("next session: %v", err)
	}
	srv.Client().CloseIdleConnections()
	for _, o := range out {
		if r, ok := o.Command.(*syncml.Replace); ok && len(r.Items) == 1 && r.Items[0].Target.LocURI == "./Vendor/Q" {
			t.Logf("next session: the Replace: Abandoned %v, Status %v, Err %v, MsgID %s SessionID %s", o.Abandoned, o.Status != nil, o.Err, o.MsgID, o.SessionID)
			return
		}
	}
	t.Errorf("the queued Replace has no Outcome in the next session: %d Outcomes", len(out))
}

func wantIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Errorf("error %v (%T); want one matching %v", err, err, target)
		}
	}
}

func wantAs[E error]() func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e E
		if !errors.As(err, &e) {
			t.Errorf("error %v (%T); want one holding a %T", err, err, e)
		}
	}
}

func wantLimit(limit string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != limit || !errors.Is(err, ErrLimit) {
			t.Errorf("error %v (%T); want a *LimitError of %s matching ErrLimit", err, err, limit)
		}
	}
}
