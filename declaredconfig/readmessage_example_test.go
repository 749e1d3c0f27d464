package declaredconfig_test

import (
	"fmt"

	"github.com/windc-go/windc/declaredconfig"
)

// A device reads the message a server sent: the commands, and the
// documents they carry, built while the message is read. A document that
// cannot be read is reported on its item, with its place in the message.
func ExampleReadMessage() {
	msg := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>device</LocURI></Target><Source><LocURI>server</LocURI></Source></SyncHdr><SyncBody>` +
		`<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/10249228-E719-58BF-B459-060DE45240F1/Document</LocURI></Target>` +
		`<Data><DeclaredConfiguration schema="1.0" context="Device" id="10249228-E719-58BF-B459-060DE45240F1" checksum="1" osdefinedscenario="MSFTWiFi">` +
		`<CSP name="./Vendor/MSFT/WiFi"><URI path="Profile/Corp/WlanXml" type="chr">x</URI></CSP></DeclaredConfiguration></Data></Item></Replace>` +
		`<Add><CmdID>3</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document</LocURI></Target>` +
		`<Data><Configuration/></Data></Item></Add><Final/></SyncBody></SyncML>`)
	m, items, err := declaredconfig.ReadMessage(msg, declaredconfig.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Body.Commands), "commands")
	for _, it := range items {
		if it.Err != nil {
			fmt.Println(it.Command.ElementName(), it.Err)
			continue
		}
		fmt.Println(it.Command.ElementName(), it.Document.ID, it.Document.CSPs[0].Settings[0].Path)
	}
	// Output:
	// 2 commands
	// Replace 10249228-E719-58BF-B459-060DE45240F1 Profile/Corp/WlanXml
	// Add declaredconfig: line 1, column 865 (offset 864) in /SyncML/SyncBody/Add/Item/Data/Configuration: unexpected structure: root element is <Configuration>, want <DeclaredConfiguration>
}
