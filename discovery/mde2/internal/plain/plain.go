package plain

// bad marks the bytes that are not plain.
var bad = func() (t [256]uint8) {
	for c := range t {
		if c < 0x20 || c > 0x7E || c == '&' || c == '<' || c == '>' || c == '"' {
			t[c] = 1
		}
	}
	return t
}()

// String reports whether every byte of s is printable ASCII (0x20 to
// 0x7E) other than &, <, > and ": what XML carries as it is in text and
// in attribute values.
func String(s string) bool {
	for len(s) >= 8 {
		_ = s[7]
		if bad[s[0]]|bad[s[1]]|bad[s[2]]|bad[s[3]]|bad[s[4]]|bad[s[5]]|bad[s[6]]|bad[s[7]] != 0 {
			return false
		}
		s = s[8:]
	}
	var b uint8
	for i := 0; i < len(s); i++ {
		b |= bad[s[i]]
	}
	return b == 0
}
