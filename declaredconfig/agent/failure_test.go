package agent

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestErrShape checks which error texts errShape makes one: those that
// differ only in numbers, or beyond maxShapeBytes; not those that differ
// in words. Its result is at most maxShapeBytes, valid UTF-8.
func TestErrShape(t *testing.T) {
	long := strings.Repeat("é", maxShapeBytes) // 2 bytes each
	for _, tc := range []struct {
		x, y string
		same bool
	}{
		{"write /var/lib/windc/.state.tmp-2938471: no space left on device", "write /var/lib/windc/.state.tmp-77: no space left on device", true},
		{"locked at 2026-12-06T10:00:00Z", "locked at 2027-01-01T09:59:59.123Z", true},
		{"handle 0xc000123456 invalid", "handle 0x7ffd0 invalid", true},
		{"dial 127.0.0.1:8080: refused", "dial 10.1.2.3:443: refused", true},
		{"took 1.5s", "took 12ms", true},
		{"access denied", "access refused", false},
		{"locked by LockOne", "locked by LockTwo", false},
		{"error 5", "error 5 (retry)", false},
		{long + "a", long + "b", true},
	} {
		sx, sy := errShape(errors.New(tc.x)), errShape(errors.New(tc.y))
		if (sx == sy) != tc.same {
			t.Errorf("errShape(%q) = %q, errShape(%q) = %q: same %v, want %v", tc.x, sx, tc.y, sy, sx == sy, tc.same)
		}
		for _, s := range []string{sx, sy} {
			if len(s) > maxShapeBytes || !utf8.ValidString(s) {
				t.Errorf("errShape gave %d bytes, valid UTF-8 %v", len(s), utf8.ValidString(s))
			}
		}
	}
}
