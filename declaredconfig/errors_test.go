package declaredconfig

import (
	"errors"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"github.com/windc-go/windc/syncml"
)

// TestErrorPrefixOnce (issue 9, item 17): every error the package returns
// starts with "declaredconfig: ", once, also when it carries another of
// the package's errors (Validate, ParseURI and the writer did print it
// twice).
func TestErrorPrefixOnce(t *testing.T) {
	const guid = "d6b3a3c8-1d6f-4a5f-9a33-0e3b5e4d2c11"
	target, err := ParseURI("./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + guid + "/Document")
	if err != nil {
		t.Fatal(err)
	}
	bad := &Document{Schema: "1.0", Context: "Device", ID: guid, Checksum: "1", Scenario: "MSFTExtensibilityMIProviderConfig",
		CSPs: []CSP{{Name: "./Vendor/MSFT/Policy", Settings: []Setting{{Path: "A", Type: "int", Value: "x"}, {Path: "B", Type: "", Value: "1"}}}}}
	kept := &Document{Schema: "1.0", Context: "Device", ID: guid, CSPs: []CSP{{Name: "x", Unknown: []string{"<p:a/>"}}}}
	var d Document
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody>`+
		`<Alert><CmdID>1</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">`+SummaryType+`</Type></Meta>`+
		`<Data>&lt;DeclaredConfigurations&gt;</Data></Item></Alert></SyncBody></SyncML>`), &m); err != nil {
		t.Fatal(err)
	}
	_, replyErr := ReadReply(&m)
	_, summaryErr := ReadSummary(&m)
	_, noSummary := ReadSummary(&syncml.Message{})
	_, uriErr := ParseURI("./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/not-a-guid/Document")
	_, uriErr2 := ParseURI("./Device/Vendor/MSFT/DeclaredConfiguration/Host/Inventory/Documents/" + guid + "/Properties/Abandoned")
	_, keptErr := kept.MarshalText()
	_, refreshErr := ReplaceRefreshInterval(1)
	errs := map[string]error{
		"Validate":               bad.Validate(target),
		"ParseURI DocID":         uriErr,
		"ParseURI Check":         uriErr2,
		"MarshalText kept":       keptErr,
		"ReadReply":              replyErr,
		"ReadSummary":            summaryErr,
		"ReadSummary none":       noSummary,
		"ReplaceRefreshInterval": refreshErr,
		"UnmarshalText syntax":   d.UnmarshalText([]byte("<DeclaredConfiguration>")),
		"UnmarshalText limit":    UnmarshalLimits([]byte("<DeclaredConfiguration><CSP/></DeclaredConfiguration>"), &d, Limits{MaxDepth: 1}),
		"UnmarshalLimits nil":    UnmarshalLimits(nil, nil, Limits{}),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !errtest.PrefixOnce(err.Error(), "declaredconfig: ") {
			t.Errorf("%s: %q does not start with %q once", name, err, "declaredconfig: ")
		}
	}
	// the prefix goes, the chain stays
	if !errors.Is(errs["ParseURI DocID"], ErrInvalid) || !errors.Is(errs["ReadSummary"], ErrSyntax) {
		t.Errorf("chain lost: %v; %v", errs["ParseURI DocID"], errs["ReadSummary"])
	}
}
