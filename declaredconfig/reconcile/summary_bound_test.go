package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A summary within a raised Config.MaxSummaryBytes and MaxSummaryElements
// is read whatever the number of its entries. Before there was a field for
// the elements, a summary of 70,000 short entries (2.4 MB) under a
// MaxSummaryBytes of 4 MiB was refused by the element bound of
// declaredconfig's defaults (65,536). Raising MaxSummaryBytes alone does
// not raise the elements: that summary is then refused with a
// *LimitError of MaxSummaryElements.
func TestSummaryRaisedBound(t *testing.T) {
	for _, elements := range []int{0, 1 << 17} {
		t.Run(fmt.Sprint("MaxSummaryElements=", elements), func(t *testing.T) { summaryRaisedBound(t, elements) })
	}
}

func summaryRaisedBound(t *testing.T, elements int) {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{MaxSummaryBytes: 4 << 20, MaxSummaryElements: elements})
	sum := declaredconfig.Summary{Schema: "1.0"}
	for i := range 70000 {
		sum.Documents = append(sum.Documents, declaredconfig.SummaryEntry{ID: fmt.Sprintf("%X", i)})
	}
	text, err := sum.MarshalText()
	if err != nil || len(text) > 4<<20 {
		t.Fatalf("summary of %d bytes: %v", len(text), err)
	}
	m := specMessage(t, "1", "")
	m.Header.SessionID = "9"
	m.Body.Commands = append(m.Body.Commands, session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, string(text)))
	_, err = rec.Reconcile(ctx, session.NewSession(&session.Config{MaxQueue: 1 << 20}), m, &session.Exchange{Identity: session.Identity{Device: dev1}})
	var le *reconcile.LimitError
	if elements == 0 {
		if !errors.As(err, &le) || le.Limit != "MaxSummaryElements" || le.Max != reconcile.DefaultMaxSummaryElements {
			t.Errorf("a summary of 70,001 elements under the default MaxSummaryElements: %v, want its LimitError", err)
		}
		return
	}
	if errors.As(err, &le) && le.Limit != "MaxDocuments" {
		t.Errorf("a summary of %d bytes under MaxSummaryBytes %d: %v", len(text), 4<<20, err)
	}
}
