package agent_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// A Store that gives back a setting naming a node its document does not
// make (another node, a negative group) is corrupt: New refuses it, so
// that refresh does not set, nor Unenroll delete, a node no document names
// (and the result is not built from a group that is none: that panicked).
// A DSC node as builds before the key escaping wrote it still loads.
func TestStoreSettingNotItsOwn(t *testing.T) {
	ctx := context.Background()
	const dscID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	dsc := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: dscID, Checksum: "D1",
		Scenario: declaredconfig.ScenarioMIProviderConfig,
		DSCs: []declaredconfig.DSC{{Namespace: "root/cimv2", ClassName: "MSFT_Reg",
			Keys:   []declaredconfig.Param{{Name: "Key", Value: "HKLM,a=b"}},
			Values: []declaredconfig.Param{{Name: "Data", Value: "1"}}}}}
	saved := func(t *testing.T) *agent.Snapshot {
		st := &agent.MemoryStore{}
		a := newAgent(t, agent.Config{Store: st})
		for uri, d := range map[string]*declaredconfig.Document{
			declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(): vpnDoc("A1"),
			declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, dscID).String(): dsc,
		} {
			if c, _ := serve(t, a, "Add", uri, text(t, d)); c != 200 {
				t.Fatalf("Add %s: %d", uri, c)
			}
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		s, err := st.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	setting := func(s *agent.Snapshot, dscDoc bool) *agent.SettingRecord {
		for i := range s.Documents {
			if strings.Contains(s.Documents[i].URI, dscID) == dscDoc {
				return &s.Documents[i].Settings[0]
			}
		}
		t.Fatal("no setting")
		return nil
	}
	const foreign = "./Device/Vendor/MSFT/DMClient/Provider/X/Secret"
	for name, mut := range map[string]func(s *agent.Snapshot){
		"CSP setting, another node": func(s *agent.Snapshot) { setting(s, false).URI = foreign },
		"CSP setting, another CSP":  func(s *agent.Snapshot) { setting(s, false).CSP = "./Vendor/MSFT/DMClient" },
		"DSC setting, another node": func(s *agent.Snapshot) { setting(s, true).URI = foreign },
		"DSC setting, another key":  func(s *agent.Snapshot) { setting(s, true).DSCKeys = "Key=HKCU" },
		"CSP setting, group -1":     func(s *agent.Snapshot) { setting(s, false).Group = -1 },
		"DSC setting, group -1":     func(s *agent.Snapshot) { setting(s, true).Group = -1 },
	} {
		t.Run(name, func(t *testing.T) {
			s := saved(t)
			mut(s)
			surface := &agent.MemorySurface{}
			if err := surface.Set(ctx, foreign, "keep"); err != nil {
				t.Fatal(err)
			}
			st := &agent.MemoryStore{}
			if err := st.Save(ctx, s); err != nil {
				t.Fatal(err)
			}
			a, err := agent.New(ctx, agent.Config{Surface: surface, Store: st, Clock: newClock()})
			if err == nil {
				err = errors.Join(a.Refresh(ctx), a.Unenroll(ctx)) // what the state would do
			}
			if !errors.Is(err, agent.ErrCorrupt) || !strings.Contains(err.Error(), "not its own") {
				t.Errorf("New: %v, want ErrCorrupt (a setting not its own)", err)
			}
			if v, _, _ := surface.Get(ctx, foreign); v != "keep" {
				t.Errorf("the foreign node holds %q", v)
			}
		})
	}
	t.Run("DSC node as written before the key escaping", func(t *testing.T) {
		s := saved(t)
		r := setting(s, true)
		r.URI = "./Device/DSC/root%2Fcimv2/MSFT_Reg/" + url.PathEscape("Key=HKLM,a=b") + "/Data"
		st := &agent.MemoryStore{}
		if err := st.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		surface := &agent.MemorySurface{}
		a, err := agent.New(ctx, agent.Config{Surface: surface, Store: st, Clock: newClock()})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := surface.Get(ctx, r.URI); v != "1" {
			t.Errorf("refresh set %q at the stored node, want 1", v)
		}
	})
}
