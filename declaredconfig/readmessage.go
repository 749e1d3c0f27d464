package declaredconfig

import (
	"errors"
	"slices"
	"strings"

	"github.com/windc-go/windc/internal/datahook"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// ReadOptions says how ReadMessage reads a message and its documents.
// The zero value uses the default limits and reads the Items that name a
// Document node.
type ReadOptions struct {
	// Message bounds the message, as syncml.UnmarshalLimits takes it.
	Message syncml.Limits
	// Document bounds each document, as UnmarshalLimits takes it.
	Document Limits
	// Match reports whether an Item carries a document: it is given the
	// LocURI of the Item's Target, or of its Source when it has no
	// Target (the Items of a Results). Nil matches the Document nodes
	// of the CSP (ParseURI gives NodeDocument).
	Match func(locURI string) bool
}

// A DocumentItem is an Item of a message that carries a document.
type DocumentItem struct {
	// Command is the command that holds the Item (inside an Atomic or a
	// Sequence, the command in it); Index is the Item's place in
	// Command.ItemList().
	Command syncml.Command
	Index   int
	// URI is the LocURI the Item was matched by.
	URI string
	// Document is the document the Item's Data holds, nil when Err is
	// set.
	Document *Document
	// Err says why the Data is not a document: a *DecodeError or a
	// *LimitError whose offset and path are in the message: the place
	// of the fault in the message (for a Data of escaped text, whose
	// value is not the message's bytes, the start of the Data's content)
	// and the path of the Data followed by the path in the document. The
	// cause is the one Document.UnmarshalText gives for the Data's value.
	// For a message in UTF-16 or a legacy encoding, offsets count in its
	// UTF-8 text, as syncml's own errors do.
	Err error
}

// ReadMessage decodes a whole SyncML message, as syncml.UnmarshalLimits
// does, and the documents its Items carry. It gives the same message, and
// for each Item with a Data that opts.Match accepts, the document that
// UnmarshalLimits gives for the Data's value (with the namespace
// declarations around it that the value relies on), in document order.
//
// Where a Data holds the document as markup, the document is built from
// the tokens syncml reads from the message: its bytes are lexed once, not
// once by syncml and again by this package. A document that the one pass
// cannot take as it is (one that is refused, or that starts with a byte
// order mark or an XML declaration, or is longer than the MaxTokenBytes
// of its Limits) is read again from the Data's value, so that it gives
// exactly what UnmarshalLimits gives. A Data of text or CDATA is read from
// its value.
//
// A document that cannot be read is reported in its DocumentItem; the
// error ReadMessage returns is the message's own, with no message and no
// items.
func ReadMessage(data []byte, opts ReadOptions) (*syncml.Message, []DocumentItem, error) {
	h := &msgHook{lim: opts.Document.withDefaults(), match: opts.Match}
	if h.match == nil {
		h.match = isDocumentNode
	}
	m := new(syncml.Message)
	input, err := datahook.Unmarshal(data, m, opts.Message, h)
	if err != nil {
		return nil, nil, err
	}
	h.input = input
	return m, h.items(m.Body.Commands, nil), nil
}

// isDocumentNode is ReadOptions.Match's default.
func isDocumentNode(s string) bool {
	if !strings.HasSuffix(s, "/Document") {
		return false
	}
	u, err := ParseURI(s)
	return err == nil && u.Node == NodeDocument
}

// matchURI returns the LocURI an Item is matched by.
func matchURI(target, source string) string {
	if target != "" {
		return target
	}
	return source
}

// msgHook is the datahook.Hook of ReadMessage: it gives a docSink to each
// Data whose Item matches, and keeps what each built.
type msgHook struct {
	lim   Limits
	match func(string) bool
	input string
	done  []built
	sinks []docSink // slab
}

// built is what the one pass gave for one Data.
type built struct {
	data  *syncml.Data
	start int    // offset of the Data's content in the message
	path  string // path of the Data element
	doc   *Document
}

// Sink implements datahook.Hook. Until its Target is read, an Item may
// still match (a Target after the Data decides, as its Source does
// without one): its Data is built too, and dropped by items if it does
// not match in the end.
func (h *msgHook) Sink(input, target, source string) xmlscan.Sink {
	if target != "" && !h.match(target) {
		return nil
	}
	if len(h.sinks) == 0 {
		h.sinks = make([]docSink, 4)
	}
	s := &h.sinks[0]
	h.sinks = h.sinks[1:]
	s.src, s.lim = input, h.lim
	return s
}

// Done implements datahook.Hook.
func (h *msgHook) Done(data any, sink xmlscan.Sink, start int, path string) {
	d := data.(*syncml.Data)
	s := sink.(*docSink)
	b := built{data: d, start: start, path: path}
	if d.Kind == syncml.DataXML && !s.bad && s.closed && len(d.Value) <= h.lim.MaxTokenBytes && int64(len(d.Value)) <= h.lim.MaxBytes {
		t := &tree{root: s.root}
		if strings.IndexByte(d.Value, '\r') >= 0 {
			normaliseEOL(t.root)
		}
		var doc Document
		if doc.fromTree(t) == nil {
			b.doc = &doc
		}
	}
	*s = docSink{}
	h.done = append(h.done, b)
}

// items returns the document items of cmds, appended to out, in
// document order, taking what the one pass built from h.done.
func (h *msgHook) items(cmds []syncml.Command, out []DocumentItem) []DocumentItem {
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Atomic:
			out = h.items(c.Commands, out)
			continue
		case *syncml.Sequence:
			out = h.items(c.Commands, out)
			continue
		}
		for i, it := range c.ItemList() {
			if it.Data == nil {
				continue
			}
			var target, source string
			if it.Target != nil {
				target = it.Target.LocURI
			}
			if it.Source != nil {
				source = it.Source.LocURI
			}
			uri := matchURI(target, source)
			var b *built
			if len(h.done) > 0 && h.done[0].data == it.Data {
				b = &h.done[0]
				h.done = h.done[1:]
			}
			if !h.match(uri) {
				continue
			}
			di := DocumentItem{Command: c, Index: i, URI: uri}
			if b != nil && b.doc != nil {
				di.Document = b.doc
			} else {
				di.Document, di.Err = h.reread(it.Data, b)
			}
			out = append(out, di)
		}
	}
	return out
}

// reread reads the document of d from its value, as UnmarshalLimits does,
// and puts its error in the message when b says where d is.
func (h *msgHook) reread(d *syncml.Data, b *built) (*Document, error) {
	var doc Document
	err := doc.unmarshal(d.Value, h.lim, dataScope(d)...)
	if err == nil {
		return &doc, nil
	}
	if b == nil {
		return nil, err
	}
	off := 0 // in the value
	path := ""
	var de *DecodeError
	var le *LimitError
	switch {
	case errors.As(err, &de):
		off, path = int(de.Offset), de.Path
	case errors.As(err, &le):
		off, path = int(le.Offset), le.Path
	}
	at := b.start
	switch {
	case off > len(d.Value):
	case d.Kind == syncml.DataXML:
		at += off
	case d.Kind == syncml.DataCDATA && strings.HasPrefix(h.input[b.start:], cdataOpen+d.Value+"]]>"):
		// one CDATA section holds the value as it is
		at += len(cdataOpen) + off
	}
	switch {
	case de != nil:
		line, col := xmlscan.LineCol(h.input, at)
		return nil, pkg.Decode(int64(at), line, col, b.path+path, de.Err)
	case le != nil:
		return nil, pkg.Limit(le.Limit, le.Max, int64(at), b.path+path)
	}
	return nil, err
}

const cdataOpen = "<![CDATA["

// normaliseEOL normalises the line ends of the markup the tree keeps
// (values read from the scan are normalised already). The root's markup
// is normalised once, and every element's raw and inner markup is made a
// slice of it: normalising each on its own copied each element's markup
// once per element around it. A CR LF pair never straddles the bounds of
// an element's raw or inner markup (they fall next to a '<' or a '>'),
// so each slice is what normalising it alone gives.
func normaliseEOL(root *node) {
	src := root.raw
	crlf := make([]int, 0, strings.Count(src, "\r\n")) // offsets in src of each CR LF
	for i := 0; ; {
		j := strings.Index(src[i:], "\r\n")
		if j < 0 {
			break
		}
		crlf = append(crlf, i+j)
		i += j + 2
	}
	norm := xmlscan.NormalizeEOL(src)
	// at maps an offset of src to the same place in norm
	at := func(off int) int {
		k, _ := slices.BinarySearch(crlf, off)
		return off - k
	}
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		start := n.off - root.off
		end := start + len(n.raw)
		// the inner markup ends where the end tag starts, at the last '<'
		// of raw (an empty-element tag has none, and no inner markup)
		innerEnd := start + max(strings.LastIndexByte(n.raw, '<'), 0)
		innerStart := innerEnd - len(n.inner)
		n.raw, n.inner = norm[at(start):at(end)], norm[at(innerStart):at(innerEnd)]
		stack = append(stack, n.children...)
	}
}
