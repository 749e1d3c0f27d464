package syncmltest

import (
	"math/rand"
	"strings"
	"unicode/utf8"

	"github.com/leanovate/gopter"

	"github.com/windc-go/windc/syncml"
)

// MaxCommandDepth is the deepest nesting of Atomic and Sequence that
// GenMessage produces: a body command is at depth 1, a command inside it
// at depth 2, and so on.
const MaxCommandDepth = 3

// GenMessage generates a *syncml.Message in the canonical form of the
// model, so that Unmarshal(Marshal(m)) equals m. It reaches every field of
// every type: all three root namespaces, a missing, empty or full header
// (with empty Target and Source kept), every command (Atomic and
// Sequence nested up to MaxCommandDepth), every Data kind, Unknown
// elements (among them the names that are unknown only where they stand:
// CmdID, NoResp and Meta in the body, Final in Atomic and Sequence), and
// text with any character XML can carry.
//
// The canonical form it respects: single-valued leaf strings are "" when
// absent; repeated leaves (TargetRef, SourceRef, EMI) may hold ""; with
// NoHeader the Header is zero; Header.EmptyTarget and EmptySource are set
// only with an empty Target or Source; absent repeated children are nil
// slices, never empty ones; Data.Namespaces lists only declarations the
// markup uses, in the order of first use.
func GenMessage() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(newBuilder(p.Rng).message(), gopter.NoShrinker)
	}
}

// GenCommand generates one syncml.Command in canonical form, as it may
// stand in a body. depth is the nesting level of the command (1 for a
// body command); Atomic and Sequence are given children only while depth
// is below MaxCommandDepth. Unknown commands are unprefixed or declare
// their prefix in their own bytes, so they are valid under any root
// namespace.
func GenCommand(depth int) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(newBuilder(p.Rng).command(depth), gopter.NoShrinker)
	}
}

// GenData generates a *syncml.Data of any kind: text or CDATA with any
// XML character (including "", surrounding spaces, CR, TAB, LF, "]]>",
// markup characters and astral-plane characters), or well-formed XML
// element content with attributes, comments, CDATA sections, processing
// instructions, character references and prefixes declared inside it;
// with or without an msft:originalerror value.
func GenData() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(newBuilder(p.Rng).data(), gopter.NoShrinker)
	}
}

// GenText generates a string that XML can carry: possibly empty, with
// white space at either end, CR, LF and TAB, the markup characters
// & < > " ' and "]]>", non-ASCII and astral-plane characters, and the
// edges of the ranges XML allows (U+D7FF, U+E000, U+FFFD, U+10000,
// U+10FFFF).
func GenText() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(newBuilder(p.Rng).text(), gopter.NoShrinker)
	}
}

// builder draws model values from one random source.
type builder struct {
	r *rand.Rand
}

func newBuilder(r *rand.Rand) *builder {
	if r == nil {
		r = rand.New(rand.NewSource(1))
	}
	return &builder{r: r}
}

// chance reports true with probability 1/n.
func (b *builder) chance(n int) bool { return b.r.Intn(n) == 0 }

func (b *builder) pick(s []string) string { return s[b.r.Intn(len(s))] }

// textPieces are fragments that exercise escaping and line-end handling.
var textPieces = []string{
	" ", "  ", "\t", "\n", "\r", "\r\n", "\n\r", " \r\n\t",
	"&", "<", ">", "\"", "'", "]]>", "]]", "]", "&amp;", "&#xD;", "<![CDATA[x]]>", "<a/>", "--", "?>",
	"é", "ß", "中文", "Привет", "\u00a0", "\u2028", "\u200d",
	"\U0001F600", "\U00010000", "\U0010FFFF", "\uD7FF", "\uE000", "\uFFFD", "\uFEFF",
	"./Device/Vendor/MSFT/DMClient", "0x86000002", "1", "200", "chr", "int", "b64",
}

// xmlRune returns a random character XML can carry.
func (b *builder) xmlRune() rune {
	switch b.r.Intn(6) {
	case 0:
		return rune(0x20 + b.r.Intn(0x7F-0x20))
	case 1:
		return []rune{'\t', '\n', '\r'}[b.r.Intn(3)]
	case 2:
		return rune(0x80 + b.r.Intn(0xD800-0x80))
	case 3:
		return rune(0xE000 + b.r.Intn(0xFFFE-0xE000))
	case 4:
		return rune(0x10000 + b.r.Intn(0x110000-0x10000))
	}
	return rune('a' + b.r.Intn(26))
}

// text returns a string of XML characters.
func (b *builder) text() string {
	if b.chance(8) {
		return ""
	}
	var sb strings.Builder
	n := 1 + b.r.Intn(6)
	for i := 0; i < n; i++ {
		switch b.r.Intn(3) {
		case 0:
			sb.WriteString(b.pick(textPieces))
		case 1:
			for k := 1 + b.r.Intn(4); k > 0; k-- {
				sb.WriteRune(b.xmlRune())
			}
		default:
			for k := 1 + b.r.Intn(8); k > 0; k-- {
				sb.WriteByte(byte('a' + b.r.Intn(26)))
			}
		}
	}
	return sb.String()
}

// leaf returns a value for a single-valued leaf: often absent.
func (b *builder) leaf() string {
	if b.chance(3) {
		return ""
	}
	return b.text()
}

// nonEmpty returns a non-empty string of XML characters.
func (b *builder) nonEmpty() string {
	for {
		if s := b.text(); s != "" {
			return s
		}
	}
}

// refs returns a repeated leaf list: nil, or one to three values that
// may be empty.
func (b *builder) refs() []string {
	if b.chance(2) {
		return nil
	}
	out := make([]string, 1+b.r.Intn(3))
	for i := range out {
		if !b.chance(4) {
			out[i] = b.text()
		}
	}
	return out
}

func (b *builder) message() *syncml.Message {
	m := &syncml.Message{
		XMLNS: b.pick([]string{"", syncml.NamespaceSyncML11, syncml.NamespaceSyncML12}),
	}
	switch {
	case b.chance(8):
		m.NoHeader = true
	case b.chance(8):
		// an empty header, possibly with empty Target and Source
		m.Header.EmptyTarget, m.Header.EmptySource = b.chance(2), b.chance(2)
	default:
		b.header(&m.Header)
	}
	if !b.chance(5) {
		n := 1 + b.r.Intn(5)
		for i := 0; i < n; i++ {
			m.Body.Commands = append(m.Body.Commands, b.command(1))
		}
	}
	m.Body.Final = b.chance(2)
	return m
}

func (b *builder) header(h *syncml.Header) {
	h.VerDTD = b.leafOr("1.2", "1.1")
	h.VerProto = b.leafOr("DM/1.2", "DM/1.1")
	h.SessionID = b.leafOr("1", "1A")
	h.MsgID = b.leafOr("1", "2")
	if l := b.location(); l != nil {
		h.Target = *l
	} else {
		h.EmptyTarget = b.chance(2)
	}
	if l := b.location(); l != nil {
		h.Source = *l
	} else {
		h.EmptySource = b.chance(2)
	}
	h.RespURI = b.leaf()
	h.NoResp = b.chance(3)
	h.Cred = b.cred()
	h.Meta = b.meta()
}

// leafOr returns one of the typical values, a random text, or absent.
func (b *builder) leafOr(typical ...string) string {
	if b.chance(2) {
		return b.pick(typical)
	}
	return b.leaf()
}

func (b *builder) location() *syncml.Location {
	if b.chance(3) {
		return nil
	}
	l := &syncml.Location{LocURI: b.leaf(), LocName: b.leaf()}
	if l.LocURI == "" && l.LocName == "" {
		l.LocURI = b.nonEmpty()
	}
	return l
}

// itemLocation returns an Item's Target or Source: absent, empty (an
// empty element is kept) or set.
func (b *builder) itemLocation() *syncml.Location {
	if b.chance(8) {
		return &syncml.Location{}
	}
	return b.location()
}

func (b *builder) cred() *syncml.Cred {
	if b.chance(2) {
		return nil
	}
	c := &syncml.Cred{Meta: b.meta()}
	if !b.chance(3) {
		c.Data = b.data()
	}
	return c
}

func (b *builder) chal() *syncml.Chal {
	if b.chance(2) {
		return nil
	}
	return &syncml.Chal{Meta: b.meta()}
}

func (b *builder) meta() *syncml.Meta {
	if b.chance(2) {
		return nil
	}
	m := &syncml.Meta{
		Format:     b.leafOr("chr", "int", "b64", "xml", "node", "null"),
		Type:       b.leafOr("text/plain", "com.microsoft/MDM/AADUserToken", "syncml:auth-md5"),
		Mark:       b.leaf(),
		Size:       b.leaf(),
		Version:    b.leaf(),
		NextNonce:  b.leaf(),
		MaxMsgSize: b.leaf(),
		MaxObjSize: b.leaf(),
		EMI:        b.refs(),
		FieldLevel: b.chance(3),
	}
	if !b.chance(3) {
		m.Anchor = &syncml.Anchor{Last: b.leaf(), Next: b.leaf()}
	}
	if !b.chance(3) {
		m.Mem = &syncml.Mem{SharedMem: b.chance(2), FreeMem: b.leaf(), FreeID: b.leaf()}
	}
	return m
}

func (b *builder) items() []syncml.Item {
	if b.chance(4) {
		return nil
	}
	out := make([]syncml.Item, 1+b.r.Intn(3))
	for i := range out {
		it := &out[i]
		it.Target = b.itemLocation()
		it.Source = b.itemLocation()
		it.Meta = b.meta()
		if !b.chance(4) {
			it.Data = b.data()
		}
		it.MoreData = b.chance(4)
	}
	return out
}

// optData returns a Data or nil.
func (b *builder) optData() *syncml.Data {
	if b.chance(3) {
		return nil
	}
	return b.data()
}

func (b *builder) data() *syncml.Data {
	d := &syncml.Data{}
	switch b.r.Intn(3) {
	case 0:
		d.Kind, d.Value = syncml.DataText, b.text()
	case 1:
		d.Kind, d.Value = syncml.DataCDATA, b.text()
	default:
		d.Kind, d.Value = syncml.DataXML, b.markup()
		// markup that relies on declarations outside it: a prefix and a
		// default namespace, recorded in Namespaces in order of first use
		if b.chance(3) {
			d.Value = "<o:w>" + d.Value + "</o:w>"
			d.Namespaces = []syncml.Namespace{{Prefix: "o", URI: "urn:example:o"}}
		}
		if b.chance(3) {
			d.Value = "<dflt/>" + d.Value
			d.Namespaces = append([]syncml.Namespace{{URI: "urn:example:dflt"}}, d.Namespaces...)
		}
	}
	if b.chance(4) {
		d.OriginalError = b.pick([]string{"0x86000002", "0x80070057"})
		if b.chance(2) {
			d.OriginalError = b.text()
		}
	}
	return d
}

// command, which generates one command of any kind, is generated from the
// description of the commands in syncml/command.go (commands_gen.go).

// children returns the commands of an Atomic or Sequence at depth.
func (b *builder) children(depth int) []syncml.Command {
	if depth >= MaxCommandDepth || b.chance(4) {
		return nil
	}
	out := make([]syncml.Command, 1+b.r.Intn(3))
	for i := range out {
		out[i] = b.command(depth + 1)
	}
	return out
}

// unknownNames are element names the model does not know anywhere;
// bodyUnknownNames are unknown in SyncBody only (Atomic and Sequence read
// them), groupUnknownNames in Atomic and Sequence only (SyncBody reads
// Final).
var (
	unknownNames      = []string{"Map", "Put", "Search", "Sync", "Ext", "x:Ext", "msft:Policy", "é-ext"}
	bodyUnknownNames  = []string{"CmdID", "NoResp", "Meta", "m:Meta"}
	groupUnknownNames = []string{"Final", "x:Final"}
)

// unknown returns an Unknown that may stand at depth (1: in SyncBody).
func (b *builder) unknown(depth int) *syncml.Unknown {
	name := b.pick(unknownNames)
	if b.chance(4) {
		if depth == 1 {
			name = b.pick(bodyUnknownNames)
		} else {
			name = b.pick(groupUnknownNames)
		}
	}
	var sb strings.Builder
	sb.WriteString("<" + name)
	if p, _, ok := strings.Cut(name, ":"); ok {
		sb.WriteString(b.pick([]string{" ", "\n", "\t", "  "}))
		sb.WriteString("xmlns:" + p + `="urn:example:` + p + `"`)
	} else if b.chance(4) {
		sb.WriteString(` xmlns="urn:example:unknown"`)
	}
	b.attrs(&sb, 0)
	if b.chance(4) {
		sb.WriteString(b.pick([]string{"/>", " />"}))
	} else {
		sb.WriteString(">")
		if !b.chance(4) {
			b.content(&sb, 1, false)
		}
		sb.WriteString("</" + name + b.pick([]string{">", " >"}))
	}
	return &syncml.Unknown{Name: name, Raw: sb.String()}
}

// ---- XML markup ----

// markup returns well-formed element content holding at least one
// element, using only prefixes it declares itself.
func (b *builder) markup() string {
	var sb strings.Builder
	for {
		sb.Reset()
		if b.content(&sb, 0, true) {
			return sb.String()
		}
	}
}

// content appends a run of element content and reports whether it holds
// an element. When top is set it always holds one.
func (b *builder) content(sb *strings.Builder, depth int, top bool) bool {
	n := b.r.Intn(4)
	hasElem := false
	if top && n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		if (top && i == n-1 && !hasElem) || b.chance(2) {
			b.element(sb, depth)
			hasElem = true
			continue
		}
		switch b.r.Intn(6) {
		case 0:
			sb.WriteString("<!--")
			sb.WriteString(commentSafe(b.text()))
			sb.WriteString("-->")
		case 1:
			sb.WriteString("<![CDATA[")
			sb.WriteString(strings.ReplaceAll(b.text(), "]]>", "]] >"))
			sb.WriteString("]]>")
		case 2:
			sb.WriteString("<?pi")
			if s := strings.ReplaceAll(b.text(), "?>", "? >"); s != "" {
				sb.WriteString(" " + s)
			}
			sb.WriteString("?>")
		case 3:
			sb.WriteString(b.pick([]string{"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#65;", "&#x1F600;", "&#xD;", "&#9;"}))
		default:
			sb.WriteString(escapeText(b.text()))
		}
	}
	return hasElem
}

// markupNames are the element names used inside markup; prefixed ones
// are declared on the element that uses them.
var markupNames = []string{"a", "b", "Node", "Value", "DeclaredConfiguration", "p:x", "q:Doc", "é", "a.b-c_d"}

func (b *builder) element(sb *strings.Builder, depth int) {
	name := b.pick(markupNames)
	sb.WriteString("<" + name)
	if p, _, ok := strings.Cut(name, ":"); ok {
		sb.WriteString(` xmlns:` + p + `="urn:example:` + p + `"`)
	} else if b.chance(6) {
		sb.WriteString(` xmlns="urn:example:inner"`)
	}
	b.attrs(sb, depth)
	if depth >= 3 || b.chance(3) {
		sb.WriteString(b.pick([]string{"/>", " />"}))
		return
	}
	sb.WriteString(">")
	b.content(sb, depth+1, false)
	sb.WriteString("</" + name + ">")
}

// attrs appends zero to three attributes with distinct names.
func (b *builder) attrs(sb *strings.Builder, depth int) {
	names := []string{"id", "Name", "xml:lang", "r:ref", "v"}
	b.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, an := range names[:b.r.Intn(4)] {
		if an == "r:ref" {
			sb.WriteString(` xmlns:r="urn:example:r"`)
		}
		q := b.pick([]string{`"`, `'`})
		sb.WriteString(b.pick([]string{" ", "\n", "\t", "\r\n "}) + an + b.pick([]string{"=", " = "}) + q)
		sb.WriteString(escapeAttr(b.text(), q))
		sb.WriteString(q)
	}
}

// escapeText escapes s for character data (keeping CR, LF, TAB raw).
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", "]]>", "]]&gt;").Replace(s)
}

// escapeAttr escapes s for an attribute value quoted with q.
func escapeAttr(s, q string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(s)
	if q == `"` {
		return strings.ReplaceAll(s, `"`, "&quot;")
	}
	return strings.ReplaceAll(s, `'`, "&#39;")
}

// commentSafe makes s legal comment text: no "--" and no trailing '-'.
func commentSafe(s string) string {
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "- -")
	}
	if strings.HasSuffix(s, "-") {
		s += " "
	}
	return s
}

// IsXMLText reports whether s is valid UTF-8 made only of characters XML
// 1.0 can carry.
func IsXMLText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}
