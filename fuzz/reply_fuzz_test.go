package fuzz

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// FuzzDeclaredConfigReply decodes arbitrary bytes as a device's SyncML
// message, reads it twice as one reply spread over two messages and
// evaluates it against the documents its summary lists, with a Get sent
// for every Results it carries (each Get naming that Results' Sources as
// Results and Document nodes). No input may make ReadReply or Evaluate
// panic; Evaluate answers one status per desired document, and every
// Unmatched entry names its Status or Results item and says why.
func FuzzDeclaredConfigReply(f *testing.F) {
	const id = "47E88660-1861-4131-96E8-F32E85011E55"
	res := `./Device/Vendor/MSFT/DeclaredConfiguration/Host/BulkTemplate/Results/` + id + `/Document`
	f.Add([]byte(`<SyncML><SyncHdr/><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Replace</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>2</CmdID><CmdRef>3</CmdRef><Item><Source><LocURI>` + res + `</LocURI></Source><Data>&lt;DeclaredConfigurationResult context="Device" schema="1.0" id="` + id +
		`" osdefinedscenario="MSFTResource" checksum="A1" result_checksum="R" state="60"&gt;&lt;CSP name="./Vendor/MSFT/X" state="60"&gt;&lt;URI path="a" status="200" state="60" type="int"/&gt;&lt;/CSP&gt;&lt;/DeclaredConfigurationResult&gt;</Data></Item></Results>` +
		`<Alert><CmdID>3</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft.mdm.declaredconfigurationdocuments</Type></Meta><Data><DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` +
		id + `" checksum="A1" result_checksum="R" state="60"/></DeclaredConfigurations></Data></Item></Alert><Final/></SyncBody></SyncML>`))
	f.Add([]byte(`<SyncML><SyncHdr/><SyncBody><Atomic><CmdID>1</CmdID><Results><CmdID>2</CmdID><MsgRef>2</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./device/vendor/msft/declaredconfiguration/host/complete/documents/` +
		id + `/document</LocURI></Source><Data>&lt;DeclaredConfiguration id="` + id + `"/&gt;</Data></Item><Item><Data>x</Data></Item></Results></Atomic><Final/></SyncBody></SyncML>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			return
		}
		r, _ := declaredconfig.ReadReply(&m, &m)
		var desired []declaredconfig.Desired
		if r.Summary != nil {
			for _, e := range r.Summary.Documents {
				for _, h := range []declaredconfig.Host{declaredconfig.Complete, declaredconfig.BulkTemplate} {
					desired = append(desired, declaredconfig.Desired{URI: declaredconfig.DocumentURI(declaredconfig.Device, h, e.ID),
						Checksum: e.Checksum, MsgID: "1", CmdID: "2"})
				}
			}
		}
		var sent []declaredconfig.Sent
		for _, ri := range r.Results {
			it := ri.Item()
			get := &syncml.Get{CmdID: ri.CmdRef}
			if it.Source != nil {
				get.Items = []syncml.Item{{Target: it.Source}, {Target: &syncml.Location{LocURI: it.Source.LocURI + "/x"}}}
			}
			sent = append(sent, declaredconfig.Sent{MsgID: ri.MsgRef, Command: get})
		}
		ev := r.Evaluate(desired, sent)
		if len(ev.Documents) != len(desired) {
			t.Fatalf("%d statuses for %d desired documents", len(ev.Documents), len(desired))
		}
		for _, u := range ev.Unmatched {
			if u.Command == nil || u.Reason == "" {
				t.Fatalf("Unmatched without command or reason: %+v", u)
			}
			switch c := u.Command.(type) {
			case *syncml.Status:
				if u.Item != -1 {
					t.Fatalf("Status with Item %d", u.Item)
				}
			case *syncml.Results:
				if u.Item < 0 || u.Item >= len(c.Items) {
					t.Fatalf("Results item %d of %d", u.Item, len(c.Items))
				}
			default:
				t.Fatalf("Unmatched %T", c)
			}
		}
	})
}
