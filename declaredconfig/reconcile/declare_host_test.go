package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestDeclareHostKind: Declare refuses a document whose scenario is of
// another kind than its Host, as the device (declaredconfig/agent)
// refuses it with 400: a configuration document (MSFTVPN) under
// Inventory, an inventory one under Complete or BulkTemplate. The error
// matches ErrInvalid and carries the declaredconfig.HostError. Before, a
// VPN document under Inventory was declared and sent.
func TestDeclareHostKind(t *testing.T) {
	inBulk := invDoc(ids[0], "A0")
	inBulk.Host = declaredconfig.BulkTemplate
	inComplete := invDoc(ids[0], "A0")
	inComplete.Host = declaredconfig.Complete
	vpnInv := vpnDoc(ids[0], "A0")
	vpnInv.Host = declaredconfig.Inventory
	for _, tc := range []struct {
		name string
		doc  reconcile.Doc
		bad  bool
	}{
		{"configuration under Complete", vpnDoc(ids[0], "A0"), false},
		{"inventory under Inventory", invDoc(ids[0], "A0"), false},
		{"configuration under Inventory", vpnInv, true},
		{"inventory under Complete", inComplete, true},
		{"inventory under BulkTemplate", inBulk, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := reconcile.New(reconcile.Config{})
			err := rec.Declare(context.Background(), dev1, tc.doc)
			if !tc.bad {
				if err != nil {
					t.Fatalf("Declare: %v", err)
				}
				return
			}
			var he *declaredconfig.HostError
			if !errors.Is(err, reconcile.ErrInvalid) || !errors.As(err, &he) || he.Host != tc.doc.Host || he.Scenario != tc.doc.Document.Scenario {
				t.Fatalf("Declare: %v, want ErrInvalid with a HostError", err)
			}
			st, err := rec.Status(context.Background(), dev1)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Docs) != 0 {
				t.Errorf("the refused document is desired: %+v", st.Docs)
			}
		})
	}
}
