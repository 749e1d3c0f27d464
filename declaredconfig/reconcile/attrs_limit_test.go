package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestAttrsLimitsFollow: Config.MaxResultAttrs and MaxSummaryAttrs set
// the attributes in all that a result and a summary are read with; left
// zero, 8 times the elements (also when those are raised).
func TestAttrsLimitsFollow(t *testing.T) {
	for _, c := range []struct {
		cfg            reconcile.Config
		result, summar int
	}{
		{reconcile.Config{}, reconcile.DefaultMaxResultAttrs, reconcile.DefaultMaxSummaryAttrs},
		{reconcile.Config{MaxResultElements: 10, MaxSummaryElements: 20}, 80, 160},
		{reconcile.Config{MaxResultAttrs: 7, MaxSummaryAttrs: 9}, 7, 9},
		{reconcile.Config{MaxResultElements: 10, MaxResultAttrs: 1 << 20, MaxSummaryAttrs: 3}, 1 << 20, 3},
	} {
		if got := reconcile.ResultLimits(c.cfg).MaxTotalAttrs; got != c.result {
			t.Errorf("%+v: a result is read with MaxTotalAttrs %d, want %d", c.cfg, got, c.result)
		}
		if got := reconcile.SummaryLimits(c.cfg).MaxTotalAttrs; got != c.summar {
			t.Errorf("%+v: a summary is read with MaxTotalAttrs %d, want %d", c.cfg, got, c.summar)
		}
	}
	if reconcile.DefaultMaxResultAttrs != 8*reconcile.DefaultMaxResultElements ||
		reconcile.DefaultMaxSummaryAttrs != 8*reconcile.DefaultMaxSummaryElements {
		t.Errorf("the defaults are not 8 times the elements")
	}
}

// TestResultAttrsConfig: a result of more attributes than
// Config.MaxResultAttrs is not read: a Problem's error is a *LimitError
// naming MaxResultAttrs (the field the caller sets), and no result is
// kept; the same result is read under the default.
func TestResultAttrsConfig(t *testing.T) {
	for _, attrs := range []int{0, 40} {
		t.Run(fmt.Sprint("MaxResultAttrs=", attrs), func(t *testing.T) {
			ev := &recorder{}
			rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultAttrs: attrs})
			if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
				t.Fatal(err)
			}
			dev := newSimDevice(t, dev1)
			dev.extra = 20 // some 4 attributes each
			l := newLink(t, rec, dev)
			l.session(-1)
			l.noErrors()
			var found *reconcile.LimitError
			for _, e := range ev.events {
				var le *reconcile.LimitError
				if e.Kind == reconcile.Problem && errors.As(e.Err, &le) {
					if le.Limit != "MaxResultAttrs" || le.Max != 40 {
						t.Errorf("Problem: %v, want a LimitError of MaxResultAttrs at 40", e.Err)
					}
					found = le
				}
			}
			got, err := wantDoc(t, rec, ids[0], reconcile.InSync).Result()
			if attrs == 0 {
				if found != nil || err != nil || got == nil {
					t.Errorf("under the default: LimitError %v, result %v (%v)", found, got != nil, err)
				}
				return
			}
			if found == nil {
				t.Errorf("no Problem with a LimitError: %v", ev.kinds())
			}
			if err != nil || got != nil {
				t.Errorf("a result over MaxResultAttrs was kept (%v)", err)
			}
		})
	}
}

// TestSummaryAttrsConfig: a summary of more attributes than
// Config.MaxSummaryAttrs is not read: Reconcile returns a *LimitError
// naming MaxSummaryAttrs; under the default it reads.
func TestSummaryAttrsConfig(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<DeclaredConfigurations schema="1.0">`)
	for i := range 10 {
		fmt.Fprintf(&b, `<DeclaredConfiguration context="Device" id="%X" checksum="A0" result_checksum="R" state="60"/>`, i)
	}
	b.WriteString(`</DeclaredConfigurations>`)
	for _, attrs := range []int{0, 30} {
		rec := reconcile.New(reconcile.Config{MaxSummaryAttrs: attrs})
		m := specMessage(t, "1", "")
		m.Header.SessionID = "9"
		m.Body.Commands = append(m.Body.Commands, session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, b.String()))
		_, err := rec.Reconcile(context.Background(), session.NewSession(&session.Config{}), m, &session.Exchange{Identity: session.Identity{Device: dev1}})
		var le *reconcile.LimitError
		switch {
		case attrs == 0 && err != nil:
			t.Errorf("a summary of 51 attributes under the default: %v", err)
		case attrs != 0 && (!errors.As(err, &le) || le.Limit != "MaxSummaryAttrs" || le.Max != int64(attrs)):
			t.Errorf("a summary of 51 attributes under MaxSummaryAttrs %d: %v, want its LimitError", attrs, err)
		}
	}
}
