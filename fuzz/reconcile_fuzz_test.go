package fuzz

import (
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/internal/cmdwalk"
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
	return reconcileSetupWith(t, reconcile.Config{})
}

// reconcileSetupWith is reconcileSetup with a reconciler of cfg.
func reconcileSetupWith(t testing.TB, cfg reconcile.Config) (*reconcile.Reconciler, *session.Session, *syncml.Message) {
	ctx := context.Background()
	rec := reconcile.New(cfg)
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
	// the user asks to be unenrolled (ForgetOnUnenroll): at the top, and
	// inside an Atomic; and a message without a summary, whose reply asks
	// for it (see checkSummaryRefusal)
	unenroll := &syncml.Alert{CmdID: "2", Data: syncml.AlertGeneric.Data(), Items: []syncml.Item{{
		Meta: &syncml.Meta{Type: reconcileUnenrollType, Format: "int"}, Data: syncml.Text("1")}}}
	for _, m := range []*syncml.Message{
		reconcileMessage("2", &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "8", Cmd: "Get", Data: syncml.StatusOK.Data()}, unenroll),
		reconcileMessage("2", &syncml.Atomic{CmdID: "1", Commands: []syncml.Command{unenroll}}),
		reconcileMessage("2", &syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}),
	} {
		b, err := syncml.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
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
		types: []string{declaredconfig.SummaryType, "", "chr", reconcileUnenrollType},
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
		store := session.NewMemoryStore()
		forgotten := 0
		rec, ss, _ := reconcileSetupWith(t, reconcile.Config{Store: store, ForgetOnUnenroll: true,
			OnEvent: func(_ context.Context, e reconcile.Event) {
				if e.Kind == reconcile.Forgotten {
					forgotten++
				}
			}})
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
		if unenrolling(&m) != (forgotten == 1) {
			t.Fatalf("an unenrollment alert %v, Forgotten %d times", unenrolling(&m), forgotten)
		}
		if forgotten == 1 {
			checkForgotten(t, rec, ss, store, raw)
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
		checkSummaryRefusal(t, rec, len(data))
	})
}

// unenrolling reports whether m holds the generic alert (1226) of a
// user's unenrollment (Meta Type com.microsoft:mdm.unenrollment.userrequest,
// in any letter case, white space around it), also inside Atomic and
// Sequence.
func unenrolling(m *syncml.Message) bool {
	found := false
	cmdwalk.Each(m.Body.Commands, func(c syncml.Command) []syncml.Command {
		a, ok := c.(*syncml.Alert)
		if !ok {
			return c.Nested()
		}
		if code, err := a.Code(); err == nil && code == syncml.AlertGeneric {
			for _, it := range a.Items {
				found = found || it.Meta != nil && strings.EqualFold(strings.TrimSpace(it.Meta.Type), reconcileUnenrollType)
			}
		}
		return nil
	})
	return found
}

// reconcileUnenrollType is the Meta Type of the unenrollment alert.
const reconcileUnenrollType = "com.microsoft:mdm.unenrollment.userrequest"

// checkForgotten checks a device forgotten on its unenrollment alert
// (the message raw, of session 1) under Config.ForgetOnUnenroll: nothing
// is desired or known of it, the same message again is a replay, and the
// rest of the session (a message listing the desired document) records
// nothing: the tombstone the Store holds stays as it is, byte for byte,
// and nothing is sent but Statuses.
func checkForgotten(t *testing.T, rec *reconcile.Reconciler, ss *session.Session, store *session.MemoryStore, raw []byte) {
	t.Helper()
	ctx := context.Background()
	noDocs := func(when string) {
		t.Helper()
		want, err := rec.Desired(ctx, reconcileDevice)
		if err != nil || len(want) != 0 {
			t.Fatalf("%s: %d documents desired (%v)", when, len(want), err)
		}
		st, err := rec.Status(ctx, reconcileDevice)
		if err != nil || len(st.Docs) != 0 {
			t.Fatalf("%s: status %+v (%v), want no document", when, st, err)
		}
	}
	noDocs("forgotten")
	tomb, _, err := store.Load(ctx, reconcileDevice)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := ss.Handle(ctx, &session.Inbound{Raw: raw}); err != nil || !again.Replayed {
		t.Fatalf("the unenrollment again: replayed %v, %v", again != nil && again.Replayed, err)
	}
	x, err := ss.Handle(ctx, &session.Inbound{Message: wantedSummary("3")})
	if err != nil {
		return // the session ended (an abort, say)
	}
	if after, _, err := store.Load(ctx, reconcileDevice); err != nil || !bytes.Equal(after, tomb) {
		t.Fatalf("the rest of the session changed the tombstone %q to %q (%v)", tomb, after, err)
	}
	noDocs("the rest of the session")
	for _, c := range x.Reply.Body.Commands {
		if c.ElementName() != "Status" {
			t.Fatalf("the rest of the session of a forgotten device sends %s %v", c.ElementName(), syncml.Targets(c))
		}
	}
}

// checkSummaryRefusal starts the device's next session (SessionID 2)
// with a package 1 without a summary, whose reply asks for it (a Get of
// RefreshInterval), and refuses that Get with a code n picks, in a
// message without a summary: a 4xx (but 404, 405, 406) or a 5xx (but
// 501, 505) is a refusal DeviceStatus.SummaryRefused keeps; 404, 405,
// 406 and 501 are final at once and keep none.
func checkSummaryRefusal(t *testing.T, rec *reconcile.Reconciler, n int) {
	t.Helper()
	ctx := context.Background()
	ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
	second := func(m *syncml.Message) *syncml.Message {
		m.Header.SessionID = "2"
		return m
	}
	x, err := ss.Handle(ctx, &session.Inbound{Message: second(reconcileMessage("1",
		&syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()}))})
	if err != nil {
		t.Fatalf("package 1 of the next session: %v", err)
	}
	reply := x.Reply
	codes := []syncml.StatusCode{403, 418, 425, 500, 404, 405, 406, 501}
	code := codes[n%len(codes)]
	var cmds []syncml.Command
	for _, c := range reply.Body.Commands {
		if c.ElementName() == "Get" && slices.Contains(syncml.Targets(c), declaredconfig.RefreshIntervalURI) {
			cmds = append(cmds, &syncml.Status{MsgRef: reply.Header.MsgID, CmdRef: c.ID(), Cmd: "Get", Data: code.Data()})
		}
	}
	if len(cmds) == 0 {
		return
	}
	syncml.NumberCommands(cmds, 1)
	if _, err := ss.Handle(ctx, &session.Inbound{Message: second(reconcileMessage("2", cmds...))}); err != nil {
		t.Fatalf("the summary's Get refused %d: %v", code, err)
	}
	st, err := rec.Status(ctx, reconcileDevice)
	if err != nil {
		t.Fatalf("status after the summary's Get refused %d: %v", code, err)
	}
	want := code
	switch code {
	case 404, 405, 406, 501:
		want = 0
	}
	if st.SummaryRefused != want || (want != 0) != (st.SummaryRefusals > 0) {
		t.Fatalf("the summary's Get refused %d: SummaryRefused %d (%d sessions), want %d", code, st.SummaryRefused, st.SummaryRefusals, want)
	}
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
	// the tombstone of a device that asked to be unenrolled
	// (ForgetOnUnenroll)
	if _, err := reconcile.New(reconcile.Config{Store: store, ForgetOnUnenroll: true}).Reconcile(ctx, session.NewSession(nil),
		reconcileUnenrollMessage("1"), &session.Exchange{Identity: session.Identity{Device: reconcileDevice}}); err != nil {
		f.Fatal(err)
	}
	if tomb, _, err := store.Load(ctx, reconcileDevice); err != nil || len(tomb) == 0 {
		f.Fatalf("no tombstone: %q, %v", tomb, err)
	} else {
		f.Add(tomb)
	}
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
		checkDeclareFloor(t, store, state)
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
		checkTombstone(t, store)
	})
}

// wantedSummary is message msgID of the device in session 1: its
// summary, listing the desired document applied.
func wantedSummary(msgID string) *syncml.Message {
	return reconcileMessage(msgID, &syncml.Alert{CmdID: "1", Data: syncml.AlertClientEvent.Data(), Items: []syncml.Item{{
		Meta: &syncml.Meta{Type: declaredconfig.SummaryType},
		Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + reconcileWanted +
			`" checksum="A0" result_checksum="R1" state="60"/></DeclaredConfigurations>`),
	}}})
}

// reconcileUnenrollMessage is package 1 of session sess in which the
// device asks to be unenrolled (generic alert 1226).
func reconcileUnenrollMessage(sess string) *syncml.Message {
	m := reconcileMessage("1", &syncml.Alert{CmdID: "1", Data: syncml.AlertClientInitiated.Data()},
		&syncml.Alert{CmdID: "2", Data: syncml.AlertGeneric.Data(), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: reconcileUnenrollType, Format: "int"}, Data: syncml.Text("1")}}})
	m.Header.SessionID = sess
	return m
}

// checkTombstone makes the device whose state store holds ask to be
// unenrolled in session 7 (ForgetOnUnenroll): whatever it held, nothing
// is desired or known of it after; the tombstone round-trips: a Reconciler
// reading it back in the rest of the session (a summary that lists a
// document) records nothing, the Store's bytes unchanged, and queues
// nothing; and the device's next session clears it.
func checkTombstone(t *testing.T, store *session.MemoryStore) {
	t.Helper()
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{Store: store, ForgetOnUnenroll: true})
	x := &session.Exchange{Identity: session.Identity{Device: reconcileDevice}}
	if _, err := rec.Reconcile(ctx, session.NewSession(nil), reconcileUnenrollMessage("7"), x); err != nil {
		t.Fatalf("the unenrollment: %v", err)
	}
	if want, err := rec.Desired(ctx, reconcileDevice); err != nil || len(want) != 0 {
		t.Fatalf("after the unenrollment %d documents are desired (%v)", len(want), err)
	}
	tomb, _, err := store.Load(ctx, reconcileDevice)
	if err != nil {
		t.Fatal(err)
	}
	rest := wantedSummary("2")
	rest.Header.SessionID = "7"
	ss := session.NewSession(nil)
	ds, err := reconcile.New(reconcile.Config{Store: store, ForgetOnUnenroll: true}).Reconcile(ctx, ss, rest, x)
	if err != nil || len(ds.Docs) != 0 || ss.Queued() != 0 {
		t.Fatalf("the rest of the session: status %+v, %d queued (%v)", ds, ss.Queued(), err)
	}
	if after, _, err := store.Load(ctx, reconcileDevice); err != nil || !bytes.Equal(after, tomb) {
		t.Fatalf("the rest of the session changed the tombstone %q to %q (%v)", tomb, after, err)
	}
	next := wantedSummary("1")
	next.Header.SessionID = "8"
	if ds, err := rec.Reconcile(ctx, session.NewSession(nil), next, x); err != nil || ds.Doc(reconcileWanted) == nil {
		t.Fatalf("the next session: status %+v (%v), want the device's document a stray", ds, err)
	}
}

// checkDeclareFloor declares, on the state store holds, a document of
// 1 to 96 settings whose paths and type a hash of state shapes (any
// change of a state that reads gives another), to a Reconciler of
// MaxResultBytes 4096 and MaxResultElements 48. Declare
// changes nothing when it fails; a refusal of its result floor is right:
// the result that reports each setting with the least (path, status,
// state, type) is over the bound it names; a document taken is desired
// (unless Desired failed with ErrStoredState before: a document of the
// state is damaged).
func checkDeclareFloor(t *testing.T, store *session.MemoryStore, state []byte) {
	t.Helper()
	ctx := context.Background()
	const maxBytes, maxElems = 4096, 48
	h := fnv.New32a()
	h.Write(state)
	shape := h.Sum(nil)
	at := func(i int) int { return int(shape[i]) }
	doc := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: "0A6C4E1F-2B3D-4C5E-8F70-91A2B3C4D5E6", Checksum: "C0",
		Scenario: declaredconfig.ScenarioVPN, CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2"}}}
	min := &declaredconfig.Result{CSPs: []declaredconfig.CSPResult{{Name: doc.CSPs[0].Name}}}
	typ := []string{"int", "chr"}[at(2)%2]
	for i := range 1 + at(0)%96 {
		p := "P/" + strings.Repeat("s", at(1)%48) + strconv.Itoa(i)
		doc.CSPs[0].Settings = append(doc.CSPs[0].Settings, declaredconfig.Setting{Path: p, Type: typ, Value: "1"})
		min.CSPs[0].Settings = append(min.CSPs[0].Settings, declaredconfig.SettingResult{Path: p, Status: "200", State: "0", Type: typ})
	}
	before, v, err := store.Load(ctx, reconcileDevice)
	if err != nil {
		t.Fatal(err)
	}
	rec := reconcile.New(reconcile.Config{Store: store, MaxResultBytes: maxBytes, MaxResultElements: maxElems})
	// A document of the state damaged where Status does not read (kept
	// as stored, read when needed) fails Desired before and after.
	_, damaged := rec.Desired(ctx, reconcileDevice)
	err = rec.Declare(ctx, reconcileDevice, reconcile.Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: doc})
	if err == nil {
		want, err := rec.Desired(ctx, reconcileDevice)
		if damaged != nil && errors.Is(err, reconcile.ErrStoredState) {
			return
		}
		if err != nil || !slices.ContainsFunc(want, func(d reconcile.Doc) bool { return d.Document.ID == doc.ID }) {
			t.Fatalf("a document taken is not desired: %d desired (%v)", len(want), err)
		}
		return
	}
	if after, v2, err2 := store.Load(ctx, reconcileDevice); err2 != nil || v2 != v || !bytes.Equal(after, before) {
		t.Fatalf("a Declare that failed (%v) changed the state: version %d to %d (%v)", err, v, v2, err2)
	}
	var le *reconcile.LimitError
	if !errors.As(err, &le) {
		return
	}
	text, merr := min.MarshalText()
	if merr != nil {
		t.Fatal(merr)
	}
	elems := 2 + len(min.CSPs[0].Settings)
	switch le.Limit {
	case "MaxResultBytes":
		if !errors.Is(err, reconcile.ErrInvalid) || len(text) <= maxBytes {
			t.Fatalf("refused (%v), though a result of %d bytes reports each setting", err, len(text))
		}
	case "MaxResultElements":
		if !errors.Is(err, reconcile.ErrInvalid) || elems <= maxElems {
			t.Fatalf("refused (%v), though a result of %d elements reports each setting", err, elems)
		}
	}
}
