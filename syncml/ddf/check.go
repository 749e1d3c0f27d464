package ddf

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// Check validates cmd against the tree and returns nil or a *CheckError
// that lists every violation. Add, Copy, Delete, Exec, Get and Replace are
// checked item by item on their Target (and Copy also on its Source);
// Results on each item's Source, which must be a node Get may read; Atomic
// and Sequence command by command (each once, should one contain itself).
// Alert, Status and unknown elements address no DDF node and pass, and so
// does a nil or typed nil command, which syncml's Validate reports.
//
// A segment that names an instance of a dynamic node holding no value
// must be a name the node's AllowedValues allow (see [Tree.Lookup]), else
// it is an ErrValue violation that says which segment.
//
// For Add and Replace the Meta Format (the Item's, else the command's,
// else "chr" as OMA-DM defaults) must equal the node's DFFormat, and the
// Data must read as that format and be among the allowed values: an int
// is a signed 32-bit integer (-2147483648 to 2147483647, in decimal or
// 0x hexadecimal by value), as the DDF specification defines the int
// format, so 4294967295 and 0xFFFFFFFF do not fit. An item
// with MoreData is one chunk of a large object and its value is not read.
func (t *Tree) Check(cmd syncml.Command) error {
	c := checker{t: t}
	c.walk(cmd)
	if len(c.v) == 0 {
		return nil
	}
	return &CheckError{Violations: c.v}
}

type checker struct {
	t    *Tree
	v    []*Violation
	seen map[syncml.Command]bool // the Atomic and Sequence commands checked
	// enums indexes the values of the ENUMs of more than enumScan
	// values that items are read against, each once per Check
	enums map[*AllowedValues]*enumIndex
}

// index returns the index of a's values when a is an ENUM of more than
// enumScan values, else nil.
func (c *checker) index(a *AllowedValues) *enumIndex {
	if a == nil || a.Type != ValueENUM || len(a.Enums) <= enumScan {
		return nil
	}
	if x, ok := c.enums[a]; ok {
		return x
	}
	if c.enums == nil {
		c.enums = map[*AllowedValues]*enumIndex{}
	}
	x := a.enumSet()
	c.enums[a] = x
	return x
}

func (c *checker) add(cmd syncml.Command, item int, uri string, err error, detail string) {
	c.v = append(c.v, &Violation{Command: cmd.ElementName(), CmdID: cmd.ID(), Item: item, LocURI: uri, Err: err, Detail: detail})
}

// walk checks cmd and the commands of the Atomic and Sequence commands
// in it, in document order. It keeps its own stack (cmdwalk), so a tree
// of any depth (a program may build one millions of levels deep) takes
// no goroutine stack.
func (c *checker) walk(cmd syncml.Command) {
	cmdwalk.Each(c.command(cmd), c.command)
}

// command checks cmd alone and returns the commands it nests when it is
// an Atomic or Sequence not met before, for walk to check next.
func (c *checker) command(cmd syncml.Command) []syncml.Command {
	if cmd == nil || reflect.ValueOf(cmd).IsNil() {
		return nil // every Command is a pointer; a nil one names no node
	}
	switch x := cmd.(type) {
	case *syncml.Add:
		c.items(cmd, x.Meta, x.Items, AccessAdd)
	case *syncml.Replace:
		c.items(cmd, x.Meta, x.Items, AccessReplace)
	case *syncml.Delete:
		c.items(cmd, x.Meta, x.Items, AccessDelete)
	case *syncml.Exec:
		c.items(cmd, x.Meta, x.Items, AccessExec)
	case *syncml.Get:
		c.items(cmd, x.Meta, x.Items, AccessGet)
	case *syncml.Copy:
		c.items(cmd, x.Meta, x.Items, AccessCopy)
		for i, it := range x.Items {
			if it.Source == nil {
				c.add(cmd, i, "", ErrURI, "Copy item has no Source")
				continue
			}
			if n := c.node(cmd, i, it.Source.LocURI); n != nil && !n.Access.Has(AccessGet) {
				c.add(cmd, i, it.Source.LocURI, ErrAccessType, "Copy source cannot be read: AccessType is "+accessString(n.Access))
			}
		}
	case *syncml.Results:
		for i, it := range x.Items {
			if it.Source == nil {
				c.add(cmd, i, "", ErrURI, "Results item has no Source")
				continue
			}
			if n := c.node(cmd, i, it.Source.LocURI); n != nil && !n.Access.Has(AccessGet) {
				c.add(cmd, i, it.Source.LocURI, ErrAccessType, "Get not in AccessType "+accessString(n.Access))
			}
		}
	case *syncml.Atomic, *syncml.Sequence:
		if c.seen[cmd] {
			return nil
		}
		if c.seen == nil {
			c.seen = map[syncml.Command]bool{}
		}
		c.seen[cmd] = true
		return cmd.Nested()
	}
	return nil
}

func accessString(a AccessType) string {
	if a == 0 {
		return "(empty)"
	}
	return a.String()
}

// node looks uri up, recording a violation when it fails.
func (c *checker) node(cmd syncml.Command, item int, uri string) *Node {
	n, err := c.t.Lookup(uri)
	if err == nil {
		return n
	}
	if errors.Is(err, ErrURI) {
		// the Violation names ErrURI itself: the detail is the cause
		c.add(cmd, item, uri, ErrURI, strings.TrimPrefix(err.Error(), "ddf: "+ErrURI.Error()+": "))
		return nil
	}
	var ne *NameError
	if errors.As(err, &ne) {
		c.add(cmd, item, uri, ErrValue, ne.position()+": "+ne.Detail)
		return nil
	}
	if other, ok := otherScope(uri); ok {
		// The node exists in the other scope even if a name there is
		// refused: the scope is the first thing wrong.
		if _, err := c.t.Lookup(other); err == nil || errors.As(err, &ne) {
			c.add(cmd, item, uri, ErrScope, "the node exists only as "+other)
			return nil
		}
	}
	c.add(cmd, item, uri, ErrNoSuchNode, "")
	return nil
}

// otherScope swaps ./Device and ./User (in any letter case); a URI
// without a scope counts as ./Device.
func otherScope(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, "./")
	if !ok {
		rest = uri
	}
	first, tail, ok := strings.Cut(rest, "/")
	switch {
	case ok && strings.EqualFold(first, "Device"):
		return "./User/" + tail, true
	case ok && strings.EqualFold(first, "User"):
		return "./Device/" + tail, true
	case ok:
		return "./User/" + rest, true
	}
	return "", false
}

func (c *checker) items(cmd syncml.Command, meta *syncml.Meta, items []syncml.Item, want AccessType) {
	name := cmd.ElementName()
	for i, it := range items {
		if it.Target == nil || it.Target.LocURI == "" {
			c.add(cmd, i, "", ErrURI, name+" item has no Target LocURI")
			continue
		}
		uri := it.Target.LocURI
		n := c.node(cmd, i, uri)
		if n == nil {
			continue
		}
		if !n.Access.Has(want) {
			c.add(cmd, i, uri, ErrAccessType, name+" not in AccessType "+accessString(n.Access))
		}
		if n.Scope == ScopePermanent && (want == AccessAdd || want == AccessDelete) {
			c.add(cmd, i, uri, ErrScope, "the node is Permanent and cannot be "+map[AccessType]string{AccessAdd: "added", AccessDelete: "deleted"}[want])
		}
		if want != AccessAdd && want != AccessReplace {
			continue
		}
		format := ItemFormat(it.Meta, meta, FormatChr)
		if format != n.Format {
			c.add(cmd, i, uri, ErrFormat, fmt.Sprintf("Meta Format %q, DFFormat %q", format, n.Format))
			continue
		}
		if it.MoreData {
			continue
		}
		value := ""
		if it.Data != nil {
			value = it.Data.Value
		}
		if err := checkValue(n, value, c.index(n.Allowed)); err != nil {
			c.add(cmd, i, uri, ErrValue, err.Error())
		}
	}
}

// ItemFormat returns the Meta Format in effect for an item of a command:
// the item's, else the command's, read without the XML spaces around it;
// a blank Format counts as absent, and absent is returned when neither
// names one. Check passes FormatChr, the OMA-DM default; a reader that
// takes an item without a Format as the format it expects passes that.
func ItemFormat(item, cmd *syncml.Meta, absent Format) Format {
	for _, m := range [...]*syncml.Meta{item, cmd} {
		if m == nil {
			continue
		}
		if f := xmlscan.TrimSpace(m.Format); f != "" {
			return Format(f)
		}
	}
	return absent
}

// checkValue reads value as the node's format and against its allowed
// values. The XML spaces around a value are ignored, no others (U+00A0
// is not a space here), as the device and dmclient's readers read them:
// for the format and for every kind of allowed values, ENUM text too.
// idx is the index of the node's ENUM values (checker.index), or nil.
func checkValue(n *Node, value string, idx *enumIndex) error {
	switch n.Format {
	case FormatNode, FormatNull:
		if xmlscan.TrimSpace(value) != "" {
			return fmt.Errorf("a %s node takes no value, got %q", n.Format, truncate(value, maxShownValue))
		}
		return nil
	case FormatInt:
		v, ok := parseInt(value)
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return fmt.Errorf("%q is not a signed 32-bit integer", truncate(value, maxShownValue))
		}
	case FormatBool:
		switch strings.ToLower(xmlscan.TrimSpace(value)) {
		case "true", "false":
		default:
			return fmt.Errorf("%q is not true or false", truncate(value, maxShownValue))
		}
	case FormatB64:
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, value)
		if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
			return fmt.Errorf("value is not base64: %v", err)
		}
	case FormatFloat:
		if !isFloat(xmlscan.TrimSpace(value)) {
			return fmt.Errorf("%q is not a 32-bit float", truncate(value, maxShownValue))
		}
	}
	return n.Allowed.allows(value, idx)
}

// isFloat reports whether s is a float as XML Schema writes one (the
// form OMA-DM gives the float format): INF, -INF (+INF too, as XML Schema
// 1.1 allows), NaN, or an optionally signed decimal with digits on at
// least one side of an optional point and an optional exponent, whose
// value a 32-bit float can hold. strconv.ParseFloat alone would also take
// Go's forms (hexadecimal, "Inf", "infinity", "nan" in any case, digits
// separated by underscores).
func isFloat(s string) bool {
	switch s {
	case "INF", "+INF", "-INF", "NaN":
		return true
	}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == exp {
			return false
		}
	}
	if i != len(s) {
		return false
	}
	_, err := strconv.ParseFloat(s, 32)
	return err == nil
}
