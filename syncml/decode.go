package syncml

import (
	"fmt"
	"strings"
)

// This file builds the model from the scanner's input. Each function takes
// the offset after a start tag it is given and returns the offset after the
// element's end tag.

// prolog reads the optional XML declaration and what may follow it before
// the root element, and returns the offset of the root's '<'.
func (sc *scanner) prolog(pos int) (int, error) {
	s := sc.s
	if err := sc.need(pos, 6); err != nil && sc.partial {
		return pos, err
	}
	if strings.HasPrefix(s[pos:], "<?xml") && len(s) > pos+5 && isSpace(s[pos+5]) {
		end, err := sc.xmlDecl(pos)
		if err != nil {
			return pos, err
		}
		pos = end
	}
	pos, err := sc.misc(pos)
	if err != nil {
		return pos, err
	}
	if pos >= len(s) {
		if sc.partial {
			return pos, errNeedMore
		}
		return pos, sc.syntax(pos, "no root element")
	}
	if s[pos] != '<' {
		return pos, sc.syntax(pos, "text before the root element")
	}
	if strings.HasPrefix(s[pos:], "<!DOCTYPE") {
		return pos, sc.errAt(pos, ErrDOCTYPE)
	}
	if err := sc.need(pos, 10); err != nil && sc.partial {
		return pos, err
	}
	return pos, nil
}

// xmlDecl checks the XML declaration at pos and returns the offset after.
// The encoding it names has already been acted on by the transcoder.
func (sc *scanner) xmlDecl(pos int) (int, error) {
	s := sc.s
	j := strings.Index(s[pos:], "?>")
	if j < 0 {
		if len(s)-pos > 1024 {
			return pos, sc.syntax(pos, "unterminated XML declaration")
		}
		return pos, sc.eof(len(s))
	}
	body := s[pos+5 : pos+j]
	i := 0
	seen := 0
	for {
		k := i
		for k < len(body) && isSpace(body[k]) {
			k++
		}
		if k == len(body) {
			break
		}
		if k == i {
			return pos, sc.syntax(pos, "malformed XML declaration")
		}
		eq := strings.IndexByte(body[k:], '=')
		if eq < 0 {
			return pos, sc.syntax(pos, "malformed XML declaration")
		}
		key := trimXMLSpace(body[k : k+eq])
		v := k + eq + 1
		for v < len(body) && isSpace(body[v]) {
			v++
		}
		if v >= len(body) || body[v] != '"' && body[v] != '\'' {
			return pos, sc.syntax(pos, "malformed XML declaration")
		}
		q := body[v]
		e := strings.IndexByte(body[v+1:], q)
		if e < 0 {
			return pos, sc.syntax(pos, "malformed XML declaration")
		}
		val := body[v+1 : v+1+e]
		i = v + 2 + e
		switch {
		case key == "version" && seen == 0:
			if len(val) < 3 || val[:2] != "1." || strings.Trim(val[2:], "0123456789") != "" {
				return pos, sc.syntax(pos, "unsupported XML version %q", val)
			}
			seen = 1
		case key == "encoding" && seen == 1:
			if val == "" || strings.Trim(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
				return pos, sc.syntax(pos, "malformed encoding name %q", val)
			}
			seen = 2
		case key == "standalone" && seen >= 1 && seen < 3:
			if val != "yes" && val != "no" {
				return pos, sc.syntax(pos, "malformed standalone value %q", val)
			}
			seen = 3
		default:
			return pos, sc.syntax(pos, "malformed XML declaration")
		}
	}
	if seen == 0 {
		return pos, sc.syntax(pos, "XML declaration without version")
	}
	return pos + j + 2, nil
}

// root reads the SyncML start tag at pos.
func (sc *scanner) root(pos int) (string, int, error) {
	t, end, err := sc.startTag(pos)
	if err != nil {
		return "", pos, err
	}
	if t.local != "SyncML" {
		return "", pos, sc.structure(pos, "root element is <%s>, not <SyncML>", t.name)
	}
	if t.self {
		return "", pos, sc.structure(pos, "empty <SyncML>")
	}
	if err := sc.noAttrs(t); err != nil {
		return "", pos, err
	}
	uri, idx := sc.lookup("")
	if idx < 0 {
		uri = ""
	}
	sc.rootNS = uri
	return uri, end, nil
}

// header reads up to and including the SyncHdr element; hdrStart is the
// offset of its '<'.
//
// A message without SyncHdr (as the documentation's examples are written)
// is accepted with an empty header, which Validate reports; the canonical
// form then has an empty SyncHdr.
func (sc *scanner) header(pos int, h *Header) (end int, err error) {
	if at, ok, err := sc.peekBody(pos); err != nil || ok {
		sc.lastStart = at
		return at, err
	}
	t, pos, done, err := sc.next(pos)
	if err != nil {
		return pos, err
	}
	if done || t.local != "SyncHdr" {
		return pos, sc.structure(t.start, "<SyncML> must start with <SyncHdr>")
	}
	sc.lastStart = t.start
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		c, next, done, err := sc.next(pos)
		if err != nil {
			return next, err
		}
		if done {
			return next, nil
		}
		pos = next
		switch c.local {
		case "VerDTD":
			err = sc.once(&seen, 1<<0, c)
			if err == nil {
				h.VerDTD, pos, err = sc.leaf(c, pos)
			}
		case "VerProto":
			err = sc.once(&seen, 1<<1, c)
			if err == nil {
				h.VerProto, pos, err = sc.leaf(c, pos)
			}
		case "SessionID":
			err = sc.once(&seen, 1<<2, c)
			if err == nil {
				h.SessionID, pos, err = sc.leaf(c, pos)
			}
		case "MsgID":
			err = sc.once(&seen, 1<<3, c)
			if err == nil {
				h.MsgID, pos, err = sc.leaf(c, pos)
			}
		case "Target":
			err = sc.once(&seen, 1<<4, c)
			if err == nil {
				pos, err = sc.location(c, pos, &h.Target)
			}
		case "Source":
			err = sc.once(&seen, 1<<5, c)
			if err == nil {
				pos, err = sc.location(c, pos, &h.Source)
			}
		case "RespURI":
			err = sc.once(&seen, 1<<6, c)
			if err == nil {
				h.RespURI, pos, err = sc.leaf(c, pos)
			}
		case "NoResp":
			err = sc.once(&seen, 1<<7, c)
			if err == nil {
				h.NoResp = true
				pos, err = sc.flag(c, pos)
			}
		case "Cred":
			err = sc.once(&seen, 1<<8, c)
			if err == nil {
				h.Cred, pos, err = sc.cred(c, pos)
			}
		case "Meta":
			err = sc.once(&seen, 1<<9, c)
			if err == nil {
				h.Meta, pos, err = sc.meta(c, pos)
			}
		default:
			err = sc.unexpected(c)
		}
		if err != nil {
			return pos, err
		}
	}
}

// peekBody reports whether the next element at pos is SyncBody, without
// reading it, and returns its offset.
func (sc *scanner) peekBody(pos int) (int, bool, error) {
	at, err := sc.misc(pos)
	if err != nil {
		return pos, false, err
	}
	if at >= len(sc.s) || sc.s[at] != '<' {
		return pos, false, nil
	}
	nm, _, err := sc.name(at + 1)
	if err != nil {
		return pos, false, nil // let next report it
	}
	return at, localName(nm) == "SyncBody", nil
}

func (sc *scanner) unexpected(t tag) error {
	return sc.structure(t.start, "unexpected <%s>", t.name)
}

// bodyStart reads the SyncBody start tag after the header.
func (sc *scanner) bodyStart(pos int) (int, error) {
	t, next, done, err := sc.next(pos)
	if err != nil {
		return pos, err
	}
	if done || t.local != "SyncBody" {
		return pos, sc.structure(t.start, "<SyncHdr> must be followed by <SyncBody>")
	}
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		// an empty body: keep the element open so bodyItem sees its end
		sc.pop()
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
			return nil, pos, false, sc.structure(t.start, "<%s> after <Final/>", t.name)
		}
		if t.local == "Final" {
			next, err = sc.flag(t, next)
			if err != nil {
				return nil, pos, false, err
			}
			*final = true
			pos = next
			continue
		}
		sc.lastStart = t.start
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
		return pos, sc.structure(t.start, "unexpected <%s> after <SyncBody>", t.name)
	}
	end, err := sc.misc(next)
	if err != nil {
		return next, err
	}
	if end < len(sc.s) {
		if sc.s[end] == '<' {
			return end, sc.syntax(end, "content after the root element")
		}
		return end, sc.syntax(end, "text after the root element")
	}
	if sc.partial {
		return end, errNeedMore
	}
	return end, nil
}

// command reads one command element whose start tag is t.
func (sc *scanner) command(t tag, pos int) (Command, int, error) {
	switch t.local {
	case "Add", "Copy", "Delete", "Exec", "Get", "Replace":
		var c itemCmd
		end, err := sc.itemCommand(t, pos, &c)
		if err != nil {
			return nil, end, err
		}
		return c.command(t.local, &sc.slabs), end, nil
	case "Alert":
		c := sc.slabs.alert.get()
		end, err := sc.alert(t, pos, c)
		return c, end, err
	case "Atomic", "Sequence":
		var g group
		end, err := sc.group(t, pos, &g)
		if err != nil {
			return nil, end, err
		}
		if t.local == "Atomic" {
			return &Atomic{CmdID: g.CmdID, NoResp: g.NoResp, Meta: g.Meta, Commands: g.Commands}, end, nil
		}
		return &Sequence{CmdID: g.CmdID, NoResp: g.NoResp, Meta: g.Meta, Commands: g.Commands}, end, nil
	case "Results":
		c := sc.slabs.results.get()
		end, err := sc.results(t, pos, c)
		return c, end, err
	case "Status":
		c := sc.slabs.status.get()
		end, err := sc.status(t, pos, c)
		return c, end, err
	}
	return sc.unknown(t, pos)
}

// unknown keeps an element the model does not know as raw bytes.
func (sc *scanner) unknown(t tag, pos int) (Command, int, error) {
	mark := sc.nsMark[len(sc.nsMark)-1]
	saveCap, saveFloor := sc.capturing, sc.capFloor
	sc.capturing, sc.capFloor, sc.captured = true, mark, nil
	defer func() { sc.capturing, sc.capFloor = saveCap, saveFloor }()
	// the element's own names
	if p := prefixOf(t.name); p != "" {
		if _, err := sc.resolve(p, t.start); err != nil {
			return nil, pos, err
		}
	} else if err := sc.useDefault(t); err != nil {
		return nil, pos, err
	}
	for _, a := range sc.attrs {
		if p := prefixOf(a.name); p != "" && p != "xmlns" {
			if _, err := sc.resolve(p, a.pos); err != nil {
				return nil, pos, err
			}
		}
	}
	end, _, err := sc.raw(t, pos)
	if err != nil {
		return nil, end, err
	}
	u := &Unknown{Name: t.name, Raw: sc.s[t.start:end]}
	if len(sc.captured) > 0 {
		u.Namespaces = append([]Namespace(nil), sc.captured...)
	}
	return u, end, nil
}

// itemCmd holds the fields of the commands that carry items.
type itemCmd struct {
	CmdID      string
	NoResp     bool
	Archive    bool
	SftDel     bool
	Lang       string
	Cred       *Cred
	Meta       *Meta
	Correlator string
	Items      []Item
}

func (c *itemCmd) command(name string, s *slabs) Command {
	switch name {
	case "Add":
		p := s.add.get()
		*p = Add{CmdID: c.CmdID, NoResp: c.NoResp, Cred: c.Cred, Meta: c.Meta, Items: c.Items}
		return p
	case "Copy":
		p := s.copy.get()
		*p = Copy{CmdID: c.CmdID, NoResp: c.NoResp, Cred: c.Cred, Meta: c.Meta, Items: c.Items}
		return p
	case "Delete":
		p := s.delete.get()
		*p = Delete{CmdID: c.CmdID, NoResp: c.NoResp, Archive: c.Archive, SftDel: c.SftDel, Cred: c.Cred, Meta: c.Meta, Items: c.Items}
		return p
	case "Exec":
		p := s.exec.get()
		*p = Exec{CmdID: c.CmdID, NoResp: c.NoResp, Cred: c.Cred, Meta: c.Meta, Correlator: c.Correlator, Items: c.Items}
		return p
	case "Get":
		p := s.get.get()
		*p = Get{CmdID: c.CmdID, NoResp: c.NoResp, Lang: c.Lang, Cred: c.Cred, Meta: c.Meta, Items: c.Items}
		return p
	}
	p := s.replace.get()
	*p = Replace{CmdID: c.CmdID, NoResp: c.NoResp, Cred: c.Cred, Meta: c.Meta, Items: c.Items}
	return p
}

func (sc *scanner) itemCommand(t tag, pos int, c *itemCmd) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		switch ch.local {
		case "CmdID":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.CmdID, pos, err = sc.leaf(ch, pos)
			}
		case "NoResp":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				c.NoResp = true
				pos, err = sc.flag(ch, pos)
			}
		case "Cred":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				c.Cred, pos, err = sc.cred(ch, pos)
			}
		case "Meta":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				c.Meta, pos, err = sc.meta(ch, pos)
			}
		case "Item":
			var it Item
			pos, err = sc.item(ch, pos, &it)
			c.Items = sc.appendItem(c.Items, it)
		case "Archive":
			if t.local != "Delete" {
				err = sc.unexpected(ch)
			} else if err = sc.once(&seen, 1<<4, ch); err == nil {
				c.Archive = true
				pos, err = sc.flag(ch, pos)
			}
		case "SftDel":
			if t.local != "Delete" {
				err = sc.unexpected(ch)
			} else if err = sc.once(&seen, 1<<5, ch); err == nil {
				c.SftDel = true
				pos, err = sc.flag(ch, pos)
			}
		case "Lang":
			if t.local != "Get" {
				err = sc.unexpected(ch)
			} else if err = sc.once(&seen, 1<<6, ch); err == nil {
				c.Lang, pos, err = sc.leaf(ch, pos)
			}
		case "Correlator":
			if t.local != "Exec" {
				err = sc.unexpected(ch)
			} else if err = sc.once(&seen, 1<<7, ch); err == nil {
				c.Correlator, pos, err = sc.leaf(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) alert(t tag, pos int, c *Alert) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		switch ch.local {
		case "CmdID":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.CmdID, pos, err = sc.leaf(ch, pos)
			}
		case "NoResp":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				c.NoResp = true
				pos, err = sc.flag(ch, pos)
			}
		case "Cred":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				c.Cred, pos, err = sc.cred(ch, pos)
			}
		case "Data":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				c.Data, pos, err = sc.data(ch, pos)
			}
		case "Correlator":
			if err = sc.once(&seen, 1<<4, ch); err == nil {
				c.Correlator, pos, err = sc.leaf(ch, pos)
			}
		case "Item":
			var it Item
			pos, err = sc.item(ch, pos, &it)
			c.Items = sc.appendItem(c.Items, it)
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

// group holds the fields of Atomic and Sequence.
type group struct {
	CmdID    string
	NoResp   bool
	Meta     *Meta
	Commands []Command
}

func (sc *scanner) group(t tag, pos int, g *group) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		switch ch.local {
		case "CmdID":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				g.CmdID, pos, err = sc.leaf(ch, pos)
			}
		case "NoResp":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				g.NoResp = true
				pos, err = sc.flag(ch, pos)
			}
		case "Meta":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				g.Meta, pos, err = sc.meta(ch, pos)
			}
		default:
			var c Command
			c, pos, err = sc.command(ch, pos)
			g.Commands = append(g.Commands, c)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) results(t tag, pos int, c *Results) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		var s string
		switch ch.local {
		case "CmdID":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.CmdID, pos, err = sc.leaf(ch, pos)
			}
		case "MsgRef":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				c.MsgRef, pos, err = sc.leaf(ch, pos)
			}
		case "CmdRef":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				c.CmdRef, pos, err = sc.leaf(ch, pos)
			}
		case "Cmd":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				c.Cmd, pos, err = sc.leaf(ch, pos)
			}
		case "Meta":
			if err = sc.once(&seen, 1<<4, ch); err == nil {
				c.Meta, pos, err = sc.meta(ch, pos)
			}
		case "TargetRef":
			s, pos, err = sc.leaf(ch, pos)
			c.TargetRef = append(c.TargetRef, s)
		case "SourceRef":
			s, pos, err = sc.leaf(ch, pos)
			c.SourceRef = append(c.SourceRef, s)
		case "Item":
			var it Item
			pos, err = sc.item(ch, pos, &it)
			c.Items = sc.appendItem(c.Items, it)
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) status(t tag, pos int, c *Status) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		var s string
		switch ch.local {
		case "CmdID":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.CmdID, pos, err = sc.leaf(ch, pos)
			}
		case "MsgRef":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				c.MsgRef, pos, err = sc.leaf(ch, pos)
			}
		case "CmdRef":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				c.CmdRef, pos, err = sc.leaf(ch, pos)
			}
		case "Cmd":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				c.Cmd, pos, err = sc.leaf(ch, pos)
			}
		case "TargetRef":
			s, pos, err = sc.leaf(ch, pos)
			c.TargetRef = append(c.TargetRef, s)
		case "SourceRef":
			s, pos, err = sc.leaf(ch, pos)
			c.SourceRef = append(c.SourceRef, s)
		case "Cred":
			if err = sc.once(&seen, 1<<4, ch); err == nil {
				c.Cred, pos, err = sc.cred(ch, pos)
			}
		case "Chal":
			if err = sc.once(&seen, 1<<5, ch); err == nil {
				c.Chal, pos, err = sc.chal(ch, pos)
			}
		case "Data":
			if err = sc.once(&seen, 1<<6, ch); err == nil {
				c.Data, pos, err = sc.data(ch, pos)
			}
		case "Item":
			var it Item
			pos, err = sc.item(ch, pos, &it)
			c.Items = sc.appendItem(c.Items, it)
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) item(t tag, pos int, it *Item) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		switch ch.local {
		case "Target":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				it.Target = sc.newLocation()
				pos, err = sc.location(ch, pos, it.Target)
			}
		case "Source":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				it.Source = sc.newLocation()
				pos, err = sc.location(ch, pos, it.Source)
			}
		case "Meta":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				it.Meta, pos, err = sc.meta(ch, pos)
			}
		case "Data":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				it.Data, pos, err = sc.data(ch, pos)
			}
		case "MoreData":
			if err = sc.once(&seen, 1<<4, ch); err == nil {
				it.MoreData = true
				pos, err = sc.flag(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) location(t tag, pos int, l *Location) (int, error) {
	if err := sc.noAttrs(t); err != nil {
		return pos, err
	}
	if t.self {
		sc.pop()
		return pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return next, err
		}
		pos = next
		switch ch.local {
		case "LocURI":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				l.LocURI, pos, err = sc.leaf(ch, pos)
			}
		case "LocName":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				l.LocName, pos, err = sc.leaf(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return pos, err
		}
	}
}

func (sc *scanner) cred(t tag, pos int) (*Cred, int, error) {
	c := new(Cred)
	if err := sc.noAttrs(t); err != nil {
		return nil, pos, err
	}
	if t.self {
		sc.pop()
		return c, pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return c, next, err
		}
		pos = next
		switch ch.local {
		case "Meta":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.Meta, pos, err = sc.meta(ch, pos)
			}
		case "Data":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				c.Data, pos, err = sc.data(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return c, pos, err
		}
	}
}

func (sc *scanner) chal(t tag, pos int) (*Chal, int, error) {
	c := new(Chal)
	if err := sc.noAttrs(t); err != nil {
		return nil, pos, err
	}
	if t.self {
		sc.pop()
		return c, pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return c, next, err
		}
		pos = next
		switch ch.local {
		case "Meta":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				c.Meta, pos, err = sc.meta(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return c, pos, err
		}
	}
}

// meta reads a Meta element. Its children are matched by local name in
// any namespace: devices send them with the metinf namespace on Meta, on
// each child, through a prefix, or not at all.
func (sc *scanner) meta(t tag, pos int) (*Meta, int, error) {
	m := sc.newMeta()
	if err := sc.noAttrs(t); err != nil {
		return nil, pos, err
	}
	if t.self {
		sc.pop()
		return m, pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return m, next, err
		}
		pos = next
		var s string
		switch ch.local {
		case "Format":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				m.Format, pos, err = sc.leaf(ch, pos)
			}
		case "Type":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				m.Type, pos, err = sc.leaf(ch, pos)
			}
		case "Mark":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				m.Mark, pos, err = sc.leaf(ch, pos)
			}
		case "Size":
			if err = sc.once(&seen, 1<<3, ch); err == nil {
				m.Size, pos, err = sc.leaf(ch, pos)
			}
		case "Anchor":
			if err = sc.once(&seen, 1<<4, ch); err == nil {
				m.Anchor, pos, err = sc.anchor(ch, pos)
			}
		case "Version":
			if err = sc.once(&seen, 1<<5, ch); err == nil {
				m.Version, pos, err = sc.leaf(ch, pos)
			}
		case "NextNonce":
			if err = sc.once(&seen, 1<<6, ch); err == nil {
				m.NextNonce, pos, err = sc.leaf(ch, pos)
			}
		case "MaxMsgSize":
			if err = sc.once(&seen, 1<<7, ch); err == nil {
				m.MaxMsgSize, pos, err = sc.leaf(ch, pos)
			}
		case "MaxObjSize":
			if err = sc.once(&seen, 1<<8, ch); err == nil {
				m.MaxObjSize, pos, err = sc.leaf(ch, pos)
			}
		case "EMI":
			s, pos, err = sc.leaf(ch, pos)
			m.EMI = append(m.EMI, s)
		case "Mem":
			if err = sc.once(&seen, 1<<9, ch); err == nil {
				m.Mem, pos, err = sc.mem(ch, pos)
			}
		case "FieldLevel":
			if err = sc.once(&seen, 1<<10, ch); err == nil {
				m.FieldLevel = true
				pos, err = sc.flag(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return m, pos, err
		}
	}
}

func (sc *scanner) anchor(t tag, pos int) (*Anchor, int, error) {
	a := new(Anchor)
	if err := sc.noAttrs(t); err != nil {
		return nil, pos, err
	}
	if t.self {
		sc.pop()
		return a, pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return a, next, err
		}
		pos = next
		switch ch.local {
		case "Last":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				a.Last, pos, err = sc.leaf(ch, pos)
			}
		case "Next":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				a.Next, pos, err = sc.leaf(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return a, pos, err
		}
	}
}

func (sc *scanner) mem(t tag, pos int) (*Mem, int, error) {
	m := new(Mem)
	if err := sc.noAttrs(t); err != nil {
		return nil, pos, err
	}
	if t.self {
		sc.pop()
		return m, pos, nil
	}
	var seen uint32
	for {
		ch, next, done, err := sc.next(pos)
		if err != nil || done {
			return m, next, err
		}
		pos = next
		switch ch.local {
		case "SharedMem":
			if err = sc.once(&seen, 1<<0, ch); err == nil {
				m.SharedMem = true
				pos, err = sc.flag(ch, pos)
			}
		case "FreeMem":
			if err = sc.once(&seen, 1<<1, ch); err == nil {
				m.FreeMem, pos, err = sc.leaf(ch, pos)
			}
		case "FreeID":
			if err = sc.once(&seen, 1<<2, ch); err == nil {
				m.FreeID, pos, err = sc.leaf(ch, pos)
			}
		default:
			err = sc.unexpected(ch)
		}
		if err != nil {
			return m, pos, err
		}
	}
}

// data reads a Data element: text, CDATA, or element content kept as
// markup, and the msft:originalerror attribute.
func (sc *scanner) data(t tag, pos int) (*Data, int, error) {
	d := sc.newData()
	for _, a := range sc.attrs {
		if a.name == "xmlns" || strings.HasPrefix(a.name, "xmlns:") {
			continue
		}
		if p := prefixOf(a.name); p != "" && localName(a.name) == "originalerror" {
			if uri, _ := sc.lookup(p); uri == NamespaceMSFT {
				d.OriginalError = a.value
				continue
			}
		}
		return nil, pos, sc.structure(a.pos, "unexpected attribute %s on <%s>", a.name, t.name)
	}
	if t.self {
		sc.pop()
		return d, pos, nil
	}
	start := pos
	txt, cdata, next, err := sc.charData(pos)
	if err != nil {
		return nil, pos, err
	}
	if err := sc.need(next, 2); err != nil {
		return nil, pos, err
	}
	if sc.s[next+1] == '/' {
		end, err := sc.endTag(next)
		if err != nil {
			return nil, pos, err
		}
		d.Value = txt
		if cdata {
			d.Kind = DataCDATA
		}
		return d, end, nil
	}
	// element content: validate it and keep it as markup
	saveCap, saveFloor := sc.capturing, sc.capFloor
	sc.capturing, sc.capFloor, sc.captured = true, sc.nsMark[len(sc.nsMark)-1], nil
	t.self = false
	end, endTag, err := sc.raw(t, start)
	sc.capturing, sc.capFloor = saveCap, saveFloor
	if err != nil {
		return nil, end, err
	}
	d.Kind = DataXML
	d.Value = sc.s[start:endTag]
	if len(sc.captured) > 0 {
		d.Namespaces = append([]Namespace(nil), sc.captured...)
	}
	return d, end, nil
}
