package ddf

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlerr"
)

// pkg makes the package's errors; each message starts with "ddf: " once.
const pkg = xmlerr.Pkg("ddf")

// Causes carried by a *ParseError or a *Violation (test with errors.Is).
// The parsing causes are the module's shared sentinels: ddf.ErrSyntax is
// syncml.ErrSyntax, and so on; ErrEncoding is a kind of ErrSyntax.
var (
	// ErrSyntax: the input is not well-formed XML.
	ErrSyntax = xmlerr.ErrSyntax
	// ErrStructure: well-formed XML that is not a DDF (no MgmtTree root, a
	// Node without NodeName, a NodeName with '/' or a control character
	// (tab, DEL, U+0080..U+009F) or that is "." or "..", an unknown
	// AccessType, DFFormat, Occurrence or Scope, an unreadable Range, two
	// Nodes at one path, two sibling names that CaseSense CIS makes one…).
	ErrStructure = xmlerr.ErrStructure
	// ErrEncoding: a declared encoding other than UTF-8, or bytes that
	// are not UTF-8.
	ErrEncoding = xmlerr.ErrEncoding
	// ErrLimit: input beyond one of the Limits; every *LimitError matches it.
	ErrLimit = xmlerr.ErrLimit

	// ErrNoSuchNode: the LocURI names no node of the tree.
	ErrNoSuchNode = errors.New("no such node")
	// ErrAccessType: the node's AccessType does not list the command.
	ErrAccessType = errors.New("command not in AccessType")
	// ErrFormat: the Meta Format differs from the node's DFFormat.
	ErrFormat = errors.New("format mismatch")
	// ErrValue: the value does not read as the node's format or is not
	// among its allowed values; or a LocURI segment names an instance of
	// a dynamic node whose allowed values refuse that name (a *NameError).
	ErrValue = errors.New("value not allowed")
	// ErrScope: the command conflicts with the node's Scope (a Permanent
	// node cannot be added or deleted), or the LocURI's ./Device or ./User
	// scope is not where the node lives.
	ErrScope = errors.New("wrong scope")
	// ErrURI: the LocURI is malformed (empty, absolute, bad percent-encoding).
	ErrURI = errors.New("malformed LocURI")
)

// A ParseError reports a DDF that cannot be read: where and why. It is the
// module's one decode error (the same type as syncml.DecodeError), with
// the fields Offset, Line, Column (which refer to the input bytes, a byte
// order mark included; Column counts bytes from 1), Path (the element
// path, such as "/MgmtTree/Node/Node/DFProperties/DFFormat") and Err, the
// cause. Inside a Node, the cause is a *NodeError that names the node.
type ParseError = xmlerr.DecodeError

// A NodeError is the cause of a ParseError inside a Node element: it
// names the node and wraps the cause proper, one of the Err… sentinels.
// Read it with errors.As.
type NodeError struct {
	// Node is the DM path of the enclosing Node as far as it is known,
	// such as "./Device/Vendor/MSFT/DMClient/Provider".
	Node string
	Err  error // the cause; wraps one of the Err… sentinels
}

// Error describes the NodeError: "node PATH: cause", PATH cut in its
// middle past maxShownURI bytes (a node name may be as long as the DDF).
func (e *NodeError) Error() string { return "node " + shownURI(e.Node) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *NodeError) Unwrap() error { return e.Err }

// A LimitError reports a DDF that exceeds one of the parser's Limits:
// Limit names the Limits field (such as "MaxNodes"), Max is its value,
// Offset and Path say where. It matches ErrLimit and is the module's one
// limit error (the same type as syncml.LimitError).
type LimitError = xmlerr.LimitError

// A NameError reports a LocURI that would name a node of the tree but
// for one segment: it names an instance of a dynamic node whose
// AllowedValues refuse that name, such as a DeclaredConfiguration
// {DocID} that is not a GUID. Lookup returns it; it matches ErrValue.
type NameError struct {
	// LocURI is the URI looked up, as given.
	LocURI string
	// Segment is the index of the refused segment among the URI's
	// '/'-separated segments after "./", from 0 (a Device or User scope
	// segment counts); Offset is the byte offset where it starts in
	// LocURI.
	Segment, Offset int
	// Name is the segment, percent-decoded.
	Name string
	// Node is the Path of the dynamic node, such as
	// "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/{DocID}".
	Node string
	// Err is ErrValue; Detail says why the name is refused.
	Err    error
	Detail string
}

// Error describes the NameError: "ddf: URI: segment N at byte M names an
// instance of NODE: value not allowed: why".
func (e *NameError) Error() string {
	return "ddf: " + shownURI(e.LocURI) + ": " + e.position() + ": " + e.Err.Error() + ": " + e.Detail
}

// position says which segment is refused and of which node.
func (e *NameError) position() string {
	return "segment " + strconv.Itoa(e.Segment) + " at byte " + strconv.Itoa(e.Offset) + " names an instance of " + shownURI(e.Node)
}

// Unwrap returns the cause, ErrValue.
func (e *NameError) Unwrap() error { return e.Err }

// A Violation is one way a command breaks the DDF.
type Violation struct {
	// Command is the element name of the offending command, such as "Replace";
	// CmdID is its CmdID.
	Command string
	CmdID   string
	// Item is the index of the offending Item in the command, from 0.
	Item int
	// LocURI is the Item's Target (Source for Results) LocURI.
	LocURI string
	// Err is one of ErrNoSuchNode, ErrAccessType, ErrFormat, ErrValue,
	// ErrScope, ErrURI.
	Err error
	// Detail explains the problem, such as `"9" is not among 0…8`.
	Detail string
}

// Error describes the Violation.
func (v *Violation) Error() string {
	var b strings.Builder
	b.WriteString("ddf: ")
	b.WriteString(v.Command)
	if v.CmdID != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(truncate(v.CmdID, maxShownText)))
	}
	b.WriteString(" item ")
	b.WriteString(strconv.Itoa(v.Item))
	if v.LocURI != "" {
		b.WriteString(" ")
		b.WriteString(shownURI(v.LocURI))
	}
	b.WriteString(": ")
	b.WriteString(v.Err.Error())
	if v.Detail != "" {
		b.WriteString(": ")
		b.WriteString(v.Detail)
	}
	return b.String()
}

// Unwrap returns the cause.
func (v *Violation) Unwrap() error { return v.Err }

// A CheckError lists every violation Check found, in command order.
type CheckError struct {
	Violations []*Violation
}

// Error describes the CheckError.
func (e *CheckError) Error() string {
	if len(e.Violations) == 1 {
		return e.Violations[0].Error()
	}
	var b strings.Builder
	b.WriteString("ddf: ")
	b.WriteString(strconv.Itoa(len(e.Violations)))
	b.WriteString(" violations")
	for _, v := range e.Violations {
		b.WriteString("; ")
		b.WriteString(strings.TrimPrefix(v.Error(), "ddf: "))
	}
	return b.String()
}

// Unwrap returns the violations, so errors.Is and errors.As see each.
func (e *CheckError) Unwrap() []error {
	errs := make([]error, len(e.Violations))
	for i, v := range e.Violations {
		errs[i] = v
	}
	return errs
}

// A uriError is Lookup's error for a LocURI syncml.ParseLocURI refused:
// it matches ErrURI and the cause, whose text, which quotes the URI, it
// shows cut in the middle as shownURI cuts a URI.
type uriError struct{ err error }

func (e *uriError) Error() string {
	return "ddf: " + ErrURI.Error() + ": " + utf8cut.Middle(e.err.Error(), maxShownURI+64)
}

func (e *uriError) Unwrap() []error { return []error{ErrURI, e.err} }

// maxShownText bounds a name or text of the input (an element or node
// name, an attribute value, a CmdID) that an error message quotes: they
// may be as long as the input. The error's fields, where it has them,
// keep them whole.
const maxShownText = 64

// maxShownURI bounds a LocURI an error message shows: a peer's URI may be
// as long as its message. The error's field keeps it whole.
const maxShownURI = 512

// shownURI is uri as an error message shows it: whole up to maxShownURI
// bytes, else its two ends (utf8cut.Middle); in Go quotes when it holds a
// control character or a line separator, as a peer's malformed LocURI or
// a refused NodeName may, so that it cannot break or forge log lines.
func shownURI(uri string) string {
	s := utf8cut.Middle(uri, maxShownURI)
	if strings.IndexFunc(s, breaksLine) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// shownText is a text of a DDF (an ENUM value, an expression) as an error
// message shows it: cut after n bytes (truncate), in Go quotes when it
// holds a control character or a line separator, as shownURI shows a
// URI: a DDF may come from a peer.
func shownText(s string, n int) string {
	s = truncate(s, n)
	if strings.IndexFunc(s, breaksLine) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// breaksLine reports whether r is a control character (C0, DEL, C1) or a
// Unicode line or paragraph separator.
func breaksLine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
