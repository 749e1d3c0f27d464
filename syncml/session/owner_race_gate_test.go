package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// gatedStore is a MemoryStore (through the Store interface) whose first
// CompareAndSwap waits until two Loads have happened: the first messages
// of two sessions are then both handled on the state before either is
// saved, and one save must conflict.
type gatedStore struct {
	*MemoryStore
	loads     atomic.Int32
	both      chan struct{}
	first     atomic.Bool
	conflicts atomic.Int32
}

func (g *gatedStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	b, v, err := g.MemoryStore.Load(ctx, device)
	if g.loads.Add(1) == 2 { // after the load: it saw the version before any save
		close(g.both)
	}
	return b, v, err
}

func (g *gatedStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if g.first.CompareAndSwap(false, true) {
		select {
		case <-g.both:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	v, err := g.MemoryStore.CompareAndSwap(ctx, device, old, state)
	if errors.Is(err, ErrConflict) {
		g.conflicts.Add(1)
	}
	return v, err
}

// TestOwnerRaceInterleaved is TestOwnerRace with the interleaving forced:
// alice's and bob's first messages to an unbound device, with valid
// credentials (the nonce its state holds), are both handled on its state
// (no owner) before either is saved. The save that loses
// runs its message again on the winner's state, where it is refused: one
// user is ever accepted, the owner the state keeps.
func TestOwnerRaceInterleaved(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			users := &MemoryUsers{}
			for u, pw := range ownerPasswords {
				users.Set(u, pw)
			}
			store := &gatedStore{MemoryStore: NewMemoryStore(), both: make(chan struct{})}
			var mu sync.Mutex
			var xs []ownerExchange
			var srvs []*Server
			for range 2 {
				srvs = append(srvs, NewServer(ServerConfig{Store: store, Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}},
					OnExchange: func(_ context.Context, x *Exchange) {
						mu.Lock()
						defer mu.Unlock()
						xs = append(xs, ownerExchange{id: x.Identity, refused: x.Refused})
					}}))
			}
			var next atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				srvs[int(next.Add(1)-1)%2].ServeHTTP(w, r)
			}))
			defer ts.Close()
			p := &ownerPeers{store: store.MemoryStore, ts: ts}
			// the device's state holds a nonce both users know: each first
			// message carries valid credentials (otherwise each refusal's
			// new nonce would refuse the other user's next message)
			nonce := []byte("shared-nonce")
			seed := NewSession(nil)
			seed.st.Nonce = nonce
			b, err := seed.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.MemoryStore.CompareAndSwap(context.Background(), "DEV-X", 0, b); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for i, user := range []string{"alice", "bob"} {
				wg.Go(func() {
					c, err := NewClient(ClientConfig{DeviceID: "DEV-X", LocName: user, ServerURI: ts.URL,
						Handler:     HandlerFunc(func(context.Context, *Request) Response { return Response{} }),
						Credentials: &ClientAuth{Username: user, Password: ownerPasswords[user], Type: typ, Nonce: nonce}})
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = c.Run(context.Background(), ts.Client(), ts.URL, string(rune('1'+i)))
				})
			}
			wg.Wait()
			acc := map[string]int{}
			notOwner := 0
			for _, x := range xs {
				if x.refused == nil {
					acc[x.id.User]++
				} else if strings.Contains(x.refused.Error(), "may not speak for") {
					notOwner++
				}
			}
			owner := p.stateOf(t, "DEV-X").st.Owner
			t.Logf("accepted %v, refused as not the owner %d, owner %q, conflicts %d, %d exchanges", acc, notOwner, owner, store.conflicts.Load(), len(xs))
			if store.conflicts.Load() == 0 {
				t.Fatal("no save conflicted: the race was not run")
			}
			if len(acc) != 1 || acc[owner] == 0 {
				t.Fatalf("accepted %v, owner %q", acc, owner)
			}
		})
	}
}
