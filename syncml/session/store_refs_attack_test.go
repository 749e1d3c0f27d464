package session

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// attackRefs returns maxRefs references, each nwords random words of 8
// bytes in an order of its own, each word followed by a separator byte of
// its own (so that no reference is like another: copies of 8 bytes and a
// byte between them), and the words found (first in their table slot)
// in every one.
func attackRefs(nwords int) ([][]byte, [][]byte) {
	r := rand.New(rand.NewPCG(9, 9))
	ws := make([][]byte, nwords)
	for i := range ws {
		w := make([]byte, 8)
		binary.LittleEndian.PutUint64(w, r.Uint64())
		w[0] = 'a' + byte(i%26) // never a separator (< 'a')
		ws[i] = w
	}
	refs := make([][]byte, maxRefs)
	for k := range refs {
		var b []byte
		for _, j := range r.Perm(len(ws)) {
			b = append(b, ws[j]...)
			b = append(b, byte('0'+k))
		}
		refs[k] = b
	}
	var found [][]byte
	for _, w := range ws {
		ok := true
		for _, ref := range refs {
			m := newMemRef(ref)
			c := int(m.table[refHash(binary.LittleEndian.Uint64(w))]) - 1
			if c < 0 || string(ref[c:c+8]) != string(w) {
				ok = false
			}
		}
		if ok {
			found = append(found, w)
		}
	}
	return refs, found
}

// attackState returns a state of n bytes of words of ws, one after
// another in a random order: against each reference, copies of 8 bytes
// each, 4 bytes of difference for 8 of state.
func attackState(ws [][]byte, n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, 0, n+8)
	for len(b) < n {
		b = append(b, ws[r.IntN(len(ws))]...)
	}
	return b[:n]
}

// BenchmarkMemoryRefsShortRuns: the worst CompareAndSwap found, a state
// (2 KiB, 16 KiB, just under refMaxDiff) of words each found in all four
// references but followed there by other bytes: four whole differences
// of copies of 8 bytes, each just under half the state (refs), against
// the same bytes stored as they are (raw).
// TestMemoryRefsShortRuns: the references of attackRefs are made
// references when stored first, and states of their words, copies of 8
// bytes from every reference, are stored as differences of just under
// half from each (every reference tried whole: the premise of
// BenchmarkMemoryRefsShortRuns) and read back exactly; so are the
// check-in states after poisonRefs' references (BenchmarkMemoryRefsPoisoned).
func TestMemoryRefsShortRuns(t *testing.T) {
	refs, ws := attackRefs(220)
	if len(ws) < 40 {
		t.Fatalf("%d words found in every reference", len(ws))
	}
	bs := newBenchStates(&testing.B{})
	check := func(name string, refs [][]byte, st []byte) {
		rs := &memRefs{}
		for i, ref := range refs {
			if _, diff := checkStored(t, rs, ref); !diff || len(rs.refs()) != i+1 {
				t.Fatalf("%s: reference %d not made", name, i)
			}
		}
		for k, r := range rs.refs() {
			d, _ := r.appendDiff(nil, byte(k+1), st, len(st))
			if len(d) < len(st)*2/5 || len(d) > len(st)/2+len(st)/50 {
				t.Errorf("%s: %d bytes, a difference of %d from reference %d", name, len(st), len(d), k)
			}
		}
		checkStored(t, rs, st)
	}
	for _, n := range []int{refMinState, 1000, refMaxState, refMaxDiff} {
		check(fmt.Sprint("short runs ", n), refs, attackState(ws, n, uint64(n)))
	}
	st, _ := bs.state(5)
	check("pieces of 9", poisonRefs(bs.template, 9), st)
}

func BenchmarkMemoryRefsShortRuns(b *testing.B) {
	ctx := context.Background()
	refs, ws := attackRefs(220)
	for _, n := range []int{2048, 16 << 10, refMaxDiff - 8} {
		st := attackState(ws, n, 1)
		b.Run(fmt.Sprintf("short/refs/%d", n), func(b *testing.B) {
			s := NewMemoryStore()
			fillRefs(b, &s.refs, refs...)
			noReplace(&s.refs) // the worst: a difference from each tried, none replaced
			dev := "DEV"
			var v uint64
			for b.Loop() {
				var err error
				if v, err = s.CompareAndSwap(ctx, dev, v, st); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("short/raw/%d", n), func(b *testing.B) {
			s := NewMemoryStore()
			i := 0
			for b.Loop() {
				s.storeRaw(fmt.Sprint(i), st)
				i++
			}
		})
	}
}

// poisonRefs returns maxRefs references made of template's bytes in
// pieces of size bytes, each reference's pieces in an order of its own
// and each piece followed by a separator byte.
func poisonRefs(template []byte, size int) [][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	var pieces [][]byte
	for i := 0; i+size <= len(template); i += size {
		pieces = append(pieces, template[i:i+size])
	}
	refs := make([][]byte, maxRefs)
	for k := range refs {
		var b []byte
		for _, j := range r.Perm(len(pieces)) {
			b = append(b, pieces[j]...)
			b = append(b, 0xF0+byte(k))
			if len(b) >= refMaxState-size-1 {
				break
			}
		}
		refs[k] = b
	}
	return refs
}

// BenchmarkMemoryRefsPoisoned stores dmserver-like check-in states of new
// devices after the four references were made of other states: none
// (one reference, the first check-in's), random bytes, and a first
// check-in's bytes in shuffled pieces of 9. The first check-in, unlike
// them (or like them poorly), takes the place of one, and the others are
// differences from it. The same with no replacement due (kept: as when
// maxRetired references are retired), every check-in is stored as it is
// after four tries (random) or as a difference of just under half, after
// four whole tries (pieces9). stored-B/device is the slab bytes each
// device adds.
func BenchmarkMemoryRefsPoisoned(b *testing.B) {
	ctx := context.Background()
	bs := newBenchStates(b)
	for _, tc := range []struct {
		name string
		refs [][]byte
	}{
		{"none", nil},
		{"random", [][]byte{randBytes(1, 300), randBytes(2, 300), randBytes(3, 300), randBytes(4, 300)}},
		{"random16k", [][]byte{randBytes(1, refMaxState), randBytes(2, refMaxState), randBytes(3, refMaxState), randBytes(4, refMaxState)}},
		{"pieces9", poisonRefs(bs.template, 9)},
		{"random/kept", [][]byte{randBytes(1, 300), randBytes(2, 300), randBytes(3, 300), randBytes(4, 300)}},
		{"pieces9/kept", poisonRefs(bs.template, 9)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := NewMemoryStore()
			for i, ref := range tc.refs {
				if _, err := s.CompareAndSwap(ctx, fmt.Sprint("poison", i), 0, ref); err != nil {
					b.Fatal(err)
				}
			}
			if strings.HasSuffix(tc.name, "/kept") {
				noReplace(&s.refs)
			}
			if len(s.refs.refs()) != len(tc.refs) {
				b.Fatalf("%d references of %d", len(s.refs.refs()), len(tc.refs))
			}
			n, live0 := 0, s.slabs.live
			for b.Loop() {
				st, dev := bs.state(n)
				if _, err := s.CompareAndSwap(ctx, dev, 0, st); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(s.slabs.live-live0)/float64(n), "stored-B/device")
		})
	}
}

// TestMemoryRefsServerReplay: check-ins through a Server whose
// MemoryStore keeps the states as differences: a message sent again gets
// the same reply bytes, the state kept holds the reply, and the replies
// an OnExchange hook kept stay as they were.
func TestMemoryRefsServerReplay(t *testing.T) {
	s := NewMemoryStore()
	gets := []string{"./DevDetail/SwV", "./DevDetail/OEM", "./DevDetail/DevTyp", "./DevDetail/FwV", "./DevDetail/HwV", "./DevInfo/DevId"}
	type seen struct{ raw, copy []byte }
	var hooked []seen
	srv := NewServer(ServerConfig{Store: s, OnExchange: func(_ context.Context, x *Exchange) {
		hooked = append(hooked, seen{x.Raw, bytes.Clone(x.Raw)})
	}, Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
		if first {
			_ = s.Queue(NewGets(gets...)...)
		}
	}}})
	post := func(body []byte) []byte { return postOK(t, srv, body) }
	for i := range 30 {
		id := dmID(i)
		msg := syncmltest.WindowsCheckIn(id, fmt.Sprint(i+1))
		first := post(msg)
		again := post(msg)
		if !bytes.Equal(first, again) {
			t.Fatalf("%s: replay %q, first %q", id, again, first)
		}
		if form := storedOf(s, id); i > 0 && form[0] == 0 {
			t.Fatalf("%s: stored as is", id)
		}
		st, _, _ := s.Load(context.Background(), id)
		if !bytes.Contains(st, first) {
			t.Fatalf("%s: the reply is not in the state kept", id)
		}
	}
	for i, h := range hooked {
		if !bytes.Equal(h.raw, h.copy) {
			t.Fatalf("exchange %d: Raw changed", i)
		}
	}
}

// TestMemoryRefsServerPackages: whole sessions of multi-message packages
// and large objects both ways, through a Server with a MemoryStore (its
// states differences) and one with another Store: the same replies and
// states (but for the URL and the hash of the request holding it), and
// the replies an OnExchange hook kept stay as they were.
func TestMemoryRefsServerPackages(t *testing.T) {
	ctx := context.Background()
	mem := NewMemoryStore()
	type seen struct{ raw, copy, state []byte }
	var mu sync.Mutex
	hooked := map[int][]seen{}
	var servers [2]*Server
	for j, st := range []Store{mem, wrappedStore{NewMemoryStore()}} {
		servers[j] = NewServer(ServerConfig{Store: st, Session: Config{AnnounceMaxMsgSize: 2000}, OnExchange: func(ctx context.Context, x *Exchange) {
			state, _, err := st.Load(ctx, x.Identity.Device)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			hooked[j] = append(hooked[j], seen{x.Raw, bytes.Clone(x.Raw), state})
			mu.Unlock()
		}})
	}
	var urls [2]string
	for j, s := range servers {
		srv := httptest.NewServer(s)
		urls[j] = srv.URL
		for i := range 12 {
			dev := dmID(i)
			big := strings.Repeat(fmt.Sprintf("<v%d/>", i%3), 900+i)
			if err := s.Queue(ctx, dev, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Big"}, Data: syncml.Text(big)}}},
				get("./DevDetail/SwV"), get("./DevDetail/OEM"), get("./DevDetail/"+strings.Repeat("x", i*40))); err != nil {
				t.Fatal(err)
			}
			c, err := NewClient(ClientConfig{DeviceID: dev, ServerURI: srv.URL, Handler: bigMux(), MaxMsgSize: 1500, MaxObjSize: 100000, DevInfo: DevInfo{DevID: dev, Lang: "en-US"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Run(ctx, srv.Client(), srv.URL, "1", NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user")); err != nil {
				t.Fatalf("server %d %s: %v", j, dev, err)
			}
		}
		srv.Close()
	}
	diffs := 0
	for i := range 12 {
		if f := storedOf(mem, dmID(i)); len(f) > 0 && f[0] != 0 {
			diffs++
		}
	}
	if diffs < 10 {
		t.Fatalf("%d of 12 states kept as differences", diffs)
	}
	if len(hooked[0]) != len(hooked[1]) {
		t.Fatalf("%d exchanges and %d", len(hooked[0]), len(hooked[1]))
	}
	for i := range hooked[0] {
		a, b := hooked[0][i], hooked[1][i]
		if !bytes.Equal(a.raw, a.copy) || !bytes.Equal(b.raw, b.copy) {
			t.Fatalf("exchange %d: Raw changed since the hook", i)
		}
		if !bytes.Equal(bytes.ReplaceAll(a.raw, []byte(urls[0]), nil), bytes.ReplaceAll(b.raw, []byte(urls[1]), nil)) {
			t.Fatalf("exchange %d: replies differ\n%s\n%s", i, a.raw, b.raw)
		}
		// the hash of the request, which holds the URL, masked
		mask := func(st []byte, url string) []byte {
			st = bytes.Clone(st)
			if i := bytes.Index(st, []byte("DM/1.2 ")); i >= 0 && i+7+32 <= len(st) {
				clear(st[i+7 : i+7+32])
			}
			return bytes.ReplaceAll(st, []byte(url), nil)
		}
		if !bytes.Equal(mask(a.state, urls[0]), mask(b.state, urls[1])) {
			t.Fatalf("exchange %d: states differ\n%q\n%q", i, a.state, b.state)
		}
	}
}

// bigMux is deviceMux answering a Get with 5,000 bytes: a large object.
func bigMux() *Mux {
	mux := NewMux()
	_ = mux.HandleSubtree("Get", "./DevDetail", HandlerFunc(func(_ context.Context, r *Request) Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text(strings.Repeat("v:"+it.Target.LocURI, 300)[:5000])})
		}
		return Response{Results: items}
	}))
	_ = mux.HandleSubtree("", "./Vendor/MSFT", Accept)
	return mux
}

// TestMemoryRefsRefusedNoReference: check-ins refused for want of
// credentials, with device IDs of 600 bytes, make no reference: states
// of devices not authenticated cannot make the references useless for
// those that are. They keep no state at all (see
// TestNoStateBeforeAuthentication); MD5's first challenge makes the
// Server's first-nonce key, the one entry.
func TestMemoryRefsRefusedNoReference(t *testing.T) {
	for _, typ := range []AuthType{AuthBasic, AuthMD5} {
		users := &MemoryUsers{}
		users.Set("dev", "secret")
		mem := NewMemoryStore()
		srv := NewServer(ServerConfig{Store: mem, Session: Config{Authenticator: &CredAuthenticator{Type: typ, Users: users}}})
		for i := range 6 {
			id := fmt.Sprintf("%x", randBytes(uint64(i), 300))
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(syncmltest.WindowsCheckIn(id, "1")))
			req.Header.Set("Content-Type", ContentType)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: message %d: HTTP %d", typ, i, rec.Code)
			}
			keys := 0
			if typ == AuthMD5 {
				keys = 1
			}
			if n := len(mem.refs.refs()); n != 0 || mem.n != keys {
				t.Fatalf("%s: after %d refused check-ins, %d devices kept, %d references", typ, i+1, mem.n, n)
			}
		}
	}
}

// TestRefMatchLen: refMatchLen is the length of the common start of its
// arguments (which share refMatch bytes at least), for every length of
// either up to 200 and every place of the first difference.
func TestRefMatchLen(t *testing.T) {
	base := randBytes(11, 200)
	for la := refMatch; la <= len(base); la++ {
		for _, lb := range []int{refMatch, la - 1, la, la + 1, len(base)} {
			if lb < refMatch || lb > len(base) {
				continue
			}
			for diff := refMatch; diff <= min(la, lb); diff++ {
				b := bytes.Clone(base[:lb])
				if diff < lb {
					b[diff] ^= 0x40
				}
				if got, want := refMatchLen(base[:la], b), min(diff, la, lb); got != want {
					t.Fatalf("lengths %d and %d, first difference at %d: refMatchLen %d, want %d", la, lb, diff, got, want)
				}
			}
		}
	}
}

// TestRefMatchLenLong: so is it for the common starts of runs over the
// blocks it compares at once (up to thousands of bytes, halved where they
// differ), at every place of the first difference.
func TestRefMatchLenLong(t *testing.T) {
	base := randBytes(12, 5000)
	for _, la := range []int{700, 2049, 4095, 5000} {
		for _, lb := range []int{la - 1, la, la + 1} {
			if lb > len(base) {
				continue
			}
			b := bytes.Clone(base[:lb])
			for diff := refMatch; diff <= min(la, lb); diff++ {
				if diff < lb {
					b[diff] ^= 0x40
				}
				if got, want := refMatchLen(base[:la], b), min(diff, la, lb); got != want {
					t.Fatalf("lengths %d and %d, first difference at %d: refMatchLen %d, want %d", la, lb, diff, got, want)
				}
				if diff < lb {
					b[diff] ^= 0x40
				}
			}
		}
	}
}

// TestMemoryRefsServerPoisoned: four devices first after start, each
// checking in with 40 Replace items of its own random LocURIs of 300
// characters (echoed in the reply it keeps), make the four references,
// states of 16 KB; the check-ins of ordinary devices after them are
// still kept as differences, and the first one, whose difference from
// them is poor (over an eighth), takes the place of one of them: the
// others cost what they do with no poisoned reference (119 slab bytes of
// their 2,703; 430 when the poisoned references were kept for good, the
// two holding most of a state's sampled windows tried).
func TestMemoryRefsServerPoisoned(t *testing.T) {
	perDevice := func(poisoned bool) (int, *MemoryStore) {
		s := NewMemoryStore()
		srv := dmServer(s)
		if poisoned {
			for p := range maxRefs {
				var items strings.Builder
				for j := range 40 {
					fmt.Fprintf(&items, `<Item><Source><LocURI>./Vendor/MSFT/%x</LocURI></Source><Data>1</Data></Item>`, randBytes(uint64(p*100+j), 150))
				}
				postOK(t, srv, bytes.Replace(syncmltest.WindowsCheckIn(fmt.Sprint("POISON", p), "1"), []byte("</Replace>"), []byte(items.String()+"</Replace>"), 1))
			}
			if n := len(s.refs.refs()); n != maxRefs {
				t.Fatalf("%d references after the poisoning check-ins", n)
			}
		}
		postOK(t, srv, syncmltest.WindowsCheckIn(dmID(0), "1"))
		live := s.slabs.live
		const devices = 100
		for i := 1; i <= devices; i++ {
			postOK(t, srv, syncmltest.WindowsCheckIn(dmID(i), fmt.Sprint(i+1)))
			if form := storedOf(s, dmID(i)); len(form) == 0 || form[0] == 0 {
				t.Fatalf("%s: stored as it is, %d bytes", dmID(i), len(form))
			}
		}
		if err := checkRefCounts(s); err != nil {
			t.Fatal(err)
		}
		return (s.slabs.live - live) / devices, s
	}
	clean, _ := perDevice(false)
	poisoned, s := perDevice(true)
	t.Logf("slab bytes a device: %d with no poisoned reference, %d after four", clean, poisoned)
	if poisoned > clean+clean/10 {
		t.Errorf("%d slab bytes a device after poisoned references; want about the %d with none", poisoned, clean)
	}
	if s.refs.replaced != 1 {
		t.Errorf("%d replacements; want 1", s.refs.replaced)
	}
}

// postOK posts body to h as a device does and returns the reply, failing
// t unless it is 200.
func postOK(t *testing.T, h http.Handler, body []byte) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}
