package fuzz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// storedOrNil fails t unless err is nil or matches reconcile.ErrStoredState.
func storedOrNil(t testing.TB, what string, state []byte, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, reconcile.ErrStoredState) {
		t.Fatalf("%s on a damaged state: %v, not ErrStoredState\nstate %q", what, err, state)
	}
}

// exerciseStoredState hands state to a Reconciler as what its Store holds
// for the device and uses it every way a caller can: Status and each
// result, Desired, a session of two messages in which the device reports
// the desired document as applied (a steady device: a settled document
// kept as stored is skipped, not read), Declare, Remove and
// SetRefreshInterval. Nothing may panic; each error of the Reconciler's
// own methods matches ErrStoredState; a state it saved reads again.
func exerciseStoredState(t testing.TB, state []byte) {
	t.Helper()
	ctx := context.Background()
	store := session.NewMemoryStore()
	if _, err := store.CompareAndSwap(ctx, reconcileDevice, 0, state); err != nil {
		t.Fatal(err)
	}
	rec := reconcile.New(reconcile.Config{Store: store})
	ds, err := rec.Status(ctx, reconcileDevice)
	storedOrNil(t, "Status", state, err)
	if err != nil {
		return // nothing reads it: every other call fails alike
	}
	for _, d := range ds.Docs {
		_, err := d.Result()
		storedOrNil(t, "Result", state, err)
	}
	_, err = rec.Desired(ctx, reconcileDevice)
	storedOrNil(t, "Desired", state, err)

	ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
	first := reconcileMessage("1",
		&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
		&syncml.Alert{CmdID: "2", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
			Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileWanted +
				`" checksum="A0" result_checksum="R1" state="60"/><DeclaredConfiguration context="Device" id="` + reconcileRemoved +
				`" checksum="A0" result_checksum="R0" state="60"/></DeclaredConfigurations>`),
		}}})
	if x, err := ss.Handle(ctx, &session.Inbound{Message: first}); err == nil && x.Reply != nil {
		_, _ = ss.Handle(ctx, &session.Inbound{Raw: reconcileSeed(t, x.Reply, "60")})
	}
	_, err = rec.Status(ctx, reconcileDevice)
	storedOrNil(t, "Status after a session", state, err)

	storedOrNil(t, "Declare", state, rec.Declare(ctx, reconcileDevice, reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Document: &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: reconcileWanted, Checksum: "B0", Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "false"}}}}}}))
	storedOrNil(t, "Remove", state, rec.Remove(ctx, reconcileDevice, reconcileRemoved, "00000000-0000-0000-0000-000000000000"))
	storedOrNil(t, "SetRefreshInterval", state, rec.SetRefreshInterval(ctx, reconcileDevice, 45))

	if _, v, err := store.Load(ctx, reconcileDevice); err != nil || v == 1 {
		return // never saved: the damage is still there
	}
	fresh := reconcile.New(reconcile.Config{Store: store})
	if _, err := fresh.Status(ctx, reconcileDevice); err != nil {
		t.Fatalf("a state the Reconciler saved does not read: %v\nfrom %q", err, state)
	}
	if _, err := fresh.Desired(ctx, reconcileDevice); err != nil && !errors.Is(err, reconcile.ErrStoredState) {
		t.Fatalf("Desired of a state the Reconciler saved: %v\nfrom %q", err, state)
	}
}

// steadyState returns the state a Reconciler saves for a device that
// applied the desired document and reported it (state 60) in a session
// after the one that sent it, so that the document is settled: it is
// kept as stored when loaded.
func steadyState(t testing.TB) []byte {
	t.Helper()
	ctx := context.Background()
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{Store: store})
	doc := reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: reconcileWanted, Checksum: "A0", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "P/AlwaysOn", Type: "bool", Value: "true"}, {Path: "P/NativeProfile/Servers", Type: "chr", Value: "vpn.example"}}}},
	}}
	removed := doc
	rd := *doc.Document
	rd.ID = reconcileRemoved
	removed.Document = &rd
	if err := rec.Declare(ctx, reconcileDevice, doc, removed); err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove(ctx, reconcileDevice, reconcileRemoved); err != nil {
		t.Fatal(err)
	}
	for sess := range 3 {
		ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
		first := reconcileMessage("1",
			&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
			&syncml.Alert{CmdID: "2", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
				Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
				Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileWanted +
					`" checksum="A0" result_checksum="R1" state="60"/></DeclaredConfigurations>`),
			}}})
		first.Header.SessionID = string(rune('1' + sess))
		x, err := ss.Handle(ctx, &session.Inbound{Message: first})
		if err != nil {
			t.Fatal(err)
		}
		second := reconcileSeed(t, x.Reply, "60")
		var m syncml.Message
		if err := syncml.Unmarshal(second, &m); err != nil {
			t.Fatal(err)
		}
		m.Header.SessionID = first.Header.SessionID
		if _, err := ss.Handle(ctx, &session.Inbound{Message: &m}); err != nil {
			t.Fatal(err)
		}
	}
	raw, _, err := store.Load(ctx, reconcileDevice)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// damagedStates returns the states exerciseStoredState is given: the
// committed states of each format (declaredconfig/reconcile/testdata)
// and a steady device's, with how many bytes apart it damages them.
func damagedStates(t testing.TB) map[string][]byte {
	states := map[string][]byte{"steady": steadyState(t)}
	for _, name := range []string{"state.golden", "state-v1.golden", "state-v2.golden", "state-v3.golden", "state-v4.golden"} {
		b, err := os.ReadFile(filepath.Join("..", "declaredconfig", "reconcile", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		states[name] = b
	}
	return states
}

// TestReconcileStateDamaged runs exerciseStoredState on every prefix of
// a steady device's state and of the committed state of the current
// format, and on each of them with one byte changed (flipped in its
// lowest or highest bit, or set to 0 or 0xff) at every offset; on the
// committed states of the earlier formats at every fifth offset. With
// -short, at every seventh and 29th.
func TestReconcileStateDamaged(t *testing.T) {
	for name, state := range damagedStates(t) {
		current := name == "steady" || name == "state-v4.golden"
		var step int
		switch {
		case current && !testing.Short():
			step = 1
		case current:
			step = 7
		case !testing.Short():
			step = 5
		default:
			step = 29
		}
		t.Run(name, func(t *testing.T) {
			exerciseStoredState(t, state)
			for i := 0; i < len(state); i += step {
				exerciseStoredState(t, state[:i])
				for _, change := range []func(byte) byte{
					func(b byte) byte { return b ^ 1 }, func(b byte) byte { return b ^ 0x80 },
					func(byte) byte { return 0 }, func(byte) byte { return 0xff },
				} {
					bad := append([]byte(nil), state...)
					if bad[i] = change(bad[i]); bad[i] != state[i] {
						exerciseStoredState(t, bad)
					}
				}
			}
		})
	}
}

// FuzzReconcileStateUse hands arbitrary bytes to exerciseStoredState
// (seeds: the states of TestReconcileStateDamaged).
func FuzzReconcileStateUse(f *testing.F) {
	for _, s := range damagedStates(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		exerciseStoredState(t, state)
	})
}
