package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// TestInstanceVariableTwice checks instance data in which one Instance
// gives a variable two values: which one the template gets cannot be
// told, so the BulkVariables Replace is refused (400) and changes nothing,
// instead of the last value being taken and the first dropped unsaid.
func TestInstanceVariableTwice(t *testing.T) {
	a := newAgent(t, agent.Config{})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	ib := blob([2]string{"AAA", "p1"})
	ib.Instances[0].Data = append(ib.Instances[0].Data, declaredconfig.InstanceData{Variable: "pfxThumbprint", Value: "BBB"})
	uri := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	if c, _ := serve(t, a, "Replace", uri, text(t, ib)); c != syncml.StatusBadRequest {
		t.Errorf("Replace of instance data giving pfxThumbprint twice: %d, want 400", c)
	}
	if c, _ := serve(t, a, "Get", uri, ""); c != syncml.StatusNotFound {
		t.Errorf("Get after the refused Replace: %d, want 404", c)
	}
}

// TestInstanceManyVariables checks the same with many variables: the
// duplicate among 20 is found, and 20 distinct variables are taken.
func TestInstanceManyVariables(t *testing.T) {
	a := newAgent(t, agent.Config{})
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	uri := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	for _, twice := range []bool{true, false} {
		ib := blob([2]string{"AAA", "p1"})
		for i := range 18 {
			name := "v" + string(rune('a'+i))
			if twice && i == 17 {
				name = "pfxPassword"
			}
			ib.Instances[0].Data = append(ib.Instances[0].Data, declaredconfig.InstanceData{Variable: name, Value: "x"})
		}
		want := syncml.StatusOK
		if twice {
			want = syncml.StatusBadRequest
		}
		if c, _ := serve(t, a, "Replace", uri, text(t, ib)); c != want {
			t.Errorf("twice %v: %d, want %d", twice, c, want)
		}
	}
}
