package agent

import (
	"context"

	"github.com/windc-go/windc/declaredconfig"
)

// PutUnchecked holds d at uri (a Document node) as a build of the agent
// that lacked today's arrival checks (checkDocument) accepted it: a record
// pending its apply, saved. Only tests use it, to make the stores such
// builds left.
func (a *Agent) PutUnchecked(ctx context.Context, uri string, d *declaredconfig.Document) error {
	u, err := declaredconfig.ParseURI(uri)
	if err != nil {
		return err
	}
	text, err := d.MarshalText()
	if err != nil {
		return err
	}
	var got declaredconfig.Document
	if err := declaredconfig.UnmarshalLimits(text, &got, a.cfg.Limits); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.st.Seq++
	a.st.Documents = append(a.st.Documents, DocumentRecord{URI: uri, Document: string(text), State: requested(u.Host),
		Seq: a.st.Seq, Pending: true})
	a.docs[key(u)] = &got
	return a.save(ctx, nil)
}
