package fuzz

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/beevik/etree"
	"github.com/windc-go/windc/syncml/ddf"
)

// A pathSlot is one path of a tree, as checkPaths computes it: the node
// there (nil for a segment of a Path only), its parent path and whether
// names there are read in any letter case.
type pathSlot struct {
	node   *ddf.Node
	parent string
	cis    bool
}

// checkPaths fails the test when tree, which ParseLimits accepted from
// data, holds two nodes at one path, or two named siblings whose names
// differ only in letter case where CaseSense CIS reads them as one, or a
// node with no dynamic node on its path that Lookup of its path does not
// find. It computes the paths from the tree alone: a top-level node's
// Path split into segments, its scope segment (and a top-level name
// Device or User directly under ".") in one spelling, Device where it has
// none (Windows reads ./Vendor/MSFT as ./Device/Vendor/MSFT, and so does
// Lookup where the tree has no node at the unscoped path), then the
// names down to the node; a dynamic node has a path of its own. Whether a node
// has a CaseSense element, which the tree does not say, is read with
// etree from the Node elements of data; where they are not the tree's
// nodes one for one, the letter case is not checked.
func checkPaths(t *testing.T, data []byte, tree *ddf.Tree) {
	slots := map[string]*pathSlot{".": {}}
	keys := map[*ddf.Node]string{}
	var order []*ddf.Node
	dyn := 0
	// intern returns the key of name under the path parent, making a slot.
	intern := func(parent, name string) string {
		k := parent + "/" + name
		if slots[k] == nil {
			slots[k] = &pathSlot{parent: parent}
		}
		return k
	}
	for _, r := range tree.Roots {
		p := r.Path()
		// A path without a scope segment is in the device scope, as
		// Windows reads it: ./Vendor/MSFT/X is ./Device/Vendor/MSFT/X.
		segs := strings.Split(strings.TrimPrefix(p, "./"), "/")
		segs[0] = scopeSpelling(segs[0])
		if segs[0] != "Device" && segs[0] != "User" {
			segs = append([]string{"Device"}, segs...)
		}
		parent := "."
		for _, seg := range segs[:len(segs)-1] {
			parent = intern(parent, seg)
		}
		var down func(n *ddf.Node, parent string)
		down = func(n *ddf.Node, parent string) {
			var k string
			if n.Dynamic() {
				dyn++ // no name holds a NUL: this path is the node's own
				k = parent + "/\x00" + strconv.Itoa(dyn)
				slots[k] = &pathSlot{parent: parent}
			} else if n.Parent == nil {
				k = intern(parent, segs[len(segs)-1])
			} else {
				k = intern(parent, n.Name)
			}
			if o := slots[k].node; o != nil {
				t.Fatalf("Parse accepted two nodes at one path: %s (line %d) and %s (line %d)", o.Path(), o.Line, n.Path(), n.Line)
			}
			slots[k].node = n
			keys[n] = k
			order = append(order, n)
			for _, c := range n.Children {
				down(c, k)
			}
		}
		down(r, parent)
	}
	for _, n := range order {
		if onDynamic(n) {
			continue
		}
		uri := fill(n.Path())
		if got, err := tree.Lookup(uri); err != nil || got != n {
			var at string
			if got != nil {
				at = got.Path()
			}
			t.Fatalf("Lookup(%q) of the named node %s (line %d): %v, %s", uri, n.Path(), n.Line, err, at)
		}
	}
	caseSet, ok := caseSenses(data, tree)
	if !ok {
		return
	}
	// the CIS of each path, parents first: the keys are longer than their
	// parents'
	ks := make([]string, 0, len(slots))
	for k := range slots {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b string) int { return len(a) - len(b) })
	for _, k := range ks[1:] {
		s := slots[k]
		if s.node != nil && caseSet[s.node] {
			s.cis = !s.node.CaseSensitive
		} else {
			s.cis = slots[s.parent].cis
		}
	}
	type folded struct {
		parent, name string
	}
	seen := map[folded]*ddf.Node{}
	for _, n := range order {
		if n.Dynamic() {
			continue
		}
		k := keys[n]
		s := slots[k]
		f := folded{s.parent, foldOrbit(k[len(s.parent)+1:])}
		o, ok := seen[f]
		if !ok {
			seen[f] = n
			continue
		}
		if slots[s.parent].cis || s.cis || slots[keys[o]].cis {
			t.Fatalf("Parse accepted the siblings %s (line %d) and %s (line %d), one name where CaseSense CIS applies", o.Path(), o.Line, n.Path(), n.Line)
		}
	}
}

// scopeSpelling writes a scope segment (Device or User in any letter
// case) as Lookup reads it.
func scopeSpelling(seg string) string {
	for _, s := range []string{"Device", "User"} {
		if strings.EqualFold(seg, s) {
			return s
		}
	}
	return seg
}

// foldOrbit folds s as Windows compares names ignoring case (ordinal,
// one UTF-16 unit at a time): each character of the Basic Multilingual
// Plane to its simple uppercase, but dotless i and long s, which stay;
// a character of two UTF-16 units as it is. Two names that give one
// string are one name where CaseSense CIS applies.
func foldOrbit(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != '\u0131' && r != '\u017F' && r <= 0xFFFF {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// caseSenses reports, for each node of tree, whether its Node element in
// data has a CaseSense element naming CIS or CS; ok is false when etree
// does not read data or its Node elements are not the tree's nodes one
// for one (by count, NodeName and CaseSensitive).
func caseSenses(data []byte, tree *ddf.Tree) (map[*ddf.Node]bool, bool) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, false
	}
	elems := doc.FindElements("//Node")
	if len(elems) != tree.NodeCount {
		return nil, false
	}
	set := map[*ddf.Node]bool{}
	i, ok := 0, true
	tree.Walk(func(n *ddf.Node) bool {
		e := elems[i]
		i++
		if nn := e.SelectElement("NodeName"); nn == nil && n.Name != "" || nn != nil && nn.Text() != n.Name && strings.TrimSpace(nn.Text()) != n.Name {
			ok = false
			return false
		}
		explicit := false
		if p := e.SelectElement("DFProperties"); p != nil {
			if c := p.SelectElement("CaseSense"); c != nil {
				explicit = len(c.ChildElements()) > 0
			}
		}
		if !explicit && !n.CaseSensitive {
			ok = false
			return false
		}
		set[n] = explicit
		return true
	})
	return set, ok
}
