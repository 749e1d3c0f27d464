package syncml

import (
	"strconv"
	"strings"
)

// ValidateCmdIDs checks the CmdID rules of Validate alone: every command
// of m, nested ones included, has a CmdID ("cmdid-missing"; XML white
// space alone is none), not "0"
// ("cmdid-zero"), used by no other command of m ("cmdid-unique"; XML
// white space around a CmdID and leading zeros of a decimal one do not
// make it another). A peer's Status or Results names the command it
// answers by CmdID alone, so a message that breaks them cannot be
// answered unambiguously. It stops at the first violation and returns a
// *ValidationError holding it, or nil; *Unknown commands (which carry no
// CmdID of the model's) and nil ones are not checked. Unlike Validate it
// allocates nothing for a message that passes whose CmdIDs are decimal
// numbers below 1024 and that holds no Atomic or Sequence. Changed: a nil
// m returns an error matching ErrNilMessage where it panicked.
func (m *Message) ValidateCmdIDs() error {
	if m == nil {
		return nilMessage("ValidateCmdIDs")
	}
	var ck cmdIDCheck
	body := m.Body.Commands
	for i, c := range body {
		if isNilCommand(c) {
			continue
		}
		if _, ok := c.(*Unknown); ok {
			continue
		}
		if rule := ck.add(c.ID()); rule != "" {
			return cmdIDViolation([]cmdFrame{{parent: -1, cmds: body}}, 0, c, i, rule)
		}
		if len(c.Nested()) > 0 {
			if err := ck.group(body, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// group checks the commands nested in body[i], and theirs, in document
// order, a command before those it holds. Every list of commands met is
// a frame, kept to the end so that the path of a violation is made only
// then; open holds the frames being walked, with the index of the next
// command of each, on a stack of the function's own: a tree a program
// built may nest deeper than a goroutine's stack would allow for a
// recursion. A tree that holds a command twice (or contains itself) meets
// the command's CmdID again and ends there.
func (ck *cmdIDCheck) group(body []Command, i int) error {
	frames := []cmdFrame{{parent: -1, cmds: body}, {parent: 0, at: i, cmds: body[i].Nested()}}
	type cursor struct{ fi, next int }
	open := []cursor{{1, 0}}
	for len(open) > 0 {
		top := &open[len(open)-1]
		f := &frames[top.fi]
		if top.next == len(f.cmds) {
			open = open[:len(open)-1]
			continue
		}
		fi, i := top.fi, top.next
		c := f.cmds[i]
		top.next++
		if isNilCommand(c) {
			continue
		}
		if _, ok := c.(*Unknown); ok {
			continue
		}
		if rule := ck.add(c.ID()); rule != "" {
			return cmdIDViolation(frames, fi, c, i, rule)
		}
		if n := c.Nested(); len(n) > 0 {
			frames = append(frames, cmdFrame{parent: fi, at: i, cmds: n})
			open = append(open, cursor{len(frames) - 1, 0})
		}
	}
	return nil
}

// cmdIDViolation returns the *ValidationError of c, at index i of
// frames[fi], breaking rule.
func cmdIDViolation(frames []cmdFrame, fi int, c Command, i int, rule string) error {
	return &ValidationError{Violations: []Violation{{Path: cmdPath(frames, fi, c, i), CmdID: c.ID(), Rule: rule}}}
}

// A cmdFrame is a list of commands ValidateCmdIDs walks: a message's
// body (parent -1), or the commands nested in the command at index at of
// frames[parent].
type cmdFrame struct {
	parent, at int
	cmds       []Command
}

// cmdPath returns the path of c, at index i of frames[fi]: its groups'
// names and indexes from the body down, then its own.
func cmdPath(frames []cmdFrame, fi int, c Command, i int) string {
	var up []string // the steps, from c up
	up = append(up, c.ElementName()+"["+strconv.Itoa(i+1)+"]")
	for f := frames[fi]; f.parent >= 0; f = frames[f.parent] {
		up = append(up, frames[f.parent].cmds[f.at].ElementName()+"["+strconv.Itoa(f.at+1)+"]")
	}
	var b strings.Builder
	b.WriteString("SyncBody")
	for j := len(up) - 1; j >= 0; j-- {
		b.WriteByte('/')
		b.WriteString(up[j])
	}
	return b.String()
}

// cmdIDCheck is the set of CmdIDs (their cmdIDKey) a message used so far:
// those that are decimal numbers below cmdIDBits in a bit set, the others
// in a map, made for the first of them.
type cmdIDCheck struct {
	bits [cmdIDBits / 64]uint64
	set  map[string]bool
}

// cmdIDBits bounds the CmdIDs a cmdIDCheck keeps in its bit set: the
// numbers a message of up to 1023 commands numbered from 1 uses.
const cmdIDBits = 1024

// add adds id to the set and returns the rule it breaks ("" when none):
// "cmdid-missing", "cmdid-zero" or "cmdid-unique".
func (ck *cmdIDCheck) add(id string) string {
	n, ok := smallDecimal(id) // as peers write them: no need of cmdIDKey
	if !ok || id[0] == '0' {
		k := cmdIDKey(id)
		if k == "" { // none, or XML white space alone
			return "cmdid-missing"
		}
		if k == "0" {
			return "cmdid-zero"
		}
		n, ok = smallDecimal(k)
		if !ok {
			return ck.addOther(k)
		}
	}
	w, b := n/64, uint64(1)<<(n%64)
	if ck.bits[w]&b != 0 {
		return "cmdid-unique"
	}
	ck.bits[w] |= b
	return ""
}

// addOther adds k, a cmdIDKey that is not a number below cmdIDBits, to
// the set and returns the rule it breaks ("" when none).
func (ck *cmdIDCheck) addOther(k string) string {
	if ck.set == nil {
		ck.set = make(map[string]bool)
	}
	if ck.set[k] {
		return "cmdid-unique"
	}
	ck.set[k] = true
	return ""
}

// smallDecimal returns the number k stands for when it is a decimal
// number of 1 to 4 digits below cmdIDBits.
func smallDecimal(k string) (int, bool) {
	if len(k) == 0 || len(k) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return 0, false
		}
		n = n*10 + int(k[i]-'0')
	}
	return n, n < cmdIDBits
}
