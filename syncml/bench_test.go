package syncml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlscan"
)

// benchCases name the benchmark messages. Each sub-benchmark builds its
// own input (benchInput) so that only that input is live while it runs:
// a heap holding every model would make each allocated byte cost marking
// of all of them, for both codecs alike.
var benchCases = []struct {
	name  string
	build func() *Message
}{
	{"client1KB", benchClient},
	{"server26KB", func() *Message { return benchServer(111) }},
	{"results1MB", func() *Message { return benchResults(5000) }},
	{"escaped1MB", func() *Message { return benchEscaped(1 << 20) }},
}

// benchInput builds case i's message and its encoding, so that both
// codecs read the same bytes.
func benchInput(b *testing.B, i int) (*Message, []byte) {
	b.Helper()
	m := benchCases[i].build()
	data, err := Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	return m, data
}

// benchStart collects garbage left by earlier sub-benchmarks and setup,
// then resets the timer.
func benchStart(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	runtime.GC()
	b.ResetTimer()
}

func benchHeader(msgID string) Header {
	return Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1A", MsgID: msgID,
		Target: Location{LocURI: "https://mdm.contoso.com/ManagementServer/MDM.svc"},
		Source: Location{LocURI: "urn:uuid:3f0f4f6a-8f0e-4d8c-9a57-6c1e7ff3b2c4"}}
}

// benchClient is a client package 1: Alert 1201 and a DevInfo Replace.
func benchClient() *Message {
	src := func(uri, v string) Item { return Item{Source: &Location{LocURI: uri}, Data: Text(v)} }
	return &Message{XMLNS: NamespaceSyncML12, Header: benchHeader("1"), Body: Body{Final: true, Commands: []Command{
		&Alert{CmdID: "2", Data: Text("1201")},
		&Alert{CmdID: "3", Data: Text("1224"), Items: []Item{{Meta: &Meta{Type: "com.microsoft/MDM/LoginStatus", Format: "chr"}, Data: Text("user")}}},
		&Replace{CmdID: "4", Items: []Item{
			src("./DevInfo/DevId", "urn:uuid:3f0f4f6a-8f0e-4d8c-9a57-6c1e7ff3b2c4"),
			src("./DevInfo/Man", "Microsoft Corporation"),
			src("./DevInfo/Mod", "Surface Laptop 5"),
			src("./DevInfo/DmV", "1.3"),
			src("./DevInfo/Lang", "en-US"),
			src("./Vendor/MSFT/DMClient/HWDevID", "F0E1D2C3B4A5968778695A4B3C2D1E0F"),
		}},
	}}}
}

// benchServer is a server message of n commands: Status, Get, Replace, Exec.
func benchServer(n int) *Message {
	m := &Message{XMLNS: NamespaceSyncML12, Header: benchHeader("2"), Body: Body{Final: true}}
	for i := 0; i < n; i++ {
		id := strconv.Itoa(i + 1)
		uri := "./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinimumPasswordLengthForLocalAccountsSettingValue" + id
		var c Command
		switch i % 4 {
		case 0:
			c = &Status{CmdID: id, MsgRef: "1", CmdRef: id, Cmd: "Replace", TargetRef: []string{uri}, Data: Text("200")}
		case 1:
			c = &Get{CmdID: id, Items: []Item{{Target: &Location{LocURI: uri}, Meta: &Meta{Format: "int"}}}}
		case 2:
			c = &Replace{CmdID: id, Items: []Item{{Target: &Location{LocURI: uri}, Meta: &Meta{Format: "int", Type: "text/plain"}, Data: Text("1")}}}
		default:
			c = &Exec{CmdID: id, Items: []Item{{Target: &Location{LocURI: "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll"}}}}
		}
		m.Body.Commands = append(m.Body.Commands, c)
	}
	return m
}

// benchResults is one Results with n items.
func benchResults(n int) *Message {
	r := &Results{CmdID: "2", MsgRef: "1", CmdRef: "3", Cmd: "Get"}
	for i := 0; i < n; i++ {
		r.Items = append(r.Items, Item{
			Source: &Location{LocURI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/" + strconv.Itoa(i)},
			Meta:   &Meta{Format: "chr", Type: "text/plain"},
			Data:   Text("value " + strconv.Itoa(i)),
		})
	}
	return &Message{XMLNS: NamespaceSyncML12, Header: benchHeader("3"), Body: Body{Final: true, Commands: []Command{r}}}
}

// benchEscaped is one Replace carrying an XML document of about n bytes as
// escaped text.
func benchEscaped(n int) *Message {
	var b strings.Builder
	b.WriteString(`<DeclaredConfiguration context="Device" schema="1.0" id="27FEA311-68B9-4320-9FC4-296F6FDFAFE2" checksum="99925209110918B67BD0D0F7A9A3ACB1A9A6B8E1" osdefinedscenario="MSFTExtensibilityMIProviderConfig">`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `<URI path="Policy/Config/Area/Setting%d" type="chr">a &amp; "b" &lt; c</URI>`, i)
	}
	b.WriteString(`</DeclaredConfiguration>`)
	return &Message{XMLNS: NamespaceSyncML12, Header: benchHeader("4"), Body: Body{Final: true, Commands: []Command{
		&Replace{CmdID: "2", Items: []Item{{Target: &Location{LocURI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document"}, Data: Text(b.String())}}},
	}}}
}

// Plain tagged structs for the encoding/xml baseline, shaped like those
// Go MDM servers use.
type xmlMessage struct {
	XMLName xml.Name  `xml:"SyncML"`
	XMLNS   string    `xml:"xmlns,attr,omitempty"`
	Hdr     xmlHeader `xml:"SyncHdr"`
	Body    xmlBody   `xml:"SyncBody"`
}

type xmlHeader struct {
	VerDTD    string   `xml:"VerDTD"`
	VerProto  string   `xml:"VerProto"`
	SessionID string   `xml:"SessionID"`
	MsgID     string   `xml:"MsgID"`
	Target    xmlLoc   `xml:"Target"`
	Source    xmlLoc   `xml:"Source"`
	Meta      *xmlMeta `xml:"Meta,omitempty"`
}

type xmlLoc struct {
	LocURI  string `xml:"LocURI"`
	LocName string `xml:"LocName,omitempty"`
}

type xmlMeta struct {
	Format string `xml:"Format,omitempty"`
	Type   string `xml:"Type,omitempty"`
}

type xmlItem struct {
	Target *xmlLoc  `xml:"Target,omitempty"`
	Source *xmlLoc  `xml:"Source,omitempty"`
	Meta   *xmlMeta `xml:"Meta,omitempty"`
	Data   *string  `xml:"Data,omitempty"`
}

type xmlCmd struct {
	CmdID  string    `xml:"CmdID"`
	MsgRef string    `xml:"MsgRef,omitempty"`
	CmdRef string    `xml:"CmdRef,omitempty"`
	Cmd    string    `xml:"Cmd,omitempty"`
	Meta   *xmlMeta  `xml:"Meta,omitempty"`
	Data   *string   `xml:"Data,omitempty"`
	Items  []xmlItem `xml:"Item"`
}

type xmlBody struct {
	Alert   []xmlCmd  `xml:"Alert"`
	Status  []xmlCmd  `xml:"Status"`
	Results []xmlCmd  `xml:"Results"`
	Get     []xmlCmd  `xml:"Get"`
	Replace []xmlCmd  `xml:"Replace"`
	Add     []xmlCmd  `xml:"Add"`
	Delete  []xmlCmd  `xml:"Delete"`
	Exec    []xmlCmd  `xml:"Exec"`
	Final   *struct{} `xml:"Final,omitempty"`
}

func BenchmarkDecode(b *testing.B) {
	for i, c := range benchCases {
		b.Run(c.name+"/windc", func(b *testing.B) {
			_, data := benchInput(b, i)
			benchStart(b, data)
			for b.Loop() {
				var m Message
				if err := Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(countElements(data)), "elements/op")
		})
		b.Run(c.name+"/encoding_xml", func(b *testing.B) {
			_, data := benchInput(b, i)
			benchStart(b, data)
			for b.Loop() {
				var m xmlMessage
				if err := xml.Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeStream(b *testing.B) {
	for i, c := range benchCases {
		b.Run(c.name+"/windc", func(b *testing.B) {
			_, data := benchInput(b, i)
			benchStart(b, data)
			for b.Loop() {
				d := NewDecoder(bytes.NewReader(data))
				for {
					if _, err := d.Next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkEncode measures AppendMessage into a warm buffer, beside
// xml.Marshal.
func BenchmarkEncode(b *testing.B) {
	for i, c := range benchCases {
		b.Run(c.name+"/windc", func(b *testing.B) {
			m, data := benchInput(b, i)
			buf := make([]byte, 0, 2*len(data))
			benchStart(b, data)
			for b.Loop() {
				var err error
				if buf, err = AppendMessage(buf[:0], m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding_xml", func(b *testing.B) {
			_, data := benchInput(b, i)
			m := benchXMLMessage(b, data)
			benchStart(b, data)
			for b.Loop() {
				if _, err := xml.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMarshal measures Marshal itself: a fresh buffer every time,
// as a caller of xml.Marshal gets.
func BenchmarkMarshal(b *testing.B) {
	for i, c := range benchCases {
		b.Run(c.name+"/windc", func(b *testing.B) {
			m, data := benchInput(b, i)
			benchStart(b, data)
			for b.Loop() {
				if _, err := Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding_xml", func(b *testing.B) {
			_, data := benchInput(b, i)
			m := benchXMLMessage(b, data)
			benchStart(b, data)
			for b.Loop() {
				if _, err := xml.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncoder measures an Encoder writing whole messages into a
// bufio.Writer (over io.Discard), beside an xml.Encoder into the same
// kind of writer.
func BenchmarkEncoder(b *testing.B) {
	for i, c := range benchCases {
		b.Run(c.name+"/windc", func(b *testing.B) {
			m, data := benchInput(b, i)
			bw := bufio.NewWriter(io.Discard)
			benchStart(b, data)
			for b.Loop() {
				if err := NewEncoder(bw).Encode(m); err != nil {
					b.Fatal(err)
				}
				if err := bw.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding_xml", func(b *testing.B) {
			_, data := benchInput(b, i)
			m := benchXMLMessage(b, data)
			bw := bufio.NewWriter(io.Discard)
			benchStart(b, data)
			for b.Loop() {
				if err := xml.NewEncoder(bw).Encode(m); err != nil {
					b.Fatal(err)
				}
				if err := bw.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchXMLMessage decodes data into the encoding/xml baseline structs.
func benchXMLMessage(b *testing.B, data []byte) *xmlMessage {
	b.Helper()
	var m xmlMessage
	if err := xml.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	return &m
}

func countElements(data []byte) int {
	return bytes.Count(data, []byte("<")) - bytes.Count(data, []byte("</")) - bytes.Count(data, []byte("<![CDATA["))
}

// resultsStream generates a message of Results commands of about size
// bytes on the fly, so that the reader itself holds no more than one
// command.
type resultsStream struct {
	size, done int
	n          int
	buf        []byte
	stage      int
}

func (r *resultsStream) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch r.stage {
		case 0:
			r.buf = []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target><Source><LocURI>urn:uuid:1</LocURI></Source></SyncHdr><SyncBody>`)
			r.stage = 1
		case 1:
			if r.done >= r.size {
				r.buf = []byte(`<Final/></SyncBody></SyncML>`)
				r.stage = 2
				break
			}
			r.n++
			id := strconv.Itoa(r.n)
			r.buf = append(r.buf[:0], `<Results><CmdID>`+id+`</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/Node/`+id+`</LocURI></Source><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>`+strings.Repeat("v", 200)+`</Data></Item></Results>`...)
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.done += n
	return n, nil
}

// TestStreamBoundedMemory decodes a 100 MB stream of Results and checks
// that the live heap stays below 64 MiB (memory, not speed).
func TestStreamBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	peak, n := streamPeak(t, 100<<20)
	t.Logf("decoded %d commands, peak heap %.1f MiB", n, float64(peak)/(1<<20))
	if peak >= 64<<20 {
		t.Fatalf("peak heap %d bytes, want < 64 MiB", peak)
	}
}

func streamPeak(t testing.TB, size int) (peak uint64, n int) {
	runtime.GC()
	d := NewDecoder(&resultsStream{size: size})
	d.SetLimits(Limits{MaxBytes: 1 << 40, MaxTokens: math.MaxInt32})
	var ms runtime.MemStats
	for {
		c, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*Results); !ok {
			t.Fatalf("got %T", c)
		}
		n++
		if n%2000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	return peak, n
}

func BenchmarkDecodeStream100MB(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(100 << 20)
	var peak uint64
	for b.Loop() {
		p, _ := streamPeak(b, 100<<20)
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

// BenchmarkEscapeText measures escaping alone: the text of escaped1MB
// appended as character data to a buffer with room.
func BenchmarkEscapeText(b *testing.B) {
	s := benchEscaped(1 << 20).Body.Commands[0].(*Replace).Items[0].Data.Value
	buf := make([]byte, 0, 2*len(s))
	b.SetBytes(int64(len(s)))
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		var err error
		if buf, err = xmlscan.AppendText(buf[:0], s); err != nil {
			b.Fatal(err)
		}
	}
}
