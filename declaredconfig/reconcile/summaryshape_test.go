package reconcile_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestSummaryShapeLimits: a summary nested deeper than
// Config.MaxSummaryDepth, with an element of more attributes than
// MaxSummaryElementAttrs, or more namespace declarations in scope than
// MaxSummaryNamespaces, is not read: Reconcile returns a *LimitError that
// names that field, at its bound (declaredconfig's default when the field
// is zero), and decides nothing of the device's document; one at the
// bound is read. Before, those limits were declaredconfig's defaults,
// which no Config field set nor raised.
func TestSummaryShapeLimits(t *testing.T) {
	for _, c := range []struct {
		field  string
		cfg    reconcile.Config
		markup string // inside the summary's root, after its entry
		max    int    // the bound; 0: read
	}{
		{"", reconcile.Config{}, deepMarkup(declaredconfig.DefaultMaxDepth - 1), 0},
		{"MaxSummaryDepth", reconcile.Config{}, deepMarkup(declaredconfig.DefaultMaxDepth), declaredconfig.DefaultMaxDepth},
		{"", reconcile.Config{MaxSummaryDepth: 40}, deepMarkup(39), 0},
		{"MaxSummaryDepth", reconcile.Config{MaxSummaryDepth: 40}, deepMarkup(40), 40},
		{"", reconcile.Config{MaxSummaryDepth: 4}, deepMarkup(3), 0},
		{"MaxSummaryDepth", reconcile.Config{MaxSummaryDepth: 4}, deepMarkup(4), 4},
		{"", reconcile.Config{}, attrsMarkup(declaredconfig.DefaultMaxAttrs), 0},
		{"MaxSummaryElementAttrs", reconcile.Config{}, attrsMarkup(declaredconfig.DefaultMaxAttrs + 1), declaredconfig.DefaultMaxAttrs},
		{"", reconcile.Config{MaxSummaryElementAttrs: 100}, attrsMarkup(100), 0},
		{"MaxSummaryElementAttrs", reconcile.Config{MaxSummaryElementAttrs: 100}, attrsMarkup(101), 100},
		{"", reconcile.Config{MaxSummaryElementAttrs: 6}, attrsMarkup(6), 0},
		{"MaxSummaryElementAttrs", reconcile.Config{MaxSummaryElementAttrs: 6}, attrsMarkup(7), 6},
		{"", reconcile.Config{}, spacesMarkup(declaredconfig.DefaultMaxNamespaces), 0},
		{"MaxSummaryNamespaces", reconcile.Config{}, spacesMarkup(declaredconfig.DefaultMaxNamespaces + 1), declaredconfig.DefaultMaxNamespaces},
		{"", reconcile.Config{MaxSummaryNamespaces: 208}, spacesMarkup(208), 0},
		{"MaxSummaryNamespaces", reconcile.Config{MaxSummaryNamespaces: 208}, spacesMarkup(209), 208},
		{"", reconcile.Config{MaxSummaryNamespaces: 16}, spacesMarkup(16), 0},
		{"MaxSummaryNamespaces", reconcile.Config{MaxSummaryNamespaces: 16}, spacesMarkup(17), 16},
	} {
		what := c.field + " " + strconv.Itoa(len(c.markup)) + " bytes, bound " + strconv.Itoa(c.max)
		w := newWire(t, c.cfg)
		if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		w.send(startAlert("1") + sumAlert("3", entry(ids[0], "A0", "R1", "60")+c.markup))
		d := status(t, w.rec).Doc(ids[0])
		if d == nil {
			t.Fatalf("%s: no status", what)
		}
		var le *reconcile.LimitError
		switch {
		case c.max == 0 && (len(w.errs) != 0 || d.Condition != reconcile.InSync):
			t.Errorf("%s: errors %v, condition %v; want the summary read", what, w.errs, d.Condition)
		case c.max != 0 && (len(w.errs) != 1 || !errors.As(w.errs[0], &le) || le.Limit != c.field || le.Max != int64(c.max)):
			t.Errorf("%s: errors %v; want one LimitError of %s at %d", what, w.errs, c.field, c.max)
		case c.max != 0 && d.Condition == reconcile.InSync:
			t.Errorf("%s: the document is %v by a summary not read", what, d.Condition)
		}
	}
}
