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

// TestParseDocsTwice: a file that holds a scope and DocID twice (letter
// case aside), under one host or two, is an error naming both documents;
// the same DocID in the other scope is another document. Before, both
// were returned: Declare took the later over the earlier, or (under
// another host) refused it.
func TestParseDocsTwice(t *testing.T) {
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	vpn := func(context, id, checksum string) string {
		return `<DeclaredConfiguration schema="1.0" context="` + context + `" id="` + id + `" checksum="` + checksum + `" osdefinedscenario="MSFTVPN">` +
			"\n" + `<CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP></DeclaredConfiguration>` + "\n"
	}
	inv := `<DeclaredConfiguration schema="1.0" context="Device" id="` + strings.ToLower(id) + `" checksum="B0" osdefinedscenario="MSFTInventory">` +
		`<CSP name="./Vendor/MSFT/CertificateStore"><URI path="My/User" type="node"/></CSP></DeclaredConfiguration>`
	for name, text := range map[string]string{
		"same host":  vpn("Device", id, "A0") + vpn("Device", ids[0], "A0") + vpn("Device", strings.ToLower(id), "A1"),
		"other host": vpn("Device", id, "A0") + vpn("Device", ids[0], "A0") + inv,
	} {
		_, err := reconcile.ParseDocs([]byte(text))
		if !errors.Is(err, reconcile.ErrInvalid) || !strings.Contains(err.Error(), "document 3 (line 5)") || !strings.Contains(err.Error(), "document 1 (line 1) again") {
			t.Errorf("%s: %v, want ErrInvalid naming documents 3 and 1", name, err)
		}
	}
	docs, err := reconcile.ParseDocs([]byte(vpn("Device", id, "A0") + vpn("User", id, "A0")))
	if err != nil || len(docs) != 2 {
		t.Errorf("one DocID in both scopes: %d documents, %v", len(docs), err)
	}
}
