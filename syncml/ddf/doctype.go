package ddf

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// doctype reads the document type declaration at pos ("<!DOCTYPE"), which
// a DDF may carry before its root element (Microsoft's do) and which the
// parser ignores, and returns the offset after it. It checks the form of
// the declaration as XML 1.0 gives it: the root element's name, the
// external identifier (SYSTEM or PUBLIC and its quoted literals) and the
// markup of the internal subset (see dtdReader); and that the declaration
// holds only UTF-8 of characters XML allows. It does not read the
// external subset, nor act on what the internal subset declares: its
// entities declare nothing, and a reference to an entity other than XML's
// five is an error wherever it stands.
//
// A comment, processing instruction, literal or markup declaration of the
// DOCTYPE that runs to the end of the input is reported where it starts
// (it wraps io.ErrUnexpectedEOF): it has swallowed the rest of the DDF,
// whose end says nothing of where the mistake is.
func (p *parser) doctype(pos int) (int, error) {
	s := p.Input()
	d := dtdReader{s: s}
	end, ok := d.doctype(pos)
	stop := end
	if !ok {
		stop = d.at
	}
	if i, r := badChar(s[pos:stop]); i < stop-pos {
		if r < 0 {
			return pos, p.ScanError(pos+i, xmlscan.Encoding, "invalid UTF-8")
		}
		return pos, p.ScanError(pos+i, xmlscan.InvalidChar, fmt.Sprintf("%U", r))
	}
	switch {
	case ok:
		return end, nil
	case d.at >= len(s):
		return pos, p.EOF(len(s))
	case d.open:
		return pos, p.errAt(d.at, fmt.Errorf("%w: %s: %w", ErrSyntax, d.msg, io.ErrUnexpectedEOF))
	}
	return pos, p.ScanError(d.at, d.kind, d.msg)
}

// dtdReader checks a document type declaration of s. Its methods return
// the offset after what they read and true, or false with the problem
// set: where (at; len(s) when s ends inside the declaration), what kind,
// how (msg), and whether it is a construct that runs to the end of s
// (open), reported at its start.
type dtdReader struct {
	s    string
	at   int
	kind xmlscan.Kind
	msg  string
	open bool
}

// fail sets a Syntax problem at at.
func (d *dtdReader) fail(at int, format string, args ...any) (int, bool) {
	d.at, d.kind, d.msg = at, xmlscan.Syntax, fmt.Sprintf(format, args...)
	return 0, false
}

// eof sets the problem of an input that ends inside the declaration.
func (d *dtdReader) eof() (int, bool) {
	d.at, d.kind = len(d.s), xmlscan.EOF
	return 0, false
}

// unclosed sets the problem of the construct what, starting at at, that
// runs to the end of the input.
func (d *dtdReader) unclosed(at int, what string) (int, bool) {
	d.fail(at, "unterminated %s in the DOCTYPE", what)
	d.open = true
	return 0, false
}

// name returns the offset after the XML name at i, or i when none starts
// there.
func (d *dtdReader) name(i int) int {
	j := i
	for j < len(d.s) {
		r, n := rune(d.s[j]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(d.s[j:])
		}
		if j == i && !xmlscan.IsNameStartRune(r) || j > i && !xmlscan.IsNameRune(r) || r == utf8.RuneError && n == 1 {
			break
		}
		j += n
	}
	return j
}

// space returns the offset after the white space at i, and whether there
// was any.
func (d *dtdReader) space(i int) (int, bool) {
	j := xmlscan.SkipSpace(d.s, i)
	return j, j > i
}

// doctype checks the declaration at pos ("<!DOCTYPE").
func (d *dtdReader) doctype(pos int) (int, bool) {
	s := d.s
	i, sp := d.space(pos + len("<!DOCTYPE"))
	switch {
	case i >= len(s):
		return d.eof()
	case !sp:
		return d.fail(i, "expected white space after <!DOCTYPE")
	}
	k := d.name(i)
	switch {
	case k == i:
		return d.fail(i, "DOCTYPE without a root element name")
	case k >= len(s):
		return d.eof()
	}
	j, sp := d.space(k)
	if sp && (strings.HasPrefix(s[j:], "SYSTEM") || strings.HasPrefix(s[j:], "PUBLIC")) {
		var ok bool
		if k, ok = d.externalID(j, false); !ok {
			return 0, false
		}
		j, _ = d.space(k)
	} else if !sp && j < len(s) && s[j] != '[' && s[j] != '>' {
		return d.fail(j, "expected white space, '[' or '>' after the DOCTYPE's root element name")
	}
	if j < len(s) && s[j] == '[' {
		var ok bool
		if j, ok = d.internalSubset(j + 1); !ok {
			return 0, false
		}
		j, _ = d.space(j)
	}
	switch {
	case j >= len(s):
		return d.eof()
	case s[j] == ']':
		return d.fail(j, "']' that closes no internal subset in the DOCTYPE")
	case s[j] != '>':
		return d.fail(j, "expected '>' at the end of the DOCTYPE")
	}
	return j + 1, true
}

// externalID checks the external identifier at i ("SYSTEM" or "PUBLIC"
// and its literals); with publicOnly (a NOTATION), PUBLIC may have one
// literal.
func (d *dtdReader) externalID(i int, publicOnly bool) (int, bool) {
	s := d.s
	public := strings.HasPrefix(s[i:], "PUBLIC")
	i += len("SYSTEM")
	literals := 1
	if public {
		literals = 2
	}
	for n := range literals {
		j, sp := d.space(i)
		switch {
		case j >= len(s):
			return d.eof()
		case n == 1 && publicOnly && (s[j] == '>' || !sp):
			return i, true
		case !sp || s[j] != '"' && s[j] != '\'':
			return d.fail(j, "expected white space and a quoted literal in the external identifier")
		}
		e, ok := d.literal(j)
		if !ok {
			return 0, false
		}
		if public && n == 0 {
			if k := strings.IndexFunc(s[j+1:e-1], notPubidChar); k >= 0 {
				r, _ := utf8.DecodeRuneInString(s[j+1+k:])
				return d.fail(j+1+k, "%q in a public identifier", r)
			}
		}
		i = e
	}
	return i, true
}

// notPubidChar reports whether r may not stand in a public identifier.
func notPubidChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune(" \r\n-'()+,./:=?;!*#@$_%", r))
}

// literal returns the offset after the quoted literal at i.
func (d *dtdReader) literal(i int) (int, bool) {
	e := strings.IndexByte(d.s[i+1:], d.s[i])
	if e < 0 {
		return d.unclosed(i, "literal")
	}
	return i + 2 + e, true
}

// internalSubset checks the internal subset from pos, after its '[', up
// to the offset after its ']': markup declarations, comments, processing
// instructions, parameter-entity references and white space.
func (d *dtdReader) internalSubset(pos int) (int, bool) {
	s := d.s
	i := pos
	for {
		i, _ = d.space(i)
		if i >= len(s) {
			return d.eof()
		}
		rest := s[i:]
		var ok bool
		switch {
		case rest[0] == ']':
			return i + 1, true
		case rest[0] == '%':
			k := d.name(i + 1)
			if k == i+1 || k >= len(s) || s[k] != ';' {
				return d.fail(i, "malformed parameter-entity reference in the DOCTYPE")
			}
			i, ok = k+1, true
		case strings.HasPrefix(rest, "<!--"):
			i, ok = d.comment(i)
		case strings.HasPrefix(rest, "<?"):
			i, ok = d.pi(i)
		case strings.HasPrefix(rest, "<!"):
			i, ok = d.markupDecl(i)
		default:
			return d.fail(i, "malformed internal subset in the DOCTYPE")
		}
		if !ok {
			return 0, false
		}
	}
}

// comment checks the comment at i ("<!--").
func (d *dtdReader) comment(i int) (int, bool) {
	e := strings.Index(d.s[i+4:], "--")
	if e < 0 {
		return d.unclosed(i, "comment")
	}
	e += i + 4
	if !strings.HasPrefix(d.s[e:], "-->") {
		if e+2 >= len(d.s) {
			return d.eof()
		}
		return d.fail(e, "'--' in comment")
	}
	return e + 3, true
}

// pi checks the processing instruction at i ("<?"), as the scanner
// checks one outside the DOCTYPE.
func (d *dtdReader) pi(i int) (int, bool) {
	s := d.s
	k := d.name(i + 2)
	target := s[i+2 : k]
	switch {
	case k >= len(s) || !utf8.FullRuneInString(s[k:]):
		// the target runs to the end of the input, or into a
		// character the input ends inside: the instruction is unclosed
		return d.unclosed(i, "processing instruction")
	case target == "":
		return d.fail(i+2, "processing instruction without a target")
	case strings.EqualFold(target, "xml"):
		return d.fail(i, "XML declaration not at the start of the document")
	case strings.IndexByte(target, ':') >= 0:
		d.fail(i, "colon in processing instruction target %q", truncate(target, maxShownText))
		d.kind = xmlscan.Prefix
		return 0, false
	}
	e := strings.Index(s[k:], "?>")
	switch {
	case e < 0:
		return d.unclosed(i, "processing instruction")
	case e > 0 && !xmlscan.IsSpace(s[k]):
		return d.fail(k, "processing instruction target not followed by space")
	}
	return k + e + 2, true
}

// The markup declarations of an internal subset.
var declKeywords = []string{"<!ELEMENT", "<!ATTLIST", "<!ENTITY", "<!NOTATION"}

// markupDecl checks the markup declaration at i ("<!" and a keyword): its
// keyword, the name it declares and what follows up to its '>', as far as
// knowing that the declaration is well-formed needs. No '<' may stand in
// it outside a literal, nor a parameter-entity reference (the internal
// subset allows those only between declarations), so that a declaration
// whose '>' is missing is refused at what follows it.
func (d *dtdReader) markupDecl(i int) (int, bool) {
	s := d.s
	kw := ""
	for _, k := range declKeywords {
		if strings.HasPrefix(s[i:], k) && d.name(i+2) == i+len(k) {
			kw = k
			break
		}
	}
	if kw == "" {
		if xmlscan.CutShort(s[i:], declKeywords...) || xmlscan.CutShort(s[i:], "<!--") {
			return d.eof()
		}
		return d.fail(i, "%s", xmlscan.MarkupDecl(s[i:], `"<!ELEMENT", "<!ATTLIST", "<!ENTITY", "<!NOTATION" or "<!--"`))
	}
	what := kw[2:]
	j, sp := d.space(i + len(kw))
	switch {
	case j >= len(s):
		return d.eof()
	case !sp:
		return d.fail(j, "expected white space after <!%s", what)
	}
	pe := false
	if what == "ENTITY" && s[j] == '%' {
		if j, sp = d.space(j + 1); j >= len(s) {
			return d.eof()
		} else if !sp {
			return d.fail(j, "expected white space after '%%' in <!ENTITY")
		}
		pe = true
	}
	k := d.name(j)
	switch {
	case k == j:
		return d.fail(j, "<!%s without a name", what)
	case k >= len(s):
		return d.eof()
	}
	j, sp = d.space(k)
	if j >= len(s) {
		return d.eof()
	}
	switch what {
	case "ELEMENT":
		if !sp {
			return d.fail(j, "expected white space and a content model in <!ELEMENT")
		}
		return d.contentSpec(j)
	case "ATTLIST":
		return d.attDefs(k)
	case "ENTITY":
		switch {
		case !sp:
			return d.fail(j, "expected white space after the entity name in <!ENTITY")
		case s[j] == '"' || s[j] == '\'':
			e, ok := d.value(j, what)
			if !ok {
				return 0, false
			}
			return d.close(e, what)
		case strings.HasPrefix(s[j:], "SYSTEM"), strings.HasPrefix(s[j:], "PUBLIC"):
			e, ok := d.externalID(j, false)
			if !ok {
				return 0, false
			}
			if n, sp := d.space(e); !pe && sp && strings.HasPrefix(s[n:], "NDATA") {
				n, sp = d.space(n + len("NDATA"))
				if e = d.name(n); !sp || e == n {
					return d.fail(n, "expected white space and a notation name after NDATA")
				}
			}
			return d.close(e, what)
		}
		return d.fail(j, "expected a quoted value or an external identifier in <!ENTITY")
	}
	// NOTATION
	if !sp || !strings.HasPrefix(s[j:], "SYSTEM") && !strings.HasPrefix(s[j:], "PUBLIC") {
		return d.fail(j, "expected white space and SYSTEM or PUBLIC in <!NOTATION")
	}
	e, ok := d.externalID(j, true)
	if !ok {
		return 0, false
	}
	return d.close(e, what)
}

// close checks that the declaration what ends at i, after optional white
// space, with its '>'.
func (d *dtdReader) close(i int, what string) (int, bool) {
	i, _ = d.space(i)
	switch {
	case i >= len(d.s):
		return d.eof()
	case d.s[i] != '>':
		return d.stray(i, what)
	}
	return i + 1, true
}

// stray sets the problem of the character at i, which may not stand in
// the declaration what.
func (d *dtdReader) stray(i int, what string) (int, bool) {
	switch c := d.s[i]; c {
	case '<':
		return d.fail(i, "'<' in <!%s: its '>' is missing", what)
	case '%':
		return d.fail(i, "parameter-entity reference inside <!%s: the internal subset allows them only between declarations", what)
	default:
		r, _ := utf8.DecodeRuneInString(d.s[i:])
		return d.fail(i, "unexpected %q in <!%s", r, what)
	}
}

// expect sets the problem of the character at i of the declaration
// what, where want was expected: as stray says for a '<' or '%', which
// tell more.
func (d *dtdReader) expect(i int, what, want string) (int, bool) {
	if c := d.s[i]; c == '<' || c == '%' {
		return d.stray(i, what)
	}
	r, _ := utf8.DecodeRuneInString(d.s[i:])
	return d.fail(i, "expected %s in <!%s, found %q", want, what, r)
}

// contentSpec checks the content model of an element declaration at i
// and the '>' after it: EMPTY, ANY, mixed content ("(#PCDATA)" or
// "(#PCDATA|a|b)*") or element content, names nested in parenthesised
// choices ('|') and sequences (','), each with an optional '?', '*' or
// '+'. Nesting is followed with a stack, not recursion.
func (d *dtdReader) contentSpec(i int) (int, bool) {
	s := d.s
	for _, kw := range []string{"EMPTY", "ANY"} {
		if strings.HasPrefix(s[i:], kw) && d.name(i) == i+len(kw) {
			return d.close(i+len(kw), "ELEMENT")
		}
	}
	if s[i] != '(' {
		return d.fail(i, "expected EMPTY, ANY or '(' in <!ELEMENT")
	}
	if j, _ := d.space(i + 1); strings.HasPrefix(s[j:], "#PCDATA") {
		return d.mixed(j + len("#PCDATA"))
	}
	// seps holds, for each open group, its separator ('|' or ','), 0
	// before its second member
	var seps []byte
	i++
	seps = append(seps, 0)
	for {
		// a member: a name or a group
		i, _ = d.space(i)
		switch {
		case i >= len(s):
			return d.eof()
		case s[i] == '(':
			seps = append(seps, 0)
			i++
			continue
		}
		k := d.name(i)
		if k == i {
			return d.expect(i, "ELEMENT", "a name or '('")
		}
		i = modifier(s, k)
		// after a member: a separator, or ')' closing groups
		for {
			i, _ = d.space(i)
			if i >= len(s) {
				return d.eof()
			}
			c := s[i]
			if c == ')' {
				seps = seps[:len(seps)-1]
				i = modifier(s, i+1)
				if len(seps) == 0 {
					return d.close(i, "ELEMENT")
				}
				continue
			}
			if c != '|' && c != ',' {
				return d.stray(i, "ELEMENT")
			}
			top := &seps[len(seps)-1]
			if *top != 0 && *top != c {
				return d.fail(i, "%q and %q in one group of the content model of <!ELEMENT", *top, c)
			}
			*top = c
			i++
			break
		}
	}
}

// mixed checks the rest of a mixed content model from i, after
// "(#PCDATA", and the '>' after it.
func (d *dtdReader) mixed(i int) (int, bool) {
	s := d.s
	names := false
	for {
		i, _ = d.space(i)
		switch {
		case i >= len(s):
			return d.eof()
		case s[i] == ')':
			if i+1 < len(s) && s[i+1] == '*' {
				return d.close(i+2, "ELEMENT")
			}
			if names {
				return d.fail(i+1, "expected ')*' at the end of a mixed content model with names in <!ELEMENT")
			}
			return d.close(i+1, "ELEMENT")
		case s[i] != '|':
			return d.stray(i, "ELEMENT")
		}
		i, _ = d.space(i + 1)
		k := d.name(i)
		if k == i {
			if i >= len(s) {
				return d.eof()
			}
			return d.expect(i, "ELEMENT", "a name after '|'")
		}
		i, names = k, true
	}
}

// modifier returns the offset after the '?', '*' or '+' at i, or i.
func modifier(s string, i int) int {
	if i < len(s) && (s[i] == '?' || s[i] == '*' || s[i] == '+') {
		return i + 1
	}
	return i
}

// The attribute types of an attribute-list declaration that are a
// keyword alone.
var attTypes = []string{"CDATA", "IDREFS", "IDREF", "ID", "ENTITY", "ENTITIES", "NMTOKENS", "NMTOKEN"}

// attDefs checks the attribute definitions of an attribute-list
// declaration from i to its '>': each a name, a type (a keyword, or an
// enumeration of name tokens, after NOTATION of names) and a default
// (#REQUIRED, #IMPLIED, or a quoted value after an optional #FIXED), all
// apart.
func (d *dtdReader) attDefs(i int) (int, bool) {
	s := d.s
	for {
		j, sp := d.space(i)
		switch {
		case j >= len(s):
			return d.eof()
		case s[j] == '>':
			return j + 1, true
		case !sp:
			return d.expect(j, "ATTLIST", "white space or '>'")
		}
		// the attribute's name
		k := d.name(j)
		if k == j {
			return d.expect(j, "ATTLIST", "an attribute name")
		}
		// its type
		var ok bool
		if j, ok = d.attType(k); !ok {
			return 0, false
		}
		// its default
		j, sp = d.space(j)
		switch {
		case j >= len(s):
			return d.eof()
		case !sp:
			return d.fail(j, "expected white space before the default in <!ATTLIST")
		case strings.HasPrefix(s[j:], "#REQUIRED"):
			i = j + len("#REQUIRED")
			continue
		case strings.HasPrefix(s[j:], "#IMPLIED"):
			i = j + len("#IMPLIED")
			continue
		case strings.HasPrefix(s[j:], "#FIXED"):
			if j, sp = d.space(j + len("#FIXED")); j >= len(s) {
				return d.eof()
			} else if !sp {
				return d.fail(j, "expected white space after #FIXED in <!ATTLIST")
			}
		}
		if s[j] != '"' && s[j] != '\'' {
			return d.expect(j, "ATTLIST", "#REQUIRED, #IMPLIED, #FIXED or a quoted default")
		}
		if i, ok = d.value(j, "ATTLIST"); !ok {
			return 0, false
		}
		if i < len(s) && s[i] == ']' {
			return d.stray(i, "ATTLIST")
		}
	}
}

// attType checks the white space and the attribute type at i of an
// attribute-list declaration.
func (d *dtdReader) attType(i int) (int, bool) {
	s := d.s
	j, sp := d.space(i)
	switch {
	case j >= len(s):
		return d.eof()
	case !sp:
		return d.fail(j, "expected white space after the attribute name in <!ATTLIST")
	}
	k := d.name(j)
	for _, t := range attTypes {
		if s[j:k] == t {
			return k, true
		}
	}
	names := false // NOTATION: an enumeration of names
	if s[j:k] == "NOTATION" {
		if j, sp = d.space(k); j >= len(s) {
			return d.eof()
		} else if !sp {
			return d.fail(j, "expected white space after NOTATION in <!ATTLIST")
		}
		names = true
	} else if k > j {
		return d.fail(j, "unknown attribute type %q in <!ATTLIST", truncate(s[j:k], maxShownText))
	}
	if s[j] != '(' {
		return d.expect(j, "ATTLIST", "an attribute type")
	}
	for i = j; ; {
		j, _ = d.space(i + 1) // after '(' or '|'
		k = nmtokenEnd(s, j)
		if names {
			k = d.name(j)
		}
		if k == j {
			if j >= len(s) {
				return d.eof()
			}
			return d.expect(j, "ATTLIST", "a name in the enumeration")
		}
		i, _ = d.space(k)
		switch {
		case i >= len(s):
			return d.eof()
		case s[i] == ')':
			return i + 1, true
		case s[i] != '|':
			return d.stray(i, "ATTLIST")
		}
	}
}

// nmtokenEnd returns the offset after the name token (name characters,
// any first) at i, or i.
func nmtokenEnd(s string, i int) int {
	j := i
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if !xmlscan.IsNameRune(r) || r == utf8.RuneError && n == 1 {
			break
		}
		j += n
	}
	return j
}

// value checks the quoted value at i of the declaration what: an
// attribute's default (no '<') or an entity's replacement text (no
// parameter-entity reference, in the internal subset); in both a '&'
// starts a reference.
func (d *dtdReader) value(i int, what string) (int, bool) {
	e, ok := d.literal(i)
	if !ok {
		return 0, false
	}
	s := d.s
	for j := i + 1; j < e-1; j++ {
		switch s[j] {
		case '<':
			if what == "ATTLIST" {
				return d.fail(j, "'<' in an attribute's default value")
			}
		case '%':
			if what == "ENTITY" {
				return d.stray(j, what)
			}
		case '&':
			k := refEnd(s[:e-1], j)
			if k < 0 {
				return d.fail(j, "'&' that starts no reference in <!%s", what)
			}
			j = k - 1
		}
	}
	return e, true
}

// refEnd returns the offset after the entity or character reference at
// s[i] == '&', or -1 when none is there.
func refEnd(s string, i int) int {
	j := i + 1
	switch {
	case strings.HasPrefix(s[j:], "#x"):
		j += 2
		for j < len(s) && xmlscan.Unhex(s[j]) >= 0 {
			j++
		}
		if j == i+3 {
			return -1
		}
	case strings.HasPrefix(s[j:], "#"):
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i+2 {
			return -1
		}
	default:
		k := (&dtdReader{s: s}).name(j)
		if k == j {
			return -1
		}
		j = k
	}
	if j >= len(s) || s[j] != ';' {
		return -1
	}
	if s[i+1] == '#' {
		if r, n := xmlscan.Ref(s[:j+1], i); n != j+1 || r == 0 {
			return -1 // a character XML does not allow
		}
	}
	return j + 1
}

// badChar returns the offset of the first byte of s that is not valid
// UTF-8 (with r -1) or starts a character XML does not allow
// (with r that character), or len(s).
func badChar(s string) (int, rune) {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return i, -1
		}
		if !xmlscan.IsXMLChar(r) {
			return i, r
		}
		i += n
	}
	return len(s), 0
}
