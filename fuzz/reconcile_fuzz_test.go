package fuzz

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/internal/fuzzsteady"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

const (
	reconcileDevice  = "urn:uuid:fuzz-device"
	reconcileWanted  = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	reconcileRemoved = "47E88660-1861-4131-96E8-F32E85011E55"
)

// reconcileSetup returns a reconciler that wants one document on the
// device and no longer wants another, and a session in which the
// device's first message (listing the unwanted document) was answered
// with the commands that declare the one and delete the other.
func reconcileSetup(t testing.TB) (*reconcile.Reconciler, *session.Session, *syncml.Message) {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{})
	doc := func(id string) reconcile.Doc {
		return reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: id, Checksum: "A0", Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}},
		}}
	}
	if err := rec.Declare(ctx, reconcileDevice, doc(reconcileWanted), doc(reconcileRemoved)); err != nil {
		t.Fatal(err)
	}
	if err := rec.Remove(ctx, reconcileDevice, reconcileRemoved); err != nil {
		t.Fatal(err)
	}
	if err := rec.SetRefreshInterval(ctx, reconcileDevice, 30); err != nil {
		t.Fatal(err)
	}
	ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
	first := reconcileMessage("1",
		&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
		&syncml.Alert{CmdID: "2", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
			Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileRemoved +
				`" checksum="A0" result_checksum="R0" state="60"/></DeclaredConfigurations>`),
		}}})
	x, err := ss.Handle(ctx, &session.Inbound{Message: first})
	if err != nil {
		t.Fatal(err)
	}
	return rec, ss, x.Reply
}

func reconcileMessage(msgID string, cmds ...syncml.Command) *syncml.Message {
	return &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
			Target: syncml.Location{LocURI: "https://mdm.example/WinDC"}, Source: syncml.Location{LocURI: reconcileDevice}},
		Body: syncml.Body{Commands: cmds, Final: true},
	}
}

// reconcileSeed is a device's second message: a Status for every command
// the server sent, a Results for its Gets, and a summary.
func reconcileSeed(t testing.TB, reply *syncml.Message, state string) []byte {
	var cmds []syncml.Command
	for _, c := range reply.Body.Commands {
		if c.ElementName() == "Status" {
			continue
		}
		cmds = append(cmds, &syncml.Status{MsgRef: "1", CmdRef: c.ID(), Cmd: c.ElementName(), Data: syncml.StatusOK.Data()})
		if c.ElementName() == "Get" {
			tg := syncml.Targets(c)[0]
			data := "30"
			if strings.Contains(tg, "/Results/") {
				data = `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + reconcileWanted +
					`" osdefinedscenario="MSFTVPN" checksum="A0" result_checksum="R1" operation="Set" state="` + state +
					`"><CSP name="./Vendor/MSFT/VPNv2" state="` + state + `"><URI path="P/AlwaysOn" status="200" state="` + state +
					`" type="bool"/></CSP></DeclaredConfigurationResult>`
			}
			cmds = append(cmds, &syncml.Results{MsgRef: "1", CmdRef: c.ID(), Items: []syncml.Item{{
				Source: &syncml.Location{LocURI: tg}, Data: syncml.Text(data)}}})
		}
	}
	cmds = append(cmds, &syncml.Alert{Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
		Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
		Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileWanted +
			`" checksum="A0" result_checksum="R1" state="` + state + `"/></DeclaredConfigurations>`),
	}}})
	syncml.NumberCommands(cmds, 1)
	b, err := syncml.Marshal(reconcileMessage("2", cmds...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzReconcile hands arbitrary bytes, decoded as the device's second
// message of a WinDC session (its header set to the session's, its
// CmdIDs renumbered when the session would refuse them, see
// renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage), to a
// server session that runs the reconciler. No input may make it panic;
// whatever the device says, the server never deletes the document it
// wants, keeps wanting it, can say where every document stands, and
// answers the same message again as a replay; only a Device entry of the
// desired document's DocID reports it, and what is kept of the documents
// the device lists is bounded.
func FuzzReconcile(f *testing.F) {
	fuzzsteady.Target(f)
	_, _, reply := reconcileSetup(f)
	f.Add(reconcileSeed(f, reply, "60"))
	f.Add(reconcileSeed(f, reply, "61"))
	f.Add([]byte(`<SyncML><SyncHdr/><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Delete</Cmd><Data>500</Data></Status><Final/></SyncBody></SyncML>`))
	dc := "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/"
	result := `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + reconcileWanted +
		`" osdefinedscenario="MSFTVPN" checksum="A0" result_checksum="R1" operation="Set" state="60"><CSP name="./Vendor/MSFT/VPNv2" state="60">` +
		`<URI path="P/AlwaysOn" status="200" state="60" type="bool"/></CSP></DeclaredConfigurationResult>`
	summary := func(id, state string) string {
		return `<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + id +
			`" checksum="A0" result_checksum="R1" state="` + state + `"/></DeclaredConfigurations>`
	}
	gen := &genConfig{
		uris: []string{dc + "Documents/" + reconcileWanted + "/Document", dc + "Documents/" + reconcileRemoved + "/Document",
			dc + "Results/" + reconcileWanted + "/Document", dc + "Documents", declaredconfig.RefreshIntervalURI,
			dc + "Documents/" + reconcileWanted + "/Properties/Abandoned", ""},
		data:  []string{result, summary(reconcileWanted, "60"), summary(reconcileWanted, "61"), summary(reconcileRemoved, "60"), "30", "1", ""},
		types: []string{declaredconfig.SummaryType, "", "chr"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzsteady.Input(t)
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			g, ok := generatedMessage(data, reconcileMessage("2").Header, gen)
			if !ok {
				return
			}
			m = *g
		}
		rec, ss, _ := reconcileSetup(t)
		m.Header.SessionID, m.Header.MsgID = "1", "2"
		m.Header.Source = syncml.Location{LocURI: reconcileDevice}
		renumberCmdIDs(t, &m, data)
		ctx := context.Background()
		raw, err := syncml.Marshal(&m)
		if err != nil {
			return
		}
		x, err := ss.Handle(ctx, &session.Inbound{Raw: raw})
		if err != nil {
			return
		}
		if x.Reply != nil {
			for _, c := range x.Reply.Body.Commands {
				if c.ElementName() != "Delete" {
					continue
				}
				for _, tg := range syncml.Targets(c) {
					if strings.Contains(strings.ToUpper(tg), reconcileWanted) {
						t.Fatalf("the desired document is deleted: %s", tg)
					}
				}
			}
		}
		docs, err := rec.Desired(ctx, reconcileDevice)
		if err != nil || len(docs) != 1 || docs[0].Document.ID != reconcileWanted {
			t.Fatalf("desired documents %+v, %v", docs, err)
		}
		st, err := rec.Status(ctx, reconcileDevice)
		if err != nil || st.Doc(reconcileWanted) == nil {
			t.Fatalf("status %+v, %v", st, err)
		}
		for _, d := range st.Docs {
			if d.Reason == "" {
				t.Fatalf("a status without a reason: %+v", d)
			}
		}
		// Only a Device entry of its DocID reports the Device document.
		listed := false
		if sum, err := declaredconfig.ReadSummary(&m); err == nil {
			for _, e := range sum.Documents {
				if !strings.EqualFold(strings.TrimSpace(e.Context), "user") && declaredconfig.EqualDocID(e.ID, reconcileWanted) {
					listed = true
				}
			}
		}
		if d := st.Doc(reconcileWanted); !listed && d.Reported {
			t.Fatalf("reported by a summary without its Device entry: %+v", d)
		}
		if n := len(st.Docs); n > 2+reconcile.DefaultMaxDocuments {
			t.Fatalf("%d statuses kept of one message", n)
		}
		again, err := ss.Handle(ctx, &session.Inbound{Raw: raw})
		if err != nil || !again.Replayed {
			t.Fatalf("the same message again: replayed %v, %v", again != nil && again.Replayed, err)
		}
	})
}

// FuzzReconcileState hands arbitrary bytes to a Reconciler as the state
// its Store holds for a device (seeds: a state of the setup above as
// stored, and the committed states of declaredconfig/reconcile in each
// format: JSON, 1, 2 and 3). No input may make it panic: a state that does not read is an
// error matching reconcile.ErrStoredState; one that reads gives a status
// (whose results, read when asked for, read or are ErrStoredState),
// and a message reconciled against it saves a state that reads again.
func FuzzReconcileState(f *testing.F) {
	ctx := context.Background()
	rec, _, _ := reconcileSetup(f)
	store := session.NewMemoryStore()
	rec2 := reconcile.New(reconcile.Config{Store: store})
	docs, err := rec.Desired(ctx, reconcileDevice)
	if err != nil {
		f.Fatal(err)
	}
	if err := rec2.Declare(ctx, reconcileDevice, docs...); err != nil {
		f.Fatal(err)
	}
	raw, _, err := store.Load(ctx, reconcileDevice)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte(`{"docs":[{"scope":0,"host":1,"doc":"<DeclaredConfiguration id=\"x\" checksum=\"A\"/>"}]}`))
	// A refusal a run never writes (a code no SyncML status is).
	f.Add([]byte(`{"docs":[{"scope":0,"host":1,"doc":"<DeclaredConfiguration id=\"x\" checksum=\"A\"/>","refused":"A","refusedCode":999,"refusedTries":1}]}`))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, state []byte) {
		store := session.NewMemoryStore()
		if _, err := store.CompareAndSwap(ctx, reconcileDevice, 0, state); err != nil {
			t.Fatal(err)
		}
		rec := reconcile.New(reconcile.Config{Store: store})
		ds, err := rec.Status(ctx, reconcileDevice)
		if err != nil {
			if !errors.Is(err, reconcile.ErrStoredState) {
				t.Fatalf("a state that does not read: %v, not ErrStoredState", err)
			}
			return
		}
		for _, d := range ds.Docs {
			// A result is kept as stored and read when asked for.
			if _, err := d.Result(); err != nil && !errors.Is(err, reconcile.ErrStoredState) {
				t.Fatalf("a result that does not read: %v, not ErrStoredState", err)
			}
		}
		ss := session.NewSession(nil)
		m := reconcileMessage("1",
			&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
			&syncml.Alert{CmdID: "2", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
				Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
				Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileWanted +
					`" checksum="A0" result_checksum="R0" state="60"/></DeclaredConfigurations>`),
			}}})
		x := &session.Exchange{Identity: session.Identity{Device: reconcileDevice}}
		_, _ = rec.Reconcile(ctx, ss, m, x)
		if _, err := reconcile.New(reconcile.Config{Store: store}).Status(ctx, reconcileDevice); err != nil {
			t.Fatalf("the state saved after a message does not read: %v", err)
		}
	})
}
