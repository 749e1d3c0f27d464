package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// nu46Big is a document of n settings whose values are size bytes each.
func nu46Big(id, checksum string, n, size int) reconcile.Doc {
	d := nu46Doc(id, checksum, "Config/Big/S0", "1")
	d.Document.CSPs[0].Settings = nil
	for i := range n {
		d.Document.CSPs[0].Settings = append(d.Document.CSPs[0].Settings,
			declaredconfig.Setting{Path: fmt.Sprintf("Config/Big/S%d", i), Type: "chr", Value: strings.Repeat("v", size)})
	}
	return d
}

// Large documents, as large as Declare takes, go to an agent over HTTP
// (in chunks, as large objects): each ends in sync, never sent in every
// session. One past what a device reads fails Declare (ErrLimit), and so
// does one with 5000 settings, whose result (some 320 KB) cannot fit
// the default MaxResultBytes (256 KiB): see TestDeclareResultFloor.
func TestLargeDocumentsNu46(t *testing.T) {
	if testing.Short() {
		t.Skip("large documents")
	}
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		n, size   int
		unread    bool // its result is over the default MaxResultBytes
		undeclare bool // Declare refuses it
	}{
		{"one long value", 1, 900 << 10, false, true},
		{"many settings", 5000, 8, true, true},
		{"some long values", 40, 20 << 10, false, false},
	} {
		s := newNu46Server(t, reconcile.Config{})
		dev := "urn:uuid:nu46-big"
		d := newNu46Device(t, s.hs.URL, dev)
		doc := nu46Big(nu46A, "B1", c.n, c.size)
		err := s.rec.Declare(ctx, dev, doc)
		if c.undeclare {
			if !errors.Is(err, reconcile.ErrLimit) || !errors.Is(err, reconcile.ErrInvalid) {
				t.Errorf("%s: Declare: %v, want ErrLimit and ErrInvalid", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d.checkIns(t, 3)
		st, err := s.rec.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		x := st.Docs[0]
		want := c.n
		if c.unread {
			want = 0
		}
		if x.Condition != reconcile.InSync || len(x.Settings()) != want {
			t.Errorf("%s: %v (%s), %d settings read; want InSync, %d", c.name, x.Condition, x.Reason, len(x.Settings()), want)
		}
		d.checkIn(t)
		if st, _ := s.rec.Status(ctx, dev); st.Queued != 0 {
			t.Errorf("%s: a later session queued %d commands", c.name, st.Queued)
		}
		problems := 0
		for _, e := range s.ev.take() {
			if e.Kind != reconcile.Problem {
				continue
			}
			problems++
			var le *reconcile.LimitError
			if !c.unread || !errors.As(e.Err, &le) {
				t.Errorf("%s: Problem: %v", c.name, e.Err)
			}
		}
		if c.unread && problems != 1 {
			t.Errorf("%s: %d Problems, want 1", c.name, problems)
		}
	}
}
