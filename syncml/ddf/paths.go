package ddf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/internal/xmlscan"
)

// Every node of a management tree has one URI (OMA-DM 1.2.1, Nodes), so
// two Nodes of a DDF may not resolve to one path: Lookup could reach only
// one of them. A node's path is its top-level node's Path, then the names
// down to it; so two sibling Nodes of one name share a path, and so do a
// child B of a top-level A under ./Vendor and a top-level B under
// ./Vendor/A. A Path's scope segment, and a top-level node named Device or
// User directly under ".", match in any letter case, as Lookup reads
// them. Dynamic nodes have no name of their own and each has a path of
// its own: their instances' names are given at run time, and Lookup tells
// dynamic siblings apart by their allowed values.
//
// CaseSense CIS says that a node's name and the names below it are read
// in any letter case (OMA-DM 1.2.1 DDF, CaseSense; CIS: "child Node names
// MUST be treated as case insensitive"); a node without CaseSense reads
// names as its parent does, a top-level node as the node at its Path
// does, if the DDF has one, else case-sensitively. Two named siblings
// whose names differ only in letter case are then one name when the
// parent reads its children's names in any case, or when either of them
// reads its own so: a device could not tell them apart. So are two
// Nodes whose paths differ only in case above their parent, where the
// same rule reads those names as one (./Vendor/P/a/Q, a top-level Q, and
// ./Vendor/P/A/Q, the child of P's child A, under a CIS P): the path a
// device reads as one is one node, whose CaseSense is the one its Node
// says.

// pathKey names a path: the id of its parent path and its last segment.
type pathKey struct {
	parent int
	name   string
}

// pathIndex gives every path of the tree an id, from 0 for ".", each
// path's parent having a smaller id than the path; a node owns the id of
// its path.
type pathIndex struct {
	ids    map[pathKey]int
	parent []int   // the parent of each id (0 for 0)
	owner  []*Node // the node at each id, nil for a segment of a Path only
	anyCIS bool    // some node says CaseSense CIS
}

// uniquePaths refuses a tree in which two Nodes resolve to one path, or
// in which two named siblings differ only in letter case where CaseSense
// CIS reads them as one name. The error is at the later Node in document
// order and names the earlier one.
func (p *parser) uniquePaths(t *Tree) error {
	x := &pathIndex{ids: make(map[pathKey]int, p.nodes), parent: make([]int, 1, p.nodes+1), owner: make([]*Node, 1, p.nodes+1)}
	var walk func(n *Node, parent int) error
	walk = func(n *Node, parent int) error {
		id, err := p.claim(x, n, parent)
		if err != nil {
			return err
		}
		n.pathID = id
		for _, c := range n.Children {
			if err := walk(c, id); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range t.Roots {
		base := rootBase(r)
		id := 0
		if base.scope == "" && (base.len() > 0 || !isScope(r.Name)) {
			// an unscoped path is the device's, as Windows reads it (and
			// Lookup's second reading of an unscoped URI): ./Vendor/X and
			// ./Device/Vendor/X name one node
			id = x.intern(0, "Device")
		}
		for i := range base.len() {
			id = x.intern(id, base.at(i))
		}
		if err := walk(r, id); err != nil {
			return err
		}
	}
	if !x.anyCIS {
		return nil
	}
	return p.caseClashes(t, x)
}

// claim gives n the id of its path under the path parent, or returns the
// error that names the node that has it already.
func (p *parser) claim(x *pathIndex, n *Node, parent int) (int, error) {
	if n.caseSet && !n.CaseSensitive {
		x.anyCIS = true
	}
	if n.Dynamic() {
		x.parent = append(x.parent, parent)
		x.owner = append(x.owner, n)
		return len(x.owner) - 1, nil
	}
	name := n.Name
	if parent == 0 && n.Parent == nil {
		name = scopeName(name)
	}
	id := x.intern(parent, name)
	if s := x.owner[id]; s != nil {
		return 0, p.clash(n, s, "has the same path")
	}
	x.owner[id] = n
	return id, nil
}

// intern returns the id of the path named name under parent, making one.
func (x *pathIndex) intern(parent int, name string) int {
	k := pathKey{parent, name}
	if id, ok := x.ids[k]; ok {
		return id
	}
	id := len(x.owner)
	x.ids[k] = id
	x.parent = append(x.parent, parent)
	x.owner = append(x.owner, nil)
	return id
}

// pathSegments returns the number of segments of a top-level node's
// Path after its scope segment, if any (rootBase's segments, without
// allocating).
func pathSegments(base string) int {
	if base == "." || base == "" {
		return 0
	}
	base = strings.TrimPrefix(base, "./")
	first, _, _ := strings.Cut(base, "/")
	k := strings.Count(base, "/") + 1
	if isScope(first) {
		k--
	}
	return k
}

// isScope reports whether name is a scope segment: Device or User in any
// letter case.
func isScope(name string) bool {
	return strings.EqualFold(name, "Device") || strings.EqualFold(name, "User")
}

// scopeName returns the name of a top-level node directly under "." as
// Lookup reads it: Device or User in any letter case is the scope
// segment, written Device or User.
func scopeName(name string) string {
	switch {
	case strings.EqualFold(name, "Device"):
		return "Device"
	case strings.EqualFold(name, "User"):
		return "User"
	}
	return name
}

// caseClashes refuses two named siblings that CaseSense CIS reads as one
// name. It visits the nodes in document order, as uniquePaths does.
func (p *parser) caseClashes(t *Tree, x *pathIndex) error {
	// cis[id]: the names at id and below it are read in any case;
	// anyCase[id]: some name under id is (id's own, or a child's)
	cis := make([]bool, len(x.owner))
	anyCase := make([]bool, len(x.owner))
	for id := 1; id < len(cis); id++ {
		if o := x.owner[id]; o != nil && o.caseSet {
			cis[id] = !o.CaseSensitive
		} else {
			cis[id] = cis[x.parent[id]]
		}
		if o := x.owner[id]; o != nil && !o.Dynamic() && cis[id] {
			o.foldCase = true
			if o.Parent != nil {
				o.Parent.foldKids = true
			}
		}
		anyCase[id] = anyCase[id] || cis[id]
		if cis[id] {
			anyCase[x.parent[id]] = true
		}
	}
	for _, r := range t.Roots {
		// the segments of r's Path after its scope, bottom up from the
		// one above r
		k := pathSegments(r.base)
		for i, id := k-1, x.parent[r.pathID]; i >= 0; i, id = i-1, x.parent[id] {
			if cis[id] {
				if r.baseFold == nil {
					r.baseFold = make([]bool, k)
				}
				r.baseFold[i] = true
			}
		}
	}
	folded := map[pathKey]*Node{}
	var walk func(n *Node) error
	walk = func(n *Node) error {
		// only siblings of whom some name is read in any case are compared
		if id := n.pathID; !n.Dynamic() && anyCase[x.parent[id]] {
			k := pathKey{x.parent[id], foldName(x.ownName(n, id))}
			if s, ok := folded[k]; ok {
				if cis[k.parent] || cis[id] || cis[s.pathID] {
					return p.clash(n, s, "has a name that differs only in letter case, which CaseSense CIS reads as the same")
				}
			} else {
				folded[k] = n
			}
		}
		for _, c := range n.Children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range t.Roots {
		if err := walk(r); err != nil {
			return err
		}
	}
	// then paths that differ in case above their parent, so that two
	// siblings are named by the rule for siblings
	canon := x.canonical()
	byCanon := make(map[int]*Node, len(canon))
	var err error
	t.Walk(func(n *Node) bool {
		if n.Dynamic() {
			return true
		}
		if s, ok := byCanon[canon[n.pathID]]; ok {
			err = p.clash(n, s, "has a path that differs only in letter case, which CaseSense CIS reads as the same")
			return false
		}
		byCanon[canon[n.pathID]] = n
		return true
	})
	return err
}

// canonical returns, for each path id, the id of the path as a device
// reads it, letter case aside where CaseSense CIS applies: a path's name
// is folded (foldName) where the path above it reads names in any case,
// as its Node says or, with none, the path above that, or where a named
// path of the same folded name under it reads its own name so, as for
// siblings (all the names of one folding are then one). Each path a
// device reads as one is one node, whose CaseSense is that of the Node
// at it; a dynamic node's path is its own. Two Nodes with one canonical id are one path to the device,
// though they differ in case above their parent (./Vendor/P/a/Q and
// ./Vendor/P/A/Q under a CIS P). Siblings that differ in case are
// compared before, with the rule for siblings.
func (x *pathIndex) canonical() []int {
	names := make([]string, len(x.owner))
	for k, id := range x.ids {
		names[id] = k.name
	}
	// by depth, so that every path above has its canonical id, and its
	// CaseSense, before the paths below it are grouped: order holds the
	// ids level by level, level d from start[d]
	depth := make([]int, len(x.owner))
	var start []int
	for id := 1; id < len(depth); id++ {
		depth[id] = depth[x.parent[id]] + 1
		for len(start) <= depth[id]+1 {
			start = append(start, 0)
		}
		start[depth[id]+1]++
	}
	for d := 1; d < len(start); d++ {
		start[d] += start[d-1]
	}
	order := make([]int, len(depth))
	fill := slices.Clone(start)
	for id := 1; id < len(depth); id++ {
		order[fill[depth[id]]] = id
		fill[depth[id]]++
	}
	canon := make([]int, len(x.owner))
	// cis and set of each canonical id: its names below are read in any
	// case; a Node at it says so
	cis, set := make([]bool, 1, len(x.owner)), make([]bool, 1, len(x.owner))
	keys := make(map[pathKey]int, len(x.owner))
	var ownCIS map[pathKey]bool
	for d := 1; d+1 < len(start); d++ {
		level := order[start[d]:start[d+1]]
		for _, id := range level {
			if o := x.owner[id]; o != nil && !o.Dynamic() && o.caseSet && !o.CaseSensitive && !cis[canon[x.parent[id]]] {
				if ownCIS == nil {
					ownCIS = map[pathKey]bool{}
				}
				ownCIS[pathKey{canon[x.parent[id]], foldName(names[id])}] = true
			}
		}
		for _, id := range level {
			up := canon[x.parent[id]]
			o := x.owner[id]
			c := len(cis)
			if o == nil || !o.Dynamic() {
				k := pathKey{up, names[id]}
				if cis[up] {
					k.name = foldName(k.name)
				} else if ownCIS != nil {
					if f := foldName(k.name); ownCIS[pathKey{up, f}] {
						k.name = f
					}
				}
				if have, ok := keys[k]; ok {
					c = have
				} else {
					keys[k] = c
				}
			}
			if c == len(cis) {
				cis, set = append(cis, cis[up]), append(set, false)
			}
			if o != nil && o.caseSet && !set[c] {
				cis[c], set[c] = !o.CaseSensitive, true
			}
			canon[id] = c
		}
	}
	return canon
}

// ownName is the name n has in the path index: its name, or the scope
// segment's spelling for a top-level node named Device or User.
func (x *pathIndex) ownName(n *Node, id int) string {
	if n.Parent == nil && x.parent[id] == 0 {
		return scopeName(n.Name)
	}
	return n.Name
}

// foldName returns s with letter case folded as Windows compares names
// ignoring case (nodename.Fold: an ordinal comparison, each UTF-16 code
// unit mapped to its simple uppercase): two names give one string exactly
// when Windows reads them as one. So k and K are one name, and σ, ς and
// Σ, and the Georgian Mkhedruli and Mtavruli letters; but the Kelvin
// sign is not k, the long s is not s, neither ı nor İ is i, and a
// character outside the Basic Multilingual Plane keeps its case.
// strings.EqualFold would refuse DDFs Windows reads without a clash.
func foldName(s string) string { return nodename.Fold(s) }

// clash returns the ParseError at Node n, whose path another Node s,
// earlier in the document, already has (what says how): the error names
// both by position and path.
func (p *parser) clash(n, s *Node, what string) error {
	line, col := xmlscan.LineCol(p.input, n.off)
	sLine, sCol := xmlscan.LineCol(p.input, s.off)
	var elems strings.Builder
	elems.WriteString("/MgmtTree")
	for q := n; q != nil; q = q.Parent {
		elems.WriteString("/Node")
	}
	cause := fmt.Errorf("%w: the Node at line %d column %d, %s, %s (a node's path names one node)",
		ErrStructure, sLine, sCol, shownURI(s.Path()), what)
	return pkg.Decode(int64(n.off), line, col, elems.String(), &NodeError{Node: n.Path(), Err: cause})
}
