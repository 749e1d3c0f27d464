package reconcile

import (
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// askSummary handles a message without a summary, such as a device's
// package 1 (the device sends its summary with its answers to the
// server's commands, and none while it holds no document): once per
// session it queues a Get of RefreshInterval, whose answer carries the
// summary, and reports true.
func (p *run) askSummary() bool {
	st := p.st
	if s, m, _ := strings.Cut(st.SummaryAsked, "\x00"); s == p.sess && m != p.msg {
		return false
	}
	st.SummaryAsked = p.sess + "\x00" + p.msg
	p.plan = append(p.plan, declaredconfig.GetRefreshInterval())
	return true
}

// readSummary reads the summary of m; a device in a steady state sends
// the same summary again and again, so the last one read of each device
// is kept with its text.
func (r *Reconciler) readSummary(device string, m *syncml.Message) (*declaredconfig.Summary, error) {
	text, ok := summaryText(m.Body.Commands, 0)
	if ok {
		r.mu.Lock()
		c := r.summaries[device]
		r.mu.Unlock()
		if c.s != nil && c.text == text {
			return c.s, nil
		}
	}
	s, err := declaredconfig.ReadSummary(m)
	if err != nil {
		return nil, err
	}
	if ok {
		r.mu.Lock()
		if r.summaries == nil || len(r.summaries) >= r.maxCached() {
			r.summaries = map[string]cachedSummary{}
		}
		r.summaries[device] = cachedSummary{text: text, s: s}
		r.mu.Unlock()
	}
	return s, nil
}

// cachedSummary is the last summary read from a device, and its text.
type cachedSummary struct {
	text string
	s    *declaredconfig.Summary
}

// summaryText returns the Data of the only 1224 summary alert of cmds
// (looking inside Atomic and Sequence), when it is escaped text or CDATA
// (markup may depend on namespaces declared around it) and there is one.
func summaryText(cmds []syncml.Command, depth int) (string, bool) {
	text, n := "", 0
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Alert:
			if c == nil || c.Data == nil || strings.TrimSpace(c.Data.Value) != "1224" {
				continue
			}
			for _, it := range c.Items {
				if it.Meta != nil && strings.TrimSpace(it.Meta.Type) == declaredconfig.SummaryType {
					if it.Data == nil || it.Data.Kind == syncml.DataXML {
						return "", false
					}
					text, n = it.Data.Value, n+1
				}
			}
		case nil, *syncml.Status, *syncml.Results:
		default:
			if len(c.Nested()) > 0 {
				if depth > 0 {
					return "", false
				}
				if _, ok := summaryText(c.Nested(), depth+1); ok {
					return "", false // not the common case: leave it to ReadSummary
				}
			}
		}
	}
	return text, n == 1
}
