package reconcile_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestStoredStateGolden keeps the state the reconciler stores for a device
// (two documents in sync, a RefreshInterval set and read back) in
// testdata/state-v4.golden (format 4, rewritten by -update): a change of
// the stored format shows here. testdata/state-v3.golden (format 3),
// state-v2.golden (format 2), state-v1.golden (format 1) and state.golden
// (the JSON format stored before format 1) are the same state in the
// formats before (never rewritten). A Reconciler that holds nothing must read each (as one after a restart
// reads what an older version stored) to the same status and reconcile
// the device's next session to nothing.
func TestStoredStateGolden(t *testing.T) {
	ctx := context.Background()
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{Store: store})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "B0")); err != nil {
		t.Fatal(err)
	}
	if err := rec.SetRefreshInterval(ctx, dev1, 90); err != nil {
		t.Fatal(err)
	}
	dev := newSimDevice(t, dev1)
	l := newLink(t, rec, dev)
	l.session(-1)
	l.session(-1)
	l.noErrors()
	raw, _, err := store.Load(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "state-v4.golden")
	if *update {
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		t.Errorf("the stored state changed: states stored before must still load (then -update)\n got %q\nwant %q", raw, want)
	}
	exp, err := rec.Status(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	if exp, err = reconcile.Resolved(exp); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.golden", "state-v1.golden", "state-v2.golden", "state-v3.golden", "state-v4.golden"} {
		t.Run(name, func(t *testing.T) {
			stored, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			old := session.NewMemoryStore()
			if _, err := old.CompareAndSwap(ctx, dev1, 0, stored); err != nil {
				t.Fatal(err)
			}
			fresh := reconcile.New(reconcile.Config{Store: old})
			got, err := fresh.Status(ctx, dev1)
			if err != nil {
				t.Fatal(err)
			}
			if got, err = reconcile.Resolved(got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("status read from the committed state:\n got %+v\nwant %+v", got, exp)
			}
			for _, d := range got.Docs {
				if d.Condition != reconcile.InSync {
					t.Errorf("%s is %v in the committed state", d.URI.DocID, d.Condition)
				}
			}
			if got.RefreshInterval != "90" {
				t.Errorf("RefreshInterval %q in the committed state", got.RefreshInterval)
			}
			l2 := newLink(t, fresh, dev)
			l2.session(-1)
			l2.noErrors()
			if cmds := l2.commands(); len(cmds) != 0 {
				t.Errorf("a steady device's session reconciled from the committed state sends %q", cmds)
			}
		})
	}
}
