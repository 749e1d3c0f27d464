package ddf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// NamespaceMSFT is the namespace of Microsoft's DDF extensions, usually
// bound to the prefix MSFT.
const NamespaceMSFT = "http://schemas.microsoft.com/MobileDevice/DM"

const utf8BOM = "\uFEFF"

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
//
// It reads with the module's XML lexer (internal/xmlscan), as syncml and
// declaredconfig do, so a fault has the position, path and wording it
// has there.
func ParseLimits(data []byte, lim Limits) (*Tree, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	// the tree keeps copies of what it holds (keep), not the input
	input := string(data)
	p := &parser{lim: lim, input: input, tagPos: -1}
	lead := 0
	if strings.HasPrefix(input, utf8BOM) {
		lead = len(utf8BOM)
	}
	// white space before the XML declaration is let through, as
	// declaredconfig and mde2 let it
	lead = xmlscan.SkipSpace(input, lead)
	p.lead = lead
	p.Init(input[lead:], xmlscan.Limits{
		MaxDepth:      lim.MaxDepth,
		MaxTokens:     maxInt,
		MaxTokenBytes: int(min(lim.MaxBytes, int64(maxInt))),
		MaxAttrs:      maxInt,
		MaxNamespaces: maxInt,
	}, p)
	t, err := p.tree()
	if err != nil {
		return nil, err
	}
	if err := p.uniquePaths(t); err != nil {
		return nil, err
	}
	t.NodeCount = p.nodes
	return t, nil
}

const maxInt = int(^uint(0) >> 1)

// parser reads a DDF by recursive descent over the tokens of an
// xmlscan.Scanner (next). Offsets are the scanner's, into the input after
// lead.
type parser struct {
	xmlscan.Scanner
	input string // the whole input, byte order mark included, for positions
	lead  int    // bytes before the scanned text (byte order mark, white space)
	lim   Limits

	pos     int      // where the next token starts
	off     int      // where the token last returned starts, for errors
	selfEnd bool     // the last start tag ended with "/>": its end is next
	closed  bool     // the last token was an end tag, its element still on stack
	tagPos  int      // offset of the start tag being read, or -1
	stack   []string // local names of the open elements, for paths
	node    *Node    // innermost Node being read, for errors
	nodes   int
	reCost  int // cost of the RegEx expressions compiled, for MaxRegExCost

	// lineAt's cursor: the line and column at input offset lineOff
	lineOff, line, col int
}

// A token is what next returns: a start tag (its local name and
// namespace; its attributes through Attrs until the next one), an end
// tag, or the decoded character data between two tags.
type token struct {
	kind  tokenKind
	local string // start
	space string // start
	text  string // text
}

type tokenKind uint8

const (
	startToken tokenKind = iota + 1
	endToken
	textToken
)

// next returns the next start tag, end tag or character data inside the
// root element; comments and processing instructions are read and
// checked on the way, and the end of an empty-element tag is an end
// token of its own.
func (p *parser) next() (token, error) {
	p.settle()
	if p.selfEnd {
		p.selfEnd = false
		p.off = p.pos
		p.Pop()
		p.closed = true
		return token{kind: endToken}, nil
	}
	s := p.Input()
	pos := p.pos
	if pos >= len(s) || s[pos] != '<' || pos+1 < len(s) && (s[pos+1] == '!' || s[pos+1] == '?') {
		text, cdata, end, err := p.CharData(pos)
		if err != nil {
			return token{}, err
		}
		p.pos = end
		if text != "" || cdata {
			p.off = pos
			return token{kind: textToken, text: text}, nil
		}
		pos = end // comments and processing instructions only
	}
	p.off = pos
	if err := p.Need(pos, 2); err != nil {
		return token{}, err
	}
	if s[pos+1] == '/' {
		end, err := p.EndTag(pos)
		if err != nil {
			return token{}, err
		}
		p.pos = end
		p.closed = true
		return token{kind: endToken}, nil
	}
	return p.startTag(pos)
}

// child is next where only elements are wanted (white space between
// them is let through, other text is an error): white space before a
// tag is stepped over without reading it as character data, which
// would copy it to turn its CR LF into LF.
func (p *parser) child() (token, error) {
	if !p.selfEnd {
		s := p.Input()
		if i := xmlscan.SkipSpace(s, p.pos); i > p.pos && i+1 < len(s) && s[i] == '<' && s[i+1] != '!' && s[i+1] != '?' {
			p.pos = i
		}
	}
	return p.next()
}

// settle takes the element whose end tag was read last off the path: it
// stays there until the next token, so that an error about the element
// found at its end (a Node without NodeName) names it in its path.
func (p *parser) settle() {
	if p.closed {
		p.closed = false
		p.stack = p.stack[:len(p.stack)-1]
	}
}

// startTag reads the start tag at pos and opens its element.
func (p *parser) startTag(pos int) (token, error) {
	p.tagPos = pos
	t, end, err := p.StartTag(pos)
	p.tagPos = -1
	if err != nil {
		return token{}, err
	}
	p.pos = end
	p.selfEnd = t.Self
	p.stack = append(p.stack, t.Local())
	space, _ := p.Lookup(xmlscan.PrefixOf(t.Name)) // checked by StartTag
	return token{kind: startToken, local: t.Local(), space: space}, nil
}

// attr returns the value of the attribute of the last start tag whose
// local name is local (with any prefix; namespace declarations aside),
// or "".
func (p *parser) attr(local string) string {
	for _, a := range p.Attrs() {
		if xmlscan.LocalName(a.Name) == local && a.Name != "xmlns" && xmlscan.PrefixOf(a.Name) != "xmlns" {
			return keep(a.Value)
		}
	}
	return ""
}

// keep returns a copy of s, a string read from the input, for the tree:
// the tree does not hold on to the input.
func keep(s string) string { return strings.Clone(s) }

// ScanError makes the ParseError of a lexical problem, with the cause
// every package of the module gives that kind (xmlscan.Cause).
func (p *parser) ScanError(pos int, k xmlscan.Kind, msg string) error {
	return p.errAt(pos, xmlscan.Cause(k, msg))
}

// ScanLimit makes the LimitError of an exceeded limit.
func (p *parser) ScanLimit(name string, max int64, pos int) error {
	if name == "MaxTokenBytes" {
		name = "MaxBytes" // one token cannot be larger than the input
	}
	return pkg.Limit(name, max, int64(p.lead+pos), p.path())
}

// lineAt returns the 1-based line of scanner offset pos, counting
// forward from the previous call (offsets only grow while parsing).
func (p *parser) lineAt(pos int) int {
	off := p.lead + pos
	if off < p.lineOff || p.line == 0 {
		p.line, p.col = xmlscan.LineCol(p.input, off)
	} else {
		p.line, p.col = xmlscan.Advance(p.line, p.col, p.input[p.lineOff:off])
	}
	p.lineOff = off
	return p.line
}

// errAt returns the ParseError for cause at scanner offset pos: inside a
// Node, the cause is a NodeError that names it.
func (p *parser) errAt(pos int, cause error) error {
	off := min(p.lead+pos, len(p.input))
	line, col := xmlscan.LineCol(p.input, off)
	if p.node != nil {
		cause = &NodeError{Node: p.node.Path(), Err: cause}
	}
	return pkg.Decode(int64(off), line, col, p.path(), cause)
}

func (p *parser) syntax(pos int, format string, args ...any) error {
	return p.ScanError(pos, xmlscan.Syntax, fmt.Sprintf(format, args...))
}

// structure returns an ErrStructure error at the token last read.
func (p *parser) structure(format string, args ...any) error {
	return p.errAt(p.off, fmt.Errorf("%w: "+format, append([]any{ErrStructure}, args...)...))
}

// path returns the open elements by local name, such as
// "/MgmtTree/Node", the one whose start tag is being read included once
// the scanner has opened it, or "" outside every element (as every
// decoder of the module says it).
func (p *parser) path() string {
	n := 0
	for _, e := range p.stack {
		n += 1 + len(e)
	}
	tag := ""
	if p.tagPos >= 0 && p.Depth() > len(p.stack) {
		// the name the scanner read, which ends where it does
		open := p.PathString()
		tag = xmlscan.LocalName(open[strings.LastIndexByte(open, '/')+1:])
		n += 1 + len(tag)
	}
	if n == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(n)
	for _, e := range p.stack {
		b.WriteByte('/')
		b.WriteString(e)
	}
	if tag != "" {
		b.WriteByte('/')
		b.WriteString(tag)
	}
	return b.String()
}

// tree reads the document: an XML declaration (which may name no
// encoding but UTF-8), comments, processing instructions, a DOCTYPE, the
// MgmtTree root and what may follow it.
func (p *parser) tree() (*Tree, error) {
	s := p.Input()
	if p.lead == 0 && (strings.HasPrefix(s, "\xFF\xFE") || strings.HasPrefix(s, "\xFE\xFF")) {
		return nil, p.errAt(0, fmt.Errorf("%w: UTF-16 byte-order mark: a DDF must be UTF-8", ErrEncoding))
	}
	pos := 0
	if len(s) > 5 && strings.HasPrefix(s, "<?xml") && xmlscan.IsSpace(s[5]) {
		end, err := p.XMLDecl(0)
		if err != nil {
			return nil, err
		}
		if enc := xmlcharset.DeclaredEncoding([]byte(s[:end])); enc != "" && !strings.EqualFold(enc, "UTF-8") {
			return nil, p.errAt(0, fmt.Errorf("%w: unsupported encoding %q: a DDF must be UTF-8 (a byte-order mark and encoding=\"UTF-8\" are optional)", ErrEncoding, truncate(enc, maxShownText)))
		}
		pos = end
	}
	var t *Tree
	doctype := false
	for {
		var err error
		if pos, err = p.Misc(pos); err != nil {
			return nil, err
		}
		if pos >= len(s) {
			if t == nil {
				return nil, p.syntax(pos, "no root element")
			}
			return t, nil
		}
		if s[pos] != '<' {
			// whatever its bytes, as the module's other readers say it
			return nil, p.syntax(pos, "text outside the root element")
		}
		if err := p.Need(pos, 2); err != nil {
			return nil, err
		}
		switch rest := s[pos:]; {
		case rest[1] == '/':
			return nil, p.syntax(pos, "end tag outside the root element")
		case strings.HasPrefix(rest, "<!DOCTYPE") && t == nil && !doctype:
			if pos, err = p.doctype(pos); err != nil {
				return nil, err
			}
			doctype = true
			continue
		case rest[1] == '!' && (t != nil || doctype):
			// a second DOCTYPE, or one after the root, is refused as
			// such, as a CDATA section is (as every reader says them)
			return nil, p.OutsideDeclError(pos, `"<!--"`)
		case rest[1] == '!':
			return nil, p.OutsideDeclError(pos, `"<!--" or "<!DOCTYPE"`)
		case t != nil:
			return nil, p.syntax(pos, "content after the root element")
		}
		if t, err = p.root(pos); err != nil {
			return nil, err
		}
		p.settle()
		pos = p.pos
	}
}

// root reads the MgmtTree element whose start tag is at pos.
func (p *parser) root(pos int) (*Tree, error) {
	p.off = pos
	tok, err := p.startTag(pos)
	if err != nil {
		return nil, err
	}
	if tok.local != "MgmtTree" {
		return nil, p.structure("root element is <%s>, not <MgmtTree>", truncate(p.qname(pos), maxShownText))
	}
	if tok.space != "" {
		return nil, p.structure("root element <%s> is in namespace %q; MgmtTree is in none", truncate(p.qname(pos), maxShownText), truncate(tok.space, maxShownText))
	}
	return p.mgmtTree()
}

// qname returns the name of the start tag at pos, read without error.
func (p *parser) qname(pos int) string {
	name := p.Input()[pos+1:]
	if i := strings.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	return name
}

func (p *parser) mgmtTree() (*Tree, error) {
	t := &Tree{}
	for {
		tok, err := p.child()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case endToken:
			return t, nil
		case textToken:
			if err := p.noText(tok.text); err != nil {
				return nil, err
			}
		case startToken:
			var err error
			switch {
			case tok.space != "":
				err = p.skip()
			case tok.local == "VerDTD":
				t.VerDTD, err = p.text()
			case tok.local == "Man":
				t.Man, err = p.text()
			case tok.local == "Mod":
				t.Mod, err = p.text()
			case tok.local == "Node":
				var n *Node
				n, err = p.nodeElem(nil)
				if n != nil {
					t.Roots = append(t.Roots, n)
				}
			default:
				err = p.structure("unexpected element %s in MgmtTree", truncate(tok.local, maxShownText))
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
		return nil, pkg.Limit("MaxNodes", int64(p.lim.MaxNodes), int64(p.lead+p.off), p.path())
	}
	start := p.off
	n := &Node{Parent: parent, Line: p.lineAt(start), off: p.lead + start, CaseSensitive: true}
	outer := p.node
	defer func() { p.node = outer }()
	var sawName, sawProps bool
	for {
		tok, err := p.child()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case endToken:
			if !sawName {
				return nil, p.structure("Node without NodeName")
			}
			if !sawProps {
				return nil, p.structure("Node without DFProperties")
			}
			if namesOwn(n) {
				n.Allowed.indexNames()
			}
			return n, nil
		case textToken:
			if err := p.noText(tok.text); err != nil {
				return nil, err
			}
		case startToken:
			var err error
			switch {
			case tok.space != "":
				err = p.skip()
			case tok.local == "NodeName":
				if sawName {
					return nil, p.structure("second NodeName")
				}
				sawName = true
				n.Name, err = p.text()
				n.Name = xmlscan.TrimSpace(n.Name)
				p.node = n // errors from here on name this node
				if err == nil && n.Name != "" {
					err = p.nodeName(n.Name)
				}
			case tok.local == "Path":
				var s string
				s, err = p.text()
				if err == nil && parent == nil {
					n.base, err = p.rootPath(s)
				}
			case tok.local == "DFProperties":
				if sawProps {
					return nil, p.structure("second DFProperties")
				}
				sawProps = true
				err = p.dfProperties(n)
			case tok.local == "Node":
				var c *Node
				c, err = p.nodeElem(n)
				if c != nil {
					n.Children = append(n.Children, c)
				}
			case tok.local == "RTProperties", tok.local == "Value":
				err = p.skip()
			default:
				err = p.structure("unexpected element %s in Node", truncate(tok.local, maxShownText))
			}
			if err != nil {
				return nil, err
			}
		}
	}
}

// nodeName checks a static NodeName: a LocURI must be able to name the
// node, so the name is one that syncml.ParseLocURI reads from its escaped
// form as one segment (no '/', "." or "..", control characters). The
// rule is internal/nodename's, which ParseLocURI applies too; it
// allocates nothing, where reading the escaped form did once per node.
// A refused name's error quotes that form, as ParseLocURI does.
func (p *parser) nodeName(name string) error {
	err := nodename.Check(name)
	if err == nil {
		return nil
	}
	u := syncml.LocURI{Segments: []string{name}}
	if _, perr := syncml.ParseLocURI(u.String()); perr != nil {
		err = perr
	}
	return p.structure("NodeName %q is not a node name: %s", truncate(name, maxShownText), truncate(err.Error(), 2*maxShownText))
}

// rootPath reads the Path element of a top-level node, the LocURI up to
// the node (OMA-DM DDF 1.2, Path), into the form Node.Path uses: "./",
// the scope written Device or User, and the node names percent-decoded,
// as NodeNames are. An empty Path, "." and "./" are ".". A Path that
// syncml.ParseLocURI refuses is an error: Lookup could never reach the
// node.
func (p *parser) rootPath(s string) (string, error) {
	s = xmlscan.TrimSpace(s)
	switch s {
	case "", ".", "./":
		return ".", nil
	}
	u, err := syncml.ParseLocURI(strings.TrimSuffix(s, "/"))
	if err != nil {
		return "", p.structure("Path %q is not a LocURI: %s", truncate(s, maxShownText), truncate(err.Error(), 2*maxShownText))
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

// keptProperties are the children of DFProperties whose content the
// parser keeps in a Node field, by namespace ("" or NamespaceMSFT) and
// local name. The DDF schemas allow each at most once; a second would
// overwrite the first (AccessType, whose values add up, is not listed).
// Each has its own bit, for the set dfProperties keeps of those seen.
var keptProperties = map[[2]string]uint16{
	{"", "DefaultValue"}: 1 << 0, {"", "Description"}: 1 << 1, {"", "DFFormat"}: 1 << 2,
	{"", "Occurrence"}: 1 << 3, {"", "Scope"}: 1 << 4, {"", "DFTitle"}: 1 << 5,
	{"", "DFType"}: 1 << 6, {"", "CaseSense"}: 1 << 7,
	{NamespaceMSFT, "Applicability"}: 1 << 8, {NamespaceMSFT, "DynamicNodeNaming"}: 1 << 9,
	{NamespaceMSFT, "AllowedValues"}: 1 << 10, {NamespaceMSFT, "Deprecated"}: 1 << 11,
}

// dfProperties reads the DFProperties of n. A property of
// keptProperties given twice is an error: it would replace the first.
func (p *parser) dfProperties(n *Node) error {
	var seen uint16 // bits of keptProperties
	for {
		tok, err := p.child()
		if err != nil {
			return err
		}
		switch tok.kind {
		case endToken:
			return nil
		case textToken:
			if err := p.noText(tok.text); err != nil {
				return err
			}
		case startToken:
			if bit := keptProperties[[2]string{tok.space, tok.local}]; bit != 0 {
				if seen&bit != 0 {
					return p.structure("second %s in DFProperties", tok.local)
				}
				seen |= bit
			}
			var err error
			if tok.space == NamespaceMSFT {
				err = p.msftProperty(n, tok.local)
			} else if tok.space != "" {
				err = p.skip()
			} else {
				err = p.property(n, tok.local)
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
				return p.structure("unknown AccessType %s", truncate(c, maxShownText))
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
			f, ok := formatNamed(c)
			if !ok {
				return p.structure("unknown DFFormat %s", truncate(c, maxShownText))
			}
			n.Format = f
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
						v, ok := atoi(xmlscan.TrimSpace(t))
						if !ok {
							return p.structure("%s bound %q is not a number", c, truncate(t, maxShownText))
						}
						n.Occurrence.N = v
						return nil
					}
					return p.empty()
				}
			}
			return p.structure("unknown Occurrence %s", truncate(c, maxShownText))
		})
	case "Scope":
		err = p.children(func(c string) error {
			switch c {
			case "Permanent":
				n.Scope = ScopePermanent
			case "Dynamic":
				n.Scope = ScopeDynamic
			default:
				return p.structure("unknown Scope %s", truncate(c, maxShownText))
			}
			return p.empty()
		})
	case "DFTitle":
		n.Title, err = p.text()
		n.Title = xmlscan.TrimSpace(n.Title)
	case "DFType":
		err = p.children(func(c string) error {
			t, err := p.text()
			switch c {
			case "MIME":
				n.MIME = xmlscan.TrimSpace(t)
			case "DDFName":
				n.DDFName = xmlscan.TrimSpace(t)
			}
			return err
		})
	case "CaseSense":
		err = p.children(func(c string) error {
			n.CaseSensitive = c != "CIS"
			n.caseSet = true
			return p.empty()
		})
	default:
		err = p.skip()
	}
	return err
}

// applicabilityOnce are the children of MSFT:Applicability whose text a
// Node keeps; the schema allows each once, and a second would replace it.
var applicabilityOnce = [...]string{"OsBuildVersion", "CspVersion", "EditionAllowList"}

func (p *parser) msftProperty(n *Node, local string) error {
	switch local {
	case "Applicability":
		a := &Applicability{}
		n.Applicability = a
		var seen [len(applicabilityOnce)]bool
		return p.children(func(c string) error {
			if i := slices.Index(applicabilityOnce[:], c); i >= 0 {
				if seen[i] {
					return p.structure("second %s in Applicability", c)
				}
				seen[i] = true
			}
			t, err := p.text()
			switch c {
			case "OsBuildVersion":
				a.OSBuilds = splitList(t, ",")
			case "CspVersion":
				a.CSPVersion = xmlscan.TrimSpace(t)
			case "EditionAllowList":
				a.Editions = splitList(t, ";")
			case "RequiresAzureAd":
				a.RequiresAzureAD = true
			}
			return err
		})
	case "AllowedValues":
		return p.allowedValues(n)
	case "DynamicNodeNaming":
		named := false // the schema gives one kind; a second would replace it
		return p.children(func(c string) error {
			switch c {
			case "ServerGeneratedUniqueIdentifier", "ClientInventory", "UniqueName":
				if named {
					return p.structure("second naming kind %s in DynamicNodeNaming", c)
				}
				named = true
			}
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
		n.DeprecatedIn = p.attr("OsBuildDeprecated")
		return p.skip()
	}
	return p.skip()
}

func (p *parser) allowedValues(n *Node) error {
	a := &AllowedValues{Type: ValueType(p.attr("ValueType"))}
	if a.Type == "" {
		return p.structure("AllowedValues without ValueType")
	}
	n.Allowed = a
	sawValue := false // a second Value would replace the first
	err := p.children(func(c string) error {
		switch c {
		case "Enum":
			var e Enum
			var sawValue, sawDesc bool // a second would replace the first
			err := p.children(func(c string) error {
				switch {
				case c == "Value" && sawValue, c == "ValueDescription" && sawDesc:
					return p.structure("second %s in Enum", c)
				}
				t, err := p.text()
				switch c {
				case "Value":
					e.Value, sawValue = t, true
				case "ValueDescription":
					e.Description, sawDesc = t, true
				}
				return err
			})
			a.Enums = append(a.Enums, e)
			return err
		case "Value":
			if sawValue {
				return p.structure("second Value in AllowedValues")
			}
			sawValue = true
			t, err := p.text()
			a.Value = t
			return err
		case "List":
			a.Delimiter = decodeDelimiter(p.attr("Delimiter"))
			if a.Delimiter == "" {
				return p.structure("List without Delimiter")
			}
			return p.skip()
		case "AdmxBacked":
			a.AdmxArea = p.attr("Area")
			a.AdmxName = p.attr("Name")
			a.AdmxFile = p.attr("File")
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
		if !a.compileRegEx(&p.reCost, p.lim.MaxRegExCost) {
			return pkg.Limit("MaxRegExCost", int64(p.lim.MaxRegExCost), int64(p.lead+p.off), p.path())
		}
	}
	return nil
}

// children calls fn for each child element of the element just opened,
// with the child's start tag consumed; fn must consume through its end tag.
// Text between children must be blank.
func (p *parser) children(fn func(local string) error) error {
	for {
		tok, err := p.child()
		if err != nil {
			return err
		}
		switch tok.kind {
		case endToken:
			return nil
		case textToken:
			if err := p.noText(tok.text); err != nil {
				return err
			}
		case startToken:
			if err := fn(tok.local); err != nil {
				return err
			}
		}
	}
}

// text reads character data through the end of the element just opened
// and returns a copy of it (keep).
func (p *parser) text() (string, error) {
	s, err := p.rawText()
	return keep(s), err
}

// rawText is text without the copy: the string may share the input's
// bytes.
func (p *parser) rawText() (string, error) {
	var s string
	for {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		switch tok.kind {
		case endToken:
			return s, nil
		case textToken:
			s += tok.text // the scanner gives one run between two tags
		case startToken:
			return "", p.structure("element %s inside text", truncate(tok.local, maxShownText))
		}
	}
}

// empty reads through the end of an element that should have no content.
func (p *parser) empty() error {
	_, err := p.rawText()
	return err
}

// skip reads through the end of the element just opened, whatever it holds.
func (p *parser) skip() error {
	depth := 1
	for depth > 0 {
		tok, err := p.child()
		if err != nil {
			return err
		}
		switch tok.kind {
		case startToken:
			depth++
		case endToken:
			depth--
		}
	}
	return nil
}

// noText checks that text, between child elements, is white space.
func (p *parser) noText(text string) error {
	if !xmlscan.IsAllSpace(text) {
		return p.structure("unexpected text %q", truncate(text, 32))
	}
	return nil
}

func splitList(s, sep string) []string {
	var out []string
	for _, f := range strings.Split(s, sep) {
		if f = xmlscan.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// truncate returns s cut after at most n bytes, at a character's start,
// and marked with "…" when cut: for quoting input in messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return utf8cut.Prefix(s, n) + "…"
}
