package session

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml/syncmltest"
)

// retiredFull returns a MemoryStore with maxRetired references retired,
// each named by three stored forms, and maxRefs active, each named by
// three but the one returned (named by none: the next victim), a
// replacement due at every store.
func retiredFull(t testing.TB) (*MemoryStore, []byte) {
	t.Helper()
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 1
	swap := func(dev string, st []byte) {
		t.Helper()
		_, v, _ := s.Load(ctx, dev)
		if _, err := s.CompareAndSwap(ctx, dev, v, st); err != nil {
			t.Fatal(err)
		}
	}
	var refs [][]byte
	for k := range maxRefs + maxRetired {
		ref := randBytes(uint64(500+k), 1000)
		refs = append(refs, ref)
		for j := range 3 {
			swap(fmt.Sprint("N", k, "-", j), likeState(ref, j))
		}
	}
	if s.refs.retired != maxRetired || s.refs.replaced != maxRetired {
		t.Fatalf("%d retired, %d replaced; want %d", s.refs.retired, s.refs.replaced, maxRetired)
	}
	// the oldest active one named by none
	victim := refs[maxRetired]
	for j := range 3 {
		swap(fmt.Sprint("N", maxRetired, "-", j), nil)
	}
	if err := checkRefCounts(s); err != nil {
		t.Fatal(err)
	}
	return s, victim
}

// likeState returns a copy of b with a mark of j at its middle.
func likeState(b []byte, j int) []byte {
	st := bytes.Clone(b)
	copy(st[len(st)/2:], fmt.Sprintf("<%d>", j))
	return st
}

// TestMemoryRefsRetiredBoundRace: with maxRetired references retired, a
// replacement is allowed only when the active reference it takes the
// place of is named by no stored form (it is then freed, not retired).
// That is checked before the new reference is made, the table's lock
// released while it is made; a device storing a difference from that
// very reference meanwhile (in the test hook making) must not leave it
// retired, one over the bound: all refSlots slots are then held, and the
// next reference made takes slot 0, whose marker means a state kept as it
// is, so that a state stored as a difference from it loads as the bytes
// of its difference. (Without the hook, two goroutines, one storing such
// a difference and then no state over and over, made 36 of 156
// replacements retire one over the bound.)
func TestMemoryRefsRetiredBoundRace(t *testing.T) {
	ctx := context.Background()
	s, victim := retiredFull(t)
	s.refs.making = func() {
		s.refs.making = nil
		if _, err := s.CompareAndSwap(ctx, "Y", 0, likeState(victim, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// a state unlike every reference: it takes the victim's place
	x := randBytes(9000, 2000)
	if _, err := s.CompareAndSwap(ctx, "X", 0, x); err != nil {
		t.Fatal(err)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	// the new reference named by two (see replaceStale), the oldest active
	// one by none, then another state unlike every reference
	if _, err := s.CompareAndSwap(ctx, "X2", 0, likeState(x, 2)); err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("N", maxRetired+1, "-", j), 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	z := randBytes(9001, 2000)
	v, err := s.CompareAndSwap(ctx, "Z", 0, z)
	if err != nil {
		t.Fatal(err)
	}
	if st, lv, err := s.Load(ctx, "Z"); err != nil || lv != v || !bytes.Equal(st, z) {
		t.Errorf("load Z = %d bytes, version %d, %v; want %d bytes, version %d", len(st), lv, err, len(z), v)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
}

// TestMemoryRefsRetiredPinned: a fleet's states change shape over and
// over (an operator queues one document after another, each a third of
// the state), a device left
// behind at each shape (one that never checks in again: decommissioned,
// or a device that means to pin references). Each shape's first state
// replaces a reference, the one of the shape before last being retired,
// named by the device left behind; once maxRetired are so named, no
// active reference is named by none, and no reference is replaced again:
// the fleet's later shapes must still be kept as small differences. The
// scan for the states naming a retired reference is made in one call, or
// a few entries a call (chunk 7: a dozen stores).
func TestMemoryRefsRetiredPinned(t *testing.T) {
	for _, chunk := range []uint32{0, 7} {
		t.Run(fmt.Sprint("chunk", chunk), func(t *testing.T) { retiredPinned(t, chunk) })
	}
}

func retiredPinned(t *testing.T, chunk uint32) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every, s.refs.chunk = 16, chunk
	const fleet, shapes = 60, 16
	base := randBytes(600, 2500)
	ver := map[string]uint64{}
	swap := func(dev string, st []byte) {
		t.Helper()
		v, err := s.CompareAndSwap(ctx, dev, ver[dev], st)
		if err != nil {
			t.Fatal(err)
		}
		ver[dev] = v
	}
	perDevice := 0
	for k := range shapes {
		// a new document queued in place of the last one
		shape := cat(randBytes(uint64(700+k), 1500), base)
		swap(fmt.Sprint("LEFT", k), likeState(shape, -1))
		n := 0
		for i := range fleet {
			dev := fmt.Sprint("D", i)
			swap(dev, likeState(shape, i))
			n += len(storedOf(s, dev))
		}
		perDevice = n / fleet
		t.Logf("shape %d (%d bytes): %d stored bytes a device; %d replaced, %d retired", k, len(shape), perDevice, s.refs.replaced, s.refs.retired)
	}
	if perDevice > 100 {
		t.Errorf("the last shape: %d stored bytes a device; want a small difference", perDevice)
	}
	if s.refs.unpinned == 0 {
		t.Error("no reference unpinned")
	}
	// the devices left behind read back their states, under the versions
	// they stored them with
	for k := range shapes {
		dev := fmt.Sprint("LEFT", k)
		want := likeState(cat(randBytes(uint64(700+k), 1500), base), -1)
		if st, v, err := s.Load(ctx, dev); err != nil || v != ver[dev] || !bytes.Equal(st, want) {
			t.Errorf("%s: load = %d bytes, version %d, %v; want %d bytes, version %d", dev, len(st), v, err, len(want), ver[dev])
		}
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
}

// TestMemoryRefsStoresWrap: a reference may be replaced whenever
// replaceEvery stores have been made since the last replacement or
// refusal, however many more: a server's fleet whose states are all
// close differences for 2^31 stores (some months of a large fleet's
// check-ins: no replacement tried) still replaces one when its states
// change shape.
func TestMemoryRefsStoresWrap(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	for k := range maxRefs {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("R", k), 0, randBytes(uint64(800+k), 1000)); err != nil {
			t.Fatal(err)
		}
	}
	// 2^31 stores of close differences, counted
	s.refs.stores.Add(1 << 31)
	u := randBytes(900, 1000)
	if _, err := s.CompareAndSwap(ctx, "U", 0, u); err != nil {
		t.Fatal(err)
	}
	if s.refs.replaced != 1 {
		t.Errorf("a state unlike every reference, 2^31 stores after the last replacement tried: %d replacements; want 1", s.refs.replaced)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
}

// TestMemoryRefsServerLargeStates: check-ins at once through a Server
// whose MemoryStore replaces a reference whenever due (at every store),
// the messages of half the devices with Items of LocURIs of their own
// (replies and states of 8 to 20 KB: over the pool's buffers, so that the
// one buffer of an exchange grows while the reply, the state and the
// stored form are in it; states over refMaxState are never references):
// a message sent again gets the same bytes, the state kept holds the
// reply, the replies an OnExchange hook kept never change, and the
// counts recount. Under -race.
func TestMemoryRefsServerLargeStates(t *testing.T) {
	s := NewMemoryStore()
	s.refs.every = 1
	type seen struct{ raw, copy []byte }
	var mu sync.Mutex
	var hooked []seen
	srv := NewServer(ServerConfig{Store: s, OnExchange: func(_ context.Context, x *Exchange) {
		mu.Lock()
		hooked = append(hooked, seen{x.Raw, bytes.Clone(x.Raw)})
		mu.Unlock()
	}})
	const workers, devices = 4, 24
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	var large atomic.Int32
	for w := range workers {
		wg.Go(func() {
			for i := range devices {
				id := dmID(1000 + w*devices + i)
				msg := syncmltest.WindowsCheckIn(id, fmt.Sprint(i+1))
				if i%2 == 0 {
					var items strings.Builder
					for j := range 20 + 5*(i%6) {
						fmt.Fprintf(&items, `<Item><Source><LocURI>./Vendor/MSFT/%x</LocURI></Source><Data>%d</Data></Item>`, randBytes(uint64(w*100000+i*100+j), 100), j)
					}
					msg = bytes.Replace(msg, []byte("</Replace>"), []byte(items.String()+"</Replace>"), 1)
				}
				first := postOK(t, srv, msg)
				again := postOK(t, srv, msg)
				if len(first) == 0 || !bytes.Equal(first, again) {
					errs <- fmt.Errorf("%s: replay of %d bytes, first %d", id, len(again), len(first))
					return
				}
				st, _, err := s.Load(context.Background(), id)
				if err != nil || !bytes.Contains(st, first) {
					errs <- fmt.Errorf("%s: the reply is not in the state kept (%v)", id, err)
					return
				}
				if len(st) > 8<<10 {
					large.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, h := range hooked {
		if !bytes.Equal(h.raw, h.copy) {
			t.Fatalf("exchange %d: Raw changed since the hook", i)
		}
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	t.Logf("%d replacements, %d states over 8 KB", s.refs.replaced, large.Load())
	if s.refs.replaced < 2 || large.Load() < workers*devices/4 {
		t.Errorf("%d replacements, %d states over 8 KB; want more", s.refs.replaced, large.Load())
	}
}

// TestMemoryRefsCountsAtEveryMoment: writers store states of shapes
// that change as they go (so that references are replaced, retired and
// freed, one due at every store), each of 24 devices of its own (which
// leave retired references named: unpin frees them), while
// a checker recounts the slots' counts from the entries under the
// table's lock, over and over, and readers hold what LoadShared returned:
// the counts recount at every moment, no more than maxRetired are
// retired, no named slot is free, each writer's loads return its last
// state, and the states held never change. Under -race.
func TestMemoryRefsCountsAtEveryMoment(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 1
	shapes := make([][]byte, 24)
	for k := range shapes {
		shapes[k] = randBytes(uint64(300+k), 600+200*(k%5))
	}
	const writers, devs, rounds = 6, 24, 600
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	stop := make(chan struct{})
	var cg sync.WaitGroup
	checks := 0
	cg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := checkRefCounts(s); err != nil {
				errs <- err
				return
			}
			checks++
		}
	})
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 5))
			ver := map[string]uint64{}
			type held struct{ b, want []byte }
			var hold []held
			for n := range rounds {
				dev := fmt.Sprintf("W%d-%d", w, r.IntN(devs))
				var state []byte
				if r.IntN(8) > 0 {
					// this writer's shapes of the moment; a device left
					// behind now and then pins one
					state = bytes.Clone(shapes[(n/30+w+r.IntN(2))%len(shapes)])
					copy(state[r.IntN(len(state)-30):], fmt.Sprintf("%s/%d", dev, n))
				}
				v, err := s.CompareAndSwap(ctx, dev, ver[dev], state)
				if err != nil {
					errs <- err
					return
				}
				ver[dev] = v
				st, lv, err := s.LoadShared(ctx, dev)
				if err != nil || lv != v || !bytes.Equal(st, state) {
					errs <- fmt.Errorf("%s: load = %d bytes, version %d, %v; want %d bytes, version %d", dev, len(st), lv, err, len(state), v)
					return
				}
				if n%7 == 0 && len(st) > 0 {
					hold = append(hold, held{st, bytes.Clone(st)})
				}
			}
			for i, h := range hold {
				if !bytes.Equal(h.b, h.want) {
					errs <- fmt.Errorf("writer %d: state %d LoadShared returned changed", w, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	cg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	t.Logf("%d replacements, %d unpinned, %d recounts", s.refs.replaced, s.refs.unpinned, checks)
	if s.refs.replaced < 8 || s.refs.unpinned < 10 {
		t.Errorf("%d replacements, %d unpinned; want more", s.refs.replaced, s.refs.unpinned)
	}
}

// BenchmarkMemoryRefsChurn: a stream of states on 1,000 devices, each
// state unlike every other (random: unlike/*), or a reference's with a
// random block of 15% of it (a poor difference, just over 1/refPoor:
// poor/*), with the default rate limit; gen/* makes the states alone.
// Metrics: replacements a 100,000 stores, and references held at the
// end.
func BenchmarkMemoryRefsChurn(b *testing.B) {
	ctx := context.Background()
	const devices = 1000
	fill := func(st []byte, seed uint64) {
		x := seed*0x9E3779B97F4A7C15 | 1
		for i := 0; i+8 <= len(st); i += 8 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			binary.LittleEndian.PutUint64(st[i:], x)
		}
	}
	for _, size := range []int{2 << 10, refMaxState} {
		bases := make([][]byte, maxRefs)
		for k := range bases {
			bases[k] = randBytes(uint64(7000+k), size)
		}
		for _, kind := range []string{"gen", "unlike", "poor"} {
			b.Run(fmt.Sprintf("%s/%d", kind, size), func(b *testing.B) {
				s := NewMemoryStore()
				for k, st := range bases {
					if _, err := s.CompareAndSwap(ctx, fmt.Sprint("B", k), 0, st); err != nil {
						b.Fatal(err)
					}
				}
				ids := make([]string, devices)
				for i := range ids {
					ids[i] = dmID(i)
				}
				ver := make([]uint64, devices)
				st := make([]byte, size)
				block := size * 15 / 100 &^ 7
				n := 0
				for b.Loop() {
					seed := uint64(n) + 1
					if kind == "poor" {
						copy(st, bases[n%maxRefs])
						off := int(seed*0x9E3779B97F4A7C15>>40) % (size - block) &^ 7
						fill(st[off:off+block], seed)
					} else {
						fill(st, seed)
					}
					if kind != "gen" {
						v, err := s.CompareAndSwap(ctx, ids[n%devices], ver[n%devices], st)
						if err != nil {
							b.Fatal(err)
						}
						ver[n%devices] = v
					}
					n++
				}
				held := 0
				for _, r := range s.refs.slots {
					if r != nil {
						held++
					}
				}
				b.ReportMetric(float64(s.refs.replaced)*1e5/float64(n), "repl/100k")
				b.ReportMetric(float64(held), "refs")
			})
		}
	}
}

// TestMemoryRefsUnpinChunked: unpin looks at no more than chunk entries a
// store, so that mu is not held for the scan of a large table; with the
// states naming the retired reference behind a thousand others, the
// reference is freed after ten stores or so, and every state reads back.
func TestMemoryRefsUnpinChunked(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every, s.refs.chunk = 1, 100
	want := map[string][]byte{}
	swap := func(dev string, st []byte) {
		t.Helper()
		_, v, _ := s.Load(ctx, dev)
		if _, err := s.CompareAndSwap(ctx, dev, v, st); err != nil {
			t.Fatal(err)
		}
		want[dev] = st
	}
	// first, devices whose short states name no reference
	for i := range 1000 {
		swap(fmt.Sprint("F", i), []byte("short"))
	}
	// then maxRetired references retired, and maxRefs active, each named
	// by three states
	for k := range maxRefs + maxRetired {
		ref := randBytes(uint64(500+k), 1000)
		for j := range 3 {
			swap(fmt.Sprint("N", k, "-", j), likeState(ref, j))
		}
	}
	if s.refs.retired != maxRetired {
		t.Fatalf("%d retired; want %d", s.refs.retired, maxRetired)
	}
	// a state like none: its replacement refused, unpin starts
	swap("X", randBytes(9999, 1000))
	if s.refs.unpinning == nil {
		t.Fatalf("no unpin started (stuck %v)", s.refs.stuck)
	}
	stores := 1
	for s.refs.unpinning != nil {
		at := s.refs.unpinAt
		swap("F0", []byte(fmt.Sprint("short", stores)))
		if s.refs.unpinning != nil && s.refs.unpinAt-at > s.refs.chunk {
			t.Fatalf("store %d: %d entries looked at; at most %d", stores, s.refs.unpinAt-at, s.refs.chunk)
		}
		if stores++; stores > 100 {
			t.Fatal("unpin goes on after 100 stores")
		}
	}
	if s.refs.unpinned != 1 || s.refs.retired != maxRetired-1 || stores < 10 {
		t.Errorf("%d unpinned, %d retired after %d stores; want 1, %d, after 10 at least", s.refs.unpinned, s.refs.retired, stores, maxRetired-1)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	for dev, st := range want {
		if got, _, err := s.Load(ctx, dev); err != nil || !bytes.Equal(got, st) {
			t.Fatalf("%s: %d bytes, %v; want %d", dev, len(got), err, len(st))
		}
	}
}
