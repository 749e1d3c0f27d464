package agent_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// A new user's wiring, from the package docs alone, over loopback: a
// reconcile server declares a configuration, an inventory of a chr and an
// int node (which carry a type and no value) and a document that sets the
// configuration's node to another value; the agent applies them (the
// newer loses with 409), the server reads the inventory's values, updates
// the configuration and removes the inventory, and a drifted setting is
// repaired by the next refresh.
func TestNewUserEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The server: 4 lines.
	rec := reconcile.New(reconcile.Config{})
	hs := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{BeforeReply: rec.BeforeReply}}))
	defer hs.Close()
	// The device: 10 lines (errors aside).
	const dev = "urn:uuid:newuser-1"
	surface := &agent.MemorySurface{}
	a, err := agent.New(ctx, agent.Config{Surface: surface, Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	mux := session.NewMux()
	if err := a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: dev, ServerURI: hs.URL, Handler: mux,
		EachMessage: a.EachMessage, Unmarshal: a.Unmarshal})
	if err != nil {
		t.Fatal(err)
	}
	sessions := 0
	run := func() {
		t.Helper()
		sessions++
		if _, err := c.Run(ctx, hs.Client(), hs.URL, strconv.Itoa(sessions)); err != nil {
			t.Fatal(err)
		}
	}
	checkIn := func() { // a session, the apply, and the session the agent asks for
		t.Helper()
		run()
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		run()
	}

	const cfgID, invID, otherID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305", "6E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F306", "7E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F307"
	const node = "./Device/Vendor/MSFT/VPNv2/Contoso/AlwaysOn"
	cfg := func(id, sum, v string) reconcile.Doc {
		return reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: id, Checksum: sum, Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
				{Path: "Contoso/AlwaysOn", Type: "bool", Value: v}}}}}}
	}
	inv := reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Inventory, Document: &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/CertificateStore", Settings: []declaredconfig.Setting{
			{Path: "My/System", Type: "chr"}, {Path: "My/Count", Type: "int"}}}}}}
	for n, v := range map[string]string{"System": "ABC", "Count": "7"} {
		if err := surface.Set(ctx, "./Device/Vendor/MSFT/CertificateStore/My/"+n, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Declare(ctx, dev, cfg(cfgID, "V1", "true"), inv); err != nil {
		t.Fatal(err)
	}
	if err := rec.Declare(ctx, dev, cfg(otherID, "W1", "false")); err != nil {
		t.Fatal(err)
	}
	checkIn()

	status := func(id string) *reconcile.DocStatus {
		t.Helper()
		st, err := rec.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		for i := range st.Docs {
			if declaredconfig.EqualDocID(st.Docs[i].URI.DocID, id) {
				return &st.Docs[i]
			}
		}
		return nil
	}
	if s := status(cfgID); s == nil || s.Condition != reconcile.InSync {
		t.Fatalf("configuration: %+v, want InSync", s)
	}
	if s := status(otherID); s == nil || s.Condition != reconcile.Failed || len(s.FailedSettings()) != 1 || s.FailedSettings()[0].Status != 409 {
		t.Errorf("the newer document on the same node: %+v, want Failed with one 409", s)
	}
	s := status(invID)
	if s == nil || s.Condition != reconcile.InSync {
		t.Fatalf("inventory: %+v, want InSync", s)
	}
	r, err := s.Result()
	if err != nil || r == nil || len(r.CSPs) != 1 || len(r.CSPs[0].Settings) != 2 ||
		r.CSPs[0].Settings[0].Value != "ABC" || r.CSPs[0].Settings[1].Value != "7" {
		t.Fatalf("inventory result %+v (%v), want ABC and 7", r, err)
	}

	// Update one, remove the other.
	if err := rec.Declare(ctx, dev, cfg(cfgID, "V2", "false")); err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove(ctx, dev, invID); err != nil {
		t.Fatal(err)
	}
	checkIn()
	if s := status(cfgID); s == nil || s.Condition != reconcile.InSync || s.Checksum != "V2" {
		t.Errorf("configuration after the update: %+v, want V2 InSync", s)
	}
	if s := status(invID); s != nil {
		t.Errorf("inventory after Remove: %+v, want gone", s)
	}
	if sum := a.Summary(); len(sum.Documents) != 2 {
		t.Errorf("the device holds %+v, want the two configurations", sum.Documents)
	}
	if v, _, _ := surface.Get(ctx, node); v != "false" {
		t.Errorf("AlwaysOn %q after the update, want false", v)
	}

	// Drift, repaired by the refresh.
	if err := surface.Set(ctx, node, "true"); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	run()
	if v, _, _ := surface.Get(ctx, node); v != "false" {
		t.Errorf("AlwaysOn %q after the refresh, want false", v)
	}
	if s := status(cfgID); s == nil || s.Condition != reconcile.InSync || s.Checksum != "V2" {
		t.Errorf("configuration after the repair: %+v, want V2 InSync", s)
	}
}
