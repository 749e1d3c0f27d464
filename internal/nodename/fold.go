package nodename

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fold returns name as Windows compares node names ignoring letter case
// (an ordinal comparison, one UTF-16 code unit at a time): each
// character its simple uppercase, but the dotless i and the long s,
// which stay, and characters UTF-16 writes as two code units, which
// stay too. Two names are one name ignoring case when their Folds are
// equal: the Kelvin sign is not k, nor ſ s, nor İ i, as strings.EqualFold
// would have them. A byte that is not UTF-8 (no node name holds one)
// stays as it is, equal only to itself, as in EqualFold. syncml/ddf's CaseSense CIS check and session.Mux's
// FoldCase use it, so that the two cannot drift apart.
func Fold(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return foldRunes(name)
		}
	}
	return strings.ToUpper(name)
}

// foldRunes is Fold of a name that is not all ASCII: a byte that is not
// UTF-8 is kept as it is, so that Fold agrees with EqualFold.
func foldRunes(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, name[i])
		} else {
			b = utf8.AppendRune(b, upper(r))
		}
		i += n
	}
	return string(b)
}

// EqualFold reports whether a and b are one name ignoring letter case as
// Fold reads them, without allocating; a byte that is not UTF-8 equals
// only itself.
func EqualFold(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if na == 1 && ra == utf8.RuneError || nb == 1 && rb == utf8.RuneError {
			// a byte that is no UTF-8: itself only
			if a[0] != b[0] {
				return false
			}
			na, nb = 1, 1
		} else if ra != rb && upper(ra) != upper(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == b
}

// upper maps r as Fold does.
func upper(r rune) rune {
	if r == 'ı' || r == 'ſ' || r > 0xFFFF {
		return r
	}
	return unicode.ToUpper(r)
}
