package reconcile_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

func TestParseDocs(t *testing.T) {
	good := `<?xml version="1.0"?>
<!-- the VPN -->
<DeclaredConfiguration schema="1.0" context="Device" id="` + ids[0] + `" checksum="A0" osdefinedscenario="MSFTVPN">
  <CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP>
</DeclaredConfiguration>
<DeclaredConfiguration schema="1.0" context="user" id="` + ids[1] + `" checksum="B0" osdefinedscenario="MSFTInventory">
  <CSP name="./Vendor/MSFT/CertificateStore"><URI path="My/User" type="node"/></CSP>
</DeclaredConfiguration>`
	docs, err := reconcile.ParseDocs([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Scope != declaredconfig.Device || docs[0].Host != declaredconfig.Complete ||
		docs[1].Scope != declaredconfig.User || docs[1].Host != declaredconfig.Inventory || docs[1].Document.Checksum != "B0" {
		t.Errorf("docs %+v", docs)
	}
	for name, tc := range map[string]struct {
		text, line string
	}{
		"empty":           {"  ", "no DeclaredConfiguration"},
		"text between":    {good + "\nstray", "line 8: text between"},
		"another element": {"\n<Other/>", "line 2: element Other"},
		"bad document":    {"<DeclaredConfiguration schema=\"1.0\" context=\"Device\" id=\"x\" checksum=\"A\" osdefinedscenario=\"MSFTVPN\"/>", "document 1 (line 1)"},
		"not well-formed": {good + "<DeclaredConfiguration>", "document 3 (line 8)"},
		"doctype":         {"<!DOCTYPE x>" + good, "line 1: a directive"},
	} {
		_, err := reconcile.ParseDocs([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.line) || !strings.HasPrefix(err.Error(), "reconcile: ParseDocs: ") {
			t.Errorf("%s: err = %v, want one naming %q", name, err, tc.line)
		}
		if name == "another element" && !errors.Is(err, reconcile.ErrInvalid) {
			t.Errorf("%s: %v does not match ErrInvalid", name, err)
		}
	}
}
