package declaredconfig

import (
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A docSink builds the tree of a document carried as markup in a
// syncml.Data from the tokens syncml reads from the message
// (xmlscan.Sink), with the builder the parser uses. syncml has checked
// what is lexical; the sink checks what the parser checks beyond that
// (one root, nothing but white space and comments around it) and this
// package's limits. When it meets anything else it gives up (bad), and
// the document is read again from the Data's value, which reports it.
type docSink struct {
	builder
	src string // the message
	lim Limits

	root     *node
	closed   bool  // the root element has ended
	bad      bool  // the one pass cannot take the document
	elements int   // elements so far
	attrs    int   // attributes so far
	decls    int   // namespace declarations on the open elements
	declsAt  []int // decls when each open element started
}

// StartElement implements xmlscan.Sink.
func (s *docSink) StartElement(t xmlscan.Tag, attrs []xmlscan.Attr, end int) {
	if s.bad {
		return
	}
	if s.closed || len(s.open) >= s.lim.MaxDepth || s.elements >= s.lim.MaxElements || len(attrs) >= s.lim.MaxAttrs {
		s.bad = true
		return
	}
	s.elements++
	if s.attrs += len(attrs); s.attrs >= s.lim.MaxTotalAttrs {
		s.bad = true
		return
	}
	s.declsAt = append(s.declsAt, s.decls)
	for _, a := range attrs {
		if a.Name == "xmlns" || strings.HasPrefix(a.Name, "xmlns:") {
			s.decls++
		}
	}
	if s.decls >= s.lim.MaxNamespaces {
		s.bad = true
		return
	}
	n := s.start(t, attrs, end)
	if s.root == nil {
		s.root = n
	}
}

// CharData implements xmlscan.Sink.
func (s *docSink) CharData(text string, cdata bool, start, end int) {
	if s.bad {
		return
	}
	if len(s.open) == 0 {
		// around the root: the parser takes white space and comments
		// here (and, before it, a byte order mark and an XML
		// declaration, which the one pass leaves to it)
		s.bad = !spaceAndComments(s.src[start:end])
		return
	}
	s.text(text)
}

// EndElement implements xmlscan.Sink.
func (s *docSink) EndElement(start, end int) {
	if s.bad {
		return
	}
	s.end(s.src, start, end)
	s.decls = s.declsAt[len(s.declsAt)-1]
	s.declsAt = s.declsAt[:len(s.declsAt)-1]
	if len(s.open) == 0 {
		s.closed = true
	}
}

// spaceAndComments reports whether raw, which the lexer has read as
// character data, holds only XML white space and comments.
func spaceAndComments(raw string) bool {
	for raw != "" {
		if xmlscan.IsSpace(raw[0]) {
			raw = raw[1:]
			continue
		}
		if !strings.HasPrefix(raw, "<!--") {
			return false
		}
		i := strings.Index(raw[4:], "-->")
		if i < 0 {
			return false
		}
		raw = raw[4+i+3:]
	}
	return true
}
