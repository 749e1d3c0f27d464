package ddf

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

// TestRegexpErrBounded: a RegEx Go cannot compile leaves RegexpErr a
// *syntax.Error of the same code whose Expr is the start of Go's, cut to
// maxShownExpr bytes, however long the expression in the DDF; a short
// one is Go's error as it is.
func TestRegexpErrBounded(t *testing.T) {
	long := strings.Repeat("é", 50_000)
	for _, expr := range []string{"(" + long, long + ")", "[" + long, `(?<` + long, `x(?=` + long + `)`, "a**", `\8`} {
		tr, err := Parse([]byte(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>
<Node><NodeName>R</NodeName><Path>./Vendor</Path><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat>
<MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>` + strings.ReplaceAll(expr, "<", "&lt;") + `</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`))
		if err != nil {
			t.Fatalf("%.20q…: %v", expr, err)
		}
		a := tr.Roots[0].Allowed
		_, goErr := regexp.Compile(expr)
		var got, want *syntax.Error
		if !errors.As(a.RegexpErr, &got) || !errors.As(goErr, &want) {
			t.Fatalf("%.20q…: RegexpErr %v, Go's %v; want two *syntax.Error", expr, a.RegexpErr, goErr)
		}
		if a.Value != expr {
			t.Errorf("%.20q…: Value of %d bytes, want %d", expr, len(a.Value), len(expr))
		}
		if got.Code != want.Code {
			t.Errorf("%.20q…: code %q, Go's %q", expr, got.Code, want.Code)
		}
		if len(want.Expr) <= maxShownExpr {
			if got.Expr != want.Expr {
				t.Errorf("%.20q…: Expr %.200q, Go's %q", expr, got.Expr, want.Expr)
			}
			continue
		}
		if cut := strings.TrimSuffix(got.Expr, "…"); cut == got.Expr || !strings.HasPrefix(want.Expr, cut) || len(cut) > maxShownExpr {
			t.Errorf("%.20q…: Expr of %d bytes is not the start of Go's cut to %d bytes", expr, len(got.Expr), maxShownExpr)
		}
		if n := len(a.RegexpErr.Error()); n > maxShownExpr+100 {
			t.Errorf("%.20q…: RegexpErr of %d bytes", expr, n)
		}
	}
}
