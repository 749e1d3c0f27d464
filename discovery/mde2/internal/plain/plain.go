// Package plain tells the values an XML writer copies as they are from
// those it must check and escape: printable ASCII but &, <, > and ".
// Enrollment answers carry kilobytes of such values (base64 certificates),
// so the test takes eight bytes at a time.
package plain

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte reports whether a byte of x equals c.
func hasByte(x uint64, c byte) bool {
	v := x ^ (ones * uint64(c))
	return (v-ones)&^v&highs != 0
}

// ok reports whether every byte of x is plain.
func ok(x uint64) bool {
	low := (x - ones*0x20) &^ x & highs // a byte below 0x20
	high := ((x + ones) | x) & highs    // a byte above 0x7E
	return low|high == 0 && !hasByte(x, '&') && !hasByte(x, '<') && !hasByte(x, '>') && !hasByte(x, '"')
}

// String reports whether every byte of s is printable ASCII (0x20 to
// 0x7E) other than &, <, > and ": what XML carries as it is in text and
// in attribute values.
func String(s string) bool {
	for len(s) >= 8 {
		_ = s[7]
		x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if !ok(x) {
			return false
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E || c == '&' || c == '<' || c == '>' || c == '"' {
			return false
		}
	}
	return true
}
