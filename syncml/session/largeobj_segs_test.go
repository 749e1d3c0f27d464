package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// segTestStore is a copyStore that notes the most bytes of a partial
// object a state given for a device holds (not a record of the Server's
// own: a segment), and can fail loads of segments.
type segTestStore struct {
	copyStore
	mu       sync.Mutex
	maxHeld  int
	maxSent  int // the most records of commands sent a state held
	failSegs bool
}

func newSegTestStore() *segTestStore {
	return &segTestStore{copyStore: copyStore{states: map[string][]byte{}, vers: map[string]uint64{}}}
}

func (s *segTestStore) Load(ctx context.Context, device string) ([]byte, uint64, error) {
	s.mu.Lock()
	fail := s.failSegs
	s.mu.Unlock()
	if fail && strings.HasPrefix(device, segPrefix) {
		return nil, 0, errors.New("store down")
	}
	return s.copyStore.Load(ctx, device)
}

func (s *segTestStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if !reserved(device) && len(state) > 0 {
		sess := NewSession(&Config{})
		if err := sess.UnmarshalBinary(state); err != nil {
			return 0, err
		}
		s.mu.Lock()
		s.maxSent = max(s.maxSent, len(sess.st.Sent.sent))
		s.mu.Unlock()
		if lo := sess.st.LO; lo != nil {
			held := len(lo.Data)
			if it := lo.Cmd.ItemList(); len(it) == 1 && it[0].Data != nil {
				held += len(it[0].Data.Value) // the first chunk, kept with its command
			}
			s.mu.Lock()
			s.maxHeld = max(s.maxHeld, held)
			s.mu.Unlock()
		}
	}
	return s.copyStore.CompareAndSwap(ctx, device, old, state)
}

// segments returns the Store's records of segments of device: how many,
// and how many of them hold bytes.
func (s *segTestStore) segments(device string) (names, full int) {
	s.copyStore.mu.Lock()
	defer s.copyStore.mu.Unlock()
	for k, v := range s.states {
		if strings.HasPrefix(k, segPrefix) && strings.HasSuffix(k, "\x00"+device) {
			names++
			if len(v) > 0 {
				full++
			}
		}
	}
	return names, full
}

// segObject returns the bodies of a device's messages sending an object
// of size bytes in chunks of chunk bytes to ./Big (the first with Alert
// 1201 and Meta Size), and the object: chunk i is made of one letter,
// 'a' + i%26.
func segObject(size, chunk int) ([]string, string) {
	var bodies []string
	var whole strings.Builder
	for off := 0; off < size; off += chunk {
		n := min(chunk, size-off)
		data := strings.Repeat(string(rune('a'+len(bodies)%26)), n)
		whole.WriteString(data)
		sz := ""
		if off == 0 {
			sz = strconv.Itoa(size)
		}
		body := replaceChunk(strconv.Itoa(len(bodies)+2), "./Big", sz, data, off+n < size)
		if off == 0 {
			body = alert1201 + body
		}
		bodies = append(bodies, body)
	}
	return bodies, whole.String()
}

// segServed is a Handler noting the objects served to ./Big.
type segServed struct {
	mu  sync.Mutex
	got []string
}

func (h *segServed) config() Config {
	return Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil && itemURI(it[0]) == "./Big" {
			h.mu.Lock()
			h.got = append(h.got, it[0].Data.Value)
			h.mu.Unlock()
		}
		return Response{}
	})}
}

// sendSegObject posts the bodies of device, its messages numbered from
// first, each to the Server server(i) gives, and returns the code the
// last chunk was answered with; every other must be 213. Each message
// answers the Alert 1222 of the reply before it, as a device does.
func sendSegObject(t *testing.T, server func(i int) *Server, dev string, first int, bodies []string) string {
	t.Helper()
	return sendSegObjectVia(t, func(i int, msg []byte) []byte { return postRaw(t, server(i), msg) }, dev, first, bodies)
}

// sendSegObjectVia is sendSegObject, each message posted by post, which
// returns the reply.
func sendSegObjectVia(t *testing.T, post func(i int, msg []byte) []byte, dev string, first int, bodies []string) string {
	t.Helper()
	code, ask := "", ""
	for i, body := range bodies {
		if ask != "" {
			body = `<Status><CmdID>1</CmdID><MsgRef>` + strconv.Itoa(first+i-1) + `</MsgRef><CmdRef>` + ask +
				`</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>` + body
		}
		raw := post(i, deviceMessage(dev, first+i, body, i == len(bodies)-1))
		code, ask = replaceCode(t, raw), alert1222Of(t, raw)
		if i < len(bodies)-1 && code != "213" {
			t.Fatalf("chunk %d answered %s", i, code)
		}
	}
	return code
}

// alert1222Of returns the CmdID of the Alert 1222 in the reply raw, ""
// when none.
func alert1222Of(t *testing.T, raw []byte) string {
	t.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok && a.Data != nil && a.Data.Value == "1222" {
			return a.CmdID
		}
	}
	return ""
}

// TestServerObjectStateBounded: a device sends an object of 1 MiB in
// chunks of 4 KiB. No state the Server gives the Store for the device
// holds the object so far: each holds less than a segment of it and two
// chunks (the first chunk's command is kept), where before it held the
// whole object so far; nor does it hold a record of every Alert 1222
// the Server sent, answered, since the object began. The object is served
// whole, once, and its segments are emptied at its end.
func TestServerObjectStateBounded(t *testing.T) {
	st := newSegTestStore()
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	bodies, whole := segObject(1<<20, 4<<10)
	if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies); code != "200" {
		t.Fatalf("last chunk answered %s", code)
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
	}
	if most := objSegment + 4<<10; st.maxHeld >= most {
		t.Errorf("a state holding %d bytes of the object saved, want under %d", st.maxHeld, most)
	}
	if st.maxSent > 2 {
		t.Errorf("a state holding %d records of commands sent, want at most 2", st.maxSent)
	}
	names, full := st.segments("DEV1")
	if want := (1<<20)/objSegment - 1; names != want || full != 0 { // the last one joined, never saved
		t.Errorf("%d segment records, %d of them not empty; want %d, all empty", names, full, want)
	}
}

// TestServerObjectSegmentsReused: a device sending one object after
// another leaves no more segment records than the largest of them
// needs, all emptied.
func TestServerObjectSegmentsReused(t *testing.T) {
	st := newSegTestStore()
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	next := 1
	for k := range 5 {
		bodies, whole := segObject(300<<10+k, 16<<10)
		if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", next, bodies); code != "200" {
			t.Fatalf("object %d: last chunk answered %s", k, code)
		}
		next += len(bodies)
		if h.got[k] != whole {
			t.Fatalf("object %d served wrong", k)
		}
	}
	names, full := st.segments("DEV1")
	if names > (300<<10+4)/objSegment || full != 0 {
		t.Errorf("%d segment records, %d of them not empty", names, full)
	}
}

// TestServerObjectRestartsAndTwoServers: every message goes to another
// Server sharing the Store (a MemoryStore and a Store of the user's),
// some of them twice (the device's retry after a lost reply: a replay,
// to the other Server); the object is served whole, once.
func TestServerObjectRestartsAndTwoServers(t *testing.T) {
	for _, name := range []string{"mem", "copy"} {
		t.Run(name, func(t *testing.T) {
			var store Store = NewMemoryStore()
			if name == "copy" {
				store = newSegTestStore()
			}
			var h segServed
			cfg := ServerConfig{Store: store, Session: h.config()}
			two := [2]*Server{NewServer(cfg), NewServer(cfg)}
			bodies, whole := segObject(200<<10, 24<<10)
			for i, body := range bodies {
				raw := deviceMessage("DEV1", i+1, body, i == len(bodies)-1)
				var srv *Server
				if i%3 == 0 {
					srv = NewServer(cfg) // a restart: a new Server, the same Store
				} else {
					srv = two[i%2]
				}
				first := postRaw(t, srv, raw)
				if i%2 == 0 {
					if again := postRaw(t, two[(i+1)%2], raw); !bytes.Equal(again, first) {
						t.Fatalf("message %d: the replay's reply differs", i+1)
					}
				}
				want := "213"
				if i == len(bodies)-1 {
					want = "200"
				}
				if code := replaceCode(t, first); code != want {
					t.Fatalf("chunk %d answered %s, want %s", i, code, want)
				}
			}
			if len(h.got) != 1 || h.got[0] != whole {
				t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
			}
			for i := range 2 { // at 72 and 144 KiB
				if seg, ver, err := store.Load(context.Background(), segKey("DEV1", i)); err != nil || len(seg) != 0 || ver == 0 {
					t.Errorf("segment %d: %d bytes, version %d, %v; want emptied", i, len(seg), ver, err)
				}
			}
		})
	}
}

// TestServerObjectSegmentChanged: a segment of the object missing, or
// changed, in the Store when its last chunk comes: the object is refused
// (424), never served.
func TestServerObjectSegmentChanged(t *testing.T) {
	for _, change := range []string{"changed", "emptied", "longer", "other generation", "no generation"} {
		t.Run(change, func(t *testing.T) {
			st := newSegTestStore()
			var h segServed
			s := NewServer(ServerConfig{Store: st, Session: h.config()})
			bodies, _ := segObject(200<<10, 16<<10)
			n := len(bodies)
			if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:n-1]); code != "213" {
				t.Fatalf("answered %s", code)
			}
			ctx := context.Background()
			key := segKey("DEV1", 1)
			seg, ver, _ := st.Load(ctx, key)
			if gen, data := segRecordOf(seg); len(data) != objSegment || gen == 0 {
				t.Fatalf("segment 1 of %d bytes, generation %d", len(data), gen)
			}
			switch change {
			case "changed":
				seg[segHeader+100] ^= 1
			case "emptied":
				seg = nil
			case "longer":
				seg = append(seg, 'x')
			case "other generation": // another object's
				seg[segHeader-1]++
			case "no generation": // an older build's
				seg = seg[segHeader:]
			}
			if _, err := st.CompareAndSwap(ctx, key, ver, seg); err != nil {
				t.Fatal(err)
			}
			raw := postRaw(t, s, deviceMessage("DEV1", n, bodies[n-1], true))
			if code := replaceCode(t, raw); code != "424" {
				t.Errorf("last chunk answered %s, want 424", code)
			}
			if len(h.got) != 0 {
				t.Errorf("served %d objects", len(h.got))
			}
		})
	}
}

// TestServerObjectSegmentLoadFails: a Store that fails to load a segment
// when the object is joined fails the message (500, nothing saved); the
// device's retry, the Store back, gets its object joined.
func TestServerObjectSegmentLoadFails(t *testing.T) {
	st := newSegTestStore()
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	bodies, whole := segObject(200<<10, 16<<10)
	n := len(bodies)
	sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:n-1])
	last := deviceMessage("DEV1", n, bodies[n-1], true)
	st.failSegs = true
	req := httptest.NewRequest(http.MethodPost, "http://dm.test/", bytes.NewReader(last))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("HTTP %d, want 500", rec.Code)
	}
	st.failSegs = false
	if code := replaceCode(t, postRaw(t, s, last)); code != "200" {
		t.Fatalf("retry answered %s", code)
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects", len(h.got))
	}
}

// TestServerObjectFromStateWithoutSegments: a state of format 9 that
// holds the object so far itself (as earlier versions, and a bare
// Session, save it) goes on under a Server: its data goes to a segment,
// and the object is joined whole.
func TestServerObjectFromStateWithoutSegments(t *testing.T) {
	var h segServed
	cfg := h.config()
	bodies, whole := segObject(300<<10, 20<<10)
	bare := NewSession(&cfg)
	for i, body := range bodies[:5] {
		handle(t, bare, deviceMessage("DEV1", i+1, body, false))
	}
	b, err := bare.MarshalBinary()
	if err != nil || b[0] != stateFormat || len(bare.st.LO.Data) != 100<<10 {
		t.Fatalf("bare state of format %d, %v", b[0], err)
	}
	st := newSegTestStore()
	if _, err := st.CompareAndSwap(context.Background(), "DEV1", 0, b); err != nil {
		t.Fatal(err)
	}
	s := NewServer(ServerConfig{Store: st, Session: cfg})
	if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 6, bodies[5:]); code != "200" {
		t.Fatalf("last chunk answered %s", code)
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
	}
}

// TestStateSegmentsRoundTrip: a state naming segments is saved in format
// 11 (with their generation) and reads back the same; damaged segment
// fields do not read.
func TestStateSegmentsRoundTrip(t *testing.T) {
	var h segServed
	cfg := h.config()
	st := newSegTestStore()
	s := NewServer(ServerConfig{Store: st, Session: cfg})
	bodies, _ := segObject(200<<10, 40<<10)
	sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:3])
	raw, _, _ := st.Load(context.Background(), "DEV1")
	if raw[0] != stateFormatSegGen {
		t.Fatalf("format %d", raw[0])
	}
	sess := NewSession(&cfg)
	if err := sess.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	lo := sess.st.LO
	if lo.Segs != 1 || lo.SegLen != 80<<10 || lo.received() != 120<<10 || lo.SegGen == 0 {
		t.Fatalf("segments %d of %d bytes (generation %d), %d received", lo.Segs, lo.SegLen, lo.SegGen, lo.received())
	}
	again, err := sess.MarshalBinary()
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("saved again differs (%v)", err)
	}
	for _, bad := range []func(*largeObject){
		func(lo *largeObject) { lo.SegSum = []byte("not a hash") },
		func(lo *largeObject) { lo.SegLen = 0 },
		func(lo *largeObject) { lo.SegSum = lo.SegSum[:50] },
		// a segment of a byte each: every one holds MinObjectSegment or
		// more (the least ServerConfig.ObjectSegment)
		func(lo *largeObject) { lo.Segs = lo.SegLen },
		func(lo *largeObject) { lo.Segs = lo.SegLen/MinObjectSegment + 1 },
	} {
		sess := NewSession(&cfg)
		_ = sess.UnmarshalBinary(raw)
		bad(sess.st.LO)
		b, err := sess.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := NewSession(&cfg).UnmarshalBinary(b); !errors.Is(err, ErrStoredState) {
			t.Errorf("damaged segments read: %v", err)
		}
	}
}

// TestServerRefusesReservedDeviceKey: a device key of the Server's
// reserved names (a segment's, say) is refused, not run on that record.
func TestServerRefusesReservedDeviceKey(t *testing.T) {
	s := NewServer(ServerConfig{})
	err := s.Queue(context.Background(), segKey("DEV1", 0), NewGets("./X")...)
	if err == nil {
		t.Fatal("queued for a segment's name")
	}
}

// TestServerObjectUnansweredAsks: a device that never answers the Alerts
// 1222 of a long package does not make every state hold one more record
// of them either.
func TestServerObjectUnansweredAsks(t *testing.T) {
	st := newSegTestStore()
	var h segServed
	s := NewServer(ServerConfig{Store: st, Session: h.config()})
	bodies, whole := segObject(256<<10, 2<<10)
	for i, body := range bodies {
		postRaw(t, s, deviceMessage("DEV1", i+1, body, i == len(bodies)-1))
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects", len(h.got))
	}
	if st.maxSent > keptAsks+1 {
		t.Errorf("a state holding %d records of commands sent, want at most %d", st.maxSent, keptAsks+1)
	}
}

// TestServerObjectOlderBuildSegments: an object begun under an older
// build (a state of format 10, of generation 0, its segment records
// without header) goes on under this one: its next segments are written
// without header too (an older build can still join it), its states stay
// of format 10, and it is served whole. Before generations, this is how
// every object went.
func TestServerObjectOlderBuildSegments(t *testing.T) {
	var h segServed
	cfg := h.config()
	st := newSegTestStore()
	s := NewServer(ServerConfig{Store: st, Session: cfg})
	bodies, whole := segObject(300<<10, 20<<10) // segments at 80, 160 and 240 KiB
	ctx := context.Background()
	sendSegObject(t, func(int) *Server { return s }, "DEV1", 1, bodies[:5])
	// as an older build left it
	raw, ver, _ := st.Load(ctx, "DEV1")
	sess := NewSession(&cfg)
	if err := sess.UnmarshalBinary(raw); err != nil || sess.st.LO.Segs != 1 || sess.st.LO.SegGen == 0 {
		t.Fatalf("state of %d segments, generation %d: %v", sess.st.LO.Segs, sess.st.LO.SegGen, err)
	}
	sess.st.LO.SegGen = 0
	old, err := sess.MarshalBinary()
	if err != nil || old[0] != stateFormatSegs {
		t.Fatalf("state of format %d, %v", old[0], err)
	}
	if _, err := st.CompareAndSwap(ctx, "DEV1", ver, old); err != nil {
		t.Fatal(err)
	}
	rec, rv, _ := st.Load(ctx, segKey("DEV1", 0))
	if _, err := st.CompareAndSwap(ctx, segKey("DEV1", 0), rv, rec[segHeader:]); err != nil {
		t.Fatal(err)
	}
	n := len(bodies)
	// the ask answered is the reply's before the states were changed:
	// the Status of message 5's Alert 1222 is not checked (see sendSegObject)
	sendSegObject(t, func(int) *Server { return s }, "DEV1", 6, bodies[5:n-1])
	if raw, _, _ := st.Load(ctx, "DEV1"); raw[0] != stateFormatSegs {
		t.Errorf("state of format %d, want %d", raw[0], stateFormatSegs)
	}
	if rec, _, _ := st.Load(ctx, segKey("DEV1", 1)); len(rec) != 80<<10 || rec[0] == 0 {
		t.Errorf("segment 1 of %d bytes, want 80 KiB without header", len(rec))
	}
	if code := sendSegObject(t, func(int) *Server { return s }, "DEV1", 6+n-6, bodies[n-1:]); code != "200" {
		t.Fatalf("last chunk answered %s", code)
	}
	if len(h.got) != 1 || h.got[0] != whole {
		t.Fatalf("served %d objects, want the one of %d bytes", len(h.got), len(whole))
	}
}
