package agent_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestRestartAppliedRefused: a stored setting is trusted only when its
// node is one a document of its context may set, whatever version
// (Document or Applied) names it. A store whose Applied is a version the
// arrival checks refuse (a CSP name with a ".." segment, a DSC element in
// a User document), with settings naming the nodes it would make, keeps
// that version's other settings: New starts (a later build's stricter
// checks must not stop an agent over the store an earlier one saved),
// drops the setting of the node no such document may set, says so in an
// EventError, and Unenroll leaves that node alone. Before, it was held as
// the document's own: the ".." one reaches DMClient on a Surface that
// resolves the path, the DSC one is a ./Device node of a User document.
func TestRestartAppliedRefused(t *testing.T) {
	ctx := context.Background()
	dsc := declaredconfig.DSC{Namespace: "root/cimv2", ClassName: "MSFT_Reg",
		Keys:   []declaredconfig.Param{{Name: "Key", Value: "HKLM"}},
		Values: []declaredconfig.Param{{Name: "Data", Value: "1"}}}
	for name, tc := range map[string]struct {
		scope declaredconfig.Scope
		add   func(d *declaredconfig.Document) agent.SettingRecord
	}{
		"dot-dot CSP": {declaredconfig.Device, func(d *declaredconfig.Document) agent.SettingRecord {
			const csp = "./Vendor/MSFT/VPNv2/../DMClient"
			d.CSPs = append(d.CSPs, declaredconfig.CSP{Name: csp, Settings: []declaredconfig.Setting{{Path: "Provider/X/Secret", Type: "chr", Value: "x"}}})
			return agent.SettingRecord{CSP: csp, Path: "Provider/X/Secret", URI: declaredconfig.SettingURI("Device", csp, "Provider/X/Secret")}
		}},
		"DSC in a User document": {declaredconfig.User, func(d *declaredconfig.Document) agent.SettingRecord {
			d.DSCs = append(d.DSCs, dsc)
			return agent.SettingRecord{DSC: 1, Path: "Data", URI: agent.DSCURI(&dsc, "Data")}
		}},
	} {
		for _, in := range []string{"Applied", "Document"} {
			t.Run(name+" in "+in, func(t *testing.T) {
				uri := docURI(tc.scope, vpnID)
				first, next := vpnDoc("A1"), vpnDoc("A2")
				first.Context, next.Context = tc.scope.String(), tc.scope.String()
				store, surface := &agent.MemoryStore{}, &agent.MemorySurface{}
				a := applied(t, agent.Config{Store: store, Surface: surface}, uri, first)
				if in == "Applied" {
					if c, _ := serve(t, a, "Replace", uri, text(t, next)); c != 200 {
						t.Fatalf("Replace: %d", c)
					}
				}
				s, err := store.Load(ctx)
				if err != nil {
					t.Fatal(err)
				}
				r := &s.Documents[0]
				set := tc.add(first)
				switch {
				case in == "Document":
					r.Document = text(t, first) // A1 applied, as an earlier build's checks took it
				case r.Applied == "":
					t.Fatal("no Applied after a Replace over an applied version")
				default:
					r.Applied = text(t, first)
				}
				r.Settings = append(r.Settings, set)
				if err := store.Save(ctx, s); err != nil {
					t.Fatal(err)
				}
				if err := surface.Set(ctx, set.URI, "keep"); err != nil {
					t.Fatal(err)
				}
				// A1's own two settings stay: nodes a Device or User
				// document may set, which Unenroll removes
				startDropping(t, store, surface, set.URI, 2, "1 stored settings dropped")
			})
		}
	}
}
