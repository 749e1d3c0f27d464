package ddf

import (
	"errors"
	"strconv"
	"strings"
)

// Causes carried by a *ParseError or a *Violation (test with errors.Is).
var (
	// ErrSyntax: the input is not well-formed XML.
	ErrSyntax = errors.New("not well-formed")
	// ErrStructure: well-formed XML that is not a DDF (no MgmtTree root, a
	// Node without NodeName, an unknown AccessType, DFFormat, Occurrence or
	// Scope, an unreadable Range…).
	ErrStructure = errors.New("not a DDF structure")
	// ErrEncoding: a declared encoding other than UTF-8.
	ErrEncoding = errors.New("unsupported character encoding")

	// ErrNoSuchNode: the LocURI names no node of the tree.
	ErrNoSuchNode = errors.New("no such node")
	// ErrAccessType: the node's AccessType does not list the command.
	ErrAccessType = errors.New("command not in AccessType")
	// ErrFormat: the Meta Format differs from the node's DFFormat.
	ErrFormat = errors.New("format mismatch")
	// ErrValue: the value does not read as the node's format or is not
	// among its allowed values.
	ErrValue = errors.New("value not allowed")
	// ErrScope: the command conflicts with the node's Scope (a Permanent
	// node cannot be added or deleted), or the LocURI's ./Device or ./User
	// scope is not where the node lives.
	ErrScope = errors.New("wrong scope")
	// ErrURI: the LocURI is malformed (empty, absolute, bad percent-encoding).
	ErrURI = errors.New("malformed LocURI")
)

// A ParseError reports a DDF that cannot be read: where and why. Offset,
// Line and Column refer to the input bytes (a byte order mark included);
// Column counts bytes from 1.
type ParseError struct {
	Offset int64  // byte offset of the problem
	Line   int    // 1-based line
	Column int    // 1-based byte column
	Path   string // element path, such as "/MgmtTree/Node/Node/DFProperties/DFFormat"
	// Node is the DM path of the enclosing Node as far as it is known,
	// such as "./Device/Vendor/MSFT/DMClient/Provider"; "" outside nodes.
	Node string
	Err  error // the cause; wraps one of the Err… sentinels
}

// Error describes the ParseError.
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("ddf: line ")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(", column ")
	b.WriteString(strconv.Itoa(e.Column))
	b.WriteString(" (offset ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	b.WriteByte(')')
	if e.Path != "" {
		b.WriteString(" in ")
		b.WriteString(e.Path)
	}
	if e.Node != "" {
		b.WriteString(" (node ")
		b.WriteString(e.Node)
		b.WriteByte(')')
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// A LimitError reports a DDF that exceeds one of the parser's Limits.
type LimitError struct {
	Limit  string // the Limits field, such as "MaxNodes"
	Max    int64  // its value
	Offset int64  // where it was exceeded
	Path   string // element path at that point
}

// Error describes the LimitError.
func (e *LimitError) Error() string {
	s := "ddf: limit " + e.Limit + " (" + strconv.FormatInt(e.Max, 10) + ") exceeded at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s
}

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
		b.WriteString(strconv.Quote(v.CmdID))
	}
	b.WriteString(" item ")
	b.WriteString(strconv.Itoa(v.Item))
	if v.LocURI != "" {
		b.WriteString(" ")
		b.WriteString(v.LocURI)
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
