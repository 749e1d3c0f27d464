package session

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// fullSegments returns how many of the first 64 segment records of
// device in ms hold bytes.
func fullSegments(t *testing.T, ms *MemoryStore, device string) int {
	t.Helper()
	n := 0
	for i := range 64 {
		b, _, err := ms.Load(context.Background(), segKey(device, i))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			n++
		}
	}
	return n
}

// TestServerObjectAbandonedSegments: a device sends part of an object in
// chunks, enough for segment records in the Store, and never finishes
// it: its session restarts (another SessionID, or Alert 1201 in the same
// one), is aborted (Alert 1223), goes on with another command (the object
// cut), or its state, unreadable, is replaced (ReplaceUnreadableState).
// Once the Server has saved the state after that message, no segment
// record of the device holds bytes; the next object is joined whole. The
// unreadable state left its segments before (its object unknown: no
// generation nor count to clean by).
func TestServerObjectAbandonedSegments(t *testing.T) {
	const abort = `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`
	for _, tc := range []struct {
		name   string
		broken bool   // the stored state is made unreadable before msg
		msg    []byte // the device's message after the part sent
	}{
		{"new session", false, devMsg("2", "1", alert1201)},
		{"Alert 1201", false, deviceMessage("DEV1", 7, alert1201, true)},
		{"abort", false, deviceMessage("DEV1", 7, abort, true)},
		{"cut", false, deviceMessage("DEV1", 7, replaceChunk("9", "./Other", "", "x", false), true)},
		{"unreadable state", true, devMsg("2", "1", alert1201)},
		// the device's first message on the fresh state begins another
		// object, its first chunk a segment of its own at once: that
		// segment stays
		{"unreadable state, another object", true, devMsg("2", "1", alert1201+
			replaceChunk("2", "./Big", "300000", strings.Repeat("z", 70<<10), true))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := NewMemoryStore()
			var h segServed
			s := NewServer(ServerConfig{Store: ms, Session: h.config(), ReplaceUnreadableState: true})
			bodies, _ := segObject(400<<10, 32<<10)
			for i, b := range bodies[:6] { // 192 KiB: three segments
				postRaw(t, s, deviceMessage("DEV1", i+1, b, false))
			}
			if n := fullSegments(t, ms, "DEV1"); n != 3 {
				t.Fatalf("%d segment records hold bytes after 192 KiB, want 3", n)
			}
			if tc.broken {
				state, ver, err := ms.Load(context.Background(), "DEV1")
				if err != nil {
					t.Fatal(err)
				}
				bad := bytes.Replace(state, []byte("</Replace>"), []byte("</Replacx>"), 1)
				if err := NewSession(nil).UnmarshalBinary(bad); !errors.Is(err, ErrStoredState) {
					t.Fatalf("the broken state reads: %v", err)
				}
				if _, err := ms.CompareAndSwap(context.Background(), "DEV1", ver, bad); err != nil {
					t.Fatal(err)
				}
			}
			postRaw(t, s, tc.msg)
			want := 0
			if bytes.Contains(tc.msg, []byte("<MoreData/>")) {
				want = 1
			}
			if n := fullSegments(t, ms, "DEV1"); n != want {
				t.Errorf("%d segment records hold bytes after the object was abandoned, want %d", n, want)
			}
			// the device's next object, in a session of its own
			next, whole := segObject(200<<10, 32<<10)
			post := func(_ int, msg []byte) []byte {
				return postRaw(t, s, bytes.Replace(msg, []byte("<SessionID>1</"), []byte("<SessionID>3</"), 1))
			}
			if code := sendSegObjectVia(t, post, "DEV1", 1, next); code != "200" {
				t.Fatalf("the next object's last chunk answered %s", code)
			}
			if len(h.got) != 1 || h.got[0] != whole {
				t.Fatalf("served %d objects, want the next one, of %d bytes", len(h.got), len(whole))
			}
			if n := fullSegments(t, ms, "DEV1"); n != 0 {
				t.Errorf("%d segment records hold bytes after the next object, want 0", n)
			}
		})
	}
}
