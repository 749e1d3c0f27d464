package dmclient

import (
	"os"
	"strconv"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
)

// TestPropertyEscapeSegment checks EscapeSegment's shortcut for segments
// with nothing to escape against syncml.AppendEscapedSegment on strings
// of bytes drawn mostly from those the rule names (space, controls, '%',
// '/', '?', '#', '.', 0x7F and over) and plain ones: the same result
// always; and no allocation for a plain segment.
func TestPropertyEscapeSegment(t *testing.T) {
	seed := int64(20261203)
	if v := os.Getenv("DMCLIENT_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with DMCLIENT_SEED=%d)", seed, seed)
	p := gopter.DefaultTestParametersWithSeed(seed)
	p.MinSuccessfulTests = 2000
	props := gopter.NewProperties(p)
	special := []byte{0, '\t', 0x1F, ' ', '!', '%', '.', '/', '?', '#', 'A', 'z', '~', 0x7F, 0x80, 0xC3, 0xFF}
	props.Property("EscapeSegment is AppendEscapedSegment, without a copy when unchanged", prop.ForAll(
		func(picks []uint8) string {
			b := make([]byte, int(picks[0])%9) // short ones too: "", ".", ".."
			for i, c := range picks[1 : 1+len(b)] {
				if c&0x80 != 0 {
					b[i] = 'a' + c%26
				} else {
					b[i] = special[int(c)%len(special)]
				}
			}
			s := string(b)
			want := string(syncml.AppendEscapedSegment(nil, s))
			got := EscapeSegment(s)
			if got != want {
				return "EscapeSegment(" + strconv.Quote(s) + ") = " + strconv.Quote(got) + ", want " + strconv.Quote(want)
			}
			return ""
		},
		gen.SliceOfN(9, gen.UInt8()),
	))
	props.TestingRun(t)
	if n := testing.AllocsPerRun(100, func() { _ = EscapeSegment("WinDC-dmserver") }); n != 0 {
		t.Errorf("EscapeSegment of a plain segment: %.0f allocations, want 0", n)
	}
}
