package agent

import (
	"sync"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// readDocs holds the documents of the last server message read by
// Agent.Unmarshal, by the Data that carried each, until ServeCommand
// takes them.
type readDocs struct {
	mu   sync.Mutex
	docs map[*syncml.Data]readDoc
}

// readDoc is what ReadMessage gave for one Data.
type readDoc struct {
	doc *declaredconfig.Document
	err error
}

// Unmarshal decodes a server message as syncml.Unmarshal does, and reads
// the documents its Items carry while it does (declaredconfig.ReadMessage),
// so that ServeCommand does not read their bytes again. Give it to the
// session's Client as session.ClientConfig.Unmarshal. The documents are
// kept until the next call; a command whose Data the last call did not
// read (one reassembled from chunks, say) has its document read from the
// Data's value, as without it.
func (a *Agent) Unmarshal(data []byte, m *syncml.Message) error {
	msg, items, err := declaredconfig.ReadMessage(data, declaredconfig.ReadOptions{Document: a.cfg.Limits})
	if err != nil {
		return err
	}
	docs := make(map[*syncml.Data]readDoc, len(items))
	for _, it := range items {
		docs[it.Command.ItemList()[it.Index].Data] = readDoc{doc: it.Document, err: it.Err}
	}
	a.read.mu.Lock()
	a.read.docs = docs
	a.read.mu.Unlock()
	*m = *msg
	return nil
}

// take returns, once, what Unmarshal read for d.
func (r *readDocs) take(d *syncml.Data) (readDoc, bool) {
	if d == nil {
		return readDoc{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	got, ok := r.docs[d]
	if ok {
		delete(r.docs, d)
	}
	return got, ok
}

// dataDocument is parseDocument for the document a Data carries: the one
// Unmarshal read with the message when it did.
func (a *Agent) dataDocument(u declaredconfig.URI, data *syncml.Data, text string) (*declaredconfig.Document, error) {
	r, ok := a.read.take(data)
	if !ok {
		return a.parseDocument(u, text)
	}
	if r.err != nil {
		return nil, r.err
	}
	return a.checkDocument(u, r.doc)
}
