package ddf

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"github.com/windc-go/windc/syncml"
)

// nameTree has dynamic nodes whose AllowedValues describe their names (a
// node-format RegEx beside a named sibling, an ENUM, a Range, a null-format
// RegEx, a dynamic root) and one, of chr format, whose AllowedValues
// describe its value.
const nameTree = `<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>
<Node><NodeName>Root</NodeName><Path>./Device/Vendor/MSFT</Path>
 <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
 <Node><NodeName>Fixed</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName>Leaf</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node>
 </Node>
 <Node><NodeName></NodeName>
  <DFProperties><AccessType><Add/><Delete/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Hex</DFTitle>
   <MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>[0-9a-f]{2}</MSFT:Value></MSFT:AllowedValues></DFProperties>
  <Node><NodeName>Other</NodeName><DFProperties><AccessType><Get/><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node>
 </Node>
 <Node><NodeName>E</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName></NodeName>
   <DFProperties><AccessType><Add/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Mode</DFTitle>
    <MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>1</MSFT:Value></MSFT:Enum><MSFT:Enum><MSFT:Value>on</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties>
  </Node>
 </Node>
 <Node><NodeName>R</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName></NodeName>
   <DFProperties><AccessType><Add/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Slot</DFTitle>
    <MSFT:AllowedValues ValueType="Range"><MSFT:Value>[1-8]</MSFT:Value></MSFT:AllowedValues></DFProperties>
  </Node>
 </Node>
 <Node><NodeName>N</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName></NodeName>
   <DFProperties><AccessType><Add/><Get/></AccessType><DFFormat><null/></DFFormat><DFTitle>Flag</DFTitle>
    <MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>f[0-9]</MSFT:Value></MSFT:AllowedValues></DFProperties>
  </Node>
 </Node>
 <Node><NodeName>V</NodeName>
  <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
  <Node><NodeName></NodeName>
   <DFProperties><AccessType><Add/><Get/><Replace/></AccessType><DFFormat><chr/></DFFormat><DFTitle>Setting</DFTitle>
    <MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>[0-9]+</MSFT:Value></MSFT:AllowedValues></DFProperties>
  </Node>
 </Node>
</Node>
<Node><NodeName></NodeName><Path>./Vendor</Path>
 <DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>Top</DFTitle>
  <MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>T[0-9]</MSFT:Value></MSFT:AllowedValues></DFProperties>
</Node>
</MgmtTree>`

// TestLookupDynamicName: a dynamic node that holds no value matches only
// the names its AllowedValues allow, after its named siblings; a refused
// name where the URI would otherwise name a node is a *NameError saying
// which segment, and is ErrNoSuchNode where it would not.
func TestLookupDynamicName(t *testing.T) {
	tr, err := Parse([]byte(nameTree))
	if err != nil {
		t.Fatal(err)
	}
	const d = "./Device/Vendor/MSFT/Root/"
	tests := []struct {
		uri  string
		want string     // node Path when found
		name *NameError // the refusal (Segment, Offset, Name, Node), when refused
	}{
		{uri: d + "a0", want: d + "{Hex}"},
		{uri: d + "a0/Other", want: d + "{Hex}/Other"},
		{uri: d + "%61%30/Other", want: d + "{Hex}/Other"}, // names are percent-decoded first
		{uri: d + "zz", name: &NameError{Segment: 4, Offset: len(d), Name: "zz", Node: d + "{Hex}"}},
		{uri: d + "zz/Other", name: &NameError{Segment: 4, Offset: len(d), Name: "zz", Node: d + "{Hex}"}},
		{uri: d + "A0", name: &NameError{Segment: 4, Offset: len(d), Name: "A0", Node: d + "{Hex}"}},
		{uri: d + "a00", name: &NameError{Segment: 4, Offset: len(d), Name: "a00", Node: d + "{Hex}"}},
		// Spaces around a name are part of it.
		{uri: d + "%20a0", name: &NameError{Segment: 4, Offset: len(d), Name: " a0", Node: d + "{Hex}"}},
		// A refused name where the rest names nothing is no such node.
		{uri: d + "zz/Nope"},
		{uri: d + "zz/Other/x"},
		// A named sibling comes first, whatever the dynamic node allows;
		// when the named path fails deeper, the dynamic node must take
		// the name.
		{uri: d + "Fixed", want: d + "Fixed"},
		{uri: d + "Fixed/Leaf", want: d + "Fixed/Leaf"},
		{uri: d + "Fixed/Other", name: &NameError{Segment: 4, Offset: len(d), Name: "Fixed", Node: d + "{Hex}"}},
		// An unscoped URI: the segments are counted as written.
		{uri: "./Vendor/MSFT/Root/zz/Other", name: &NameError{Segment: 3, Offset: 19, Name: "zz", Node: d + "{Hex}"}},
		{uri: "Device/Vendor/MSFT/Root/zz", name: &NameError{Segment: 4, Offset: 24, Name: "zz", Node: d + "{Hex}"}},
		// ENUM names are the values as text, exactly.
		{uri: d + "E/on", want: d + "E/{Mode}"},
		{uri: d + "E/1", want: d + "E/{Mode}"},
		{uri: d + "E/0x1", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: "0x1", Node: d + "E/{Mode}"}},
		{uri: d + "E/On", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: "On", Node: d + "E/{Mode}"}},
		// Range names read as numbers, without spaces around.
		{uri: d + "R/8", want: d + "R/{Slot}"},
		{uri: d + "R/9", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: "9", Node: d + "R/{Slot}"}},
		{uri: d + "R/%201", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: " 1", Node: d + "R/{Slot}"}},
		{uri: d + "R/x", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: "x", Node: d + "R/{Slot}"}},
		// A null-format dynamic node holds no value either.
		{uri: d + "N/f1", want: d + "N/{Flag}"},
		{uri: d + "N/g1", name: &NameError{Segment: 5, Offset: len(d) + 2, Name: "g1", Node: d + "N/{Flag}"}},
		// A chr dynamic node's AllowedValues are about its value.
		{uri: d + "V/any%20name", want: d + "V/{Setting}"},
		// A dynamic root's name is checked too.
		{uri: "./Vendor/T1", want: "./Vendor/{Top}"},
		{uri: "./Vendor/X1", name: &NameError{Segment: 1, Offset: 9, Name: "X1", Node: "./Vendor/{Top}"}},
	}
	for _, tt := range tests {
		n, err := tr.Lookup(tt.uri)
		if err != nil && strings.Contains(err.Error(), `\x`) {
			t.Errorf("Lookup(%q): %v cuts a character", tt.uri, err)
		}
		switch {
		case tt.want != "":
			if err != nil || n.Path() != tt.want {
				t.Errorf("Lookup(%q) = %v, %v; want %s", tt.uri, n, err, tt.want)
			}
		case tt.name != nil:
			var ne *NameError
			if !errors.As(err, &ne) || !errors.Is(err, ErrValue) || errors.Is(err, ErrNoSuchNode) {
				t.Errorf("Lookup(%q) = %v, %v; want a *NameError", tt.uri, n, err)
				continue
			}
			w := *tt.name
			w.LocURI, w.Err, w.Detail = tt.uri, ErrValue, ne.Detail
			if *ne != w {
				t.Errorf("Lookup(%q) = %+v\nwant %+v", tt.uri, *ne, w)
			}
			// The segment at Offset is the one named, as written, and has
			// Segment segments before it.
			raw, _, _ := strings.Cut(tt.uri[ne.Offset:], "/")
			before := strings.TrimPrefix(tt.uri[:ne.Offset], "./")
			if dec, _ := url.PathUnescape(raw); dec != ne.Name || strings.Count(before, "/") != ne.Segment ||
				ne.Detail == "" || !strings.Contains(err.Error(), tt.uri+": segment ") || !errtest.PrefixOnce(err.Error(), "ddf: ") {
				t.Errorf("Lookup(%q): %v", tt.uri, err)
			}
		default:
			if !errors.Is(err, ErrNoSuchNode) {
				t.Errorf("Lookup(%q) = %v, %v; want ErrNoSuchNode", tt.uri, n, err)
			}
		}
	}
}

// declaredConfigURI matches the concrete DeclaredConfiguration LocURIs
// of the spec pages.
var declaredConfigURI = regexp.MustCompile(`\./(Device|User)/Vendor/MSFT/DeclaredConfiguration/[A-Za-z0-9/%_-]*[A-Za-z0-9]`)

// TestCheckDocIDName: DeclaredConfiguration's Documents/{DocID} is a
// node-format dynamic node whose RegEx (a GUID) describes its name, so
// Check refuses an Add of a document that is not a GUID, with the segment.
func TestCheckDocIDName(t *testing.T) {
	tr := mustParseSpec(t, "DeclaredConfiguration.xml")
	const docs = "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/"
	add := func(uri string) syncml.Command {
		return &syncml.Add{CmdID: "2", Items: []syncml.Item{fmtItem(uri, "chr", syncml.Text("<DeclaredConfiguration/>"))}}
	}
	if err := tr.Check(add(docs + testGUID + "/Document")); err != nil {
		t.Errorf("GUID: %v", err)
	}
	if err := tr.Check(add(docs + strings.ToLower(testGUID) + "/Document")); err != nil {
		t.Errorf("lower-case GUID: %v", err)
	}
	for _, bad := range []string{"not-a-guid", "{" + testGUID + "}", testGUID + "0", "%20" + testGUID} {
		uri := docs + bad + "/Document"
		err := tr.Check(add(uri))
		var ce *CheckError
		if !errors.As(err, &ce) || len(ce.Violations) != 1 || ce.Violations[0].Err != ErrValue ||
			!strings.Contains(ce.Violations[0].Detail, "segment 7 at byte 67 names an instance of "+docs+"{DocID}") {
			t.Errorf("%s: Check = %v, want one ErrValue violation naming segment 7", bad, err)
		}
	}
	// Results/{DocID} is named by the client and has no AllowedValues.
	get := &syncml.Get{Items: []syncml.Item{item("./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/anything/Document", nil)}}
	if err := tr.Check(get); err != nil {
		t.Errorf("Results: %v", err)
	}
	// Under ./User the scope is what is wrong, whatever the name.
	user := &syncml.Get{Items: []syncml.Item{item("./User/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/not-a-guid/Document", nil)}}
	var ce *CheckError
	if err := tr.Check(user); !errors.As(err, &ce) || len(ce.Violations) != 1 || ce.Violations[0].Err != ErrScope {
		t.Errorf("./User: Check = %v, want one ErrScope violation", err)
	}
}

// TestDocIDNameSpecExamples: every concrete DeclaredConfiguration URI of
// the spec pages (read in place) is looked up in both DDFs as before: the
// GUIDs they use are names {DocID} allows, and those that name no node
// (BulkTemplate, RefreshInterval, ./User ones) still fail as no such
// node, not as a refused name. Two prose mentions whose GUID the page
// breaks with ". " are left out, as are the {DocID} templates.
func TestDocIDNameSpecExamples(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join(specDir, "../ms-docs/client-management/*.md"))
	more, _ := filepath.Glob(filepath.Join(specDir, "../ms-docs/client-management/mdm/declaredconfiguration-*.md"))
	pages = append(pages, more...)
	var uris []string
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, loc := range declaredConfigURI.FindAllStringIndex(s, -1) {
			if next := s[loc[1]:]; strings.HasPrefix(next, "{") || strings.HasPrefix(next, ". ") || strings.HasPrefix(next, "[") {
				continue
			}
			uris = append(uris, s[loc[0]:loc[1]])
		}
	}
	if len(uris) == 0 {
		t.Skip("no spec pages with DeclaredConfiguration URIs")
	}
	for _, file := range []string{"DeclaredConfiguration.xml", "DeclaredConfiguration.2024-09.xml"} {
		tr := mustParseSpec(t, file)
		found, docs := 0, 0
		for _, u := range uris {
			n, err := tr.Lookup(u)
			switch {
			case err == nil:
				found++
				for q := n; q != nil; q = q.Parent {
					if namesOwn(q) {
						docs++
						break
					}
				}
			case !errors.Is(err, ErrNoSuchNode):
				t.Errorf("%s: Lookup(%s): %v", file, u, err)
			}
		}
		t.Logf("%s: %d URIs, %d found, %d of them under a {DocID} whose name is checked", file, len(uris), found, docs)
		if docs < 8 {
			t.Errorf("%s: %d example URIs under a checked {DocID} found, want at least 8", file, docs)
		}
	}
}

// TestNameErrorQuotesCut: a long refused name is quoted cut between
// characters, for each kind of AllowedValues.
func TestNameErrorQuotesCut(t *testing.T) {
	tr, err := Parse([]byte(nameTree))
	if err != nil {
		t.Fatal(err)
	}
	long := url.PathEscape(strings.Repeat("é", 5000))
	for _, parent := range []string{"", "E/", "R/", "N/"} {
		uri := "./Device/Vendor/MSFT/Root/" + parent + long
		_, err := tr.Lookup(uri)
		var ne *NameError
		if !errors.As(err, &ne) || len(ne.Detail) > 200 || strings.Contains(ne.Detail, `\x`) {
			t.Errorf("%s…: %v; want a NameError with a short Detail", uri[:40], ne)
		}
	}
}

// TestErrorTextsBoundURI: the errors of a long LocURI (a refused name, no
// such node, a Check violation) show its two ends, not all of it; their
// fields keep it whole.
func TestErrorTextsBoundURI(t *testing.T) {
	tr, err := Parse([]byte(nameTree))
	if err != nil {
		t.Fatal(err)
	}
	long := url.PathEscape(strings.Repeat("é", 5000))
	refused := "./Device/Vendor/MSFT/Root/E/" + long
	missing := "./Device/Vendor/MSFT/" + long + "/x"
	_, errRefused := tr.Lookup(refused)
	_, errMissing := tr.Lookup(missing)
	checkErr := tr.Check(&syncml.Replace{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: missing}, Data: syncml.Text("1")}}})
	var ce *CheckError
	if !errors.As(checkErr, &ce) || len(ce.Violations) == 0 || ce.Violations[0].LocURI != missing {
		t.Fatalf("Check: %v; want a violation keeping the whole LocURI", checkErr)
	}
	var ne *NameError
	if !errors.As(errRefused, &ne) || ne.LocURI != refused {
		t.Fatalf("Lookup: %v; want a NameError keeping the whole LocURI", errRefused)
	}
	for _, err := range []error{errRefused, errMissing, ce.Violations[0]} {
		msg := err.Error()
		if len(msg) > maxShownURI+300 || !strings.Contains(msg, "bytes)…") || !utf8.ValidString(msg) {
			t.Errorf("message of %d bytes: %.120q…", len(msg), msg)
		}
	}
}

// TestUniqueNameNotEnforced: the text of MSFT:UniqueName is kept as
// written and does not constrain instance names. Microsoft's DDFs mostly
// hold a description there, which read as a regular expression would
// refuse every real name (a certificate's SHA1 hash under CertificateStore)
// or not compile at all (an unbalanced parenthesis); the one pattern-like
// text seen, "[A-Za-z]+", names no dialect or anchoring either.
func TestUniqueNameNotEnforced(t *testing.T) {
	node := func(title, unique string) string {
		return `<Node><NodeName>` + title + `</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
 <Node><NodeName></NodeName><DFProperties><AccessType><Add/><Get/></AccessType><DFFormat><node/></DFFormat><DFTitle>` + title + `</DFTitle>
  <MSFT:DynamicNodeNaming><MSFT:UniqueName>` + unique + `</MSFT:UniqueName></MSFT:DynamicNodeNaming></DFProperties></Node></Node>`
	}
	tests := []struct {
		title, unique, name string
	}{
		{"Cert", "The SHA1 hash for the certificate.", "0123456789ABCDEF0123456789ABCDEF01234567"},
		{"Paren", "A GUID (without braces", "c6d47067-6e92-480e-b0fc-4ba82182fac7"},
		{"Letters", "[A-Za-z]+", "Profile 1"},
	}
	var b strings.Builder
	b.WriteString(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>
<Node><NodeName>Root</NodeName><Path>./Device/Vendor/MSFT</Path><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`)
	for _, tt := range tests {
		b.WriteString(node(tt.title, tt.unique))
	}
	b.WriteString(`</Node></MgmtTree>`)
	tr, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			uri := "./Device/Vendor/MSFT/Root/" + tt.title + "/" + url.PathEscape(tt.name)
			n, err := tr.Lookup(uri)
			if err != nil {
				t.Fatalf("Lookup(%s): %v", uri, err)
			}
			if n.Naming != (DynamicNaming{NamingUniqueName, tt.unique}) {
				t.Errorf("Naming %+v, want UniqueName %q as written", n.Naming, tt.unique)
			}
		})
	}
}
