package session

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// getsIn returns the number of Get commands in the reply raw.
func getsIn(t *testing.T, raw []byte) int {
	t.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range m.Body.Commands {
		if _, ok := c.(*syncml.Get); ok {
			n++
		}
	}
	return n
}

// TestServerForget: after Forget, a device that was sending an object in
// chunks, had a Get queued and an owner has none of them: its state is
// empty, its segment records are emptied, its next session gets no Get
// and it is bound to no one.
func TestServerForget(t *testing.T) {
	ctx := context.Background()
	st := newSegTestStore()
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	bodies, _ := segObject(1<<20, 4<<10)
	sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:40]) // 160 KiB of 1 MiB
	if _, full := st.segments("DEV1"); full == 0 {
		t.Fatal("no segment records of the object in flight: the test sets nothing up")
	}
	if err := s.Queue(ctx, "DEV1", get("./a")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOwner(ctx, "DEV1", "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, "DEV1"); err != nil {
		t.Fatal(err)
	}
	if raw, _, err := st.Load(ctx, "DEV1"); err != nil || len(raw) != 0 {
		t.Errorf("state of %d bytes (%v) after Forget, want none", len(raw), err)
	}
	if names, full := st.segments("DEV1"); full != 0 {
		t.Errorf("%d of %d segment records not emptied", full, names)
	}
	if o, err := s.Owner(ctx, "DEV1"); err != nil || o != "" {
		t.Errorf("owner %q (%v) after Forget, want none", o, err)
	}
	if n := getsIn(t, postRaw(t, s, deviceMessage("DEV1", 1, alert1201, true))); n != 0 {
		t.Errorf("the next session got %d Gets, want none: the queue was forgotten", n)
	}
}

// TestServerForgetNothing: Forget of a device with no state makes no
// record of it; the name of one of the Server's own records is refused;
// a cancelled context stops it.
func TestServerForgetNothing(t *testing.T) {
	ctx := context.Background()
	st := newSegTestStore()
	s := NewServer(ServerConfig{Store: st})
	if err := s.Forget(ctx, "DEV2"); err != nil {
		t.Fatal(err)
	}
	st.copyStore.mu.Lock()
	n := len(st.states)
	st.copyStore.mu.Unlock()
	if n != 0 {
		t.Errorf("%d records after forgetting a device never seen, want none", n)
	}
	if err := s.Forget(ctx, FirstNonceKeyDevice); !errors.Is(err, syncml.ErrInvalid) {
		t.Errorf("Forget(FirstNonceKeyDevice) = %v, want an error matching syncml.ErrInvalid", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Forget(cctx, "DEV2"); !errors.Is(err, context.Canceled) {
		t.Errorf("Forget with a cancelled context = %v, want context.Canceled", err)
	}
}
