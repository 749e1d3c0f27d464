package session_test

import (
	"context"
	"fmt"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

func Example() {
	s := session.NewSession(nil)
	_ = s.Queue(&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}})

	// Package 1 from the device.
	pkg1 := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target>` +
		`<Source><LocURI>DEVICE-1</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`
	x, err := s.Handle(context.Background(), &session.Inbound{Raw: []byte(pkg1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range x.Reply.Body.Commands {
		fmt.Println(c.ID(), c.ElementName())
	}

	// The device answers the Get.
	pkg3 := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target>` +
		`<Source><LocURI>DEVICE-1</LocURI></Source></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./DevDetail/SwV</LocURI></Source>` +
		`<Data>10.0.26100</Data></Item></Results><Final/></SyncBody></SyncML>`
	x, err = s.Handle(context.Background(), &session.Inbound{Raw: []byte(pkg3)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range x.Outcomes {
		code, _ := o.Code()
		fmt.Println(o.Command.ElementName(), code, o.Results[0].Items[0].Data.Value)
	}
	fmt.Println("done:", x.Done)
	// Output:
	// 1 Status
	// 2 Status
	// 3 Get
	// Get 200 OK 10.0.26100
	// done: true
}

// A device's Mux answers the server's Gets of ./DevInfo from the DevInfo
// its package 1 sent.
func ExampleDevInfo_Handler() {
	info := session.DevInfo{DevID: "DEV-1", Man: "Contoso", Mod: "Surface", DmV: "1.3", Lang: "en-US"}
	mux := session.NewMux()
	if err := mux.HandleSubtree("", "./DevInfo", info.Handler()); err != nil {
		fmt.Println(err)
		return
	}
	get := &syncml.Get{CmdID: "2", Items: []syncml.Item{
		{Target: &syncml.Location{LocURI: "./DevInfo/Mod"}}, {Target: &syncml.Location{LocURI: "./DevInfo/Ext"}}}}
	resp := mux.ServeCommand(context.Background(), &session.Request{Command: get})
	for _, code := range resp.ItemCodes {
		fmt.Println(code)
	}
	for _, it := range resp.Results {
		fmt.Println(it.Source.LocURI, it.Data.Value)
	}
	// Output:
	// 200 OK
	// 404 Not found
	// ./DevInfo/Mod Surface
}
