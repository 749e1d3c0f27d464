package nodename

import "testing"

// TestFoldEqualFoldAgreeRV2 holds Fold and EqualFold to their docs: Fold
// says two names are one ignoring case exactly when their Folds are
// equal, and EqualFold that it reads names "as Fold reads them". For
// bytes that are not UTF-8 they disagree: Fold maps every such byte to
// U+FFFD, so "\xff" and "\xfe" fold to one string, while EqualFold says
// a byte that is no UTF-8 equals only itself. syncml/ddf keys its CIS
// clash check by Fold and its Lookup (and session.Mux) match with
// EqualFold, which the Fold doc says "cannot drift apart".
func TestFoldEqualFoldAgreeRV2(t *testing.T) {
	pairs := [][2]string{
		{"\xff", "\xfe"},
		{"a\xffb", "A\xc0B"},
		{"\xef\xbf\xbd", "\xff"}, // U+FFFD itself and a stray byte
	}
	for _, p := range pairs {
		byFold := Fold(p[0]) == Fold(p[1])
		byEq := EqualFold(p[0], p[1])
		if byFold != byEq {
			t.Errorf("names %q and %q: Fold equal %v, EqualFold %v; the docs say the two agree", p[0], p[1], byFold, byEq)
		}
	}
}
