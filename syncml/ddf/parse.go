package ddf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// NamespaceMSFT is the namespace of Microsoft's DDF extensions, usually
// bound to the prefix MSFT.
const NamespaceMSFT = "http://schemas.microsoft.com/MobileDevice/DM"

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse reads one DDF file with DefaultLimits.
func Parse(data []byte) (*Tree, error) {
	return ParseLimits(data, Limits{})
}

// ParseLimits reads one DDF file within the given limits (zero fields take
// their defaults). The input must be UTF-8, optionally with a byte order
// mark; a DOCTYPE before the root element is allowed and ignored, and
// entities other than XML's five are rejected. The rest must be
// well-formed XML with namespaces, as the module's other readers take it:
// comments and processing instructions too hold only UTF-8 characters
// that XML allows, no other markup declaration stands anywhere, an
// element's attributes are distinct and apart, and every prefix is
// declared.
func ParseLimits(data []byte, lim Limits) (*Tree, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	p := &parser{lim: lim, input: data}
	if bytes.HasPrefix(data, utf8BOM) {
		data = data[len(utf8BOM):]
		p.bom = int64(len(utf8BOM))
	}
	p.d = xml.NewDecoder(bytes.NewReader(data))
	p.d.Strict = true
	p.d.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		p.charsetErr = fmt.Errorf("%w: unsupported encoding %q: a DDF must be UTF-8 (a byte-order mark and encoding=\"UTF-8\" are optional)", ErrEncoding, label)
		return nil, p.charsetErr
	}
	t, err := p.tree()
	if err != nil {
		return nil, err
	}
	t.NodeCount = p.nodes
	return t, nil
}

type parser struct {
	input []byte // the whole input, BOM included, for error positions
	d     *xml.Decoder
	lim   Limits
	bom   int64
	// charsetErr is the error for a declared encoding other than UTF-8
	charsetErr error
	stack      []string // element names, for paths
	node       *Node    // innermost Node being read, for errors
	nodes      int
	afterRoot  bool     // the root element has been read
	attrs      [][2]int // scratch for checkAttrs
	ns         []string // prefixes declared in scope, innermost last
	nsMark     []int    // len(ns) when each open element started

	lastStart xml.StartElement // the child start tag children last passed on

	// offset (after the BOM) of the start of the token last returned
	off int64

	// lineAt's cursor: lines counted up to lineOff
	lineOff  int64
	lineSeen int
}

// lineAt returns the 1-based line of offset, counting forward from the
// previous call (offsets only grow while parsing).
func (p *parser) lineAt(offset int64) int {
	if offset < p.lineOff || offset > int64(len(p.input)) {
		line, _ := position(p.input, offset)
		return line
	}
	p.lineSeen += bytes.Count(p.input[p.lineOff:offset], []byte{'\n'})
	p.lineOff = offset
	return p.lineSeen + 1
}

// next returns the next start element, end element or character data;
// comments, processing instructions and directives are dropped.
func (p *parser) next() (xml.Token, error) {
	for {
		p.off = p.d.InputOffset()
		tok, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, p.errAt(fmt.Errorf("%w: unexpected end of input", ErrSyntax))
			}
			return nil, p.syntax(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.open(t); err != nil {
				return nil, err
			}
			return t, nil
		case xml.EndElement:
			return t, nil
		case xml.CharData:
			return t, nil
		case xml.Directive:
			return nil, p.markupDecl()
		default:
			// a comment or processing instruction
			if err := p.checkChars(); err != nil {
				return nil, err
			}
		}
	}
}

// markupDecl returns the error for the token at p.off, which starts with
// "<!" and is no comment, no CDATA section and, but before the root
// element, no DOCTYPE: encoding/xml reads <!x> as a directive (XML has
// none outside a DOCTYPE) and refuses <!-x and <![x with messages of its
// own. It says what syncml and declaredconfig say there.
func (p *parser) markupDecl() error {
	want := `"<!--" or "<![CDATA["`
	switch {
	case len(p.stack) > 0:
	case p.afterRoot:
		want = `"<!--"`
	default:
		want = `"<!--" or "<!DOCTYPE"`
	}
	rest := string(p.input[min(p.bom+p.off, int64(len(p.input))):])
	return p.errAt(fmt.Errorf("%w: %s", ErrSyntax, xmlscan.MarkupDecl(rest, want)))
}

// checkChars checks the token just read, a comment, processing
// instruction or DOCTYPE, which encoding/xml passes on without checking
// its characters, as encoding/xml checks text: bytes that are not UTF-8
// are an ErrEncoding, characters XML does not allow an ErrSyntax, at the
// first of them.
func (p *parser) checkChars() error {
	raw := p.input[p.bom+p.off : p.bom+p.d.InputOffset()]
	i, r := badChar(raw)
	if i == len(raw) {
		return nil
	}
	p.off += int64(i)
	if r == utf8.RuneError {
		return p.errAt(fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
	}
	return p.errAt(fmt.Errorf("%w: illegal character code %U", ErrSyntax, r))
}

// badChar returns the offset of the first byte of b that is not valid
// UTF-8 (with r utf8.RuneError) or starts a character XML does not allow
// (with r that character), or len(b).
func badChar(b []byte) (int, rune) {
	for i := 0; i < len(b); {
		if c := b[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i, r
		}
		if !xmlscan.IsXMLChar(r) {
			return i, r
		}
		i += n
	}
	return len(b), 0
}

func (p *parser) syntax(err error) error {
	if p.charsetErr != nil {
		// the CharsetReader's error, without encoding/xml's wrapping
		return p.errAt(p.charsetErr)
	}
	if name := p.startTagName(); name != "" {
		// an error in a start tag's attributes is in its element, as the
		// module's other readers say
		p.stack = append(p.stack, name)
	}
	var se *xml.SyntaxError
	if rest := p.input[min(p.bom+p.off, int64(len(p.input))):]; errors.As(err, &se) && bytes.HasPrefix(rest, []byte("<!")) &&
		!bytes.HasPrefix(rest, []byte("<!--")) && !bytes.HasPrefix(rest, []byte("<![CDATA[")) && !bytes.HasPrefix(rest, []byte("<!DOCTYPE")) &&
		!xmlscan.CutShort(string(rest), "<!--", "<![CDATA[", "<!DOCTYPE") {
		// <!-x, <![x: at the "<!", with what was expected
		return p.markupDecl()
	}
	if errors.As(err, &se) && se.Msg == "invalid UTF-8" {
		// bytes that are not UTF-8, as the module's other decoders
		// report them: at the first of them in the token
		p.off += int64(invalidUTF8(p.input[min(p.bom+p.off, int64(len(p.input))):]))
		return p.errAt(fmt.Errorf("%w: invalid UTF-8", ErrEncoding))
	}
	if errors.As(err, &se) {
		end := p.d.InputOffset()
		if strings.HasPrefix(se.Msg, "illegal character code") {
			// at the character, not after it, when it is written
			// as itself (not by a reference)
			raw := p.input[min(p.bom+p.off, int64(len(p.input))):min(p.bom+end, int64(len(p.input)))]
			if i, _ := badChar(raw); i < len(raw) {
				end = p.off + int64(i)
			}
		}
		p.off = end
		return p.errAt(fmt.Errorf("%w: %s", ErrSyntax, se.Msg))
	}
	return p.errAt(fmt.Errorf("%w: %v", ErrSyntax, err))
}

// open opens the element of t, the start tag just read (at p.off): it
// puts it on the path and its namespace declarations in scope, and checks
// what encoding/xml does not (checkAttrs, and Namespaces in XML: a prefix
// used must be declared, a prefix may not be bound to the empty name, the
// reserved prefixes and names must not be misused).
func (p *parser) open(t xml.StartElement) error {
	p.stack = append(p.stack, t.Name.Local)
	p.nsMark = append(p.nsMark, len(p.ns))
	p.attrs = p.attrs[:0]
	if len(p.stack) > p.lim.MaxDepth {
		return pkg.Limit("MaxDepth", int64(p.lim.MaxDepth), p.off+p.bom, p.path())
	}
	if len(t.Attr) == 0 && t.Name.Space == "" {
		return nil
	}
	raw := p.input[p.bom+p.off : p.bom+p.d.InputOffset()]
	if len(t.Attr) > 0 {
		if err := p.checkAttrs(t, raw); err != nil {
			return err
		}
		for k, a := range t.Attr {
			if a.Name.Space != "xmlns" && (a.Name.Space != "" || a.Name.Local != "xmlns") {
				continue
			}
			at := p.attrs[k][0]
			prefix := ""
			if a.Name.Space == "xmlns" {
				prefix = a.Name.Local
			}
			var msg string
			switch {
			case prefix == "" && (a.Value == xmlscan.NamespaceXML || a.Value == xmlscan.NamespaceXMLNS):
				msg = "reserved namespace bound as default"
			case prefix == "":
				continue
			case a.Value == "":
				msg = "empty namespace for prefix " + prefix
			case prefix == "xmlns":
				msg = "prefix xmlns declared"
			case prefix == "xml" && a.Value != xmlscan.NamespaceXML, prefix != "xml" && a.Value == xmlscan.NamespaceXML, a.Value == xmlscan.NamespaceXMLNS:
				msg = "reserved prefix or namespace misused"
			default:
				p.ns = append(p.ns, prefix)
				continue
			}
			p.off += int64(at)
			return p.errAt(xmlscan.Cause(xmlscan.Prefix, msg))
		}
	}
	// the element's prefix (it has none when its local name follows
	// the '<') and the attributes'
	if n := 1 + len(t.Name.Local); n >= len(raw) || raw[n] == ':' || string(raw[1:n]) != t.Name.Local {
		// a prefixed name: its colon is the tag's first
		if err := p.declared(raw, 1, 2+bytes.IndexByte(raw[1:], ':')); err != nil {
			return err
		}
	}
	for _, a := range p.attrs {
		if err := p.declared(raw, a[0], a[1]); err != nil {
			return err
		}
	}
	return nil
}

// declared checks that the prefix of the name raw[i:j], if it has one, is
// "xml", "xmlns" or declared in scope.
func (p *parser) declared(raw []byte, i, j int) error {
	c := bytes.IndexByte(raw[i:j], ':')
	if c <= 0 {
		return nil
	}
	prefix := raw[i : i+c]
	if string(prefix) == "xml" || string(prefix) == "xmlns" {
		return nil
	}
	for k := len(p.ns) - 1; k >= 0; k-- {
		if p.ns[k] == string(prefix) {
			return nil
		}
	}
	p.off += int64(i)
	return p.errAt(xmlscan.Cause(xmlscan.UndeclaredPrefix, string(prefix)))
}

// checkAttrs checks what encoding/xml does not of the attributes of t,
// the start tag just read (at p.off): that white space separates them,
// and that no two have the same name, or the same namespace and local
// name (encoding/xml gives them in document order, with the namespaces of
// their prefixes). It reports the attribute at fault, as the module's
// other readers do.
func (p *parser) checkAttrs(t xml.StartElement, raw []byte) error {
	var gap int
	p.attrs, gap = attrNames(raw, p.attrs[:0])
	if gap >= 0 {
		p.off += int64(gap)
		return p.errAt(xmlscan.Cause(xmlscan.Syntax, "expected white space before attribute"))
	}
	if len(p.attrs) != len(t.Attr) {
		// not as encoding/xml read it (which is not expected)
		return p.errAt(fmt.Errorf("%w: start tag not read", ErrSyntax))
	}
	for k := 1; k < len(t.Attr); k++ {
		for j := range k {
			if t.Attr[j].Name != t.Attr[k].Name {
				continue
			}
			a, b := p.attrs[j], p.attrs[k]
			p.off += int64(b[0])
			first, second := string(raw[a[0]:a[1]]), string(raw[b[0]:b[1]])
			if first == second {
				return p.errAt(xmlscan.Cause(xmlscan.DuplicateAttr, second))
			}
			return p.errAt(xmlscan.Cause(xmlscan.DuplicateAttr, first+" and "+second+" name the same attribute"))
		}
	}
	return nil
}

// attrNames appends to names where the qualified name of each attribute
// of raw, a start tag as encoding/xml reads it, starts and ends, in
// order; gap is the offset of the first attribute that no white space
// separates from what comes before it, or -1.
func attrNames(raw []byte, names [][2]int) (_ [][2]int, gap int) {
	i := 1
	for i < len(raw) && !isXMLSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	for {
		sep := i
		for i < len(raw) && isXMLSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] == '/' || raw[i] == '>' {
			return names, -1
		}
		if i == sep {
			return names, i
		}
		at := i
		for i < len(raw) && raw[i] != '=' && !isXMLSpace(raw[i]) {
			i++
		}
		names = append(names, [2]int{at, i})
		for i < len(raw) && raw[i] != '"' && raw[i] != '\'' {
			i++
		}
		if i >= len(raw) {
			return names, -1
		}
		q := raw[i]
		i++
		for i < len(raw) && raw[i] != q {
			i++
		}
		i++
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTagName returns, when the token at p.off is a start tag whose name
// is a qualified name, its local part (as the path names elements), and
// "" otherwise.
func (p *parser) startTagName() string {
	rest := p.input[min(p.bom+p.off, int64(len(p.input))):]
	if len(rest) < 2 || rest[0] != '<' {
		return ""
	}
	name := rest[1:]
	if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	if !xmlscan.IsQName(string(name)) {
		return ""
	}
	return xmlscan.LocalName(string(name))
}

// invalidUTF8 returns the offset of the first byte of b that is not
// valid UTF-8, or len(b).
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func (p *parser) errAt(err error) *ParseError {
	off := p.off + p.bom
	line, col := position(p.input, off)
	if p.node != nil {
		err = &NodeError{Node: p.node.Path(), Err: err}
	}
	return pkg.Decode(off, line, col, p.path(), err)
}

// position returns the 1-based line and byte column of offset in data.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (p *parser) structure(format string, args ...any) error {
	return p.errAt(fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

// path returns the open elements, such as "/MgmtTree/Node", or "" outside
// every element (as every decoder of the module says it).
func (p *parser) path() string {
	if len(p.stack) == 0 {
		return ""
	}
	return "/" + strings.Join(p.stack, "/")
}

// pop closes the innermost element and its namespace declarations.
func (p *parser) pop() {
	n := len(p.stack) - 1
	p.stack = p.stack[:n]
	if n < len(p.nsMark) {
		p.ns = p.ns[:p.nsMark[n]]
		p.nsMark = p.nsMark[:n]
	}
}

// tree reads the document: the MgmtTree root and nothing after it.
func (p *parser) tree() (*Tree, error) {
	var t *Tree
	for {
		p.off = p.d.InputOffset()
		tok, err := p.d.Token()
		if err == io.EOF {
			if t == nil {
				return nil, p.structure("no MgmtTree element")
			}
			return t, nil
		}
		if err != nil {
			return nil, p.syntax(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if t != nil {
				return nil, p.structure("more than one root element")
			}
			if err := p.open(tk); err != nil {
				return nil, err
			}
			if tk.Name.Local != "MgmtTree" || tk.Name.Space != "" {
				return nil, p.structure("root element is %s, not MgmtTree", tk.Name.Local)
			}
			if t, err = p.mgmtTree(); err != nil {
				return nil, err
			}
			p.afterRoot = true
		case xml.CharData:
			if len(bytes.TrimSpace(tk)) != 0 {
				return nil, p.structure("text outside the root element")
			}
		case xml.Directive:
			if t != nil || !bytes.HasPrefix(p.input[p.bom+p.off:], []byte("<!DOCTYPE")) {
				return nil, p.markupDecl()
			}
			if err := p.checkChars(); err != nil {
				return nil, err
			}
		default:
			// a comment or processing instruction
			if err := p.checkChars(); err != nil {
				return nil, err
			}
		}
	}
}

func (p *parser) mgmtTree() (*Tree, error) {
	t := &Tree{}
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			p.pop()
			return t, nil
		case xml.CharData:
			if err := p.noText(tk); err != nil {
				return nil, err
			}
		case xml.StartElement:
			var err error
			switch {
			case tk.Name.Space != "":
				err = p.skip()
			case tk.Name.Local == "VerDTD":
				t.VerDTD, err = p.text()
			case tk.Name.Local == "Man":
				t.Man, err = p.text()
			case tk.Name.Local == "Mod":
				t.Mod, err = p.text()
			case tk.Name.Local == "Node":
				var n *Node
				n, err = p.nodeElem(nil)
				if n != nil {
					t.Roots = append(t.Roots, n)
				}
			default:
				err = p.structure("unexpected element %s in MgmtTree", tk.Name.Local)
			}
			if err != nil {
				return nil, err
			}
		}
	}
}

// nodeElem reads a Node element whose start tag was just read.
func (p *parser) nodeElem(parent *Node) (*Node, error) {
	p.nodes++
	if p.nodes > p.lim.MaxNodes {
		return nil, pkg.Limit("MaxNodes", int64(p.lim.MaxNodes), p.off+p.bom, p.path())
	}
	n := &Node{Parent: parent, Line: p.lineAt(p.off + p.bom), CaseSensitive: true}
	outer := p.node
	defer func() { p.node = outer }()
	var sawName, sawProps bool
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			if !sawName {
				return nil, p.structure("Node without NodeName")
			}
			if !sawProps {
				return nil, p.structure("Node without DFProperties")
			}
			p.pop()
			return n, nil
		case xml.CharData:
			if err := p.noText(tk); err != nil {
				return nil, err
			}
		case xml.StartElement:
			var err error
			switch {
			case tk.Name.Space != "":
				err = p.skip()
			case tk.Name.Local == "NodeName":
				if sawName {
					return nil, p.structure("second NodeName")
				}
				sawName = true
				n.Name, err = p.text()
				n.Name = strings.TrimSpace(n.Name)
				p.node = n // errors from here on name this node
				switch {
				case err != nil:
				case strings.Contains(n.Name, "/"):
					err = p.structure("NodeName %q contains '/'", n.Name)
				case n.Name == "." || n.Name == "..":
					// no LocURI can name it: ParseLocURI refuses the segment
					err = p.structure("NodeName %q is not a node name", n.Name)
				}
			case tk.Name.Local == "Path":
				var s string
				s, err = p.text()
				if err == nil && parent == nil {
					n.base, err = p.rootPath(s)
				}
			case tk.Name.Local == "DFProperties":
				if sawProps {
					return nil, p.structure("second DFProperties")
				}
				sawProps = true
				err = p.dfProperties(n)
			case tk.Name.Local == "Node":
				var c *Node
				c, err = p.nodeElem(n)
				if c != nil {
					n.Children = append(n.Children, c)
				}
			case tk.Name.Local == "RTProperties", tk.Name.Local == "Value":
				err = p.skip()
			default:
				err = p.structure("unexpected element %s in Node", tk.Name.Local)
			}
			if err != nil {
				return nil, err
			}
		}
	}
}

// rootPath reads the Path element of a top-level node, the LocURI up to
// the node (OMA-DM DDF 1.2, Path), into the form Node.Path uses: "./",
// the scope written Device or User, and the node names percent-decoded,
// as NodeNames are. An empty Path, "." and "./" are ".". A Path that
// syncml.ParseLocURI refuses is an error: Lookup could never reach the
// node.
func (p *parser) rootPath(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", ".", "./":
		return ".", nil
	}
	u, err := syncml.ParseLocURI(strings.TrimSuffix(s, "/"))
	if err != nil {
		return "", p.structure("Path %q is not a LocURI: %v", s, err)
	}
	var b strings.Builder
	b.WriteString(".")
	switch u.Scope {
	case syncml.ScopeDevice:
		b.WriteString("/Device")
	case syncml.ScopeUser:
		b.WriteString("/User")
	}
	for _, seg := range u.Segments {
		b.WriteString("/")
		b.WriteString(seg)
	}
	return b.String(), nil
}

func (p *parser) dfProperties(n *Node) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			p.pop()
			return nil
		case xml.CharData:
			if err := p.noText(tk); err != nil {
				return err
			}
		case xml.StartElement:
			var err error
			if tk.Name.Space == NamespaceMSFT {
				err = p.msftProperty(n, tk)
			} else if tk.Name.Space != "" {
				err = p.skip()
			} else {
				err = p.property(n, tk.Name.Local)
			}
			if err != nil {
				return err
			}
		}
	}
}

func (p *parser) property(n *Node, name string) error {
	var err error
	switch name {
	case "AccessType":
		err = p.children(func(c string) error {
			a := AccessFor(c)
			if a == 0 {
				return p.structure("unknown AccessType %s", c)
			}
			n.Access |= a
			return p.empty()
		})
	case "DefaultValue":
		n.DefaultValue, err = p.text()
		n.HasDefault = true
	case "Description":
		n.Description, err = p.text()
	case "DFFormat":
		count := 0
		err = p.children(func(c string) error {
			if count++; count > 1 {
				return p.structure("DFFormat with more than one format")
			}
			if !knownFormat(c) {
				return p.structure("unknown DFFormat %s", c)
			}
			n.Format = Format(c)
			return p.skip()
		})
		if err == nil && count == 0 {
			err = p.structure("empty DFFormat")
		}
	case "Occurrence":
		err = p.children(func(c string) error {
			for i, s := range occurrenceNames {
				if s == c {
					n.Occurrence.Kind = OccurrenceKind(i)
					if k := n.Occurrence.Kind; k == OccurrenceZeroOrN || k == OccurrenceOneOrN {
						t, err := p.text()
						if err != nil {
							return err
						}
						v, ok := atoi(strings.TrimSpace(t))
						if !ok {
							return p.structure("%s bound %q is not a number", c, t)
						}
						n.Occurrence.N = v
						return nil
					}
					return p.empty()
				}
			}
			return p.structure("unknown Occurrence %s", c)
		})
	case "Scope":
		err = p.children(func(c string) error {
			switch c {
			case "Permanent":
				n.Scope = ScopePermanent
			case "Dynamic":
				n.Scope = ScopeDynamic
			default:
				return p.structure("unknown Scope %s", c)
			}
			return p.empty()
		})
	case "DFTitle":
		n.Title, err = p.text()
		n.Title = strings.TrimSpace(n.Title)
	case "DFType":
		err = p.children(func(c string) error {
			t, err := p.text()
			switch c {
			case "MIME":
				n.MIME = strings.TrimSpace(t)
			case "DDFName":
				n.DDFName = strings.TrimSpace(t)
			}
			return err
		})
	case "CaseSense":
		err = p.children(func(c string) error {
			n.CaseSensitive = c != "CIS"
			return p.empty()
		})
	default:
		err = p.skip()
	}
	return err
}

func (p *parser) msftProperty(n *Node, start xml.StartElement) error {
	switch start.Name.Local {
	case "Applicability":
		a := &Applicability{}
		n.Applicability = a
		return p.children(func(c string) error {
			t, err := p.text()
			switch c {
			case "OsBuildVersion":
				a.OSBuilds = splitList(t, ",")
			case "CspVersion":
				a.CSPVersion = strings.TrimSpace(t)
			case "EditionAllowList":
				a.Editions = splitList(t, ";")
			case "RequiresAzureAd":
				a.RequiresAzureAD = true
			}
			return err
		})
	case "AllowedValues":
		return p.allowedValues(n, start)
	case "DynamicNodeNaming":
		return p.children(func(c string) error {
			switch c {
			case "ServerGeneratedUniqueIdentifier":
				n.Naming.Kind = NamingServerGenerated
			case "ClientInventory":
				n.Naming.Kind = NamingClientInventory
			case "UniqueName":
				n.Naming.Kind = NamingUniqueName
				t, err := p.text()
				n.Naming.Pattern = t
				return err
			}
			return p.skip()
		})
	case "Deprecated":
		n.Deprecated = true
		n.DeprecatedIn = attr(start, "OsBuildDeprecated")
		return p.skip()
	}
	return p.skip()
}

func (p *parser) allowedValues(n *Node, start xml.StartElement) error {
	a := &AllowedValues{Type: ValueType(attr(start, "ValueType"))}
	if a.Type == "" {
		return p.structure("AllowedValues without ValueType")
	}
	n.Allowed = a
	err := p.children(func(c string) error {
		switch c {
		case "Enum":
			var e Enum
			err := p.children(func(c string) error {
				t, err := p.text()
				switch c {
				case "Value":
					e.Value = t
				case "ValueDescription":
					e.Description = t
				}
				return err
			})
			a.Enums = append(a.Enums, e)
			return err
		case "Value":
			t, err := p.text()
			a.Value = t
			return err
		case "List":
			a.Delimiter = decodeDelimiter(attr(p.lastStart, "Delimiter"))
			if a.Delimiter == "" {
				return p.structure("List without Delimiter")
			}
			return p.skip()
		case "AdmxBacked":
			a.AdmxArea = attr(p.lastStart, "Area")
			a.AdmxName = attr(p.lastStart, "Name")
			a.AdmxFile = attr(p.lastStart, "File")
			return p.skip()
		}
		return p.skip()
	})
	if err != nil {
		return err
	}
	switch a.Type {
	case ValueRange:
		lo, hi, err := parseRange(a.Value)
		if err != nil {
			return p.structure("%v", err)
		}
		a.Min, a.Max = lo, hi
	case ValueRegEx:
		a.Regexp, a.RegexpErr = regexp.Compile(a.Value)
	}
	return nil
}

// children calls fn for each child element of the element just opened,
// with the child's start tag consumed; fn must consume through its end tag.
// Text between children must be blank.
func (p *parser) children(fn func(local string) error) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			p.pop()
			return nil
		case xml.CharData:
			if err := p.noText(tk); err != nil {
				return err
			}
		case xml.StartElement:
			p.lastStart = tk
			if err := fn(tk.Name.Local); err != nil {
				return err
			}
		}
	}
}

// text reads character data through the end of the element just opened.
func (p *parser) text() (string, error) {
	var b []byte
	for {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.EndElement:
			p.pop()
			return string(b), nil
		case xml.CharData:
			b = append(b, tk...)
		case xml.StartElement:
			return "", p.structure("element %s inside text", tk.Name.Local)
		}
	}
}

// empty reads through the end of an element that should have no content.
func (p *parser) empty() error {
	_, err := p.text()
	return err
}

// skip reads through the end of the element just opened, whatever it holds.
func (p *parser) skip() error {
	depth := 1
	for depth > 0 {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
			p.pop()
		}
	}
	return nil
}

func (p *parser) noText(c xml.CharData) error {
	if len(bytes.TrimSpace(c)) != 0 {
		return p.structure("unexpected text %q", truncate(string(c), 32))
	}
	return nil
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func splitList(s, sep string) []string {
	var out []string
	for _, f := range strings.Split(s, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
