package declaredconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// specCommand returns the single body command of the documentation's
// example that contains all of marks, decoded with syncml.Unmarshal.
func specCommand(t *testing.T, marks ...string) syncml.Command {
	t.Helper()
	var found []syncml.Command
	for _, b := range xmlBlocks(t) {
		ok := strings.Contains(b.text, "</SyncML>")
		for _, m := range marks {
			ok = ok && strings.Contains(b.text, m)
		}
		if !ok {
			continue
		}
		m := unmarshalSpec(t, strings.TrimSpace(b.text))
		if len(m.Body.Commands) != 1 {
			t.Fatalf("%s:%d: %d commands, want 1", b.page, b.line, len(m.Body.Commands))
		}
		found = append(found, m.Body.Commands[0])
	}
	if len(found) != 1 {
		t.Fatalf("%d documentation examples contain %q, want 1", len(found), marks)
	}
	return found[0]
}

// must returns c, or panics on a builder error (test tables only).
func must[T any](c T, err error) T {
	if err != nil {
		panic(err)
	}
	return c
}

// TestCommandsEqualDocs builds each command the documentation shows in the
// form this package writes it and compares it, value for value, with the
// documentation's message decoded by syncml.Unmarshal.
func TestCommandsEqualDocs(t *testing.T) {
	vpn := "DCA000B5-397D-40A1-AABF-40B25078A7F9"
	ext := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	bulk := "47e88660-1861-4131-96e8-f32e85011e55"
	tests := []struct {
		name  string
		marks []string
		got   syncml.Command
	}{
		{"RefreshInterval Get", []string{"<Get>", "RefreshInterval</LocURI>"}, GetRefreshInterval()},
		{"RefreshInterval Replace 30", []string{"<Replace>", "RefreshInterval</LocURI>"}, must(ReplaceRefreshInterval(30))},
		{"RefreshInterval Delete", []string{"<Delete>", "RefreshInterval</LocURI>"}, DeleteRefreshInterval()},
		{"abandon", []string{"<Data>1</Data>", "Properties/Abandoned"}, must(SetAbandoned(AbandonedURI(Device, ext), true))},
		{"delete document", []string{"<Delete>", "Documents/" + ext + "/Document"}, must(DeleteDocument(DocumentURI(Device, Complete, ext)))},
		{"get VPN results", []string{"<Get>", "Complete/Results/" + vpn}, must(GetResults(ResultsURI(User, Complete, vpn)))},
		{"get DSC results", []string{"<Get>", "Complete/Results/" + ext}, must(GetResults(ResultsURI(Device, Complete, ext)))},
		{"get bulk template results", []string{"<Get>", "BulkTemplate/Results/" + bulk}, must(GetResults(ResultsURI(Device, BulkTemplate, bulk)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := specCommand(t, tt.marks...)
			if id := tt.got.ID(); id != "" {
				t.Fatalf("builder gave CmdID %q, want none", id)
			}
			tt.got.SetID(want.ID()) // the sender numbers commands
			if diff := cmp.Diff(want, tt.got); diff != "" {
				t.Errorf("mismatch with the documentation (-docs +built):\n%s", diff)
			}
		})
	}
}

// TestReplaceDocumentEqualsDocs rebuilds the documentation's VPN, bulk
// template and instance data Replace commands from the documents they
// carry; the Data must decode to the same document.
func TestReplaceDocumentEqualsDocs(t *testing.T) {
	for _, tt := range []struct {
		marks []string
		node  Node
	}{
		{[]string{"Test_SonicWall/TrafficFilterList/1/Protocol"}, NodeDocument},
		{[]string{"checksum=\"A3\"", "<Replace>"}, NodeDocument},
		{[]string{"BulkTemplate/Documents/", "/Document</LocURI>"}, NodeDocument},
		{[]string{"BulkVariables/Value"}, NodeBulkVariables},
	} {
		want := specCommand(t, tt.marks...).(*syncml.Replace)
		it := want.Items[0]
		u, err := ParseURI(it.Target.LocURI)
		if err != nil {
			t.Fatal(err)
		}
		var got *syncml.Replace
		if tt.node == NodeDocument {
			var d Document
			if err := d.UnmarshalText([]byte(it.Data.Value)); err != nil {
				t.Fatal(err)
			}
			got = must(ReplaceDocument(u, &d, syncml.DataCDATA))
		} else {
			var b InstanceBlob
			if err := b.UnmarshalText([]byte(it.Data.Value)); err != nil {
				t.Fatal(err)
			}
			got = must(ReplaceBulkVariables(u, &b, syncml.DataCDATA))
		}
		if got.CmdID != "" {
			t.Errorf("%s: builder gave CmdID %q, want none", u, got.CmdID)
		}
		got.CmdID = want.CmdID // the sender numbers commands
		// The documented Data is indented; compare the documents, then the
		// rest of the command with the Data taken out.
		wd, gd := newCodec(rootName(t, it.Data.Value)), newCodec(rootName(t, it.Data.Value))
		_ = wd.UnmarshalText([]byte(it.Data.Value))
		if err := gd.UnmarshalText([]byte(got.Items[0].Data.Value)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wd, gd); diff != "" {
			t.Errorf("%s: payload differs:\n%s", u, diff)
		}
		want.Items[0].Data, got.Items[0].Data = nil, nil
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: command differs (-docs +built):\n%s", u, diff)
		}
	}
}

func rootName(t *testing.T, s string) string {
	r, err := parse(s, defaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return r.root.name
}

func TestBuilderErrors(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	good := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "1", Scenario: ScenarioWifi,
		CSPs: []CSP{{Name: "./Vendor/MSFT/WiFi", Settings: []Setting{{Path: "Profile/x/WlanXml", Type: "chr", Value: "v"}}}}}
	if _, err := ReplaceRefreshInterval(29); !errors.Is(err, ErrInvalid) {
		t.Errorf("RefreshInterval 29: err = %v, want ErrInvalid", err)
	}
	if _, err := ReplaceDocument(DocumentURI(User, Complete, id), good, syncml.DataText); !errors.Is(err, ErrInvalid) {
		t.Errorf("Device document to User scope: err = %v, want ErrInvalid", err)
	}
	if _, err := ReplaceDocument(ResultsURI(Device, Complete, id), good, syncml.DataText); !errors.Is(err, ErrURI) {
		t.Errorf("document to a Results node: err = %v, want ErrURI", err)
	}
	if _, err := SetAbandoned(URI{Scope: Device, Host: Inventory, DocID: id, Node: NodeAbandoned}, true); !errors.Is(err, ErrURI) {
		t.Errorf("Abandoned under Inventory: err = %v, want ErrURI", err)
	}
	for _, k := range []syncml.DataKind{syncml.DataText, syncml.DataCDATA, syncml.DataXML} {
		c, err := AddDocument(DocumentURI(Device, Complete, id), good, k)
		if err != nil {
			t.Fatalf("%v: %v", k, err)
		}
		if c.Items[0].Data.Kind != k {
			t.Errorf("Data kind %v, want %v", c.Items[0].Data.Kind, k)
		}
	}
}

// TestBuildersLeaveCmdID: every builder returns a command without a CmdID,
// for the sender to number.
func TestBuildersLeaveCmdID(t *testing.T) {
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	doc := &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "1", Scenario: ScenarioWifi,
		CSPs: []CSP{{Name: "./Vendor/MSFT/WiFi", Settings: []Setting{{Path: "Profile/x/WlanXml", Type: "chr", Value: "v"}}}}}
	blob := &InstanceBlob{Schema: "1.0"}
	cmds := []syncml.Command{
		must(AddDocument(DocumentURI(Device, Complete, id), doc, syncml.DataText)),
		must(ReplaceDocument(DocumentURI(Device, Complete, id), doc, syncml.DataCDATA)),
		must(DeleteDocument(DocumentURI(Device, Complete, id))),
		must(GetDocument(DocumentURI(Device, Complete, id))),
		must(SetAbandoned(AbandonedURI(Device, id), true)),
		must(GetResults(ResultsURI(Device, Complete, id))),
		must(ReplaceBulkVariables(BulkVariablesURI(Device, id), blob, syncml.DataXML)),
		GetRefreshInterval(), must(ReplaceRefreshInterval(30)), DeleteRefreshInterval(),
		GetConflictResolution(), ReplaceConflictResolution(true), DeleteConflictResolution(),
	}
	for i, c := range cmds {
		if c.ID() != "" {
			t.Errorf("%d: %s has CmdID %q, want none", i, c.ElementName(), c.ID())
		}
		if len(syncml.Targets(c)) != 1 {
			t.Errorf("%d: %s targets %v, want one node", i, c.ElementName(), syncml.Targets(c))
		}
	}
	if next := syncml.NumberCommands(cmds, 1); next != len(cmds)+1 {
		t.Errorf("NumberCommands returned %d, want %d", next, len(cmds)+1)
	}
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "device"}, Source: syncml.Location{LocURI: "https://127.0.0.1/mdm"}},
		Body: syncml.Body{Commands: cmds, Final: true}}
	if err := m.Validate(); err != nil {
		t.Errorf("numbered message: %v", err)
	}
}

// TestNilParts: a nil Document or InstanceBlob given to a builder or to
// Validate is an error, and reading a nil Summary or Result finds nothing;
// none of them panics.
func TestNilParts(t *testing.T) {
	u := DocumentURI(Device, Complete, docA)
	calls := map[string]func() error{
		"AddDocument": func() error { _, err := AddDocument(u, nil, syncml.DataText); return err },
		"ReplaceDocument": func() error {
			_, err := ReplaceDocument(u, nil, syncml.DataXML)
			return err
		},
		"ReplaceBulkVariables": func() error {
			_, err := ReplaceBulkVariables(BulkVariablesURI(Device, docA), nil, syncml.DataText)
			return err
		},
		"Validate": func() error { return (*Document)(nil).Validate(u) },
	}
	for name, call := range calls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", name, r)
				}
			}()
			if err := call(); err == nil {
				t.Errorf("%s with nil: no error", name)
			}
		}()
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("nil Summary or Result: panic: %v", r)
			}
		}()
		if e := (*Summary)(nil).Entry(docA); e != nil {
			t.Errorf("nil Summary has entry %+v", e)
		}
		if s := (*Result)(nil).Settings(); s != nil {
			t.Errorf("nil Result has settings %+v", s)
		}
	}()
}
