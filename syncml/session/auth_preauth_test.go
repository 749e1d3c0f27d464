package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Messages that no credential admits leave nothing in the Store: a
// device never challenged before is challenged with a nonce derived from
// its ID and the servers' key (the one record of the Store that no device
// owns), so 100 package 1s without credentials under 100 device IDs keep
// no state. Before, each kept a state holding the nonce of its challenge
// (101 entries: the 100, and none for a key). A device's first session
// still authenticates (one challenge, then acceptance), with MD5 and
// HMAC, whether it sends credentials at once or only when challenged,
// also when its messages go round-robin to two Servers sharing the Store,
// and the server's replies in a session keep MsgIDs of their own though
// the refusals kept no count of them (they take the device's MsgID).
func TestNoStateBeforeAuthentication(t *testing.T) {
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			store := NewMemoryStore()
			users := &MemoryUsers{}
			users.Set("dev", "secret")
			cfg := ServerConfig{Store: store, Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}}}
			a, b := NewServer(cfg), NewServer(cfg)
			sa, sb := httptest.NewServer(a), httptest.NewServer(b)
			defer sa.Close()
			defer sb.Close()
			for i := range 100 {
				m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
					Target: syncml.Location{LocURI: sa.URL}, Source: syncml.Location{LocURI: fmt.Sprint("RANDOM-", i), LocName: "dev"}},
					Body: syncml.Body{Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}, Final: true}}
				number(m.Body.Commands, new(int))
				raw, err := syncml.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				reply, _ := postReply(t, sa.Client(), sa.URL, raw, "")
				if code := mustCode(t, reply.Body.Commands[0].(*syncml.Status)); code != syncml.StatusMissingCredentials {
					t.Fatalf("RANDOM-%d: %d, want 407", i, code)
				}
			}
			store.mu.Lock()
			n := store.n
			store.mu.Unlock()
			if n > 1 {
				t.Errorf("100 unauthenticated package 1s left %d entries in the Store, want at most 1 (the key)", n)
			}
			for _, preset := range []AuthType{"", typ} {
				dev := "DEV-" + authShort(preset)
				rr := &roundRobin{urls: []string{sa.URL, sb.URL}, hits: make([]atomic.Int32, 2)}
				rec := &hdrCodes{rt: rr}
				c := runFirstSession(t, dev, preset, sa.URL, rec)
				if r := rec.reused(); len(r) > 0 {
					t.Errorf("%s: replies reused the MsgIDs of others of their session: %q", dev, r)
				}
				// accepted: a nonce of its own, kept, not the first one
				raw, _, err := store.Load(context.Background(), dev)
				if err != nil {
					t.Fatal(err)
				}
				sess := NewSession(nil)
				if err := sess.UnmarshalBinary(raw); err != nil {
					t.Fatal(err)
				}
				first, _, err := a.firstNonce(context.Background(), dev)
				if err != nil {
					t.Fatal(err)
				}
				if n := sess.st.Nonce; len(n) != DefaultNonceSize || bytes.Equal(n, first[:DefaultNonceSize]) {
					t.Errorf("%s: kept nonce %x after acceptance, want a new one of %d bytes (first nonce %x)", dev, n, DefaultNonceSize, first[:DefaultNonceSize])
				}
				if rr.hits[0].Load() == 0 || rr.hits[1].Load() == 0 {
					t.Errorf("%s: round robin did not use both servers: %d %d", dev, rr.hits[0].Load(), rr.hits[1].Load())
				}
				if _, err := c.Run(context.Background(), &http.Client{Transport: rec}, sa.URL, "2"); err != nil {
					t.Fatalf("%s: second session: %v", dev, err)
				}
				codes := rec.take()
				if len(codes) == 0 || !codes[0].Success() {
					t.Errorf("%s: second session's SyncHdr codes %v, want acceptance at once", dev, codes)
				}
			}
		})
	}
}

// hdrCodes records the codes of the server's Statuses for the device's
// SyncHdr in the replies that pass through rt.
type hdrCodes struct {
	rt    http.RoundTripper
	mu    sync.Mutex
	codes []syncml.StatusCode
	// seen counts the replies of each SessionID and MsgID
	seen map[[2]string]int
}

func (h *hdrCodes) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.rt.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var reply syncml.Message
	if syncml.Unmarshal(body, &reply) == nil {
		h.mu.Lock()
		if h.seen == nil {
			h.seen = map[[2]string]int{}
		}
		h.seen[[2]string{reply.Header.SessionID, reply.Header.MsgID}]++
		h.mu.Unlock()
	}
	if len(reply.Body.Commands) > 0 {
		if st, ok := reply.Body.Commands[0].(*syncml.Status); ok && st.Cmd == "SyncHdr" {
			code, _ := st.Code()
			h.mu.Lock()
			h.codes = append(h.codes, code)
			h.mu.Unlock()
		}
	}
	return resp, nil
}

// reused returns the SessionID and MsgID of the replies that took a MsgID
// another reply of their session had.
func (h *hdrCodes) reused() [][2]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var r [][2]string
	for id, n := range h.seen {
		if n > 1 {
			r = append(r, id)
		}
	}
	return r
}

// take returns the codes recorded since the last call.
func (h *hdrCodes) take() []syncml.StatusCode {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.codes
	h.codes = nil
	return c
}

// The first-nonce key is the Store's, under a name no device has: a
// Server refuses to queue for it or bind it, and a Store holding
// something else than a key under it fails the exchanges that need a
// first nonce (500), rather than challenging with a nonce of no key.
func TestFirstNonceKeyReserved(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	users := &MemoryUsers{}
	users.Set("dev", "secret")
	srv := NewServer(ServerConfig{Store: store, Session: Config{Authenticator: &CredAuthenticator{Type: AuthMD5, Users: users}}})
	if err := srv.Queue(ctx, FirstNonceKeyDevice, get("./DevDetail/SwV")); !errors.Is(err, syncml.ErrInvalid) {
		t.Errorf("Queue for the key: %v, want ErrInvalid", err)
	}
	if err := srv.SetOwner(ctx, FirstNonceKeyDevice, "dev"); !errors.Is(err, syncml.ErrInvalid) {
		t.Errorf("SetOwner of the key: %v, want ErrInvalid", err)
	}
	if _, v, _ := store.Load(ctx, FirstNonceKeyDevice); v != 0 {
		t.Fatalf("a key made before any first nonce was asked for (version %d)", v)
	}
	if _, err := store.CompareAndSwap(ctx, FirstNonceKeyDevice, 0, []byte("not a key")); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(devMsg("1", "1", alert1201)))
	req.Header.Set("Content-Type", ContentType)
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("a bad key: HTTP %d, want 500", rec.Code)
	}
}

// Servers sharing a Store that ask for their first nonces at once make
// one key between them: every first nonce of a device is the same, and
// the Store holds one key.
func TestFirstNonceKeyRace(t *testing.T) {
	store := NewMemoryStore()
	clk := &testClock{} // one window for all
	clk.set(windowStart(DefaultFirstNonceWindow))
	var srvs [4]*Server
	for i := range srvs {
		srvs[i] = NewServer(ServerConfig{Store: store})
		srvs[i].now = clk.now
	}
	var got [16][]byte
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			n, _, err := srvs[i%len(srvs)].firstNonce(context.Background(), "DEV")
			if err != nil {
				t.Error(err)
			}
			got[i] = n
		})
	}
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], got[0]) || len(got[i]) != 32 {
			t.Fatalf("first nonce %d: %x, first nonce 0: %x", i, got[i], got[0])
		}
	}
	if other, _, _ := srvs[0].firstNonce(context.Background(), "DEV2"); bytes.Equal(other, got[0]) {
		t.Error("two devices have the same first nonce")
	}
	if store.n != 1 {
		t.Errorf("%d entries, want the one key", store.n)
	}
}

// runFirstSession runs the first session of device dev (user "dev",
// password "secret", credentials of type preset before any challenge, or
// none when "") against url through rec, and checks its SyncHdr codes:
// one challenge, then acceptance. It returns the device's Client.
func runFirstSession(t *testing.T, dev string, preset AuthType, url string, rec *hdrCodes) *Client {
	t.Helper()
	ca := &ClientAuth{Username: "dev", Password: "secret", Type: preset}
	c, err := NewClient(ClientConfig{DeviceID: dev, LocName: "dev", ServerURI: url, Handler: deviceMux(), Credentials: ca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), &http.Client{Transport: rec}, url, "1"); err != nil {
		t.Fatalf("%s: first session: %v", dev, err)
	}
	codes := rec.take()
	if len(codes) < 2 || codes[0].Success() || !codes[1].Success() {
		t.Errorf("%s: first session's SyncHdr codes %v, want one challenge, then acceptance", dev, codes)
	}
	return c
}
