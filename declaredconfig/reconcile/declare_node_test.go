package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestDeclareSettingNode: Declare refuses a document a device refuses for
// the node of a setting (declaredconfig.CheckSettingNode, through
// Validate): one holding a "?" (a property or listing query) and one in
// the DeclaredConfiguration CSP itself. Before, both were declared, sent,
// answered 400 by the agent and shown Failed.
func TestDeclareSettingNode(t *testing.T) {
	for _, tc := range []struct{ csp, path string }{
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn?prop=ACL"},
		{"./Vendor/MSFT/VPNv2", "Contoso/AlwaysOn%3Fprop=ACL"},
		{"./Vendor/MSFT/DeclaredConfiguration", "ManagementServiceConfiguration/RefreshInterval"},
		{"./Vendor/MSFT", "declaredconfiguration/Host/Complete/Documents/" + ids[1] + "/Properties/Abandoned"},
	} {
		d := vpnDoc(ids[0], "A0")
		d.Document.CSPs = []declaredconfig.CSP{{Name: tc.csp, Settings: []declaredconfig.Setting{{Path: tc.path, Type: "chr", Value: "1"}}}}
		rec := reconcile.New(reconcile.Config{})
		err := rec.Declare(context.Background(), dev1, d)
		if !errors.Is(err, reconcile.ErrInvalid) || !errors.Is(err, declaredconfig.ErrInvalid) {
			t.Errorf("CSP %q path %q: Declare = %v, want ErrInvalid", tc.csp, tc.path, err)
			continue
		}
		if st, err := rec.Status(context.Background(), dev1); err != nil || len(st.Docs) != 0 {
			t.Errorf("CSP %q path %q: the refused document is desired (%v): %+v", tc.csp, tc.path, err, st.Docs)
		}
	}
}
