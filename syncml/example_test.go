package syncml_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// A message as a Windows device sends it at the start of a session.
const deviceMessage = `<?xml version="1.0" encoding="utf-8"?>
<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD>
    <VerProto>DM/1.2</VerProto>
    <SessionID>1</SessionID>
    <MsgID>1</MsgID>
    <Target><LocURI>https://mdm.example.com/omadm</LocURI></Target>
    <Source><LocURI>42</LocURI></Source>
  </SyncHdr>
  <SyncBody>
    <Alert>
      <CmdID>1</CmdID>
      <Data>1201</Data>
    </Alert>
    <Replace>
      <CmdID>2</CmdID>
      <Item>
        <Source><LocURI>./DevInfo/DevId</LocURI></Source>
        <Data>42</Data>
      </Item>
    </Replace>
    <Final/>
  </SyncBody>
</SyncML>`

func ExampleUnmarshal() {
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(deviceMessage), &m); err != nil {
		log.Fatal(err)
	}
	fmt.Println("namespace:", m.XMLNS)
	fmt.Println("session:", m.Header.SessionID, "from", m.Header.Source.LocURI)
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Alert:
			code, _ := c.Code()
			fmt.Printf("%s %s: alert %d\n", c.ElementName(), c.ID(), code)
		case *syncml.Replace:
			for _, it := range c.Items {
				fmt.Printf("%s %s: %s = %s\n", c.ElementName(), c.ID(), it.Source.LocURI, it.Data.Value)
			}
		}
	}
	fmt.Println("final:", m.Body.Final)
	// Output:
	// namespace: SYNCML:SYNCML1.2
	// session: 1 from 42
	// Alert 1: alert 1201
	// Replace 2: ./DevInfo/DevId = 42
	// final: true
}

func ExampleMarshal() {
	m := &syncml.Message{
		XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{
			VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "42"},
			Source: syncml.Location{LocURI: "https://mdm.example.com/omadm"},
		},
		Body: syncml.Body{
			Commands: []syncml.Command{
				&syncml.Replace{CmdID: "2", Items: []syncml.Item{{
					Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/Config/Camera/AllowCamera"},
					Meta:   &syncml.Meta{Format: "int"},
					Data:   syncml.Text("0"),
				}}},
				&syncml.Get{CmdID: "3", Items: []syncml.Item{{
					Target: &syncml.Location{LocURI: "./DevDetail/SwV"},
				}}},
			},
			Final: true,
		},
	}
	out, err := syncml.MarshalIndent(m, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(out))
	// Output:
	// <SyncML xmlns="SYNCML:SYNCML1.2">
	//   <SyncHdr>
	//     <VerDTD>1.2</VerDTD>
	//     <VerProto>DM/1.2</VerProto>
	//     <SessionID>1</SessionID>
	//     <MsgID>1</MsgID>
	//     <Target>
	//       <LocURI>42</LocURI>
	//     </Target>
	//     <Source>
	//       <LocURI>https://mdm.example.com/omadm</LocURI>
	//     </Source>
	//   </SyncHdr>
	//   <SyncBody>
	//     <Replace>
	//       <CmdID>2</CmdID>
	//       <Item>
	//         <Target>
	//           <LocURI>./Vendor/MSFT/Policy/Config/Camera/AllowCamera</LocURI>
	//         </Target>
	//         <Meta>
	//           <Format xmlns="syncml:metinf">int</Format>
	//         </Meta>
	//         <Data>0</Data>
	//       </Item>
	//     </Replace>
	//     <Get>
	//       <CmdID>3</CmdID>
	//       <Item>
	//         <Target>
	//           <LocURI>./DevDetail/SwV</LocURI>
	//         </Target>
	//       </Item>
	//     </Get>
	//     <Final/>
	//   </SyncBody>
	// </SyncML>
}

func ExampleNewDecoder() {
	data := []byte(deviceMessage)
	d := syncml.NewDecoder(bytes.NewReader(data))
	h, err := d.Header()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("message %s of session %s\n", h.MsgID, h.SessionID)
	for {
		c, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		// InputSpan gives the command's bytes exactly as they arrived
		start, end := d.InputSpan()
		raw := strings.Join(strings.Fields(string(data[start:end])), "")
		fmt.Printf("%s at [%d,%d): %s\n", c.ElementName(), start, end, raw)
	}
	fmt.Println("final:", d.Final())
	// Output:
	// message 1 of session 1
	// Alert at [331,398): <Alert><CmdID>1</CmdID><Data>1201</Data></Alert>
	// Replace at [403,559): <Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>42</Data></Item></Replace>
	// final: true
}

func ExampleNewEncoder() {
	e := syncml.NewEncoder(os.Stdout)
	h := &syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "2"}
	if err := e.EncodeHeader(syncml.NamespaceSyncML12, h); err != nil {
		log.Fatal(err)
	}
	for i, code := range []string{"200", "404"} {
		st := &syncml.Status{
			CmdID: fmt.Sprint(i + 1), MsgRef: "1", CmdRef: fmt.Sprint(i + 2), Cmd: "Get",
			Data: syncml.Text(code),
		}
		if err := e.EncodeCommand(st); err != nil {
			log.Fatal(err)
		}
	}
	if err := e.EncodeEnd(true); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	// Output:
	// <SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID></SyncHdr><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status><Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>404</Data></Status><Final/></SyncBody></SyncML>
}

func ExampleDecoder_Decode() {
	var m syncml.Message
	if err := syncml.NewDecoder(strings.NewReader(deviceMessage)).Decode(&m); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("message %s of session %s: %d commands, final %v\n",
		m.Header.MsgID, m.Header.SessionID, len(m.Body.Commands), m.Body.Final)
	// Output:
	// message 1 of session 1: 2 commands, final true
}
