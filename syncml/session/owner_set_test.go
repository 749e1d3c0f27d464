package session

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// notOwnerRefusals counts the Exchanges of xs refused because user may
// not speak for device, and reports whether all the others were refused
// too.
func notOwnerRefusals(xs []ownerExchange, user, device string) (n int, allRefused bool) {
	allRefused = true
	for _, x := range xs {
		if x.refused == nil {
			allRefused = false
			continue
		}
		if strings.Contains(x.refused.Error(), `user "`+user+`" may not speak for device "`+device+`"`) &&
			errors.Is(x.refused, ErrInvalidCredentials) && x.code == syncml.StatusInvalidCredentials {
			n++
		}
	}
	return n, allRefused
}

// refusedAsNotOwner checks that user's session of device, with her own
// valid credentials, is refused for not being its owner.
func refusedAsNotOwner(t *testing.T, p *ownerPeers, typ AuthType, user, device, sessionID string) {
	t.Helper()
	got, err := p.session(t, typ, user, ownerPasswords[user], device, sessionID)
	if err == nil || len(got) != 0 {
		t.Errorf("%s as %s: session ran (%v), the device was sent %q", user, device, err, got)
	}
	if n, all := notOwnerRefusals(p.take(), user, device); n == 0 || !all {
		t.Errorf("%s as %s: %d refusals for the owner, all refused %v", user, device, n, all)
	}
}

// acceptedAs checks that user's session of device runs, accepted as user.
func acceptedAs(t *testing.T, p *ownerPeers, typ AuthType, user, device, sessionID string) {
	t.Helper()
	if _, err := p.session(t, typ, user, ownerPasswords[user], device, sessionID); err != nil {
		t.Errorf("%s as %s: %v", user, device, err)
	}
	if xs := p.take(); !accepted(xs, user, device) {
		t.Errorf("%s as %s: %+v", user, device, xs)
	}
}

// ownerIs checks the owner Server.Owner reads for device.
func ownerIs(t *testing.T, srv *Server, device, want string) {
	t.Helper()
	if o, err := srv.Owner(context.Background(), device); err != nil || o != want {
		t.Errorf("Owner(%s) = %q, %v; want %q", device, o, err, want)
	}
}

// TestSetOwnerBeforeFirstSession: an enrollment server binds a new
// device to alice before its first session. Bob, with his valid
// credentials, is then refused for it (401, "may not speak for"), as
// its first user; alice is accepted, and it stays hers. Owner reads
// alice from the start.
func TestSetOwnerBeforeFirstSession(t *testing.T) {
	for _, typ := range []AuthType{AuthMD5, AuthBasic, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			p := newOwnerPeers(t, typ, 1)
			srv := p.srvs[0]
			ownerIs(t, srv, "DEV-A", "")
			if err := srv.SetOwner(context.Background(), "DEV-A", "alice"); err != nil {
				t.Fatal(err)
			}
			ownerIs(t, srv, "DEV-A", "alice")
			refusedAsNotOwner(t, p, typ, "bob", "DEV-A", "1")
			ownerIs(t, srv, "DEV-A", "alice")
			acceptedAs(t, p, typ, "alice", "DEV-A", "2")
			ownerIs(t, srv, "DEV-A", "alice")
		})
	}
}

// TestSetOwnerRebind: a device bound to alice by her first session is
// bound to bob (its re-enrollment): alice is refused for it from her next
// session on, bob is accepted, and it stays his.
func TestSetOwnerRebind(t *testing.T) {
	for _, typ := range []AuthType{AuthMD5, AuthBasic, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			p := newOwnerPeers(t, typ, 1)
			srv := p.srvs[0]
			acceptedAs(t, p, typ, "alice", "DEV-A", "1")
			ownerIs(t, srv, "DEV-A", "alice")
			if err := srv.SetOwner(context.Background(), "DEV-A", "bob"); err != nil {
				t.Fatal(err)
			}
			ownerIs(t, srv, "DEV-A", "bob")
			refusedAsNotOwner(t, p, typ, "alice", "DEV-A", "2")
			acceptedAs(t, p, typ, "bob", "DEV-A", "3")
			refusedAsNotOwner(t, p, typ, "alice", "DEV-A", "4")
			ownerIs(t, srv, "DEV-A", "bob")
		})
	}
}

// TestSetOwnerClear: SetOwner "" unbinds a device bound to alice; the
// next user accepted, bob, binds it, and alice is then refused. Clearing
// a device with no state makes none.
func TestSetOwnerClear(t *testing.T) {
	ctx := context.Background()
	p := newOwnerPeers(t, AuthMD5, 1)
	srv := p.srvs[0]
	acceptedAs(t, p, AuthMD5, "alice", "DEV-A", "1")
	if err := srv.SetOwner(ctx, "DEV-A", ""); err != nil {
		t.Fatal(err)
	}
	ownerIs(t, srv, "DEV-A", "")
	acceptedAs(t, p, AuthMD5, "bob", "DEV-A", "2")
	ownerIs(t, srv, "DEV-A", "bob")
	refusedAsNotOwner(t, p, AuthMD5, "alice", "DEV-A", "3")

	if err := srv.SetOwner(ctx, "DEV-NEW", ""); err != nil {
		t.Fatal(err)
	}
	if b, ver, err := p.store.Load(ctx, "DEV-NEW"); b != nil || ver != 0 || err != nil {
		t.Errorf("clearing a device with no state saved %d bytes (version %d, %v)", len(b), ver, err)
	}
}

// TestSetOwnerKeepsState: SetOwner changes only the owner of a state:
// with commands sent and waiting for their Status, commands queued
// since, and the last reply, the state is byte for byte the same but
// for its last field (a 0 without owner, "\x05alice" with alice), and
// clearing gives back the very bytes. The device's retry of its last
// message is still answered with the same reply, and its session goes
// on with the commands queued. A new device's state is a new Session's
// with the owner.
func TestSetOwnerKeepsState(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		store Store
	}{{"MemoryStore", NewMemoryStore()}, {"other Store", wrappedStore{NewMemoryStore()}}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(ServerConfig{Store: tc.store})
			if err := srv.Queue(ctx, "DEV1", get("./A"), get("./B")); err != nil {
				t.Fatal(err)
			}
			first := devMsg("1", "1", alert1201)
			reply := postOK(t, srv, first)
			if err := srv.Queue(ctx, "DEV1", get("./C"), &syncml.Replace{Items: []syncml.Item{
				{Target: &syncml.Location{LocURI: "./Vendor/MSFT/D"}, Data: syncml.Text("1")}}}); err != nil {
				t.Fatal(err)
			}
			before, _, err := tc.store.Load(ctx, "DEV1")
			if err != nil {
				t.Fatal(err)
			}
			if s := NewSession(nil); s.UnmarshalBinary(before) != nil || s.Pending() != 2 || s.Queued() != 2 || before[len(before)-1] != 0 {
				t.Fatalf("state before: pending %d queued %d, last byte %d", s.Pending(), s.Queued(), before[len(before)-1])
			}
			if err := srv.SetOwner(ctx, "DEV1", "alice"); err != nil {
				t.Fatal(err)
			}
			owned, _, err := tc.store.Load(ctx, "DEV1")
			if err != nil {
				t.Fatal(err)
			}
			if want := append(bytes.Clone(before[:len(before)-1]), "\x05alice"...); !bytes.Equal(owned, want) {
				t.Errorf("state bound to alice differs beyond its owner:\n got %q\nwant %q", owned, want)
			}
			if err := srv.SetOwner(ctx, "DEV1", ""); err != nil {
				t.Fatal(err)
			}
			if cleared, _, err := tc.store.Load(ctx, "DEV1"); err != nil || !bytes.Equal(cleared, before) {
				t.Errorf("state cleared is not the state before (%v):\n got %q\nwant %q", err, cleared, before)
			}
			if err := srv.SetOwner(ctx, "DEV1", "alice"); err != nil {
				t.Fatal(err)
			}
			if again := postOK(t, srv, first); !bytes.Equal(again, reply) {
				t.Errorf("the retry of the last message is answered anew:\n%s\nwas\n%s", again, reply)
			}
			next := postOK(t, srv, devMsg("1", "2",
				`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
					`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
					`<Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`))
			if !bytes.Contains(next, []byte("./C")) || !bytes.Contains(next, []byte("./Vendor/MSFT/D")) {
				t.Errorf("the session does not go on with the commands queued:\n%s", next)
			}
			ownerIs(t, srv, "DEV1", "alice")

			if err := srv.SetOwner(ctx, "DEV2", "bob"); err != nil {
				t.Fatal(err)
			}
			fresh, err := NewSession(nil).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := tc.store.Load(ctx, "DEV2")
			if want := append(fresh[:len(fresh)-1:len(fresh)-1], "\x03bob"...); err != nil || !bytes.Equal(got, want) {
				t.Errorf("new device's state bound to bob: %q, want %q (%v)", got, want, err)
			}
		})
	}
}

// raceStore is a Store that, on the first CompareAndSwap of a device,
// lets another Server queue a Get for it first: that CompareAndSwap
// fails with ErrConflict, its version being stale.
type raceStore struct {
	*MemoryStore
	other *Server
	swaps atomic.Int32
	err   error // of the other Server's Queue
}

func (s *raceStore) CompareAndSwap(ctx context.Context, dev string, old uint64, st []byte) (uint64, error) {
	if s.swaps.Add(1) == 1 {
		s.err = s.other.Queue(ctx, dev, get("./Raced"))
	}
	return s.MemoryStore.CompareAndSwap(ctx, dev, old, st)
}

// TestSetOwnerConflict: two Servers share a MemoryStore, and the second
// queues a Get for the device between the first's Load and its
// CompareAndSwap, which fails with ErrConflict: SetOwner loads the state
// again and binds it, keeping both Gets (one queued before, one raced),
// in two CompareAndSwaps. A Store that always conflicts fails it with an
// error matching ErrConflict after MaxRetries.
func TestSetOwnerConflict(t *testing.T) {
	ctx := context.Background()
	mem := NewMemoryStore()
	store := &raceStore{MemoryStore: mem, other: NewServer(ServerConfig{Store: mem})}
	srv := NewServer(ServerConfig{Store: store})
	if err := store.other.Queue(ctx, "DEV1", get("./Before")); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetOwner(ctx, "DEV1", "alice"); err != nil {
		t.Fatal(err)
	}
	if store.err != nil || store.swaps.Load() != 2 {
		t.Fatalf("raced Queue: %v; %d CompareAndSwaps, want 2", store.err, store.swaps.Load())
	}
	ownerIs(t, store.other, "DEV1", "alice")
	b, _, err := mem.Load(ctx, "DEV1")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(nil)
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, c := range s.st.Queue {
		uris = append(uris, c.(*syncml.Get).Items[0].Target.LocURI)
	}
	if want := []string{"./Before", "./Raced"}; !slices.Equal(uris, want) {
		t.Errorf("queued %q, want %q", uris, want)
	}

	bad := NewServer(ServerConfig{Store: conflictStore{}, MaxRetries: 2})
	if err := bad.SetOwner(ctx, "DEV1", "alice"); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `"DEV1"`) {
		t.Errorf("SetOwner on a Store always in conflict: %v", err)
	}
}

// blindStore is a Store that ignores its context.
type blindStore struct{ m *MemoryStore }

func (s blindStore) Load(_ context.Context, d string) ([]byte, uint64, error) {
	return s.m.Load(context.Background(), d)
}

func (s blindStore) CompareAndSwap(_ context.Context, d string, old uint64, st []byte) (uint64, error) {
	return s.m.CompareAndSwap(context.Background(), d, old, st)
}

// TestSetOwnerCanceled: with a canceled context, SetOwner and Owner
// return an error matching context.Canceled and naming the device, and
// the state stays as it was, with a MemoryStore and with a Store that
// ignores the context.
func TestSetOwnerCanceled(t *testing.T) {
	for _, tc := range []struct {
		name string
		mem  *MemoryStore
		wrap func(*MemoryStore) Store
	}{
		{"MemoryStore", NewMemoryStore(), func(m *MemoryStore) Store { return m }},
		{"blind Store", NewMemoryStore(), func(m *MemoryStore) Store { return blindStore{m} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(ServerConfig{Store: tc.wrap(tc.mem)})
			if err := srv.SetOwner(context.Background(), "DEV1", "alice"); err != nil {
				t.Fatal(err)
			}
			before, ver, _ := tc.mem.Load(context.Background(), "DEV1")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			for _, user := range []string{"bob", ""} {
				if err := srv.SetOwner(ctx, "DEV1", user); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `"DEV1"`) {
					t.Errorf("SetOwner(%q) canceled: %v", user, err)
				}
			}
			if err := srv.SetOwner(ctx, "DEV2", "bob"); !errors.Is(err, context.Canceled) {
				t.Errorf("SetOwner of a new device canceled: %v", err)
			}
			if o, err := srv.Owner(ctx, "DEV1"); !errors.Is(err, context.Canceled) || o != "" {
				t.Errorf("Owner canceled: %q, %v", o, err)
			}
			after, ver2, _ := tc.mem.Load(context.Background(), "DEV1")
			if !bytes.Equal(after, before) || ver2 != ver {
				t.Errorf("state changed by a canceled SetOwner (version %d, was %d)", ver2, ver)
			}
			if b, _, _ := tc.mem.Load(context.Background(), "DEV2"); b != nil {
				t.Errorf("a canceled SetOwner made a state of %d bytes", len(b))
			}
		})
	}
}

// TestOwnerBadState: Owner and SetOwner of a device whose state does not
// decode return the decoding error, naming the device, and leave the
// state alone.
func TestOwnerBadState(t *testing.T) {
	ctx := context.Background()
	mem := NewMemoryStore()
	if _, err := mem.CompareAndSwap(ctx, "DEV1", 0, []byte{99, 1, 2}); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ServerConfig{Store: mem})
	if o, err := srv.Owner(ctx, "DEV1"); err == nil || o != "" || !strings.Contains(err.Error(), `"DEV1"`) || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("Owner of a bad state: %q, %v", o, err)
	}
	if err := srv.SetOwner(ctx, "DEV1", "alice"); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("SetOwner of a bad state: %v", err)
	}
	if b, _, _ := mem.Load(ctx, "DEV1"); !bytes.Equal(b, []byte{99, 1, 2}) {
		t.Errorf("bad state changed: %q", b)
	}
}

// TestSetOwnerSessionUnderWay: the device's handler binds it to bob (or
// unbinds it) while alice's session is under way, between the server's
// reply carrying a Get and the device's answer. Basic and MD5 accepted
// her with 212: the rest of her session runs as alice (AuthInput.
// Accepted), and the device is bob's after it, her next session
// refused. HMAC checks every message: her answer is refused ("may not
// speak for"). Unbound, the device is bound again to alice by the next
// message of her session, whatever the type.
func TestSetOwnerSessionUnderWay(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		for _, to := range []string{"bob", ""} {
			t.Run(authShort(typ)+"/to="+to, func(t *testing.T) {
				ctx := context.Background()
				p := newOwnerPeers(t, typ, 1)
				srv := p.srvs[0]
				acceptedAs(t, p, typ, "alice", "DEV-A", "1")
				if err := srv.Queue(ctx, "DEV-A", get("./Under/Way")); err != nil {
					t.Fatal(err)
				}
				var once sync.Once
				var mark int // the Exchanges recorded when the owner changed
				h := HandlerFunc(func(_ context.Context, r *Request) Response {
					once.Do(func() {
						if err := srv.SetOwner(ctx, "DEV-A", to); err != nil {
							t.Error(err)
						}
						p.mu.Lock()
						mark = len(p.exchanges)
						p.mu.Unlock()
					})
					var items []syncml.Item
					for _, it := range r.Command.ItemList() {
						items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text("v")})
					}
					return Response{Results: items}
				})
				c, err := NewClient(ClientConfig{DeviceID: "DEV-A", LocName: "alice", ServerURI: p.ts.URL, Handler: h,
					Credentials: &ClientAuth{Username: "alice", Password: "alice-pw", Type: typ}})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Run(ctx, p.ts.Client(), p.ts.URL, "2")
				xs := p.take()
				if mark == 0 || mark >= len(xs) {
					t.Fatalf("owner changed after %d of %d exchanges", mark, len(xs))
				}
				if !accepted(xs[:mark], "alice", "DEV-A") {
					t.Errorf("before the change: %+v", xs[:mark])
				}
				rest := xs[mark:]
				if typ == AuthHMAC && to != "" {
					if n, all := notOwnerRefusals(rest, "alice", "DEV-A"); err == nil || n == 0 || !all {
						t.Errorf("HMAC after the rebind: %d refusals for the owner, all refused %v, session error %v: %+v", n, all, err, rest)
					}
					ownerIs(t, srv, "DEV-A", "bob")
					return
				}
				if err != nil || !accepted(rest, "alice", "DEV-A") {
					t.Errorf("after the change: %v, %+v", err, rest)
				}
				if to == "" {
					ownerIs(t, srv, "DEV-A", "alice")
					return
				}
				ownerIs(t, srv, "DEV-A", "bob")
				refusedAsNotOwner(t, p, typ, "alice", "DEV-A", "3")
				acceptedAs(t, p, typ, "bob", "DEV-A", "4")
			})
		}
	}
}

// TestSessionSetOwner: on a bare Session, SetOwner binds the device
// before its first message (the Authenticator sees the owner in
// AuthInput.Owner, and a message of another user does not rebind it),
// Owner reads it, and the state saved and loaded keeps it; "" unbinds
// it, and the next user binds it again.
func TestSessionSetOwner(t *testing.T) {
	a := &userAuth{}
	s := NewSession(&Config{Authenticator: a})
	s.SetOwner("alice")
	handle(t, s, withLocName(devMsg("1", "1", alert1201), "bob"))
	if s.Owner() != "alice" || !slices.Equal(a.owners, []string{"alice"}) {
		t.Errorf("owner %q, AuthInput.Owner %q", s.Owner(), a.owners)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	loaded := NewSession(&Config{Authenticator: a})
	if err := loaded.UnmarshalBinary(b); err != nil || loaded.Owner() != "alice" {
		t.Errorf("saved and loaded: %q, %v", loaded.Owner(), err)
	}
	loaded.SetOwner("")
	handle(t, loaded, withLocName(devMsg("2", "1", alert1201), "bob"))
	if loaded.Owner() != "bob" || !slices.Equal(a.owners, []string{"alice", ""}) {
		t.Errorf("unbound: owner %q, AuthInput.Owner %q", loaded.Owner(), a.owners)
	}
}
