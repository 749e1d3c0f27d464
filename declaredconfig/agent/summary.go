package agent

import (
	"context"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Summary returns the DeclaredConfigurations summary: one entry per
// document held (in the order they were first accepted), with the version
// held, the result_checksum of its last result and its state.
func (a *Agent) Summary() *declaredconfig.Summary {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.summary()
}

func (a *Agent) summary() *declaredconfig.Summary {
	s := &declaredconfig.Summary{Schema: "1.0"}
	for _, r := range a.st.Documents {
		u, err := a.parse(r.URI)
		if err != nil {
			continue
		}
		d := a.docs[key(u)]
		if d == nil {
			continue
		}
		s.Documents = append(s.Documents, declaredconfig.SummaryEntry{Context: d.Context, ID: d.ID, Checksum: d.Checksum,
			ResultChecksum: r.ResultChecksum, State: stateText(r.State)})
	}
	return s
}

// summaryAlert returns the 1224 alert that carries the summary, as the
// device sends it in every message while it holds any document (the
// Client leaves it out of those that go on with an object in chunks); nil when
// it holds none (unless Config.EmptySummary is set).
func (a *Agent) summaryAlert() (*syncml.Alert, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.st.Documents) == 0 && !a.cfg.EmptySummary {
		return nil, nil
	}
	return alertOf(a.summary())
}

func alertOf(s *declaredconfig.Summary) (*syncml.Alert, error) {
	x, err := s.MarshalText()
	if err != nil {
		return nil, errorf("summary: %w", err)
	}
	return session.NewAlert(syncml.AlertClientEvent, syncml.Item{
		Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
		Data: syncml.XML(string(x)),
	}), nil
}

// alertLen returns the encoded size of the 1224 alert of s.
func alertLen(s *declaredconfig.Summary) (int, error) {
	al, err := alertOf(s)
	if err != nil {
		return 0, err
	}
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{al}}})
	if err != nil {
		return 0, errorf("summary: %w", err)
	}
	return len(b), nil
}

// worstEntry is the summary entry of d with the longest result_checksum
// and state it can have.
func worstEntry(d *declaredconfig.Document) declaredconfig.SummaryEntry {
	return declaredconfig.SummaryEntry{Context: d.Context, ID: d.ID, Checksum: d.Checksum,
		ResultChecksum: strings.Repeat("F", 64), State: "63"}
}

// entryLen returns what the summary entry of d adds to the alert at most
// (a.mu held); it keeps what it measured.
func (a *Agent) entryLen(d *declaredconfig.Document) (int, error) {
	k := d.Context + "\x00" + d.ID + "\x00" + d.Checksum
	if n, ok := a.entryLens[k]; ok {
		return n, nil
	}
	if a.emptyAlert == 0 {
		n, err := alertLen(&declaredconfig.Summary{Schema: "1.0"})
		if err != nil {
			return 0, err
		}
		a.emptyAlert = n
	}
	n, err := alertLen(&declaredconfig.Summary{Schema: "1.0", Documents: []declaredconfig.SummaryEntry{worstEntry(d)}})
	if err != nil {
		return 0, err
	}
	if len(a.entryLens) > 2*len(a.st.Documents)+64 {
		clear(a.entryLens) // versions gone
	}
	a.entryLens[k] = n - a.emptyAlert
	return n - a.emptyAlert, nil
}

// summaryFits reports whether the alert stays within MaxSummaryBytes
// whatever the results, with d held in place of the record at i (-1: in
// addition to the records). a.mu held.
func (a *Agent) summaryFits(d *declaredconfig.Document, i int) bool {
	total, err := a.entryLen(d)
	if err != nil {
		return false
	}
	total += a.emptyAlert
	for j, r := range a.st.Documents {
		if j == i {
			continue
		}
		u, err := a.parse(r.URI)
		if err != nil {
			continue
		}
		o := a.docs[key(u)]
		if o == nil {
			continue
		}
		n, err := a.entryLen(o)
		if err != nil {
			return false
		}
		if total += n; total > a.cfg.MaxSummaryBytes {
			return false
		}
	}
	return total <= a.cfg.MaxSummaryBytes
}

// EachMessage is the ClientConfig.EachMessage of a session.Client whose
// server is the WinDC service: the 1224 alert that carries the summary,
// in every message, after the server's commands in it were handled. It
// returns no command while the agent holds no document (unless
// Config.EmptySummary is set).
func (a *Agent) EachMessage(context.Context) ([]syncml.Command, error) {
	al, err := a.summaryAlert()
	if err != nil || al == nil {
		return nil, err
	}
	return []syncml.Command{al}, nil
}
