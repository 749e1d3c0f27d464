package reconcile_test

import (
	"context"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// A bulk template and its instance data to the agent over HTTP: the
// value comes from the variables; new variables alone change it; after a
// wipe the document and its variables are sent again.
func TestBulkTemplateToAgentNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-bulk"
	d := newNu46Device(t, s.hs.URL, dev)
	const node = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"
	doc := nu46Doc(nu46A, "T1", "Config/Camera/AllowCamera", "@#allow#")
	doc.Host = declaredconfig.BulkTemplate
	vars := func(v string) *declaredconfig.InstanceBlob {
		return &declaredconfig.InstanceBlob{Schema: "1.0", Instances: []declaredconfig.Instance{{
			Data: []declaredconfig.InstanceData{{Variable: "allow", Value: v}}}}}
	}
	check := func(what, want string) {
		t.Helper()
		d.checkIns(t, 3)
		if v, _, _ := d.surface.Get(ctx, node); v != want {
			t.Errorf("%s: AllowCamera = %q, want %q", what, v, want)
		}
		st, err := s.rec.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		if x := st.Docs[0]; x.Condition != reconcile.InSync {
			t.Errorf("%s: %v (%s)", what, x.Condition, x.Reason)
		}
		for _, e := range s.ev.take() {
			if e.Kind == reconcile.Problem {
				t.Errorf("%s: Problem: %v", what, e.Err)
			}
		}
	}
	doc.Variables = vars("1")
	if err := s.rec.Declare(ctx, dev, doc); err != nil {
		t.Fatal(err)
	}
	check("first", "1")
	doc.Variables = vars("0")
	if err := s.rec.Declare(ctx, dev, doc); err != nil {
		t.Fatal(err)
	}
	check("new variables", "0")
	d = newNu46DeviceOn(t, s.hs.URL, dev, &agent.MemorySurface{}, nil)
	check("after a wipe", "0")
}
