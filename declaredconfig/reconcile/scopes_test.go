package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestStoredScopes stores states, in the current format and in JSON, with a
// document, a removed document or a stray of a scope or host no
// Reconciler writes (as a damaged state may hold: the codec reads any):
// each call fails with ErrStoredState. A message reconciled against such
// a state once panicked (FuzzReconcileStateUse: a document of neither
// scope was decided with no status of its scope).
func TestStoredScopes(t *testing.T) {
	ctx := context.Background()
	doc := func(s declaredconfig.Scope, h declaredconfig.Host) *docState {
		return &docState{Scope: s, Host: h, Doc: &declaredconfig.Document{ID: "11111111-1111-4111-8111-111111111111", Checksum: "A"}, docTail: &docTail{Base: "A"}}
	}
	good := doc(declaredconfig.Device, declaredconfig.Complete)
	states := map[string]*deviceState{
		"scope 2":         {Docs: []*docState{good, doc(2, declaredconfig.Complete)}},
		"scope 255":       {Docs: []*docState{doc(255, declaredconfig.Inventory)}},
		"host 0":          {Docs: []*docState{doc(declaredconfig.User, 0)}},
		"host 4":          {Docs: []*docState{doc(declaredconfig.Device, 4)}},
		"removed scope 3": {Docs: []*docState{good}, Removed: []*docState{doc(3, declaredconfig.Complete)}},
		"stray scope 7":   {Docs: []*docState{good}, Stray: []stray{{Scope: 7, ID: "x", State: "60"}}},
	}
	for name, st := range states {
		bin, err := encodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range [][]byte{bin, js} {
			t.Run(fmt.Sprintf("%s %.1q", name, raw), func(t *testing.T) {
				store := session.NewMemoryStore()
				if _, err := store.CompareAndSwap(ctx, "dev", 0, raw); err != nil {
					t.Fatal(err)
				}
				r := New(Config{Store: store})
				if _, err := r.Status(ctx, "dev"); !errors.Is(err, ErrStoredState) {
					t.Errorf("Status: %v, not ErrStoredState", err)
				}
				m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: "1", Source: syncml.Location{LocURI: "dev"}},
					Body: syncml.Body{Final: true, Commands: []syncml.Command{
						&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
						&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "1", Cmd: "Get", Data: syncml.StatusOK.Data()},
						&syncml.Results{CmdID: "3", MsgRef: "1", CmdRef: "1", Items: []syncml.Item{{
							Source: &syncml.Location{LocURI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/11111111-1111-4111-8111-111111111111/Document"},
							Data:   syncml.Text("<DeclaredConfigurationResult/>")}}},
						&syncml.Alert{CmdID: "4", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
							Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
							Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="11111111-1111-4111-8111-111111111111" checksum="A" result_checksum="R" state="60"/></DeclaredConfigurations>`),
						}}},
					}}}
				x := &session.Exchange{Identity: session.Identity{Device: "dev"}}
				if _, err := r.Reconcile(ctx, session.NewSession(nil), m, x); !errors.Is(err, ErrStoredState) {
					t.Errorf("Reconcile: %v, not ErrStoredState", err)
				}
				if err := r.SetRefreshInterval(ctx, "dev", 60); !errors.Is(err, ErrStoredState) {
					t.Errorf("SetRefreshInterval: %v, not ErrStoredState", err)
				}
			})
		}
	}
	// the same states with every scope and host one a Reconciler writes
	for _, st := range states {
		for _, list := range [][]*docState{st.Docs, st.Removed} {
			for _, d := range list {
				d.Scope, d.Host = declaredconfig.User, declaredconfig.BulkTemplate
			}
		}
		for i := range st.Stray {
			st.Stray[i].Scope = declaredconfig.User
		}
		bin, err := encodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		store := session.NewMemoryStore()
		if _, err := store.CompareAndSwap(ctx, "dev", 0, bin); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Config{Store: store}).Status(ctx, "dev"); err != nil {
			t.Errorf("Status of a state of known scopes and hosts: %v", err)
		}
	}
}
