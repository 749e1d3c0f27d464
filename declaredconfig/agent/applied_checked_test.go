package agent_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestRestartAppliedRefused: a record's Applied is held to the arrival
// checks as its Document is. A store whose Applied is a version those
// checks refuse (a CSP name with a ".." segment, a DSC element in a User
// document), with settings naming the nodes it would make, has none of
// its settings trusted: New starts (a later build's stricter checks must
// not stop an agent over the store an earlier one saved), drops them and
// says so in an EventError, and Unenroll leaves their nodes alone. Before,
// they were held as the document's own: the ".." one reaches DMClient on
// a Surface that resolves the path, the DSC one is a ./Device node of a
// User document.
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
		t.Run(name, func(t *testing.T) {
			uri := docURI(tc.scope, vpnID)
			first, next := vpnDoc("A1"), vpnDoc("A2")
			first.Context, next.Context = tc.scope.String(), tc.scope.String()
			store, surface := &agent.MemoryStore{}, &agent.MemorySurface{}
			a := newAgent(t, agent.Config{Store: store, Surface: surface})
			if c, _ := serve(t, a, "Add", uri, text(t, first)); c != 200 {
				t.Fatalf("Add: %d", c)
			}
			if err := a.ApplyPending(ctx); err != nil {
				t.Fatal(err)
			}
			if c, _ := serve(t, a, "Replace", uri, text(t, next)); c != 200 {
				t.Fatalf("Replace: %d", c)
			}
			s, err := store.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := &s.Documents[0]
			if r.Applied == "" {
				t.Fatal("no Applied after a Replace over an applied version")
			}
			set := tc.add(first)
			r.Applied = text(t, first)
			r.Settings = append(r.Settings, set)
			if err := store.Save(ctx, s); err != nil {
				t.Fatal(err)
			}
			if err := surface.Set(ctx, set.URI, "keep"); err != nil {
				t.Fatal(err)
			}
			startDropping(t, store, surface, set.URI, "stored settings its version does not make")
		})
	}
}
