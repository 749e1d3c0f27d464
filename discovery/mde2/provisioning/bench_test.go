package provisioning

import (
	"encoding/xml"
	"testing"
)

// Plain tagged structs for the encoding/xml baseline: the same document
// read and written by reflection (characteristics nested, parms with their
// three attributes; no order between parms and characteristics, no other
// attributes, elements or comments).
type xmlDoc struct {
	XMLName xml.Name  `xml:"wap-provisioningdoc"`
	Version string    `xml:"version,attr,omitempty"`
	Chars   []xmlChar `xml:"characteristic"`
}

type xmlChar struct {
	Type  string    `xml:"type,attr"`
	Parms []xmlParm `xml:"parm"`
	Chars []xmlChar `xml:"characteristic"`
}

type xmlParm struct {
	Name     string `xml:"name,attr"`
	Value    string `xml:"value,attr,omitempty"`
	Datatype string `xml:"datatype,attr,omitempty"`
}

// benchDocument is an enrollment answer of realistic size: every field of
// the typed view, with certificates of the size of an RSA-2048 chain.
func benchDocument(b *testing.B) []byte {
	e := fullEnrollment()
	cert := func(seed byte) []byte {
		der := make([]byte, 1200)
		for i := range der {
			der[i] = seed + byte(i*7)
		}
		return der
	}
	e.RootCerts = [][]byte{cert(1)}
	e.CACerts = [][]byte{cert(2)}
	e.ClientCert = cert(3)
	d, err := Build(e)
	if err != nil {
		b.Fatal(err)
	}
	text, err := d.MarshalText()
	if err != nil {
		b.Fatal(err)
	}
	return text
}

func BenchmarkUnmarshal(b *testing.B) {
	in := benchDocument(b)
	b.Run("provisioning", func(b *testing.B) {
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

func BenchmarkMarshal(b *testing.B) {
	in := benchDocument(b)
	var d Document
	var x xmlDoc
	if err := d.UnmarshalText(in); err != nil {
		b.Fatal(err)
	}
	if err := xml.Unmarshal(in, &x); err != nil {
		b.Fatal(err)
	}
	b.Run("provisioning", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		buf := make([]byte, 0, len(in))
		for b.Loop() {
			var err error
			if buf, err = d.AppendText(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			if _, err := xml.Marshal(&x); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTypedView measures the typed view both ways: what an
// enrollment server spends per answer (Build then Marshal) and a device
// per answer read (Unmarshal then Enrollment).
func BenchmarkTypedView(b *testing.B) {
	in := benchDocument(b)
	e := fullEnrollment()
	b.Run("Build+Marshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			d, err := Build(e)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := d.MarshalText(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unmarshal+Enrollment", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(in)))
		for b.Loop() {
			var d Document
			if err := d.UnmarshalText(in); err != nil {
				b.Fatal(err)
			}
			if _, err := d.Enrollment(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
