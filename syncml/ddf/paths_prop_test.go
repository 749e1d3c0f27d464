package ddf

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// A pnode is a Node of a generated DDF: its name ("" for a dynamic
// node), its Path (top-level nodes), its CaseSense ("", "CS" or "CIS").
type pnode struct {
	name, base, sense string
	kids              []*pnode
}

// xml writes n as a Node element.
func (n *pnode) xml() string {
	kids := make([]string, len(n.kids))
	for i, k := range n.kids {
		kids[i] = k.xml()
	}
	return caseNode(n.name, n.base, n.sense, kids...)
}

// genTree makes a small DDF from r: top-level nodes under Paths that
// lead through one another, names that differ in letter case, CaseSense
// of each kind, dynamic nodes (several among a Node's children too).
func genTree(r *rand.Rand) []*pnode {
	names := []string{"A", "a", "B", "b", "C", ""}
	senses := []string{"", "", "CS", "CIS"}
	bases := []string{"./V", "./V/A", "./V/a", "./V/A/B", "./V/A/b", "./V/B"}
	var node func(depth int) *pnode
	node = func(depth int) *pnode {
		n := &pnode{name: names[r.Intn(len(names))], sense: senses[r.Intn(len(senses))]}
		if depth < 2 {
			for range r.Intn(4) {
				n.kids = append(n.kids, node(depth+1))
			}
		}
		return n
	}
	roots := make([]*pnode, 1+r.Intn(4))
	for i := range roots {
		roots[i] = node(0)
		roots[i].base = bases[r.Intn(len(bases))]
	}
	return roots
}

// A placed node is a generated node with its full path as segments (a
// dynamic node's segment is its own, "\x00" and its index).
type placed struct {
	n    *pnode
	segs []string
}

// flatten lists the nodes in document order with their paths.
func flatten(roots []*pnode) []placed {
	var out []placed
	var walk func(n *pnode, above []string)
	walk = func(n *pnode, above []string) {
		seg := n.name
		if seg == "" {
			seg = "\x00" + string(rune('0'+len(out)))
		}
		segs := append(slices.Clone(above), seg)
		out = append(out, placed{n, segs})
		for _, k := range n.kids {
			walk(k, segs)
		}
	}
	for _, r := range roots {
		walk(r, strings.Split(strings.TrimPrefix(r.base, "./"), "/"))
	}
	return out
}

// nodeAt returns the generated node at the path segs, or nil.
func nodeAt(all []placed, segs []string) *pnode {
	for _, p := range all {
		if slices.Equal(p.segs, segs) {
			return p.n
		}
	}
	return nil
}

// ambiguous is the oracle: whether two nodes have one path, or two named
// siblings names that differ only in case where CaseSense CIS (the
// parent's, inherited, or either one's own) reads them as one. It
// compares every pair, and finds a path's CaseSense by searching for
// the node at that path.
func ambiguous(all []placed) bool {
	cis := func(segs []string) bool { return cisAt(all, segs) }
	for i, p := range all {
		for _, q := range all[:i] {
			if slices.Equal(p.segs, q.segs) {
				return true
			}
		}
	}
	for i, p := range all {
		for _, q := range all[:i] {
			k := len(p.segs) - 1
			if p.n.name == "" || q.n.name == "" || len(q.segs) != k+1 || !slices.Equal(p.segs[:k], q.segs[:k]) {
				continue
			}
			if strings.EqualFold(p.segs[k], q.segs[k]) && (cis(p.segs[:k]) || cis(p.segs) || cis(q.segs)) {
				return true
			}
		}
	}
	return aliased(all)
}

// cisAt reports whether CaseSense CIS applies at the path segs: the
// CaseSense of the Node at segs, if it has one, or else that of the path
// above, found by searching for the node at each path.
func cisAt(all []placed, segs []string) bool {
	if n := nodeAt(all, segs); n != nil && n.sense != "" {
		return n.sense == "CIS"
	}
	return len(segs) > 0 && cisAt(all, segs[:len(segs)-1])
}

// aliased is the oracle for paths a device reads as one though they
// differ in case above the last name. It starts from every path (each
// Node's and each prefix of one) apart and joins two, until nothing
// changes, when the paths above them are joined and their last names are
// one, or differ only in case while the path above reads names in any
// case (the CaseSense of a Node at a joined path, or else that of the
// path above) or either is a named Node that says CIS. Two named Nodes
// at joined paths make the tree ambiguous.
func aliased(all []placed) bool {
	var paths [][]string
	seen := map[string]int{}
	for _, p := range all {
		for i := 1; i <= len(p.segs); i++ {
			k := strings.Join(p.segs[:i], "/")
			if _, ok := seen[k]; !ok {
				seen[k] = len(paths)
				paths = append(paths, p.segs[:i])
			}
		}
	}
	class := make([]int, len(paths))
	for i := range class {
		class[i] = i
	}
	idx := func(segs []string) int { return seen[strings.Join(segs, "/")] }
	nodeAt := func(segs []string) *pnode { return nodeAt(all, segs) }
	var cis func(segs []string) bool
	cis = func(segs []string) bool {
		if len(segs) == 0 {
			return false
		}
		c := class[idx(segs)]
		for i, q := range paths {
			if class[i] == c {
				if n := nodeAt(q); n != nil && n.sense != "" {
					return n.sense == "CIS"
				}
			}
		}
		return cis(segs[:len(segs)-1])
	}
	ownCIS := func(segs []string) bool {
		n := nodeAt(segs)
		return n != nil && n.name != "" && n.sense == "CIS"
	}
	for changed := true; changed; {
		changed = false
		for i, p := range paths {
			for j, q := range paths[:i] {
				k := len(p) - 1
				if class[i] == class[j] || len(q) != k+1 || (k > 0 && class[idx(p[:k])] != class[idx(q[:k])]) {
					continue
				}
				if p[k] != q[k] && !(strings.EqualFold(p[k], q[k]) && (cis(p[:k]) || ownCIS(p) || ownCIS(q))) {
					continue
				}
				from, to := class[i], class[j]
				for m := range class {
					if class[m] == from {
						class[m] = to
					}
				}
				changed = true
			}
		}
	}
	for i, p := range all {
		for _, q := range all[:i] {
			if p.n.name != "" && q.n.name != "" && class[idx(p.segs)] == class[idx(q.segs)] {
				return true
			}
		}
	}
	return false
}

// TestPathsProperty: Parse refuses a generated DDF, with ErrStructure,
// exactly when the oracle finds two nodes one path makes ambiguous; and
// in one it accepts, Lookup of a named node's path with no dynamic node
// on it finds that node, and Lookup of each node's path with some names
// in another letter case (and instance names for dynamic nodes) finds
// one of the nodes bestMatches gives, or none when it gives none.
func TestPathsProperty(t *testing.T) {
	p := gopter.DefaultTestParametersWithSeed(20261207)
	p.MinSuccessfulTests = 2000
	if testing.Short() {
		p.MinSuccessfulTests = 200
	}
	props := gopter.NewProperties(p)
	props.Property("paths", prop.ForAll(func(seed int64) string {
		rnd := rand.New(rand.NewSource(seed))
		roots := genTree(rnd)
		xml := make([]string, len(roots))
		for i, r := range roots {
			xml[i] = r.xml()
		}
		in := sibTree(xml...)
		all := flatten(roots)
		want := ambiguous(all)
		tree, err := Parse([]byte(in))
		switch {
		case want && err == nil:
			return "accepted, want refused: " + in
		case want && !errors.Is(err, ErrStructure):
			return "err = " + err.Error() + ", want ErrStructure"
		case want:
			return ""
		case err != nil:
			return "refused (" + err.Error() + "), want accepted: " + in
		}
		for _, p := range all {
			// the path in other letter cases: found where CIS applies
			segs := slices.Clone(p.segs)
			for i, s := range segs {
				switch {
				case strings.HasPrefix(s, "\x00"):
					segs[i] = "zz"
				case rnd.Intn(2) == 0:
					segs[i] = swapCase(s)
				}
			}
			uri := "./" + strings.Join(segs, "/")
			want := bestMatches(all, segs)
			switch n, err := tree.Lookup(uri); {
			case len(want) == 0 && !errors.Is(err, ErrNoSuchNode):
				return "Lookup(" + uri + ") found " + fmt.Sprint(n, err) + ", want ErrNoSuchNode: " + in
			case len(want) > 0 && (err != nil || !slices.Contains(want, n.Path())):
				return "Lookup(" + uri + ") found " + fmt.Sprint(n, err) + ", want one of " + strings.Join(want, " ") + ": " + in
			}
		}
		for _, p := range all {
			uri := "./" + strings.Join(p.segs, "/")
			if strings.Contains(uri, "\x00") {
				// a dynamic node on the way: an instance name
				segs := slices.Clone(p.segs)
				for i, s := range segs {
					if strings.HasPrefix(s, "\x00") {
						segs[i] = "zz"
					}
				}
				uri = "./" + strings.Join(segs, "/")
				n, err := tree.Lookup(uri)
				if err != nil || !slices.Contains(bestMatches(all, segs), n.Path()) {
					return "Lookup(" + uri + ") found " + fmt.Sprint(n, err) + ", want one of " + strings.Join(bestMatches(all, segs), " ") + ": " + in
				}
				continue
			}
			n, err := tree.Lookup(uri)
			if err != nil || n.Name != p.n.name || n.Path() != uri || n.Dynamic() {
				got := "nothing"
				if n != nil {
					got = n.Path()
				}
				return "Lookup(" + uri + ") found " + got + ": " + in
			}
		}
		return ""
	}, gen.Int64()))
	props.TestingRun(t)
}

// bestMatches is the oracle for Lookup of segs: of the nodes whose path
// matches segs (a dynamic segment matches any name; a named one its name
// as written or, where CaseSense CIS applies at it (cisAt), in any
// letter case, be it a Node's name or a segment of a top-level node's
// Path), the Paths of
// those named furthest down: at the first segment where two differ, a
// named one wins over a dynamic one. It compares every node.
func bestMatches(all []placed, segs []string) []string {
	var best [][]bool
	var paths []string
	for _, p := range all {
		if len(p.segs) != len(segs) {
			continue
		}
		dyn := make([]bool, len(segs))
		match := true
		for i, s := range p.segs {
			dyn[i] = strings.HasPrefix(s, "\x00")
			match = match && (dyn[i] || s == segs[i] ||
				strings.EqualFold(s, segs[i]) && cisAt(all, p.segs[:i+1]))
		}
		if !match {
			continue
		}
		cmp := 0
		if len(best) > 0 {
			cmp = slices.CompareFunc(dyn, best[0], func(a, b bool) int {
				switch {
				case a == b:
					return 0
				case b:
					return -1
				}
				return 1
			})
		}
		if cmp < 0 {
			best, paths = nil, nil
		}
		if cmp <= 0 {
			best = append(best, dyn)
			paths = append(paths, pathOf(p))
		}
	}
	return paths
}

// pathOf is p's Node.Path as the generated DDF makes it (a dynamic
// node's title is "T").
func pathOf(p placed) string {
	segs := slices.Clone(p.segs)
	for i, s := range segs {
		if strings.HasPrefix(s, "\x00") {
			segs[i] = "{T}"
		}
	}
	return "./" + strings.Join(segs, "/")
}

// swapCase returns s with its ASCII letters in the other case.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}
