package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// fuzzRefsCommon is the part the states of FuzzMemoryRefsReplace share:
// a reply of Statuses and Gets, as a server's states hold.
var fuzzRefsCommon = func() []byte {
	var b bytes.Buffer
	for i := range 24 {
		fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID><Item><Target><LocURI>./Vendor/MSFT/Node%d/Setting</LocURI></Target></Item></Get>`, i+5, i)
	}
	return b.Bytes()
}()

// fuzzRefsShapes is the number of shapes the states of
// FuzzMemoryRefsReplace take: each has a block of its own, so that a
// state of one shape is a poor difference from a reference of another.
const fuzzRefsShapes = 12

// fuzzRefsState returns a state of shape k (mod fuzzRefsShapes): the
// shape's block of 600 bytes inside the common part, at a place of the
// shape's, then n bytes of the pseudo-random sequence seed (a small n
// keeps it a close difference of its shape, a large one makes it poor).
func fuzzRefsState(k, seed, n byte) []byte {
	k %= fuzzRefsShapes
	at := int(k) * len(fuzzRefsCommon) / fuzzRefsShapes
	return cat(fuzzRefsCommon[:at], randBytes(uint64(k)+1000, 600), fuzzRefsCommon[at:], randBytes(uint64(seed), int(n)*3))
}

// FuzzMemoryRefsReplace runs the calls its input says on a MemoryStore
// whose references may be replaced at every store (every 1), on 16
// devices (unpin's scan looking at three a call), with states of a dozen shapes, so that references are made,
// replaced, retired, freed and, once maxRetired are held by devices that
// store nothing more, unpinned. Each op is a byte: its top four bits the
// device, its low four the call (0 Load, 1 LoadShared, 2 a swap from a
// stale version, 3 an empty state, else a swap of the state the next
// three bytes make: shape, seed, length). After every call the slots'
// counts are those recounted from the entries (checkRefCounts); every
// Load and LoadShared returns exactly the state and version a model
// holds, a stale swap is a conflict that changes nothing, and the states
// LoadShared returned stay as they were. At the end every device's state
// is read back.
func FuzzMemoryRefsReplace(f *testing.F) {
	f.Add([]byte{})
	// every shape once on its own device, then shape 0 again far off on
	// device 0 (a poor difference), loads
	var seed []byte
	for d := range byte(fuzzRefsShapes) {
		seed = append(seed, d<<4|4, d, d, 1)
	}
	seed = append(seed, 0x04, 0, 7, 200, 0x00, 0x11, 0x21, 0xb0)
	f.Add(seed)
	// devices moving through the shapes, each leaving one behind
	seed = nil
	for k := range byte(fuzzRefsShapes) {
		for d := k; d < 16; d++ {
			seed = append(seed, d<<4|5, k, d, 2)
		}
		seed = append(seed, k<<4|1)
	}
	seed = append(seed, 0xf2, 0xf3, 0xf0, 0x30)
	// then states of retired shapes: no slot free, every retired
	// reference named by a device left behind, which unpin makes whole
	for k := range byte(4) {
		seed = append(seed, (15-k)<<4|4, k, k, 2, (15-k)<<4|4, k, k+1, 1, (15-k)<<4|4, k, k+2, 1)
	}
	f.Add(append(seed, 0x00, 0x10, 0x20, 0x31))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := NewMemoryStore()
		s.refs.every, s.refs.chunk = 1, 3 // the scan of unpin over several calls
		type entry struct {
			state []byte
			ver   uint64
		}
		var model [16]entry
		type held struct{ b, want []byte }
		var hold []held
		next := func() byte {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return b
		}
		check := func(n int, dev string, want entry, load func(context.Context, string) ([]byte, uint64, error)) []byte {
			st, v, err := load(ctx, dev)
			if err != nil || v != want.ver || !bytes.Equal(st, want.state) {
				t.Fatalf("call %d: %s: %d bytes, version %d, %v; want %d bytes, version %d", n, dev, len(st), v, err, len(want.state), want.ver)
			}
			return st
		}
		for n := 0; len(data) > 0; n++ {
			op := next()
			d := op >> 4
			dev := fmt.Sprint("DEV", d)
			switch op & 15 {
			case 0:
				check(n, dev, model[d], s.Load)
			case 1:
				if st := check(n, dev, model[d], s.LoadShared); len(st) > 0 {
					hold = append(hold, held{st, bytes.Clone(st)})
				}
			case 2:
				if _, err := s.CompareAndSwap(ctx, dev, model[d].ver+1, []byte("stale")); !errors.Is(err, ErrConflict) {
					t.Fatalf("call %d: %s: a swap from version %d: %v; want a conflict", n, dev, model[d].ver+1, err)
				}
			default:
				var state []byte
				if op&15 != 3 {
					state = fuzzRefsState(next(), next(), next())
				}
				v, err := s.CompareAndSwap(ctx, dev, model[d].ver, state)
				if err != nil {
					t.Fatalf("call %d: %s: swap of %d bytes: %v", n, dev, len(state), err)
				}
				model[d] = entry{state, v}
			}
			if err := checkRefCounts(s); err != nil {
				t.Fatalf("call %d: %v", n, err)
			}
		}
		for d := range model {
			check(-1, fmt.Sprint("DEV", d), model[d], s.Load)
		}
		for _, h := range hold {
			if !bytes.Equal(h.b, h.want) {
				t.Fatalf("a state LoadShared returned changed (%d bytes)", len(h.want))
			}
		}
	})
}
