package session

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
)

// A device's Mux with DevInfo.Handler mounted answers the server's Gets
// of ./DevInfo from ClientConfig.DevInfo: the values per item, 404 for a
// node it does not have or an empty field, 405 for a command that would
// change the read-only subtree; the rest of the Mux is untouched.
func TestDevInfoHandler(t *testing.T) {
	d := DevInfo{DevID: "DEV1", Man: "Contoso", Mod: "Surface", Lang: "en-US"} // no DmV
	mux := NewMux()
	if err := mux.HandleSubtree("", "./DevInfo", d.Handler()); err != nil {
		t.Fatal(err)
	}
	other := 0
	mux.Handle("Get", HandlerFunc(func(context.Context, *Request) Response { other++; return Response{} }))
	c := newTestClient(t, mux)
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	target := func(uris ...string) []syncml.Item {
		var items []syncml.Item
		for _, u := range uris {
			items = append(items, syncml.Item{Target: &syncml.Location{LocURI: u}})
		}
		return items
	}
	x, err := c.Handle(ctx, &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://mdm.example/ManagementServer/MDM.svc"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{
			&syncml.Get{CmdID: "2", Items: target("./DevInfo/Man", "./DevInfo/Ext", "./Device/DevInfo/DevId", "./DevInfo/DmV")},
			&syncml.Replace{CmdID: "3", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevInfo/Lang"}, Data: syncml.Text("fr-FR")}}},
			&syncml.Get{CmdID: "4", Items: target("./DevDetail/SwV")},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	type answer struct{ Cmd, Ref, Code string }
	var statuses []answer
	values := map[string]string{}
	for _, cmd := range x.Reply.Body.Commands {
		switch cmd := cmd.(type) {
		case *syncml.Status:
			if cmd.Cmd != "SyncHdr" {
				statuses = append(statuses, answer{cmd.Cmd, cmd.CmdRef + " " + strings.Join(cmd.TargetRef, ","), cmd.Data.Value})
			}
		case *syncml.Results:
			for _, it := range cmd.Items {
				values[it.Source.LocURI] = it.Data.Value
				if it.Meta == nil || it.Meta.Format != "chr" {
					t.Errorf("Results item %s: Meta %+v, want Format chr", it.Source.LocURI, it.Meta)
				}
			}
		}
	}
	want := []answer{
		{"Get", "2 ./DevInfo/Man", "200"}, {"Get", "2 ./DevInfo/Ext", "404"}, {"Get", "2 ./Device/DevInfo/DevId", "200"}, {"Get", "2 ./DevInfo/DmV", "404"},
		{"Replace", "3 ./DevInfo/Lang", "405"}, {"Get", "4 ./DevDetail/SwV", "200"},
	}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("Statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"./DevInfo/Man": "Contoso", "./Device/DevInfo/DevId": "DEV1"}, values); diff != "" {
		t.Errorf("Results (-want +got):\n%s", diff)
	}
	if other != 1 {
		t.Errorf("the Mux's other Get route ran %d times, want 1", other)
	}
}
