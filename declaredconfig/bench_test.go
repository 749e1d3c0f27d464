package declaredconfig

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
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

// benchMessage is a server message of n Replace commands, each carrying
// a document of 50 settings as markup.
func benchMessage(n int) []byte {
	doc := string(benchDocument(50))
	var b strings.Builder
	b.WriteString(msgStart)
	for i := range n {
		b.WriteString(replace(fmt.Sprint(i+2), docURI, doc))
	}
	b.WriteString(msgEnd)
	return []byte(b.String())
}

// xmlMessage is the encoding/xml baseline's SyncML message: the Data of
// each Item kept as inner XML, read again as an xmlDoc.
type xmlMessage struct {
	XMLName xml.Name `xml:"SyncML"`
	Body    struct {
		Replace []struct {
			CmdID string `xml:"CmdID"`
			Items []struct {
				Target string `xml:"Target>LocURI"`
				Data   struct {
					Inner string `xml:",innerxml"`
				} `xml:"Data"`
			} `xml:"Item"`
		} `xml:"Replace"`
	} `xml:"SyncBody"`
}

// BenchmarkReadMessage reads the documents of a message from its bytes:
// in one pass (ReadMessage), in two (syncml.Unmarshal, then each Data's
// value), and with encoding/xml (the message, then each Data's inner XML).
func BenchmarkReadMessage(b *testing.B) {
	in := benchMessage(10)
	b.Run("ReadMessage", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			_, items, err := ReadMessage(in, ReadOptions{})
			if err != nil || len(items) != 10 || items[9].Err != nil {
				b.Fatal(err, len(items))
			}
		}
	})
	b.Run("two-pass", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var m syncml.Message
			if err := syncml.Unmarshal(in, &m); err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, c := range m.Body.Commands {
				for _, it := range c.ItemList() {
					if it.Target == nil || it.Data == nil || !isDocumentNode(it.Target.LocURI) {
						continue
					}
					var d Document
					if err := d.UnmarshalText([]byte(it.Data.Value)); err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != 10 {
				b.Fatal(n)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var m xmlMessage
			if err := xml.Unmarshal(in, &m); err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, c := range m.Body.Replace {
				for _, it := range c.Items {
					var d xmlDoc
					if err := xml.Unmarshal([]byte(it.Data.Inner), &d); err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != 10 {
				b.Fatal(n)
			}
		}
	})
}
