package provisioning

import (
	"strconv"
	"strings"
)

// Root is the name of the provisioning document's root element.
const Root = "wap-provisioningdoc"

// rootPath names the root in a FieldError's path of a Document's node,
// which the index of each node below it follows: "/wap-provisioningdoc[2][0]".
const rootPath = "/" + Root

// Version11 is the version attribute of the documented provisioning
// documents.
const Version11 = "1.1"

// A Document is a wap-provisioningdoc: the OMA Client Provisioning
// document that an MS-MDE2 enrollment service returns in its
// RequestSecurityTokenResponse, and which Windows applies through the
// CertificateStore, w7 APPLICATION and DMClient configuration service
// providers.
//
// The model keeps everything the document says: the characteristics and
// parms in document order, their other attributes, elements of other names
// (such as nocharacteristic or characteristic-query) with their whole
// content, and comments. White space between the elements of a
// characteristic or of the root is not kept: the format gives it no
// meaning, and the canonical writer indents.
//
// A Document implements encoding.TextMarshaler, encoding.TextAppender and
// encoding.TextUnmarshaler with its XML.
type Document struct {
	// Version is the root's version attribute, such as "1.1"; "" means
	// the attribute is absent.
	Version string
	// Attrs are the root's other attributes, in document order.
	Attrs []Attr
	// Nodes are the root's children in document order: *Characteristic,
	// *Element and *Comment (a *Parm directly under the root is kept too).
	Nodes []Node
}

// An Attr is an attribute as written: Name may carry a prefix ("xml:lang");
// prefixes are kept as written and not resolved.
type Attr struct {
	Name  string
	Value string
}

// A Node is one child of the root, of a Characteristic or of an Element:
// *Characteristic, *Parm, *Element, *Comment or *Text. The interface is
// sealed.
type Node interface {
	node()
}

// A Characteristic is a characteristic element: a group of settings named
// by its type (a CSP, a node of one, or a name such as a certificate's
// thumbprint).
type Characteristic struct {
	// Type is the type attribute (required; it may be empty).
	Type string
	// Attrs are the other attributes, in document order.
	Attrs []Attr
	// Nodes are the children in document order: *Characteristic, *Parm,
	// *Element and *Comment.
	Nodes []Node
}

// A Parm is a parm element: one setting.
type Parm struct {
	// Name is the name attribute (required; it may be empty).
	Name string
	// Value is the value attribute.
	Value string
	// NoValue reports that the parm has no value attribute, as for
	// BACKCOMPATRETRYDISABLED, whose presence is the setting. Value is then
	// empty.
	NoValue bool
	// Datatype is the datatype attribute ("boolean", "integer", "string",
	// ...); "" means the attribute is absent (an empty datatype attribute
	// is kept in Attrs).
	Datatype string
	// Attrs are the other attributes, in document order.
	Attrs []Attr
}

// An Element is an element of another name than characteristic and parm
// (at any depth), or any element inside one: it keeps its name, its
// attributes and its whole content (elements, text and comments).
type Element struct {
	// Name is the element name as written, with its prefix if any.
	Name string
	// Attrs are its attributes, in document order.
	Attrs []Attr
	// Nodes are its content in document order: *Element, *Text and
	// *Comment.
	Nodes []Node
}

// A Comment is an XML comment; Text is what stands between "<!--" and
// "-->".
type Comment struct {
	Text string
}

// A Text is character data inside an Element (after the XML rules for line
// ends and references are applied). It never stands in a Characteristic or
// at the root, where only white space may stand, and that is not kept.
type Text struct {
	Text string
}

func (*Characteristic) node() {}
func (*Parm) node()           {}
func (*Element) node()        {}
func (*Comment) node()        {}
func (*Text) node()           {}

// Find returns the first child characteristic of c with the given type, or
// nil (also when c is nil, so that calls chain:
// d.Find("DMClient").Find("Provider")).
func (c *Characteristic) Find(typ string) *Characteristic {
	if c == nil {
		return nil
	}
	return findChar(c.Nodes, typ)
}

// Parm returns the first child parm of c with the given name, or nil (also
// when c is nil).
func (c *Characteristic) Parm(name string) *Parm {
	if c == nil {
		return nil
	}
	for _, n := range c.Nodes {
		if p, ok := n.(*Parm); ok && p != nil && p.Name == name {
			return p
		}
	}
	return nil
}

// Find returns the first characteristic under the root with the given
// type, or nil (also when d is nil).
func (d *Document) Find(typ string) *Characteristic {
	if d == nil {
		return nil
	}
	return findChar(d.Nodes, typ)
}

func findChar(nodes []Node, typ string) *Characteristic {
	for _, n := range nodes {
		if c, ok := n.(*Characteristic); ok && c != nil && c.Type == typ {
			return c
		}
	}
	return nil
}

// checkTree refuses nil nodes anywhere in nodes, and a characteristic or
// element that holds itself, naming the first by its index path. It
// walks with a stack of its own, each characteristic and element once
// (one held in several places is checked at its first), and builds only
// the path it reports.
func checkTree(path string, nodes []Node) error {
	var buf [8]treeLevel
	stack := append(buf[:0], treeLevel{nodes: nodes})
	var state map[Node]bool // true while a node's children are checked, false after
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i == len(top.nodes) {
			if top.owner != nil {
				state[top.owner] = false
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].i++
			}
			continue
		}
		n := top.nodes[top.i]
		if n == nil || isNilNode(n) {
			return treeError(path, stack, "nil node")
		}
		var kids []Node
		switch n := n.(type) {
		case *Characteristic:
			kids = n.Nodes
		case *Element:
			kids = n.Nodes
		}
		if len(kids) == 0 {
			top.i++
			continue
		}
		open, seen := state[n]
		switch {
		case open:
			return treeError(path, stack, "a node that holds itself")
		case seen:
			top.i++
			continue
		}
		if state == nil {
			state = map[Node]bool{}
		}
		state[n] = true
		stack = append(stack, treeLevel{nodes: kids, owner: n})
	}
	return nil
}

// A treeLevel is one level of checkTree's walk.
type treeLevel struct {
	nodes []Node
	i     int  // the node being checked
	owner Node // the node whose children nodes are; nil at the top
}

// treeError returns checkTree's error for the node stack stands at.
func treeError(path string, stack []treeLevel, what string) error {
	var b strings.Builder
	b.WriteString(path)
	for _, l := range stack {
		b.WriteString("[" + strconv.Itoa(l.i) + "]")
	}
	return &FieldError{Path: b.String(), Err: pkg.Errorf("%w: "+what, ErrValue)}
}
