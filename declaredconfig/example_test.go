package declaredconfig_test

import (
	"fmt"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// A server declares a Wi-Fi setting on a device, then reads the device's
// next message: the Status of its Replace and the 1224 summary.
func Example_roundTrip() {
	id := "10249228-E719-58BF-B459-060DE45240F1"
	target := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id)
	doc := &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: id, Checksum: "11111111",
		Scenario: declaredconfig.ScenarioWifi,
		CSPs: []declaredconfig.CSP{{
			Name: "./Vendor/MSFT/WiFi",
			Settings: []declaredconfig.Setting{
				{Path: "Profile/Corp/WlanXml", Type: "chr", Value: "<WLANProfile/>"},
			},
		}},
	}
	replace, err := declaredconfig.ReplaceDocument(target, doc, syncml.DataCDATA)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The sender numbers what builders return: here CmdID 2 of message 1.
	msg := &syncml.Message{Header: syncml.Header{MsgID: "1"}, Body: syncml.Body{Commands: []syncml.Command{replace}, Final: true}}
	syncml.NumberCommands(msg.Body.Commands, 2)
	fmt.Println(replace.Items[0].Target.LocURI)
	fmt.Println(replace.Items[0].Data.Value)

	// The device's reply, as syncml.Unmarshal would give it.
	reply := &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{
		&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "2", Cmd: "Replace", Data: syncml.StatusOK.Data()},
		&syncml.Alert{CmdID: "2", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
			Data: syncml.XML(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + id +
				`" checksum="11111111" result_checksum="EE4F" state="60"/></DeclaredConfigurations>`),
		}}},
	}}}
	r, err := declaredconfig.ReadReply(reply)
	if err != nil {
		fmt.Println(err)
		return
	}
	desired := []declaredconfig.Desired{{URI: target, Checksum: doc.Checksum, MsgID: msg.Header.MsgID, CmdID: replace.CmdID}}
	for _, st := range r.Evaluate(desired, nil).Documents {
		fmt.Println(st.DocID, st.Condition, st.State, st.Command)
	}
	// Output:
	// ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/10249228-E719-58BF-B459-060DE45240F1/Document
	// <DeclaredConfiguration schema="1.0" context="Device" id="10249228-E719-58BF-B459-060DE45240F1" checksum="11111111" osdefinedscenario="MSFTWifi"><CSP name="./Vendor/MSFT/WiFi"><URI path="Profile/Corp/WlanXml" type="chr">&lt;WLANProfile/&gt;</URI></CSP></DeclaredConfiguration>
	// 10249228-E719-58BF-B459-060DE45240F1 InSync ConfigCompletedSuccess(60) 200 OK
}

// A document read from a device's Data keeps what the model does not know.
func ExampleDocument_UnmarshalText() {
	in := "\n  <?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
		`<DeclaredConfiguration context="user" schema="1.0" id="DCA000B5-397D-40A1-AABF-40B25078A7F9" osdefinedscenario="MSFTVPN" checksum="A0" future="1">
  <CSP name="./Vendor/MSFT/VPNv2">
    <URI path="P/Protocol" type="int">2</URI>
  </CSP>
  <Signature alg="x">abc</Signature>
</DeclaredConfiguration>`
	var d declaredconfig.Document
	if err := d.UnmarshalText([]byte(in)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Scenario, d.CSPs[0].Settings[0].Path, d.CSPs[0].Settings[0].Value, d.Attrs, d.Unknown)
	out, _ := d.MarshalText()
	fmt.Println(string(out))
	// Output:
	// MSFTVPN P/Protocol 2 [{future 1}] [<Signature alg="x">abc</Signature>]
	// <DeclaredConfiguration schema="1.0" context="user" id="DCA000B5-397D-40A1-AABF-40B25078A7F9" checksum="A0" osdefinedscenario="MSFTVPN" future="1"><CSP name="./Vendor/MSFT/VPNv2"><URI path="P/Protocol" type="int">2</URI></CSP><Signature alg="x">abc</Signature></DeclaredConfiguration>
}

// The three RefreshInterval commands of the protocol overview.
func ExampleReplaceRefreshInterval() {
	get := declaredconfig.GetRefreshInterval()
	set, _ := declaredconfig.ReplaceRefreshInterval(30)
	del := declaredconfig.DeleteRefreshInterval()
	fmt.Println(get.Items[0].Target.LocURI)
	fmt.Println(set.Items[0].Meta.Format, set.Items[0].Data.Value)
	fmt.Println(del.ElementName())
	// Output:
	// ./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval
	// int 30
	// Delete
}
