package agent_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestBulkTemplateDSC checks that the placeholders of the DSC elements of
// a bulk template are filled from each instance, as those of its CSP
// settings are: one DSC instance per instance of the instance data, keys
// and values filled, and the result names each with its filled keys.
func TestBulkTemplateDSC(t *testing.T) {
	ctx := context.Background()
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface})
	d := bulkDoc()
	d.DSCs = []declaredconfig.DSC{{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
		Keys:   []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso\@#pfxThumbprint#`}},
		Values: []declaredconfig.Param{{Name: "ValueData", Value: "@#pfxPassword#"}, {Name: "Ensure", Value: "Present"}}}}
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID)
	if c, _ := serve(t, a, "Add", docURI.String(), text(t, d)); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(),
		text(t, blob([2]string{"T1", "p1"}, [2]string{"T2", "p2"}))); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	for _, inst := range [][2]string{{"T1", "p1"}, {"T2", "p2"}} {
		x := d.DSCs[0]
		x.Keys = []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso\` + inst[0]}}
		uri := agent.DSCURI(&x, "ValueData")
		if v, ok, _ := surface.Get(ctx, uri); !ok || v != inst[1] {
			t.Errorf("%s = %q %v, want %q", uri, v, ok, inst[1])
		}
	}
	if n := surface.Nodes("./Device/DSC/"); len(n) != 4 {
		t.Errorf("DSC nodes %v, want 2 per instance", n)
	}
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID))
	if r.State != "60" || len(r.DSCs) != 2 {
		t.Fatalf("result state %s, %d DSC elements: %+v", r.State, len(r.DSCs), r.DSCs)
	}
	for i, want := range []string{`HKLM\Software\Contoso\T1`, `HKLM\Software\Contoso\T2`} {
		if len(r.DSCs[i].Keys) != 1 || r.DSCs[i].Keys[0].Value != want {
			t.Errorf("result DSC %d keys %+v, want %s", i, r.DSCs[i].Keys, want)
		}
	}
}
