package declaredconfig

import (
	"encoding/xml"
	"strings"
	"testing"
)

// Plain tagged structs for the encoding/xml baseline: the same document
// read and written by reflection.
type xmlDoc struct {
	XMLName  xml.Name `xml:"DeclaredConfiguration"`
	Schema   string   `xml:"schema,attr,omitempty"`
	Context  string   `xml:"context,attr,omitempty"`
	ID       string   `xml:"id,attr,omitempty"`
	Checksum string   `xml:"checksum,attr,omitempty"`
	Scenario string   `xml:"osdefinedscenario,attr,omitempty"`
	CSPs     []struct {
		Name string `xml:"name,attr"`
		URIs []struct {
			Path  string `xml:"path,attr"`
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"URI"`
	} `xml:"CSP"`
}

// benchDocument is a realistic VPN document of n settings.
func benchDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`<DeclaredConfiguration context="user" schema="1.0" id="DCA000B5-397D-40A1-AABF-40B25078A7F9" osdefinedscenario="MSFTVPN" checksum="A3"><CSP name="./Vendor/MSFT/VPNv2">`)
	for i := 0; i < n; i++ {
		b.WriteString(`<URI path="Test_SonicWallNew/PluginProfile/ServerUrlList" type="chr">23.54.3.8;server1,vpn2.contoso.com;server2 &amp; more</URI>`)
		b.WriteString(`<URI path="Test_SonicWallNew/TrafficFilterList/0/Protocol" type="int">2</URI>`)
	}
	b.WriteString(`</CSP></DeclaredConfiguration>`)
	return []byte(b.String())
}

func BenchmarkDocumentDecode(b *testing.B) {
	in := benchDocument(50)
	b.Run("declaredconfig", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var d Document
			if err := d.UnmarshalText(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var d xmlDoc
			if err := xml.Unmarshal(in, &d); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDocumentEncode(b *testing.B) {
	in := benchDocument(50)
	var d Document
	var x xmlDoc
	if err := d.UnmarshalText(in); err != nil {
		b.Fatal(err)
	}
	if err := xml.Unmarshal(in, &x); err != nil {
		b.Fatal(err)
	}
	out, _ := d.MarshalText()
	b.Run("declaredconfig", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		buf := make([]byte, 0, len(out))
		for b.Loop() {
			var err error
			if buf, err = d.AppendText(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(out)))
		for b.Loop() {
			if _, err := xml.Marshal(&x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
