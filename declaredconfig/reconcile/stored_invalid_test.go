package reconcile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// invalidID is the DocID of the documents TestStoredInvalid stores.
const invalidID = "11111111-1111-4111-8111-111111111111"

// summaryMessage is message msg of session sess of device "d", with a
// summary that lists invalidID at version Z9 (not the declared one).
func summaryMessage(sess, msg string) *syncml.Message {
	return entryMessage(sess, msg, declaredconfig.SummaryEntry{Context: "Device", ID: invalidID, Checksum: "Z9", ResultChecksum: "R9", State: "60"})
}

// entryMessage is message msg of session sess of device "d", with a
// summary of the entries.
func entryMessage(sess, msg string, entries ...declaredconfig.SummaryEntry) *syncml.Message {
	text, _ := (&declaredconfig.Summary{Schema: "1.0", Documents: entries}).MarshalText()
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sess, MsgID: msg,
		Target: syncml.Location{LocURI: "https://mdm.example"}, Source: syncml.Location{LocURI: "d"}}}
	m.Body.Final = true
	a := session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, string(text))
	a.CmdID = "1"
	m.Body.Commands = []syncml.Command{a}
	return m
}

// TestStoredInvalid hands a Reconciler states that earlier builds could
// store before Validate held a scenario to its Host: a VPN document
// (MSFTVPN) under Inventory, in formats 1 and 2 and in the format of
// now. A device refuses it (declaredconfig/agent answers 400), and it was
// sent in every session. Now it is not sent: it is Failed with a reason,
// one Problem carries the declaredconfig.HostError (matching ErrInvalid,
// the status naming the document), and neither later messages and
// sessions nor another Reconciler loading the state send it or tell it
// again. It stays desired (Desired and Status list it) until the caller
// declares it anew or removes it; a valid document beside it is sent.
func TestStoredInvalid(t *testing.T) {
	valid := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: "22222222-2222-4222-8222-222222222222", Checksum: "B0",
		Scenario: declaredconfig.ScenarioVPN, CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2",
			Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	now := func(t *testing.T) []byte {
		bad := *valid
		bad.ID, bad.Checksum = invalidID, "A0"
		st := &deviceState{Docs: []*docState{
			{Scope: declaredconfig.Device, Host: declaredconfig.Inventory, Doc: &bad,
				Last: lastSeen{Condition: Unknown, Reason: "declared; the device has not reported since"}, docTail: &docTail{Base: "A0"}},
			{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Doc: valid,
				Last: lastSeen{Condition: Unknown, Reason: "declared; the device has not reported since"}, docTail: &docTail{Base: "B0"}},
		}}
		b, err := encodeState(st)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	old := func(v byte) func(*testing.T) []byte {
		return func(*testing.T) []byte {
			d := oldDefault()
			d.id, d.host = invalidID, uint64(declaredconfig.Inventory)
			return oldStateOf(v, d, 1, false)
		}
	}
	for _, c := range []struct {
		name  string
		state func(*testing.T) []byte
		docs  int // desired documents
	}{
		{"format 1", old(1), 1},
		{"format 2", old(2), 1},
		{"format now", now, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := session.NewMemoryStore()
			if _, err := store.CompareAndSwap(ctx, "d", 0, c.state(t)); err != nil {
				t.Fatal(err)
			}
			var events []Event
			on := func(_ context.Context, e Event) { events = append(events, e) }
			for i, step := range []struct {
				sess, msg string
				fresh     bool // a new Reconciler on the same Store
			}{{"1", "1", false}, {"1", "2", false}, {"2", "1", false}, {"3", "1", true}} {
				r := New(Config{Store: store, OnEvent: on})
				if !step.fresh {
					Eager(r) // (a run of each kind)
				}
				events = nil
				ss := session.NewSession(nil)
				st, err := r.Reconcile(ctx, ss, summaryMessage(step.sess, step.msg), &session.Exchange{Identity: session.Identity{Device: "d"}})
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				sent := sentCmds(t, ss)
				for _, cmd := range sent {
					if strings.Contains(cmd, invalidID) && (strings.HasPrefix(cmd, "Add") || strings.HasPrefix(cmd, "Replace")) {
						t.Errorf("message %d: the invalid document is sent: %s", i+1, cmd)
					}
				}
				if c.docs == 2 && i == 0 && !containsPrefix(sent, "Add ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/"+valid.ID) {
					t.Errorf("the valid document is not sent: %v", sent)
				}
				d := st.Doc(invalidID)
				if d == nil || d.Condition != Failed || d.Reason != invalidReason || d.Refused != 0 {
					t.Fatalf("message %d: status %+v, want Failed, not refused", i+1, d)
				}
				var problems, failed []Event
				for _, e := range events {
					switch {
					case e.Kind == Problem:
						problems = append(problems, e)
					case e.Kind == FailedEvent && e.Status.URI.DocID == invalidID:
						if len(problems) > 0 {
							t.Errorf("message %d: Failed after the Problem: %v", i+1, events)
						}
						failed = append(failed, e)
					}
				}
				if i > 0 {
					if len(problems) != 0 || len(failed) != 0 {
						t.Errorf("message %d: told again: %v", i+1, events)
					}
					continue
				}
				if len(problems) != 1 {
					t.Fatalf("%d Problems, want 1: %v", len(problems), events)
				}
				if len(failed) != 1 || failed[0].Status.Condition != Failed || failed[0].Device != "d" {
					t.Errorf("%d Failed events of the invalid document, want 1: %v", len(failed), events)
				}
				e := problems[0]
				var he *declaredconfig.HostError
				if !errors.Is(e.Err, ErrInvalid) || !errors.Is(e.Err, declaredconfig.ErrInvalid) || !errors.As(e.Err, &he) ||
					he.Host != declaredconfig.Inventory || he.Scenario != declaredconfig.ScenarioVPN {
					t.Errorf("Problem %v, want ErrInvalid with a HostError", e.Err)
				}
				if u := e.Status.URI; u.DocID != invalidID || u.Scope != declaredconfig.Device || u.Host != declaredconfig.Inventory ||
					e.Status.Condition != Failed || e.Device != "d" {
					t.Errorf("Problem of %q, status %+v", e.Device, e.Status)
				}
			}
			r := New(Config{Store: store})
			ds, err := r.Desired(ctx, "d")
			if err != nil || len(ds) != c.docs || ds[0].Document.ID != invalidID || ds[0].Host != declaredconfig.Inventory {
				t.Fatalf("Desired: %+v, %v; the invalid document is no longer desired", ds, err)
			}
		})
	}
}

// containsPrefix reports whether one of list starts with prefix.
func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// sentCmds returns "Cmd target" of what ss sends in its next reply.
func sentCmds(t *testing.T, ss *session.Session) []string {
	t.Helper()
	m := summaryMessage("1", "99")
	m.Body.Commands = nil
	reply, err := ss.Handle(context.Background(), &session.Inbound{Message: m})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range reply.Reply.Body.Commands {
		if c.ElementName() != "Status" {
			out = append(out, c.ElementName()+" "+strings.Join(syncml.Targets(c), ","))
		}
	}
	return out
}

// TestStoredInvalidFailed: a declaration stored by an earlier build that
// does not validate and that the reconciler does not send, as it is
// Failed already: the device refused it (400, before the reconciler
// checked), or took it before and, upgraded, keeps it in GetInfraError
// (82) with the result it had. The Failed event comes with one Problem
// that carries the HostError, once: a later message tells neither again.
// Before, Failed said only the state or the refusal.
func TestStoredInvalidFailed(t *testing.T) {
	bad := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invalidID, Checksum: "A0",
		Scenario: declaredconfig.ScenarioVPN, CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2",
			Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	for _, c := range []struct {
		name  string
		doc   func(*docState)
		entry declaredconfig.SummaryEntry
	}{
		{"refused 400", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "A0", 400, 1 },
			declaredconfig.SummaryEntry{Context: "Device", ID: invalidID, Checksum: "Z9", ResultChecksum: "R9", State: "60"}},
		{"held in 82", func(d *docState) {
			d.Last = lastSeen{Condition: InSync, Reported: true, State: 80, DevCS: "A0", DevRC: "R1"}
			d.InSyncRC, d.GetDone = "R1", "A0/R1"
		}, declaredconfig.SummaryEntry{Context: "Device", ID: invalidID, Checksum: "A0", ResultChecksum: "R1", State: "82"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			d := &docState{Scope: declaredconfig.Device, Host: declaredconfig.Inventory, Doc: bad,
				Last: lastSeen{Condition: Unknown}, docTail: &docTail{Base: "A0"}}
			c.doc(d)
			b, err := encodeState(&deviceState{Docs: []*docState{d}})
			if err != nil {
				t.Fatal(err)
			}
			store := session.NewMemoryStore()
			if _, err := store.CompareAndSwap(ctx, "d", 0, b); err != nil {
				t.Fatal(err)
			}
			var events []Event
			r := New(Config{Store: store, OnEvent: func(_ context.Context, e Event) { events = append(events, e) }})
			for i, sess := range []string{"1", "2"} {
				events = nil
				ss := session.NewSession(nil)
				st, err := r.Reconcile(ctx, ss, entryMessage(sess, "1", c.entry), &session.Exchange{Identity: session.Identity{Device: "d"}})
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				if sent := sentCmds(t, ss); containsPrefix(sent, "Add") || containsPrefix(sent, "Replace") {
					t.Errorf("message %d: sent %v", i+1, sent)
				}
				if s := st.Doc(invalidID); s == nil || s.Condition != Failed {
					t.Fatalf("message %d: status %+v, want Failed", i+1, s)
				}
				if i > 0 {
					if len(events) != 0 {
						t.Errorf("message %d: told again: %v", i+1, events)
					}
					continue
				}
				var he *declaredconfig.HostError
				if len(events) != 2 || events[0].Kind != FailedEvent || events[1].Kind != Problem ||
					!errors.As(events[1].Err, &he) || !errors.Is(events[1].Err, ErrInvalid) || events[1].Status.URI.DocID != invalidID {
					t.Fatalf("events %v, want Failed, then a Problem with the HostError", events)
				}
			}
		})
	}
}

// TestStoredInvalidToldBefore: a state an earlier build saved after it
// told the event Failed of a declaration that does not validate (the
// device refused it, 400, or holds it in 82), before the reconciler
// checked the declaration with that event: nothing made the check again
// (the event is not told twice), so the Problem never came. Now the first
// run that loads such a state tells the Problem once, without the event
// Failed again, and rewrites the key of the event, saved with the state,
// so that a later message or Reconciler tells neither. A valid
// declaration told so is checked once too, and tells nothing. The states
// are of the format now, with the key of the event as the earlier build
// wrote it.
func TestStoredInvalidToldBefore(t *testing.T) {
	vpn := func(id string) *declaredconfig.Document {
		return &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "A0",
			Scenario: declaredconfig.ScenarioVPN, CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2",
				Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	}
	refused := declaredconfig.SummaryEntry{Context: "Device", ID: invalidID, Checksum: "Z9", ResultChecksum: "R9", State: "60"}
	held := declaredconfig.SummaryEntry{Context: "Device", ID: invalidID, Checksum: "A0", ResultChecksum: "R1", State: "82"}
	now := func(host declaredconfig.Host, f func(*docState)) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			d := &docState{Scope: declaredconfig.Device, Host: host, Doc: vpn(invalidID),
				Last: lastSeen{Condition: Failed}, docTail: &docTail{Base: "A0"}}
			f(d)
			b, err := encodeState(&deviceState{Docs: []*docState{d}})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	refusedNow := func(d *docState) {
		d.Refused, d.RefusedCode, d.RefusedTries, d.LastEvent = "A0", 400, 1, "FailedRA0/"
	}
	heldNow := func(d *docState) {
		d.Last = lastSeen{Condition: Failed, Reported: true, State: 82, DevCS: "A0", DevRC: "R1"}
		d.GetDone, d.LastEvent = "A0/R1", "FailedFA0/R1"
	}
	for _, c := range []struct {
		name    string
		state   func(*testing.T) []byte
		entry   declaredconfig.SummaryEntry
		problem bool   // the declaration does not validate
		key     string // LastEvent after
	}{
		{"refused 400", now(declaredconfig.Inventory, refusedNow), refused, true, "FailedrA0/"},
		{"held in 82", now(declaredconfig.Inventory, heldNow), held, true, "FailedfA0/R1"},
		{"valid, refused 400", now(declaredconfig.Complete, refusedNow), refused, false, "FailedrA0/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := session.NewMemoryStore()
			if _, err := store.CompareAndSwap(ctx, "d", 0, c.state(t)); err != nil {
				t.Fatal(err)
			}
			var events []Event
			on := func(_ context.Context, e Event) { events = append(events, e) }
			var r *Reconciler
			for i, step := range []struct {
				sess  string
				fresh bool // a new Reconciler on the same Store
			}{{"1", true}, {"2", false}, {"3", true}} {
				if step.fresh {
					r = New(Config{Store: store, OnEvent: on})
				}
				events = nil
				ss := session.NewSession(nil)
				st, err := r.Reconcile(ctx, ss, entryMessage(step.sess, "1", c.entry), &session.Exchange{Identity: session.Identity{Device: "d"}})
				if err != nil {
					t.Fatalf("message %d: %v", i+1, err)
				}
				if sent := sentCmds(t, ss); containsPrefix(sent, "Add") || containsPrefix(sent, "Replace") {
					t.Errorf("message %d: sent %v", i+1, sent)
				}
				if s := st.Doc(invalidID); s == nil || s.Condition != Failed {
					t.Fatalf("message %d: status %+v, want Failed", i+1, s)
				}
				if i > 0 || !c.problem {
					if len(events) != 0 {
						t.Errorf("message %d: told %v, want nothing", i+1, events)
					}
				} else {
					var he *declaredconfig.HostError
					if len(events) != 1 || events[0].Kind != Problem || !errors.As(events[0].Err, &he) ||
						!errors.Is(events[0].Err, ErrInvalid) || events[0].Status.URI.DocID != invalidID {
						t.Errorf("message %d: events %v, want one Problem with the HostError (Failed told before)", i+1, events)
					}
				}
				stored, err := r.load(ctx, "d")
				if err != nil {
					t.Fatal(err)
				}
				if k := stored.Docs[0].LastEvent; k != c.key {
					t.Errorf("message %d: stored key %q, want %q", i+1, k, c.key)
				}
			}
		})
	}
}
