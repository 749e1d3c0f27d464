package ddf

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlscan"
)

// parseNumberStrconv is parseNumber as it was, on strconv.ParseUint: the
// oracle for TestParseNumberSame.
func parseNumberStrconv(s string) (number, bool) {
	s = xmlscan.TrimSpace(s)
	var n number
	if s != "" && (s[0] == '-' || s[0] == '+') {
		n.neg, s = s[0] == '-', s[1:]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	mag, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return number{}, false
	}
	n.mag = mag
	n.neg = n.neg && mag != 0
	return n, true
}

// TestParseNumberSame: parseNumber, which reads digits itself, takes
// exactly the numbers strconv.ParseUint took, with the same values, on a
// table of edge cases and 20,000 random strings over digits, hex letters,
// signs, prefixes, underscores and spaces.
func TestParseNumberSame(t *testing.T) {
	cases := []string{
		"", " ", "+", "-", "0", "-0", "+0", "7", " 7\n", "010", "0x", "0x1F", "0XfF", "-0x5", "0x-5",
		"1_000", "0b1", "0o7", "1e3", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "0x0000000000000000000001",
		"00000000000000000000000000001", "99999999999999999999", "\uff11", "1 2", "+-1", "--1", "0xg",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789aAfFgxX+-_ "
	for range 20000 {
		b := make([]byte, rng.IntN(26))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(3) == 0 && len(b) > 2 {
			b[0], b[1] = '0', 'x'
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		got, ok := parseNumber(s)
		want, wantOK := parseNumberStrconv(s)
		if got != want || ok != wantOK {
			t.Errorf("parseNumber(%q) = %+v, %v; strconv reading %+v, %v", s, got, ok, want, wantOK)
		}
	}
}

// TestEnumLongValue: a long value read against a long ENUM costs about
// one reading of each, not one copy of the value per ENUM value (strconv
// copied the text it refused into its error: 1,000 values and a 256 KiB
// value allocated some 256 MB).
func TestEnumLongValue(t *testing.T) {
	a := &AllowedValues{Type: ValueENUM}
	for i := range 1000 {
		a.Enums = append(a.Enums, Enum{Value: strconv.Itoa(i)})
	}
	for _, v := range []string{strings.Repeat("x", 256<<10), "1" + strings.Repeat("0", 256<<10), "0x" + strings.Repeat("f", 256<<10)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := a.Allows(v)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("Allows(%.10q…) = nil", v)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("Allows(%.10q…) allocated %d bytes, want under 4 MiB", v, n)
		}
	}
}
