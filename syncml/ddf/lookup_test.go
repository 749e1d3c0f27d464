package ddf

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// testTree has a named and a dynamic child side by side, to exercise the
// preference for named nodes and the fallback to the dynamic one.
const testTree = `<MgmtTree><VerDTD>1.2</VerDTD>
<Node><NodeName>Root</NodeName><Path>./Device/Vendor/MSFT</Path>
 <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><Scope><Permanent/></Scope></DFProperties>
 <Node><NodeName>Fixed</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName>Leaf</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node>
 </Node>
 <Node><NodeName></NodeName>
  <DFProperties><AccessType><Add/><Delete/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>
  <Node><NodeName>Other</NodeName><DFProperties><AccessType><Get/><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node>
 </Node>
</Node></MgmtTree>`

func TestLookup(t *testing.T) {
	tr, err := Parse([]byte(testTree))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uri  string
		want string // node Path, or "" for an error
		err  error
	}{
		{"./Device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Device/Vendor/MSFT/Root/", "", ErrURI},
		{"./device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"Device/Vendor/MSFT/Root", "./Device/Vendor/MSFT/Root", nil},
		{"./Device/Vendor/MSFT/Root/Fixed/Leaf", "./Device/Vendor/MSFT/Root/Fixed/Leaf", nil},
		// "Fixed" is also a valid instance name: the named path fails at
		// "Other", so the dynamic node takes over.
		{"./Device/Vendor/MSFT/Root/Fixed/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/MS%20DM%20SERVER/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/a%2Fb/Other", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%E2%82%AC/Other", "./Device/Vendor/MSFT/Root/{Id}/Other", nil},
		{"./Device/Vendor/MSFT/Root/x/Leaf", "", ErrNoSuchNode},
		{"./User/Vendor/MSFT/Root", "", ErrNoSuchNode},
		{"./Device/Vendor/MSFT/root", "", ErrNoSuchNode},
		{"./Device/Vendor/MSFT", "", ErrNoSuchNode},
		{"", "", ErrURI},
		{"/Device/Vendor/MSFT/Root", "", ErrURI},
		{"./Device//Vendor", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%zz", "", ErrURI},
		{"./Device/Vendor/MSFT/Root/%2", "", ErrURI},
		{"./Device/Vendor/../Root", "", ErrURI},
		{"./" + strings.Repeat("a/", 129) + "a", "", ErrNoSuchNode},
	}
	for _, tt := range tests {
		n, err := tr.Lookup(tt.uri)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Lookup(%q) error = %v, want %v", tt.uri, err, tt.err)
			}
			continue
		}
		if err != nil || n.Path() != tt.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tt.uri, n, err, tt.want)
		}
	}
}

// TestLookupDeepTree: a node as deep as Parse admits with the default
// MaxDepth (252 Node levels: with MgmtTree, DFProperties, AccessType and
// Get, 256 elements) is found, as Check finds it; a URI one segment or a
// hundred thousand segments longer names no node. Lookup refused URIs of
// more than 128 segments, so nodes below that depth could not be reached.
func TestLookupDeepTree(t *testing.T) {
	const depth = DefaultMaxDepth - 4
	props := `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	in := `<MgmtTree>` + strings.Repeat(`<Node><NodeName>a</NodeName>`+props, depth) + strings.Repeat(`</Node>`, depth) + `</MgmtTree>`
	tr, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	uri := "./" + strings.Repeat("a/", depth-1) + "a"
	n, err := tr.Lookup(uri)
	if err != nil || strings.Count(n.Path(), "/") != depth || len(n.Children) != 0 {
		t.Fatalf("Lookup of the deepest node = %v, %v", n, err)
	}
	if err := tr.Check(&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}}); err != nil {
		t.Errorf("Check of a Get of the deepest node: %v", err)
	}
	for _, extra := range []int{1, 100_000} {
		if _, err := tr.Lookup(uri + strings.Repeat("/a", extra)); !errors.Is(err, ErrNoSuchNode) {
			t.Errorf("Lookup %d segments below the deepest node = %v, want ErrNoSuchNode", extra, err)
		}
	}
}

// TestLookupBacktrackingIsBounded builds a chain where every level has a
// named and a dynamic child; a failing lookup must not explore 2^depth paths.
func TestLookupBacktrackingIsBounded(t *testing.T) {
	const depth = 60
	props := `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	var b strings.Builder
	b.WriteString(`<MgmtTree><Node><NodeName>R</NodeName>` + props)
	for i := 0; i < depth; i++ {
		b.WriteString(`<Node><NodeName>a</NodeName>` + props + `</Node><Node><NodeName></NodeName>` + props)
	}
	b.WriteString(strings.Repeat(`</Node>`, depth) + `</Node></MgmtTree>`)
	tr, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	uri := "./R/" + strings.Repeat("a/", depth) + "zz"
	if _, err := tr.Lookup(uri); !errors.Is(err, ErrNoSuchNode) {
		t.Errorf("Lookup = %v, want ErrNoSuchNode", err)
	}
}

// TestLookupDynamicRoot: an empty NodeName means the node's name is given
// when it is created (OMA-DM DDF 1.2, NodeName), also for a top-level
// node, so a root without a name is a dynamic node under its Path.
func TestLookupDynamicRoot(t *testing.T) {
	const props = `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	leaf := `<Node><NodeName>Leaf</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node>`
	tests := []struct {
		name string
		ddf  string
		uri  string
		want string // node Path, or "" for ErrNoSuchNode
	}{
		// The FuzzDDFParse finding: no Path, no DFTitle, empty properties.
		{"bare", `<MgmtTree><Node><NodeName></NodeName><DFProperties></DFProperties></Node></MgmtTree>`, "./x", "./{}"},
		{"bare without ./", `<MgmtTree><Node><NodeName></NodeName><DFProperties></DFProperties></Node></MgmtTree>`, "x", "./{}"},
		{"bare escaped", `<MgmtTree><Node><NodeName></NodeName><DFProperties></DFProperties></Node></MgmtTree>`, "./id%20%7B%7D", "./{}"},
		{"bare too deep", `<MgmtTree><Node><NodeName></NodeName><DFProperties></DFProperties></Node></MgmtTree>`, "./x/y", ""},
		{"blank NodeName", `<MgmtTree><Node><NodeName> </NodeName>` + props + `</Node></MgmtTree>`, "./x", "./{}"},
		{"self-closing NodeName", `<MgmtTree><Node><NodeName/>` + props + `</Node></MgmtTree>`, "./x", "./{}"},
		{"titled under Path", `<MgmtTree><Node><NodeName></NodeName><Path>./Device/Vendor/MSFT</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>` + leaf + `</Node></MgmtTree>`,
			"./Device/Vendor/MSFT/abc", "./Device/Vendor/MSFT/{Id}"},
		{"titled child", `<MgmtTree><Node><NodeName></NodeName><Path>./Device/Vendor/MSFT</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>` + leaf + `</Node></MgmtTree>`,
			"./Vendor/MSFT/a%20b/Leaf", "./Device/Vendor/MSFT/{Id}/Leaf"},
		{"titled parent is not the node", `<MgmtTree><Node><NodeName></NodeName><Path>./Device/Vendor/MSFT</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>` + leaf + `</Node></MgmtTree>`,
			"./Device/Vendor/MSFT", ""},
		{"titled other scope", `<MgmtTree><Node><NodeName></NodeName><Path>./Device/Vendor/MSFT</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>Id</DFTitle></DFProperties>` + leaf + `</Node></MgmtTree>`,
			"./User/Vendor/MSFT/abc", ""},
		{"title with slash", `<MgmtTree><Node><NodeName></NodeName><Path>./Vendor</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>a/b</DFTitle></DFProperties>` + leaf + `</Node></MgmtTree>`,
			"./Vendor/x/Leaf", "./Vendor/{a%2Fb}/Leaf"},
		{"title with percent", `<MgmtTree><Node><NodeName></NodeName><Path>./Vendor</Path>` +
			`<DFProperties><DFFormat><node/></DFFormat><DFTitle>%zz</DFTitle></DFProperties></Node></MgmtTree>`,
			"./Vendor/x", "./Vendor/{%25zz}"},
		{"scope segment is the parent", `<MgmtTree><Node><NodeName></NodeName><Path>./Device</Path>` + props + `</Node></MgmtTree>`,
			"./Device/x", "./Device/{}"},
		{"scope segment parent, unscoped URI", `<MgmtTree><Node><NodeName></NodeName><Path>./Device</Path>` + props + `</Node></MgmtTree>`,
			"./x", "./Device/{}"},
		// A named root wins over a dynamic one beside it, and the dynamic
		// one takes over when the named path fails deeper down.
		{"named root first", `<MgmtTree><Node><NodeName></NodeName><Path>./Vendor</Path>` + props + leaf + `</Node>` +
			`<Node><NodeName>N</NodeName><Path>./Vendor</Path>` + props + `</Node></MgmtTree>`,
			"./Vendor/N", "./Vendor/N"},
		{"dynamic root fallback", `<MgmtTree><Node><NodeName></NodeName><Path>./Vendor</Path>` + props + leaf + `</Node>` +
			`<Node><NodeName>N</NodeName><Path>./Vendor</Path>` + props + `</Node></MgmtTree>`,
			"./Vendor/N/Leaf", "./Vendor/{}/Leaf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Parse([]byte(tt.ddf))
			if err != nil {
				t.Fatal(err)
			}
			n, err := tr.Lookup(tt.uri)
			if tt.want == "" {
				if !errors.Is(err, ErrNoSuchNode) {
					t.Errorf("Lookup(%q) = %v, %v; want ErrNoSuchNode", tt.uri, n, err)
				}
				return
			}
			if err != nil || n.Path() != tt.want {
				t.Fatalf("Lookup(%q) = %v, %v; want %s", tt.uri, n, err, tt.want)
			}
		})
	}
}

// TestLookupSpecDynamic resolves the unnamed nodes of Microsoft's DDFs
// (an instance name stands in for each) and every node of each file by
// its own path with the placeholders filled in.
func TestLookupSpecDynamic(t *testing.T) {
	tests := []struct {
		file, uri, want string
	}{
		{"DMAcc.xml", "./SyncML/DMAcc/2a1b/AppAddr/1/Port/1/PortNbr", "./SyncML/DMAcc/{AccountUID}/AppAddr/{ObjectName}/Port/{ObjectName}/PortNbr"},
		{"DMAcc.xml", "./SyncML/DMAcc/2a1b/AppAuth/CLCRED", "./SyncML/DMAcc/{AccountUID}/AppAuth/{ObjectName}"},
		{"DMAcc.xml", "./SyncML/DMAcc/2a1b", "./SyncML/DMAcc/{AccountUID}"},
		{"DMClient.xml", "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll", "./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/LinkedEnrollment/Enroll"},
		{"DMClient.xml", "./User/Vendor/MSFT/DMClient/Provider/P1", "./User/Vendor/MSFT/DMClient/Provider/{ProviderID}"},
		{"DeclaredConfiguration.xml", "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document", "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/{DocID}/Document"},
		{"DeclaredConfiguration.xml", "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Results/27FEA311-68B9-4320-9FC4-296F6FDFAFE2", "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Results/{DocID}"},
	}
	for _, tt := range tests {
		tr := mustParseSpec(t, tt.file)
		n, err := tr.Lookup(tt.uri)
		if err != nil || n.Path() != tt.want {
			t.Errorf("%s: Lookup(%q) = %v, %v; want %s", tt.file, tt.uri, n, err, tt.want)
		}
	}
	for _, file := range []string{"DMAcc.xml", "DMClient.xml", "DeclaredConfiguration.xml", "DeclaredConfiguration.2024-09.xml", "DevDetail.xml", "DevInfo.xml"} {
		tr := mustParseSpec(t, file)
		tr.Walk(func(n *Node) bool {
			if got, err := tr.Lookup(instanceURI(n)); err != nil || got != n {
				t.Errorf("%s: Lookup(%q) = %v, %v; want the node %s", file, instanceURI(n), got, err, n.Path())
			}
			return true
		})
	}
}

// TestLookupSpecUnnamedRoot gives the root of each Microsoft DDF an empty
// NodeName, as a file describing a node whose name comes from elsewhere
// would, and expects every node to resolve under an instance name.
func TestLookupSpecUnnamedRoot(t *testing.T) {
	for _, file := range []string{"DMAcc.xml", "DeclaredConfiguration.xml", "DevInfo.xml"} {
		b := readSpec(t, file)
		i := strings.Index(string(b), "<NodeName>")
		j := strings.Index(string(b), "</NodeName>")
		if i < 0 || j < i {
			t.Fatalf("%s: no NodeName", file)
		}
		b = append(append(b[:i:i], "<NodeName>"...), b[j:]...)
		tr, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(tr.Roots) != 1 || !tr.Roots[0].Dynamic() {
			t.Fatalf("%s: root not dynamic", file)
		}
		tr.Walk(func(n *Node) bool {
			if got, err := tr.Lookup(instanceURI(n)); err != nil || got != n {
				t.Errorf("%s: Lookup(%q) = %v, %v; want the node %s", file, instanceURI(n), got, err, n.Path())
			}
			return true
		})
	}
}

// testGUID is a name DeclaredConfiguration's {DocID} nodes allow.
const testGUID = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"

// instanceName returns made, or testGUID when the AllowedValues of the
// dynamic node n describe its names and refuse made.
func instanceName(n *Node, made string) string {
	if namesOwn(n) && n.Allowed.allowsName(made) != nil {
		return testGUID
	}
	return made
}

// instanceURI is the LocURI of one instance of n: its ancestors' names,
// percent-encoded, with a made-up name for each dynamic node (a GUID
// where a name must be one).
func instanceURI(n *Node) string {
	var segs []string
	for q := n; q != nil; q = q.Parent {
		name := q.Name
		if q.Dynamic() {
			name = instanceName(q, "inst "+q.Title)
		}
		segs = append(segs, url.PathEscape(name))
	}
	root := n
	for root.Parent != nil {
		root = root.Parent
	}
	base := root.base
	if base == "" {
		base = "."
	}
	slices.Reverse(segs)
	return base + "/" + strings.Join(segs, "/")
}

// TestLookupScopeNamedRoot: a node's path is read as a LocURI, as the URI
// looked up is, so a top-level node named Device or User (any letter
// case) under "." is reached through the scope segment of the URI.
func TestLookupScopeNamedRoot(t *testing.T) {
	const props = `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	root := func(name string) string {
		return `<MgmtTree><Node><NodeName>` + name + `</NodeName>` + props +
			`<Node><NodeName>A</NodeName>` + props + `</Node></Node>` +
			`<Node><NodeName>Vendor</NodeName>` + props + `</Node></MgmtTree>`
	}
	tests := []struct {
		root, uri string
		want      string // node Path, or "" for ErrNoSuchNode
	}{
		{"Device", "./Device/A", "./Device/A"},
		{"Device", "./device/A", "./Device/A"},
		{"Device", "./Device", "./Device"},
		{"device", "./device/A", "./device/A"},
		{"device", "./DEVICE/A", "./device/A"},
		{"User", "./User/A", "./User/A"},
		{"uSER", "./uSER/A", "./uSER/A"},
		{"User", "./Device/A", ""},
		{"Device", "./User/A", ""},
		// An unscoped URI is read in the device scope too.
		{"Device", "./A", "./Device/A"},
		{"User", "./A", ""},
		// A root under "." is unscoped, so the device's (as Parse holds
		// it): a device-scope URI reaches it when the Device root has no
		// such child (Changed: it reached none).
		{"Device", "./Vendor", "./Vendor"},
		{"Device", "./Device/Vendor", "./Vendor"},
		{"User", "./User/Vendor", ""},
	}
	for _, tt := range tests {
		tr, err := Parse([]byte(root(tt.root)))
		if err != nil {
			t.Fatal(err)
		}
		n, err := tr.Lookup(tt.uri)
		if tt.want == "" {
			if !errors.Is(err, ErrNoSuchNode) {
				t.Errorf("root %s: Lookup(%q) = %v, %v; want ErrNoSuchNode", tt.root, tt.uri, n, err)
			}
			continue
		}
		if err != nil || n.Path() != tt.want {
			t.Errorf("root %s: Lookup(%q) = %v, %v; want %s", tt.root, tt.uri, n, err, tt.want)
		}
	}
}

// dynNode is a dynamic Node titled title holding the given children: its
// Path shows the title.
func dynNode(title string, children ...string) string {
	return strings.Replace(sibNode("", "", children...), "<DFTitle>T</DFTitle>", "<DFTitle>"+title+"</DFTitle>", 1)
}

// TestLookupDynamicSiblings: of two dynamic children that both lead to a
// match, Lookup takes the one whose match is named further down, as a
// named node wins over a dynamic one; the first of equals.
func TestLookupDynamicSiblings(t *testing.T) {
	in := sibTree(sibNode("X", "./Vendor",
		dynNode("D1", dynNode("E1"), sibNode("a", "", dynNode("F1"))),
		dynNode("D2", sibNode("n", ""), sibNode("a", "", sibNode("b", ""))),
		dynNode("D3", sibNode("m", ""), sibNode("a", "", dynNode("F3", sibNode("c", "")))),
		dynNode("D4", sibNode("m", ""), dynNode("E4", sibNode("c", "")))))
	tree, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ uri, want string }{
		{"./Vendor/X/z/n", "./Vendor/X/{D2}/n"},        // D1's {E1} matched first
		{"./Vendor/X/z/a/b", "./Vendor/X/{D2}/a/b"},    // D1's a/{F1} matched first
		{"./Vendor/X/z/a/q", "./Vendor/X/{D1}/a/{F1}"}, // equals: the first
		{"./Vendor/X/z/m", "./Vendor/X/{D3}/m"},        // equals: the first
		{"./Vendor/X/z/a/y/c", "./Vendor/X/{D3}/a/{F3}/c"},
		{"./Vendor/X/z/y/c", "./Vendor/X/{D4}/{E4}/c"},
		{"./Vendor/X/z/y", "./Vendor/X/{D1}/{E1}"},
	} {
		if n, err := tree.Lookup(tt.uri); err != nil || n.Path() != tt.want {
			t.Errorf("Lookup(%s) = %v; want %s", tt.uri, shownPath(n, err), tt.want)
		}
	}
}

// shownPath is n's path, or the error.
func shownPath(n *Node, err error) string {
	if err != nil {
		return err.Error()
	}
	return n.Path()
}
