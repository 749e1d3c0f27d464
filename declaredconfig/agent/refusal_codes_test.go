package agent_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestTooLargeIs413: a document or instance data beyond one of the
// agent's size limits is answered 413 (request entity too large), the
// same for Config.Limits as for Config.MaxSettings, and told as an
// EventError whose Err names the limit (ErrLimit). Before, a document
// beyond Config.Limits was answered 400, as a malformed one, while one
// beyond MaxSettings was 413, and only the 400 was told. A malformed one
// is still 400.
func TestTooLargeIs413(t *testing.T) {
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	varsURI := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	long := vpnDoc("A1")
	long.CSPs[0].Settings[0].Path = "Contoso/" + strings.Repeat("x", 2000)
	many := vpnDoc("A1")
	for i := range 11 {
		many.CSPs[0].Settings = append(many.CSPs[0].Settings, declaredconfig.Setting{Path: "Contoso/X" + strconv.Itoa(i), Type: "chr", Value: "v"})
	}
	var pairs [][2]string
	for i := range 6 {
		pairs = append(pairs, [2]string{"T" + strconv.Itoa(i), strings.Repeat("p", 200)})
	}
	six := blob(pairs...)     // 12 settings, and about 1.8 KB
	two := blob(pairs[:2]...) // 4 settings, under 1 KB
	bad := strings.Replace(text(t, vpnDoc("A1")), "<URI ", "<URI <", 1)
	for _, tc := range []struct {
		name      string
		lim       declaredconfig.Limits
		uri, data string
		want      syncml.StatusCode
		limit     string // the LimitError's Limit; "" for a 400
	}{
		{"document beyond MaxBytes", declaredconfig.Limits{MaxBytes: 1024}, docURI, text(t, long), 413, "MaxBytes"},
		{"document beyond MaxTokenBytes", declaredconfig.Limits{MaxTokenBytes: 512}, docURI, text(t, long), 413, "MaxTokenBytes"},
		{"document beyond MaxSettings", declaredconfig.Limits{}, docURI, text(t, many), 413, "MaxSettings"},
		{"instance data beyond MaxBytes", declaredconfig.Limits{MaxBytes: 1024}, varsURI, text(t, six), 413, "MaxBytes"},
		{"instance data beyond MaxSettings", declaredconfig.Limits{MaxBytes: 4096}, varsURI, text(t, six), 413, "MaxSettings"},
		{"instance data within", declaredconfig.Limits{MaxBytes: 1024}, varsURI, text(t, two), 200, ""},
		{"malformed document", declaredconfig.Limits{MaxBytes: 1024}, docURI, bad, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log eventLog
			a := newAgent(t, agent.Config{Limits: tc.lim, MaxSettings: 10, OnEvent: log.add})
			if c, _ := serve(t, a, "Add", bulkURI, text(t, bulkDoc())); c != 200 {
				t.Fatalf("Add of the bulk template: %d", c)
			}
			log.events = nil
			if c, _ := serve(t, a, "Replace", tc.uri, tc.data); c != tc.want {
				t.Fatalf("Replace: %d, want %d", c, tc.want)
			}
			if tc.want == 200 {
				return
			}
			if len(log.events) != 1 || log.events[0].Kind != agent.EventError || log.events[0].URI != tc.uri {
				t.Fatalf("events %v, want one EventError for %s", log.events, tc.uri)
			}
			e := log.events[0]
			if !strings.Contains(e.Detail, "("+strconv.Itoa(int(tc.want))+")") {
				t.Errorf("Detail %q does not give the code %d", e.Detail, tc.want)
			}
			var le *declaredconfig.LimitError
			switch {
			case tc.limit == "" && errors.Is(e.Err, declaredconfig.ErrLimit):
				t.Errorf("a 400 told as a limit: %v", e.Err)
			case tc.limit != "" && (!errors.As(e.Err, &le) || le.Limit != tc.limit):
				t.Errorf("Err %v, want the limit %s", e.Err, tc.limit)
			}
		})
	}
}

// TestTooLargeReadWithMessage: a document beyond Config.Limits that
// Agent.Unmarshal read with the message (declaredconfig.ReadMessage) is
// answered 413 too, as one read from the Data's value.
func TestTooLargeReadWithMessage(t *testing.T) {
	long := vpnDoc("A1")
	long.CSPs[0].Settings[0].Path = "Contoso/" + strings.Repeat("x", 2000)
	add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID), long, syncml.DataXML)
	if err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, agent.Config{Limits: declaredconfig.Limits{MaxBytes: 1024}})
	var m syncml.Message
	if err := a.Unmarshal(wire(t, add), &m); err != nil {
		t.Fatal(err)
	}
	r := a.ServeCommand(context.Background(), &session.Request{Command: m.Body.Commands[0]})
	if len(r.ItemCodes) != 1 || r.ItemCodes[0] != syncml.StatusRequestEntityTooLarge {
		t.Errorf("codes %v (%d), want 413", r.ItemCodes, r.Code)
	}
}

// TestHostKind: a document whose scenario is of another kind than its
// Host (a configuration document under Inventory, an inventory one under
// Complete or BulkTemplate) is refused with 400 and told with the
// declaredconfig.HostError, as reconcile.Declare refuses it. Before, a
// configuration document under Inventory was accepted and read as an
// inventory (its values were read, not set).
func TestHostKind(t *testing.T) {
	inv := func(id string) *declaredconfig.Document {
		return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso/AlwaysOn", Type: "bool"}}}}}
	}
	vpn := func(id string) *declaredconfig.Document {
		d := vpnDoc("A1")
		d.ID = id
		return d
	}
	for _, tc := range []struct {
		name string
		host declaredconfig.Host
		doc  func(string) *declaredconfig.Document
		want syncml.StatusCode
	}{
		{"configuration under Complete", declaredconfig.Complete, vpn, 200},
		{"configuration under Inventory", declaredconfig.Inventory, vpn, 400},
		{"inventory under Inventory", declaredconfig.Inventory, inv, 200},
		{"inventory under Complete", declaredconfig.Complete, inv, 400},
		{"inventory under BulkTemplate", declaredconfig.BulkTemplate, inv, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log eventLog
			a := newAgent(t, agent.Config{OnEvent: log.add})
			uri := declaredconfig.DocumentURI(declaredconfig.Device, tc.host, invID).String()
			d := tc.doc(invID)
			if c, _ := serve(t, a, "Add", uri, text(t, d)); c != tc.want {
				t.Fatalf("Add: %d, want %d", c, tc.want)
			}
			if tc.want == 200 {
				return
			}
			var he *declaredconfig.HostError
			if len(log.events) != 1 || !errors.As(log.events[0].Err, &he) || he.Host != tc.host || he.Scenario != d.Scenario {
				t.Errorf("events %v, want one EventError with a HostError", log.events)
			}
			if e := entry(a, invID); e.ID != "" {
				t.Errorf("the refused document is listed: %+v", e)
			}
		})
	}
}
