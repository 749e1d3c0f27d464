package syncml

// The command structs of this file are the one description of each
// command's child elements (a field per element, in DTD order, its kind
// by its Go type): after changing one, run go generate ./syncml, which
// writes their reader, writer and test builders (see internal/elemgen).
//go:generate go run ./internal/elemgen

import (
	"strconv"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A Command is one SyncML command element: *Add, *Alert, *Atomic, *Copy,
// *Delete, *Exec, *Get, *Replace, *Results, *Sequence, *Status, or *Unknown
// for any other element. The set is closed: other packages cannot add to it.
//
// The methods give the parts most commands share without a type switch.
// They are safe on a typed nil pointer, which answers zero values (SetID
// does nothing).
type Command interface {
	// ElementName is the command's element name, such as "Replace".
	ElementName() string
	// ID returns the command's CmdID ("" for *Unknown).
	ID() string
	// SetID sets the command's CmdID (it does nothing for *Unknown).
	SetID(id string)
	// ItemList returns the command's Items field itself (not a copy), nil
	// for *Atomic, *Sequence and *Unknown, which have no items of their
	// own. See Targets for the Target LocURIs of the items.
	ItemList() []Item
	// Nested returns the Commands field of *Atomic and *Sequence itself
	// (not a copy), nil for every other command.
	Nested() []Command
	command()
}

// Targets returns the Target LocURI of each item of c that has a Target,
// in item order; nil when there is none (*Atomic, *Sequence and *Unknown
// have no items; a *Results names its items by Source).
func Targets(c Command) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, it := range c.ItemList() {
		if it.Target != nil {
			out = append(out, it.Target.LocURI)
		}
	}
	return out
}

// Add creates a node, or sets the value of a new leaf node.
type Add struct {
	CmdID  string
	NoResp bool
	Cred   *Cred
	Meta   *Meta
	Items  []Item
}

// Alert carries an alert code in Data (see AlertCode) and optional items.
type Alert struct {
	CmdID      string
	NoResp     bool
	Cred       *Cred
	Data       *Data // the alert code
	Correlator string
	Items      []Item
}

// Atomic groups commands that must all succeed or all be rolled back.
type Atomic struct {
	CmdID    string
	NoResp   bool
	Meta     *Meta
	Commands []Command
}

// Copy copies the Source of each item to its Target.
type Copy struct {
	CmdID  string
	NoResp bool
	Cred   *Cred
	Meta   *Meta
	Items  []Item
}

// Delete removes nodes.
type Delete struct {
	CmdID   string
	NoResp  bool
	Archive bool
	SftDel  bool
	Cred    *Cred
	Meta    *Meta
	Items   []Item
}

// Exec runs an executable node; Windows requires exactly one Item.
type Exec struct {
	CmdID      string
	NoResp     bool
	Cred       *Cred
	Meta       *Meta
	Correlator string
	Items      []Item
}

// Get reads node values; the device answers with Results.
type Get struct {
	CmdID  string
	NoResp bool
	Lang   string
	Cred   *Cred
	Meta   *Meta
	Items  []Item
}

// Replace sets node values.
type Replace struct {
	CmdID  string
	NoResp bool
	Cred   *Cred
	Meta   *Meta
	Items  []Item
}

// Results returns the values a Get asked for.
type Results struct {
	CmdID     string
	MsgRef    string
	CmdRef    string
	Cmd       string // Windows extension: the command answered
	Meta      *Meta
	TargetRef []string
	SourceRef []string
	Items     []Item
}

// Sequence groups commands that must run in order.
type Sequence struct {
	CmdID    string
	NoResp   bool
	Meta     *Meta
	Commands []Command
}

// Status reports the result of a command (or of the header, CmdRef "0").
type Status struct {
	CmdID     string
	MsgRef    string
	CmdRef    string
	Cmd       string
	TargetRef []string
	SourceRef []string
	Cred      *Cred
	Chal      *Chal
	Data      *Data // the status code
	Items     []Item
}

// Unknown is an element the model does not know, found where a command may
// stand: one whose local name is no command's, or one in a namespace other
// than the message's SyncML namespace or none (a <p:Add> with p bound to
// another namespace is not an Add). Raw holds its bytes as they arrived (after transcoding to UTF-8)
// and is written back unchanged. If the element relied on namespace
// declarations of enclosing elements, the decoder adds them to its start
// tag, so that Raw is well-formed on its own.
type Unknown struct {
	// Name is the element's qualified name as written, such as "Map".
	Name string
	// Raw is the whole element, from '<' to the end of its end tag.
	Raw string
}

// ElementName implements Command.
func (*Add) ElementName() string { return "Add" }

// ElementName implements Command.
func (*Alert) ElementName() string { return "Alert" }

// ElementName implements Command.
func (*Atomic) ElementName() string { return "Atomic" }

// ElementName implements Command.
func (*Copy) ElementName() string { return "Copy" }

// ElementName implements Command.
func (*Delete) ElementName() string { return "Delete" }

// ElementName implements Command.
func (*Exec) ElementName() string { return "Exec" }

// ElementName implements Command.
func (*Get) ElementName() string { return "Get" }

// ElementName implements Command.
func (*Replace) ElementName() string { return "Replace" }

// ElementName implements Command.
func (*Results) ElementName() string { return "Results" }

// ElementName implements Command.
func (*Sequence) ElementName() string { return "Sequence" }

// ElementName implements Command.
func (*Status) ElementName() string { return "Status" }

// ElementName implements Command; it returns the local part of Name ("" for
// a nil *Unknown).
func (u *Unknown) ElementName() string {
	if u == nil {
		return ""
	}
	return xmlscan.LocalName(u.Name)
}

// ID implements Command.
func (c *Add) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Alert) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Atomic) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Copy) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Delete) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Exec) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Get) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Replace) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Results) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Sequence) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command.
func (c *Status) ID() string {
	if c == nil {
		return ""
	}
	return c.CmdID
}

// ID implements Command; an unknown element has no CmdID the model knows.
func (*Unknown) ID() string { return "" }

// SetID implements Command.
func (c *Add) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Alert) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Atomic) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Copy) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Delete) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Exec) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Get) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Replace) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Results) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Sequence) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command.
func (c *Status) SetID(id string) {
	if c != nil {
		c.CmdID = id
	}
}

// SetID implements Command; an unknown element's bytes are not changed.
func (*Unknown) SetID(string) {}

// ItemList implements Command.
func (c *Add) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Alert) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Copy) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Delete) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Exec) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Get) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Replace) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Results) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command.
func (c *Status) ItemList() []Item {
	if c == nil {
		return nil
	}
	return c.Items
}

// ItemList implements Command; an Atomic has no items of its own.
func (*Atomic) ItemList() []Item { return nil }

// ItemList implements Command; a Sequence has no items of its own.
func (*Sequence) ItemList() []Item { return nil }

// ItemList implements Command; an unknown element's items are not modelled.
func (*Unknown) ItemList() []Item { return nil }

// Nested implements Command.
func (c *Atomic) Nested() []Command {
	if c == nil {
		return nil
	}
	return c.Commands
}

// Nested implements Command.
func (c *Sequence) Nested() []Command {
	if c == nil {
		return nil
	}
	return c.Commands
}

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Add) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Alert) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Copy) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Delete) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Exec) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Get) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Replace) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Results) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Status) Nested() []Command { return nil }

// Nested implements Command; only Atomic and Sequence nest commands.
func (*Unknown) Nested() []Command { return nil }

// NumberCommands gives every command in cmds without a CmdID, nested
// commands of Atomic and Sequence included, the next free number counting
// from next, in document order, and returns the number after the last one
// used. Commands that have a CmdID keep it, and numbers they use are
// skipped; an *Unknown and a nil command are left alone. A command is
// visited once, so an Atomic or Sequence that contains itself (which
// Validate reports) does not make it loop, and one met in many places
// costs one visit; the walk takes no goroutine stack, so any depth of
// nesting a program builds is numbered.
//
// Builders in this module (dmclient, declaredconfig) return commands
// without a CmdID: whoever sends them numbers them, a session layer by
// itself, or the author of a hand-built message with
// NumberCommands(m.Body.Commands, 1) before Marshal.
func NumberCommands(cmds []Command, next int) int {
	used := map[string]bool{}
	seen := map[Command]bool{} // each command once, so that a cycle ends
	eachCommand(cmds, seen, func(c Command) {
		if id := c.ID(); id != "" {
			used[cmdIDKey(id)] = true
		}
	})
	clear(seen)
	eachCommand(cmds, seen, func(c Command) {
		if c.ID() != "" {
			return
		}
		for used[strconv.Itoa(next)] {
			next++
		}
		id := strconv.Itoa(next)
		c.SetID(id)
		if c.ID() == id { // an *Unknown or a typed nil takes no number
			next++
		}
	})
	return next
}

// isNilCommand reports whether c is nil or a nil pointer of a command
// type, which cannot be written or checked.
func isNilCommand(c Command) bool {
	switch c := c.(type) {
	case nil:
		return true
	case *Add:
		return c == nil
	case *Alert:
		return c == nil
	case *Atomic:
		return c == nil
	case *Copy:
		return c == nil
	case *Delete:
		return c == nil
	case *Exec:
		return c == nil
	case *Get:
		return c == nil
	case *Replace:
		return c == nil
	case *Results:
		return c == nil
	case *Sequence:
		return c == nil
	case *Status:
		return c == nil
	case *Unknown:
		return c == nil
	}
	return false
}

func (*Add) command()      {}
func (*Alert) command()    {}
func (*Atomic) command()   {}
func (*Copy) command()     {}
func (*Delete) command()   {}
func (*Exec) command()     {}
func (*Get) command()      {}
func (*Replace) command()  {}
func (*Results) command()  {}
func (*Sequence) command() {}
func (*Status) command()   {}
func (*Unknown) command()  {}

// Code reads the alert code from the Alert's Data: decimal digits with
// optional XML white space around them; anything else (a nil Alert too) is
// an error.
func (c *Alert) Code() (AlertCode, error) {
	if c == nil {
		return 0, errorf("nil *Alert")
	}
	if c.Data == nil {
		return 0, errorf("Alert %q has no Data", c.CmdID)
	}
	n, err := parseCode(c.Data.Value)
	if err != nil {
		return 0, errorf("Alert %q: alert code: %w", c.CmdID, err)
	}
	return AlertCode(n), nil
}

// Code reads the status code from the Status's Data: decimal digits with
// optional XML white space around them; anything else (a nil Status too)
// is an error.
func (c *Status) Code() (StatusCode, error) {
	if c == nil {
		return 0, errorf("nil *Status")
	}
	if c.Data == nil {
		return 0, errorf("Status %q has no Data", c.CmdID)
	}
	n, err := parseCode(c.Data.Value)
	if err != nil {
		return 0, errorf("Status %q: status code: %w", c.CmdID, err)
	}
	return StatusCode(n), nil
}
