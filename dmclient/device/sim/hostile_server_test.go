package sim_test

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml"
)

// hostileCommands are what a broken or hostile WinDC server sends a
// device on its first session, drawn per device: documents that do not
// read or break the CSP's rules, nodes that were never made, commands the
// nodes do not take, Atomic and Sequence mixes that fail half way.
func hostileCommands(device string) []syncml.Command {
	id := docID(device)
	r := rand.New(rand.NewSource(int64(len(device)) + int64(device[len(device)-1])*7919 + int64(device[len(device)-2])))
	base := "./Device/Vendor/MSFT/DeclaredConfiguration/Host/"
	doc := func(checksum, settings string) string {
		return `<DeclaredConfiguration schema="1.0" context="Device" id="` + id + `" checksum="` + checksum +
			`" osdefinedscenario="MSFTVPN"><CSP name="./Vendor/MSFT/VPNv2">` + settings + `</CSP></DeclaredConfiguration>`
	}
	good := doc("1", `<URI path="Contoso/AlwaysOn" type="bool">true</URI>`)
	item := func(uri, data string) syncml.Item {
		it := syncml.Item{Target: &syncml.Location{LocURI: uri}}
		if data != "" {
			it.Data = syncml.Text(data)
		}
		return it
	}
	docNode := base + "Complete/Documents/" + id + "/Document"
	var many strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&many, `<URI path="P%d/X" type="int">%d</URI>`, i, i)
	}
	deep := strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000)
	all := []syncml.Command{
		&syncml.Add{Items: []syncml.Item{item(docNode, good)}},
		&syncml.Atomic{Commands: []syncml.Command{
			&syncml.Replace{Items: []syncml.Item{item(docNode, doc("2", `<URI path="Contoso/AlwaysOn" type="bool">false</URI>`))}},
			&syncml.Delete{Items: []syncml.Item{item(base+"Complete/Documents/00000000-0000-4000-8000-000000000000/Document", "")}},
		}},
		&syncml.Sequence{Commands: []syncml.Command{
			&syncml.Get{Items: []syncml.Item{item(base+"Complete/Results/00000000-0000-4000-8000-000000000001/Document", "")}},
			&syncml.Exec{Items: []syncml.Item{item(docNode, "")}},
			&syncml.Replace{Items: []syncml.Item{item(declaredconfig.RefreshIntervalURI, "abc"), item(declaredconfig.ConflictResolutionURI, "2")}},
		}},
		&syncml.Add{Items: []syncml.Item{item(docNode, `<!DOCTYPE x [<!ENTITY e "e">]>`+good)}},
		&syncml.Replace{Items: []syncml.Item{item(docNode, doc("3", many.String()))}},
		&syncml.Replace{Items: []syncml.Item{item(docNode, doc("4", `<URI path="Contoso/AlwaysOn" type="xml">`+deep+`</URI>`))}},
		&syncml.Replace{Items: []syncml.Item{item(docNode, doc("5", `<URI path="A" type="chr">x</URI><URI path="A" type="chr">y</URI>`))}},
		&syncml.Replace{Items: []syncml.Item{item(docNode, doc("6", `<URI path="%2e%2e/%2e%2e/Policy/X" type="chr">x</URI>`))}},
		&syncml.Replace{Items: []syncml.Item{item(base+"BulkTemplate/Documents/"+id+"/BulkVariables/Value", "<Instances/>")}},
		&syncml.Get{Items: []syncml.Item{item(base+"Complete/Documents/%2e%2e/Document", ""), item(base+"Complete/Documents//Document", "")}},
		&syncml.Replace{Items: []syncml.Item{item(base+"Complete/Documents/"+id+"/Properties/Abandoned", "1")}},
		&syncml.Delete{Items: []syncml.Item{item(base+"Complete/Documents/"+id, "")}},
		&syncml.Get{Items: []syncml.Item{item(base+"Complete/Documents/"+id+"/Properties/Abandoned", "")}},
		&syncml.Add{Items: []syncml.Item{item(base+"Complete/Documents/"+id+"/Document", "\xff\xfe<bad")}},
	}
	var out []syncml.Command
	for _, c := range all {
		if r.Intn(3) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// TestHostileServerFleet runs devices against a server that sends each
// a draw of hostileCommands: the devices finish their sessions (no
// error of their own) and each summary the server reads names only
// documents in a state of the enum.
func TestHostileServerFleet(t *testing.T) {
	ws := newWinDCServer(t)
	ws.queueFn = hostileCommands
	const n = 32
	hc := newHTTPClient(8)
	rep, err := sim.RunFleet(context.Background(), sim.FleetConfig{Devices: n, Concurrency: 8, Device: deviceConfig(ws.URL, hc)})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.Errors != 0 {
		t.Errorf("errors: %v", rep)
	}
	for s, k := range ws.states() {
		if v, err := declaredconfig.ParseState(s); err != nil || !v.Known() {
			t.Errorf("%d devices reported state %q", k, s)
		}
	}
	t.Log(ws.states())
}
