package syncml

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// mallocHeader is what the allocator adds to an object with pointers of
// more than 512 bytes (its type).
const mallocHeader = 8

// TestFirstSlabsFitSizeClass checks the sizes slab.go's comments give:
// each first-slab block, with the allocator's header, within the size
// class it is meant for.
func TestFirstSlabsFitSizeClass(t *testing.T) {
	for _, c := range []struct {
		name       string
		size, room uintptr
	}{
		{"tinySlabs", unsafe.Sizeof(tinySlabs{}), 1024},
		{"smallSlabs", unsafe.Sizeof(smallSlabs{}), 2304},
	} {
		if c.size+mallocHeader > c.room {
			t.Errorf("%s: %d bytes and a header of %d do not fit in %d", c.name, c.size, mallocHeader, c.room)
		}
	}
}

// memPerRun is testing.AllocsPerRun that also returns the bytes
// allocated per run. No collection runs meanwhile, so that the pool of
// scanners that f fills first keeps them (a collection empties it, and
// the scanner made again would count).
func memPerRun(runs int, f func()) (allocs, bytes uint64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&b)
	return (b.Mallocs - a.Mallocs) / uint64(runs), (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// sessionStart is a device's first message of a session with nothing to
// report: the header and Alert 1201.
const sessionStart = `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
	`<Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>DEV1</LocURI></Source></SyncHdr><SyncBody>` +
	`<Alert><CmdID>2</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`

// TestDecodeMemory bounds what decoding takes: a message's model values
// in one allocation sized from its tags (beside the copy of the text
// that Unmarshal makes and UnmarshalOwned does not). Before the first
// slabs were sized from the tags, a check-in took 4,096 bytes for them.
func TestDecodeMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not counted under the race detector")
	}
	checkIn := benchCheckIn("DEV1234567")
	for _, c := range []struct {
		name          string
		data          []byte
		owned         bool
		allocs, bytes uint64
	}{
		{"check-in", checkIn, false, 2, 1536 + 2304},
		{"check-in owned", checkIn, true, 1, 2304},
		{"session start owned", []byte(sessionStart), true, 1, 1024},
		// 111 commands: the slabs after the first, and the commands'
		// slice, grow by what the body read so far took (43,136 bytes in
		// 61 allocations when they doubled)
		{"server26KB owned", server26KB(t), true, 54, 37 << 10},
		// one Results of 5,000 Items: past its slab, the Items grow by
		// what those read so far took (2,272,844 bytes in 252 allocations
		// when they doubled)
		{"results1MB owned", results1MB(t), true, 250, 2_000_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			// a few MB of input in all, as nothing is collected meanwhile
			runs := min(200, 1+(4<<20)/len(c.data))
			allocs, bytes := memPerRun(runs, func() {
				var m Message
				var err error
				if c.owned {
					err = UnmarshalOwned(c.data, &m, Limits{})
				} else {
					err = Unmarshal(c.data, &m)
				}
				if err != nil {
					t.Fatal(err)
				}
			})
			if allocs > c.allocs || bytes > c.bytes {
				t.Errorf("%d allocations of %d bytes, want at most %d of %d", allocs, bytes, c.allocs, c.bytes)
			}
		})
	}
}

func server26KB(t *testing.T) []byte {
	b, err := Marshal(benchServer(111))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func results1MB(t *testing.T) []byte {
	b, err := Marshal(benchResults(5000))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSlabsMore checks the estimate the slabs after the first are sized
// by: the values the body read so far took, per byte, over what is left.
func TestSlabsMore(t *testing.T) {
	at := 0
	s := slabs{whole: 1100, body: 100, at: &at}
	for _, c := range []struct{ at, handed, want int }{
		{0, 10, 0},       // in the header
		{100, 10, 0},     // at the start of the body
		{161, 10, 0},     // less than a sixteenth read
		{600, 10, 11},    // half: as many again
		{850, 30, 11},    // three quarters: a third more
		{1000, 900, 101}, // nine tenths
		{600, 1, 4},      // at least 4
	} {
		at = c.at
		if got := s.more(c.handed); got != c.want {
			t.Errorf("at %d, %d handed: more = %d, want %d", c.at, c.handed, got, c.want)
		}
	}
	// a body of fewer than sixteen bytes, nothing of it read
	at = 105
	if got := (&slabs{whole: 110, body: 105, at: &at}).more(10); got != 0 {
		t.Errorf("nothing read of a short body: more = %d, want 0", got)
	}
	if got := (&slabs{}).more(10); got != 0 {
		t.Errorf("a stream's slabs: more = %d, want 0 (doubling)", got)
	}
}

// TestMarkupCheckTakesNoSlabs checks that Marshal, which reads XML Data
// with the decoder's scanner to check it, allocates no slabs for it (it
// asks for no model value): before they were allocated lazily, each
// such Data cost 4 KB.
func TestMarkupCheckTakesNoSlabs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not counted under the race detector")
	}
	m := &Message{XMLNS: NamespaceSyncML12, Header: Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1"},
		Body: Body{Final: true, Commands: []Command{&Replace{CmdID: "2", Items: []Item{
			{Target: &Location{LocURI: "./Vendor/MSFT/Policy"}, Data: XML(`<a><b c="d">text</b><e/></a>`)}}}}}}
	buf, err := AppendMessage(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	if allocs, bytes := memPerRun(200, func() { buf, _ = AppendMessage(buf[:0], m) }); allocs != 0 {
		t.Errorf("AppendMessage into a warm buffer: %d allocations of %d bytes, want none", allocs, bytes)
	}
}

// TestSlabItemsApart decodes bodies whose commands hold from none to
// many Items, so that their Items, Locations and Data fill the first
// slabs of every size and the slabs after them, with both readers; it
// checks the model, and that appending to a command's Items never
// changes another command's.
func TestSlabItemsApart(t *testing.T) {
	defer SetFastDecode(SetFastDecode(true))
	for _, counts := range [][]int{
		{0}, {1}, {3, 1}, {4}, {5}, {4, 4, 4}, {11}, {12}, {13}, {2, 11, 3}, {12, 1}, {14, 14},
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {40}, {63, 2, 64, 65}, {0, 7, 0, 9},
	} {
		var b strings.Builder
		b.WriteString(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID></SyncHdr><SyncBody>`)
		want := make([]Command, len(counts))
		for i, n := range counts {
			r := &Replace{CmdID: fmt.Sprint(i + 1)}
			fmt.Fprintf(&b, `<Replace><CmdID>%d</CmdID>`, i+1)
			for j := range n {
				uri, v := fmt.Sprintf("./c%d/i%d", i, j), fmt.Sprint(j)
				switch j % 3 {
				case 0:
					fmt.Fprintf(&b, `<Item><Target><LocURI>%s</LocURI></Target><Data>%s</Data></Item>`, uri, v)
					r.Items = append(r.Items, Item{Target: &Location{LocURI: uri}, Data: Text(v)})
				case 1:
					fmt.Fprintf(&b, `<Item><Source><LocURI>%s</LocURI></Source></Item>`, uri)
					r.Items = append(r.Items, Item{Source: &Location{LocURI: uri}})
				default:
					fmt.Fprintf(&b, `<Item><Data>%s</Data></Item>`, v)
					r.Items = append(r.Items, Item{Data: Text(v)})
				}
			}
			b.WriteString(`</Replace>`)
			want[i] = r
		}
		b.WriteString(`<Final/></SyncBody></SyncML>`)
		for _, fast := range []bool{true, false} {
			SetFastDecode(fast)
			name := fmt.Sprintf("%v fast=%v", counts, fast)
			var m Message
			if err := Unmarshal([]byte(b.String()), &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d := cmp.Diff(want, m.Body.Commands); d != "" {
				t.Fatalf("%s: (-want +got)\n%s", name, d)
			}
			for i, c := range m.Body.Commands {
				r := c.(*Replace)
				items := r.Items
				r.Items = append(r.Items, Item{Data: Text("appended")})
				r.Items = items
				if d := cmp.Diff(want, m.Body.Commands); d != "" {
					t.Fatalf("%s: appending to command %d changed the message (-want +got)\n%s", name, i+1, d)
				}
			}
		}
	}
}
