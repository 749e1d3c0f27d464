package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// TestInteriorAdd checks Add on the interior nodes the DDF gives Add
// (Host, Complete, Inventory, Documents, {DocID}, Properties), as a
// device answers it: 418 for a node that exists, 200 for a {DocID} that
// does not (the node the Document then goes into; nothing is held until
// it comes); 405 where the DDF has no Add (the root, Results,
// ManagementServiceConfiguration).
func TestInteriorAdd(t *testing.T) {
	a := newAgent(t, agent.Config{})
	root := "./Device/Vendor/MSFT/DeclaredConfiguration"
	base := root + "/Host/"
	serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(), text(t, vpnDoc("A1")))
	const newID = "11111111-2222-3333-4444-555555555555"
	for _, tc := range []struct {
		uri  string
		want syncml.StatusCode
	}{
		{root, 405},
		{root + "/Host", 418},
		{base + "Complete", 418},
		{base + "Inventory", 418},
		{base + "Complete/Documents", 418},
		{base + "Inventory/Documents", 418},
		{base + "Complete/Documents/" + vpnID, 418},
		{base + "Complete/Documents/" + vpnID + "/Properties", 418},
		{base + "Complete/Documents/" + newID, 200},
		{base + "Inventory/Documents/" + newID, 200},
		{base + "Inventory/Documents/" + vpnID, 418}, // the DocID is the Complete document's
		{base + "Complete/Documents/" + newID + "/Properties", 404},
		{base + "Complete/Results", 405},
		{base + "Complete/Results/" + vpnID, 405},
		{root + "/ManagementServiceConfiguration", 405},
	} {
		if code, _ := serve(t, a, "Add", tc.uri, ""); code != tc.want {
			t.Errorf("Add %s: %d, want %d", tc.uri, code, tc.want)
		}
	}
	if n := len(a.Summary().Documents); n != 1 {
		t.Errorf("Adds of interior nodes made %d documents, want 1", n)
	}
	// The Document then goes into the node added.
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, newID).String(), text(t, withID(vpnDoc("N1"), newID))); c != 200 {
		t.Errorf("Add of the Document under the added node: %d", c)
	}
}

func withID(d *declaredconfig.Document, id string) *declaredconfig.Document {
	d.ID = id
	for i := range d.CSPs[0].Settings {
		d.CSPs[0].Settings[i].Path = "N/" + d.CSPs[0].Settings[i].Path
	}
	return d
}
