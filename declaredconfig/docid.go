package declaredconfig

// EqualDocID reports whether a and b name the same document. DocIDs are
// GUIDs, which compare without regard to the case of their hexadecimal
// digits, so ASCII letters compare case-insensitively; every other byte
// compares exactly (no Unicode case folding, no braces or white space
// removed). It is the one DocID comparison of this package: Summary.Entry,
// Reply.Evaluate and Document.Validate use it.
func EqualDocID(a, b string) bool { return equalFoldASCII(a, b) }

// equalFoldASCII reports whether a and b are equal but for the case of
// their ASCII letters; every other byte compares exactly (strings.EqualFold
// folds Unicode too: "ſ" is "s" to it).
func equalFoldASCII(a, b string) bool {
	if a == b {
		return true // the common case, compared a word at a time
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
