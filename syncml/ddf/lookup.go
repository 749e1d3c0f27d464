package ddf

import (
	"fmt"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// Lookup returns the node that locURI names. The URI is read with
// syncml.ParseLocURI: an optional "./", a Device or User scope segment in
// any letter case, and segments percent-decoded one by one. A segment
// matches a child with that exact name or, failing that (also deeper
// down), the dynamic child. A top-level node with an empty NodeName is a
// dynamic node directly under its Path, matched the same way, after the
// named top-level nodes. Node paths are read as LocURIs too, so a node
// named Device or User directly under "." is reached through the scope
// segment. A URI without a scope segment, such as "./Vendor/MSFT/…",
// finds nodes in the device scope too, as Windows reads it.
//
// The error wraps ErrURI (and syncml.ErrLocURI) for a malformed URI and
// ErrNoSuchNode when no node matches. Any number of segments is read: a
// node as deep as Parse admits can be found, and the search stops where
// the tree ends, whatever the URI's length.
func (t *Tree) Lookup(locURI string) (*Node, error) {
	u, err := syncml.ParseLocURI(locURI)
	if err != nil {
		return nil, fmt.Errorf("ddf: %w: %w", ErrURI, err)
	}
	if n := t.find(u); n != nil {
		return n, nil
	}
	return nil, fmt.Errorf("ddf: %s: %w", locURI, ErrNoSuchNode)
}

// find matches u against each root's path, both read as LocURIs and
// compared as segment lists with the scope, if any, as the first segment.
func (t *Tree) find(u syncml.LocURI) *Node {
	uris := [2]path{newPath(u.Scope, u.Segments)}
	n := 1
	if u.Scope == syncml.ScopeDefault {
		// Unscoped URIs find device-scope nodes too, as Windows reads them.
		uris[1] = newPath(syncml.ScopeDevice, u.Segments)
		n = 2
	}
	// One memo serves every root and both readings: they share the URI's
	// suffixes, and the memo is keyed by how many segments are left.
	failed := map[failKey]bool{}
	// Named roots first, so a named node wins over a dynamic one here too.
	for _, dynamic := range [...]bool{false, true} {
		for _, r := range t.Roots {
			if r.Dynamic() != dynamic {
				continue
			}
			base := rootBase(r)
			for _, p := range uris[:n] {
				if !p.under(base) {
					continue
				}
				k := base.len()
				if !dynamic && !sameRootName(r.Name, p.at(k), k == 0) {
					continue
				}
				if m := descend(r, p.from(k+1), failed); m != nil {
					return m
				}
			}
		}
	}
	return nil
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

// under reports whether base is a proper prefix of p.
func (p path) under(base path) bool {
	if p.len() <= base.len() {
		return false
	}
	for i := range base.len() {
		if p.at(i) != base.at(i) {
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

// sameRootName reports whether a root named name matches seg. A root
// directly under "." whose name is a scope segment (Device or User in any
// letter case) is read as that scope is, so its name matches in any case.
func sameRootName(name, seg string, first bool) bool {
	if first && (strings.EqualFold(name, "Device") || strings.EqualFold(name, "User")) {
		return strings.EqualFold(name, seg)
	}
	return name == seg
}

type failKey struct {
	n    *Node
	left int
}

// descend matches segs below n, preferring named children and remembering
// dead ends so a tree with both kinds at every level stays linear.
func descend(n *Node, segs []string, failed map[failKey]bool) *Node {
	if len(segs) == 0 {
		return n
	}
	key := failKey{n, len(segs)}
	if failed[key] {
		return nil
	}
	for _, c := range n.Children {
		if c.Name != "" && c.Name == segs[0] {
			if m := descend(c, segs[1:], failed); m != nil {
				return m
			}
		}
	}
	for _, c := range n.Children {
		if c.Name == "" {
			if m := descend(c, segs[1:], failed); m != nil {
				return m
			}
		}
	}
	failed[key] = true
	return nil
}
