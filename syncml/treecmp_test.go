package syncml_test

// An independent "nothing lost" check: it parses a message and its
// canonical encoding with etree (encoding/xml underneath), not with the
// syncml model, flattens each into a list of facts after applying the
// documented normalisations of the canonical form, and compares the lists.
//
// The normalisations (and only these):
//   - the XML declaration, and comments and PIs outside Data and Unknown
//     elements, are dropped;
//   - white space between structural elements is dropped;
//   - namespace declarations are not compared, but every element's and
//     attribute's resolved namespace is; a structural element (Data
//     included) in no namespace is in the root's, as the codec reads it;
//     a Data holding elements is compared without its own namespace (the
//     model has none for it: the writer declares on it the default
//     namespace its content is in, the decoder reads it in the message's,
//     in none or in that one);
//     inside Meta (Meta itself and its descendants) the metinf namespace,
//     no namespace and the SyncML namespaces are the same;
//   - children of structural elements are compared in DTD order: siblings
//     with different names may be reordered, same-named siblings (Items,
//     TargetRefs…) and the commands of SyncBody, Atomic and Sequence keep
//     their order;
//   - an empty single-valued leaf element is the same as an absent one (an
//     empty Data is kept); an empty SyncHdr, Target or Source is not;
//   - leaf text is compared as characters (references, CDATA and split runs
//     folded, line ends normalised by the XML parser);
//   - a text Data records whether it held CDATA, and its characters;
//   - the content of an XML Data and a whole Unknown element are compared
//     token by token: names with prefixes as written, attributes in order,
//     text, CDATA, comments and PIs.

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
	"golang.org/x/net/html/charset"
)

const (
	nsMetInf = "syncml:metinf"
	nsMSFT   = "http://schemas.microsoft.com/MobileDevice/MDM"
	nsXML    = "http://www.w3.org/XML/1998/namespace"
)

// treeDiff reports the first difference between what in and out say, or
// nil when out carries everything in does.
func treeDiff(in, out []byte) error {
	a, err := flattenDoc(in)
	if err != nil {
		return fmt.Errorf("treecmp: input: %w", err)
	}
	b, err := flattenDoc(out)
	if err != nil {
		return fmt.Errorf("treecmp: output: %w", err)
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return fmt.Errorf("treecmp: output has extra %s", b[i])
		case i >= len(b):
			return fmt.Errorf("treecmp: output lacks %s", a[i])
		case a[i] != b[i]:
			return fmt.Errorf("treecmp: first difference:\n input: %s\noutput: %s", a[i], b[i])
		}
	}
	return nil
}

// toUTF8 decodes a message to UTF-8 text without an XML declaration, so
// that etree reads it without a charset reader of its own. It detects the
// encoding independently of the codec: a byte-order mark, UTF-16 by its
// zero bytes, else the declared label, where a UTF-16 label on bytes that
// are not UTF-16 (as Windows sends) means UTF-8.
func toUTF8(b []byte) ([]byte, error) {
	label := ""
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		label, b = "utf-16le", b[2:]
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		label, b = "utf-16be", b[2:]
	case bytes.HasPrefix(b, []byte{'<', 0}):
		label = "utf-16le"
	case bytes.HasPrefix(b, []byte{0, '<'}):
		label = "utf-16be"
	default:
		if d := declLabel(b); d != "" {
			switch strings.ToLower(d) {
			case "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "unicode", "ucs-2", "us-ascii", "ascii":
			default:
				label = d
			}
		}
	}
	if label != "" {
		r, err := charset.NewReaderLabel(label, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if b, err = io.ReadAll(r); err != nil {
			return nil, err
		}
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not UTF-8 after decoding")
	}
	// drop the XML declaration: its encoding no longer applies
	if bytes.HasPrefix(b, []byte("<?xml")) && len(b) > 5 && strings.ContainsRune(" \t\r\n", rune(b[5])) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			b = b[i+2:]
		}
	}
	return b, nil
}

func declLabel(b []byte) string {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(b[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t\r\n")
	if rest == "" {
		return ""
	}
	q := rest[0]
	if j := strings.IndexByte(rest[1:], q); j >= 0 {
		return rest[1 : 1+j]
	}
	return ""
}

func flattenDoc(raw []byte) ([]string, error) {
	b, err := toUTF8(raw)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	doc.ReadSettings.PreserveDuplicateAttrs = true
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, err
	}
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	f := &flattener{root: scope{}.with(root).resolve(root.Space)}
	f.element(root, "/"+root.Tag, scope{}, ctxStruct)
	return f.out, nil
}

// scope maps prefixes to namespace URIs ("" is the default namespace).
type scope map[string]string

func (s scope) with(e *etree.Element) scope {
	var n scope
	for _, a := range e.Attr {
		var p string
		switch {
		case a.Space == "" && a.Key == "xmlns":
			p = ""
		case a.Space == "xmlns":
			p = a.Key
		default:
			continue
		}
		if n == nil {
			n = make(scope, len(s)+1)
			for k, v := range s {
				n[k] = v
			}
		}
		n[p] = a.Value
	}
	if n == nil {
		return s
	}
	return n
}

func (s scope) resolve(prefix string) string {
	if prefix == "xml" {
		return nsXML
	}
	if uri, ok := s[prefix]; ok {
		return uri
	}
	if prefix != "" {
		return "?undeclared:" + prefix
	}
	return ""
}

func isNSDecl(a etree.Attr) bool {
	return a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns"
}

type context int

const (
	ctxStruct context = iota // a structural element of the model
	ctxMeta                  // Meta or below
)

// Element kinds by local name, outside Data and Unknown.
var (
	// the children of the commands come from their description
	// (commands_gen_test.go, generated from command.go)
	leafNames = set(append(commandLeaves, "VerDTD", "VerProto", "SessionID", "MsgID", "RespURI", "LocURI", "LocName",
		"Format", "Type", "Mark", "Size", "Version", "NextNonce", "MaxMsgSize", "MaxObjSize",
		"FreeMem", "FreeID", "Last", "Next")...)
	repeatedLeafNames = set(append(commandRefs, "EMI")...)
	flagNames         = set(append(commandFlags, "NoResp", "Final", "MoreData", "SharedMem", "FieldLevel")...)
	commandNames      = set(commandElements...)
	containerNames    = set("SyncBody", "Atomic", "Sequence")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

type flattener struct {
	out  []string
	root string // the root element's namespace
}

func (f *flattener) emit(format string, args ...any) {
	f.out = append(f.out, fmt.Sprintf(format, args...))
}

// nsName returns {uri}local for an element in a structural context.
func (f *flattener) nsName(e *etree.Element, sc scope, ctx context) string {
	uri := sc.resolve(e.Space)
	if uri == "" {
		uri = f.root
	}
	if ctx == ctxMeta || e.Tag == "Meta" {
		switch uri {
		case nsMetInf, "", "SYNCML:SYNCML1.1", "SYNCML:SYNCML1.2":
			uri = "metinf~"
		}
	}
	return "{" + uri + "}" + e.Tag
}

// attrFacts returns the element's attributes other than namespace
// declarations, with resolved names, sorted.
func attrFacts(e *etree.Element, sc scope) []string {
	var out []string
	for _, a := range e.Attr {
		if isNSDecl(a) {
			continue
		}
		uri := ""
		if a.Space != "" {
			uri = sc.resolve(a.Space)
		}
		out = append(out, fmt.Sprintf("@{%s}%s=%q", uri, a.Key, a.Value))
	}
	sort.Strings(out)
	return out
}

// element flattens a structural (model) element.
func (f *flattener) element(e *etree.Element, path string, sc scope, ctx context) {
	sc = sc.with(e)
	if e.Tag == "Meta" {
		ctx = ctxMeta
	}
	f.emit("%s E %s", path, f.nsName(e, sc, ctx))
	for _, a := range attrFacts(e, sc) {
		f.emit("%s A %s", path, a)
	}
	// children: facts of text (non-space text is kept, to be reported),
	// child elements grouped in DTD order
	type child struct {
		key string
		el  *etree.Element
	}
	var kids []child
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.CharData:
			if strings.Trim(t.Data, " \t\r\n") != "" {
				f.emit("%s T %q", path, t.Data)
			}
		case *etree.Element:
			key := t.Tag
			if containerNames[e.Tag] && ctx == ctxStruct && isCommandLike(e.Tag, t.Tag) {
				key = "\x00command"
			}
			kids = append(kids, child{key, t})
		case *etree.Directive:
			f.emit("%s Directive %q", path, t.Data)
		}
	}
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].key < kids[j].key })
	count := map[string]int{}
	for _, k := range kids {
		c := k.el
		count[c.Tag]++
		f.child(c, path, count[c.Tag], sc, ctx, e.Tag)
	}
}

// isCommandLike reports whether an element under SyncBody, Atomic or
// Sequence (parent) is a command (known or Unknown) rather than one of
// their own children: Final of SyncBody; CmdID, NoResp and Meta of Atomic
// and Sequence.
func isCommandLike(parent, name string) bool {
	switch name {
	case "CmdID", "NoResp", "Meta":
		return parent == "SyncBody"
	case "Final":
		return parent != "SyncBody"
	}
	return true
}

func (f *flattener) child(c *etree.Element, parent string, n int, sc scope, ctx context, parentTag string) {
	csc := sc.with(c)
	path := fmt.Sprintf("%s/%s[%d]", parent, c.Tag, n)
	inContainer := containerNames[parentTag] && ctx == ctxStruct
	switch {
	case inContainer && isCommandLike(parentTag, c.Tag) && !commandNames[c.Tag]:
		// an element the model does not know: compared whole
		f.raw(c, path, sc)
	case c.Tag == "Data" && ctx == ctxStruct:
		f.data(c, path, csc)
	case leafNames[c.Tag] || repeatedLeafNames[c.Tag]:
		txt, other := leafText(c)
		if txt == "" && !repeatedLeafNames[c.Tag] && len(other) == 0 && len(attrFacts(c, csc)) == 0 {
			return // empty single-valued leaf == absent
		}
		f.emit("%s E %s", path, f.nsName(c, csc, ctx))
		for _, a := range attrFacts(c, csc) {
			f.emit("%s A %s", path, a)
		}
		f.emit("%s L %q", path, txt)
		for _, o := range other {
			f.emit("%s %s", path, o)
		}
	case flagNames[c.Tag]:
		f.emit("%s E %s", path, f.nsName(c, csc, ctx))
		for _, a := range attrFacts(c, csc) {
			f.emit("%s A %s", path, a)
		}
		if txt, other := leafText(c); strings.Trim(txt, " \t\r\n") != "" || len(other) > 0 {
			f.emit("%s F %q %v", path, txt, other)
		}
	default:
		f.element(c, path, sc, ctx)
	}
}

// leafText returns the characters of an element that should hold only
// text, and descriptions of anything else it holds (child elements).
func leafText(e *etree.Element) (string, []string) {
	var sb strings.Builder
	var other []string
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.CharData:
			sb.WriteString(t.Data)
		case *etree.Element:
			other = append(other, "child <"+t.FullTag()+">")
		case *etree.Directive:
			other = append(other, "directive")
		}
	}
	return sb.String(), other
}

// data flattens a Data element of the model.
func (f *flattener) data(e *etree.Element, path string, sc scope) {
	markup := false
	for _, t := range e.Child {
		if _, ok := t.(*etree.Element); ok {
			markup = true
		}
	}
	name := "Data" // holding elements: compared without its namespace
	if !markup {
		name = f.nsName(e, sc, ctxStruct)
	}
	f.emit("%s E %s", path, name)
	for _, a := range attrFacts(e, sc) {
		f.emit("%s A %s", path, a)
	}
	if markup {
		f.emit("%s D markup", path)
		f.content(e, path, sc)
		return
	}
	var sb strings.Builder
	cdata := false
	for _, t := range e.Child {
		if cd, ok := t.(*etree.CharData); ok {
			sb.WriteString(cd.Data)
			if cd.IsCData() {
				cdata = true
			}
		}
	}
	f.emit("%s D text cdata=%v %q", path, cdata, sb.String())
}

// raw flattens an Unknown element whole; the namespace declarations the
// writer adds to it are not compared, the names they resolve are.
func (f *flattener) raw(e *etree.Element, path string, sc scope) {
	sc = sc.with(e)
	f.emit("%s R <%s> {%s}", path, e.FullTag(), sc.resolve(e.Space))
	for _, a := range e.Attr {
		if isNSDecl(a) {
			continue
		}
		uri := ""
		if a.Space != "" {
			uri = sc.resolve(a.Space)
		}
		f.emit("%s R @%s {%s}=%q", path, a.FullKey(), uri, a.Value)
	}
	f.content(e, path, sc)
}

// content flattens the content of kept markup token by token.
func (f *flattener) content(e *etree.Element, path string, sc scope) {
	n := 0
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.CharData:
			f.emit("%s R text cdata=%v %q", path, t.IsCData(), t.Data)
		case *etree.Comment:
			f.emit("%s R comment %q", path, t.Data)
		case *etree.ProcInst:
			f.emit("%s R pi %q %q", path, t.Target, t.Inst)
		case *etree.Directive:
			f.emit("%s R directive %q", path, t.Data)
		case *etree.Element:
			n++
			f.raw(t, fmt.Sprintf("%s/%d", path, n), sc)
		}
	}
}
