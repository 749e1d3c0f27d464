package ddf

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A ValueType is the ValueType attribute of MSFT:AllowedValues.
type ValueType string

// The ValueType values of DDFv2Msft.xsd.
const (
	ValueNone  ValueType = "None"
	ValueENUM  ValueType = "ENUM"
	ValueFlag  ValueType = "Flag"
	ValueRange ValueType = "Range"
	ValueRegEx ValueType = "RegEx"
	ValueXSD   ValueType = "XSD"
	ValueADMX  ValueType = "ADMX"
	ValueJSON  ValueType = "JSON"
	ValueSDDL  ValueType = "SDDL"
)

// AllowedValues is the MSFT:AllowedValues element of a node.
//
// Check enforces ENUM, Flag, Range and RegEx; the other types describe
// values by external schemas and are recorded only. On a dynamic node
// that holds no value (node or null format) they describe the names of
// its instances, which Lookup enforces.
type AllowedValues struct {
	Type ValueType
	// Enums are the Enum children of ENUM and Flag, in document order.
	// For a dynamic node that holds no value and has more than 16 of
	// them, Parse also indexes them as the names Lookup takes; a slice
	// set anew afterwards is read one value at a time, but a value
	// changed in place in the slice Parse made is not seen by Lookup.
	Enums []Enum
	// Value is the Value child: the expression of RegEx, the "[min-max]"
	// of Range, the schema of XSD or JSON.
	Value string
	// Min and Max are the bounds of Range.
	Min, Max int64
	// Delimiter separates the values of a list (MSFT:List); "" when the
	// node holds one value. An escape such as `\xF000` in the DDF is
	// decoded to its character.
	Delimiter string
	// Regexp is the compiled RegEx, nil for other types or when the
	// expression uses syntax Go's regexp package lacks (RegexpErr says why);
	// such a node's values are not checked. RegexpErr is then Go's
	// *syntax.Error with its Expr cut to 128 bytes and "…" (Value holds
	// the expression whole), so that its text stays short whatever the
	// DDF. Regexp is compiled as written:
	// Allows takes a value only when a match spans all of it (the XML
	// spaces around it aside), as if the expression were anchored at both
	// ends, which Regexp.MatchString alone does not check. Parse also
	// compiles the expression anchored, and values are matched with that
	// form, which gives up where no match can go on; a Regexp set or
	// replaced by hand is matched by a leftmost-longest search instead,
	// which gives the same answers but reads all of a value that does
	// not match from every start (a 1 MiB value against a GUID
	// expression: some half a second, against microseconds).
	Regexp    *regexp.Regexp
	RegexpErr error
	// whole is Regexp anchored at both ends, as Parse compiles it.
	whole anchored
	// names indexes Enums as names, when Parse made one (indexNames).
	names nameIndex
	// AdmxArea, AdmxName and AdmxFile are the AdmxBacked attributes.
	AdmxArea, AdmxName, AdmxFile string
}

// An Enum is one allowed value of an ENUM or Flag.
type Enum struct {
	Value       string
	Description string
}

// Allows reports whether value (one whole node value; lists are split on
// Delimiter) is allowed, with an error that says why not. The XML spaces
// around a value (around each one of a list) are ignored, no others:
// " true\n" is the enum value "true", and " 5" is 5 for a Range or Flag.
// An ENUM value and the value given compare as numbers when both read as
// numbers ("0x1" is "1"), else as text, exactly ("True" is not "true").
func (a *AllowedValues) Allows(value string) error {
	return a.allows(value, nil)
}

// allows is Allows with the index of a's values when a is an ENUM of
// more than enumScan values and the caller made one, else nil: Check
// makes one per node for all its items.
func (a *AllowedValues) allows(value string, idx *enumIndex) error {
	if a == nil {
		return nil
	}
	if a.Delimiter == "" {
		if idx != nil {
			return idx.allows(value)
		}
		return a.allowsOne(value)
	}
	if value == "" {
		return nil
	}
	one := a.allowsOne
	switch {
	case idx != nil:
		one = idx.allows
	case a.Type == ValueENUM && len(a.Enums) > enumScan:
		one = a.enumSet().allows
	case a.Type == ValueFlag:
		mask, ok := a.flagMask()
		one = func(v string) error { return a.allowsFlag(v, mask, ok) }
	}
	for v := range strings.SplitSeq(value, a.Delimiter) {
		if err := one(v); err != nil {
			return err
		}
	}
	return nil
}

// enumScan is the most ENUM values a value is compared with one by one;
// past it the values are indexed first: by Allows for a list, so that n
// items against m values cost about n+m, not n*m (a 1 MiB list against
// 1,000 values took 12 s), and by Check for all the items it reads
// against one node.
const enumScan = 16

// An enumIndex is the values of an ENUM, as text and as numbers, for
// reading many items of a list against them.
type enumIndex struct {
	a     *AllowedValues
	texts map[string]bool
	nums  map[number]bool
}

// enumSet indexes the values of ENUM a, read without the XML spaces
// around them.
func (a *AllowedValues) enumSet() *enumIndex {
	x := &enumIndex{a: a, texts: make(map[string]bool, len(a.Enums)), nums: map[number]bool{}}
	for _, e := range a.Enums {
		ev := xmlscan.TrimSpace(e.Value)
		x.texts[ev] = true
		if n, ok := parseNumber(ev); ok {
			x.nums[n] = true
		}
	}
	return x
}

// allows is allowsOne for an ENUM, by the index.
func (x *enumIndex) allows(v string) error {
	tv := xmlscan.TrimSpace(v)
	if x.texts[tv] {
		return nil
	}
	if n, ok := parseNumber(tv); ok && x.nums[n] {
		return nil
	}
	return fmt.Errorf("%q is not among %s", truncate(v, maxShownValue), x.a.enumList())
}

func (a *AllowedValues) allowsOne(v string) error {
	switch a.Type {
	case ValueENUM:
		// v is read once: it may be as long as a message, the list as
		// long as the DDF
		tv := xmlscan.TrimSpace(v)
		num, isNum := parseNumber(tv)
		for _, e := range a.Enums {
			ev := xmlscan.TrimSpace(e.Value)
			if ev == tv {
				return nil
			}
			if isNum {
				if n, ok := parseNumber(ev); ok && n == num {
					return nil
				}
			}
		}
		return fmt.Errorf("%q is not among %s", truncate(v, maxShownValue), a.enumList())
	case ValueFlag:
		mask, ok := a.flagMask()
		return a.allowsFlag(v, mask, ok)
	case ValueRange:
		n, ok := parseInt(v)
		if !ok {
			return fmt.Errorf("%q is not a number", truncate(v, maxShownValue))
		}
		if n < a.Min || n > a.Max {
			return fmt.Errorf("%q is outside [%d-%d]", truncate(v, maxShownValue), a.Min, a.Max)
		}
		return nil
	case ValueRegEx:
		if a.Regexp != nil && !a.matchesWhole(xmlscan.TrimSpace(v)) {
			return fmt.Errorf("%q does not match %s", truncate(v, maxShownValue), shownText(a.Value, maxShownExpr))
		}
		return nil
	}
	return nil
}

// allowsFlag is allowsOne for a Flag set whose flagMask is mask, ok.
func (a *AllowedValues) allowsFlag(v string, mask int64, ok bool) error {
	n, isNum := parseBits(v)
	if !isNum {
		return fmt.Errorf("%q is not a number", truncate(v, maxShownValue))
	}
	if !ok {
		return nil // a flag set we cannot read constrains nothing
	}
	if n&^mask != 0 {
		return fmt.Errorf("%q has bits outside the flags %s", truncate(v, maxShownValue), a.enumList())
	}
	return nil
}

// flagMask returns the flags of a Flag set ORed together, false when one
// of them does not read as a number. A value is allowed when it has no
// bit outside them (a value equal to a flag has none).
func (a *AllowedValues) flagMask() (int64, bool) {
	var mask int64
	for _, e := range a.Enums {
		f, ok := parseBits(e.Value)
		if !ok {
			return 0, false
		}
		mask |= f
	}
	return mask, true
}

// allowsName reports whether name, a percent-decoded LocURI segment, may
// name an instance of a dynamic node with these allowed values, with an
// error that says why not. A name is taken as it is: spaces around it
// count (" x" and "x" are two names), an ENUM name is one of the values
// exactly (as text: "0x1" is not "1"), a RegEx matches all of it. A Range
// or Flag name reads as such a value does, without spaces around it. The
// name is one value, whatever the Delimiter; the kinds Check does not
// enforce allow any name, and so does a RegEx Go cannot compile.
func (a *AllowedValues) allowsName(name string) error {
	if a == nil {
		return nil
	}
	switch a.Type {
	case ValueENUM:
		if set := a.names.of(a.Enums); set != nil {
			if set[name] {
				return nil
			}
		} else {
			for _, e := range a.Enums {
				if xmlscan.TrimSpace(e.Value) == name {
					return nil
				}
			}
		}
		return fmt.Errorf("%q is not among %s", truncate(name, maxShownValue), a.enumList())
	case ValueRegEx:
		if a.Regexp != nil && !a.matchesWhole(name) {
			return fmt.Errorf("%q does not match %s", truncate(name, maxShownValue), shownText(a.Value, maxShownExpr))
		}
		return nil
	case ValueRange, ValueFlag:
		if xmlscan.TrimSpace(name) != name {
			return fmt.Errorf("%q has spaces around it", truncate(name, maxShownValue))
		}
		if a.allowsOne(name) == nil {
			return nil
		}
		if a.Type == ValueRange {
			return fmt.Errorf("%q is not a number in [%d-%d]", truncate(name, maxShownValue), a.Min, a.Max)
		}
		return fmt.Errorf("%q is not a number made of the flags %s", truncate(name, maxShownValue), a.enumList())
	}
	return nil
}

// A nameIndex is the ENUM values of an AllowedValues as names, read
// without the XML spaces around them, and the Enums slice they come from:
// its first element and its length.
type nameIndex struct {
	first *Enum
	n     int
	set   map[string]bool
}

// indexNames makes a.names, when a is an ENUM of more than enumScan
// values: Lookup then finds a name in one step, not by comparing it with
// every value in turn.
func (a *AllowedValues) indexNames() {
	if a.Type != ValueENUM || len(a.Enums) <= enumScan {
		return
	}
	set := make(map[string]bool, len(a.Enums))
	for _, e := range a.Enums {
		set[xmlscan.TrimSpace(e.Value)] = true
	}
	a.names = nameIndex{first: &a.Enums[0], n: len(a.Enums), set: set}
}

// of returns the index when it was made from enums, else nil.
func (x *nameIndex) of(enums []Enum) map[string]bool {
	if x.set == nil || len(enums) != x.n || &enums[0] != x.first {
		return nil
	}
	return x.set
}

// An anchored is a RegEx expression compiled as "^(?:expr)$", and the
// Regexp of the expression as written that it stands for.
type anchored struct {
	of, re *regexp.Regexp
}

// compileRegEx compiles the RegEx expression a.Value into a.Regexp (or
// a.RegexpErr) and, when it compiles, its anchored form too: a search
// anchored at the start stops where no match can go on, where an
// unanchored one tries every start in turn (a 1 MiB value that is not a
// GUID took half a second against the GUID expression). It adds what
// that costs (see Limits.MaxRegExCost) to *cost and returns false,
// compiling nothing more, when the sum would pass max.
func (a *AllowedValues) compileRegEx(cost *int, max int) bool {
	add := func(n int) bool {
		if n > max-*cost {
			return false
		}
		*cost += n
		return true
	}
	// the Unicode tables are built as the expression is parsed
	if !add(regExCost+len(a.Value)) || !add(unicodeClassCost*(strings.Count(a.Value, `\p`)+strings.Count(a.Value, `\P`))) {
		return false
	}
	// regexp.Compile parses with these flags; its error is this one
	re, err := syntax.Parse(a.Value, syntax.Perl)
	if err != nil {
		a.RegexpErr = shownRegexpErr(err)
		return true
	}
	// twice: as written and anchored
	size := progSize(re, max)
	if size > (max-*cost)/2 {
		return false
	}
	*cost += 2 * size
	a.Regexp, err = regexp.Compile(a.Value)
	if err != nil {
		a.RegexpErr = shownRegexpErr(err)
		return true
	}
	// a.Value compiles, so its parentheses balance and the group holds
	// all of it; the one more level of nesting may be one too many
	if re, err := regexp.Compile(`^(?:` + a.Value + `)$`); err == nil {
		a.whole = anchored{a.Regexp, re}
	}
	return true
}

// shownRegexpErr is err, an error of regexp.Compile, with the expression
// it quotes cut to maxShownExpr bytes, as the errors of allowsOne cut it:
// a *syntax.Error's Expr is the expression from where it goes wrong,
// often to its end, as long as the DDF.
func shownRegexpErr(err error) error {
	var se *syntax.Error
	if errors.As(err, &se) && len(se.Expr) > maxShownExpr {
		return &syntax.Error{Code: se.Code, Expr: truncate(se.Expr, maxShownExpr)}
	}
	return err
}

// What counts toward MaxRegExCost besides bytes and instructions: each
// expression, for the structures that two compiled forms hold (some 5 KB
// whatever the expression), and each Unicode class escape, whose table
// has some 100 to 700 ranges.
const (
	regExCost        = 200
	unicodeClassCost = 1000
)

// progSize is about the size of the program re compiles to: one for
// each instruction, as many as its ranges for a character class, a
// repetition counting its body as many times as it may repeat (as the
// compiler writes it out); but at most limit+1.
func progSize(re *syntax.Regexp, limit int) int {
	// so that limit+1 and a sum of two counts bounded by it cannot wrap
	// (a MaxRegExCost of math.MaxInt counted no instruction at all)
	limit = min(limit, math.MaxInt/4)
	n := 1
	switch re.Op {
	case syntax.OpLiteral:
		n = len(re.Rune)
	case syntax.OpCharClass:
		// an instruction that holds the ranges, which the one-pass
		// compiler copies for each
		n = max(1, len(re.Rune)/2)
	case syntax.OpRepeat:
		k := re.Max
		if k < re.Min { // no upper bound: Min copies and a loop
			k = re.Min + 1
		}
		body := progSize(re.Sub[0], limit) + 1
		if k > 0 && body > (limit+1)/k {
			return limit + 1
		}
		n = k * body
	default:
		for _, sub := range re.Sub {
			n += progSize(sub, limit) + 1
			if n > limit {
				return limit + 1
			}
		}
	}
	return min(n, limit+1)
}

// matchesWhole reports whether some match of a.Regexp spans all of s:
// with the anchored form when Parse made one for this Regexp, else (an
// AllowedValues made or changed by hand) by the leftmost-longest match,
// which among the matches that start earliest is the longest, so it
// spans s exactly when any match does; a.Regexp itself is left as it was
// (Longest is set on a copy).
func (a *AllowedValues) matchesWhole(s string) bool {
	if a.whole.re != nil && a.whole.of == a.Regexp {
		return a.whole.re.MatchString(s)
	}
	longest := *a.Regexp
	longest.Longest()
	loc := longest.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// Bounds on what an error message shows of a value or name (a peer's,
// as long as its message) and of a DDF's ENUM list or expression (as long
// as the DDF), so that a check's errors stay short whatever the input:
// maxShownValue bytes of a value, name or ENUM value, maxShownEnums ENUM
// values, maxShownExpr bytes of an expression.
const (
	maxShownValue = 40
	maxShownEnums = 16
	maxShownExpr  = 128
)

// enumList shows the ENUM or Flag values as "{a, b, c}", at most
// maxShownEnums of them, each cut to maxShownValue bytes, and then how
// many more there are.
func (a *AllowedValues) enumList() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range a.Enums {
		if i == maxShownEnums {
			fmt.Fprintf(&b, ", … %d more", len(a.Enums)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(shownText(e.Value, maxShownValue))
	}
	b.WriteByte('}')
	return b.String()
}

// A number is an integer of at most 64 bits of magnitude, with its sign;
// zero is never negative.
type number struct {
	neg bool
	mag uint64
}

// parseNumber reads a decimal or 0x-prefixed hexadecimal integer, with an
// optional sign, allowing the XML spaces around it; an ENUM value and a
// value given compare as numbers when both read as such, so "0x1" is
// "1" (and "18446744073709551615" is not -1). Nothing else is a number:
// no octal for a leading 0 ("010" is ten), no 0b or 0o prefix, no
// underscores, nothing past 64 bits of magnitude. It reads s once and
// allocates nothing, whatever its length (a value may be as long as a
// message and is read against every value of an ENUM).
func parseNumber(s string) (number, bool) {
	s = xmlscan.TrimSpace(s)
	var n number
	if s != "" && (s[0] == '-' || s[0] == '+') {
		n.neg, s = s[0] == '-', s[1:]
	}
	base := uint64(10)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	if s == "" {
		return number{}, false
	}
	for i := 0; i < len(s); i++ {
		h := xmlscan.Unhex(s[i])
		d := uint64(h)
		if h < 0 || d >= base || n.mag > (math.MaxUint64-d)/base {
			return number{}, false
		}
		n.mag = n.mag*base + d
	}
	n.neg = n.neg && n.mag != 0
	return n, true
}

// parseInt reads a number (see parseNumber) that fits in an int64.
func parseInt(s string) (int64, bool) {
	n, ok := parseNumber(s)
	switch {
	case !ok:
		return 0, false
	case !n.neg && n.mag <= math.MaxInt64:
		return int64(n.mag), true
	case n.neg && n.mag <= 1<<63:
		return int64(-n.mag), true // two's complement: -(1<<63) wraps to itself
	}
	return 0, false
}

// parseBits reads a number as the 64 bits of a flag set: as parseInt,
// and a non-negative number past int64 as its unsigned bits, for 64-bit
// flag values such as 0xFFFFFFFFFFFFFFFF.
func parseBits(s string) (int64, bool) {
	if v, ok := parseInt(s); ok {
		return v, true
	}
	if n, ok := parseNumber(s); ok && !n.neg {
		return int64(n.mag), true
	}
	return 0, false
}

var errRange = errors.New("range is not [min-max]")

// parseRange reads "[min-max]", where min may be negative.
func parseRange(s string) (lo, hi int64, err error) {
	s = xmlscan.TrimSpace(s)
	if len(s) < 5 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, 0, fmt.Errorf("%w: %q", errRange, truncate(s, maxShownText))
	}
	body := s[1 : len(s)-1]
	i := strings.IndexByte(body[1:], '-')
	if i < 0 {
		return 0, 0, fmt.Errorf("%w: %q", errRange, truncate(s, maxShownText))
	}
	i++
	lo, ok1 := parseInt(body[:i])
	hi, ok2 := parseInt(body[i+1:])
	if !ok1 || !ok2 || lo > hi {
		return 0, 0, fmt.Errorf("%w: %q", errRange, truncate(s, maxShownText))
	}
	return lo, hi, nil
}

// decodeDelimiter turns `\xF000` and similar escapes into characters and
// keeps anything else as written.
func decodeDelimiter(s string) string {
	if len(s) > 2 && s[0] == '\\' && (s[1] == 'x' || s[1] == 'u') {
		if n, err := strconv.ParseUint(s[2:], 16, 32); err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n))
		}
	}
	return s
}
