package fuzz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// memStoreDevices are the devices of FuzzMemoryStoreStates.
var memStoreDevices = [4]string{"", "DEV1", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "6F9619FF-8B86-D011-B42D-00C04FC96500"}

// memStoreTemplate is a state like those a Server keeps for a device's
// first session (a reply of Statuses and Gets, about 1.8 KB), which the
// states of FuzzMemoryStoreStates are made of with changes.
var memStoreTemplate = func() []byte {
	var b strings.Builder
	b.WriteString(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>DEVICE-ID</LocURI></Target><Source><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Source></SyncHdr><SyncBody>`)
	for i, cmd := range []string{"SyncHdr", "Alert", "Alert", "Replace"} {
		fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%d</CmdRef><Cmd>%s</Cmd><Data>200</Data></Status>`, i+1, i, cmd)
	}
	for i, uri := range []string{"./DevDetail/SwV", "./DevDetail/OEM", "./DevDetail/DevTyp", "./DevDetail/FwV", "./DevDetail/HwV", "./DevInfo/DevId",
		"./Device/Vendor/MSFT/DMClient/Provider/WinDC/LinkedEnrollment/EnrollStatus", "./Device/Vendor/MSFT/DMClient/Provider/WinDC/LinkedEnrollment/LastError"} {
		fmt.Fprintf(&b, `<Get><CmdID>%d</CmdID><Item><Target><LocURI>%s</LocURI></Target></Item></Get>`, i+5, uri)
	}
	b.WriteString(`<Final/></SyncBody></SyncML>`)
	b.WriteString(strings.Repeat("\x00\x00\x00\x01\x011", 40))
	return []byte(b.String())
}()

// memStoreMax is the most bytes of a state of FuzzMemoryStoreStates
// made of random bytes, but for the rare large ones (memStoreLarge).
const memStoreMax = 40000

// memStoreLarge is the most bytes of a state of FuzzMemoryStoreStates:
// a state over 64 KiB is kept as it is, never as a difference.
const memStoreLarge = 192 << 10

// FuzzMemoryStoreStates runs the calls its input says on a MemoryStore:
// CompareAndSwap of states made from the input (its bytes, random bytes,
// the template with the input's bytes in it, or earlier states spliced,
// with bytes inserted, removed or changed, so that states resemble the
// references the store keeps and are kept as differences from them),
// CompareAndSwap from a stale version, Load and LoadShared, on four
// devices, with states of up to 192 KiB (over 64 KiB: kept as they
// are). Each Load and LoadShared returns exactly the state and version a
// model holds, a stale swap is a conflict, and states LoadShared returned
// stay as they were. Each op is a byte: its top two bits the
// device, its low three the call (0 Load, 1 LoadShared, 2 stale swap,
// else a swap), the three between how the state is made (below), from
// the bytes that follow.
func FuzzMemoryStoreStates(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x0b, 0x00, 0x00, 0x04, 'D', 'E', 'V', '1', 0x4b, 0x00, 0x01, 0x04, 'D', 'E', 'V', '2', 0x40, 0x41})
	// five random states of 2,048 bytes, unlike each other: four make the
	// references, the fifth takes the place of the first (whose device's
	// state it replaces); then that state with a byte changed (a
	// difference from it) on another device, and loads
	f.Add([]byte{
		0x53, 0x08, 0x00, 1, 0x93, 0x08, 0x00, 2, 0xd3, 0x08, 0x00, 3, 0x13, 0x08, 0x00, 4, 0x53, 0x08, 0x00, 5,
		0xbb, 0x00, 0x01, 0x01, 0x00, 0x55,
		0x40, 0x41, 0x80, 0x81, 0xc0, 0xc1, 0x00, 0x01,
	})
	// a random state of 64 KiB + 46 (kept as it is) on DEV1, the same with
	// a byte changed on the third device, one of 64 KiB - 2 (a difference
	// may be tried) on the fourth, a splice of the two large ones on
	// device "", and loads
	f.Add([]byte{
		0x53, 0xf0, 0x02, 7, 0xbb, 0x00, 0x01, 0x00, 0x10, 0x01, 0xd3, 0xf0, 0x00, 9,
		0x23, 0x02, 0x02, 0x80, 0x00, 0x00, 0x00,
		0x40, 0x41, 0x80, 0x81, 0xc0, 0xc1, 0x00, 0x01,
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := session.NewMemoryStore()
		type entry struct {
			state []byte
			ver   uint64
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
		take := func(n int) []byte {
			n = min(n, len(in))
			b := in[:n]
			in = in[n:]
			return b
		}
		earlier := func() []byte {
			if len(states) == 0 {
				return memStoreTemplate
			}
			return states[len(states)-1-next()%len(states)]
		}
		for calls := 0; len(in) > 0 && calls < 200; calls++ {
			op := next()
			dev := memStoreDevices[op>>6]
			m := model[dev]
			switch op & 7 {
			case 0, 1:
				load, name := s.Load, "Load"
				if op&7 == 1 {
					load, name = s.LoadShared, "LoadShared"
				}
				st, v, err := load(ctx, dev)
				if err != nil || v != m.ver || !bytes.Equal(st, m.state) || (m.state == nil) != (st == nil) {
					t.Fatalf("call %d: %s %q = %d bytes, version %d, %v; want %d bytes, version %d", calls, name, dev, len(st), v, err, len(m.state), m.ver)
				}
				if op&7 == 1 {
					hold = append(hold, held{st, bytes.Clone(st)})
				}
				continue
			case 2:
				if _, err := s.CompareAndSwap(ctx, dev, m.ver+1+uint64(next()), []byte("stale")); !errors.Is(err, session.ErrConflict) {
					t.Fatalf("call %d: swap of %q from a stale version: %v", calls, dev, err)
				}
				continue
			}
			var state []byte
			switch (op >> 3) & 7 {
			case 0: // the input's bytes
				state = bytes.Clone(take(next()))
			case 1: // the template with the input's bytes over it
				state = bytes.Clone(memStoreTemplate)
				at := (next()<<8 | next()) % len(state)
				copy(state[at:], take(next()%32))
			case 2: // random bytes; a length from 0xf000 stands for one
				// from 64 KiB up, a state kept as it is (rarely: they are
				// slow to make and swap)
				n := next()<<8 | next()
				if n >= 0xf000 {
					n = 64<<10 - 2 + (n-0xf000)*24
				} else {
					n %= memStoreMax
				}
				x := uint64(next()+1) * 0x9E3779B97F4A7C15
				state = make([]byte, n)
				for i := range state {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					state[i] = byte(x)
				}
			case 3: // an earlier state
				state = bytes.Clone(earlier())
			case 4: // two earlier states spliced
				a, b := earlier(), earlier()
				state = append(bytes.Clone(a[:(next()<<8|next())%(len(a)+1)]), b[(next()<<8|next())%(len(b)+1):]...)
			case 5: // an earlier state with the input's bytes inserted
				a := earlier()
				at := (next()<<8 | next()) % (len(a) + 1)
				state = append(append(bytes.Clone(a[:at]), take(next())...), a[at:]...)
			case 6: // an earlier state with bytes removed
				a := earlier()
				at := (next()<<8 | next()) % (len(a) + 1)
				state = append(bytes.Clone(a[:at]), a[min(at+next()*4, len(a)):]...)
			default: // an earlier state with bytes changed
				state = bytes.Clone(earlier())
				for range next() % 8 {
					if len(state) > 0 {
						state[(next()<<8|next())%len(state)] ^= byte(next() | 1)
					}
				}
			}
			state = state[:min(len(state), memStoreLarge)]
			v, err := s.CompareAndSwap(ctx, dev, m.ver, state)
			if err != nil || v == 0 || v == m.ver {
				t.Fatalf("call %d: swap of %q from version %d: version %d, %v", calls, dev, m.ver, v, err)
			}
			if len(state) == 0 {
				state = nil // a device with no state loads nil
			}
			model[dev] = entry{state, v}
			states = append(states, state)
		}
		for _, dev := range memStoreDevices {
			st, v, err := s.Load(ctx, dev)
			if m := model[dev]; err != nil || v != m.ver || !bytes.Equal(st, m.state) {
				t.Fatalf("at the end, Load %q = %d bytes, version %d, %v; want %d bytes, version %d", dev, len(st), v, err, len(m.state), m.ver)
			}
		}
		for i, h := range hold {
			if !bytes.Equal(h.b, h.want) {
				t.Fatalf("state %d LoadShared returned changed", i)
			}
		}
	})
}
