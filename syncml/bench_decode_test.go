package syncml

import (
	"encoding/xml"
	"strings"
	"testing"
)

// benchCheckIn is a fresh Windows check-in (package 1) of about 1.5 KB, as
// examples/dmserver's BenchmarkCheckIn posts it: the message a server
// decodes most often.
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

// BenchmarkDecodeCheckIn decodes the check-in with Unmarshal and, as the
// in-run baseline, with encoding/xml into tagged structs.
func BenchmarkDecodeCheckIn(b *testing.B) {
	data := benchCheckIn("DEV1234567")
	b.Run("windc", func(b *testing.B) {
		benchStart(b, data)
		for b.Loop() {
			var m Message
			if err := Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(countElements(data)), "elements/op")
	})
	b.Run("encoding_xml", func(b *testing.B) {
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
