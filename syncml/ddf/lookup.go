package ddf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// maxURISegments bounds the segments Lookup reads from one LocURI.
const maxURISegments = 128

// Lookup returns the node that locURI names. The URI is read with
// syncml.ParseLocURI: an optional "./", a Device or User scope segment in
// any letter case, and segments percent-decoded one by one. A segment
// matches a child with that exact name or, failing that (also deeper
// down), the dynamic child. A top-level node with an empty NodeName is a
// dynamic node directly under its Path, matched the same way, after the
// named top-level nodes. A URI without a scope segment, such as
// "./Vendor/MSFT/…", finds roots in the device scope too, as Windows reads
// it.
//
// The error wraps ErrURI (and syncml.ErrLocURI) for a malformed URI and
// ErrNoSuchNode when no node matches.
func (t *Tree) Lookup(locURI string) (*Node, error) {
	u, err := syncml.ParseLocURI(locURI)
	if err != nil {
		return nil, fmt.Errorf("ddf: %w: %w", ErrURI, err)
	}
	if len(u.Segments) > maxURISegments {
		return nil, fmt.Errorf("ddf: LocURI %q: %w: more than %d segments", locURI, ErrURI, maxURISegments)
	}
	if n := t.find(u); n != nil {
		return n, nil
	}
	return nil, fmt.Errorf("ddf: %s: %w", locURI, ErrNoSuchNode)
}

func (t *Tree) find(u syncml.LocURI) *Node {
	failed := map[failKey]bool{}
	// Named roots first, so a named node wins over a dynamic one here too.
	for _, dynamic := range [...]bool{false, true} {
		for _, r := range t.Roots {
			if r.Dynamic() != dynamic {
				continue
			}
			base, ok := rootBase(r)
			if !ok || len(u.Segments) <= len(base.Segments) {
				continue
			}
			if base.Scope != u.Scope && !(u.Scope == syncml.ScopeDefault && base.Scope == syncml.ScopeDevice) {
				continue
			}
			if !slices.Equal(u.Segments[:len(base.Segments)], base.Segments) {
				continue
			}
			rest := u.Segments[len(base.Segments):]
			if !dynamic && rest[0] != r.Name {
				continue
			}
			if n := descend(r, rest[1:], failed); n != nil {
				return n
			}
		}
	}
	return nil
}

// rootBase reads the path above root r, its Path without its own segment.
// It parses that path with a stand-in last segment, so a parent path that
// is only a scope ("./Device") reads as that scope and "." as no segments.
func rootBase(r *Node) (syncml.LocURI, bool) {
	parent, ok := strings.CutSuffix(r.Path, "/"+r.pathSegment())
	if !ok {
		return syncml.LocURI{}, false
	}
	u, err := syncml.ParseLocURI(parent + "/x")
	if err != nil {
		return syncml.LocURI{}, false
	}
	u.Segments = u.Segments[:len(u.Segments)-1]
	return u, true
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
