package ddf

import (
	"fmt"

	"github.com/windc-go/windc/syncml"
)

// maxURISegments bounds the segments Lookup reads from one LocURI.
const maxURISegments = 128

// Lookup returns the node that locURI names. The URI is read with
// syncml.ParseLocURI: an optional "./", a Device or User scope segment in
// any letter case, and segments percent-decoded one by one. A segment
// matches a child with that exact name or, failing that (also deeper
// down), the dynamic child. A URI without a scope segment, such as
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
	for _, r := range t.Roots {
		base, err := syncml.ParseLocURI(r.Path)
		if err != nil || len(u.Segments) < len(base.Segments) {
			continue
		}
		if base.Scope != u.Scope && !(u.Scope == syncml.ScopeDefault && base.Scope == syncml.ScopeDevice) {
			continue
		}
		ok := true
		for i, s := range base.Segments {
			if u.Segments[i] != s {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if n := descend(r, u.Segments[len(base.Segments):], map[failKey]bool{}); n != nil {
			return n
		}
	}
	return nil
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
