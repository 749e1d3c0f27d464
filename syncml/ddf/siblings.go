package ddf

import "strings"

// Two named sibling nodes may not share a name: each node of a management
// tree has one URI (OMA-DM 1.2.1, Nodes), and Lookup could reach only the
// first. Siblings are the children of one Node, or the top-level nodes
// under one Path. Dynamic nodes have no name of their own and are not
// compared: their instances' names are given at run time, and Lookup
// tells dynamic siblings apart by their allowed values.

// linearSiblings is the number of siblings up to which a name is looked
// for among them one by one; past it, a parent's siblings are indexed, so
// that a DDF of MaxNodes siblings costs linear time.
const linearSiblings = 64

// siblingKey says which node a name is of: its parent (nil for a
// top-level node), the Path of a top-level node, and its name.
type siblingKey struct {
	parent     *Node
	base, name string
}

// keyOf returns n's siblingKey. A top-level node with no Path is under
// ".", as with Path "."; one named Device or User directly under "." is
// the scope segment, whose name Lookup matches in any letter case.
func keyOf(n *Node) siblingKey {
	if n.Parent != nil {
		return siblingKey{parent: n.Parent, name: n.Name}
	}
	base := n.base
	if base == "" {
		base = "."
	}
	name := n.Name
	if base == "." {
		switch {
		case strings.EqualFold(name, "Device"):
			name = "Device"
		case strings.EqualFold(name, "User"):
			name = "User"
		}
	}
	return siblingKey{base: base, name: name}
}

// sameName returns the earlier sibling of n, a node just read and not
// yet added to its parent (or to roots, for a top-level node), that has
// its name, or nil when it has none.
func (p *parser) sameName(n *Node, roots []*Node) *Node {
	if n.Dynamic() {
		return nil
	}
	sibs := roots
	if n.Parent != nil {
		sibs = n.Parent.Children
	}
	key := keyOf(n)
	if len(sibs) < linearSiblings {
		for _, s := range sibs {
			if !s.Dynamic() && keyOf(s) == key {
				return s
			}
		}
		return nil
	}
	if !p.indexed[n.Parent] {
		if p.indexed == nil {
			p.indexed = map[*Node]bool{}
			p.siblings = map[siblingKey]*Node{}
		}
		p.indexed[n.Parent] = true
		for _, s := range sibs {
			if !s.Dynamic() {
				// the earlier siblings have distinct names
				p.siblings[keyOf(s)] = s
			}
		}
	}
	if s, ok := p.siblings[key]; ok {
		return s
	}
	p.siblings[key] = n
	return nil
}
