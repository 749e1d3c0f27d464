package session

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
)

// testClock is a Server's clock (Server.now) that a test sets.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *testClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// windowStart returns the start of a first-nonce window of length w.
func windowStart(w time.Duration) time.Time {
	n := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	return time.Unix(0, n-n%int64(w))
}

// firstSessionMsg is a package 1 (MsgID msgID) of the device dev, user
// "dev", carrying the credentials of password under nonce (none when
// nonce is nil): an MD5 Cred, or for HMAC the x-syncml-hmac header value
// returned with the bytes.
func firstSessionMsg(t *testing.T, typ AuthType, dev, msgID, password string, nonce []byte) (raw []byte, hmacHdr string) {
	t.Helper()
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
		Target: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}, Source: syncml.Location{LocURI: dev, LocName: "dev"}},
		Body: syncml.Body{Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}, Final: true}}
	if nonce != nil && typ == AuthMD5 {
		m.Header.Cred = md5Cred("dev", password, nonce)
	}
	number(m.Body.Commands, new(int))
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if nonce != nil && typ == AuthHMAC {
		hmacHdr = newHMACHeader("dev", password, nonce, raw).String()
	}
	return raw, hmacHdr
}

// serveFirst posts raw (with the x-syncml-hmac value h, when not "") to
// srv and returns the code and the NextNonce of the reply's Status for
// the SyncHdr, and the reply's MsgID.
func serveFirst(t *testing.T, srv *Server, raw []byte, h string) (code syncml.StatusCode, next []byte, msgID string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", ContentType)
	if h != "" {
		req.Header.Set(HMACHeaderName, h)
	}
	srv.ServeHTTP(rec, req)
	var reply syncml.Message
	if err := syncml.Unmarshal(rec.Body.Bytes(), &reply); err != nil || len(reply.Body.Commands) == 0 {
		t.Fatalf("HTTP %d, reply %q", rec.Code, rec.Body.String())
	}
	st, ok := reply.Body.Commands[0].(*syncml.Status)
	if !ok || st.Cmd != "SyncHdr" {
		t.Fatalf("reply's first command %#v, want the SyncHdr Status", reply.Body.Commands[0])
	}
	code = mustCode(t, st)
	if st.Chal != nil && st.Chal.Meta != nil && st.Chal.Meta.NextNonce != "" {
		n, err := decodeNonce(st.Chal.Meta.NextNonce)
		if err != nil {
			t.Fatal(err)
		}
		next = n
	}
	return code, next, reply.Header.MsgID
}

// windowServer is a Server with a CredAuthenticator of typ (user "dev",
// password "secret") and first-nonce windows of w (0: the default) on a
// clock the test sets.
func windowServer(typ AuthType, store Store, clk *testClock, w time.Duration) *Server {
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	srv := NewServer(ServerConfig{Store: store, FirstNonceWindow: w, Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}}})
	srv.now = clk.now
	return srv
}

// A device's first nonce holds for a time window and the next: the
// credentials of a device's first session, computed with the nonce it
// was challenged with, are accepted in the window of the challenge and
// the next (a device challenged just before a window ends gets in), and
// refused from two windows on, with a challenge holding the present
// window's first nonce, saving nothing. So credentials captured from a
// first session are not accepted again later, should the application
// remove the device's state. The windows are DefaultFirstNonceWindow
// long, or ServerConfig.FirstNonceWindow. Before, the first nonce was the
// same at any time, and every late answer below was accepted (212 for
// MD5, 200 for HMAC, where 401 is wanted).
func TestFirstNonceWindow(t *testing.T) {
	for _, cfgw := range []time.Duration{0, time.Minute} {
		for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
			t.Run(fmt.Sprint(authShort(typ), "/window-", cfgw), func(t *testing.T) {
				firstNonceWindow(t, typ, cfgw)
			})
		}
	}
}

// firstNonceWindow is TestFirstNonceWindow for typ and a
// ServerConfig.FirstNonceWindow of cfgw.
func firstNonceWindow(t *testing.T, typ AuthType, cfgw time.Duration) {
	w := cmp.Or(cfgw, DefaultFirstNonceWindow)
	start := windowStart(w)
	store := NewMemoryStore()
	clk := &testClock{}
	srv := windowServer(typ, store, clk, cfgw)
	accepted := syncml.StatusAuthenticationAccepted
	if typ == AuthHMAC {
		accepted = syncml.StatusOK
	}
	for i, tc := range []struct {
		name               string
		challenged, answer time.Duration // from start
		ok                 bool
	}{
		{"same window", time.Second, 2 * time.Second, true},
		{"next window, across its start", w - time.Nanosecond, w, true},
		{"next window, at its end", 0, 2*w - time.Nanosecond, true},
		{"two windows on, a window and a nanosecond later", w - time.Nanosecond, 2 * w, false},
		{"two windows on", 0, 2 * w, false},
		{"ten windows on", 0, 10 * w, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dev := fmt.Sprint("DEV-", i)
			clk.set(start.Add(tc.challenged))
			raw, _ := firstSessionMsg(t, typ, dev, "1", "", nil)
			code, first, _ := serveFirst(t, srv, raw, "")
			if code != syncml.StatusMissingCredentials || len(first) != DefaultNonceSize {
				t.Fatalf("package 1 without credentials: %d, nonce %x; want 407 and a nonce of %d bytes", code, first, DefaultNonceSize)
			}
			clk.set(start.Add(tc.answer))
			raw, h := firstSessionMsg(t, typ, dev, "2", "secret", first)
			code, next, _ := serveFirst(t, srv, raw, h)
			_, ver, err := store.Load(context.Background(), dev)
			if err != nil {
				t.Fatal(err)
			}
			if tc.ok {
				if code != accepted || ver == 0 {
					t.Errorf("answer %v after the challenge: %d, state version %d; want %d and a state", tc.answer-tc.challenged, code, ver, accepted)
				}
				return
			}
			now, _, err := srv.firstNonce(context.Background(), dev)
			if err != nil {
				t.Fatal(err)
			}
			if code != syncml.StatusInvalidCredentials || ver != 0 || !bytes.Equal(next, now[:DefaultNonceSize]) {
				t.Errorf("answer %v after the challenge: %d, state version %d, nonce %x; want 401, no state and the present window's first nonce %x",
					tc.answer-tc.challenged, code, ver, next, now[:DefaultNonceSize])
			}
			// challenged again, the device gets in
			raw, h = firstSessionMsg(t, typ, dev, "3", "secret", next)
			if code, _, _ := serveFirst(t, srv, raw, h); code != accepted {
				t.Errorf("answer to the second challenge: %d, want %d", code, accepted)
			}
		})
	}
}

// Windows' first session, across a window's end: its package 1 carries
// credentials of the nonce it was provisioned with (AAUTHDATA), unknown
// to the server, and is refused (401, reply MsgID 1) with the first
// nonce; its resend, MsgID 2, computed with that nonce, reaches the
// server in the next window and is accepted (reply MsgID 2), and its
// next session is accepted at once with the nonce of the acceptance.
func TestFirstNonceWindowWindowsFlow(t *testing.T) {
	w := DefaultFirstNonceWindow
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			clk := &testClock{}
			clk.set(windowStart(w).Add(w - time.Millisecond))
			srv := windowServer(typ, NewMemoryStore(), clk, 0)
			raw, h := firstSessionMsg(t, typ, "DEV", "1", "secret", []byte("provisioned"))
			code, first, id := serveFirst(t, srv, raw, h)
			if code != syncml.StatusInvalidCredentials || first == nil || id != "1" {
				t.Fatalf("package 1: %d, nonce %x, reply MsgID %s; want 401, a nonce and MsgID 1", code, first, id)
			}
			clk.add(2 * time.Millisecond)
			raw, h = firstSessionMsg(t, typ, "DEV", "2", "secret", first)
			code, next, id := serveFirst(t, srv, raw, h)
			if !code.Success() || next == nil || id != "2" {
				t.Fatalf("package 1 again, next window: %d, nonce %x, reply MsgID %s; want acceptance, a nonce and MsgID 2", code, next, id)
			}
			m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "2", MsgID: "1",
				Target: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}, Source: syncml.Location{LocURI: "DEV", LocName: "dev"}},
				Body: syncml.Body{Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}, Final: true}}
			if typ == AuthMD5 {
				m.Header.Cred = md5Cred("dev", "secret", next)
			}
			number(m.Body.Commands, new(int))
			raw, err := syncml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			h = ""
			if typ == AuthHMAC {
				h = newHMACHeader("dev", "secret", next, raw).String()
			}
			clk.add(10 * w)
			if code, _, _ := serveFirst(t, srv, raw, h); !code.Success() {
				t.Errorf("second session: %d, want acceptance at once", code)
			}
		})
	}
}

// windowTick advances a clock by a window after each exchange that
// passes through rt, so that a device's every message reaches the
// servers in the window after the one its previous message did.
type windowTick struct {
	rt  http.RoundTripper
	clk *testClock
	w   time.Duration
}

func (t *windowTick) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	t.clk.add(t.w)
	return resp, err
}

// Two Servers sharing a Store, with one clock: a device's first session
// goes round-robin between them and its answer to the challenge of one
// reaches the other a window later; it is accepted, after the one
// challenge, whether the device sends credentials at once or only when
// challenged.
func TestFirstNonceWindowRoundRobin(t *testing.T) {
	w := DefaultFirstNonceWindow
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			store := NewMemoryStore()
			clk := &testClock{}
			clk.set(windowStart(w).Add(w - time.Second))
			a, b := windowServer(typ, store, clk, 0), windowServer(typ, store, clk, 0)
			sa, sb := httptest.NewServer(a), httptest.NewServer(b)
			defer sa.Close()
			defer sb.Close()
			for _, preset := range []AuthType{"", typ} {
				dev := "DEV-" + authShort(preset)
				rr := &roundRobin{urls: []string{sa.URL, sb.URL}, hits: make([]atomic.Int32, 2)}
				rec := &hdrCodes{rt: &windowTick{rt: rr, clk: clk, w: w}}
				runFirstSession(t, dev, preset, sa.URL, rec)
				if rr.hits[0].Load() == 0 || rr.hits[1].Load() == 0 {
					t.Errorf("%s: round robin did not use both servers: %d %d", dev, rr.hits[0].Load(), rr.hits[1].Load())
				}
			}
		})
	}
}
