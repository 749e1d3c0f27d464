package syncml

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// This file reads the common shape of a whole message, as devices and
// servers write it (or without SyncHdr, as a Session keeps the commands
// of its state), without the general machinery of decode.go: elements
// of the model named by plain letters; no attributes but the metinf
// namespace declaration on Meta and its children, the msft prefix's
// declaration on SyncBody and msft:originalerror on Data, as Windows
// writes them (see attrs); character data without markup, carriage
// returns or control characters other than tab and line feed (references
// to the predefined entities and character references decoded as the
// general reader does, see refText; non-ASCII characters checked as it
// checks them, see moreText); white space between elements.
// The general reader builds the same model from such input; this one only
// does it with less work. Anything else (every error included) makes it
// give up, and Unmarshal reads the message the general way from the start
// of its header, so results, errors and limits are those of decode.go:
// TestFastDecodeAgrees and TestFastDecodeCases (both readers on changed
// messages and swept limits) and FuzzSyncMLChunked (Unmarshal against the
// Decoder, which reads the general way) check that both agree. Commands
// it does not read (Atomic, Sequence, Copy), Chal, Anchor, Mem, EMI and
// other attributes go the general way.
//
// Limits: it runs only when the whole message is within MaxTokenBytes (no
// token is longer than the message), and counts tokens, depth and
// declarations itself.

// fastDec is the state of the fast reader: an offset, the depth of the
// innermost open element and the declarations in scope.
type fastDec struct {
	sc       *scanner
	s        string
	pos      int
	depth    int
	maxDepth int
	ns       int // declarations in scope
	maxNS    int // ns may not reach it (0 when declarations are refused)
	tokens   int // read, counted as MaxTokens counts them

	msft    bool   // the body declared the msft prefix (msftDecl)
	origErr string // msft:originalerror of the Data start tag open read
}

// The kinds of tag open finds.
const (
	fStart = iota // <Name>, read
	fEmpty        // <Name/>, read
	fEnd          // </, not read
)

// metinfDecl is the one attribute the fast reader accepts, on Meta and
// the elements inside it.
const metinfDecl = ` xmlns="` + NamespaceMetInf + `">`

var (
	wSyncHdr  = nameWord("SyncHdr")
	wSyncBody = nameWord("SyncBody")
	wSyncML   = nameWord("SyncML")
	wMeta     = nameWord("Meta")
	wCred     = nameWord("Cred")
	wItem     = nameWord("Item")
	wData     = nameWord("Data")
)

var (
	fastLT   = xmlscan.Broadcast('<')
	fastAmp  = xmlscan.Broadcast('&')
	fastRSqB = xmlscan.Broadcast(']')
)

// fastMessage reads the rest of the message after the root's start tag at
// pos into m (whose XMLNS is set) and reports whether it could.
func (sc *scanner) fastMessage(pos int, m *Message) bool {
	s := sc.Input()
	if len(s) > sc.lim.MaxTokenBytes || sc.hook != nil || sc.Partial() {
		return false
	}
	// A CDATA section or a comment anywhere makes the fast reader give
	// up when it gets there, and all it read is read again. Such a
	// message (and one with '!' in its text, which only costs speed)
	// goes to the general reader at once, for one pass over the bytes.
	if strings.IndexByte(s[pos:], '!') >= 0 {
		return false
	}
	f := fastDec{sc: sc, s: s, pos: pos, depth: sc.Depth(), maxDepth: sc.lim.MaxDepth, ns: sc.Declared(), tokens: sc.Tokens()}
	if sc.lim.MaxAttrs >= 1 {
		f.maxNS = sc.lim.MaxNamespaces
	}
	if sc.Declared() != sc.plainDecls {
		return false // unprefixed names are not plainly in the message's namespace
	}
	// a message without SyncHdr (NoHeader) starts with its body, read
	// from where open found it
	before := f
	if name, _, kind, _, ok := f.open(false); ok && kind == fStart && name == "SyncHdr" {
		if !f.header(&m.Header) {
			return false
		}
	} else {
		f, m.NoHeader = before, true
	}
	sc.slabs.rest(s[f.pos:])
	if !f.bodyStart() {
		return false
	}
	for {
		name, w, kind, _, ok := f.open(false)
		if !ok {
			return false
		}
		if kind == fEnd {
			break
		}
		if m.Body.Final {
			return false
		}
		if name == "Final" {
			if !f.flag(name, w, kind) {
				return false
			}
			m.Body.Final = true
			continue
		}
		if kind != fStart {
			return false
		}
		sc.lastStart = f.pos // where the slabs see the reader (slabs.more)
		c, ok := f.command(name, w)
		if !ok {
			return false
		}
		m.Body.Commands = sc.slabs.addCommand(m.Body.Commands, c)
	}
	if !f.close("SyncBody", wSyncBody) {
		return false
	}
	if f.msft {
		f.ns--
	}
	if _, _, kind, _, ok := f.open(false); !ok || kind != fEnd || !f.close("SyncML", wSyncML) {
		return false
	}
	return f.spaceToEnd() && f.tokens <= sc.lim.MaxTokens
}

// open skips white space and reads a start tag, or finds an end tag and
// stops at its '<'. A Meta start tag, and with meta any start tag, may
// declare the metinf namespace (decl); in a body whose start tag declared
// the msft prefix, a Data start tag may carry msft:originalerror, which
// open leaves in f.origErr for data. A start tag deeper than MaxDepth,
// or anything else, is not ok. The name's first eight bytes (as
// xmlscan.Load64 reads them, the bytes after a shorter name zero) are w,
// for close.
func (f *fastDec) open(meta bool) (name string, w uint64, kind int, decl bool, ok bool) {
	s, i := f.s, f.pos
	tok := 1 // the tag
	if i < len(s) && s[i] != '<' {
		i = xmlscan.SkipSpace(s, i)
		tok++ // white space between elements is a text token
	}
	if i+2 >= len(s) || s[i] != '<' {
		return "", 0, 0, false, false
	}
	if s[i+1] == '/' {
		f.pos, f.tokens = i, f.tokens+tok-1
		return "", 0, fEnd, false, true
	}
	j := i + 1
	if j+8 <= len(s) {
		// names of up to eight letters in one word, longer ones on
		w = xmlscan.Load64(s, j)
		n := bits.TrailingZeros64(xmlscan.NonLetters(w)) >> 3
		w &= xmlscan.WordMask(n)
		j += n
		if n == 8 {
			for j < len(s) && isASCIILetter(s[j]) {
				j++
			}
		}
	} else {
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		w = nameWord(s[i+1 : j])
	}
	if j == i+1 || j >= len(s) {
		return "", 0, 0, false, false
	}
	name = s[i+1 : j]
	switch s[j] {
	case '>':
		kind, j = fStart, j+1
	case '/':
		if j+1 >= len(s) || s[j+1] != '>' {
			return "", 0, 0, false, false
		}
		kind, j = fEmpty, j+2
	case ' ', '\t', '\n', '\r':
		if kind, j, decl = f.attrs(name, j, meta); kind < 0 {
			return "", 0, 0, false, false
		}
	default:
		return "", 0, 0, false, false
	}
	if f.depth >= f.maxDepth {
		return "", 0, 0, false, false
	}
	f.tokens += tok
	if kind == fStart {
		f.depth++
		if decl {
			f.ns++
		}
	}
	f.pos = j
	return name, w, kind, decl, true
}

// The attributes the fast reader takes: the metinf declaration (see
// open), the msft declaration on SyncBody, as Windows writes it
// (MS-MDM 2.2.4.2), and msft:originalerror on Data (MS-MDM 2.2.5.1).
const (
	msftDecl    = ` xmlns:msft="` + NamespaceMSFT + `">`
	origErrAttr = ` msft:originalerror="`
)

var fastQuot = xmlscan.Broadcast('"')

// attrs reads what follows the name of the start tag name, from the
// white space at s[j] on: nothing but white space, or one of the
// attributes open takes. It returns the kind of tag, the offset after it
// and whether it declares the metinf namespace, or kind -1.
func (f *fastDec) attrs(name string, j int, meta bool) (kind, end int, decl bool) {
	s := f.s
	switch k := xmlscan.SkipSpace(s, j); {
	case k >= len(s):
		return -1, j, false
	case s[k] == '>':
		return fStart, k + 1, false
	case s[k] == '/':
		if k+1 < len(s) && s[k+1] == '>' {
			return fEmpty, k + 2, false
		}
		return -1, j, false
	}
	if (meta || name == "Meta") && strings.HasPrefix(s[j:], metinfDecl) && f.ns < f.maxNS {
		return fStart, j + len(metinfDecl), true
	}
	if name != "Data" || !f.msft || !strings.HasPrefix(s[j:], origErrAttr) {
		return -1, j, false
	}
	// the value, without references, markup, quotes or control or
	// non-ASCII characters, as the general reader takes it
	v := j + len(origErrAttr)
	e := xmlscan.SkipPlain3(s, v, fastQuot, fastLT, fastAmp)
	for e < len(s) && s[e] >= 0x20 && s[e] < 0x80 && s[e] != '"' && s[e] != '<' && s[e] != '&' {
		e++
	}
	if e == v || e >= len(s) || s[e] != '"' {
		// an empty value is an error of the general reader
		return -1, j, false
	}
	f.origErr = s[v:e]
	switch k := xmlscan.SkipSpace(s, e+1); {
	case k >= len(s):
	case s[k] == '>':
		return fStart, k + 1, false
	case s[k] == '/' && k+1 < len(s) && s[k+1] == '>':
		return fEmpty, k + 2, false
	}
	return -1, j, false
}

// bodyStart reads the SyncBody start tag, which may declare the msft
// prefix as Windows writes it (msftDecl).
func (f *fastDec) bodyStart() bool {
	if name, _, kind, _, ok := f.open(false); ok {
		return kind == fStart && name == "SyncBody"
	}
	s, tok := f.s, 1
	i := space(s, f.pos, &tok)
	if !strings.HasPrefix(s[i:], "<SyncBody") || !strings.HasPrefix(s[i+9:], msftDecl) || f.ns >= f.maxNS || f.depth >= f.maxDepth {
		return false
	}
	f.pos, f.tokens = i+9+len(msftDecl), f.tokens+tok
	f.depth++
	f.ns++
	f.msft = true
	return true
}

func isASCIILetter(c byte) bool { return (c|0x20)-'a' < 26 }

// nameWord returns the first eight bytes of name as open's w.
func nameWord(name string) uint64 {
	var w uint64
	for k := min(len(name), 8) - 1; k >= 0; k-- {
		w = w<<8 | uint64(name[k])
	}
	return w
}

// close reads the end tag of name (w its word from open) at the offset
// open stopped at.
func (f *fastDec) close(name string, w uint64) bool {
	end := endTag(f.s, f.pos, name, w)
	if end < 0 {
		return false
	}
	f.pos = end
	f.depth--
	return true
}

// endTag returns the offset after the end tag of name (w its word) at
// s[i], or -1 when there is none.
func endTag(s string, i int, name string, w uint64) int {
	n := len(name)
	if n <= 8 && i+11 <= len(s) {
		if xmlscan.Load64(s, i)&0xFFFF != '<'|'/'<<8 || xmlscan.Load64(s, i+2)&xmlscan.WordMask(n) != w || s[i+2+n] != '>' {
			return -1
		}
	} else if i+3+n > len(s) || s[i] != '<' || s[i+1] != '/' || s[i+2+n] != '>' || s[i+2:i+2+n] != name {
		return -1
	}
	return i + 3 + n
}

// text reads the content of the leaf name, opened as kind, and its end
// tag. Most text is plain and ends where SkipPlain3 stops, at the end
// tag; the rest is otherText's.
func (f *fastDec) text(name string, w uint64, kind int, decl bool) (string, bool) {
	if kind == fEmpty {
		return "", true
	}
	s, i := f.s, f.pos
	j := xmlscan.SkipPlain3(s, i, fastLT, fastAmp, fastRSqB)
	v := s[i:j]
	end := endTag(s, j, name, w) // close, by hand: too costly to inline
	if end < 0 {
		var ok bool
		if v, j, ok = f.otherText(i, j); !ok {
			return "", false
		}
		if end = endTag(s, j, name, w); end < 0 {
			return "", false
		}
	}
	f.pos = end
	f.depth--
	if decl {
		f.ns--
	}
	if j > i {
		f.tokens++
	}
	return v, true
}

// otherText reads the text at s[i:] that SkipPlain3 stopped in at s[j]
// before its end: in its last seven bytes, at a character moreText takes
// or at a reference. It returns the text and the offset of the '<' after
// it, or not ok.
func (f *fastDec) otherText(i, j int) (string, int, bool) {
	s := f.s
	for j < len(s) && s[j] != '<' && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '&' && s[j] != ']' {
		j++
	}
	v := s[i:j]
	if j < len(s) && s[j] != '<' {
		if s[j] != '&' {
			j = moreText(s, j)
			v = s[i:j]
		}
		if j < len(s) && s[j] == '&' {
			var ok bool
			if v, j, ok = f.refText(i, j); !ok {
				return "", j, false
			}
		}
	}
	return v, j, true
}

// moreText returns the offset of the '<' or '&' that ends the text at
// s[j:], taking what text's byte loop stops at but the general reader
// keeps as it is: tabs, line feeds, ']' (not in "]]>") and non-ASCII
// characters that XML allows, in valid UTF-8. At anything else (a
// carriage return, which the general reader turns into a line feed, a
// control character, "]]>", invalid UTF-8) it returns that offset, where
// the fast reader gives up.
func moreText(s string, j int) int {
	for j < len(s) {
		switch c := s[j]; {
		case c == '<' || c == '&':
			return j
		case c == ']':
			if j+2 >= len(s) || s[j+1] == ']' && s[j+2] == '>' {
				return j
			}
			j++
		case c == '\t' || c == '\n' || c >= 0x20 && c < utf8.RuneSelf:
			j++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && n <= 1 || !xmlscan.IsXMLChar(r) {
				return j
			}
			j += n
		default:
			return j
		}
		j = xmlscan.SkipPlain3(s, j, fastLT, fastAmp, fastRSqB)
	}
	return j
}

// refText decodes the text at s[i:] that holds references, the first at
// s[j], up to the '<' after it, and returns it with the offset of that
// '<': a run of plain text (as text reads it) and references that
// xmlscan.Ref decodes, as the general reader decodes them. Anything else
// (a reference it refuses, a control or non-ASCII character, ']') is
// not ok.
func (f *fastDec) refText(i, j int) (string, int, bool) {
	s := f.s
	b := f.sc.refBuf[:0]
	for {
		b = append(b, s[i:j]...)
		if j >= len(s) || s[j] != '&' {
			break
		}
		r, next := xmlscan.Ref(s, j)
		if next == j {
			return "", j, false
		}
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
		} else {
			b = utf8.AppendRune(b, r)
		}
		i = next
		j = xmlscan.SkipPlain3(s, i, fastLT, fastAmp, fastRSqB)
		for j < len(s) && s[j] != '<' && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '&' && s[j] != ']' {
			j++
		}
		if j < len(s) && s[j] != '<' && s[j] != '&' {
			j = moreText(s, j)
		}
	}
	f.sc.refBuf = b
	if j >= len(s) || s[j] != '<' {
		return "", j, false
	}
	return string(b), j, true
}

// flag reads an element that must be empty.
func (f *fastDec) flag(name string, w uint64, kind int) bool {
	t, ok := f.text(name, w, kind, false)
	return ok && xmlscan.IsAllSpace(t)
}

// once records bit in seen and reports whether it was not there yet.
func once(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (f *fastDec) header(h *Header) bool {
	var seen uint32
	// the leaves that start most headers, in the order of the DTD and in
	// the common shape, first
	for k, l := range [...]struct {
		tags *leafTags
		dst  *string
	}{{&leafVerDTD, &h.VerDTD}, {&leafVerProto, &h.VerProto}, {&leafSessionID, &h.SessionID}, {&leafMsgID, &h.MsgID}} {
		v, ok := f.plainLeaf(l.tags)
		if !ok {
			break
		}
		*l.dst, seen = v, seen|1<<k
	}
	if seen == 1<<4-1 {
		// and then Target and Source
		if f.plainStart(&tagTarget) {
			if !f.location("Target", wTarget, &h.Target) {
				return false
			}
			h.EmptyTarget, seen = h.Target == (Location{}), seen|1<<4
			if f.plainStart(&tagSource) {
				if !f.location("Source", wSource, &h.Source) {
					return false
				}
				h.EmptySource, seen = h.Source == (Location{}), seen|1<<5
			}
		}
	}
	for {
		name, w, kind, decl, ok := f.open(false)
		if !ok {
			return false
		}
		if kind == fEnd {
			return f.close("SyncHdr", wSyncHdr)
		}
		var dst *string
		switch name {
		case "VerDTD":
			ok, dst = once(&seen, 1<<0), &h.VerDTD
		case "VerProto":
			ok, dst = once(&seen, 1<<1), &h.VerProto
		case "SessionID":
			ok, dst = once(&seen, 1<<2), &h.SessionID
		case "MsgID":
			ok, dst = once(&seen, 1<<3), &h.MsgID
		case "Target":
			if !once(&seen, 1<<4) || kind != fStart || !f.location(name, w, &h.Target) {
				return false
			}
			h.EmptyTarget = h.Target == (Location{})
			continue
		case "Source":
			if !once(&seen, 1<<5) || kind != fStart || !f.location(name, w, &h.Source) {
				return false
			}
			h.EmptySource = h.Source == (Location{})
			continue
		case "RespURI":
			ok, dst = once(&seen, 1<<6), &h.RespURI
		case "NoResp":
			if !once(&seen, 1<<7) || !f.flag(name, w, kind) {
				return false
			}
			h.NoResp = true
			continue
		case "Cred":
			if !once(&seen, 1<<8) {
				return false
			}
			h.Cred = new(Cred)
			if kind == fStart && !f.cred(h.Cred) {
				return false
			}
			continue
		case "Meta":
			if !once(&seen, 1<<9) || kind != fStart {
				return false
			}
			h.Meta = f.sc.newMeta()
			if !f.meta(decl, h.Meta) {
				return false
			}
			continue
		default:
			return false
		}
		if !ok {
			return false
		}
		if *dst, ok = f.text(name, w, kind, false); !ok {
			return false
		}
	}
}

// cred reads a Cred element whose start tag was read.
func (f *fastDec) cred(c *Cred) bool {
	var seen uint32
	for {
		ch, _, kind, decl, ok := f.open(false)
		if !ok {
			return false
		}
		if kind == fEnd {
			return f.close("Cred", wCred)
		}
		switch ch {
		case "Meta":
			if !once(&seen, 1) || kind != fStart {
				return false
			}
			c.Meta = f.sc.newMeta()
			if !f.meta(decl, c.Meta) {
				return false
			}
		case "Data":
			if !once(&seen, 2) {
				return false
			}
			if c.Data, ok = f.data(kind); !ok {
				return false
			}
		default:
			return false
		}
	}
}

func (f *fastDec) location(name string, lw uint64, l *Location) bool {
	// the common shape, <LocURI>text</LocURI> and the end tag, in one
	// line or indented, first
	tok := 0
	if s, p := f.s, space(f.s, f.pos, &tok); word(s, p) == wLocURIStart && f.depth < f.maxDepth {
		if k := xmlscan.SkipPlain3(s, p+8, fastLT, fastAmp, fastRSqB); word(s, k) == wLocURIEnd && k+8 < len(s) && s[k+8] == '>' {
			if end := endTag(s, space(s, k+9, &tok), name, lw); end >= 0 {
				l.LocURI = s[p+8 : k]
				tok++ // LocURI
				if k > p+8 {
					tok++ // its text
				}
				f.pos, f.tokens = end, f.tokens+tok
				f.depth--
				return true
			}
		}
	}
	var seen uint32
	for {
		ch, w, kind, _, ok := f.open(false)
		if !ok {
			return false
		}
		if kind == fEnd {
			return f.close(name, lw)
		}
		var dst *string
		switch ch {
		case "LocURI":
			ok, dst = once(&seen, 1), &l.LocURI
		case "LocName":
			ok, dst = once(&seen, 2), &l.LocName
		default:
			return false
		}
		if !ok {
			return false
		}
		if *dst, ok = f.text(ch, w, kind, false); !ok {
			return false
		}
	}
}

// meta reads a Meta element whose start tag was read; decl tells whether
// it declared the metinf namespace.
func (f *fastDec) meta(decl bool, m *Meta) bool {
	var seen uint32
	for {
		ch, w, kind, chDecl, ok := f.open(true)
		if !ok {
			return false
		}
		if kind == fEnd {
			if !f.close("Meta", wMeta) {
				return false
			}
			if decl {
				f.ns--
			}
			return true
		}
		var dst *string
		switch ch {
		case "Format":
			ok, dst = once(&seen, 1<<0), &m.Format
		case "Type":
			ok, dst = once(&seen, 1<<1), &m.Type
		case "Mark":
			ok, dst = once(&seen, 1<<2), &m.Mark
		case "Size":
			ok, dst = once(&seen, 1<<3), &m.Size
		case "Version":
			ok, dst = once(&seen, 1<<5), &m.Version
		case "NextNonce":
			ok, dst = once(&seen, 1<<6), &m.NextNonce
		case "MaxMsgSize":
			ok, dst = once(&seen, 1<<7), &m.MaxMsgSize
		case "MaxObjSize":
			ok, dst = once(&seen, 1<<8), &m.MaxObjSize
		default:
			return false
		}
		if !ok {
			return false
		}
		if *dst, ok = f.text(ch, w, kind, chDecl); !ok {
			return false
		}
	}
}

// data reads a Data element of text.
func (f *fastDec) data(kind int) (*Data, bool) {
	v, ok := f.text("Data", wData, kind, false)
	if !ok {
		return nil, false
	}
	d := f.sc.newData()
	d.Value = v
	if f.origErr != "" {
		d.OriginalError, f.origErr = f.origErr, ""
	}
	return d, true
}

// item reads an Item whose start tag was read and appends it to items.
// It reads the Item into its place in items (see scanner.itemPlace), so
// that no copy of it is written over the slab.
func (f *fastDec) item(items []Item) ([]Item, bool) {
	items = f.sc.itemPlace(items, f.pos)
	it := &items[len(items)-1]
	var seen uint32
	if f.plainItem(it, &seen) {
		f.sc.slabs.item.keep(items)
		return items, true
	}
	for {
		ch, w, kind, decl, ok := f.open(false)
		if !ok {
			return items, false
		}
		if kind == fEnd {
			if !f.close("Item", wItem) {
				return items, false
			}
			f.sc.slabs.item.keep(items)
			return items, true
		}
		switch ch {
		case "Target", "Source":
			dst, bit := &it.Target, uint32(1<<0)
			if ch == "Source" {
				dst, bit = &it.Source, 1<<1
			}
			if !once(&seen, bit) || kind != fStart {
				return items, false
			}
			*dst = f.sc.newLocation()
			if !f.location(ch, w, *dst) {
				return items, false
			}
		case "Meta":
			if !once(&seen, 1<<2) || kind != fStart {
				return items, false
			}
			it.Meta = f.sc.newMeta()
			if !f.meta(decl, it.Meta) {
				return items, false
			}
		case "Data":
			if !once(&seen, 1<<3) {
				return items, false
			}
			if it.Data, ok = f.data(kind); !ok {
				return items, false
			}
		case "MoreData":
			if !once(&seen, 1<<4) || !f.flag(ch, w, kind) {
				return items, false
			}
			it.MoreData = true
		default:
			return items, false
		}
	}
}

// plainItem reads, after an Item's start tag, the children of the most
// common Item shape: <Source> or <Target> with a LocURI alone, then
// <Data> with text or not, then </Item>, in one line or indented (white
// space between the tags, each run a token as open counts it). It stops,
// with what it read in it and seen, where the Item has another shape, and
// reports whether it read the Item whole. Tags are compared as words
// (see word); text is what SkipPlain3 skips, which a tag must end.
func (f *fastDec) plainItem(it *Item, seen *uint32) bool {
	s, p := f.s, f.pos
	if f.depth+1 >= f.maxDepth {
		return false
	}
	tok := 0 // tokens read after f.pos
	p = space(s, p, &tok)
	if w := word(s, p); w == wSourceStart || w == wTargetStart {
		u := space(s, p+8, &tok)
		if word(s, u) != wLocURIStart {
			return false
		}
		u += 8
		k := xmlscan.SkipPlain3(s, u, fastLT, fastAmp, fastRSqB)
		if word(s, k) != wLocURIEnd || k+8 >= len(s) || s[k+8] != '>' {
			return false
		}
		e := space(s, k+9, &tok)
		end := wSourceEnd
		if w == wTargetStart {
			end = wTargetEnd
		}
		if word(s, e) != end || e+8 >= len(s) || s[e+8] != '>' {
			return false
		}
		l := f.sc.newLocation()
		l.LocURI = s[u:k]
		if w == wSourceStart {
			it.Source, *seen = l, *seen|1<<1
		} else {
			it.Target, *seen = l, *seen|1<<0
		}
		tok += 2 // Source or Target, LocURI
		if k > u {
			tok++
		}
		p = e + 9 // after </Source> or </Target>
		f.pos, f.tokens, tok = p, f.tokens+tok, 0
		p = space(s, p, &tok)
	}
	if word(s, p)&mask6 == wDataStart {
		d := p + 6
		e := xmlscan.SkipPlain3(s, d, fastLT, fastAmp, fastRSqB)
		if word(s, e)&mask7 != wDataEnd {
			return false
		}
		it.Data = f.sc.newData()
		it.Data.Value = s[d:e]
		*seen |= 1 << 3
		tok++
		if e > d {
			tok++
		}
		p = e + 7
		f.pos, f.tokens, tok = p, f.tokens+tok, 0
		p = space(s, p, &tok)
	}
	if word(s, p)&mask7 != wItemEnd && !strings.HasPrefix(s[p:], "</Item>") {
		return false
	}
	f.pos, f.tokens = p+7, f.tokens+tok
	f.depth--
	return true
}

// The tags plainItem and location compare as words: the first eight
// bytes (as word reads them), for the shorter ones under a mask.
var (
	wSourceStart = nameWord("<Source>")
	wTargetStart = nameWord("<Target>")
	wLocURIStart = nameWord("<LocURI>")
	wLocURIEnd   = nameWord("</LocURI") // and '>'
	wSourceEnd   = nameWord("</Source") // and '>'
	wTargetEnd   = nameWord("</Target") // and '>'
	wDataStart   = nameWord("<Data>")
	wDataEnd     = nameWord("</Data>")
	wItemEnd     = nameWord("</Item>")
)

const (
	mask6 = 1<<48 - 1
	mask7 = 1<<56 - 1
)

// word returns the eight bytes of s at i as xmlscan.Load64 reads them,
// or 0 where fewer than eight are left (i is never negative), for comparing with a tag's word:
// a tag in the last seven bytes of s does not match (a tag the caller
// needs to find there it compares as a string).
func word(s string, i int) uint64 {
	if i+8 <= len(s) {
		return xmlscan.Load64(s, i)
	}
	return 0
}

// A tagWords is a tag of up to sixteen bytes as two words (as word reads
// them, zero past its end) and masks, for comparing it in place: s[i:]
// starts with the tag t where word(s, i)&t.m0 == t.w0 and, for a tag of
// more than eight bytes, word(s, i+8)&t.m1 == t.w1 (written out where it
// is used: a method would be too costly to inline). As with word, a tag
// in the last seven bytes of s does not match.
type tagWords struct {
	w0, w1, m0, m1 uint64
	n              int
}

func tagOf(tag string) tagWords {
	t := tagWords{w0: nameWord(tag), m0: xmlscan.WordMask(min(len(tag), 8)), n: len(tag)}
	if len(tag) > 8 {
		t.w1, t.m1 = nameWord(tag[8:]), xmlscan.WordMask(len(tag)-8)
	}
	return t
}

// A leafTags is the start and end tag of an element of text that the
// fast reader expects in a place, for plainLeaf.
type leafTags struct{ start, end tagWords }

func leafOf(name string) leafTags {
	return leafTags{tagOf("<" + name + ">"), tagOf("</" + name + ">")}
}

var (
	leafVerDTD    = leafOf("VerDTD")
	leafVerProto  = leafOf("VerProto")
	leafSessionID = leafOf("SessionID")
	leafMsgID     = leafOf("MsgID")
	leafCmdID     = leafOf("CmdID")
	leafMsgRef    = leafOf("MsgRef")
	leafCmdRef    = leafOf("CmdRef")
	leafCmd       = leafOf("Cmd")
	leafData      = leafOf("Data")
)

var (
	tagTarget = tagOf("<Target>")
	tagSource = tagOf("<Source>")
	wTarget   = nameWord("Target")
	wSource   = nameWord("Source")
)

// plainStart reads, after white space if any, the start tag t of an
// element that has no attributes, as open would.
func (f *fastDec) plainStart(t *tagWords) bool {
	s, tok := f.s, 1 // the tag
	p := space(s, f.pos, &tok)
	if word(s, p)&t.m0 != t.w0 || t.n > 8 && word(s, p+8)&t.m1 != t.w1 || f.depth >= f.maxDepth {
		return false
	}
	f.pos, f.tokens, f.depth = p+t.n, f.tokens+tok, f.depth+1
	return true
}

// plainLeaf reads, after white space if any (a token, as open counts
// it), the element l in the common shape: its start tag without
// attributes, plain text (what SkipPlain3 skips) and its end tag, as
// open, text and close would read it. Where the next element is another
// or has another shape, it reads nothing and is not ok.
func (f *fastDec) plainLeaf(l *leafTags) (string, bool) {
	s, tok := f.s, 1 // the element
	p := space(s, f.pos, &tok)
	if t := &l.start; word(s, p)&t.m0 != t.w0 || t.n > 8 && word(s, p+8)&t.m1 != t.w1 || f.depth >= f.maxDepth {
		return "", false
	}
	i := p + l.start.n
	j := xmlscan.SkipPlain3(s, i, fastLT, fastAmp, fastRSqB)
	if t := &l.end; word(s, j)&t.m0 != t.w0 || t.n > 8 && word(s, j+8)&t.m1 != t.w1 {
		return "", false
	}
	if j > i {
		tok++ // its text
	}
	f.pos, f.tokens = j+l.end.n, f.tokens+tok
	return s[i:j], true
}

// space returns the offset after the white space at s[i:], if any, and
// counts it in *tok as one token (as open does). Where s[i] is neither
// white space nor '<', it counts a token and returns i, which then starts
// no tag: the caller gives up.
func space(s string, i int, tok *int) int {
	if i < len(s) && s[i] != '<' {
		i = xmlscan.SkipSpace(s, i)
		*tok++
	}
	return i
}

// The children of commands the fast reader knows, as bits.
const (
	fCmdID = 1 << iota
	fNoResp
	fMeta
	fItem
	fData
	fCorrelator
	fArchive
	fSftDel
	fLang
	fMsgRef
	fCmdRef
	fCmd
	fTargetRef
	fSourceRef
)

// fastFields returns the children the command name may have for the
// fast reader (those it does not read, such as Cred, are left to the
// general reader), and 0 for a command it does not read.
func fastFields(name string) uint32 {
	switch name {
	case "Add", "Replace":
		return fCmdID | fNoResp | fMeta | fItem
	case "Alert":
		return fCmdID | fNoResp | fData | fCorrelator | fItem
	case "Delete":
		return fCmdID | fNoResp | fArchive | fSftDel | fMeta | fItem
	case "Exec":
		return fCmdID | fNoResp | fMeta | fCorrelator | fItem
	case "Get":
		return fCmdID | fNoResp | fLang | fMeta | fItem
	case "Results":
		return fCmdID | fMsgRef | fCmdRef | fCmd | fMeta | fTargetRef | fSourceRef | fItem
	case "Status":
		return fCmdID | fMsgRef | fCmdRef | fCmd | fTargetRef | fSourceRef | fData | fItem
	}
	return 0
}

// fastCmd holds the children of a command read.
type fastCmd struct {
	cmdID, correlator, lang, msgRef, cmdRef, cmd string
	noResp, archive, sftDel                      bool
	meta                                         *Meta
	data                                         *Data
	items                                        []Item
	targetRef, sourceRef                         []string
}

// command reads the command name, whose start tag was read.
func (f *fastDec) command(name string, cw uint64) (Command, bool) {
	allowed := fastFields(name)
	if allowed == 0 {
		return nil, false
	}
	var c fastCmd
	var seen uint32
	// CmdID, which starts every command, and the leaves that follow it
	// most often, in the order of the DTD and in the common shape, first
	if v, ok := f.plainLeaf(&leafCmdID); ok {
		c.cmdID, seen = v, fCmdID
		if allowed&fMsgRef != 0 {
			for _, l := range [...]struct {
				tags *leafTags
				dst  *string
				bit  uint32
			}{{&leafMsgRef, &c.msgRef, fMsgRef}, {&leafCmdRef, &c.cmdRef, fCmdRef}, {&leafCmd, &c.cmd, fCmd}} {
				v, ok := f.plainLeaf(l.tags)
				if !ok {
					break
				}
				*l.dst, seen = v, seen|l.bit
			}
		}
		if allowed&fData != 0 {
			if v, ok := f.plainLeaf(&leafData); ok {
				c.data, seen = f.sc.newData(), seen|fData
				c.data.Value = v
			}
		}
	}
	for {
		ch, w, kind, decl, ok := f.open(false)
		if !ok {
			return nil, false
		}
		if kind == fEnd {
			if !f.close(name, cw) {
				return nil, false
			}
			break
		}
		var bit uint32
		var dst *string
		switch ch {
		case "CmdID":
			bit, dst = fCmdID, &c.cmdID
		case "Correlator":
			bit, dst = fCorrelator, &c.correlator
		case "Lang":
			bit, dst = fLang, &c.lang
		case "MsgRef":
			bit, dst = fMsgRef, &c.msgRef
		case "CmdRef":
			bit, dst = fCmdRef, &c.cmdRef
		case "Cmd":
			bit, dst = fCmd, &c.cmd
		case "NoResp", "Archive", "SftDel":
			flag := &c.noResp
			bit = fNoResp
			switch ch {
			case "Archive":
				flag, bit = &c.archive, fArchive
			case "SftDel":
				flag, bit = &c.sftDel, fSftDel
			}
			if allowed&bit == 0 || !once(&seen, bit) || !f.flag(ch, w, kind) {
				return nil, false
			}
			*flag = true
			continue
		case "Meta":
			if allowed&fMeta == 0 || !once(&seen, fMeta) || kind != fStart {
				return nil, false
			}
			c.meta = f.sc.newMeta()
			if !f.meta(decl, c.meta) {
				return nil, false
			}
			continue
		case "Data":
			if allowed&fData == 0 || !once(&seen, fData) {
				return nil, false
			}
			if c.data, ok = f.data(kind); !ok {
				return nil, false
			}
			continue
		case "Item":
			if allowed&fItem == 0 || kind != fStart {
				return nil, false
			}
			if c.items, ok = f.item(c.items); !ok {
				return nil, false
			}
			// the Items that follow, their start tags read without open
			for {
				tok := 1
				p := space(f.s, f.pos, &tok)
				if p+6 > len(f.s) || f.s[p:p+6] != "<Item>" || f.depth >= f.maxDepth {
					break
				}
				f.pos, f.tokens, f.depth = p+6, f.tokens+tok, f.depth+1
				if c.items, ok = f.item(c.items); !ok {
					return nil, false
				}
			}
			continue
		case "TargetRef", "SourceRef":
			refs, bit := &c.targetRef, uint32(fTargetRef)
			if ch == "SourceRef" {
				refs, bit = &c.sourceRef, fSourceRef
			}
			if allowed&bit == 0 {
				return nil, false
			}
			v, ok := f.text(ch, w, kind, false)
			if !ok {
				return nil, false
			}
			*refs = append(*refs, v)
			continue
		default:
			return nil, false
		}
		if allowed&bit == 0 || !once(&seen, bit) {
			return nil, false
		}
		if *dst, ok = f.text(ch, w, kind, false); !ok {
			return nil, false
		}
	}
	items := endItems(c.items)
	sl := &f.sc.slabs
	switch name {
	case "Add":
		p := sl.add.get()
		*p = Add{CmdID: c.cmdID, NoResp: c.noResp, Meta: c.meta, Items: items}
		return p, true
	case "Alert":
		p := sl.alert.get()
		*p = Alert{CmdID: c.cmdID, NoResp: c.noResp, Data: c.data, Correlator: c.correlator, Items: items}
		return p, true
	case "Delete":
		p := sl.delete.get()
		*p = Delete{CmdID: c.cmdID, NoResp: c.noResp, Archive: c.archive, SftDel: c.sftDel, Meta: c.meta, Items: items}
		return p, true
	case "Exec":
		p := sl.exec.get()
		*p = Exec{CmdID: c.cmdID, NoResp: c.noResp, Meta: c.meta, Correlator: c.correlator, Items: items}
		return p, true
	case "Get":
		p := sl.get.get()
		*p = Get{CmdID: c.cmdID, NoResp: c.noResp, Lang: c.lang, Meta: c.meta, Items: items}
		return p, true
	case "Replace":
		p := sl.replace.get()
		*p = Replace{CmdID: c.cmdID, NoResp: c.noResp, Meta: c.meta, Items: items}
		return p, true
	case "Results":
		p := sl.results.get()
		*p = Results{CmdID: c.cmdID, MsgRef: c.msgRef, CmdRef: c.cmdRef, Cmd: c.cmd, Meta: c.meta,
			TargetRef: c.targetRef, SourceRef: c.sourceRef, Items: items}
		return p, true
	default: // Status
		p := sl.status.get()
		*p = Status{CmdID: c.cmdID, MsgRef: c.msgRef, CmdRef: c.cmdRef, Cmd: c.cmd,
			TargetRef: c.targetRef, SourceRef: c.sourceRef, Data: c.data, Items: items}
		return p, true
	}
}

// spaceToEnd reads white space to the end of the input.
func (f *fastDec) spaceToEnd() bool {
	if xmlscan.SkipSpace(f.s, f.pos) < len(f.s) {
		return false
	}
	if f.pos < len(f.s) {
		f.tokens++ // counted as one more, should the lexer count it
	}
	return true
}
