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
	nested := func(n int, open func(i int) string, close string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(open(i))
		}
		b.WriteString(strings.Repeat(close, n))
		return b.String()
	}
	attrs := func(n int) string {
		var b strings.Builder
		b.WriteString("<y")
		for i := range n {
			b.WriteString(" a" + strconv.Itoa(i) + `="v"`)
		}
		b.WriteString("/>")
		return b.String()
	}
	// 16 declarations on each of n/16 nested elements.
	spaces := func(n int) string {
		return nested(n/16, func(i int) string {
			var b strings.Builder
			b.WriteString("<z")
			for k := range 16 {
				b.WriteString(" xmlns:n" + strconv.Itoa(i*16+k) + `="urn:x:` + strconv.Itoa(i*16+k) + `"`)
			}
			b.WriteString(">")
			return b.String()
		}, "</z>")
	}
	deep := func(levels int) string { return nested(levels, func(int) string { return "<x>" }, "</x>") }
	for _, c := range []struct {
		field  string
		cfg    reconcile.Config
		markup string // inside the result's root
		read   bool
	}{
		{"", reconcile.Config{}, deep(declaredconfig.DefaultMaxDepth - 1), true},
		{"MaxResultDepth", reconcile.Config{}, deep(declaredconfig.DefaultMaxDepth), false},
		{"", reconcile.Config{MaxResultDepth: 40}, deep(39), true},
		{"MaxResultDepth", reconcile.Config{MaxResultDepth: 4}, deep(4), false},
		{"", reconcile.Config{}, attrs(declaredconfig.DefaultMaxAttrs), true},
		{"MaxResultElementAttrs", reconcile.Config{}, attrs(declaredconfig.DefaultMaxAttrs + 1), false},
		{"", reconcile.Config{MaxResultElementAttrs: 100}, attrs(100), true},
		{"MaxResultElementAttrs", reconcile.Config{MaxResultElementAttrs: 6}, attrs(7), false},
		{"", reconcile.Config{}, spaces(declaredconfig.DefaultMaxNamespaces), true},
		{"MaxResultNamespaces", reconcile.Config{}, spaces(declaredconfig.DefaultMaxNamespaces + 16), false},
		{"", reconcile.Config{MaxResultNamespaces: 208}, spaces(208), true},
		{"MaxResultNamespaces", reconcile.Config{MaxResultNamespaces: 16}, spaces(32), false},
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
