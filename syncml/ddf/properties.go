package ddf

import (
	"strconv"
	"strings"
)

// An AccessType is the set of commands a node accepts (the AccessType
// element), one bit per command.
type AccessType uint8

// The commands of an AccessType.
const (
	AccessAdd AccessType = 1 << iota
	AccessCopy
	AccessDelete
	AccessExec
	AccessGet
	AccessReplace
)

var accessNames = [...]struct {
	bit  AccessType
	name string
}{
	{AccessAdd, "Add"},
	{AccessCopy, "Copy"},
	{AccessDelete, "Delete"},
	{AccessExec, "Exec"},
	{AccessGet, "Get"},
	{AccessReplace, "Replace"},
}

// Has reports whether every command of c is in a.
func (a AccessType) Has(c AccessType) bool { return a&c == c }

// String lists the commands, such as "Add,Delete,Get,Replace"; "" when empty.
func (a AccessType) String() string {
	var b strings.Builder
	for _, n := range accessNames {
		if a&n.bit != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(n.name)
		}
	}
	return b.String()
}

// AccessFor returns the AccessType bit of a SyncML command element name
// ("Add", "Copy", "Delete", "Exec", "Get", "Replace"), or 0.
func AccessFor(command string) AccessType {
	for _, n := range accessNames {
		if n.name == command {
			return n.bit
		}
	}
	return 0
}

// A Format is a DFFormat: the format of a node's value, spelled as in Meta
// Format ("chr", "int", "node"…).
type Format string

// The DFFormat values of OMA-DM 1.2 (Microsoft files use chr, int, bool,
// b64, bin, node, null and xml).
const (
	FormatB64   Format = "b64"
	FormatBin   Format = "bin"
	FormatBool  Format = "bool"
	FormatChr   Format = "chr"
	FormatInt   Format = "int"
	FormatNode  Format = "node"
	FormatNull  Format = "null"
	FormatXML   Format = "xml"
	FormatDate  Format = "date"
	FormatTime  Format = "time"
	FormatFloat Format = "float"
)

// formatNamed returns the known format spelled s (the constant, not a
// conversion of s), and whether there is one.
func formatNamed(s string) (Format, bool) {
	for _, f := range formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// formats are the known formats.
var formats = [...]Format{FormatB64, FormatBin, FormatBool, FormatChr, FormatInt, FormatNode,
	FormatNull, FormatXML, FormatDate, FormatTime, FormatFloat}

// An Occurrence is how many instances of a node may exist.
type Occurrence struct {
	Kind OccurrenceKind
	// N is the bound of ZeroOrN and OneOrN.
	N int
}

// An OccurrenceKind names an Occurrence element.
type OccurrenceKind uint8

// The kinds of Occurrence.
const (
	OccurrenceOne OccurrenceKind = iota // the default
	OccurrenceZeroOrOne
	OccurrenceZeroOrMore
	OccurrenceOneOrMore
	OccurrenceZeroOrN
	OccurrenceOneOrN
)

var occurrenceNames = [...]string{"One", "ZeroOrOne", "ZeroOrMore", "OneOrMore", "ZeroOrN", "OneOrN"}

// String returns the element name, such as "ZeroOrOne".
func (k OccurrenceKind) String() string {
	if int(k) < len(occurrenceNames) {
		return occurrenceNames[k]
	}
	return "OccurrenceKind(" + strconv.Itoa(int(k)) + ")"
}

// A Scope says whether a node always exists (Permanent) or is created and
// deleted at run time (Dynamic).
type Scope uint8

// The scopes.
const (
	ScopeUnspecified Scope = iota
	ScopePermanent
	ScopeDynamic
)

// String returns "Permanent", "Dynamic" or "Unspecified".
func (s Scope) String() string {
	switch s {
	case ScopeUnspecified:
		return "Unspecified"
	case ScopePermanent:
		return "Permanent"
	case ScopeDynamic:
		return "Dynamic"
	}
	return "Scope(" + strconv.Itoa(int(s)) + ")"
}
