package session

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// dmServer returns a Server over s that starts a device's first session
// as examples/dmserver does: Gets of DevDetail and DevInfo/DevId, and the
// commands that start a linked enrollment.
func dmServer(s *MemoryStore) *Server { return dmServerAuth(s, nil) }

// dmServerAuth is dmServer with the Authenticator a.
func dmServerAuth(s *MemoryStore, a Authenticator) *Server {
	gets := []string{"./DevDetail/SwV", "./DevDetail/OEM", "./DevDetail/DevTyp", "./DevDetail/FwV", "./DevDetail/HwV", "./DevInfo/DevId"}
	linked := dmclient.LinkedEnrollment{ProviderID: "WinDC-dmserver"}
	return NewServer(ServerConfig{Store: s, Session: Config{Authenticator: a, OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
		if first {
			_ = s.Queue(NewGets(gets...)...)
			_ = s.Queue(linked.Start("https://127.0.0.1/windc/discovery")...)
		}
	}}})
}

// dmStates returns the states a dmServer over s keeps for the fresh
// check-ins of devices ids, the i-th in session i+1.
func dmStates(t testing.TB, s *MemoryStore, ids ...string) [][]byte {
	t.Helper()
	srv := dmServer(s)
	states := make([][]byte, len(ids))
	for i, id := range ids {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(syncmltest.WindowsCheckIn(id, fmt.Sprint(i+1))))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("check-in of %s: HTTP %d %s", id, rec.Code, rec.Body)
		}
		st, _, err := s.Load(context.Background(), id)
		if err != nil || len(st) == 0 {
			t.Fatalf("Load %s: %d bytes, %v", id, len(st), err)
		}
		states[i] = st
	}
	return states
}

// storedOf returns the stored form of device's state in s.
func storedOf(s *MemoryStore, device string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e := s.entry(device, s.hash(device))
	if e == nil {
		return nil
	}
	return s.bytesOf(e)[e.keyLen:]
}

// randBytes returns n bytes of the pseudo-random sequence seed.
func randBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, (n+7)&^7)
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n:n]
}

// appendStored and state are the stored form of a state and back, for
// the tests of memRefs alone; a MemoryStore makes and reads them in
// compareAndSwapKept and load.

// appendStored appends the stored form of state to dst and returns the
// reference it is a difference from, nil when it is state as it is. tab
// is the table's lock.
func (rs *memRefs) appendStored(dst, state []byte, tab *sync.Mutex) ([]byte, *memRef) {
	if out, r := rs.appendDiffOf(dst, state, tab); r != nil || len(state) == 0 {
		return out, r
	}
	return append(append(dst, 0), state...), nil
}

// state returns the state whose stored form is b, of the reference of
// its slot: see stateOf. The caller holds the table's lock, or no other
// goroutine uses rs.
func (rs *memRefs) state(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return stateOf(b, rs.slot(b[0]))
}

// cat returns its arguments one after another, in a new slice.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// refsTab is the table's lock of the memRefs of tests that use them
// alone (a MemoryStore's is its mu).
var refsTab sync.Mutex

// refsOf returns memRefs whose active references are refs, in order, in
// slots 1 on (see fillRefs).
func refsOf(t testing.TB, refs ...[]byte) *memRefs {
	t.Helper()
	rs := &memRefs{}
	fillRefs(t, rs, refs...)
	return rs
}

// fillRefs makes refs the active references of rs, which has none, in
// order, in slots 1 on, as appendDiffOf makes them (which no stored form
// names yet).
func fillRefs(t testing.TB, rs *memRefs, refs ...[]byte) {
	t.Helper()
	if len(refs) > maxRefs || len(rs.refs()) > 0 {
		t.Fatalf("%d references, %d kept: over maxRefs", len(refs), len(rs.refs()))
	}
	rs.mu.Lock()
	refsTab.Lock()
	for _, r := range refs {
		rs.install(newMemRef(r))
	}
	refsTab.Unlock()
	rs.mu.Unlock()
}

// noReplace makes rs replace no reference (for 2^31 stores).
func noReplace(rs *memRefs) { rs.next.Store(rs.stores.Load() + math.MaxInt32) }

// checkStored is storedChecked, failing t on its error.
func checkStored(t testing.TB, rs *memRefs, state []byte) ([]byte, bool) {
	t.Helper()
	form, diff, err := storedChecked(rs, state)
	if err != nil {
		t.Fatalf("%d bytes: %v", len(state), err)
	}
	return form, diff
}

// TestMemoryRefsStored: states of every size around the limits, like the
// references or not, are stored as a difference or as they are, as
// appendStored says, in the bytes expected, and read back exactly. With
// maxRefs references and a replacement due (replace), a state whose
// difference is poor or none, of at most refMaxState bytes, takes the
// place of the first reference (none is named by a stored form: the
// oldest goes); else none is replaced.
func TestMemoryRefsStored(t *testing.T) {
	base := randBytes(1, 2000)
	text := dmStates(t, NewMemoryStore(), "DEV1")[0]
	big := randBytes(2, refMaxState)
	full := [][]byte{base, text, randBytes(3, 1000), randBytes(4, 500)} // maxRefs of them
	changed := func(b []byte, at int, with []byte) []byte {
		c := bytes.Clone(b)
		copy(c[at:], with)
		return c
	}
	runs := func(counts ...int) []byte {
		var b []byte
		for i, n := range counts {
			b = append(b, bytes.Repeat([]byte{'a' + byte(i%3)}, n)...)
		}
		return b
	}
	const (
		empty = iota
		raw
		diff
	)
	for _, tc := range []struct {
		name    string
		refs    [][]byte
		state   []byte
		want    int  // empty, raw or diff
		newRef  bool // the state is made a reference
		replace bool // a replacement is due
		marker  int  // the reference it is a difference from (1 on), when diff; 0: its new one
		max     int  // the most bytes of the stored form, when diff
	}{
		{name: "empty", state: nil, want: empty},
		{name: "empty, references kept", refs: full, state: []byte{}, want: empty},
		{name: "one byte", state: []byte{0}, want: raw},
		{name: "one byte, references kept", refs: full, state: base[:1], want: raw},
		{name: "refMinState-1", state: randBytes(5, refMinState-1), want: raw},
		{name: "refMinState-1 of a reference", refs: [][]byte{base}, state: base[:refMinState-1], want: raw},
		{name: "refMinState", state: randBytes(6, refMinState), want: diff, newRef: true, max: 10},
		{name: "refMinState of a reference", refs: [][]byte{base}, state: base[100 : 100+refMinState], want: diff, marker: 1, max: 10},
		{name: "refMaxState", state: big, want: diff, newRef: true, max: 12},
		{name: "refMaxState+1", state: randBytes(7, refMaxState+1), want: raw},
		{name: "refMaxState+1 of a reference", refs: [][]byte{big}, state: cat(big, []byte{'x'}), want: diff, marker: 1, max: 14},
		{name: "refMaxState+1 of references full", refs: full, state: randBytes(8, refMaxState+1), want: raw},
		{name: "refMaxDiff of a reference", refs: [][]byte{big}, state: bytes.Repeat(big, refMaxDiff/refMaxState), want: diff, marker: 1, max: 24},
		{name: "refMaxDiff+1 of a reference", refs: [][]byte{big}, state: cat(bytes.Repeat(big, refMaxDiff/refMaxState), []byte{'x'}), want: raw},
		{name: "all one byte", state: bytes.Repeat([]byte{'a'}, 1000), want: diff, newRef: true, max: 12},
		{name: "one byte, longer than the reference", refs: [][]byte{bytes.Repeat([]byte{'a'}, 300)}, state: bytes.Repeat([]byte{'a'}, 5000), want: diff, marker: 1, max: 100},
		{name: "runs of one byte", refs: [][]byte{runs(100, 50, 200, 7, 300)}, state: runs(90, 60, 250, 3, 9, 300), want: diff, marker: 1, max: 40},
		{name: "equal to a reference", refs: full, state: bytes.Clone(text), want: diff, marker: 2, max: 10},
		{name: "equal to the last reference", refs: full, state: bytes.Clone(full[3]), want: diff, marker: 4, max: 10},
		{name: "prefix changed", refs: full, state: changed(base, 0, []byte("0123456789abcdef")), want: diff, marker: 1, max: 16 + 10},
		{name: "suffix changed", refs: full, state: changed(base, len(base)-16, []byte("0123456789abcdef")), want: diff, marker: 1, max: 16 + 10},
		{name: "middle changed", refs: full, state: changed(base, 1000, []byte("0123456789abcdef")), want: diff, marker: 1, max: 16 + 14},
		{name: "one byte changed", refs: full, state: changed(base, 777, []byte{^base[777]}), want: diff, marker: 1, max: 1 + 14},
		{name: "prefix added", refs: full, state: cat([]byte("prefix"), base), want: diff, marker: 1, max: 6 + 10},
		{name: "suffix added, under refMatch", refs: full, state: cat(base, []byte("tail.")), want: diff, marker: 1, max: 5 + 10},
		{name: "last bytes changed, under refMatch", refs: full, state: changed(base, len(base)-3, []byte("xyz")), want: diff, marker: 1, max: 3 + 10},
		{name: "middle removed", refs: full, state: cat(base[:900], base[1100:]), want: diff, marker: 1, max: 16},
		{name: "ends at the reference's end", refs: full, state: cat(randBytes(9, 200), base[len(base)-300:]), want: diff, marker: 1, max: 200 + 12},
		{name: "the reference's end", refs: full, state: bytes.Clone(base[len(base)-refMinState:]), want: diff, marker: 1, max: 10},
		{name: "the reference's last refMatch bytes at its end", refs: full, state: cat(base[:1000], randBytes(10, 100), base[len(base)-refMatch:]), want: diff, marker: 1, max: 100 + 20},
		{name: "the reference twice", refs: full, state: cat(base, base), want: diff, marker: 1, max: 20},
		{name: "random, room for a reference", refs: full[:2], state: randBytes(11, 3000), want: diff, newRef: true, max: 12},
		{name: "random, references full", refs: full, state: randBytes(12, 3000), want: raw},
		{name: "half random, references full", refs: full, state: cat(base[:400], randBytes(13, 1600)), want: raw},
		{name: "a third random, references full", refs: full, state: cat(base[:1400], randBytes(14, 600)), want: diff, marker: 1, max: 600 + 12},
		{name: "random, references full, replacement due", refs: full, replace: true, state: randBytes(12, 3000), want: diff, newRef: true, max: 12},
		{name: "half random, references full, replacement due", refs: full, replace: true, state: cat(base[:400], randBytes(13, 1600)), want: diff, newRef: true, max: 12},
		{name: "a third random, references full, replacement due", refs: full, replace: true, state: cat(base[:1400], randBytes(14, 600)), want: diff, newRef: true, max: 12},
		{name: "an eighth random, references full, replacement due", refs: full, replace: true, state: cat(base[:1760], randBytes(14, 240)), want: diff, marker: 1, max: 250},
		{name: "refMaxState+1, references full, replacement due", refs: full, replace: true, state: randBytes(8, refMaxState+1), want: raw},
		{name: "random, references not full, replacement due", refs: full[:3], replace: true, state: randBytes(12, 3000), want: diff, newRef: true, max: 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := refsOf(t, tc.refs...)
			if !tc.replace {
				noReplace(rs)
			}
			form, isDiff := checkStored(t, rs, tc.state)
			switch {
			case tc.want == empty && len(form) != 0, tc.want == raw && isDiff, tc.want == diff && !isDiff:
				t.Fatalf("stored as %d bytes, marker %d; want %d", len(form), form[0], tc.want)
			}
			refs := rs.refs()
			wantRefs := len(tc.refs)
			// replaced: the first, in its place, its slot freed
			replaced := tc.newRef && len(tc.refs) == maxRefs
			if tc.newRef && !replaced {
				wantRefs++
			}
			if len(refs) != wantRefs {
				t.Fatalf("%d references; want %d", len(refs), wantRefs)
			}
			for i, r := range tc.refs {
				if !bytes.Equal(refs[i].b, r) && !(i == 0 && replaced) {
					t.Fatalf("reference %d changed", i)
				}
				if int(refs[i].marker) != i+1 && !(i == 0 && replaced) {
					t.Fatalf("reference %d in slot %d", i, refs[i].marker)
				}
			}
			marker := tc.marker
			if tc.newRef {
				nr := refs[len(refs)-1]
				if replaced {
					nr = refs[0]
					if rs.slots[1] != nil || rs.retired != 0 {
						t.Fatalf("the reference replaced, which no stored form names, still in slot 0 (%d retired)", rs.retired)
					}
				}
				if !bytes.Equal(nr.b, tc.state) {
					t.Fatal("the new reference is not the state")
				}
				marker = int(nr.marker)
			}
			if tc.want != diff {
				return
			}
			if int(form[0]) != marker {
				t.Errorf("a difference from reference %d; want %d", form[0], marker)
			}
			t.Logf("%d bytes stored as %d", len(tc.state), len(form))
			if len(form) > tc.max {
				t.Errorf("%d bytes stored as %d; want at most %d", len(tc.state), len(form), tc.max)
			}
		})
	}
}

// dmID returns a device ID of the form Windows reports (a GUID), the
// i-th.
func dmID(i int) string { return fmt.Sprintf("6F9619FF-8B86-D011-B42D-%012X", 0xC04FC964FF+i) }

// TestMemoryStoreRefsCheckIns: the states a dmserver-like Server keeps
// for fresh check-ins (about 2.7 KB each: the reply kept for a replay,
// the commands sent) of devices that differ in device ID and session ID
// cost the first device its state (the reference) and each other a
// difference of 70-78 bytes of its 2,658 (device and session IDs
// differing in their last characters).
func TestMemoryStoreRefsCheckIns(t *testing.T) {
	s := NewMemoryStore()
	const devices = 50
	ids := make([]string, devices)
	for i := range ids {
		ids[i] = dmID(i)
	}
	states := dmStates(t, s, ids...)
	if n := len(s.refs.refs()); n != 1 {
		t.Fatalf("%d references; want 1", n)
	}
	if !bytes.Equal(s.refs.refs()[0].b, states[0]) {
		t.Fatal("the reference is not the first device's state")
	}
	for i, id := range ids {
		form := storedOf(s, id)
		if i == 1 {
			t.Logf("a device's state of %d bytes stored as %d", len(states[i]), len(form))
		}
		if len(form) == 0 || form[0] != 1 {
			t.Fatalf("%s: stored as %d bytes, not a difference from the reference", id, len(form))
		}
		if max := 100; i > 0 && len(form) > max {
			t.Errorf("%s: %d bytes stored as %d; want at most %d", id, len(states[i]), len(form), max)
		}
		if st, _, err := s.Load(context.Background(), id); err != nil || !bytes.Equal(st, states[i]) {
			t.Fatalf("%s: Load = %d bytes, %v; want the %d stored", id, len(st), err, len(states[i]))
		}
	}
}

// stateOp makes a state of a sequence: random bytes (Kind 0, N of them,
// of Seed), or of an earlier one (Src: which, counted from the last) a
// copy (1), a splice with another (2), with bytes inserted (3), removed
// (4) or changed (5), at Pos.
type stateOp struct {
	Kind, Src, Pos, N int
	Seed              uint64
}

// stateOpGen generates stateOps, a third of them random bytes of sizes
// around the limits of references.
var stateOpGen = gen.Struct(reflect.TypeOf(stateOp{}), map[string]gopter.Gen{
	"Kind": gen.Frequency(map[int]gopter.Gen{5: gen.Const(0), 2: gen.IntRange(1, 5), 8: gen.IntRange(2, 5)}),
	"Src":  gen.IntRange(0, 1000),
	"Pos":  gen.IntRange(0, 1<<20),
	"N": gen.Frequency(map[int]gopter.Gen{
		4: gen.IntRange(0, refMinState+20),
		6: gen.IntRange(refMinState, 4000),
		2: gen.IntRange(refMaxState-40, refMaxState+40),
		1: gen.IntRange(0, 40000),
	}),
	"Seed": gen.UInt64(),
})

// makeState returns the state op makes after the states before.
func makeState(before [][]byte, op stateOp) []byte {
	// gopter's shrinking of a struct's fields leaves their ranges
	op.N, op.Src, op.Pos = max(op.N, 0), max(op.Src, 0), max(op.Pos, 0)
	if op.Kind == 0 || len(before) == 0 {
		return randBytes(op.Seed, op.N)
	}
	a := before[len(before)-1-op.Src%len(before)]
	p := op.Pos % (len(a) + 1)
	switch op.Kind {
	case 1:
		return bytes.Clone(a)
	case 2:
		b := before[(op.Src+op.N)%len(before)]
		return cat(a[:p], b[(op.Pos/7)%(len(b)+1):])
	case 3:
		return cat(a[:p], randBytes(op.Seed, op.N%300+1), a[p:])
	case 4:
		return cat(a[:p], a[min(p+op.N%300+1, len(a)):])
	default:
		c := bytes.Clone(a)
		r := rand.New(rand.NewPCG(op.Seed, 1))
		for range op.N%16 + 1 {
			if len(c) > 0 {
				c[r.IntN(len(c))] ^= byte(r.IntN(255) + 1)
			}
		}
		return c
	}
}

// refSnap is a reference as it was made.
type refSnap struct {
	b     []byte
	table [1 << refTableBits]uint16
}

// checkRefs checks that rs keeps at most maxRefs active references, each
// in the slot its marker names, and that those of snaps (by pointer) are
// unchanged, and returns snaps with the new ones.
func checkRefs(rs *memRefs, snaps map[*memRef]refSnap) (map[*memRef]refSnap, error) {
	if snaps == nil {
		snaps = map[*memRef]refSnap{}
	}
	refs := rs.refs()
	if len(refs) > maxRefs {
		return snaps, fmt.Errorf("%d references; at most %d", len(refs), maxRefs)
	}
	for i, r := range refs {
		if r.marker == 0 || rs.slots[r.marker] != r {
			return snaps, fmt.Errorf("reference %d, marker %d, not in its slot", i, r.marker)
		}
		if _, ok := snaps[r]; !ok {
			snaps[r] = refSnap{bytes.Clone(r.b), r.table}
		}
	}
	for r, sn := range snaps {
		if !bytes.Equal(r.b, sn.b) || r.table != sn.table {
			return snaps, fmt.Errorf("reference of marker %d changed", r.marker)
		}
	}
	return snaps, nil
}

// refsCounts counts the states stored as they are and as differences in
// TestMemoryRefsProperty, and the references replaced, so that it fails
// when it tries too few of any.
var refsCounts struct{ raw, diff, replaced int }

// TestMemoryRefsProperty: any sequence of states, random or made from
// earlier ones (so that they are like the references), reads back exactly
// from the stored form appendStored makes of it, then and after all the
// others (references replaced meanwhile, a replacement due every other
// store); the active references are never over maxRefs and never change.
// The same states stored in a MemoryStore, on a few devices, load back
// exactly, and the copy compareAndSwapKept returns is the state, capped,
// or nil when the state is kept as a difference.
func TestMemoryRefsProperty(t *testing.T) {
	refsCounts.raw, refsCounts.diff, refsCounts.replaced = 0, 0, 0
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 80
	properties := gopter.NewProperties(params)
	properties.Property("states read back; references kept as they were", prop.ForAll(
		func(ops []stateOp) string {
			ctx := context.Background()
			// a replacement due every other store: the forms of references
			// retired read back all the same
			rs := &memRefs{every: 2}
			s := NewMemoryStore()
			s.refs.every = 2
			var snaps map[*memRef]refSnap
			var states, forms [][]byte
			ver := map[string]uint64{}
			last := map[string][]byte{}
			for n, op := range ops {
				state := makeState(states, op)
				states = append(states, state)
				form, diff, err := storedChecked(rs, state)
				if err != nil {
					return fmt.Sprintf("state %d (%d bytes): %v", n, len(state), err)
				}
				forms = append(forms, form)
				if diff {
					refsCounts.diff++
				} else if len(state) > 0 {
					refsCounts.raw++
				}
				if snaps, err = checkRefs(rs, snaps); err != nil {
					return fmt.Sprintf("state %d: %v", n, err)
				}
				dev := fmt.Sprint("D", n%5)
				// as a Server calls it: the state in a buffer after other
				// bytes, the stored form made after it, in place or not
				pre := bytes.Repeat([]byte{byte(n)}, n%3*100)
				buf := append(append(make([]byte, 0, len(pre)+len(state)+n%2*(len(state)+64)), pre...), state...)
				inBuf := buf[len(pre):]
				v, kept, out, err := s.compareAndSwapKept(ctx, dev, ver[dev], inBuf, buf, false)
				if err != nil {
					return fmt.Sprintf("state %d: %v", n, err)
				}
				if len(out) < len(buf) || !bytes.Equal(out[:len(pre)], pre) || !bytes.Equal(out[len(pre):len(buf)], state) || !bytes.Equal(inBuf, state) {
					return fmt.Sprintf("state %d: the buffer's %d bytes changed", n, len(buf))
				}
				ver[dev], last[dev] = v, state
				if err := checkKept(s, dev, state, kept); err != nil {
					return fmt.Sprintf("state %d: %v", n, err)
				}
				for _, load := range []func(context.Context, string) ([]byte, uint64, error){s.Load, s.LoadShared} {
					if st, lv, err := load(ctx, dev); err != nil || lv != v || !bytes.Equal(st, state) {
						return fmt.Sprintf("state %d: load = %d bytes, version %d, %v; want %d bytes, version %d", n, len(st), lv, err, len(state), v)
					}
				}
			}
			for n, form := range forms {
				if got, err := rs.state(form); err != nil || !bytes.Equal(got, states[n]) {
					return fmt.Sprintf("state %d read again: %d bytes, %v; want %d", n, len(got), err, len(states[n]))
				}
			}
			for dev, want := range last {
				if st, _, err := s.Load(ctx, dev); err != nil || !bytes.Equal(st, want) {
					return fmt.Sprintf("%s at the end: %d bytes, %v; want %d", dev, len(st), err, len(want))
				}
			}
			if _, err := checkRefs(&s.refs, nil); err != nil {
				return err.Error()
			}
			refsCounts.replaced += rs.replaced + s.refs.replaced
			return ""
		},
		gen.SliceOfN(60, stateOpGen),
	))
	properties.TestingRun(t)
	t.Logf("%d states stored as they are, %d as differences; %d references replaced", refsCounts.raw, refsCounts.diff, refsCounts.replaced)
	if refsCounts.raw < 500 || refsCounts.diff < 1000 || refsCounts.replaced < 200 {
		t.Errorf("%d states stored as they are, %d as differences, %d references replaced: too few of one", refsCounts.raw, refsCounts.diff, refsCounts.replaced)
	}
}

// storedChecked stores state with rs after a prefix, and checks that
// the prefix is kept, that the stored form is what appendStored says (a
// difference of at most half the state from the reference it returns,
// which its slot holds, or the state as it is: first byte 0 and
// len(state)+1 bytes, or nothing for no state) and that it reads back as
// state. It returns the stored form, counted as stored in rs (the
// reference it names is kept while rs is).
func storedChecked(rs *memRefs, state []byte) ([]byte, bool, error) {
	out, r := rs.appendStored([]byte("PFX")[:3:3], state, &refsTab)
	diff := r != nil
	if string(out[:3]) != "PFX" {
		return nil, false, fmt.Errorf("appendStored changed the bytes before: %q", out[:3])
	}
	form := out[3:]
	switch {
	case len(state) == 0:
		if len(form) != 0 || diff {
			return nil, false, fmt.Errorf("no state stored as %d bytes, difference %v", len(form), diff)
		}
	case diff:
		refsTab.Lock()
		ok := form[0] == r.marker && rs.slot(form[0]) == r
		if ok {
			rs.stored(0, form[0]) // kept by the caller
		}
		refsTab.Unlock()
		if !ok {
			return nil, false, fmt.Errorf("a difference stored with marker %d, from the reference of marker %d", form[0], r.marker)
		}
		if len(form) > len(state)/2+1 {
			return nil, false, fmt.Errorf("%d bytes stored as a difference of %d", len(state), len(form))
		}
	default:
		if form[0] != 0 || len(form) != len(state)+1 {
			return nil, false, fmt.Errorf("%d bytes stored as they are in %d bytes, marker %d", len(state), len(form), form[0])
		}
	}
	got, err := rs.state(form)
	if err != nil || !bytes.Equal(got, state) {
		return nil, false, fmt.Errorf("stored form (%d bytes, marker %d) read as %d bytes, %v", len(form), form[0], len(got), err)
	}
	return form, diff, nil
}

// checkKept checks what compareAndSwapKept returned (kept) for state,
// stored in s for dev: the state, capped, when it is kept as it is; nil
// when kept as a difference, or when it is empty.
func checkKept(s *MemoryStore, dev string, state, kept []byte) error {
	form := storedOf(s, dev)
	switch {
	case len(state) == 0:
		if kept != nil || len(form) != 0 {
			return fmt.Errorf("no state: kept %d bytes, stored %d", len(kept), len(form))
		}
	case form[0] != 0:
		if kept != nil {
			return fmt.Errorf("kept a copy (%d bytes) of a state stored as a difference", len(kept))
		}
	case kept == nil:
		return fmt.Errorf("no copy kept of a state of %d bytes stored as it is", len(state))
	case !bytes.Equal(kept, state) || len(kept) != cap(kept):
		return fmt.Errorf("kept %d bytes (capacity %d), not the state's %d", len(kept), cap(kept), len(state))
	}
	return nil
}

// TestMemoryRefsDiffLimit: appendDiff of a state like the reference (or
// not) reports ok exactly when its difference is at most limit bytes,
// and then appends it (that which it appends with no limit); else it
// appends nothing. What it appends reads back as the state.
func TestMemoryRefsDiffLimit(t *testing.T) {
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = 300
	properties := gopter.NewProperties(params)
	var oks, fails int
	properties.Property("appendDiff keeps to its limit", prop.ForAll(
		func(refOp stateOp, ops []stateOp, limitPct int) string {
			ref := makeState(nil, stateOp{N: max(refOp.N, refMatch), Seed: refOp.Seed})
			states := [][]byte{ref}
			for _, op := range ops {
				states = append(states, makeState(states, op))
			}
			state := states[len(states)-1]
			rs := refsOf(t, ref)
			r := rs.refs()[0]
			dst := []byte("PFX")
			full, ok := r.appendDiff(dst[:3:3], 1, state, math.MaxInt)
			if !ok {
				return "no difference with no limit"
			}
			size := len(full) - 3
			if got, err := rs.state(full[3:]); err != nil || !bytes.Equal(got, state) {
				return fmt.Sprintf("the difference (%d bytes) reads as %d bytes, %v; want %d", size, len(got), err, len(state))
			}
			limit := (len(state) + 20) * limitPct / 100
			out, ok := r.appendDiff(dst[:3:3], 1, state, limit)
			switch {
			case ok != (size <= limit):
				return fmt.Sprintf("limit %d, difference of %d bytes: ok %v", limit, size, ok)
			case ok && !bytes.Equal(out, full):
				return fmt.Sprintf("limit %d: a difference other than with no limit", limit)
			case !ok && string(out) != "PFX":
				return fmt.Sprintf("limit %d: not ok, appended %d bytes", limit, len(out)-3)
			}
			if ok {
				oks++
			} else {
				fails++
			}
			return ""
		},
		stateOpGen, gen.SliceOfN(3, stateOpGen), gen.IntRange(0, 110),
	))
	properties.TestingRun(t)
	if oks < 30 || fails < 30 {
		t.Errorf("%d differences within their limit, %d over: too few of either", oks, fails)
	}
}

// diffLiterals returns, for each byte of form (a valid difference) that
// is one of its literal bytes, its offset in the state.
func diffLiterals(form []byte) map[int]int {
	lits := map[int]int{}
	size, n := binary.Uvarint(form[1:])
	at, out := 1+n, 0
	for {
		lit, n := binary.Uvarint(form[at:])
		at += n
		for range lit {
			lits[at] = out
			at, out = at+1, out+1
		}
		if uint64(out) == size {
			return lits
		}
		_, n1 := binary.Uvarint(form[at:])
		cnt, n2 := binary.Uvarint(form[at+n1:])
		at, out = at+n1+n2, out+int(cnt)+refMatch
	}
}

// readForm returns rs.state(form), and what it panicked with.
func readForm(rs *memRefs, form []byte) (state []byte, panicked any, err error) {
	defer func() { panicked = recover() }()
	state, err = rs.state(form)
	return state, nil, err
}

// TestMemoryRefsCorrupt: every truncation and every change of a byte of
// valid stored forms reads as an error or as a state, never a panic. A
// stored form holds no check of its bytes: a truncated form stored as it
// is reads as the state's start, and a difference whose literal byte is
// changed as the state with that byte changed; but a truncated
// difference is an error, and a difference whose copies or lengths are
// changed reads as an error or as a state of the length it says. A
// reference past those kept is an error.
func TestMemoryRefsCorrupt(t *testing.T) {
	states := dmStates(t, NewMemoryStore(), dmID(0), dmID(1), "DEV2", dmID(3)+"-long")
	base := randBytes(20, 3000)
	rs := refsOf(t, states[0], base, bytes.Repeat([]byte("ab"), 200))
	var forms [][]byte
	for _, st := range [][]byte{
		states[1], states[2], states[3],
		cat(base[:1000], []byte("changed"), base[1010:2000], base[2500:]),
		bytes.Repeat([]byte("ab"), 2000),
		cat([]byte("xyz"), base, []byte("ab")),
		randBytes(21, 300), // stored as it is
		[]byte("short"),
	} {
		form, _ := checkStored(t, rs, st)
		forms = append(forms, bytes.Clone(form))
	}
	var refsCorrupt, asState, asError int
	for fi, form := range forms {
		want, _ := rs.state(form)
		want = bytes.Clone(want)
		diff := form[0] != 0
		for i := range len(form) {
			got, p, err := readForm(rs, form[:i])
			switch {
			case p != nil:
				t.Fatalf("form %d cut to %d bytes: panic %v", fi, i, p)
			case i == 0:
				if err != nil || len(got) != 0 {
					t.Fatalf("form %d cut to no bytes: %d bytes, %v", fi, len(got), err)
				}
			case diff && err == nil:
				t.Fatalf("form %d, a difference, cut to %d bytes of %d: no error (%d bytes)", fi, i, len(form), len(got))
			case !diff && (err != nil || !bytes.Equal(got, want[:i-1])):
				t.Fatalf("form %d, stored as it is, cut to %d bytes: %d bytes, %v", fi, i, len(got), err)
			}
		}
		var lits map[int]int
		if diff {
			lits = diffLiterals(form)
		}
		for i := range len(form) {
			for _, v := range []byte{form[i] ^ 1, form[i] ^ 0x80, form[i] + 1, form[i] - 1, 0, 0x7f, 0x80, 0xff} {
				if v == form[i] {
					continue
				}
				c := bytes.Clone(form)
				c[i] = v
				got, p, err := readForm(rs, c)
				if p != nil {
					t.Fatalf("form %d with byte %d changed to %#x: panic %v", fi, i, v, p)
				}
				switch o, lit := lits[i]; {
				case i == 0 && v == 0, !diff && i > 0:
					if err != nil || !bytes.Equal(got, c[1:]) {
						t.Fatalf("form %d with byte %d changed to %#x: %d bytes, %v; want the bytes after the first", fi, i, v, len(got), err)
					}
				case i == 0 && int(v) > len(rs.refs()):
					if err == nil {
						t.Fatalf("form %d from reference %d of %d: no error", fi, v, len(rs.refs()))
					}
				case lit:
					w := bytes.Clone(want)
					w[o] = v
					if err != nil || !bytes.Equal(got, w) {
						t.Fatalf("form %d with literal byte %d (state byte %d) changed to %#x: %d bytes, %v", fi, i, o, v, len(got), err)
					}
				case err != nil:
					asError++
				default:
					size, n := binary.Uvarint(c[1:])
					if n <= 0 || uint64(len(got)) != size {
						t.Fatalf("form %d with byte %d changed to %#x: %d bytes read, the length %d (%d)", fi, i, v, len(got), size, n)
					}
					asState++
				}
				if i == 0 && v != 0 {
					refsCorrupt++
				}
			}
		}
	}
	t.Logf("changes of lengths and copies: %d read as errors, %d as states of the length said; %d changes of the reference", asError, asState, refsCorrupt)
	if asError == 0 {
		t.Error("no change of a difference's lengths or copies read as an error")
	}
	for _, form := range forms {
		if form[0] == 0 {
			continue
		}
		for m := len(rs.refs()) + 1; m < 256; m++ {
			c := bytes.Clone(form)
			c[0] = byte(m)
			if _, err := rs.state(c); err == nil {
				t.Fatalf("a difference from reference %d of %d: no error", m, len(rs.refs()))
			}
		}
		if _, p, err := readForm(&memRefs{}, form); err == nil || p != nil {
			t.Fatalf("a difference read with no reference kept: %v, panic %v", err, p)
		}
	}
}

// TestMemoryRefsCorruptLength: a difference whose length is more than
// its bytes could make (each copy, of three bytes at least, makes at most
// the reference's length) is an error, read without allocating that
// length: six bytes must not cost 4 GiB.
func TestMemoryRefsCorruptLength(t *testing.T) {
	rs := refsOf(t, randBytes(30, 300))
	for _, form := range [][]byte{
		binary.AppendUvarint([]byte{1}, maxRecord),
		append(binary.AppendUvarint([]byte{1}, 1<<30), 0, 0, 0),
		append(binary.AppendUvarint([]byte{1}, 100<<20), 3, 'a', 'b', 'c', 0, 200),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := rs.state(form)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("% x: %d bytes, no error", form, len(got))
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("% x: %v, having allocated %d bytes", form, err, n)
		}
	}
}

// TestMemoryStoreRefsConcurrent: goroutines started together store states
// like a few templates (each's first ones becoming references meanwhile),
// random ones and empty ones, for devices of their own and for devices
// they all update (conflicts included), loading each back at once and
// holding what LoadShared returns. Under -race: every Load returns
// exactly the state stored with the version it returns, a device of one
// goroutine exactly its last state; states held stay as they were.
func TestMemoryStoreRefsConcurrent(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	templates := [][]byte{dmStates(t, NewMemoryStore(), dmID(0))[0]}
	for k := range 5 {
		templates = append(templates, randBytes(uint64(40+k), 600+700*k))
	}
	const workers, own, shared, rounds = 4, 30, 3, 300
	type stored struct {
		dev   string
		ver   uint64
		state []byte
	}
	var mu sync.Mutex
	written := map[string]map[uint64][]byte{} // of the shared devices
	for d := range shared {
		written[fmt.Sprint("S", d)] = map[uint64][]byte{}
	}
	start := make(chan struct{})
	var diffs atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	loaded := make([][]stored, workers)
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			ver := map[string]uint64{}
			last := map[string][]byte{}
			type held struct{ b, want []byte }
			var hold []held
			makeOne := func(dev string, n int) []byte {
				switch x := r.IntN(20); {
				case x == 0:
					return nil
				case x == 1:
					return randBytes(r.Uint64(), r.IntN(3000))
				default:
					st := bytes.Clone(templates[r.IntN(len(templates))])
					at := r.IntN(len(st) - 40)
					copy(st[at:], fmt.Sprintf("%s/%d/%d", dev, w, n))
					return st
				}
			}
			<-start
			for n := range rounds {
				dev := fmt.Sprintf("W%d-%d", w, r.IntN(own))
				if n%4 == 3 {
					dev = fmt.Sprint("S", r.IntN(shared))
				}
				state := makeOne(dev, n)
				old := ver[dev]
				if dev[0] == 'S' {
					_, old, _ = s.Load(ctx, dev)
				}
				v, kept, _, err := s.compareAndSwapKept(ctx, dev, old, state, nil, false)
				switch {
				case dev[0] == 'S' && errors.Is(err, ErrConflict):
					continue
				case err != nil:
					errs <- err
					return
				}
				if kept != nil && (!bytes.Equal(kept, state) || len(kept) != cap(kept)) {
					errs <- fmt.Errorf("%s: kept %d bytes of capacity %d, not the %d stored", dev, len(kept), cap(kept), len(state))
					return
				}
				if kept == nil && len(state) > 0 && len(state) < refMinState {
					errs <- fmt.Errorf("%s: no copy kept of %d bytes stored as they are", dev, len(state))
					return
				}
				if kept == nil && len(state) > 0 {
					diffs.Add(1)
				}
				if dev[0] == 'S' {
					mu.Lock()
					written[dev][v] = state
					mu.Unlock()
				} else {
					ver[dev], last[dev] = v, state
				}
				for _, load := range []func(context.Context, string) ([]byte, uint64, error){s.Load, s.LoadShared} {
					st, lv, err := load(ctx, dev)
					if err != nil {
						errs <- err
						return
					}
					if dev[0] == 'S' {
						loaded[w] = append(loaded[w], stored{dev, lv, bytes.Clone(st)})
					} else if lv != v || !bytes.Equal(st, state) {
						errs <- fmt.Errorf("%s: load = %d bytes, version %d; want %d bytes, version %d", dev, len(st), lv, len(state), v)
						return
					}
				}
				if b, _, _ := s.LoadShared(ctx, dev); n%5 == 0 {
					hold = append(hold, held{b, bytes.Clone(b)})
				}
			}
			for dev, want := range last {
				if st, v, err := s.Load(ctx, dev); err != nil || v != ver[dev] || !bytes.Equal(st, want) {
					errs <- fmt.Errorf("%s at the end: %d bytes, version %d, %v; want %d bytes, version %d", dev, len(st), v, err, len(want), ver[dev])
					return
				}
			}
			for i, h := range hold {
				if !bytes.Equal(h.b, h.want) {
					errs <- fmt.Errorf("state %d held changed", i)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w, ls := range loaded {
		for _, l := range ls {
			if want, ok := written[l.dev][l.ver]; !ok || !bytes.Equal(l.state, want) {
				t.Errorf("worker %d: %s version %d loaded as %d bytes; %d stored (%v)", w, l.dev, l.ver, len(l.state), len(want), ok)
			}
		}
	}
	for dev, byVer := range written {
		st, v, err := s.Load(ctx, dev)
		if want, ok := byVer[v]; err != nil || !ok || !bytes.Equal(st, want) {
			t.Errorf("%s at the end: %d bytes, version %d, %v", dev, len(st), v, err)
		}
		for ov := range byVer {
			if ov > v {
				t.Errorf("%s at version %d, %d stored", dev, v, ov)
			}
		}
	}
	if n := diffs.Load(); n < workers*rounds/4 {
		t.Errorf("%d states stored as differences; want more", n)
	}
	if n := len(s.refs.refs()); n != maxRefs {
		t.Errorf("%d references; want %d", n, maxRefs)
	}
	if err := checkSlabs(s); err != nil {
		t.Error(err)
	}
}

// benchStates makes the states of BenchmarkMemoryStoreStates: a
// dmserver-like check-in state of the device dmID(n), for any n, in one
// buffer: the state of dmID(0) with the device ID where it is, and
// bytes of n's own where the states of two devices differ otherwise
// (their session IDs and the nonce the state keeps).
type benchStates struct {
	buf      []byte
	ids      []int // where the device ID is
	varying  []int // the other bytes where devices differ
	id       []byte
	template []byte
}

func newBenchStates(b *testing.B) *benchStates {
	st := dmStates(b, NewMemoryStore(), dmID(0), dmID(1))
	bs := &benchStates{template: st[0], buf: bytes.Clone(st[0]), id: []byte(dmID(0))}
	if len(st[1]) != len(st[0]) {
		b.Fatalf("states of %d and %d bytes", len(st[0]), len(st[1]))
	}
	in := map[int]bool{}
	for at := 0; ; {
		i := bytes.Index(st[0][at:], bs.id)
		if i < 0 {
			break
		}
		bs.ids = append(bs.ids, at+i)
		for j := range bs.id {
			in[at+i+j] = true
		}
		at += i + len(bs.id)
	}
	for i := range st[0] {
		if st[0][i] != st[1][i] && !in[i] {
			bs.varying = append(bs.varying, i)
		}
	}
	return bs
}

// state returns the state of device n and its ID (the one allocation).
func (bs *benchStates) state(n int) ([]byte, string) {
	id := bs.id[len(bs.id)-12:]
	for i, v := len(id)-1, 0xC04FC964FF+n; i >= 0; i, v = i-1, v>>4 {
		id[i] = "0123456789ABCDEF"[v&15]
	}
	for _, at := range bs.ids {
		copy(bs.buf[at:], bs.id)
	}
	x := uint64(n+1) * 0x9E3779B97F4A7C15
	for _, at := range bs.varying {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		bs.buf[at] = byte(x)
	}
	return bs.buf, string(bs.id)
}

// storeRaw is compareAndSwapKept without references: state stored as it
// is (its stored form made in a scratch buffer), through the same slab
// write, for a new device.
func (s *MemoryStore) storeRaw(device string, state []byte) {
	sp := scratch.Get().(*[]byte)
	stored := append(append((*sp)[:0], 0), state...)
	s.mu.Lock()
	s.init()
	h := s.hash(device)
	i, _ := s.entry(device, h) // none: the last added with hash h
	i, e := s.add(device, h, i)
	e.version++
	s.write(i, e, device, [][]byte{stored}, len(device)+len(stored))
	s.mu.Unlock()
	putScratch(sp, stored)
}

// heapPerDevice reports the heap in use since m0 (after a garbage
// collection) over devices as B/device, keeping keep alive until then.
func heapPerDevice(b *testing.B, m0 *runtime.MemStats, devices int, keep any) {
	var m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(int64(m1.HeapInuse)-int64(m0.HeapInuse))/float64(devices), "B/device")
	runtime.KeepAlive(keep)
}

// BenchmarkMemoryStoreStates stores dmserver-like check-in states (2,658
// bytes, each of a new device, the devices differing in their IDs and
// nonces) in a MemoryStore (swap/refs: CompareAndSwap, which keeps them
// as differences from the first), and as the in-run baselines the same
// bytes stored as they are through the same slab write (swap/raw) and in
// a map of copies (swap/map); B/device is the heap in use after the run
// over the devices. load and loadshared read back states kept as
// differences (refs) and as they are (raw), of 4,096 devices. The
// device ID's string is the one allocation of the benchmark's own.
func BenchmarkMemoryStoreStates(b *testing.B) {
	ctx := context.Background()
	bs := newBenchStates(b)
	swap := func(b *testing.B, put func(dev string, state []byte)) {
		var m0 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		b.SetBytes(int64(len(bs.template)))
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			st, dev := bs.state(n)
			put(dev, st)
			n++
		}
		b.StopTimer()
		heapPerDevice(b, &m0, n, put)
	}
	b.Run("swap/refs", func(b *testing.B) {
		s := NewMemoryStore()
		swap(b, func(dev string, state []byte) {
			if _, err := s.CompareAndSwap(ctx, dev, 0, state); err != nil {
				b.Fatal(err)
			}
		})
		if len(s.refs.refs()) != 1 || s.slabs.live > 300*s.n+len(bs.template) {
			b.Fatalf("%d references, %d bytes of %d devices: not kept as differences", len(s.refs.refs()), s.slabs.live, s.n)
		}
	})
	b.Run("swap/raw", func(b *testing.B) {
		s := NewMemoryStore()
		swap(b, s.storeRaw)
	})
	b.Run("swap/map", func(b *testing.B) {
		m := map[string][]byte{}
		swap(b, func(dev string, state []byte) { m[dev] = bytes.Clone(state) })
	})
	const devices = 4096
	for _, raw := range []bool{false, true} {
		s := NewMemoryStore()
		ids := make([]string, devices)
		for n := range devices {
			st, dev := bs.state(n)
			if ids[n] = dev; raw {
				s.storeRaw(dev, st)
			} else if _, err := s.CompareAndSwap(ctx, dev, 0, st); err != nil {
				b.Fatal(err)
			}
		}
		name := map[bool]string{false: "refs", true: "raw"}[raw]
		for _, load := range []struct {
			name string
			f    func(context.Context, string) ([]byte, uint64, error)
		}{{"load", s.Load}, {"loadshared", s.LoadShared}} {
			b.Run(load.name+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(bs.template)))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					st, _, err := load.f(ctx, ids[n%devices])
					if err != nil || len(st) != len(bs.template) {
						b.Fatalf("%s: %d bytes, %v", ids[n%devices], len(st), err)
					}
					n++
				}
			})
		}
	}
}

// TestMemoryRefsAddRace: states like each other stored at once, each
// having found no reference like it before the others made theirs, make
// one reference of them, not one each (up to maxRefs are active, one
// replaced at most every replaceEvery stores: copies of one would leave
// states of other kinds none).
// addAndDiff, given a state like a reference added since its caller
// looked, stores the state as a difference from that one; and goroutines
// storing like states at once leave one reference, whatever their order.
func TestMemoryRefsAddRace(t *testing.T) {
	kind := dmStates(t, NewMemoryStore(), dmID(0), dmID(1))
	other := randBytes(50, 3000)
	t.Run("add", func(t *testing.T) {
		rs := refsOf(t, other)
		// both callers looked at the references (other alone) before
		// either added
		seen := rs.refs()
		f1, r1 := rs.addAndDiff(nil, kind[0], seen, &refsTab)
		f2, r2 := rs.addAndDiff(nil, kind[1], seen, &refsTab)
		if ok1, ok2 := r1 != nil, r2 != nil; !ok1 || !ok2 || f1[0] != 2 || f2[0] != 2 || len(rs.refs()) != 2 {
			t.Fatalf("two like states: %v, %v, %d references; want both from reference 2 of 2", ok1, ok2, len(rs.refs()))
		}
		for i, f := range [][]byte{f1, f2} {
			if got, err := rs.state(f); err != nil || !bytes.Equal(got, kind[i]) {
				t.Fatalf("state %d reads back as %d bytes, %v", i, len(got), err)
			}
		}
		if form, diff := checkStored(t, rs, kind[1]); !diff || form[0] != 2 {
			t.Fatalf("the second state stored as %d bytes, marker %d", len(form), form[0])
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		for trial := range 50 {
			rs := refsOf(t, other)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range 8 {
				st := bytes.Clone(kind[0])
				st[100] ^= byte(g + 1)
				wg.Go(func() {
					<-start
					rs.appendStored(nil, st, &refsTab)
				})
			}
			close(start)
			wg.Wait()
			if n := len(rs.refs()); n != 2 {
				t.Fatalf("trial %d: 8 like states stored at once left %d references; want 2", trial, n)
			}
		}
	})
}

// TestMemoryRefsRanked: the references a state's difference is made from
// are those holding most of its sampled windows, the one the last
// difference was from first among equals, and none holding none of them.
func TestMemoryRefsRanked(t *testing.T) {
	a, b := randBytes(11, 3000), randBytes(12, 3000)
	like := func(ref []byte) []byte {
		st := bytes.Clone(ref)
		copy(st[1000:], "a device's own bytes")
		return st
	}
	rs := refsOf(t, randBytes(13, 3000), a, randBytes(14, 3000), b)
	// a window whose table slot an earlier one took is not found: of
	// 3,000 windows in 4,096 slots, about a quarter
	if h := rs.refs()[1].hits(like(a), refSamples); h < refSamples/2 {
		t.Errorf("a state like its reference: %d of %d windows held", h, refSamples)
	}
	if h := rs.refs()[0].hits(a, refSamples); h != 0 {
		t.Errorf("random bytes: %d of %d windows held by other random bytes", h, refSamples)
	}
	for _, c := range []struct {
		state  []byte
		marker byte
	}{{like(a), 2}, {like(b), 4}, {like(a), 2}} {
		out, r := rs.appendBest(nil, c.state, rs.refs())
		if r == nil || out[0] != c.marker || r.marker != c.marker || len(out) > 64 {
			t.Fatalf("difference %v, %d bytes from reference %d; want from %d", r != nil, len(out), out[0], c.marker)
		}
		if int(rs.hint.Load()) != int(c.marker) {
			t.Errorf("hint %d after a difference from %d", rs.hint.Load(), c.marker)
		}
	}
	if out, r := rs.appendBest(nil, randBytes(15, 3000), rs.refs()); r != nil {
		t.Errorf("random bytes: a difference of %d bytes", len(out))
	}
	// equals: the hint first
	twins := refsOf(t, a, a)
	for hint := range 2 {
		twins.hint.Store(uint32(hint + 1))
		if out, r := twins.appendBest(nil, like(a), twins.refs()); r == nil || int(out[0]) != hint+1 {
			t.Errorf("hint %d, two like references: from %d, %v", hint+1, out[0], r != nil)
		}
	}
}

// TestMemoryRefsHitsMost: hits counts the windows held up to most, at
// whichever samples they are; with one reference (most 1), a state whose
// only sampled window held is the last is tried, as when all are counted.
func TestMemoryRefsHitsMost(t *testing.T) {
	ref := randBytes(21, 3000)
	rs := refsOf(t, ref)
	r := rs.refs()[0]
	all := r.hits(ref, refSamples)
	if all < refSamples/2 {
		t.Fatalf("the reference itself: %d of %d windows held", all, refSamples)
	}
	for most := 1; most <= refSamples; most++ {
		if got := r.hits(ref, most); got != min(most, all) {
			t.Errorf("the reference itself, most %d: %d, want %d", most, got, min(most, all))
		}
	}
	step := (len(ref) - refMatch) / (refSamples - 1)
	tried := 0
	for s := range refSamples {
		// like the reference, but for every sampled window other than s's
		st := bytes.Clone(ref)
		for o := range refSamples {
			if o != s {
				copy(st[o*step:], "\x00\x01\x02\x03\x04\x05\x06\x07")
			}
		}
		w := st[s*step : s*step+refMatch]
		c := int(r.table[refHash(binary.LittleEndian.Uint64(w))]) - 1
		want := 0
		if c >= 0 && bytes.Equal(ref[c:c+refMatch], w) {
			want = 1 // not when an earlier window took its slot
		}
		if got := r.hits(st, refSamples); got != want {
			t.Fatalf("only sample %d kept: %d windows held, want %d", s, got, want)
		}
		if got := r.hits(st, 1); got != want {
			t.Errorf("only sample %d kept, most 1: %d, want %d", s, got, want)
		}
		if out, got := rs.appendBest(nil, st, rs.refs()); (got != nil) != (want == 1) {
			t.Errorf("only sample %d kept: a difference %v (%d bytes), want %v", s, got != nil, len(out), want == 1)
		}
		tried += want
	}
	if tried < refSamples/2 {
		t.Errorf("%d of %d states with one sampled window held", tried, refSamples)
	}
}
