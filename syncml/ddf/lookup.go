package ddf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/syncml"
)

// Lookup returns the node that locURI names. The URI is read with
// syncml.ParseLocURI: an optional "./", a Device or User scope segment in
// any letter case, and segments percent-decoded one by one. A segment
// matches a child with that exact name or, failing that (also deeper
// down), a child whose name it spells in another letter case where
// CaseSense CIS applies to that child (its own CaseSense or, with none,
// its nearest ancestor's, as Parse reads paths; an explicit CS stops
// it), compared as Windows compares names ignoring case (see the
// package doc), or, failing that, a dynamic child: of two dynamic
// children that lead to a match, the one whose match is named further
// down, the first of equals
// (Changed: the first that led to a match was taken). A top-level node
// with an empty NodeName is a dynamic node directly under its Path,
// matched the same way, after the
// named top-level nodes. Where the URI would name nodes under two
// top-level nodes, the one whose route is named further down wins, so a
// top-level node whose Path leads through another's dynamic child, or to
// its path, wins over that node's dynamic children as a named child
// does. Node paths are read as LocURIs too, so a node
// named Device or User directly under "." is reached through the scope
// segment. A URI without a scope segment, such as "./Vendor/MSFT/…",
// finds nodes in the device scope too, as Windows reads it; and a
// device-scope URI finds the nodes of a top-level node whose Path is
// unscoped (./Vendor/MSFT, or "." itself: ./Device/DevDetail finds
// DevDetail; Changed: it found none), as Parse holds an unscoped path and
// the device's one path.
//
// Changed: names were compared as written everywhere; a CIS node is now
// found in any letter case, as a device routes it. The node returned is
// the DDF's, its Name as the DDF writes it. Parse refuses siblings that
// CIS reads as one name, so at most one child matches a segment in
// another case; an exact match is still tried first, so a name as
// written never loses to one that only folds to it (which a Node not
// built by Parse could hold). The segments of a top-level node's Path
// are read the same way: in any case where CIS applies at them (a Node
// at that path, or above it, says so), as written elsewhere, as
// ./Vendor/MSFT is in Microsoft's DDFs, where no Node declares it.
//
// A dynamic node that holds no value (node or null format) has no value
// for its AllowedValues to describe: they describe the names of its
// instances, such as the GUID a DeclaredConfiguration {DocID} must be.
// Such a node matches only a segment they allow, read as written
// (percent-decoded, spaces kept): a RegEx must match all of it, an ENUM
// name is one of the values as text, a Range or Flag name a number
// within them. A named sibling still comes first. A dynamic node of
// another format holds a value, which Check reads against its
// AllowedValues, and takes any name.
//
// The error wraps ErrURI (and syncml.ErrLocURI) for a malformed URI; it
// is a *NameError, which wraps ErrValue, when the URI would name a node
// but for a segment that the AllowedValues of the dynamic node it names
// refuse; else it wraps ErrNoSuchNode when no node matches. Any number
// of segments is read: a node as deep as Parse admits can be found, and
// the search stops where the tree ends, whatever the URI's length.
func (t *Tree) Lookup(locURI string) (*Node, error) {
	u, err := syncml.ParseLocURI(locURI)
	if err != nil {
		return nil, &uriError{err}
	}
	s := search{segments: len(u.Segments)}
	if u.Scope != syncml.ScopeDefault {
		s.segments++
	}
	if n := t.find(u, &s); n != nil {
		return n, nil
	}
	if s.refused != nil {
		return nil, s.nameError(locURI)
	}
	return nil, fmt.Errorf("ddf: %s: %w", shownURI(locURI), ErrNoSuchNode)
}

// A search is the state of one Lookup: its memos of dead ends and the
// first instance name refused on the way.
type search struct {
	// failed holds dead ends; shape those found with names not checked.
	failed, shape map[failKey]bool
	// segments is the number of segments in the URI as written, its
	// scope segment included.
	segments int
	// refused is the first dynamic node (in search order) that refused
	// its segment where the URI would otherwise name a node; name is the
	// segment, left the number of segments from it to the end, why the
	// refusal.
	refused *Node
	name    string
	left    int
	why     error
}

// namesOwn reports whether n's AllowedValues describe its names: n is
// dynamic and holds no value.
func namesOwn(n *Node) bool {
	return n.Allowed != nil && n.Dynamic() && (n.Format == FormatNode || n.Format == FormatNull)
}

// admits reports whether dynamic node c takes name, segs being the
// segments below it. A refusal where the rest of the URI fits the tree's
// shape below c is recorded, the first one only.
func (s *search) admits(c *Node, name string, segs []string) bool {
	if !namesOwn(c) {
		return true
	}
	err := c.Allowed.allowsName(name)
	if err == nil {
		return true
	}
	left := len(segs) + 1
	// A segment the URI does not hold (the device scope read into an
	// unscoped URI) is refused without a NameError.
	if s.refused == nil && left <= s.segments {
		if s.shape == nil {
			s.shape = map[failKey]bool{}
		}
		if descend(c, segs, s.shape, nil) != nil {
			s.refused, s.name, s.left, s.why = c, name, left, err
		}
	}
	return false
}

// nameError describes the refusal s recorded.
func (s *search) nameError(locURI string) *NameError {
	idx := s.segments - s.left
	prefix := 0
	if strings.HasPrefix(locURI, "./") {
		prefix = 2
	}
	off := prefix
	for i, seg := 0, locURI[prefix:]; i < idx; i++ {
		j := strings.IndexByte(seg, '/')
		off += j + 1
		seg = seg[j+1:]
	}
	return &NameError{LocURI: locURI, Segment: idx, Offset: off, Name: s.name,
		Node: s.refused.Path(), Err: ErrValue, Detail: s.why.Error()}
}

// find matches u against each root's path, both read as LocURIs and
// compared as segment lists with the scope, if any, as the first segment.
func (t *Tree) find(u syncml.LocURI, s *search) *Node {
	uris := [2]path{newPath(u.Scope, u.Segments)}
	n := 1
	switch u.Scope {
	case syncml.ScopeDefault:
		// Unscoped URIs find device-scope nodes too, as Windows reads them.
		uris[1] = newPath(syncml.ScopeDevice, u.Segments)
		n = 2
	case syncml.ScopeDevice:
		// and device-scope URIs the nodes of an unscoped root, such as
		// one at ./Vendor/MSFT (Parse holds the two one path)
		uris[1] = newPath(syncml.ScopeDefault, u.Segments)
		n = 2
	}
	// One memo serves every root and both readings: they share the URI's
	// suffixes, and the memo is keyed by how many segments are left.
	s.failed = map[failKey]bool{}
	// Each root gives its best match (descend prefers named children);
	// of those, the one named further down wins (route.better), as a
	// named child wins over a dynamic one: a top-level node under the
	// path of another's dynamic node is such a child. Named roots first,
	// and the first of equals.
	var best, bestRoot *Node
	bestAt := 0
	for _, dynamic := range [...]bool{false, true} {
		for _, r := range t.Roots {
			if r.Dynamic() != dynamic {
				continue
			}
			base := rootBase(r)
			for i, p := range uris[:n] {
				if i == 1 && u.Scope == syncml.ScopeDevice && base.scope != "" {
					continue // the unscoped reading is for unscoped roots only
				}
				if !p.under(base, r.baseFold) {
					continue
				}
				k := base.len()
				if !dynamic && !sameRootName(r, p.at(k), k == 0) {
					continue
				}
				if dynamic && !s.admits(r, p.at(k), p.from(k+1)) {
					continue
				}
				m := descend(r, p.from(k+1), s.failed, s)
				if m == nil {
					continue
				}
				at := k + len(u.Segments) - p.len()
				switch {
				case !dynamicOn(m, r):
					return m // named all the way: none is better
				case best == nil || routeOf(m, r, at).better(routeOf(best, bestRoot, bestAt)):
					best, bestRoot, bestAt = m, r, at
				}
			}
		}
	}
	return best
}

// dynamicOn reports whether a dynamic node is on the way from r down to
// m, both included.
func dynamicOn(m, r *Node) bool {
	for q := m; ; q = q.Parent {
		if q.Dynamic() {
			return true
		}
		if q == r {
			return false
		}
	}
}

// A route is where a match has dynamic nodes: the indexes, among the
// URI's segments after its scope, of the segments that dynamic nodes
// matched, in increasing order.
type route []int

// routeOf returns the route of m, found below root r, whose own segment
// is the URI's segment at index at.
func routeOf(m, r *Node, at int) route {
	depth := 0
	for q := m; q != r; q = q.Parent {
		depth++
	}
	var rt route
	for q, i := m, at+depth; ; q, i = q.Parent, i-1 {
		if q.Dynamic() {
			rt = append(rt, i)
		}
		if q == r {
			break
		}
	}
	slices.Reverse(rt)
	return rt
}

// better reports whether rt is named where o is dynamic at the first
// segment where they differ (or has fewer dynamic segments, the rest
// being alike).
func (rt route) better(o route) bool {
	for i := range min(len(rt), len(o)) {
		if rt[i] != o[i] {
			return rt[i] > o[i]
		}
	}
	return len(rt) < len(o)
}

// A path is a LocURI read as one list of segments: the scope's segment
// ("Device" or "User"), if any, then the node names.
type path struct {
	scope string
	segs  []string
}

func newPath(s syncml.Scope, segs []string) path {
	switch s {
	case syncml.ScopeDevice:
		return path{"Device", segs}
	case syncml.ScopeUser:
		return path{"User", segs}
	}
	return path{"", segs}
}

func (p path) len() int {
	if p.scope != "" {
		return len(p.segs) + 1
	}
	return len(p.segs)
}

func (p path) at(i int) string {
	if p.scope != "" {
		if i == 0 {
			return p.scope
		}
		i--
	}
	return p.segs[i]
}

// from returns the segments from index i on; i > 0 when p has a scope.
func (p path) from(i int) []string {
	if p.scope != "" {
		i--
	}
	return p.segs[i:]
}

// under reports whether base is a proper prefix of p, the segments of
// base after its scope that fold says true of compared ignoring case.
func (p path) under(base path, fold []bool) bool {
	if p.len() <= base.len() {
		return false
	}
	skip := 0 // base's scope segment, which fold does not cover
	if base.scope != "" {
		skip = 1
	}
	for i := range base.len() {
		a, b := p.at(i), base.at(i)
		if a != b && (i < skip || fold == nil || !fold[i-skip] || !nodename.EqualFold(a, b)) {
			return false
		}
	}
	return true
}

// rootBase returns the path above root r, from its Path element. Path
// holds node names as they are, not percent-encoded; its first segment
// is the scope when it is Device or User in any letter case.
func rootBase(r *Node) path {
	if r.base == "." || r.base == "" {
		return path{}
	}
	segs := strings.Split(strings.TrimPrefix(r.base, "./"), "/")
	switch {
	case strings.EqualFold(segs[0], "Device"):
		return path{"Device", segs[1:]}
	case strings.EqualFold(segs[0], "User"):
		return path{"User", segs[1:]}
	}
	return path{"", segs}
}

// sameRootName reports whether root r's name matches seg: as written or,
// where CaseSense CIS applies to r, in any letter case. A root
// directly under "." whose name is a scope segment (Device or User in any
// letter case) is read as that scope is, so its name matches in any case.
func sameRootName(r *Node, seg string, first bool) bool {
	if first && (strings.EqualFold(r.Name, "Device") || strings.EqualFold(r.Name, "User")) {
		return strings.EqualFold(r.Name, seg)
	}
	return r.Name == seg || r.foldCase && nodename.EqualFold(r.Name, seg)
}

type failKey struct {
	n    *Node
	left int
}

// descend matches segs below n as Lookup states: a named child wins over
// a dynamic one and, of two dynamic children that lead to a match, the
// one whose match is named further down (route.better), the first of
// equals. Dead ends are remembered in failed so a tree with both kinds at
// every level stays linear; a match needs no memo, as a node is reached
// only through its parent and once for each number of segments left.
// With s, a dynamic child must admit its name (search.admits); with s
// nil, only the shape of the tree counts.
func descend(n *Node, segs []string, failed map[failKey]bool, s *search) *Node {
	if len(segs) == 0 {
		return n
	}
	key := failKey{n, len(segs)}
	if failed[key] {
		return nil
	}
	for _, c := range n.Children {
		if c.Name != "" && c.Name == segs[0] {
			if m := descend(c, segs[1:], failed, s); m != nil {
				return m
			}
		}
	}
	if n.foldKids {
		// then a name CaseSense CIS reads in any case (Parse left at most
		// one that folds to the segment's name)
		for _, c := range n.Children {
			if c.foldCase && c.Name != segs[0] && nodename.EqualFold(c.Name, segs[0]) {
				if m := descend(c, segs[1:], failed, s); m != nil {
					return m
				}
			}
		}
	}
	var best, bestDyn *Node
	for _, c := range n.Children {
		if c.Name != "" {
			continue
		}
		if s != nil && !s.admits(c, segs[0], segs[1:]) {
			continue
		}
		switch m := descend(c, segs[1:], failed, s); {
		case m == nil:
		case best == nil:
			if namedBelow(m, c) {
				// no other dynamic child does better
				return m
			}
			best, bestDyn = m, c
		case namedFurther(m, c, best, bestDyn):
			best, bestDyn = m, c
		}
	}
	if best == nil {
		failed[key] = true
	}
	return best
}

// namedFurther reports whether m, found below c, is named where o, found
// below oc at the same depth, is dynamic at the first node from the top
// where they differ (route.better, without building the routes).
func namedFurther(m, c, o, oc *Node) bool {
	better := false
	for q, r := m, o; q != c; q, r = q.Parent, r.Parent {
		if q.Dynamic() != r.Dynamic() {
			better = r.Dynamic()
		}
	}
	return better
}

// namedBelow reports whether every node on the way from c down to m, c
// excluded, is named.
func namedBelow(m, c *Node) bool {
	for q := m; q != c; q = q.Parent {
		if q.Dynamic() {
			return false
		}
	}
	return true
}
