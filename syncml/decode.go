package syncml

import (
	"fmt"
	"slices"
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
)

// This file builds the model from the scanner's input. Each function takes
// the offset after a start tag it is given and returns the offset after the
// element's end tag.

// prolog reads the optional XML declaration and what may follow it before
// the root element, and returns the offset of the root's '<'.
func (sc *scanner) prolog(pos int) (int, error) {
	s := sc.Input()
	pos, err := sc.Prolog(pos)
	if err != nil {
		return pos, err
	}
	if pos >= len(s) {
		if sc.Partial() {
			return pos, errNeedMore
		}
		return pos, sc.Syntax(pos, "no root element")
	}
	if s[pos] != '<' {
		return pos, sc.Syntax(pos, "text outside the root element")
	}
	if err := sc.Need(pos, 10); err != nil && sc.Partial() {
		return pos, err
	}
	if strings.HasPrefix(s[pos:], "<!") {
		// Misc read the comments; a DOCTYPE or CDATA section is named
		// as such, here as after the root element
		return pos, sc.OutsideDeclError(pos, `"<!--"`)
	}
	if strings.HasPrefix(s[pos:], "</") {
		return pos, sc.Syntax(pos, "end tag outside the root element")
	}
	return pos, nil
}

// root reads the SyncML start tag at pos.
func (sc *scanner) root(pos int) (string, int, error) {
	t, end, err := sc.StartTag(pos)
	if err != nil {
		return "", pos, err
	}
	if t.Local() != "SyncML" {
		return "", pos, sc.structure(pos, "root element is <%s>, not <SyncML>", t.Name)
	}
	if t.Self {
		return "", pos, sc.structure(pos, "empty <SyncML>")
	}
	if err := sc.noAttrs(t); err != nil {
		return "", pos, err
	}
	// the namespace of the root element itself, prefixed or default: the
	// writer declares it as the default namespace
	uri, _ := sc.Lookup(xmlscan.PrefixOf(t.Name))
	if uri == NamespaceXMLURI || uri == namespaceXMLNSURI {
		// the writer declares the root's namespace as the default one,
		// which a reserved namespace cannot be
		return "", pos, sc.structure(pos, "<%s> is in the reserved namespace %s", t.Name, uri)
	}
	sc.rootNS = uri
	def, _ := sc.Lookup("")
	sc.plainDecls = -1
	if def == uri || def == "" {
		sc.plainDecls = sc.Declared()
	}
	return uri, end, nil
}

// header reads up to and including the SyncHdr element and reports
// whether there was one.
//
// A message without SyncHdr (as Microsoft's documentation often writes
// them) is accepted: present is false and h stays empty, which Validate
// reports. An empty SyncHdr, and an empty Target or Source in it, are
// kept (present, EmptyTarget, EmptySource), so the writer puts them back.
func (sc *scanner) header(pos int, h *Header) (end int, present bool, err error) {
	if at, ok, err := sc.peekBody(pos); err != nil || ok {
		sc.lastStart = at
		return at, false, err
	}
	t, pos, done, err := sc.next(pos)
	if err != nil {
		return pos, false, err
	}
	if done || t.Local() != "SyncHdr" {
		return pos, false, sc.structure(t.Start, "<SyncML> must start with <SyncHdr> or <SyncBody>")
	}
	if sc.local(t) != "SyncHdr" {
		return pos, false, sc.otherSpace(t)
	}
	sc.lastStart = t.Start
	var seen uint32
	end, err = sc.children(t, pos, func(c tag, pos int) (int, error) {
		switch sc.local(c) {
		case "VerDTD":
			return sc.leafOnce(&seen, 0, c, pos, &h.VerDTD)
		case "VerProto":
			return sc.leafOnce(&seen, 1, c, pos, &h.VerProto)
		case "SessionID":
			return sc.leafOnce(&seen, 2, c, pos, &h.SessionID)
		case "MsgID":
			return sc.leafOnce(&seen, 3, c, pos, &h.MsgID)
		case "Target":
			end, err := sc.locationOnce(&seen, 4, c, pos, &h.Target)
			h.EmptyTarget = h.Target == (Location{})
			return end, err
		case "Source":
			end, err := sc.locationOnce(&seen, 5, c, pos, &h.Source)
			h.EmptySource = h.Source == (Location{})
			return end, err
		case "RespURI":
			return sc.leafOnce(&seen, 6, c, pos, &h.RespURI)
		case "NoResp":
			return sc.flagOnce(&seen, 7, c, pos, &h.NoResp)
		case "Cred":
			return sc.credOnce(&seen, 8, c, pos, &h.Cred)
		case "Meta":
			return sc.metaOnce(&seen, 9, c, pos, &h.Meta)
		}
		return pos, sc.unexpected(c)
	})
	return end, true, err
}

// peekBody reports whether the next element at pos is SyncBody, without
// reading it, and returns its offset.
func (sc *scanner) peekBody(pos int) (int, bool, error) {
	at, err := sc.Misc(pos)
	if err != nil {
		return pos, false, err
	}
	if at >= len(sc.Input()) || sc.Input()[at] != '<' {
		return pos, false, nil
	}
	nm, _, err := sc.Name(at + 1)
	if err != nil {
		return pos, false, nil // let next report it
	}
	return at, xmlscan.LocalName(nm) == "SyncBody", nil
}

// otherSpace reports t, SyncHdr or SyncBody by its local name, in a
// namespace other than the message's (or none): read as the SyncML
// element, its namespace would be lost.
func (sc *scanner) otherSpace(t tag) error {
	return sc.structure(t.Start, "<%s> is in namespace %q, not in the message's", t.Name, sc.space(t))
}

func (sc *scanner) unexpected(t tag) error {
	return sc.structure(t.Start, "unexpected <%s>", t.Name)
}

// bodyStart reads the SyncBody start tag after the header.
func (sc *scanner) bodyStart(pos int) (int, error) {
	t, next, done, err := sc.next(pos)
	if err != nil {
		return pos, err
	}
	if done || t.Local() != "SyncBody" {
		return pos, sc.structure(t.Start, "<SyncHdr> must be followed by <SyncBody>")
	}
	if sc.local(t) != "SyncBody" {
		return pos, sc.otherSpace(t)
	}
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.Self {
		// an empty body: keep the element open so bodyItem sees its end
		sc.Pop()
		return next, errEmptyBody
	}
	return next, nil
}

// errEmptyBody marks <SyncBody/>; the callers treat it as an empty body.
var errEmptyBody = fmt.Errorf("syncml: empty body")

// bodyItem reads the next command of the body. At </SyncBody> it reads the
// rest of the document and returns done.
func (sc *scanner) bodyItem(pos int, final *bool) (cmd Command, next int, done bool, err error) {
	for {
		t, next, closed, err := sc.next(pos)
		if err != nil {
			return nil, pos, false, err
		}
		if closed {
			end, err := sc.rootEnd(next)
			return nil, end, true, err
		}
		if *final {
			return nil, pos, false, sc.structure(t.Start, "<%s> after <Final/>", t.Name)
		}
		if sc.local(t) == "Final" {
			next, err = sc.flag(t, next)
			if err != nil {
				return nil, pos, false, err
			}
			*final = true
			pos = next
			continue
		}
		sc.lastStart = t.Start
		c, end, err := sc.command(t, next)
		return c, end, false, err
	}
}

// rootEnd reads </SyncML> and the end of the document.
func (sc *scanner) rootEnd(pos int) (int, error) {
	t, next, done, err := sc.next(pos)
	if err != nil {
		return pos, err
	}
	if !done {
		return pos, sc.structure(t.Start, "unexpected <%s> after <SyncBody>", t.Name)
	}
	end, err := sc.Misc(next)
	if err != nil {
		return next, err
	}
	if end < len(sc.Input()) {
		// Misc read the comments; a DOCTYPE or CDATA section is named
		// as such, here as before the root element
		if strings.HasPrefix(sc.Input()[end:], "<!") {
			return end, sc.OutsideDeclError(end, `"<!--"`)
		}
		if sc.Input()[end] == '<' {
			if err := sc.Need(end, 2); err != nil {
				return end, err
			}
			if sc.Input()[end+1] == '/' {
				return end, sc.Syntax(end, "end tag outside the root element")
			}
			return end, sc.Syntax(end, "content after the root element")
		}
		return end, sc.Syntax(end, "text outside the root element")
	}
	if sc.Partial() {
		return end, errNeedMore
	}
	return end, nil
}

// unknown keeps an element the model does not know as raw bytes. When
// the element relies on namespace declarations of enclosing elements,
// they are added to its start tag, so that Raw stands on its own.
func (sc *scanner) unknown(t tag, pos int) (Command, int, error) {
	c, err := sc.raw(t, pos, true)
	if err != nil {
		return nil, c.End, err
	}
	end := c.End
	raw := sc.Input()[t.Start:end]
	if len(c.Uses) > 0 {
		n := 1 + len(t.Name)
		b := make([]byte, 0, len(raw)+64)
		b = append(b, raw[:n]...)
		for _, ns := range c.Uses {
			b = appendNSDecl(b, Namespace(ns))
		}
		raw = string(append(b, raw[n:]...))
	}
	return &Unknown{Name: t.Name, Raw: raw}, end, nil
}

// The commands themselves are read by the code commands_gen.go has
// generated from their description in command.go.

// commandAppend reads a command nested in Atomic or Sequence (or an
// element unknown there) and appends it to *cmds.
func (sc *scanner) commandAppend(t tag, pos int, cmds *[]Command) (int, error) {
	c, end, err := sc.command(t, pos)
	*cmds = append(*cmds, c)
	return end, err
}

// chalOnce reads the Chal of a Status.
func (sc *scanner) chalOnce(seen *uint32, bit uint, t tag, pos int, dst **Chal) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	c := new(Chal)
	*dst = c
	var seenChal uint32
	return sc.children(t, pos, func(g tag, pos int) (int, error) {
		if sc.local(g) == "Meta" {
			return sc.metaOnce(&seenChal, 0, g, pos, &c.Meta)
		}
		return pos, sc.unexpected(g)
	})
}

// itemAppend reads an Item and appends it to *items.
func (sc *scanner) itemAppend(t tag, pos int, items *[]Item) (int, error) {
	var it Item
	var seen uint32
	end, err := sc.children(t, pos, func(ch tag, pos int) (int, error) {
		switch sc.local(ch) {
		case "Target":
			return sc.locationPtrOnce(&seen, 0, ch, pos, &it.Target)
		case "Source":
			return sc.locationPtrOnce(&seen, 1, ch, pos, &it.Source)
		case "Meta":
			return sc.metaOnce(&seen, 2, ch, pos, &it.Meta)
		case "Data":
			if sc.hook != nil {
				return sc.hookedData(&seen, 3, ch, pos, &it)
			}
			return sc.dataOnce(&seen, 3, ch, pos, &it.Data)
		case "MoreData":
			return sc.flagOnce(&seen, 4, ch, pos, &it.MoreData)
		}
		return pos, sc.unexpected(ch)
	})
	*items = sc.appendItem(*items, it, end)
	return end, err
}

// hookedData reads the Data of the Item it, feeding its content to the
// sink the hook gives for it, if any (see internal/datahook).
func (sc *scanner) hookedData(seen *uint32, bit uint, t tag, pos int, it *Item) (int, error) {
	var target, source string
	if it.Target != nil {
		target = it.Target.LocURI
	}
	if it.Source != nil {
		source = it.Source.LocURI
	}
	sink := sc.hook.Sink(sc.Input(), target, source)
	if sink == nil {
		return sc.dataOnce(seen, bit, t, pos, &it.Data)
	}
	path := sc.PathString()
	sc.sink = sink
	end, err := sc.dataOnce(seen, bit, t, pos, &it.Data)
	sc.sink = nil
	if err == nil {
		sc.hook.Done(it.Data, sink, pos, path)
	}
	return end, err
}

func (sc *scanner) location(t tag, pos int, l *Location) (int, error) {
	var seen uint32
	return sc.children(t, pos, func(ch tag, pos int) (int, error) {
		switch sc.local(ch) {
		case "LocURI":
			return sc.leafOnce(&seen, 0, ch, pos, &l.LocURI)
		case "LocName":
			return sc.leafOnce(&seen, 1, ch, pos, &l.LocName)
		}
		return pos, sc.unexpected(ch)
	})
}

func (sc *scanner) cred(t tag, pos int, c *Cred) (int, error) {
	var seen uint32
	return sc.children(t, pos, func(ch tag, pos int) (int, error) {
		switch sc.local(ch) {
		case "Meta":
			return sc.metaOnce(&seen, 0, ch, pos, &c.Meta)
		case "Data":
			return sc.dataOnce(&seen, 1, ch, pos, &c.Data)
		}
		return pos, sc.unexpected(ch)
	})
}

// meta reads a Meta element. Its descendants are matched by local name in
// the metinf namespace, the message's SyncML one or none (metaLocal):
// devices send them with the metinf namespace on Meta, on each child,
// through a prefix, or not at all.
func (sc *scanner) meta(t tag, pos int, m *Meta) (int, error) {
	var seen uint32
	return sc.children(t, pos, func(ch tag, pos int) (int, error) {
		switch sc.metaLocal(ch) {
		case "Format":
			return sc.leafOnce(&seen, 0, ch, pos, &m.Format)
		case "Type":
			return sc.leafOnce(&seen, 1, ch, pos, &m.Type)
		case "Mark":
			return sc.leafOnce(&seen, 2, ch, pos, &m.Mark)
		case "Size":
			return sc.leafOnce(&seen, 3, ch, pos, &m.Size)
		case "Anchor":
			if err := sc.once(&seen, 4, ch); err != nil {
				return pos, err
			}
			a := new(Anchor)
			m.Anchor = a
			var seenA uint32
			return sc.children(ch, pos, func(g tag, pos int) (int, error) {
				switch sc.metaLocal(g) {
				case "Last":
					return sc.leafOnce(&seenA, 0, g, pos, &a.Last)
				case "Next":
					return sc.leafOnce(&seenA, 1, g, pos, &a.Next)
				}
				return pos, sc.unexpected(g)
			})
		case "Version":
			return sc.leafOnce(&seen, 5, ch, pos, &m.Version)
		case "NextNonce":
			return sc.leafOnce(&seen, 6, ch, pos, &m.NextNonce)
		case "MaxMsgSize":
			return sc.leafOnce(&seen, 7, ch, pos, &m.MaxMsgSize)
		case "MaxObjSize":
			return sc.leafOnce(&seen, 8, ch, pos, &m.MaxObjSize)
		case "EMI":
			return sc.leafAppend(ch, pos, &m.EMI)
		case "Mem":
			if err := sc.once(&seen, 9, ch); err != nil {
				return pos, err
			}
			mem := new(Mem)
			m.Mem = mem
			var seenM uint32
			return sc.children(ch, pos, func(g tag, pos int) (int, error) {
				switch sc.metaLocal(g) {
				case "SharedMem":
					return sc.flagOnce(&seenM, 0, g, pos, &mem.SharedMem)
				case "FreeMem":
					return sc.leafOnce(&seenM, 1, g, pos, &mem.FreeMem)
				case "FreeID":
					return sc.leafOnce(&seenM, 2, g, pos, &mem.FreeID)
				}
				return pos, sc.unexpected(g)
			})
		case "FieldLevel":
			return sc.flagOnce(&seen, 10, ch, pos, &m.FieldLevel)
		}
		return pos, sc.unexpected(ch)
	})
}

// ---- child helpers ----

// children reads the content of the structural element t, whose start
// tag ended at pos: it rejects attributes other than namespace
// declarations, accepts <t/>, and calls child for each child element,
// which must read it whole and return the offset after it. It returns
// the offset after t's end tag.
func (sc *scanner) children(t tag, pos int, child func(ch tag, pos int) (int, error)) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.Self {
		sc.Pop()
		return pos, nil
	}
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		if pos, err = child(ch, next); err != nil {
			return pos, err
		}
	}
}

// once rejects a second occurrence of a single-valued child; bit numbers
// the child within its parent.
func (sc *scanner) once(seen *uint32, bit uint, t tag) error {
	if *seen&(1<<bit) != 0 {
		return sc.repeated(t)
	}
	*seen |= 1 << bit
	return nil
}

// repeated is once's error, out of line so that once inlines.
func (sc *scanner) repeated(t tag) error {
	return sc.structure(t.Start, "repeated <%s>", t.Name)
}

func (sc *scanner) leafOnce(seen *uint32, bit uint, t tag, pos int, dst *string) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	var err error
	*dst, pos, err = sc.leaf(t, pos)
	return pos, err
}

func (sc *scanner) leafAppend(t tag, pos int, dst *[]string) (int, error) {
	v, end, err := sc.leaf(t, pos)
	*dst = append(*dst, v)
	return end, err
}

func (sc *scanner) flagOnce(seen *uint32, bit uint, t tag, pos int, dst *bool) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	*dst = true
	return sc.flag(t, pos)
}

func (sc *scanner) locationOnce(seen *uint32, bit uint, t tag, pos int, dst *Location) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	return sc.location(t, pos, dst)
}

func (sc *scanner) locationPtrOnce(seen *uint32, bit uint, t tag, pos int, dst **Location) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	*dst = sc.newLocation()
	return sc.location(t, pos, *dst)
}

func (sc *scanner) metaOnce(seen *uint32, bit uint, t tag, pos int, dst **Meta) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	*dst = sc.newMeta()
	return sc.meta(t, pos, *dst)
}

func (sc *scanner) credOnce(seen *uint32, bit uint, t tag, pos int, dst **Cred) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	*dst = new(Cred)
	return sc.cred(t, pos, *dst)
}

func (sc *scanner) dataOnce(seen *uint32, bit uint, t tag, pos int, dst **Data) (int, error) {
	if err := sc.once(seen, bit, t); err != nil {
		return pos, err
	}
	var err error
	*dst, pos, err = sc.data(t, pos)
	return pos, err
}

// data reads a Data element: text, CDATA, or element content kept as
// markup, and the msft:originalerror attribute.
func (sc *scanner) data(t tag, pos int) (*Data, int, error) {
	d := sc.newData()
	// Data itself is read as every element of the model: in the
	// message's namespace or in none, which are the same (see local), so
	// xmlns="" on Data is SyncML's and the writer drops it unless the
	// content's elements are in no namespace (then Namespaces keeps it).
	// Any other default namespace that Data declares is its element
	// content's, which must use it: else Data would be read, and written
	// back, in the message's namespace.
	own := ""
	if t.LStart == 0 {
		if uri := sc.space(t); uri != sc.rootNS && uri != "" {
			own = uri
		}
	}
	for _, a := range sc.Attrs() {
		if a.Name == "xmlns" || strings.HasPrefix(a.Name, "xmlns:") {
			continue
		}
		if p := xmlscan.PrefixOf(a.Name); p != "" && xmlscan.LocalName(a.Name) == "originalerror" {
			if uri, _ := sc.Lookup(p); uri == NamespaceMSFT {
				if a.Value == "" {
					// "" is the model's absent attribute: taking it
					// would drop the attribute from the output
					return nil, pos, sc.structure(a.Pos, "empty attribute %s on <%s>", a.Name, t.Name)
				}
				d.OriginalError = a.Value
				continue
			}
		}
		return nil, pos, sc.unexpectedAttr(a, t)
	}
	if t.Self {
		sc.Pop()
		if own != "" {
			return nil, pos, sc.ownUnused(t, own)
		}
		return d, pos, nil
	}
	if txt, end, ok := sc.LeafText(pos); ok {
		if own != "" {
			return nil, pos, sc.ownUnused(t, own)
		}
		d.Value = txt
		return d, end, nil
	}
	start := pos
	txt, cdata, next, err := sc.CharData(pos)
	if err != nil {
		return nil, pos, err
	}
	if err := sc.Need(next, 2); err != nil {
		return nil, pos, err
	}
	if sc.Input()[next+1] == '/' {
		end, err := sc.EndTag(next)
		if err != nil {
			return nil, pos, err
		}
		if own != "" {
			return nil, pos, sc.ownUnused(t, own)
		}
		d.Value = txt
		if cdata {
			d.Kind = DataCDATA
		}
		return d, end, nil
	}
	if sc.sink != nil && next > start {
		sc.sink.CharData(txt, cdata, start, next)
	}
	end, err := sc.markup(t, d, start, next)
	if err != nil {
		return nil, end, err
	}
	if own != "" && !slices.Contains(d.Namespaces, Namespace{URI: own}) {
		return nil, end, sc.ownUnused(t, own)
	}
	return d, end, nil
}

// ownUnused reports the Data t that declares uri, another namespace than
// the message's, as its default but holds no element content in it. It is
// called once t has ended, so the error's path is t's parent's and t.
func (sc *scanner) ownUnused(t tag, uri string) error {
	return sc.errAtPath(t.Start, sc.PathString()+"/"+t.Name, fmt.Errorf("%w: <%s> declares the namespace %q, which no element of its content is in",
		ErrStructure, t.Name, uri))
}

// markup reads the element content of the Data t, which starts at start
// and whose leading character data is read and checked up to next, into
// d as markup. Declarations on Data itself count as outside its content:
// the writer puts Data.Namespaces back on the Data element.
func (sc *scanner) markup(t tag, d *Data, start, next int) (int, error) {
	c, err := sc.raw(t, next, false)
	if err != nil {
		return c.End, err
	}
	d.Kind = DataXML
	d.Value = sc.Input()[start:c.EndTag]
	if len(c.Uses) > 0 {
		d.Namespaces = namespaces(c.Uses)
	}
	return c.End, nil
}
