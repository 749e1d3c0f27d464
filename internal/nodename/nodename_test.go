package nodename_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/syncml"
)

// viaLocURI is the check ddf.Parse made of a NodeName before Check: the
// name percent-encoded as the one segment of a LocURI, read back by
// syncml.ParseLocURI.
func viaLocURI(s string) error {
	_, err := syncml.ParseLocURI(syncml.LocURI{Segments: []string{s}}.String())
	return err
}

// pieces are what the generated names are made of: letters, spaces, the
// bytes a LocURI escapes or refuses, C0 and C1 control characters, DEL,
// bytes that are not UTF-8, and the dots of relative steps.
var pieces = []string{
	"a", "Z", "0", " ", ".", "..", "/", "%", "%2F", "?", "#", "{", "é", "\u2028",
	"\x00", "\t", "\n", "\x1f", "\x7f", "\u0080", "\u009f", "\u00a0", "\xff", "\xc2", "\xe2\x82",
}

// TestCheckSameAsLocURI: Check refuses exactly the names that ParseLocURI
// refuses as the one segment of a LocURI, for the same reason (the one
// its error ends with), on generated names and a few written out.
func TestCheckSameAsLocURI(t *testing.T) {
	same := func(s string) string {
		err, old := nodename.Check(s), viaLocURI(s)
		switch {
		case (err == nil) != (old == nil):
			return "Check: " + errString(err) + "; ParseLocURI: " + errString(old)
		case err != nil && s != "" && !strings.HasSuffix(old.Error(), ": "+err.Error()):
			return "Check: " + err.Error() + "; ParseLocURI: " + old.Error()
		}
		return ""
	}
	for _, s := range append([]string{"", ".", "..", "...", " . ", "a/b", "%", "%2E", "Device", "./x"}, pieces...) {
		if d := same(s); d != "" {
			t.Errorf("%q: %s", s, d)
		}
	}
	p := gopter.DefaultTestParametersWithSeed(20261207)
	p.MinSuccessfulTests = 5000
	if testing.Short() {
		p.MinSuccessfulTests = 500
	}
	props := gopter.NewProperties(p)
	props.Property("Check agrees with ParseLocURI", prop.ForAll(
		same,
		gen.SliceOf(gen.IntRange(0, len(pieces)-1)).Map(func(ix []int) string {
			var b strings.Builder
			for _, i := range ix {
				b.WriteString(pieces[i])
			}
			return b.String()
		}),
	))
	props.Property("Check agrees with ParseLocURI on any bytes", prop.ForAll(
		func(s string) string { return same(s) },
		gen.SliceOf(gen.UInt8()).Map(func(b []uint8) string { return string(b) }),
	))
	props.TestingRun(t)
}

// TestCheckAllocatesNothing: Check allocates neither for a name it
// takes nor for one it refuses.
func TestCheckAllocatesNothing(t *testing.T) {
	for _, s := range []string{"MS DM SERVER", "a\x00", "..", "\xff", "\u0085", ""} {
		if n := testing.AllocsPerRun(100, func() { _ = nodename.Check(s) }); n != 0 {
			t.Errorf("Check(%q): %v allocations", s, n)
		}
	}
	if !errors.Is(nodename.Check("a\u0085"), nodename.ErrControl) {
		t.Error("a C1 control character is not ErrControl")
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
