package syncml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchCheckIn is a fresh Windows check-in (package 1) of about 1.5 KB, as
// examples/dmserver's BenchmarkCheckIn posts it: the message a server
// decodes most often. It is syncmltest.WindowsCheckIn of session 1, which
// this package's own tests cannot import (syncmltest imports syncml).
func benchCheckIn(id string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>` + id + `</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>` +
		`<Alert><CmdID>3</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>` +
		`<Replace><CmdID>4</CmdID>` +
		`<Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>` + id + `</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Microsoft Corporation</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>Surface Laptop 5</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.3</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DMClient/HWDevID</LocURI></Source><Data>` + strings.Repeat("A", 64) + `</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DeviceStatus/OS/Edition</LocURI></Source><Data>4</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DevDetail/Ext/Microsoft/DNSComputerName</LocURI></Source><Data>DESKTOP-` + id + `</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DevDetail/SwV</LocURI></Source><Data>10.0.26100.2605</Data></Item>` +
		`</Replace><Final/></SyncBody></SyncML>`)
}

// benchSummary is a WinDC session's first message: Alert 1201 and the
// 1224 DeclaredConfiguration summary of ten documents, escaped in Data.
// The fast reader leaves a message with references to the general one at
// once; this case shows what that costs against the check-in.
func benchSummary() []byte {
	var b strings.Builder
	b.WriteString(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>9</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>https://127.0.0.1/WinDC</LocURI></Target><Source><LocURI>urn:uuid:DEV1</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta>` +
		`<Type xmlns="syncml:metinf">com.microsoft.mdm.declaredconfigurationdocuments</Type></Meta><Data>&lt;DeclaredConfigurations schema="1.0"&gt;`)
	for i := range 10 {
		fmt.Fprintf(&b, `&lt;DeclaredConfiguration context="Device" id="%08X-0000-4000-8000-000000000000" checksum="A0" result_checksum="RC%d" state="60"/&gt;`, 0x9E3779B9*uint32(i+1), i)
	}
	b.WriteString(`&lt;/DeclaredConfigurations&gt;</Data></Item></Alert><Final/></SyncBody></SyncML>`)
	return []byte(b.String())
}

// BenchmarkDecodeCheckIn decodes the check-in (and summary: a WinDC
// summary message) with Unmarshal and, as the in-run baseline, with
// encoding/xml into tagged structs.
func BenchmarkDecodeCheckIn(b *testing.B) {
	benchDecodeOne(b, "", benchCheckIn("DEV1234567"))
	benchDecodeOne(b, "summary/", benchSummary())
}

func benchDecodeOne(b *testing.B, prefix string, data []byte) {
	b.Run(prefix+"windc", func(b *testing.B) {
		benchStart(b, data)
		for b.Loop() {
			var m Message
			if err := Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(countElements(data)), "elements/op")
	})
	b.Run(prefix+"encoding_xml", func(b *testing.B) {
		benchStart(b, data)
		for b.Loop() {
			var m xmlMessage
			if err := xml.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeCheckInOwned decodes the check-in with UnmarshalOwned,
// as a server that hands over the request body does.
func BenchmarkDecodeCheckInOwned(b *testing.B) {
	data := benchCheckIn("DEV1234567")
	benchStart(b, data)
	for b.Loop() {
		var m Message
		if err := UnmarshalOwned(data, &m, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeIndented decodes the check-in pretty-printed (a line and
// an indent before each tag) and, when the conformance corpus is there
// (read in place), Windows check-ins as devices and documentation write
// them: indented (055), with Cred and the msft declaration on SyncBody
// (059), and a short one with an XML declaration (061).
func BenchmarkDecodeIndented(b *testing.B) {
	inputs := []struct{ name, file string }{
		{"pretty", ""},
		{"055", "055-marcosd4h-readme-L409.xml"},
		{"059", "059-mattrax-msmdm-basic-L89.xml"},
		{"061", "061-latchz-omadm-test-L68.xml"},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			data := bytes.ReplaceAll(benchCheckIn("DEV1234567"), []byte("><"), []byte(">\n    <"))
			if in.file != "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("..", "..", "shared", "conformance", "syncml", in.file)); err != nil {
					b.Skip(err)
				}
			}
			benchStart(b, data)
			for b.Loop() {
				var m Message
				if err := Unmarshal(data, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
