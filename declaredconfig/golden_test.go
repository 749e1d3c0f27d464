package declaredconfig

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/windc-go/windc/syncml"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden:\ngot:  %s\nwant: %s", path, got, want)
	}
}

func sampleDocument() *Document {
	return &Document{Schema: "1.0", Context: "user", ID: vpnID, Checksum: "A0", Scenario: ScenarioVPN,
		CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{
			{Path: "Test_SonicWall/TrafficFilterList/0/Protocol", Type: "int", Value: "2"},
			{Path: "Test_SonicWall/PluginProfile/CustomConfiguration", Type: "chr", Value: "<custom></custom>"},
			{Path: "Test_SonicWall/Note", Type: "chr", Value: " tab\tcr\r \"q\" & é 😀 "},
		}}}}
}

// TestGolden pins the canonical output for documents and messages this
// package writes.
func TestGolden(t *testing.T) {
	doc, err := sampleDocument().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "document", doc)

	ext := &Document{Schema: "1.0", Context: "Device", ID: "27FEA311-68B9-4320-9FC4-296F6FDFAFE2",
		Checksum: "99925209110918B67FE962460137AA3440AFF4DB6ABBE15C8F499682457B9999", Scenario: ScenarioMIProviderConfig,
		DSCs: []DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_FileDirectoryConfiguration",
			Keys:   []Param{{Name: "DestinationPath", Value: `c:\data\test\bin\ut_extensibility.tmp`}},
			Values: []Param{{Name: "Contents", Value: "TestFileContent1"}}}},
		Attrs: []Attr{{Name: "xmlns:x", Value: "urn:x"}}, Unknown: []string{`<x:Note a="1">kept</x:Note>`}}
	b, err := ext.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "document-dsc", b)

	res := &Result{Context: "Device", Schema: "1.0", ID: ext.ID, Scenario: ext.Scenario, Checksum: ext.Checksum,
		ResultChecksum: "EE4F", ResultTimestamp: "2024-08-06T13:54:38Z", Operation: "Set", State: "60",
		CSPs: []CSPResult{{Name: "./Vendor/MSFT/VPNv2", State: "60", Settings: []SettingResult{{Path: "P", Status: "200", State: "60", Type: "int"}}}},
		DSCs: []DSCResult{{Namespace: "root/x", ClassName: "C", Status: "200", State: "60", Keys: []Param{{Name: "K"}}}}}
	if b, err = res.MarshalText(); err != nil {
		t.Fatal(err)
	}
	golden(t, "result", b)

	sum := &Summary{Schema: "1.0", Documents: []SummaryEntry{{Context: "Device", ID: ext.ID, Checksum: "C", ResultChecksum: "R", State: "60"}}}
	if b, err = sum.MarshalText(); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary", b)

	blob := &InstanceBlob{Schema: "1.0", Instances: []Instance{{Data: []InstanceData{{Variable: "pfxThumbprint", Value: "813A"}, {Variable: "pfxPassword", Value: "p<w>"}}}}}
	if b, err = blob.MarshalText(); err != nil {
		t.Fatal(err)
	}
	golden(t, "instanceblob", b)

	// A whole server message: the document as CDATA and as escaped text,
	// abandon, results, and the RefreshInterval trio.
	u := DocumentURI(User, Complete, vpnID)
	cmds := []syncml.Command{
		must(ReplaceDocument(u, sampleDocument(), syncml.DataCDATA)),
		must(AddDocument(u, sampleDocument(), syncml.DataText)),
		must(SetAbandoned(AbandonedURI(User, vpnID), false)),
		must(GetResults(ResultsURI(User, Complete, vpnID))),
		GetRefreshInterval(), must(ReplaceRefreshInterval(60)), DeleteRefreshInterval(),
		ReplaceConflictResolution(true),
	}
	syncml.NumberCommands(cmds, 2)
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "2",
		Target: syncml.Location{LocURI: "device"}, Source: syncml.Location{LocURI: "https://mdm.example/windc"}},
		Body: syncml.Body{Commands: cmds, Final: true}}
	if b, err = syncml.Marshal(m); err != nil {
		t.Fatal(err)
	}
	golden(t, "message", b)
}

// TestDecodeErrors checks that malformed and misplaced input is refused
// with the right cause.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrSyntax},
		{"   ", ErrSyntax},
		{"<DeclaredConfiguration>", ErrSyntax},
		{"<DeclaredConfiguration></Other>", ErrSyntax},
		{`<DeclaredConfiguration a="1" a="2"/>`, ErrSyntax},
		{"<!DOCTYPE x><DeclaredConfiguration/>", ErrSyntax},
		{"<DeclaredConfiguration>&ent;</DeclaredConfiguration>", ErrSyntax},
		{"<DeclaredConfiguration/><DeclaredConfiguration/>", ErrSyntax},
		{"<DeclaredConfiguration/>text", ErrSyntax},
		{"<a/><?xml version=\"1.0\"?>", ErrSyntax},
		{"<DeclaredConfigurationResult/>", ErrStructure},
		{"<DeclaredConfiguration>text</DeclaredConfiguration>", ErrStructure},
		{"<DeclaredConfiguration><CSP>text</CSP></DeclaredConfiguration>", ErrStructure},
		{"<DeclaredConfiguration><ReflectedProperties/><ReflectedProperties/></DeclaredConfiguration>", ErrStructure},
	}
	for _, tt := range tests {
		var d Document
		if err := d.UnmarshalText([]byte(tt.in)); !errors.Is(err, tt.want) {
			t.Errorf("UnmarshalText(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
}

// TestEncodeErrors checks that values the XML cannot carry are refused
// instead of written wrongly.
func TestEncodeErrors(t *testing.T) {
	bad := []*Document{
		{ID: "\x00"},
		{Attrs: []Attr{{Name: "bad name", Value: "v"}}},
		{Attrs: []Attr{{Name: "a", Value: "1"}, {Name: "a", Value: "2"}}},
		{ID: "x", Attrs: []Attr{{Name: "id"}}},
		{Attrs: []Attr{{Name: "id", Value: "x"}}},
		{Unknown: []string{"<CSP/>"}},
		{Unknown: []string{"text"}},
		{Unknown: []string{"<a/><b/>"}},
		{Unknown: []string{"<a>\r</a>"}},
		{CSPs: []CSP{{Settings: []Setting{{Value: "no element", Markup: true}}}}},
		{CSPs: []CSP{{Settings: []Setting{{Value: "<a>", Markup: true}}}}},
		{CSPs: []CSP{{Settings: []Setting{{Value: "\uFFFE"}}}}},
	}
	for _, d := range bad {
		if _, err := d.MarshalText(); err == nil {
			t.Errorf("MarshalText(%+v) succeeded", d)
		}
	}
}
