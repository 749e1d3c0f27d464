package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// ownerPeers is one or more Servers sharing a Store, with a
// CredAuthenticator of one type that knows alice and bob, behind a
// loopback httptest server that hands the requests to the Servers in
// turn. It records every Exchange.
type ownerPeers struct {
	store *MemoryStore
	auth  *CredAuthenticator // set before the first request
	srvs  []*Server
	ts    *httptest.Server
	next  atomic.Int32

	mu        sync.Mutex
	exchanges []ownerExchange
}

// ownerExchange is what ownerPeers records of an Exchange.
type ownerExchange struct {
	id      Identity
	refused error
	code    syncml.StatusCode // the code of the reply's SyncHdr Status
	chal    *syncml.Chal      // its challenge
}

// ownerPasswords are the users an ownerPeers knows.
var ownerPasswords = map[string]string{"alice": "alice-pw", "bob": "bob-pw"}

func newOwnerPeers(t *testing.T, typ AuthType, servers int) *ownerPeers {
	t.Helper()
	users := &MemoryUsers{}
	for u, pw := range ownerPasswords {
		users.Set(u, pw)
	}
	a := &CredAuthenticator{Type: typ, Users: users}
	p := &ownerPeers{store: NewMemoryStore(), auth: a}
	for range servers {
		p.srvs = append(p.srvs, NewServer(ServerConfig{
			Store:      p.store,
			Session:    Config{Authenticator: a},
			OnExchange: p.record,
		}))
	}
	p.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(p.next.Add(1)-1) % len(p.srvs)
		p.srvs[i].ServeHTTP(w, r)
	}))
	t.Cleanup(p.ts.Close)
	return p
}

func (p *ownerPeers) record(_ context.Context, x *Exchange) {
	e := ownerExchange{id: x.Identity, refused: x.Refused}
	if x.Reply != nil && len(x.Reply.Body.Commands) > 0 {
		if st, ok := x.Reply.Body.Commands[0].(*syncml.Status); ok && st.Cmd == "SyncHdr" {
			e.code, _ = st.Code()
			e.chal = st.Chal
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.exchanges = append(p.exchanges, e)
}

// take returns the Exchanges recorded since the last call.
func (p *ownerPeers) take() []ownerExchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	xs := p.exchanges
	p.exchanges = nil
	return xs
}

// session runs one session of device with user's credentials (password
// pw) and returns the LocURIs of the Gets the device answered.
func (p *ownerPeers) session(t *testing.T, typ AuthType, user, pw, device, sessionID string) ([]string, error) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			mu.Lock()
			got = append(got, it.Target.LocURI)
			mu.Unlock()
			items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text("v")})
		}
		return Response{Results: items}
	})
	c, err := NewClient(ClientConfig{DeviceID: device, LocName: user, ServerURI: p.ts.URL, Handler: h,
		Credentials: &ClientAuth{Username: user, Password: pw, Type: typ}})
	if err != nil {
		t.Errorf("NewClient: %v", err) // not Fatal: TestOwnerRace calls it in goroutines
		return nil, err
	}
	_, err = c.Run(context.Background(), p.ts.Client(), p.ts.URL, sessionID)
	return got, err
}

// stateOf returns device's state as the Store keeps it, decoded.
func (p *ownerPeers) stateOf(t *testing.T, device string) *Session {
	t.Helper()
	b, _, err := p.store.Load(context.Background(), device)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(nil)
	if len(b) == 0 {
		return s // none kept (refused messages of a new device keep none)
	}
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	return s
}

// accepted reports whether every Exchange of xs was accepted for user
// and device, and there was one at least.
func accepted(xs []ownerExchange, user, device string) bool {
	n := 0
	for _, x := range xs {
		if x.refused == nil {
			if x.id.User != user || x.id.Device != device {
				return false
			}
			n++
		}
	}
	return n > 0
}

// TestOwnerOverHTTP checks, for every credential type, that a device is
// bound to the first user accepted for it: alice checks in as DEV-A and
// bob as DEV-B; alice's valid credentials with DEV-B's ID in the SyncHdr
// are refused (401 with a challenge), DEV-B's queued Get is not sent and
// its state keeps it; bob as DEV-B then gets it, and alice as a new DEV-C
// is accepted. With two Servers sharing the Store, taking the requests in
// turn, they agree.
func TestOwnerOverHTTP(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		for _, servers := range []int{1, 2} {
			t.Run(authShort(typ)+"/servers="+string(rune('0'+servers)), func(t *testing.T) {
				ctx := context.Background()
				p := newOwnerPeers(t, typ, servers)
				if _, err := p.session(t, typ, "alice", "alice-pw", "DEV-A", "1"); err != nil {
					t.Fatal(err)
				}
				if xs := p.take(); !accepted(xs, "alice", "DEV-A") {
					t.Fatalf("alice as DEV-A: %+v", xs)
				}
				if _, err := p.session(t, typ, "bob", "bob-pw", "DEV-B", "1"); err != nil {
					t.Fatal(err)
				}
				if xs := p.take(); !accepted(xs, "bob", "DEV-B") {
					t.Fatalf("bob as DEV-B: %+v", xs)
				}
				if err := p.srvs[0].Queue(ctx, "DEV-B", get("./Secret/B")); err != nil {
					t.Fatal(err)
				}
				before := p.stateOf(t, "DEV-B")

				// alice, with her own valid credentials, as DEV-B
				got, err := p.session(t, typ, "alice", "alice-pw", "DEV-B", "2")
				if err == nil || len(got) != 0 {
					t.Errorf("alice as DEV-B: session ran (%v), the device was sent %q", err, got)
				}
				xs := p.take()
				notOwner := 0
				for _, x := range xs {
					if x.refused == nil {
						t.Errorf("alice as DEV-B: accepted as %+v", x.id)
						continue
					}
					if !strings.Contains(x.refused.Error(), `user "alice" may not speak for device "DEV-B"`) {
						continue
					}
					notOwner++
					if x.code != syncml.StatusInvalidCredentials || x.chal == nil || x.chal.Meta == nil || x.chal.Meta.Type != string(typ) ||
						(x.chal.Meta.NextNonce == "") != (typ == AuthBasic) || x.id.Method != authMethod(typ) || x.id.User != "" ||
						!errors.Is(x.refused, ErrInvalidCredentials) {
						t.Errorf("alice as DEV-B: refused with %d, chal %+v, identity %+v, %v", x.code, x.chal, x.id, x.refused)
					}
					if strings.Contains(x.refused.Error(), "pw") {
						t.Errorf("the reason shows a password: %v", x.refused)
					}
				}
				if notOwner == 0 {
					t.Errorf("alice as DEV-B: no refusal for the device's owner: %+v", xs)
				}
				after := p.stateOf(t, "DEV-B")
				if after.Queued() != 1 || after.Pending() != 0 || before.Queued() != 1 ||
					after.st.SessionID != before.st.SessionID || string(after.st.Reply) != string(before.st.Reply) {
					t.Errorf("DEV-B's state changed: queued %d pending %d session %q, was %d %d %q", after.Queued(), after.Pending(),
						after.st.SessionID, before.Queued(), before.Pending(), before.st.SessionID)
				}

				// bob as DEV-B: the queued Get, once
				got, err = p.session(t, typ, "bob", "bob-pw", "DEV-B", "3")
				if err != nil || !slices.Equal(got, []string{"./Secret/B"}) {
					t.Errorf("bob as DEV-B: %q, %v", got, err)
				}
				if xs := p.take(); !accepted(xs, "bob", "DEV-B") {
					t.Errorf("bob as DEV-B: %+v", xs)
				}

				// alice as a new device: hers
				if _, err := p.session(t, typ, "alice", "alice-pw", "DEV-C", "1"); err != nil {
					t.Fatal(err)
				}
				if xs := p.take(); !accepted(xs, "alice", "DEV-C") {
					t.Errorf("alice as DEV-C: %+v", xs)
				}
				if _, err := p.session(t, typ, "bob", "bob-pw", "DEV-C", "2"); err == nil {
					t.Error("bob as alice's DEV-C: session ran")
				}
				p.take()

				// a refused message binds nothing: alice's wrong password
				// leaves DEV-D to bob
				if _, err := p.session(t, typ, "alice", "bob-pw", "DEV-D", "1"); err == nil {
					t.Error("alice with a wrong password: session ran")
				}
				if o := p.stateOf(t, "DEV-D").st.Owner; o != "" {
					t.Errorf("DEV-D's owner after refused messages: %q", o)
				}
				if _, err := p.session(t, typ, "bob", "bob-pw", "DEV-D", "2"); err != nil {
					t.Errorf("bob as DEV-D: %v", err)
				}
				p.take()
				for dev, want := range map[string]string{"DEV-A": "alice", "DEV-B": "bob", "DEV-C": "alice", "DEV-D": "bob"} {
					if o := p.stateOf(t, dev).st.Owner; o != want {
						t.Errorf("%s's owner %q, want %q", dev, o, want)
					}
				}
			})
		}
	}
}

// TestOwnerAnyDevice: with AnyDevice, alice's valid credentials reach
// bob's DEV-B, its queued Get with them; the device stays bob's.
func TestOwnerAnyDevice(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			p := newOwnerPeers(t, typ, 1)
			p.auth.AnyDevice = true
			if _, err := p.session(t, typ, "bob", "bob-pw", "DEV-B", "1"); err != nil {
				t.Fatal(err)
			}
			if err := p.srvs[0].Queue(context.Background(), "DEV-B", get("./Secret/B")); err != nil {
				t.Fatal(err)
			}
			p.take()
			got, err := p.session(t, typ, "alice", "alice-pw", "DEV-B", "2")
			if err != nil || !slices.Equal(got, []string{"./Secret/B"}) {
				t.Errorf("alice as DEV-B: %q, %v", got, err)
			}
			if xs := p.take(); !accepted(xs, "alice", "DEV-B") {
				t.Errorf("alice as DEV-B: %+v", xs)
			}
			if o := p.stateOf(t, "DEV-B").st.Owner; o != "bob" {
				t.Errorf("DEV-B's owner %q, want bob", o)
			}
		})
	}
}

// TestOwnerRace: alice and bob, each with valid credentials, run a first
// session of the same new device at once through two Servers sharing a
// Store. However their messages interleave, at most one of them is ever
// accepted for the device, and it is the owner the state keeps.
func TestOwnerRace(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			for round := range 5 {
				p := newOwnerPeers(t, typ, 2)
				var wg sync.WaitGroup
				for i, user := range []string{"alice", "bob"} {
					wg.Go(func() {
						_, _ = p.session(t, typ, user, ownerPasswords[user], "DEV-X", string(rune('1'+i)))
					})
				}
				wg.Wait()
				users := map[string]bool{}
				for _, x := range p.take() {
					if x.refused == nil {
						users[x.id.User] = true
					}
				}
				owner := p.stateOf(t, "DEV-X").st.Owner
				if len(users) > 1 || len(users) == 1 && !users[owner] || len(users) == 0 && owner != "" {
					t.Fatalf("round %d: accepted %v, owner %q", round, users, owner)
				}
			}
		})
	}
}
