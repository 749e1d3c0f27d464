package ddf

import (
	"bytes"
	"encoding/xml"
	"testing"
)

func BenchmarkParseDMClient(b *testing.B) {
	data := readSpec(b, "DMClient.xml")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenizeDMClient is the floor: encoding/xml's tokenizer alone
// over the same bytes, which Parse builds on.
func BenchmarkTokenizeDMClient(b *testing.B) {
	data := readSpec(b, "DMClient.xml")[len(utf8BOM):]
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.Token(); err != nil {
				break
			}
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	tr, err := Parse(readSpec(b, "DMClient.xml"))
	if err != nil {
		b.Fatal(err)
	}
	const uri = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/DiscoveryEndpoint"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Lookup(uri); err != nil {
			b.Fatal(err)
		}
	}
}
