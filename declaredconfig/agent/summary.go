package agent

import (
	"context"

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
// device sends it in every message while it holds any document; nil when
// it holds none (unless Config.EmptySummary is set).
func (a *Agent) summaryAlert() (*syncml.Alert, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.st.Documents) == 0 && !a.cfg.EmptySummary {
		return nil, nil
	}
	x, err := a.summary().MarshalText()
	if err != nil {
		return nil, errorf("summary: %w", err)
	}
	return session.NewAlert(syncml.AlertClientEvent, syncml.Item{
		Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
		Data: syncml.XML(string(x)),
	}), nil
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
