package ddf

import (
	"strconv"
	"strings"
)

// A Tree is the content of one DDF file: the MgmtTree's version and its
// top-level nodes, each anchored at the path its Path element gives.
type Tree struct {
	// VerDTD is the MgmtTree's VerDTD, "1.2" for every Microsoft file.
	VerDTD string
	// Man and Mod are the optional manufacturer and model elements.
	Man, Mod string
	// Roots are the top-level Node elements in document order.
	Roots []*Node
	// NodeCount is the number of nodes in the tree, roots included.
	NodeCount int
}

// A Node is one Node element of a DDF.
type Node struct {
	// Name is the NodeName; it is empty for a dynamic node, whose instances
	// the server or the client names at run time.
	Name string
	// Title is the DFTitle. For a dynamic node it names the placeholder,
	// such as "ProviderID".
	Title string
	// base is the path above a root, from its Path element ("" or "."
	// for none): "./Device/Vendor/MSFT" for DMClient. It is empty below
	// a root.
	base string
	// Parent is nil for a root.
	Parent *Node
	// Children are the child nodes in document order.
	Children []*Node

	Access      AccessType
	Format      Format
	Occurrence  Occurrence
	Scope       Scope
	Description string
	// DefaultValue is the DefaultValue element's text; HasDefault reports
	// whether the element was present (an empty default is possible).
	DefaultValue string
	HasDefault   bool
	// MIME is the DFType MIME type ("" when the MIME element is empty);
	// DDFName is the DFType DDFName, used by interior nodes.
	MIME    string
	DDFName string
	// CaseSensitive is false when CaseSense says CIS (case-insensitive).
	CaseSensitive bool
	// caseSet reports a CaseSense element: without one, the node reads
	// names as its parent does.
	caseSet bool
	// foldCase reports that Lookup matches the node's name in any letter
	// case: CaseSense CIS applies to it (its own CaseSense or, with none,
	// its nearest ancestor's, as Parse reads paths), the node being named.
	foldCase bool
	// foldKids reports that some child of the node has foldCase.
	foldKids bool
	// baseFold, on a top-level node, reports for each segment of its
	// Path after the scope whether CaseSense CIS applies there (a Node
	// of the tree at that path, or above it, says so); nil when none.
	baseFold []bool
	// Naming says how instances of a dynamic node are named.
	Naming DynamicNaming
	// Applicability is the node's own MSFT:Applicability; children without
	// one inherit their ancestors' (see [Node.Applies]).
	Applicability *Applicability
	// Allowed is the MSFT:AllowedValues description, nil when absent. On
	// a dynamic node of node or null format, which holds no value, it
	// describes the names of the node's instances (see [Tree.Lookup]).
	Allowed *AllowedValues
	// Deprecated reports an MSFT:Deprecated element; DeprecatedIn is its
	// OsBuildDeprecated attribute.
	Deprecated   bool
	DeprecatedIn string
	// Line is the line of the Node start tag in the DDF, from 1.
	Line int
	// off is the byte offset of the Node start tag in the input; pathID
	// the id of its path while Parse checks that paths are distinct.
	off, pathID int
}

// Dynamic reports whether the node is a placeholder for run-time names.
// An empty NodeName means that the name is given when the node is created
// (OMA-DM DDF 1.2, NodeName); this holds for a top-level node too, which
// is then a dynamic node directly under its Path.
func (n *Node) Dynamic() bool { return n.Name == "" }

// Path returns the node's full DM path with dynamic segments written as
// "{Title}" (or "{}" when untitled), such as
// "./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}". It holds names
// as they are, not percent-encoded: the Path element of a top-level node
// (a LocURI) is decoded, and its scope segment is written Device or User.
// A '/' or '%' in a title is percent-encoded in its placeholder
// ("{a%2Fb}"), so each node is one segment.
//
// Path is built on each call from the names up to the root, one string
// of its length. A tree does not store its nodes' paths: each repeats
// every name above it, so a small DDF with long names and many nodes
// would hold paths that grow with the square of its size.
func (n *Node) Path() string {
	var stack [16]*Node
	chain := stack[:0] // n and its ancestors, n first
	size := 0
	for q := n; q != nil; q = q.Parent {
		chain = append(chain, q)
		size += 1 + q.segmentLen()
	}
	base := chain[len(chain)-1].base
	if base == "" {
		base = "."
	}
	var b strings.Builder
	b.Grow(len(base) + size)
	b.WriteString(base)
	for i := len(chain) - 1; i >= 0; i-- {
		b.WriteByte('/')
		chain[i].writeSegment(&b)
	}
	return b.String()
}

// segmentLen is the length of the node's own segment of Path.
func (n *Node) segmentLen() int {
	if !n.Dynamic() {
		return len(n.Name)
	}
	return 2 + len(n.Title) + 2*(strings.Count(n.Title, "%")+strings.Count(n.Title, "/"))
}

// writeSegment writes the node's own segment of Path: its name, or
// "{Title}" with '%' and '/' of the title percent-encoded for a dynamic
// node.
func (n *Node) writeSegment(b *strings.Builder) {
	if !n.Dynamic() {
		b.WriteString(n.Name)
		return
	}
	b.WriteByte('{')
	t := n.Title
	for {
		i := strings.IndexAny(t, "%/")
		if i < 0 {
			break
		}
		b.WriteString(t[:i])
		if t[i] == '%' {
			b.WriteString("%25")
		} else {
			b.WriteString("%2F")
		}
		t = t[i+1:]
	}
	b.WriteString(t)
	b.WriteByte('}')
}

// Leaf reports whether the node holds a value rather than children.
func (n *Node) Leaf() bool { return n.Format != FormatNode }

// Child returns the child named name (an exact, case-sensitive match), or
// nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// EffectiveApplicability returns the node's Applicability, or the nearest
// ancestor's when the node has none; nil if no node on the way has one.
func (n *Node) EffectiveApplicability() *Applicability {
	for p := n; p != nil; p = p.Parent {
		if p.Applicability != nil {
			return p.Applicability
		}
	}
	return nil
}

// Walk calls fn for every node of the tree in document order, parents
// before children. It stops early when fn returns false.
func (t *Tree) Walk(fn func(*Node) bool) {
	var walk func([]*Node) bool
	walk = func(ns []*Node) bool {
		for _, n := range ns {
			if !fn(n) || !walk(n.Children) {
				return false
			}
		}
		return true
	}
	walk(t.Roots)
}

// A DynamicNaming is the MSFT:DynamicNodeNaming of a dynamic node.
type DynamicNaming struct {
	Kind NamingKind
	// Pattern is the text of a UniqueName element, as written. The DDF
	// schema calls it a regular expression for the names, but names no
	// dialect, and Microsoft's own DDFs mostly hold an English description
	// there (CertificateStore's says a certificate's SHA1 hash names it).
	// It is therefore not enforced: Lookup and Check test instance names
	// against AllowedValues only.
	Pattern string
}

// A NamingKind says who names the instances of a dynamic node.
type NamingKind uint8

// The kinds of dynamic node naming.
const (
	NamingUnspecified NamingKind = iota // no DynamicNodeNaming element
	// NamingServerGenerated: the server picks a unique identifier.
	NamingServerGenerated
	// NamingClientInventory: the client names nodes after device state.
	NamingClientInventory
	// NamingUniqueName: the server names the node; Pattern describes
	// the names (not enforced; see DynamicNaming).
	NamingUniqueName
)

// String returns the element name of the kind, such as "ClientInventory".
func (k NamingKind) String() string {
	switch k {
	case NamingUnspecified:
		return "Unspecified"
	case NamingServerGenerated:
		return "ServerGeneratedUniqueIdentifier"
	case NamingClientInventory:
		return "ClientInventory"
	case NamingUniqueName:
		return "UniqueName"
	}
	return "NamingKind(" + strconv.Itoa(int(k)) + ")"
}

// Applicability is the MSFT:Applicability element: what a device needs for
// the node to apply.
type Applicability struct {
	// OSBuilds are the first builds carrying the node, one per servicing
	// branch, such as "10.0.22621" and "10.0.19044.2193".
	OSBuilds []string
	// CSPVersion is the lowest CSP version with the node, such as "1.6".
	CSPVersion string
	// Editions are the edition IDs of EditionAllowList, such as "0x4";
	// empty means no restriction.
	Editions []string
	// RequiresAzureAD reports a RequiresAzureAd element.
	RequiresAzureAD bool
}

// AppliesTo reports whether a device running build (three or four
// dot-separated numbers, such as "10.0.22621.1") has the node. An entry of
// OSBuilds with a revision ("10.0.19044.2193") is a back-port that counts
// only on its own branch at that revision or later; the entry without a
// revision (else the highest entry) is the mainline release, and every
// build from it on qualifies. With no OSBuilds it returns true; a build
// that does not parse returns false. Applicability is not inherited here;
// use Node.EffectiveApplicability.
func (a *Applicability) AppliesTo(build string) bool {
	if a == nil || len(a.OSBuilds) == 0 {
		return true
	}
	have, ok := parseBuild(build)
	if !ok {
		return false
	}
	// Builds with a revision are back-ports that qualify only on their own
	// branch; the entry without one (else the highest entry) is the
	// mainline release, and any later build qualifies.
	var main [4]int
	haveMain := false
	for _, s := range a.OSBuilds {
		want, ok := parseBuild(s)
		if !ok {
			continue
		}
		if [3]int(want[:3]) == [3]int(have[:3]) && have[3] >= want[3] {
			return true
		}
		switch {
		case !haveMain:
			main, haveMain = want, true
		case main[3] != 0 && (want[3] == 0 || compareBuild(want, main) > 0):
			main = want
		}
	}
	return haveMain && compareBuild(have, main) >= 0
}

func parseBuild(s string) ([4]int, bool) {
	var b [4]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 3 || len(parts) > 4 {
		return b, false
	}
	for i, p := range parts {
		n, ok := atoi(p)
		if !ok {
			return b, false
		}
		b[i] = n
	}
	return b, true
}

func compareBuild(a, b [4]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// atoi reads a small non-negative decimal number.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
