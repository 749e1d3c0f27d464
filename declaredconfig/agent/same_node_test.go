package agent_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// setCounter is a MemorySurface that counts its Sets.
type setCounter struct {
	agent.MemorySurface
	mu   sync.Mutex
	sets int
}

func (s *setCounter) Set(ctx context.Context, uri, value string) error {
	s.mu.Lock()
	s.sets++
	s.mu.Unlock()
	return s.MemorySurface.Set(ctx, uri, value)
}

func (s *setCounter) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sets
}

// setsInRefreshes runs n refreshes of a, whose Surface s is, and returns
// how many Sets they made.
func (s *setCounter) setsInRefreshes(t *testing.T, a *agent.Agent, n int) int {
	t.Helper()
	before := s.count()
	for range n {
		if err := a.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return s.count() - before
}

// TestSameNodeTwice checks documents in which two settings name one
// node, each in its own way (two CSP elements of one name, the CSP name
// taking a segment of the path, the scope written out, a percent escape
// the LocURI rules decode, two DSC elements of one resource), with
// different values. Applied, the node would hold the last value while the
// result said both were set (60), and every refresh would find the first
// drifted and set the node back and forth for ever, with an EventRepaired
// each time. Such a document is refused in the same reply (400), as
// Validate refuses a path given twice in one CSP.
func TestSameNodeTwice(t *testing.T) {
	dsc := func() declaredconfig.DSC {
		return declaredconfig.DSC{Namespace: "root/Microsoft/Windows/DesiredStateConfiguration", ClassName: "MSFT_RegistryResource",
			Keys: []declaredconfig.Param{{Name: "Key", Value: `HKLM\Software\Contoso`}}, Values: []declaredconfig.Param{{Name: "ValueData", Value: "1"}}}
	}
	for _, tc := range []struct {
		name string
		edit func(d *declaredconfig.Document)
	}{
		{"two CSP elements", func(d *declaredconfig.Document) {
			d.CSPs = append(d.CSPs, declaredconfig.CSP{Name: d.CSPs[0].Name, Settings: []declaredconfig.Setting{{Path: "Contoso/AlwaysOn", Type: "bool", Value: "false"}}})
		}},
		{"CSP name with a path segment", func(d *declaredconfig.Document) {
			d.CSPs = append(d.CSPs, declaredconfig.CSP{Name: "./Vendor/MSFT/VPNv2/Contoso", Settings: []declaredconfig.Setting{{Path: "AlwaysOn", Type: "bool", Value: "false"}}})
		}},
		{"scope written out", func(d *declaredconfig.Document) {
			d.CSPs = append(d.CSPs, declaredconfig.CSP{Name: "./Device/Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "Contoso/AlwaysOn", Type: "bool", Value: "false"}}})
		}},
		{"percent escape", func(d *declaredconfig.Document) {
			d.CSPs[0].Settings[1] = declaredconfig.Setting{Path: "Contoso/Always%4Fn", Type: "bool", Value: "false"}
		}},
		{"two DSC elements", func(d *declaredconfig.Document) {
			x, y := dsc(), dsc()
			y.Values[0].Value = "2"
			d.DSCs = append(d.DSCs, x, y)
		}},
	} {
		ctx := context.Background()
		surface := &setCounter{}
		a := newAgent(t, agent.Config{Surface: surface})
		d := vpnDoc("A1")
		tc.edit(d)
		docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
		c, _ := serve(t, a, "Add", docURI, text(t, d))
		if c == syncml.StatusBadRequest {
			continue
		}
		t.Errorf("%s: Add %d, want 400", tc.name, c)
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		applied, state := surface.count(), entry(a, vpnID).State
		t.Logf("%s: state %s after the apply (%d Sets), %d Sets in 3 refreshes", tc.name, state, applied, surface.setsInRefreshes(t, a, 3))
	}
}

// TestBulkSameNodeTwice checks a bulk template whose placeholder is in a
// value only, with two instances: both would set the one node the path
// names. The second instance's setting fails (400) instead of being
// reported set while the node holds one value, and a refresh then sets
// nothing.
func TestBulkSameNodeTwice(t *testing.T) {
	ctx := context.Background()
	surface := &setCounter{}
	a := newAgent(t, agent.Config{Surface: surface, KeepInstanceData: true})
	d := bulkDoc()
	d.CSPs[0].Settings = []declaredconfig.Setting{{Path: "PFXCertInstall/Fixed/PFXCertPassword", Type: "chr", Value: "@#pfxPassword#"}}
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, d)); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, blob([2]string{"A", "p1"}, [2]string{"B", "p2"}))); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	if err := a.ApplyPending(ctx); err != nil {
		t.Fatal(err)
	}
	if e := entry(a, bulkID); e.State != "61" {
		t.Errorf("state %s after the apply, want 61", e.State)
	}
	r := result(t, a, declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID))
	if s := statuses(r); !strings.Contains(s, " 400 61") {
		t.Errorf("result %s, want a 400", s)
	}
	if n := surface.setsInRefreshes(t, a, 3); n != 0 {
		t.Errorf("%d Sets in 3 refreshes, want 0", n)
	}
}
