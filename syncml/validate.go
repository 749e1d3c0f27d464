package syncml

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
)

// ErrInvalid is the cause of every Validate failure.
var ErrInvalid = errors.New("protocol rule violated")

// A Violation is one broken protocol rule.
type Violation struct {
	// Path locates the element, such as "SyncBody/Atomic[2]/Replace[1]":
	// each [n] is the element's position among all its sibling commands.
	Path string
	// CmdID of the command concerned, if it has one.
	CmdID string
	// Rule names the rule, such as "cmdid-unique" (see Validate).
	Rule string
	// Detail says what was found.
	Detail string
}

// String describes the Violation.
func (v Violation) String() string {
	s := v.Path + ": " + v.Rule
	if v.CmdID != "" {
		s += " (CmdID " + strconv.Quote(v.CmdID) + ")"
	}
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// A ValidationError lists the protocol rules a message breaks: every
// violation, up to the limit Validate describes.
type ValidationError struct {
	Violations []Violation
}

// Error describes the ValidationError.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("syncml: ")
	b.WriteString(strconv.Itoa(len(e.Violations)))
	b.WriteString(" protocol violation(s): ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Validate checks m against the protocol rules Windows enforces and
// returns a *ValidationError listing every violation (up to 1000, see
// below), or nil. The rules:
//
//   - header: a SyncHdr (not NoHeader), with VerDTD 1.1 or 1.2 and the
//     matching VerProto DM/1.1 or DM/1.2, SessionID, MsgID (a positive
//     integer), Target and Source LocURI ("header-required",
//     "header-version", "header-msgid");
//   - every command has a CmdID ("cmdid-missing"; XML white space alone
//     is none), not "0" ("cmdid-zero"), unique in the message, nested
//     commands included ("cmdid-unique");
//   - no unknown command element ("unknown-command"), no nil or typed
//     nil Command ("nil-command"), and no Atomic or Sequence that
//     contains itself ("cycle");
//   - Add, Copy, Delete, Get, Replace carry at least one Item, and Exec
//     exactly one ("items"); each Item names its node by Target (Get,
//     Delete, Exec), by Target or Source (Add, Replace: a client reports
//     ./DevInfo by Source), or by both (Copy), and every LocURI given
//     parses with ParseLocURI ("locuri");
//   - Atomic holds only Add, Copy, Delete, Exec, Replace, Sequence and
//     Alert: no Get and no nested Atomic, in a Sequence of it either, no
//     Status or Results ("atomic-content"), and never an Add then a
//     Replace of the same node ("atomic-add-replace");
//   - Sequence holds no Status, Results or Sequence ("sequence-content");
//   - no element nested deeper than Marshal writes: DefaultMaxDepth, as
//     Limits.MaxDepth counts it ("depth", at the first command that would
//     reach deeper; what it nests is not checked);
//   - an Alert has a numeric code in Data ("alert-code"); alerts 1224 and
//     1226 carry Meta Type on each Item ("alert-type");
//   - a Status has MsgRef, CmdRef, Cmd and a numeric code in Data
//     ("status-fields"); Results has CmdRef and at least one Item
//     ("results-fields").
//
// At most 1000 violations are listed: the next is replaced by one whose
// Rule is "truncated", at its place, and the message is not checked
// further. A tree that holds one command in several places (which only
// a program builds: a decoder never shares one) has a violation for each
// place after the first (its CmdID used again, or missing), so the walk
// ends after some 1000 places more than the distinct commands, however
// many places the sharing makes.
//
// That Final, when present, comes last is a structural rule: the decoder
// rejects anything after it, and the model cannot express it elsewhere.
//
// Changed: a nil m returns an error matching ErrNilMessage (not a
// *ValidationError) where it panicked.
func (m *Message) Validate() error {
	if m == nil {
		return nilMessage("Validate")
	}
	v := validator{ids: map[string]string{}}
	h := &m.Header
	if m.NoHeader {
		v.add("SyncHdr", "", "header-required", "the message has no SyncHdr")
	} else if h.VerDTD == "" || h.VerProto == "" || h.SessionID == "" || h.MsgID == "" || h.Target.LocURI == "" || h.Source.LocURI == "" {
		v.add("SyncHdr", "", "header-required", "VerDTD, VerProto, SessionID, MsgID, Target and Source LocURI are required")
	}
	if h.VerDTD != "" || h.VerProto != "" {
		if !(h.VerDTD == "1.2" && h.VerProto == "DM/1.2" || h.VerDTD == "1.1" && h.VerProto == "DM/1.1") {
			v.add("SyncHdr", "", "header-version", "VerDTD "+strconv.Quote(h.VerDTD)+" with VerProto "+strconv.Quote(h.VerProto))
		}
	}
	if h.MsgID != "" {
		if n, err := strconv.ParseUint(h.MsgID, 10, 32); err != nil || n == 0 {
			v.add("SyncHdr/MsgID", "", "header-msgid", strconv.Quote(h.MsgID)+" is not a positive integer")
		}
	}
	v.commands("SyncBody", m.Body.Commands, "", bodyCommandDepth)
	if len(v.out) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.out}
}

// cmdIDKey normalises a CmdID for comparison: XML white space around it
// and leading zeros of a decimal number do not make it another CmdID.
func cmdIDKey(id string) string {
	k := xmlscan.TrimSpace(id)
	if k != "" && strings.Trim(k, "0123456789") == "" {
		k = strings.TrimLeft(k, "0")
		if k == "" {
			k = "0"
		}
	}
	return k
}

// maxViolations is the number of violations Validate lists; the next is
// replaced by a "truncated" one and ends the check.
const maxViolations = 1000

type validator struct {
	ids map[string]string // CmdID → path of first use
	out []Violation
	// full is set when maxViolations are listed and one more was found:
	// the check stops
	full bool
	open map[Command]bool // the Atomic and Sequence commands being checked
	// atomics counts the Atomics being checked: a command checked while
	// it is not zero stands inside one, maybe through Sequences
	atomics int
}

func (v *validator) add(path, id, rule, detail string) {
	switch {
	case v.full:
		return
	case len(v.out) == maxViolations:
		v.full = true
		rule, detail = "truncated", "more than "+strconv.Itoa(maxViolations)+" violations: this one and the rest are not listed, and the message is not checked further"
	}
	v.out = append(v.out, Violation{Path: path, CmdID: id, Rule: rule, Detail: detail})
}

// commands checks a list of commands; parent is "", "Atomic" or
// "Sequence", depth the element depth of the commands.
func (v *validator) commands(path string, cmds []Command, parent string, depth int) {
	for i, c := range cmds {
		if v.full {
			return
		}
		if isNilCommand(c) {
			d := "nil Command"
			if c != nil {
				d = fmt.Sprintf("nil %T", c)
			}
			v.add(path+"["+strconv.Itoa(i+1)+"]", "", "nil-command", d)
			continue
		}
		p := path + "/" + c.ElementName() + "[" + strconv.Itoa(i+1) + "]"
		if tooDeep(c, depth) {
			v.add(p, c.ID(), "depth", c.ElementName()+" at depth "+strconv.Itoa(depth)+" would reach deeper than "+
				strconv.Itoa(DefaultMaxDepth)+" elements (SyncML counted as 1), which Marshal does not write")
			continue
		}
		v.command(p, c, parent, depth)
	}
	if parent == "Atomic" && !v.full {
		v.atomicAddReplace(path, cmds, depth)
	}
}

// tooDeep reports whether an element of c, a command at element depth
// depth, would stand deeper than DefaultMaxDepth: the encoder's test,
// with which Validate stops where Marshal would.
func tooDeep(c Command, depth int) bool {
	return depth+maxReach-1 > DefaultMaxDepth && depth+reach(c)-1 > DefaultMaxDepth
}

func (v *validator) command(p string, c Command, parent string, depth int) {
	if u, ok := c.(*Unknown); ok {
		v.add(p, "", "unknown-command", "<"+u.Name+"> is not a SyncML DM command")
		return
	}
	id := c.ID()
	key := cmdIDKey(id)
	switch {
	case key == "": // none, or XML white space alone
		v.add(p, id, "cmdid-missing", "")
	case key == "0":
		v.add(p, id, "cmdid-zero", "")
	default:
		if first, dup := v.ids[key]; dup {
			v.add(p, id, "cmdid-unique", "also used by "+first)
		} else {
			v.ids[key] = p
		}
	}
	switch parent {
	case "Atomic":
		switch c.(type) {
		case *Get, *Atomic, *Status, *Results:
			v.add(p, id, "atomic-content", c.ElementName()+" is not allowed inside Atomic")
		}
	case "Sequence":
		switch c.(type) {
		case *Status, *Results, *Sequence:
			v.add(p, id, "sequence-content", c.ElementName()+" is not allowed inside Sequence")
		case *Get, *Atomic:
			if v.atomics > 0 {
				v.add(p, id, "atomic-content", c.ElementName()+" is not allowed inside Atomic, in a Sequence of it either")
			}
		}
	}
	switch c := c.(type) {
	case *Add:
		v.items(p, id, c.Items, false, needTargetOrSource)
	case *Copy:
		v.items(p, id, c.Items, false, needBoth)
	case *Delete:
		v.items(p, id, c.Items, false, needTarget)
	case *Get:
		v.items(p, id, c.Items, false, needTarget)
	case *Replace:
		v.items(p, id, c.Items, false, needTargetOrSource)
	case *Exec:
		v.items(p, id, c.Items, true, needTarget)
	case *Atomic, *Sequence:
		if v.open[c] {
			v.add(p, id, "cycle", c.ElementName()+" contains itself")
			break
		}
		if v.open == nil {
			v.open = map[Command]bool{}
		}
		v.open[c] = true
		_, atomic := c.(*Atomic)
		if atomic {
			v.atomics++
		}
		v.commands(p, c.Nested(), c.ElementName(), depth+1)
		if atomic {
			v.atomics--
		}
		delete(v.open, c)
	case *Alert:
		code, err := c.Code()
		if err != nil {
			v.add(p, id, "alert-code", "Data must hold a numeric alert code")
			break
		}
		if code == AlertClientEvent || code == AlertGeneric {
			for i, it := range c.Items {
				if it.Meta == nil || it.Meta.Type == "" {
					v.add(p+"/Item["+strconv.Itoa(i+1)+"]", id, "alert-type", "alert "+strconv.Itoa(int(code))+" needs Meta Type")
				}
			}
			if len(c.Items) == 0 {
				v.add(p, id, "alert-type", "alert "+strconv.Itoa(int(code))+" needs an Item with Meta Type")
			}
		}
	case *Status:
		if c.MsgRef == "" || c.CmdRef == "" || c.Cmd == "" {
			v.add(p, id, "status-fields", "MsgRef, CmdRef and Cmd are required")
		}
		if _, err := c.Code(); err != nil {
			v.add(p, id, "status-fields", "Data must hold a numeric status code")
		}
	case *Results:
		if c.CmdRef == "" || len(c.Items) == 0 {
			v.add(p, id, "results-fields", "CmdRef and at least one Item are required")
		}
	}
}

// addressing says which locations the items of a command must name.
type addressing uint8

const (
	needTarget         addressing = iota // Get, Delete, Exec
	needTargetOrSource                   // Add, Replace: a client names its nodes by Source
	needBoth                             // Copy
)

// items checks the items of a command that addresses nodes.
func (v *validator) items(p, id string, items []Item, exactlyOne bool, need addressing) {
	switch {
	case exactlyOne && len(items) != 1:
		v.add(p, id, "items", "Exec needs exactly one Item, found "+strconv.Itoa(len(items)))
	case len(items) == 0:
		v.add(p, id, "items", "at least one Item is required")
	}
	for i, it := range items {
		ip := p + "/Item[" + strconv.Itoa(i+1) + "]"
		hasT := it.Target != nil && it.Target.LocURI != ""
		hasS := it.Source != nil && it.Source.LocURI != ""
		switch {
		case need == needTarget && !hasT:
			v.add(ip, id, "locuri", "Target LocURI is required")
		case need == needTargetOrSource && !hasT && !hasS:
			v.add(ip, id, "locuri", "Target or Source LocURI is required")
		case need == needBoth && (!hasT || !hasS):
			v.add(ip, id, "locuri", "Target and Source LocURI are required")
		}
		for _, l := range []*Location{it.Target, it.Source} {
			if l != nil && l.LocURI != "" {
				if _, err := ParseLocURI(l.LocURI); err != nil {
					v.add(ip, id, "locuri", strings.TrimPrefix(err.Error(), pkg.Prefix()))
				}
			}
		}
	}
}

// atomicAddReplace flags a Replace of a node added earlier in the same
// Atomic (also inside a Sequence of it), which Windows does not support;
// cmds stand at element depth depth. Commands too deep for the "depth"
// rule are not looked into.
func (v *validator) atomicAddReplace(path string, cmds []Command, depth int) {
	added := map[string]bool{} // nodeKey of each added node
	seen := map[Command]bool{}
	var walk func(path string, cmds []Command, depth int)
	walk = func(path string, cmds []Command, depth int) {
		for i, c := range cmds {
			if isNilCommand(c) || seen[c] || tooDeep(c, depth) {
				continue
			}
			seen[c] = true
			switch c := c.(type) {
			case *Add:
				for _, it := range c.Items {
					if it.Target != nil {
						if u, err := ParseLocURI(it.Target.LocURI); err == nil {
							added[nodeKey(u)] = true
						}
					}
				}
			case *Sequence:
				walk(path+"/Sequence["+strconv.Itoa(i+1)+"]", c.Commands, depth+1)
			case *Replace:
				for _, it := range c.Items {
					if it.Target == nil {
						continue
					}
					u, err := ParseLocURI(it.Target.LocURI)
					if err != nil {
						continue
					}
					if added[nodeKey(u)] {
						v.add(path+"/Replace["+strconv.Itoa(i+1)+"]", c.CmdID, "atomic-add-replace", it.Target.LocURI+" is added earlier in the same Atomic")
					}
				}
			}
		}
	}
	walk(path, cmds, depth)
}

// nodeKey returns a key equal for two LocURIs exactly when Equal reports
// them equal: the scope (the default taken as the device scope) and the
// node names, which hold no '/'.
func nodeKey(u LocURI) string {
	sc := u.Scope
	if sc == ScopeDefault {
		sc = ScopeDevice
	}
	return string(rune('0'+sc)) + "/" + strings.Join(u.Segments, "/")
}
