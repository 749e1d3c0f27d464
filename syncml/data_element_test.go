package syncml_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestDataElementLimits: a Data decoded under raised Limits is read by
// ElementLimits with them, while Element, within the defaults, refuses it
// with a *LimitError naming the limit it exceeds, as ElementLimits does one
// below what the markup needs.
func TestDataElementLimits(t *testing.T) {
	var attrs, decls strings.Builder
	for i := range 40 {
		fmt.Fprintf(&attrs, ` a%d="1"`, i)
	}
	// 4 nested elements of 18 declarations each: 72 in scope innermost
	for i := range 4 {
		decls.WriteString(`<e`)
		for j := range 18 {
			fmt.Fprintf(&decls, ` xmlns:p%d_%d="urn:x"`, i, j)
		}
		decls.WriteString(`>`)
	}
	decls.WriteString(strings.Repeat(`</e>`, 4))
	for _, tt := range []struct {
		limit  string
		markup string
		need   int
		set    func(*syncml.Limits, int)
	}{
		{"MaxAttrs", `<e` + attrs.String() + `/>`, 40, func(l *syncml.Limits, n int) { l.MaxAttrs = n }},
		{"MaxDataDepth", strings.Repeat("<e>", 30) + strings.Repeat("</e>", 30), 30, func(l *syncml.Limits, n int) { l.MaxDataDepth = n }},
		{"MaxNamespaces", decls.String(), 72, func(l *syncml.Limits, n int) { l.MaxNamespaces = n }},
	} {
		t.Run(tt.limit, func(t *testing.T) {
			var lim syncml.Limits
			tt.set(&lim, tt.need)
			var m syncml.Message
			if err := syncml.UnmarshalLimits([]byte(nsMsg(syncml.NamespaceSyncML12, `<Data>`+tt.markup+`</Data>`)), &m, lim); err != nil {
				t.Fatal(err)
			}
			d := m.Body.Commands[0].(*syncml.Replace).Items[0].Data
			e, err := d.ElementLimits(lim)
			if err != nil {
				t.Fatalf("ElementLimits under the decoder's limits: %v", err)
			}
			if want := tt.markup[1:strings.IndexAny(tt.markup, " >")]; e.FullTag() != want {
				t.Errorf("element %s, want %s", e.FullTag(), want)
			}
			var below syncml.Limits
			tt.set(&below, tt.need-1)
			for name, get := range map[string]func() error{
				"Element":             func() error { _, err := d.Element(); return err },
				"ElementLimits below": func() error { _, err := d.ElementLimits(below); return err },
			} {
				var le *syncml.LimitError
				if err := get(); !errors.As(err, &le) || le.Limit != tt.limit {
					t.Errorf("%s: %v, want a *LimitError for %s", name, err, tt.limit)
				}
			}
		})
	}
}
