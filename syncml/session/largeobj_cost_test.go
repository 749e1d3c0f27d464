package session

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The costs of a large object from the Server (BenchmarkServerLargeObject)
// that do not grow with the object at every message: what they may break.

// damagedState returns a state of format 8 (an object in chunks) whose
// texts kept apart hold a NUL, which XML cannot carry.
func damagedState(t *testing.T) []byte {
	t.Helper()
	cmd := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(strings.Repeat("abcdefgh", 2000))}}}
	_, _, states := deliverSaved(t, cmd, 4000, (*Session).MarshalBinary)
	b := states[len(states)/2]
	if b[0] != stateFormat {
		t.Fatalf("state of format %d", b[0])
	}
	return bytes.ReplaceAll(b, []byte("abcdefgh"), []byte("\x00bcdefgh"))
}

// TestOwnStateTextsTrusted: the texts of a state are checked when it
// loads, unless a Server saved it from its own session in a MemoryStore
// (own): a check as long as the object at every message.
func TestOwnStateTextsTrusted(t *testing.T) {
	bad := damagedState(t)
	if err := NewSession(nil).unmarshalOwn(bytes.Clone(bad), false); !errors.Is(err, ErrStoredState) {
		t.Errorf("not own: %v, want ErrStoredState", err)
	}
	if err := NewSession(nil).unmarshalOwn(bytes.Clone(bad), true); err != nil {
		t.Errorf("own: %v, want the texts taken as checked", err)
	}
	// the framing is checked all the same
	if err := NewSession(nil).unmarshalOwn(bad[:len(bad)-3], true); !errors.Is(err, ErrStoredState) {
		t.Errorf("own, cut short: %v, want ErrStoredState", err)
	}
}

// TestMemoryStoreOwn: only a state the Server saves from its session is
// own; one written through CompareAndSwap, the Store's method that
// anyone may call, is not, and replaces an own one as not own.
func TestMemoryStoreOwn(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	state := bytes.Repeat([]byte("state "), 100)
	v, _, _, err := s.compareAndSwapKept(ctx, "D", 0, state, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, own, _ := s.loadKept(ctx, "D"); !own {
		t.Error("saved own: loads as not own")
	}
	v, err = s.CompareAndSwap(ctx, "D", v, state)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, own, _ := s.loadKept(ctx, "D"); own {
		t.Error("replaced through CompareAndSwap: loads as own")
	}
	if _, _, _, err := s.compareAndSwapKept(ctx, "D", v, state, nil, true); err != nil {
		t.Fatal(err)
	}
	if _, _, own, _ := s.loadKept(ctx, "D"); !own {
		t.Error("saved own again: loads as not own")
	}
}

// TestServerRefusesDamagedStoredTexts: a damaged state of format 8 put in
// the Server's MemoryStore through CompareAndSwap is refused (without
// ServerConfig.ReplaceUnreadableState, the device gets no reply of its
// session), while the states the Server saves itself while an object
// goes out in chunks are own.
func TestServerRefusesDamagedStoredTexts(t *testing.T) {
	mem := NewMemoryStore()
	if _, err := mem.CompareAndSwap(context.Background(), "D", 0, damagedState(t)); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(ServerConfig{Store: mem})
	msg := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>7</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(msg))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		t.Fatalf("damaged state: %d, want a refusal", rec.Code)
	}

	// a session of the Server's own: its states of format 8 are own,
	// those over refMaxDiff kept as they were built (compareAndSwapOwn)
	value := strings.Repeat("&a", 50000)
	mem = NewMemoryStore()
	eights := 0
	srv = NewServer(ServerConfig{Store: mem, Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(value)}}})
	}}})
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		if raw, _, own, err := mem.loadKept(context.Background(), "DEV"); err == nil && len(raw) > 0 && raw[0] == stateFormat {
			eights++
			if !own {
				t.Errorf("state %d of format 8 the Server saved: not own", eights)
			}
		}
		return rec.Result(), nil
	})}
	got := ""
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "http://dm.test/", MaxMsgSize: 16000,
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
				got = it[0].Data.Value
			}
			return Response{}
		})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), hc, "http://dm.test/", "1"); err != nil {
		t.Fatal(err)
	}
	if got != value {
		t.Fatalf("device got %d bytes, want %d", len(got), len(value))
	}
	if eights < 3 {
		t.Fatalf("%d states of format 8", eights)
	}
}

// TestChunkCommandsBadTextOverRoom: an object longer than the room is cut
// without being encoded whole first; text XML cannot carry, at its end,
// still fails chunkCommands, nothing left cut.
func TestChunkCommandsBadTextOverRoom(t *testing.T) {
	for _, kind := range []syncml.DataKind{syncml.DataText, syncml.DataCDATA} {
		value := strings.Repeat("a", 20000) + "\x00"
		c := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: &syncml.Data{Kind: kind, Value: value}}}}
		h := &syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1", Target: syncml.Location{LocURI: "D"}, Source: syncml.Location{LocURI: "S"}}
		out, _, cut, err := chunkCommands([]syncml.Command{c}, 4000, 0, h, nil)
		if err == nil {
			t.Errorf("kind %d: %d commands, no error", kind, len(out))
		}
		if len(cut) != 0 || len(c.Items) != 1 || c.Items[0].Data.Value != value || c.Items[0].MoreData {
			t.Errorf("kind %d: the command stays cut", kind)
		}
	}
}

// TestSplitMixedEscaping: each piece is first tried at the length the
// last piece's escaping says fits; text that escapes less than the last
// piece's (plain after "&") still makes pieces that about fill the room,
// not pieces a fifth as long: about as many pieces as the object takes
// encoded.
func TestSplitMixedEscaping(t *testing.T) {
	for _, value := range []string{
		strings.Repeat("&", 30000) + strings.Repeat("a", 30000),
		strings.Repeat("a", 30000) + strings.Repeat("&", 30000),
		strings.Repeat("&&&&&&&&&&a", 3000) + strings.Repeat("a", 30000) + strings.Repeat("<", 10000),
		strings.Repeat(strings.Repeat("&", 2000)+strings.Repeat("a", 2000), 15),
	} {
		const room = 4000
		c := &syncml.Replace{CmdID: "1", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(value)}}}
		whole, err := encodedLen(c)
		if err != nil {
			t.Fatal(err)
		}
		chunks, err := split(c, room, room, false)
		if err != nil {
			t.Fatal(err)
		}
		joined := ""
		for i, ch := range chunks {
			joined += ch.ItemList()[0].Data.Value
			l, err := encodedLen(ch)
			if err != nil {
				t.Fatal(err)
			}
			if l > room {
				t.Errorf("piece %d of %d: %d bytes encoded, over %d", i, len(chunks), l, room)
			}
		}
		if joined != value {
			t.Errorf("pieces join to %d bytes, want %d", len(joined), len(value))
		}
		// not a quarter more pieces than the longest that fit make
		if most := longestPieces(t, value, room) * 5 / 4; len(chunks) > most {
			t.Errorf("%d pieces of an object of %d bytes encoded, want at most %d", len(chunks), whole, most)
		}
	}
}

// longestPieces returns how many pieces value makes in commands of at
// most room bytes encoded, each piece the longest that fits (found by
// bisection, not as split finds it).
func longestPieces(t *testing.T, value string, room int) int {
	t.Helper()
	size := len(value)
	fits := func(v string, first bool) bool {
		it := syncml.Item{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(v), MoreData: true}
		if first {
			it.Meta = sizedMeta(nil, size)
		}
		l, err := encodedLen(&syncml.Replace{CmdID: "2147483647", Items: []syncml.Item{it}})
		if err != nil {
			t.Fatal(err)
		}
		return l <= room
	}
	n := 0
	for first := true; value != ""; first = false {
		lo, hi := 1, len(value) // lo fits (a byte always does here)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(value[:mid], first) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		value = value[lo:]
		n++
	}
	return n
}

// TestMemoryStoreCompareAndSwapOwn: a large state laid out as its record
// becomes it without a copy, loads as it was saved, own, and is replaced,
// refused on a stale version and compacted as any other; a small one is
// copied.
func TestMemoryStoreCompareAndSwapOwn(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	laid := func(device string, state []byte) []byte {
		rec := make([]byte, ownRoom(device), ownRoom(device)+len(state))
		return append(rec, state...)
	}
	big := bytes.Repeat([]byte("large state "), refMaxDiff/8)
	rec := laid("D", big)
	v, kept, err := s.compareAndSwapOwn(ctx, "D", 0, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, big) || &kept[0] != &rec[ownRoom("D")] {
		t.Error("large state: not kept where it was built")
	}
	if got, gv, own, err := s.loadKept(ctx, "D"); err != nil || gv != v || !own || !bytes.Equal(got, big) {
		t.Errorf("load: version %d (want %d), own %v, equal %v, %v", gv, v, own, bytes.Equal(got, big), err)
	}
	if _, _, err := s.compareAndSwapOwn(ctx, "D", v+1, laid("D", big)); !errors.Is(err, ErrConflict) {
		t.Errorf("stale version: %v, want ErrConflict", err)
	}
	small := []byte("small state")
	rec = laid("E", small)
	_, kept, err = s.compareAndSwapOwn(ctx, "E", 0, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, small) || &kept[0] == &rec[ownRoom("E")] {
		t.Error("small state: not copied")
	}
	// many devices replaced in turn: the slabs are compacted, the states
	// of the large records stay as saved
	for round := range 20 {
		for _, dev := range []string{"D", "F", "G"} {
			_, ver, _ := s.LoadShared(ctx, dev)
			state := bytes.Repeat([]byte{byte('a' + round)}, refMaxDiff+1+round)
			if round%2 == 1 {
				state = state[:100]
			}
			if round%3 == 0 {
				if _, err := s.CompareAndSwap(ctx, dev, ver, state); err != nil {
					t.Fatal(err)
				}
			} else if _, _, err := s.compareAndSwapOwn(ctx, dev, ver, laid(dev, state)); err != nil {
				t.Fatal(err)
			}
			if got, _, err := s.Load(ctx, dev); err != nil || !bytes.Equal(got, state) {
				t.Fatalf("round %d, %s: loads %d bytes, want %d: %v", round, dev, len(got), len(state), err)
			}
		}
	}
	if got, _, _ := s.Load(ctx, "E"); !bytes.Equal(got, small) {
		t.Error("E changed")
	}
}
