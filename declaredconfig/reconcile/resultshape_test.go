package reconcile_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestResultShapeLimits: a result nested deeper than
// declaredconfig.DefaultMaxDepth, with an element of more attributes than
// DefaultMaxAttrs, or more namespace declarations in scope than
// DefaultMaxNamespaces, is not read under the default Config: one
// Problem names the Config field that bounds it (MaxResultDepth,
// MaxResultElementAttrs, MaxResultNamespaces); with that field raised it
// is read, and with it lowered a result within the default is not.
// Before, those limits were declaredconfig's defaults, which no Config
// field set.
func TestResultShapeLimits(t *testing.T) {
	for _, c := range []struct {
		field  string
		cfg    reconcile.Config
		markup string // inside the result's root
		read   bool
	}{
		{"", reconcile.Config{}, deepMarkup(declaredconfig.DefaultMaxDepth - 1), true},
		{"MaxResultDepth", reconcile.Config{}, deepMarkup(declaredconfig.DefaultMaxDepth), false},
		{"", reconcile.Config{MaxResultDepth: 40}, deepMarkup(39), true},
		{"MaxResultDepth", reconcile.Config{MaxResultDepth: 4}, deepMarkup(4), false},
		{"", reconcile.Config{}, attrsMarkup(declaredconfig.DefaultMaxAttrs), true},
		{"MaxResultElementAttrs", reconcile.Config{}, attrsMarkup(declaredconfig.DefaultMaxAttrs + 1), false},
		{"", reconcile.Config{MaxResultElementAttrs: 100}, attrsMarkup(100), true},
		{"MaxResultElementAttrs", reconcile.Config{MaxResultElementAttrs: 6}, attrsMarkup(7), false},
		{"", reconcile.Config{}, spacesMarkup(declaredconfig.DefaultMaxNamespaces), true},
		{"MaxResultNamespaces", reconcile.Config{}, spacesMarkup(declaredconfig.DefaultMaxNamespaces + 16), false},
		{"", reconcile.Config{MaxResultNamespaces: 208}, spacesMarkup(208), true},
		{"MaxResultNamespaces", reconcile.Config{MaxResultNamespaces: 16}, spacesMarkup(32), false},
	} {
		what := c.field + " " + strconv.Itoa(len(c.markup)) + " bytes " + strconv.FormatBool(c.read)
		w := newWire(t, c.cfg)
		if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
			t.Fatal(err)
		}
		res := result(ids[0], "A0", "R1", "60")
		res = strings.Replace(res, "</DeclaredConfigurationResult>", c.markup+"</DeclaredConfigurationResult>", 1)
		sum := sumAlert("3", entry(ids[0], "A0", "R1", "60"))
		w.send(startAlert("1") + sum)
		w.send(getAnswered(200) + `<Results><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` +
			esc(res) + `</Data></Item></Results>` + sum)
		if len(w.errs) > 0 {
			t.Fatalf("%s: %v", what, w.errs)
		}
		var got []error
		for _, e := range w.ev.events {
			if e.Kind == reconcile.Problem {
				got = append(got, e.Err)
			}
		}
		ds, err := w.rec.Status(context.Background(), dev1)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ds.Docs[0].Result()
		if err != nil {
			t.Fatal(err)
		}
		var le *reconcile.LimitError
		switch {
		case c.read && (len(got) != 0 || r == nil):
			t.Errorf("%s: Problems %v, result %v; want it read", what, got, r)
		case !c.read && (len(got) != 1 || !errors.As(got[0], &le) || le.Limit != c.field || r != nil):
			t.Errorf("%s: Problems %v, result %v; want one LimitError of %s, nothing read", what, got, r, c.field)
		}
	}
}

// deepMarkup is markup of levels nested elements.
func deepMarkup(levels int) string {
	return strings.Repeat("<x>", levels) + strings.Repeat("</x>", levels)
}

// attrsMarkup is an element of n attributes.
func attrsMarkup(n int) string {
	var b strings.Builder
	b.WriteString("<y")
	for i := range n {
		b.WriteString(" a" + strconv.Itoa(i) + `="v"`)
	}
	b.WriteString("/>")
	return b.String()
}

// spacesMarkup is markup of nested elements that declare n namespaces in
// all, 16 on each (the last the rest), so that all are in scope at its
// innermost element.
func spacesMarkup(n int) string {
	var open, close strings.Builder
	for i := 0; i < n; i += 16 {
		open.WriteString("<z")
		for k := i; k < min(i+16, n); k++ {
			open.WriteString(" xmlns:n" + strconv.Itoa(k) + `="urn:x:` + strconv.Itoa(k) + `"`)
		}
		open.WriteString(">")
		close.WriteString("</z>")
	}
	return open.String() + close.String()
}
