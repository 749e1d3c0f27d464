package session

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// conflictOnceStore is a segTestStore whose next save of a device's state,
// once armed, finds it changed (another instance saved it first, the
// same bytes): the Server handles the message again.
type conflictOnceStore struct {
	*segTestStore
	armed atomic.Bool
}

func (s *conflictOnceStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if !reserved(device) && s.armed.CompareAndSwap(true, false) {
		raw, ver, _ := s.segTestStore.Load(ctx, device)
		if _, err := s.segTestStore.CompareAndSwap(ctx, device, ver, raw); err != nil {
			return 0, err
		}
	}
	return s.segTestStore.CompareAndSwap(ctx, device, old, state)
}

// statusOf returns the code of the Status answering CmdRef ref in raw.
func statusOf(t *testing.T, raw []byte, ref string) string {
	t.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Body.Commands {
		if st, ok := c.(*syncml.Status); ok && st.CmdRef == ref && st.Data != nil {
			return st.Data.Value
		}
	}
	return ""
}

// TestServerObjectEndsAndNextStartsConflict: one message ends an object
// kept in segments and starts the next one with a chunk of a segment or
// more; the state's save finds it changed (another instance, a Queue),
// and the message is handled again: the first object is joined whole
// (its segments were not replaced before the state that ends it was
// saved).
func TestServerObjectEndsAndNextStartsConflict(t *testing.T) {
	st := &conflictOnceStore{segTestStore: newSegTestStore()}
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	bodies, whole := segObject(200<<10, 70<<10)
	n := len(bodies)
	if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:n-1]); code != "213" {
		t.Fatalf("answered %s", code)
	}
	next := replaceChunk("90", "./Big", "140000", strings.Repeat("z", 70<<10), true)
	st.armed.Store(true)
	raw := postRaw(t, s, deviceMessage("DEV1", n, bodies[n-1]+next, false))
	if code := statusOf(t, raw, strconv.Itoa(n+1)); code != "200" {
		t.Errorf("last chunk of the first object answered %q, want 200", code)
	}
	// the Handler runs again for the message handled again
	for i, got := range h.got {
		if got != whole {
			t.Errorf("object %d served of %d bytes, want the first one whole", i, len(got))
		}
	}
	if len(h.got) == 0 {
		t.Fatal("the first object not served")
	}
	// the next object goes on, and is joined whole
	served := len(h.got)
	rest := strings.Repeat("y", 140000-70<<10)
	raw = postRaw(t, s, deviceMessage("DEV1", n+1, replaceChunk("2", "./Big", "", rest, false), true))
	if code := replaceCode(t, raw); code != "200" {
		t.Fatalf("last chunk of the next object answered %s", code)
	}
	if len(h.got) != served+1 || h.got[served] != strings.Repeat("z", 70<<10)+rest {
		t.Errorf("next object not served whole")
	}
}
