package ddf

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
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
// values by external schemas and are recorded only.
type AllowedValues struct {
	Type ValueType
	// Enums are the Enum children of ENUM and Flag, in document order.
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
	// such a node's values are not checked.
	Regexp    *regexp.Regexp
	RegexpErr error
	// AdmxArea, AdmxName and AdmxFile are the AdmxBacked attributes.
	AdmxArea, AdmxName, AdmxFile string
}

// An Enum is one allowed value of an ENUM or Flag.
type Enum struct {
	Value       string
	Description string
}

// Allows reports whether value (one whole node value; lists are split on
// Delimiter) is allowed, with an error that says why not.
func (a *AllowedValues) Allows(value string) error {
	if a == nil {
		return nil
	}
	if a.Delimiter == "" {
		return a.allowsOne(value)
	}
	if value == "" {
		return nil
	}
	for _, v := range strings.Split(value, a.Delimiter) {
		if err := a.allowsOne(v); err != nil {
			return err
		}
	}
	return nil
}

func (a *AllowedValues) allowsOne(v string) error {
	switch a.Type {
	case ValueENUM:
		for _, e := range a.Enums {
			if sameValue(e.Value, v) {
				return nil
			}
		}
		return fmt.Errorf("%q is not among %s", v, a.enumList())
	case ValueFlag:
		n, ok := parseInt(v)
		if !ok {
			return fmt.Errorf("%q is not a number", v)
		}
		var mask int64
		for _, e := range a.Enums {
			f, ok := parseInt(e.Value)
			if !ok {
				return nil // a flag set we cannot read constrains nothing
			}
			if f == n {
				return nil
			}
			mask |= f
		}
		if n&^mask != 0 {
			return fmt.Errorf("%q has bits outside the flags %s", v, a.enumList())
		}
		return nil
	case ValueRange:
		n, ok := parseInt(v)
		if !ok {
			return fmt.Errorf("%q is not a number", v)
		}
		if n < a.Min || n > a.Max {
			return fmt.Errorf("%q is outside [%d-%d]", v, a.Min, a.Max)
		}
		return nil
	case ValueRegEx:
		if a.Regexp != nil && !a.Regexp.MatchString(v) {
			return fmt.Errorf("%q does not match %s", v, a.Value)
		}
		return nil
	}
	return nil
}

func (a *AllowedValues) enumList() string {
	vs := make([]string, len(a.Enums))
	for i, e := range a.Enums {
		vs[i] = e.Value
	}
	return "{" + strings.Join(vs, ", ") + "}"
}

// sameValue compares two values as numbers when both read as numbers
// (so "0x1" equals "1"), else as strings.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	x, ok1 := parseInt(a)
	y, ok2 := parseInt(b)
	return ok1 && ok2 && x == y
}

// parseInt reads a decimal or 0x-prefixed hexadecimal integer, allowing
// surrounding spaces.
func parseInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return n, true
	}
	// Unsigned 32-bit and 64-bit flag values such as 0xFFFFFFFFFFFFFFFF.
	if n, err := strconv.ParseUint(s, 0, 64); err == nil {
		return int64(n), true
	}
	return 0, false
}

var errRange = errors.New("range is not [min-max]")

// parseRange reads "[min-max]", where min may be negative.
func parseRange(s string) (lo, hi int64, err error) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, 0, fmt.Errorf("%w: %q", errRange, s)
	}
	body := s[1 : len(s)-1]
	i := strings.IndexByte(body[1:], '-')
	if i < 0 {
		return 0, 0, fmt.Errorf("%w: %q", errRange, s)
	}
	i++
	lo, ok1 := parseInt(body[:i])
	hi, ok2 := parseInt(body[i+1:])
	if !ok1 || !ok2 || lo > hi {
		return 0, 0, fmt.Errorf("%w: %q", errRange, s)
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
