package ddf

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
)

// specDir is the shared spec folder, read in place.
const specDir = "../../../shared/spec/ddf"

// readSpec returns a DDF from the shared spec folder, skipping the test when
// the folder is absent.
func readSpec(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(specDir, name))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skipf("spec file %s absent", name)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustParseSpec(tb testing.TB, name string) *Tree {
	tb.Helper()
	t, err := Parse(readSpec(tb, name))
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return t
}

func TestParseSpecFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(specDir, "*.xml"))
	if len(files) == 0 {
		t.Skip("no DDF files in " + specDir)
	}
	want := map[string]struct {
		nodes int
		roots []string
	}{
		"DMAcc.xml":                         {36, []string{"./SyncML/DMAcc"}},
		"DMClient.xml":                      {109, []string{"./User/Vendor/MSFT/DMClient", "./Device/Vendor/MSFT/DMClient"}},
		"DeclaredConfiguration.xml":         {20, []string{"./Device/Vendor/MSFT/DeclaredConfiguration"}},
		"DeclaredConfiguration.2024-09.xml": {18, []string{"./Device/Vendor/MSFT/DeclaredConfiguration"}},
		"DevDetail.xml":                     {36, []string{"./DevDetail"}},
		"DevInfo.xml":                       {8, []string{"./DevInfo"}},
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), "\uFEFF") {
				t.Errorf("%s no longer starts with a BOM; the BOM case is untested", name)
			}
			tr, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tr.VerDTD != "1.2" {
				t.Errorf("VerDTD = %q, want 1.2", tr.VerDTD)
			}
			count := 0
			tr.Walk(func(n *Node) bool {
				count++
				if n.Format == "" {
					t.Errorf("%s: no DFFormat", n.Path())
				}
				if n.Dynamic() != strings.HasSuffix(n.Path(), "}") {
					t.Errorf("%s: Dynamic() = %v", n.Path(), n.Dynamic())
				}
				for _, c := range n.Children {
					if c.Parent != n {
						t.Errorf("%s: child %s has wrong parent", n.Path(), c.Path())
					}
					if got, err := tr.Lookup(instanceURI(c)); err != nil || got != c {
						t.Errorf("Lookup(%s) = %v, %v; want the node itself", instanceURI(c), got, err)
					}
				}
				return true
			})
			if count != tr.NodeCount {
				t.Errorf("Walk saw %d nodes, NodeCount %d", count, tr.NodeCount)
			}
			w, ok := want[name]
			if !ok {
				return
			}
			if tr.NodeCount != w.nodes {
				t.Errorf("NodeCount = %d, want %d", tr.NodeCount, w.nodes)
			}
			var roots []string
			for _, r := range tr.Roots {
				roots = append(roots, r.Path())
			}
			if strings.Join(roots, " ") != strings.Join(w.roots, " ") {
				t.Errorf("roots = %v, want %v", roots, w.roots)
			}
		})
	}
}

func TestParseDMClientProperties(t *testing.T) {
	tr := mustParseSpec(t, "DMClient.xml")
	const le = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/"
	get := func(uri string) *Node {
		t.Helper()
		n, err := tr.Lookup(uri)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", uri, err)
		}
		return n
	}

	provider := get("./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER")
	if !provider.Dynamic() || provider.Title != "ProviderID" || provider.Naming.Kind != NamingServerGenerated ||
		provider.Occurrence.Kind != OccurrenceZeroOrOne || provider.Access != AccessAdd|AccessDelete|AccessGet {
		t.Errorf("Provider/{ProviderID} = %+v", provider)
	}
	if provider.Path() != "./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}" {
		t.Errorf("Path = %q", provider.Path())
	}

	status := get(le + "EnrollStatus")
	if status.Format != FormatInt || status.Access != AccessGet || status.Scope != ScopeDynamic || status.MIME != "" {
		t.Errorf("EnrollStatus = %+v", status)
	}
	if status.Allowed == nil || status.Allowed.Type != ValueENUM || len(status.Allowed.Enums) != 9 ||
		status.Allowed.Enums[8] != (Enum{"8", "UnEnrollment Succeeded."}) {
		t.Errorf("EnrollStatus allowed values = %+v", status.Allowed)
	}
	if a := status.EffectiveApplicability(); a == nil || a.CSPVersion != "1.6" || len(a.OSBuilds) != 5 || a.OSBuilds[1] != "10.0.22000.918" {
		t.Errorf("EnrollStatus inherited applicability = %+v", a)
	}
	if status.Applicability != nil {
		t.Errorf("EnrollStatus has its own applicability %+v", status.Applicability)
	}

	ep := get(le + "DiscoveryEndpoint")
	if ep.Format != FormatChr || ep.Access != AccessAdd|AccessDelete|AccessGet|AccessReplace ||
		ep.Applicability == nil || ep.Applicability.OSBuilds[0] != "99.9.99999" || ep.Applicability.CSPVersion != "9.9" {
		t.Errorf("DiscoveryEndpoint = %+v", ep)
	}
	if enroll := get(le + "Enroll"); enroll.Format != FormatNull || enroll.Access != AccessExec {
		t.Errorf("Enroll = %+v", enroll)
	}

	cadence := get("./Device/Vendor/MSFT/DMClient/Provider/P/ConfigRefresh/Cadence")
	if cadence.Allowed.Type != ValueRange || cadence.Allowed.Min != 30 || cadence.Allowed.Max != 1440 ||
		!cadence.HasDefault || cadence.DefaultValue != "90" {
		t.Errorf("Cadence = %+v, allowed %+v", cadence, cadence.Allowed)
	}
	ver := get("./Vendor/MSFT/DMClient/Provider/P/SyncApplicationVersion")
	if ver.Allowed.Type != ValueRegEx || ver.Allowed.Regexp == nil || ver.Allowed.Value != `^(\d\.)?(\d)$` {
		t.Errorf("SyncApplicationVersion allowed = %+v", ver.Allowed)
	}
	pol := get("./User/Vendor/MSFT/DMClient/Provider/P/FirstSyncStatus/ExpectedPolicies")
	if pol.Allowed.Delimiter != "\uF000" {
		t.Errorf("ExpectedPolicies delimiter = %q, want U+F000", pol.Allowed.Delimiter)
	}
	block := get("./Device/Vendor/MSFT/DMClient/Provider/P/FirstSyncStatus/BlockInStatusPage")
	if block.Allowed.Type != ValueFlag || block.Scope != ScopePermanent {
		t.Errorf("BlockInStatusPage = %+v", block)
	}
	root := get("./Device/Vendor/MSFT/DMClient")
	if root.Applicability == nil || len(root.Applicability.Editions) == 0 || root.Applicability.Editions[0] != "0x4" {
		t.Errorf("root applicability = %+v", root.Applicability)
	}
	if !strings.Contains(get("./Device/Vendor/MSFT/DMClient/Provider/P/PublisherDeviceID").Description, "<enterprise id>") {
		t.Error("CDATA description lost")
	}
}

func TestParseErrors(t *testing.T) {
	const head = `<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>`
	props := `<DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties>`
	tests := []struct {
		name   string
		in     string
		lim    Limits
		want   error  // sentinel, or nil for a *LimitError
		limit  string // LimitError.Limit
		line   int
		column int
		path   string
		node   string
	}{
		{name: "empty", in: "", want: ErrSyntax, line: 1, column: 1},
		{name: "not xml", in: "\uFEFF<MgmtTree><Node>", want: ErrSyntax, line: 1, path: "/MgmtTree/Node"},
		{name: "wrong root", in: `<Tree/>`, want: ErrStructure, line: 1, column: 1, path: "/Tree"},
		{name: "undefined entity", in: head + `<Node><NodeName>&foo;</NodeName>` + props + `</Node></MgmtTree>`, want: ErrSyntax},
		{name: "no NodeName", in: head + "\n<Node>" + props + `</Node></MgmtTree>`, want: ErrStructure, line: 2, path: "/MgmtTree/Node"},
		{name: "unknown format", in: head + "<Node><NodeName>A</NodeName>\n<DFProperties><DFFormat><string/></DFFormat></DFProperties></Node></MgmtTree>",
			want: ErrStructure, line: 2, column: 25, path: "/MgmtTree/Node/DFProperties/DFFormat/string", node: "./A"},
		{name: "unknown access", in: head + `<Node><NodeName>A</NodeName><Path>./Device</Path><DFProperties><AccessType><Put/></AccessType></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 1, path: "/MgmtTree/Node/DFProperties/AccessType/Put", node: "./Device/A"},
		{name: "bad range", in: head + `<Node><NodeName>A</NodeName><DFProperties><DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[9-1]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, node: "./A"},
		{name: "nested node path", in: head + `<Node><NodeName>A</NodeName>` + props + `<Node><NodeName></NodeName><DFProperties><DFTitle>Id</DFTitle><Scope><Forever/></Scope></DFProperties></Node></Node></MgmtTree>`,
			want: ErrStructure, node: "./A/{Id}"},
		{name: "text in node", in: head + `<Node>oops<NodeName>A</NodeName></Node></MgmtTree>`, want: ErrStructure},
		// Path is a LocURI (OMA-DM DDF 1.2, Path): one that ParseLocURI
		// refuses is refused here, where Lookup could never reach the node.
		{name: "Path bad escape", in: head + `<Node><NodeName>A</NodeName><Path>./Vendor/a%zz</Path>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path", node: "./A"},
		{name: "Path empty segment", in: head + `<Node><Path>./a//b</Path><NodeName>A</NodeName>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path"},
		{name: "Path dot segment", in: head + `<Node><Path>./Vendor/./x</Path><NodeName>A</NodeName>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path"},
		{name: "Path escaped slash", in: head + `<Node><Path>./Vendor/a%2Fb</Path><NodeName>A</NodeName>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path"},
		{name: "Path absolute", in: head + `<Node><Path>/Vendor</Path><NodeName>A</NodeName>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path"},
		{name: "Path slash", in: head + `<Node><Path>/</Path><NodeName>A</NodeName>` + props + `</Node></MgmtTree>`,
			want: ErrStructure, path: "/MgmtTree/Node/Path"},
		{name: "latin1", in: `<?xml version="1.0" encoding="ISO-8859-1"?><MgmtTree/>`, want: ErrEncoding},
		// Found by FuzzDDFParse: the column after a newline was 0.
		{name: "entity then newline", in: "&\n", want: ErrSyntax, line: 1, column: 1},
		{name: "two roots", in: `<MgmtTree/><MgmtTree/>`, want: ErrSyntax, column: 12},
		// The schemas allow these once; a second replaced the first,
		// silently (an AllowedValues dropped the first's constraint).
		{name: "second Description", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat><Description>one</Description>` + "\n" + `<Description>two</Description></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/Description", node: "./A"},
		{name: "second DFFormat", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat>` + "\n" + `<DFFormat><int/></DFFormat></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/DFFormat", node: "./A"},
		{name: "second AllowedValues", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-5]</MSFT:Value></MSFT:AllowedValues>` + "\n" + `<MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-500]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/AllowedValues", node: "./A"},
		{name: "second Value", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-5]</MSFT:Value>` + "\n" + `<MSFT:Value>[1-500]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/AllowedValues/Value", node: "./A"},
		{name: "second Enum Value", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>1</MSFT:Value>` + "\n" + `<MSFT:Value>2</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/AllowedValues/Enum/Value", node: "./A"},
		{name: "second MSFT Applicability", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><MSFT:Applicability><MSFT:CspVersion>1.0</MSFT:CspVersion></MSFT:Applicability>` + "\n" + `<MSFT:Applicability/></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/Applicability", node: "./A"},
		{name: "second OsBuildVersion", in: head + `<Node><NodeName>A</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><int/></DFFormat><MSFT:Applicability><MSFT:OsBuildVersion>10.0.10240</MSFT:OsBuildVersion>` + "\n" + `<MSFT:OsBuildVersion>10.0.26100</MSFT:OsBuildVersion></MSFT:Applicability></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/Applicability/OsBuildVersion", node: "./A"},
		{name: "second naming kind", in: head + `<Node><NodeName></NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>X</DFTitle><MSFT:DynamicNodeNaming><MSFT:UniqueName>a</MSFT:UniqueName>` + "\n" + `<MSFT:ClientInventory/></MSFT:DynamicNodeNaming></DFProperties></Node></MgmtTree>`,
			want: ErrStructure, line: 2, column: 1, path: "/MgmtTree/Node/DFProperties/DynamicNodeNaming/ClientInventory", node: "./{X}"},
		{name: "MaxBytes", in: head + `</MgmtTree>`, lim: Limits{MaxBytes: 10}, limit: "MaxBytes"},
		{name: "MaxDepth", in: head + strings.Repeat("<Node>", 5), lim: Limits{MaxDepth: 4}, limit: "MaxDepth"},
		{name: "MaxNodes", in: head + strings.Repeat(`<Node><NodeName>A</NodeName>`+props, 3) + strings.Repeat(`</Node>`, 3) + `</MgmtTree>`, lim: Limits{MaxNodes: 2}, limit: "MaxNodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLimits([]byte(tt.in), tt.lim)
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if tt.limit != "" {
				var le *LimitError
				if !errors.As(err, &le) || le.Limit != tt.limit {
					t.Fatalf("err = %v, want LimitError %s", err, tt.limit)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %T %v, want *ParseError", err, err)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if tt.column != 0 && pe.Column != tt.column {
				t.Errorf("Column = %d, want %d (%v)", pe.Column, tt.column, err)
			}
			if tt.path != "" && pe.Path != tt.path {
				t.Errorf("Path = %q, want %q", pe.Path, tt.path)
			}
			node := ""
			if ne := (*NodeError)(nil); errors.As(err, &ne) {
				node = ne.Node
			}
			if node != tt.node {
				t.Errorf("node = %q, want %q (%v)", node, tt.node, err)
			}
			if pe.Offset < 0 || pe.Offset > int64(len(tt.in)) {
				t.Errorf("Offset %d outside input of %d bytes", pe.Offset, len(tt.in))
			}
			if !strings.HasPrefix(err.Error(), "ddf: line ") {
				t.Errorf("message %q lacks the ddf prefix and position", err)
			}
		})
	}
}

func TestParseOffsetCountsBOM(t *testing.T) {
	in := "\uFEFF<MgmtTree><Bad/></MgmtTree>"
	_, err := Parse([]byte(in))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if want := int64(strings.Index(in, "<Bad")); pe.Offset != want || pe.Column != int(want)+1 {
		t.Errorf("Offset, Column = %d, %d; want %d, %d", pe.Offset, pe.Column, want, want+1)
	}
}

func TestParseOccurrenceAndNaming(t *testing.T) {
	in := `<MgmtTree xmlns:M="http://schemas.microsoft.com/MobileDevice/DM"><Node><NodeName></NodeName><Path>./Vendor/X</Path>
<DFProperties><AccessType><Add/><Copy/></AccessType><DFFormat><node/></DFFormat><Occurrence><ZeroOrN>7</ZeroOrN></Occurrence>
<CaseSense><CIS/></CaseSense><DFType><DDFName>urn:x</DDFName></DFType>
<M:DynamicNodeNaming><M:UniqueName>^[a-z]+$</M:UniqueName></M:DynamicNodeNaming><M:Deprecated OsBuildDeprecated="10.0.1"/>
<M:AllowedValues ValueType="ADMX"><M:AdmxBacked Area="a" Name="n" File="f.admx"/></M:AllowedValues>
<M:Applicability><M:RequiresAzureAd/></M:Applicability></DFProperties></Node></MgmtTree>`
	tr, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	n := tr.Roots[0]
	if n.Path() != "./Vendor/X/{}" || n.Occurrence != (Occurrence{OccurrenceZeroOrN, 7}) || n.CaseSensitive ||
		n.DDFName != "urn:x" || n.Naming != (DynamicNaming{NamingUniqueName, "^[a-z]+$"}) || !n.Deprecated ||
		n.DeprecatedIn != "10.0.1" || n.Allowed.AdmxFile != "f.admx" || !n.Applicability.RequiresAzureAD ||
		n.Access.String() != "Add,Copy" {
		t.Errorf("node = %+v", n)
	}
}

// TestParseRootPath: the Path element is a LocURI; Node.Path holds its
// segments percent-decoded, as NodeNames are, so the node's own URI
// (its path with each name percent-encoded) finds it.
func TestParseRootPath(t *testing.T) {
	tests := []struct {
		path     string // Path element content; "-" for none
		wantPath string
		uri      string
	}{
		{"-", "./R", "./R"},
		{"", "./R", "./R"},
		{".", "./R", "./R"},
		{"./", "./R", "./R"},
		{" ./Vendor ", "./Vendor/R", "./Vendor/R"},
		{"./Vendor/", "./Vendor/R", "./Vendor/R"},
		{"Vendor/MSFT", "./Vendor/MSFT/R", "./Vendor/MSFT/R"},
		{"./Vendor/MS%20DM", "./Vendor/MS DM/R", "./Vendor/MS%20DM/R"},
		{"./Vendor/a%25b", "./Vendor/a%b/R", "./Vendor/a%25b/R"},
		{"./Vendor/a%25zz", "./Vendor/a%zz/R", "./Vendor/a%25zz/R"},
		{"./device/Vendor", "./Device/Vendor/R", "./Device/Vendor/R"},
		{"./device/Vendor", "./Device/Vendor/R", "./Vendor/R"},
		{"User", "./User/R", "./user/R"},
		{"Device", "./Device/R", "./Device/R"},
	}
	for _, tt := range tests {
		elem := "<Path>" + tt.path + "</Path>"
		if tt.path == "-" {
			elem = ""
		}
		in := `<MgmtTree><Node><NodeName>R</NodeName>` + elem + `<DFProperties><DFFormat><node/></DFFormat></DFProperties></Node></MgmtTree>`
		tr, err := Parse([]byte(in))
		if err != nil {
			t.Errorf("Path %q: %v", tt.path, err)
			continue
		}
		if got := tr.Roots[0].Path(); got != tt.wantPath {
			t.Errorf("Path %q: node Path = %q, want %q", tt.path, got, tt.wantPath)
		}
		if n, err := tr.Lookup(tt.uri); err != nil || n != tr.Roots[0] {
			t.Errorf("Path %q: Lookup(%q) = %v, %v; want the root", tt.path, tt.uri, n, err)
		}
	}
}

// TestParseDotNodeName: a NodeName "." or ".." names a node no LocURI can
// reach (ParseLocURI refuses such segments), as a Path that does not
// parse would; both are ParseErrors, at the top level and below.
func TestParseDotNodeName(t *testing.T) {
	for _, in := range []string{
		`<MgmtTree><Node><NodeName>.</NodeName><DFProperties><DFFormat><node/></DFFormat></DFProperties></Node></MgmtTree>`,
		`<MgmtTree><Node><NodeName> .. </NodeName><DFProperties><DFFormat><node/></DFFormat></DFProperties></Node></MgmtTree>`,
		`<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><node/></DFFormat></DFProperties>` +
			`<Node><NodeName>..</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node></Node></MgmtTree>`,
	} {
		_, err := Parse([]byte(in))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrStructure) {
			t.Errorf("%s: err = %v, want a ParseError matching ErrStructure", in, err)
		}
	}
}

// TestParseControlNodeName: a NodeName holding a character XML text may
// carry but a node name may not (tab, DEL, a C1 control, written raw or
// as a reference) is a ParseError too, at the top level and below: every
// LocURI naming it would be refused. Names ParseLocURI takes are kept as
// written: only XML white space is trimmed from their ends, not U+00A0 or
// U+2028 (which strings.TrimSpace took, renaming the node).
func TestParseControlNodeName(t *testing.T) {
	node := func(name string) string {
		return `<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><node/></DFFormat></DFProperties>` +
			`<Node><NodeName>` + name + `</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node></Node></MgmtTree>`
	}
	for _, name := range []string{"A\tB", "A&#9;B", "A\x7f", "&#x7F;", "A\u0085B", "\u009f", "x&#x80;"} {
		name, _ = strconv.Unquote(`"` + name + `"`)
		for _, in := range []string{node(name), strings.Replace(node(name), "<NodeName>A</NodeName>", "<NodeName>"+name+"</NodeName>", 1)} {
			_, err := Parse([]byte(in))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrStructure) || !strings.Contains(err.Error(), "control character") {
				t.Errorf("%q: err = %v, want a ParseError matching ErrStructure naming the control character", in, err)
			}
		}
	}
	for _, name := range []string{"A B", "\u00a0x", "\u00e9\u2028", "%7F"} {
		name, _ = strconv.Unquote(`"` + name + `"`)
		tr, err := Parse([]byte(node(name)))
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		uri := "./A/" + url.PathEscape(name)
		if n, err := tr.Lookup(uri); err != nil || n.Name != name {
			t.Errorf("%q: Lookup(%q) = %v, %v", name, uri, n, err)
		}
	}
}

// TestParseTrimsXMLSpaceOnly: every text the parser trims (MIME,
// DDFName, an Occurrence bound, a Range) loses XML white space only: a
// U+00A0 stays, so a MIME keeps it and a bound or Range holding one is no
// number (a ParseError), as in the values Check reads.
func TestParseTrimsXMLSpaceOnly(t *testing.T) {
	const nbsp = "\u00a0"
	tr, err := Parse([]byte(`<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><chr/></DFFormat>` +
		`<DFType><MIME> text/plain` + nbsp + `</MIME></DFType></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Roots[0].MIME; got != "text/plain"+nbsp {
		t.Errorf("MIME = %q, want the U+00A0 kept", got)
	}
	for _, in := range []string{
		`<MgmtTree><Node><NodeName>A</NodeName><DFProperties><DFFormat><node/></DFFormat><Occurrence><ZeroOrN>` + nbsp + `5</ZeroOrN></Occurrence></DFProperties></Node></MgmtTree>`,
		`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><Node><NodeName>A</NodeName><DFProperties><DFFormat><int/></DFFormat>` +
			`<MSFT:AllowedValues ValueType="Range"><MSFT:Value>` + nbsp + `[1-5]</MSFT:Value></MSFT:AllowedValues></DFProperties></Node></MgmtTree>`,
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrStructure) {
			t.Errorf("%s: err = %v, want ErrStructure", in, err)
		}
	}
}

// TestParseErrorMessages: an encoding a DDF may not use is named with the
// one it may; bytes that are not UTF-8 are an ErrEncoding at the first of
// them, as in the module's other decoders, in comments, processing
// instructions and the DOCTYPE too; outside every element the path is "",
// as in syncml, not "/".
func TestParseErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		{"Windows-1252", `<?xml version="1.0" encoding="Windows-1252"?><MgmtTree/>`, ErrEncoding,
			`ddf: line 1, column 1 (offset 0): bad character encoding: unsupported encoding "Windows-1252": a DDF must be UTF-8 (a byte-order mark and encoding="UTF-8" are optional)`},
		{"UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?><MgmtTree/>`, ErrEncoding,
			`ddf: line 1, column 1 (offset 0): bad character encoding: unsupported encoding "UTF-16": a DDF must be UTF-8 (a byte-order mark and encoding="UTF-8" are optional)`},
		{"invalid UTF-8", "<MgmtTree>\n<VerDTD>1.2\xff</VerDTD></MgmtTree>", ErrEncoding,
			`ddf: line 2, column 12 (offset 22) in /MgmtTree/VerDTD: bad character encoding: invalid UTF-8`},
		// comments, processing instructions and the DOCTYPE (which
		// encoding/xml, this package's first reader, passed on
		// unchecked) are checked as text is
		{"invalid UTF-8 in a comment", "<MgmtTree>\n<!-- a\xffb --><VerDTD>1.2</VerDTD></MgmtTree>", ErrEncoding,
			`ddf: line 2, column 7 (offset 17) in /MgmtTree: bad character encoding: invalid UTF-8`},
		{"invalid UTF-8 in a comment in a Node", "<MgmtTree><Node><NodeName>N</NodeName><!--\xc3--></Node></MgmtTree>", ErrEncoding,
			`ddf: line 1, column 43 (offset 42) in /MgmtTree/Node: node ./N: bad character encoding: invalid UTF-8`},
		{"invalid UTF-8 in a comment before the root", "\uFEFF<!-- \xe2\x80 --><MgmtTree/>", ErrEncoding,
			`ddf: line 1, column 9 (offset 8): bad character encoding: invalid UTF-8`},
		{"invalid UTF-8 in a comment after the root", "<MgmtTree/>\n<!-- \xed\xa0\x80 -->", ErrEncoding,
			`ddf: line 2, column 6 (offset 17): bad character encoding: invalid UTF-8`},
		{"invalid UTF-8 in a processing instruction", "<MgmtTree><?pi a\xff?></MgmtTree>", ErrEncoding,
			`ddf: line 1, column 17 (offset 16) in /MgmtTree: bad character encoding: invalid UTF-8`},
		{"invalid UTF-8 in the DOCTYPE", "<!DOCTYPE MgmtTree [<!-- \xff -->]><MgmtTree/>", ErrEncoding,
			`ddf: line 1, column 26 (offset 25): bad character encoding: invalid UTF-8`},
		{"control character in a comment", "<MgmtTree><!-- a\x01 --></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 17 (offset 16) in /MgmtTree: character not allowed in XML: U+0001`},
		{"control character in text", "<MgmtTree>a\x01</MgmtTree>", ErrSyntax,
			`ddf: line 1, column 12 (offset 11) in /MgmtTree: character not allowed in XML: U+0001`},
		// a "<!" that starts no comment, CDATA section or (before the
		// root) DOCTYPE says what was found and what may stand there, as
		// syncml and declaredconfig say it (encoding/xml read <!x> as a
		// directive, which XML has none of outside a DOCTYPE)
		{"dash after <!- in an element", "<MgmtTree><!-—x—></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 11 (offset 10) in /MgmtTree: not well-formed: invalid markup declaration "<!-—x": expected "<!--" or "<![CDATA["`},
		{"<![ in an element", "<MgmtTree>\n<![CDAT[x]]></MgmtTree>", ErrSyntax,
			`ddf: line 2, column 1 (offset 11) in /MgmtTree: not well-formed: invalid markup declaration "<![CD": expected "<!--" or "<![CDATA["`},
		{"directive in an element", "<MgmtTree><Node><!ELEMENT x ANY></Node></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 17 (offset 16) in /MgmtTree/Node: not well-formed: invalid markup declaration "<!ELE": expected "<!--" or "<![CDATA["`},
		{"DOCTYPE in an element", "<MgmtTree><!DOCTYPE x></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 11 (offset 10) in /MgmtTree: DOCTYPE not allowed`},
		{"dash after <!- before the root", "\uFEFF<!-—x—><MgmtTree/>", ErrSyntax,
			`ddf: line 1, column 4 (offset 3): not well-formed: invalid markup declaration "<!-—x": expected "<!--" or "<!DOCTYPE"`},
		{"directive before the root", "<!x><MgmtTree/>", ErrSyntax,
			`ddf: line 1, column 1 (offset 0): not well-formed: invalid markup declaration "<!x>": expected "<!--" or "<!DOCTYPE"`},
		{"dash after <!- after the root", "<MgmtTree/>\n<!-—x—>", ErrSyntax,
			`ddf: line 2, column 1 (offset 12): not well-formed: invalid markup declaration "<!-—x": expected "<!--"`},
		{"DOCTYPE after the root", "<MgmtTree/><!DOCTYPE MgmtTree>", ErrSyntax,
			`ddf: line 1, column 12 (offset 11): DOCTYPE not allowed`},
		// no CDATA section may start after the root: a "<![" that ends
		// the input is not cut short (it was an end of input)
		{"<![ ending the input after the root", "<MgmtTree/><![", ErrSyntax,
			`ddf: line 1, column 12 (offset 11): not well-formed: invalid markup declaration "<![": expected "<!--"`},
		{"<!- ending the input after the root", "<MgmtTree/><!-", ErrSyntax,
			`ddf: line 1, column 15 (offset 14): not well-formed: unexpected EOF`},
		// an error in a start tag's attributes names the element in its
		// path, as the module's other readers do
		{"invalid UTF-8 in an attribute of the root", "<MgmtTree a='\xff'></MgmtTree>", ErrEncoding,
			`ddf: line 1, column 14 (offset 13) in /MgmtTree: bad character encoding: invalid UTF-8`},
		{"unquoted attribute", "<MgmtTree><Node a=1></Node></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 19 (offset 18) in /MgmtTree/Node: not well-formed: attribute value not quoted: found U+0031 '1'`},
		{"undefined entity in an attribute of a prefixed element", "<MgmtTree><M:X xmlns:M='u' a='&x;'/></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 31 (offset 30) in /MgmtTree/X: undefined entity: &x;`},
		{"< in an attribute inside a Node", "<MgmtTree><Node><NodeName>N</NodeName><DFProperties b='<'/></Node></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 56 (offset 55) in /MgmtTree/Node/DFProperties: node ./N: not well-formed: '<' in attribute value`},
		// attributes encoding/xml did not check: repeated (by name or by
		// namespace and local name), not apart
		{"repeated attribute", "<MgmtTree><Node><NodeName>N</NodeName><DFProperties><AccessType a='1'\n a='2'/></DFProperties></Node></MgmtTree>", xmlerr.ErrDuplicateAttr,
			`ddf: line 2, column 2 (offset 71) in /MgmtTree/Node/DFProperties/AccessType: node ./N: duplicate attribute: a`},
		{"repeated ValueType", "<MgmtTree xmlns:M='" + NamespaceMSFT + "'><M:AllowedValues ValueType='ENUM' ValueType=\"Range\"/></MgmtTree>", xmlerr.ErrDuplicateAttr,
			`ddf: line 1, column 100 (offset 99) in /MgmtTree/AllowedValues: duplicate attribute: ValueType`},
		{"same attribute by two prefixes", "<MgmtTree xmlns:p='u' xmlns:q='u' p:a='1' q:a='2'/>", xmlerr.ErrDuplicateAttr,
			`ddf: line 1, column 43 (offset 42) in /MgmtTree: duplicate attribute: p:a and q:a name the same attribute`},
		{"attributes not apart", "<MgmtTree a='1'b='2'/>", ErrSyntax,
			`ddf: line 1, column 16 (offset 15) in /MgmtTree: not well-formed: expected white space before attribute`},
		// Namespaces in XML, which encoding/xml did not enforce: an
		// MSFT:AllowedValues whose prefix is not declared was skipped
		// as an element of another namespace
		{"undeclared prefix of an element", "<MgmtTree><Node><NodeName>N</NodeName><DFProperties><MSFT:AllowedValues ValueType='ENUM'/></DFProperties></Node></MgmtTree>", xmlerr.ErrNamespace,
			`ddf: line 1, column 54 (offset 53) in /MgmtTree/Node/DFProperties/AllowedValues: node ./N: namespace not well-formed: undeclared prefix MSFT`},
		{"prefix declared in a sibling", "<MgmtTree xmlns:q='v'><q:a xmlns:p='u'/><p:b/></MgmtTree>", xmlerr.ErrNamespace,
			`ddf: line 1, column 42 (offset 41) in /MgmtTree/b: namespace not well-formed: undeclared prefix p`},
		{"undeclared prefix of an attribute", "<MgmtTree><a p:x='1'/></MgmtTree>", xmlerr.ErrNamespace,
			`ddf: line 1, column 14 (offset 13) in /MgmtTree/a: namespace not well-formed: undeclared prefix p`},
		{"prefix bound to the empty name", "<MgmtTree xmlns:p=''/>", xmlerr.ErrNamespace,
			`ddf: line 1, column 11 (offset 10) in /MgmtTree: namespace not well-formed: empty namespace for prefix p`},
		{"xml namespace as default", "<MgmtTree xmlns='http://www.w3.org/XML/1998/namespace'/>", xmlerr.ErrNamespace,
			`ddf: line 1, column 11 (offset 10) in /MgmtTree: namespace not well-formed: reserved namespace bound as default`},
		{"bad element name", "<MgmtTree><1a/></MgmtTree>", ErrSyntax,
			`ddf: line 1, column 12 (offset 11) in /MgmtTree: not well-formed: invalid name start '1'`},
		{"empty", "", ErrSyntax,
			`ddf: line 1, column 1 (offset 0): not well-formed: no root element`},
		{"text before the root", "x<MgmtTree/>", ErrSyntax, `ddf: line 1, column 1 (offset 0): not well-formed: text outside the root element`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want a *ParseError matching %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("\n got %v\nwant %s", err, tt.msg)
			}
			if strings.HasSuffix(pe.Path, "/") {
				t.Errorf("Path %q", pe.Path)
			}
		})
	}
}
