package session

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// ownFuzzDevices are the devices of FuzzMemoryStoreOwn.
var ownFuzzDevices = [4]string{"", "DEV1", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "6F9619FF-8B86-D011-B42D-00C04FC96500"}

// FuzzMemoryStoreOwn runs the calls its input says on a MemoryStore,
// mixing the three ways a state is saved: CompareAndSwap (own cleared),
// compareAndSwapKept with own set (a Server's save of a small state) and
// compareAndSwapOwn (a Server's save of a state held in pieces, kept
// without a copy when over refMaxDiff and its record has little room
// unused), on four devices, with states small, near refMaxDiff or well
// over it. Each Load, LoadShared and loadKept returns exactly the state
// and version a model holds, loadKept the own flag of the last save; a
// save from a stale version of any kind is a conflict that changes
// nothing; the kept copies returned by the saves and the states
// LoadShared returned stay as they were. Each op is a byte: its top two
// bits the device, its low three the call (0 Load, 1 LoadShared, 2
// loadKept, 3 a stale save, 4 or 5 CompareAndSwap, 6 compareAndSwapKept
// own, 7 compareAndSwapOwn), the three between how the state is made
// (ownFuzzState), from the bytes that follow.
func FuzzMemoryStoreOwn(f *testing.F) {
	f.Add([]byte{})
	// a large own state on DEV1 (no copy), loaded, replaced by a small
	// CompareAndSwap, loaded, then a large own state with room to spare
	// (copied), loads, and the small state grown past refMaxDiff, own
	f.Add([]byte{0x47, 0x10, 0x01, 0x80, 0x00, 0x00, 0x42, 0x44, 0xf8, 0x05, 0x20, 0x42,
		0x47, 0x10, 0x02, 0x90, 0x00, 0x01, 0x42, 0x41, 0x40, 0x47, 0x28, 0x00, 0x05, 0x01, 0x00, 0x42})
	// states around refMaxDiff, each way, on two devices, then every load
	f.Add([]byte{0x87, 0x08, 0x00, 0x04, 0x00, 0xc6, 0x08, 0x01, 0x03, 0x84, 0x08, 0x02, 0x02, 0xc7, 0x08, 0x03, 0x00, 0x00,
		0x80, 0x81, 0x82, 0xc0, 0xc1, 0xc2, 0x83, 0x01, 0x02, 0xc3, 0x00, 0x01})
	// small template-like states as differences, then own saves over them
	f.Add([]byte{0x04, 0x00, 0x00, 0x40, 0x44, 0x00, 0x10, 0x40, 0x46, 0x20, 0x10, 0x07, 0x08, 0x01, 0x00, 0x01,
		0x47, 0x28, 0x02, 0x00, 0x02, 0x42, 0x02, 0x00, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := NewMemoryStore()
		type entry struct {
			state []byte
			ver   uint64
			own   bool
		}
		model := map[string]entry{}
		var states [][]byte
		type held struct{ b, want []byte }
		var hold []held
		in := data
		next := func() int {
			if len(in) == 0 {
				return 0
			}
			b := in[0]
			in = in[1:]
			return int(b)
		}
		earlier := func() []byte {
			if len(states) == 0 {
				return fuzzRefsCommon
			}
			return states[len(states)-1-next()%len(states)]
		}
		var buf []byte
		for calls := 0; len(in) > 0 && calls < 64; calls++ {
			op := next()
			dev := ownFuzzDevices[op>>6]
			m := model[dev]
			switch op & 7 {
			case 0, 1, 2:
				var st []byte
				var v uint64
				var own bool
				var err error
				switch op & 7 {
				case 0:
					st, v, err = s.Load(ctx, dev)
				case 1:
					st, v, err = s.LoadShared(ctx, dev)
				default:
					st, v, own, err = s.loadKept(ctx, dev)
				}
				if err != nil || v != m.ver || !bytes.Equal(st, m.state) || (m.state == nil) != (st == nil) {
					t.Fatalf("call %d: load %d of %q = %d bytes, version %d, %v; want %d bytes, version %d", calls, op&7, dev, len(st), v, err, len(m.state), m.ver)
				}
				if op&7 == 2 && own != m.own {
					t.Fatalf("call %d: loadKept %q: own %v, want %v", calls, dev, own, m.own)
				}
				if op&7 != 0 {
					hold = append(hold, held{st, bytes.Clone(st)})
				}
				continue
			case 3:
				stale := m.ver + 1 + uint64(next())
				var err error
				switch next() % 3 {
				case 0:
					_, err = s.CompareAndSwap(ctx, dev, stale, []byte("stale"))
				case 1:
					_, _, buf, err = s.compareAndSwapKept(ctx, dev, stale, []byte("stale"), buf[:0], true)
				default:
					rec := make([]byte, ownRoom(dev), ownRoom(dev)+refMaxDiff+1)
					rec = append(rec, bytes.Repeat([]byte{'s'}, refMaxDiff+1)...)
					_, _, err = s.compareAndSwapOwn(ctx, dev, stale, rec)
				}
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("call %d: save of %q from a stale version: %v", calls, dev, err)
				}
				continue
			}
			state := ownFuzzState(next, earlier)
			var v uint64
			var kept []byte
			var err error
			own := false
			switch op & 7 {
			case 4, 5:
				v, err = s.CompareAndSwap(ctx, dev, m.ver, state)
			case 6:
				own = true
				// the state lies in buf after what it holds, as a Server builds it
				buf = append(append(buf[:0], "reply"...), state...)
				var b []byte
				v, kept, b, err = s.compareAndSwapKept(ctx, dev, m.ver, buf[5:], buf, true)
				if !bytes.Equal(b[:len(buf)], buf) {
					t.Fatalf("call %d: compareAndSwapKept changed its buffer", calls)
				}
				buf = b
			default:
				own = true
				pre := ownRoom(dev)
				spare := 0
				if next()&1 == 1 { // much room unused: copied
					spare = len(state)/4 + 1
				}
				rec := make([]byte, pre, pre+len(state)+spare)
				for i := range rec {
					rec[i] = 0xee // ownRoom's bytes are the store's to write
				}
				rec = append(rec, state...)
				v, kept, err = s.compareAndSwapOwn(ctx, dev, m.ver, rec)
			}
			if err != nil || v == 0 || v == m.ver {
				t.Fatalf("call %d: save %d of %q (%d bytes) from version %d: version %d, %v", calls, op&7, dev, len(state), m.ver, v, err)
			}
			if kept != nil {
				if !bytes.Equal(kept, state) {
					t.Fatalf("call %d: save %d of %q: kept %d bytes, not the %d saved", calls, op&7, dev, len(kept), len(state))
				}
				hold = append(hold, held{kept, bytes.Clone(kept)})
			}
			if len(state) == 0 {
				state = nil
			}
			model[dev] = entry{state, v, own}
			states = append(states, state)
		}
		for _, dev := range ownFuzzDevices {
			st, v, own, err := s.loadKept(ctx, dev)
			if m := model[dev]; err != nil || v != m.ver || !bytes.Equal(st, m.state) || own != m.own {
				t.Fatalf("at the end, loadKept %q = %d bytes, version %d, own %v, %v; want %d bytes, version %d, own %v", dev, len(st), v, own, err, len(m.state), m.ver, m.own)
			}
		}
		for i, h := range hold {
			if !bytes.Equal(h.b, h.want) {
				t.Fatalf("state %d a load or save returned changed", i)
			}
		}
	})
}

// ownFuzzMax is the size of the largest state of FuzzMemoryStoreOwn: well
// over refMaxDiff, the largest size the store treats apart (slabSize is
// no larger), and small enough that an input growing a state at each
// call stays fast (with no cap, 63 appends made states of 4 MB and an
// input took half a second).
const ownFuzzMax = refMaxDiff + refMaxDiff/2

// ownFuzzState makes a state of FuzzMemoryStoreOwn from the bytes next
// gives: by the top three bits of the first, random bytes of a length
// about refMaxDiff (below, at or over it), random bytes up to ownFuzzMax,
// an earlier state (earlier), one with bytes changed, one with random
// bytes appended up to ownFuzzMax (pushing a small state over
// refMaxDiff), or a small one.
func ownFuzzState(next func() int, earlier func() []byte) []byte {
	how := next()
	switch (how >> 3) & 7 {
	case 0, 1: // around refMaxDiff
		return randBytes(uint64(next()), refMaxDiff-2+next()%5)
	case 2: // large
		return randBytes(uint64(next()), min((next()<<8|next())*5/2, ownFuzzMax))
	case 3: // an earlier state
		return bytes.Clone(earlier())
	case 4: // an earlier state with bytes changed
		st := bytes.Clone(earlier())
		for range next() % 8 {
			if len(st) > 0 {
				st[(next()<<8|next())%len(st)] ^= byte(next() | 1)
			}
		}
		return st
	case 5: // an earlier state with random bytes appended
		st := earlier()
		seed, n := next(), next()<<8
		return append(bytes.Clone(st), randBytes(uint64(seed), min(n, ownFuzzMax-len(st)))...)
	case 6: // an earlier state cut
		st := earlier()
		return bytes.Clone(st[:(next()<<8|next())%(len(st)+1)])
	default: // small
		return randBytes(uint64(next()), next())
	}
}
