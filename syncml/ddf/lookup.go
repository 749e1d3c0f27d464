package ddf

import (
	"fmt"
	"strings"
)

// maxURISegments bounds the segments Lookup reads from one LocURI.
const maxURISegments = 128

// Lookup returns the node that locURI names. The URI may start with "./"
// or name a root directly; each segment is percent-decoded on its own, so
// "%2F" stays inside its segment. A segment matches a child with that exact
// name or, failing that (also deeper down), the dynamic child. A URI under
// "./Vendor/" is also tried under "./Device/Vendor/", the device scope
// Windows assumes.
//
// The error wraps ErrURI for a malformed URI and ErrNoSuchNode when no node
// matches.
func (t *Tree) Lookup(locURI string) (*Node, error) {
	segs, err := splitURI(locURI)
	if err != nil {
		return nil, err
	}
	if n := t.find(segs); n != nil {
		return n, nil
	}
	if len(segs) > 0 && segs[0] == "Vendor" {
		if n := t.find(append([]string{"Device"}, segs...)); n != nil {
			return n, nil
		}
	}
	return nil, fmt.Errorf("ddf: %s: %w", locURI, ErrNoSuchNode)
}

func (t *Tree) find(segs []string) *Node {
	for _, r := range t.Roots {
		base := rootSegments(r)
		if len(segs) < len(base) {
			continue
		}
		ok := true
		for i, s := range base {
			if segs[i] != s {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if n := descend(r, segs[len(base):], map[failKey]bool{}); n != nil {
			return n
		}
	}
	return nil
}

// rootSegments returns the segments of a root node's path after ".".
func rootSegments(r *Node) []string {
	p := strings.TrimPrefix(strings.TrimPrefix(r.Path, "."), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
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

// splitURI splits a LocURI into percent-decoded segments without the
// leading ".".
func splitURI(s string) ([]string, error) {
	bad := func(why string) error { return fmt.Errorf("ddf: LocURI %q: %w: %s", s, ErrURI, why) }
	if s == "" {
		return nil, bad("empty")
	}
	if s[0] == '/' {
		return nil, bad("starts with '/'")
	}
	rest := strings.TrimSuffix(s, "/")
	switch {
	case rest == ".":
		return nil, nil
	case strings.HasPrefix(rest, "./"):
		rest = rest[2:]
	}
	raw := strings.Split(rest, "/")
	if len(raw) > maxURISegments {
		return nil, bad("too many segments")
	}
	segs := make([]string, len(raw))
	for i, r := range raw {
		if r == "" || r == "." || r == ".." {
			return nil, bad("empty, '.' or '..' segment")
		}
		d, ok := unescape(r)
		if !ok {
			return nil, bad("bad percent-encoding in " + r)
		}
		segs[i] = d
	}
	return segs, nil
}

// unescape decodes %XX escapes; '+' stays '+'.
func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		h, ok1 := unhex(s[i+1])
		l, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b = append(b, h<<4|l)
		i += 2
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
