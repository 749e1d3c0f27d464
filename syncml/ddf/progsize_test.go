package ddf

import (
	"math"
	"regexp/syntax"
	"testing"
)

// TestProgSizeHugeLimit: a MaxRegExCost as large as an int goes (a caller
// turning the bound off) counts an expression as a smaller large bound
// does: progSize's "limit+1" must not wrap to a negative size, which
// left every program uncounted (only bytes and Unicode classes were).
func TestProgSizeHugeLimit(t *testing.T) {
	for _, expr := range []string{`a`, `a{1000}`, `(?:ab|cd){2,500}x*`, `[\p{L}\p{N}]{1,260}`, `(?:(?:a{10}){10}b){5}`} {
		re, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		want := progSize(re, 1<<40)
		for _, limit := range []int{math.MaxInt, math.MaxInt - 1, math.MaxInt - 2} {
			if got := progSize(re, limit); got != want || got <= 0 {
				t.Errorf("progSize(%s, %d) = %d, want %d as with limit 1<<40", expr, limit, got, want)
			}
		}
		a := &AllowedValues{Type: ValueRegEx, Value: expr}
		var cost, costBig int
		if !a.compileRegEx(&cost, math.MaxInt) || a.Regexp == nil {
			t.Fatalf("compileRegEx(%s, MaxInt) refused it: %v", expr, a.RegexpErr)
		}
		(&AllowedValues{Type: ValueRegEx, Value: expr}).compileRegEx(&costBig, 1<<40)
		if cost != costBig {
			t.Errorf("compileRegEx(%s): cost %d with MaxInt, %d with 1<<40", expr, cost, costBig)
		}
	}
}
