package syncmltest

import "strings"

// WindowsCheckIn returns a fresh Windows check-in of about 1.5 KB: package
// 1 of session sessionID from device id, as a Windows device sends it to
// its MDM server (Alert 1201, the LoginStatus Alert 1224, and a Replace
// of its DevInfo and DevDetail nodes, its DevId included), the message a
// server decodes most often. Benchmarks and load tests post it with a new
// id each time.
func WindowsCheckIn(id, sessionID string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>` + sessionID + `</SessionID><MsgID>1</MsgID>` +
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
