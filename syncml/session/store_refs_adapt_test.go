package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// checkRefCounts checks s's slots against its entries, recounted: every
// entry's ref is the first byte of its stored form when a difference (0
// otherwise), a stored form names a slot that holds a reference of its
// marker, each slot's count is the number of stored forms naming it,
// every active reference is in its slot, and a slot held but not active
// (retired) is named by a stored form, of at most maxRetired.
func checkRefCounts(s *MemoryStore) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := &s.refs
	var counts [256]uint32
	for i := range s.n {
		e := s.at(uint32(i))
		form := s.bytesOf(e)[e.keyLen:]
		m := byte(0)
		if len(form) > 0 {
			m = form[0]
		}
		if e.ref != m {
			return fmt.Errorf("entry %d: ref %d, stored form of marker %d", i, e.ref, m)
		}
		if m == 0 {
			continue
		}
		if r := rs.slot(m); r == nil || r.marker != m {
			return fmt.Errorf("entry %d: a difference from slot %d, which is free", i, m)
		}
		counts[m]++
	}
	if [255]uint32(counts[1:]) != [255]uint32(rs.counts[1:]) {
		return fmt.Errorf("counts %v; recounted %v", rs.counts[1:refSlots+1], counts[1:refSlots+1])
	}
	active := map[*memRef]bool{}
	for _, r := range rs.refs() {
		if rs.slot(r.marker) != r || !r.active {
			return fmt.Errorf("active reference of marker %d not in its slot (active %v)", r.marker, r.active)
		}
		active[r] = true
	}
	retired := 0
	for k, r := range rs.slots {
		switch {
		case r == nil:
		case k == 0 || k > refSlots:
			return fmt.Errorf("slot %d, of no marker used, holds a reference", k)
		case r.marker != byte(k):
			return fmt.Errorf("slot %d holds a reference of marker %d", k, r.marker)
		case active[r] != r.active:
			return fmt.Errorf("slot %d: active %v, in the list %v", k, r.active, active[r])
		case !r.active:
			retired++
			if counts[k] == 0 {
				return fmt.Errorf("slot %d retired, named by no stored form, not freed", k)
			}
		}
	}
	if retired != rs.retired || retired > maxRetired {
		return fmt.Errorf("%d retired, %d counted; at most %d", retired, rs.retired, maxRetired)
	}
	return nil
}

// replaceOp is one call of TestMemoryRefsReplaceProperty: device Dev
// gets the state Op makes (stateOp), or no state (Empty), from its
// version or (Stale) another.
type replaceOp struct {
	Dev          int
	Op           stateOp
	Empty, Stale bool
}

// replaceCounts counts, over TestMemoryRefsReplaceProperty, the
// replacements, the references freed and the states stored as
// differences, so that it fails when it makes too few.
var replaceCounts struct{ replaced, freed, retired, diffs int }

// TestMemoryRefsReplaceProperty: any sequence of states on a few
// devices, random, made from earlier ones or empty, conflicts among them,
// with a replacement due at every store (the new reference being a
// difference of another state or 4 stores old): every Load and LoadShared
// returns exactly the last state stored and its version, the states
// LoadShared returned stay as they were, the slots' counts are the stored
// forms naming them (recounted from the entries after every call), a
// freed slot is never one a stored form names, and the references never
// change.
func TestMemoryRefsReplaceProperty(t *testing.T) {
	replaceCounts = struct{ replaced, freed, retired, diffs int }{}
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 60
	properties := gopter.NewProperties(params)
	opGen := gen.Struct(reflect.TypeOf(replaceOp{}), map[string]gopter.Gen{
		"Dev":   gen.IntRange(0, 15),
		"Op":    stateOpGen,
		"Empty": gen.Weighted([]gen.WeightedGen{{Weight: 12, Gen: gen.Const(false)}, {Weight: 1, Gen: gen.Const(true)}}),
		"Stale": gen.Weighted([]gen.WeightedGen{{Weight: 19, Gen: gen.Const(false)}, {Weight: 1, Gen: gen.Const(true)}}),
	})
	properties.Property("states read back; counts recount; no named slot freed", prop.ForAll(
		func(ops []replaceOp) string {
			ctx := context.Background()
			s := NewMemoryStore()
			s.refs.every = 1
			var snaps map[*memRef]refSnap
			var states [][]byte
			ver := map[string]uint64{}
			last := map[string][]byte{}
			type held struct{ b, want []byte }
			var hold []held
			var inSlots map[*memRef]bool // the references in slots after the last op
			for n, op := range ops {
				dev := fmt.Sprint("D", op.Dev)
				var state []byte
				if !op.Empty {
					state = makeState(states, op.Op)
					states = append(states, state)
				}
				old := ver[dev]
				if op.Stale {
					old += 1 + uint64(n)
				}
				v, kept, _, err := s.compareAndSwapKept(ctx, dev, old, state, nil, false)
				switch {
				case op.Stale:
					if !errors.Is(err, ErrConflict) {
						return fmt.Sprintf("op %d: stale swap: %v", n, err)
					}
				case err != nil:
					return fmt.Sprintf("op %d: %v", n, err)
				default:
					ver[dev], last[dev] = v, state
					if err := checkKept(s, dev, state, kept); err != nil {
						return fmt.Sprintf("op %d: %v", n, err)
					}
					if kept == nil && len(state) > 0 {
						replaceCounts.diffs++
					}
				}
				if err := checkRefCounts(s); err != nil {
					return fmt.Sprintf("op %d: %v", n, err)
				}
				var err2 error
				if snaps, err2 = checkRefs(&s.refs, snaps); err2 != nil {
					return fmt.Sprintf("op %d: %v", n, err2)
				}
				for d, want := range last {
					for _, load := range []func(context.Context, string) ([]byte, uint64, error){s.Load, s.LoadShared} {
						st, lv, err := load(ctx, d)
						if err != nil || lv != ver[d] || !bytes.Equal(st, want) {
							return fmt.Sprintf("op %d: load %s = %d bytes, version %d, %v; want %d bytes, version %d", n, d, len(st), lv, err, len(want), ver[d])
						}
					}
				}
				if st, _, _ := s.LoadShared(ctx, dev); n%3 == 0 && len(st) > 0 {
					hold = append(hold, held{st, bytes.Clone(st)})
				}
				now := map[*memRef]bool{}
				for _, r := range s.refs.slots {
					if r != nil {
						now[r] = true
					}
				}
				for r := range inSlots {
					if !now[r] {
						replaceCounts.freed++
					}
				}
				inSlots = now
				if s.refs.retired > 0 {
					replaceCounts.retired++
				}
			}
			for i, h := range hold {
				if !bytes.Equal(h.b, h.want) {
					return fmt.Sprintf("state %d LoadShared returned changed", i)
				}
			}
			replaceCounts.replaced += s.refs.replaced
			return ""
		},
		gen.SliceOfN(80, opGen),
	))
	properties.TestingRun(t)
	c := replaceCounts
	t.Logf("%d replacements, %d slots freed, %d stores leaving references retired, %d states stored as differences", c.replaced, c.freed, c.retired, c.diffs)
	if c.replaced < 150 || c.freed < 100 || c.retired < 200 || c.diffs < 1000 {
		t.Errorf("%d replacements, %d slots freed, %d stores leaving references retired, %d differences: too few", c.replaced, c.freed, c.retired, c.diffs)
	}
}

// TestMemoryRefsReplaceRateLimited: states unlike each other and every
// reference, one after another, replace a reference at most once every
// replaceEvery stores (every, here), and not again while the last one
// made is a difference of no other state, but for replaceStale times as
// many stores; with maxRetired references retired (each named by a
// stored form), a refusal makes the states naming the one fewest name
// (at most unpinMost) states kept as they are, freeing it, so that the
// next replacement due is made: never more than maxRetired retired.
func TestMemoryRefsReplaceRateLimited(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 10
	for k := range maxRefs {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("R", k), 0, randBytes(uint64(k), 1000)); err != nil {
			t.Fatal(err)
		}
	}
	// the first due at once; the next ones wait for the new reference to
	// be used, or to be replaceStale*every stores old
	const stores = 600
	for i := range stores {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("U", i), 0, randBytes(uint64(1000+i), 1000)); err != nil {
			t.Fatal(err)
		}
	}
	if got, most := s.refs.replaced, 1+stores/(replaceStale*10); got < 2 || got > most {
		t.Errorf("%d unlike states: %d replacements; want 2 to %d", stores, got, most)
	}
	// groups of ten alike states, each unlike the others: a group's
	// first state replaces a reference when due (25 stores after the last
	// replacement: every third group), the next ones are differences from
	// it; once maxRetired are retired (the states of R and U devices name
	// them), a refusal (every 25 stores) frees one, whose states are then
	// kept as they are, and the next due (25 stores on) is made
	s = NewMemoryStore()
	s.refs.every = 25
	for k := range maxRefs {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("R", k), 0, randBytes(uint64(k), 1000)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range stores {
		st := randBytes(uint64(2000+i/10), 1000)
		st[i%1000] ^= 1
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("U", i), 0, st); err != nil {
			t.Fatal(err)
		}
		if err := checkRefCounts(s); err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		if i == 99 && s.refs.replaced != 4 {
			t.Errorf("groups of ten, a replacement due every 25 stores: %d replacements in 100 stores; want 4", s.refs.replaced)
		}
	}
	if got, most := s.refs.replaced, stores/25; got <= maxRetired || got > most || s.refs.retired != maxRetired {
		t.Errorf("alike states: %d replacements, %d retired; want %d to %d, %d", got, s.refs.retired, maxRetired+1, most, maxRetired)
	}
	for i := range stores {
		st := randBytes(uint64(2000+i/10), 1000)
		st[i%1000] ^= 1
		if got, v, err := s.Load(ctx, fmt.Sprint("U", i)); err != nil || v != 1 || !bytes.Equal(got, st) {
			t.Fatalf("U%d: load = %d bytes, version %d, %v", i, len(got), v, err)
		}
	}
}

// TestMemoryRefsDrift: the first states after a start are unusual (four
// devices mid-operation, states unlike each other: they take the four
// references), then the fleet's devices check in (shape A), then an
// operator queues a new document for every device and they check in
// again (shape B). A's and B's states end as small differences, each
// shape's first one having replaced a reference (with the references
// kept for good, A's and B's states are kept as they are: 2.7 KB and more
// a device).
func TestMemoryRefsDrift(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	srv := dmServer(s)
	for k := range maxRefs {
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("MID", k), 0, randBytes(uint64(60+k), 3000)); err != nil {
			t.Fatal(err)
		}
	}
	const devices = 300
	perDevice := func() int {
		n := 0
		for i := range devices {
			n += len(storedOf(s, dmID(i)))
		}
		return n / devices
	}
	for i := range devices {
		postOK(t, srv, syncmltest.WindowsCheckIn(dmID(i), fmt.Sprint(i+1)))
	}
	a := perDevice()
	doc := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/Document"}, Data: syncml.Text(strings.Repeat("<setting name='x'>value</setting>", 60))}}}
	for i := range devices {
		if err := srv.Queue(ctx, dmID(i), doc); err != nil {
			t.Fatal(err)
		}
	}
	queued := perDevice()
	for i := range devices {
		postOK(t, srv, syncmltest.WindowsCheckIn(dmID(i), fmt.Sprint(devices+i+1)))
	}
	b := perDevice()
	st, _, _ := s.Load(ctx, dmID(7))
	t.Logf("stored bytes a device: %d of shape A, %d with the document queued, %d of shape B (%d bytes); %d replacements", a, queued, b, len(st), s.refs.replaced)
	for _, c := range []struct {
		name string
		n    int
	}{{"A", a}, {"queued", queued}, {"B", b}} {
		if c.n > 300 {
			t.Errorf("shape %s: %d bytes a device; want differences of under 300", c.name, c.n)
		}
	}
	if err := checkRefCounts(s); err != nil {
		t.Fatal(err)
	}
}

// TestMemoryRefsReplaceConcurrent: under -race, writers store states of
// shapes that change as they go (so that references are replaced, one
// due at every store), empty states among them (a device's state
// dropped), while readers load any device: every load returns a state
// stored with the version it returns, every writer's device its last
// state; the counts recount at the end.
func TestMemoryRefsReplaceConcurrent(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 1
	shapes := make([][]byte, 12)
	for k := range shapes {
		shapes[k] = randBytes(uint64(70+k), 800+300*k)
	}
	const writers, readers, devs, rounds = 3, 2, 8, 400
	var written sync.Map // "dev/version" -> state
	stop := make(chan struct{})
	errs := make(chan error, writers+readers)
	var wg, rg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 3))
			ver := map[string]uint64{}
			last := map[string][]byte{}
			for n := range rounds {
				dev := fmt.Sprintf("W%d-%d", w, r.IntN(devs))
				var state []byte
				if r.IntN(10) > 0 {
					// the shapes of the moment: they move on as rounds go
					state = bytes.Clone(shapes[(n/40+r.IntN(3))%len(shapes)])
					copy(state[r.IntN(len(state)-30):], fmt.Sprintf("%s/%d", dev, n))
				}
				v, err := s.CompareAndSwap(ctx, dev, ver[dev], state)
				if err != nil {
					errs <- err
					return
				}
				written.Store(fmt.Sprint(dev, "/", v), state)
				ver[dev], last[dev] = v, state
				if st, lv, err := s.LoadShared(ctx, dev); err != nil || lv != v || !bytes.Equal(st, state) {
					errs <- fmt.Errorf("%s: load = %d bytes, version %d, %v; want %d bytes, version %d", dev, len(st), lv, err, len(state), v)
					return
				}
			}
			for dev, want := range last {
				if st, v, err := s.Load(ctx, dev); err != nil || v != ver[dev] || !bytes.Equal(st, want) {
					errs <- fmt.Errorf("%s at the end: %d bytes, version %d, %v", dev, len(st), v, err)
					return
				}
			}
		})
	}
	for g := range readers {
		rg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 4))
			for {
				select {
				case <-stop:
					return
				default:
				}
				dev := fmt.Sprintf("W%d-%d", r.IntN(writers), r.IntN(devs))
				st, v, err := s.Load(ctx, dev)
				if err != nil {
					errs <- err
					return
				}
				if v == 0 {
					continue
				}
				// stored before the load, so written before it returns
				// but for a race with the writer's Store: wait for it
				var want any
				for ok := false; !ok; {
					want, ok = written.Load(fmt.Sprint(dev, "/", v))
				}
				if !bytes.Equal(st, want.([]byte)) {
					errs <- fmt.Errorf("%s version %d: loaded %d bytes, %d stored", dev, v, len(st), len(want.([]byte)))
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	t.Logf("%d replacements", s.refs.replaced)
	// as many as the goroutines' order makes (8 to 30 seen): some
	if s.refs.replaced < 4 {
		t.Errorf("%d replacements; want more", s.refs.replaced)
	}
}

// TestMemoryRefsReplacedMeanwhile: a difference made from a reference
// that is replaced and freed before the difference is stored (its slot
// then holding another reference) is not stored: the state is, as it
// is, and loads back exactly; a difference from a reference retired
// meanwhile, but still held, is stored as it was made. (The references
// are replaced in the test hook compareAndSwapKept calls between the
// two.)
func TestMemoryRefsReplacedMeanwhile(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	s.refs.every = 1
	refs := make([][]byte, maxRefs)
	for k := range refs {
		refs[k] = randBytes(uint64(80+k), 1500)
		if _, err := s.CompareAndSwap(ctx, fmt.Sprint("R", k), 0, refs[k]); err != nil {
			t.Fatal(err)
		}
	}
	like := func(b []byte, mark string) []byte {
		st := bytes.Clone(b)
		copy(st[500:], mark)
		return st
	}
	swap := func(dev string, old uint64, st []byte) uint64 {
		t.Helper()
		v, err := s.CompareAndSwap(ctx, dev, old, st)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Y's difference is made (from R1), then X's (from R0), then R0 is
	// named by no stored form, U replaces it (freed), U2 is like U, so
	// that V replaces R1 (named by R1's state: retired) and takes slot 0;
	// then X is stored, then Y
	x, y := like(refs[0], "x"), like(refs[1], "y")
	var vx, vy uint64
	var keptX, keptY []byte
	s.refs.meanwhile = func() {
		s.refs.meanwhile = func() {
			s.refs.meanwhile = nil
			swap("R0", 1, nil)
			u := randBytes(90, 1500)
			swap("U", 0, u)
			swap("U2", 0, like(u, "u2"))
			swap("V", 0, randBytes(91, 1500))
			if r := s.refs.slots[1]; r == nil || !bytes.Equal(r.b, randBytes(91, 1500)) || !bytes.Equal(s.refs.slots[2].b, refs[1]) || s.refs.slots[2].active {
				t.Fatalf("slot 0 holds %v, slot 1 %v: not replaced as the test means", r, s.refs.slots[2])
			}
		}
		var err error
		if vx, keptX, _, err = s.compareAndSwapKept(ctx, "X", 0, x, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if vy, keptY, _, err = s.compareAndSwapKept(ctx, "Y", 0, y, nil, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dev    string
		st     []byte
		v      uint64
		kept   []byte
		marker byte
	}{{"X", x, vx, keptX, 0}, {"Y", y, vy, keptY, 2}} {
		if form := storedOf(s, c.dev); form[0] != c.marker || (c.kept != nil) != (c.marker == 0) {
			t.Errorf("%s: stored with marker %d, kept %d bytes; want marker %d", c.dev, form[0], len(c.kept), c.marker)
		}
		if st, lv, err := s.Load(ctx, c.dev); err != nil || lv != c.v || !bytes.Equal(st, c.st) {
			t.Errorf("%s: load = %d bytes, version %d, %v; want %d bytes, version %d", c.dev, len(st), lv, err, len(c.st), c.v)
		}
	}
	if err := checkRefCounts(s); err != nil {
		t.Fatal(err)
	}
}

// TestMemoryRefsServerReplaceConcurrent: devices checking in at once
// through a Server, a replacement due at every store, a third of them
// with LocURIs of their own (states unlike the others: they replace
// references): a message sent again gets the same reply bytes, which
// the state kept holds; under -race.
func TestMemoryRefsServerReplaceConcurrent(t *testing.T) {
	s := NewMemoryStore()
	s.refs.every = 1
	srv := dmServer(s)
	const workers, devices = 4, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range devices {
				id := dmID(w*devices + i)
				msg := syncmltest.WindowsCheckIn(id, fmt.Sprint(i+1))
				if i%3 == 0 {
					var items strings.Builder
					for j := range 10 {
						fmt.Fprintf(&items, `<Item><Source><LocURI>./Vendor/MSFT/%x</LocURI></Source><Data>1</Data></Item>`, randBytes(uint64(w*1000+i*10+j), 60))
					}
					msg = bytes.Replace(msg, []byte("</Replace>"), []byte(items.String()+"</Replace>"), 1)
				}
				post := func() []byte {
					req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(msg))
					req.Header.Set("Content-Type", ContentType)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					return rec.Body.Bytes()
				}
				first, again := post(), post()
				if len(first) == 0 || !bytes.Equal(first, again) {
					errs <- fmt.Errorf("%s: replay of %d bytes, first %d", id, len(again), len(first))
					return
				}
				if st, _, err := s.Load(context.Background(), id); err != nil || !bytes.Contains(st, first) {
					errs <- fmt.Errorf("%s: the reply is not in the state kept (%v)", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := checkRefCounts(s); err != nil {
		t.Error(err)
	}
	t.Logf("%d replacements", s.refs.replaced)
	if s.refs.replaced < 2 {
		t.Errorf("%d replacements; want some", s.refs.replaced)
	}
}
