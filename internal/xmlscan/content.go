package xmlscan

import "strings"

// Nested says how Content reads the content of an element as a document
// of its own (the markup of a SyncML Data, an element kept as raw bytes).
type Nested struct {
	// MaxDepth bounds the elements open at once inside the content,
	// counted from the element; MaxDepth of the Limits does not apply
	// there. Exceeding it is the limit named "MaxDataDepth".
	MaxDepth int
	// DefaultNS is the default namespace the content is read against: an
	// unprefixed element whose default namespace is declared outside the
	// content and differs from it is recorded in Content.Uses.
	DefaultNS string
	// Own counts the element's own start tag as part of the content: its
	// declarations are inside, and the names it uses are recorded too.
	// Without it, declarations on the element count as outside.
	Own bool
	// Sink, when set, is told each token of the content as it is read,
	// so that a caller builds what it needs in the same pass.
	Sink Sink
}

// A Sink receives the tokens Scanner.Content reads, in document order,
// with offsets into the input; the element whose content it is is not
// reported. The strings it is given may be kept; the attrs slice is the
// scanner's (see Attrs) and is valid only during the call.
type Sink interface {
	// StartElement reports a start tag at t.Start whose attributes are
	// attrs and that ends at end. An empty-element tag is followed by its
	// EndElement at once, with start and end both at end.
	StartElement(t Tag, attrs []Attr, end int)
	// CharData reports the character data between start and end, decoded
	// (comments and processing instructions folded out); cdata reports a
	// CDATA section in it.
	CharData(text string, cdata bool, start, end int)
	// EndElement reports the end tag of the innermost open element of
	// the content, between start and end.
	EndElement(start, end int)
}

// Content is what Scanner.Content read.
type Content struct {
	End      int       // offset after the element's end tag
	EndTag   int       // offset of the end tag's '<'
	Elements int       // elements inside the content
	Uses     []Binding // declarations from outside the content that it relies on, in order of first use, once per prefix; the scanner's until its next Content
}

// Content reads the content of the open element t, whose start tag ended
// at pos, as generic well-formed XML, and closes the element. Namespace
// declarations in scope around the content do not count against
// MaxNamespaces inside it; those it relies on are reported in Uses. Over
// a fragment (Enter and SetFragment), the content may end with the input:
// End and EndTag are then len(input).
func (sc *Scanner) Content(t Tag, pos int, o Nested) (Content, error) {
	floor := len(sc.ns)
	if o.Own {
		floor = sc.path[len(sc.path)-1].mark
	}
	sc.capturing, sc.capFloor, sc.captured = true, floor, sc.captured[:0]
	defer func() { sc.capturing = false }()
	var c Content
	if o.Own {
		// the element's own names
		if p := PrefixOf(t.Name); p != "" {
			if _, err := sc.resolve(p, t.Start); err != nil {
				return c, err
			}
		} else {
			sc.useDefault(t, o.DefaultNS)
		}
		for _, a := range sc.attrs {
			if p := PrefixOf(a.Name); p != "" && p != "xmlns" {
				if _, err := sc.resolve(p, a.Pos); err != nil {
					return c, err
				}
			}
		}
	}
	if t.Self {
		sc.Pop()
		c.End, c.EndTag, c.Uses = pos, pos, sc.captured
		return c, nil
	}
	outerDepth, outerBase := sc.lim.MaxDepth, sc.nsBase
	sc.lim.MaxDepth, sc.nsBase = maxInt, len(sc.ns)
	err := sc.content(pos, o, &c)
	sc.lim.MaxDepth, sc.nsBase = outerDepth, outerBase
	c.Uses = sc.captured
	return c, err
}

const maxInt = int(^uint(0) >> 1)

// content is Content's loop over the element's content at pos.
func (sc *Scanner) content(pos int, o Nested, c *Content) error {
	s := sc.src
	base := len(sc.path)
	for {
		text, cdata, next, err := sc.CharData(pos)
		if err != nil {
			c.End, c.EndTag = pos, pos
			return err
		}
		if o.Sink != nil && next > pos {
			o.Sink.CharData(text, cdata, pos, next)
		}
		pos = next
		c.End, c.EndTag = pos, pos
		if pos >= len(s) && sc.fragment && len(sc.path) == base {
			return nil
		}
		if err := sc.Need(pos, 2); err != nil {
			return err
		}
		if s[pos+1] == '/' {
			if sc.fragment && len(sc.path) == base {
				return sc.Syntax(pos, "end tag without a start tag")
			}
			at := pos
			pos, err = sc.EndTag(pos)
			c.End, c.EndTag = pos, pos
			if err != nil {
				return err
			}
			if len(sc.path) < base {
				c.EndTag = at
				return nil
			}
			if o.Sink != nil {
				o.Sink.EndElement(at, pos)
			}
			continue
		}
		if len(sc.path)-base+1 > o.MaxDepth {
			return sc.limit("MaxDataDepth", o.MaxDepth, pos)
		}
		ct, next2, err := sc.StartTag(pos)
		if err != nil {
			return err
		}
		c.Elements++
		sc.useDefault(ct, o.DefaultNS)
		pos = next2
		c.End, c.EndTag = pos, pos
		if o.Sink != nil {
			o.Sink.StartElement(ct, sc.attrs, pos)
			if ct.Self {
				o.Sink.EndElement(pos, pos)
			}
		}
		if ct.Self {
			sc.Pop()
		}
	}
}

// useDefault records that an unprefixed element relies on a default
// namespace declared outside the content when that namespace differs from
// def.
func (sc *Scanner) useDefault(t Tag, def string) {
	if !sc.capturing || strings.IndexByte(t.Name, ':') >= 0 {
		return
	}
	uri, idx := sc.lookup("")
	if idx >= sc.capFloor {
		return
	}
	if idx < 0 {
		uri = ""
	}
	if uri != def {
		sc.capture(Binding{Prefix: "", URI: uri})
	}
}
