package utf8cut

import "unicode/utf8"

// Prefix returns s cut to at most n bytes, at a character's start (s
// itself when it is not longer than n).
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
