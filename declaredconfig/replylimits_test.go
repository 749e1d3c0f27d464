package declaredconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestReplyLimits: the summary ReadReplyLimits reads and the results
// Evaluate reads from Results items are bounded by the Reply's Limits:
// lowered, they refuse what the defaults take (a *LimitError naming the
// field); raised, they take what the defaults refuse.
func TestReplyLimits(t *testing.T) {
	// a summary of more elements than DefaultMaxElements allows
	var b strings.Builder
	b.WriteString(`<DeclaredConfigurations schema="1.0">`)
	for range DefaultMaxElements {
		b.WriteString(`<x/>`)
	}
	b.WriteString(`</DeclaredConfigurations>`)
	many := &syncml.Alert{CmdID: "9", Data: syncml.AlertClientEvent.Data(),
		Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType}, Data: syncml.XML(b.String())}}}
	if _, err := ReadReply(msg("1", many)); !hasLimit(err, "MaxElements") {
		t.Errorf("ReadReply of %d elements: %v, want the MaxElements limit", DefaultMaxElements+1, err)
	}
	r, err := ReadReplyLimits(Limits{MaxElements: DefaultMaxElements + 1}, msg("1", many))
	if err != nil || r.Summary == nil || len(r.Summary.Unknown) != DefaultMaxElements {
		t.Errorf("ReadReplyLimits with raised limits: %v", err)
	}
	if _, err := ReadReplyLimits(Limits{MaxBytes: 64}, msg("1", summaryOf(docA, "A1"))); !hasLimit(err, "MaxBytes") {
		t.Errorf("ReadReplyLimits with MaxBytes 64: %v, want the MaxBytes limit", err)
	}

	// a result read by Evaluate
	u := DocumentURI(Device, Complete, docB)
	sent := []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docB))}}}}}
	res := resultXML("Device", docB, "B1", "200")
	results := &syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2", Items: []syncml.Item{{Data: syncml.Text(res)}}}
	for _, tc := range []struct {
		name  string
		read  func() (*Reply, error)
		limit string // the limit refused, "" for none
	}{
		{"defaults", func() (*Reply, error) { return ReadReply(msg("2", results)) }, ""},
		{"lowered", func() (*Reply, error) {
			return ReadReplyLimits(Limits{MaxBytes: int64(len(res) - 1)}, msg("2", results))
		}, "MaxBytes"},
		{"lowered by hand", func() (*Reply, error) {
			r, err := ReadReply(msg("2", results))
			if r != nil {
				r.Limits.MaxDepth = 2
			}
			return r, err
		}, "MaxDepth"},
	} {
		r, err := tc.read()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ev := r.Evaluate([]Desired{{URI: u, Checksum: "B1"}}, sent)
		if tc.limit == "" {
			if len(ev.Unmatched) != 0 || len(ev.Documents[0].Settings) != 1 {
				t.Errorf("%s: unmatched %+v, settings %+v; want the result read", tc.name, ev.Unmatched, ev.Documents[0].Settings)
			}
			continue
		}
		if len(ev.Unmatched) != 1 || !hasLimit(ev.Unmatched[0].Err, tc.limit) || ev.Documents[0].Settings != nil {
			t.Errorf("%s: unmatched %+v; want the result refused by %s", tc.name, ev.Unmatched, tc.limit)
		}
	}
}

// hasLimit reports whether err holds a *LimitError of the field limit.
func hasLimit(err error, limit string) bool {
	var le *LimitError
	return errors.As(err, &le) && le.Limit == limit && strings.Contains(err.Error(), limit)
}
