package reconcile_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// summaryErrors returns the SummaryErrors of the Problems ev recorded,
// and the number of other Problems.
func summaryErrors(ev *recorder) (ses []*reconcile.SummaryError, other int) {
	for _, e := range ev.events {
		if e.Kind != reconcile.Problem {
			continue
		}
		var se *reconcile.SummaryError
		if errors.As(e.Err, &se) {
			ses = append(ses, se)
		} else {
			other++
		}
	}
	return ses, other
}

// TestSummaryEntryProblems: a summary that lists one scope and DocID
// twice, or gives a state the CSP does not define, is a Problem whose Err
// is a SummaryError saying which entry, where, and what was read: for an
// entry listed again, the entry read (the first); for a state, the state
// as sent, the document's state read as before. Before, the first entry
// of a DocID was read without a word, and a state such as "bogus" was
// read as NotDefined without a word. The same DocID in both scopes is two
// documents, and a state with white space around it reads: no Problem.
// Each Problem's Status is that of the entry's document (before, it was
// empty: the DocID was only in the error).
func TestSummaryEntryProblems(t *testing.T) {
	entry := func(ctx, id, cs, state string) declaredconfig.SummaryEntry {
		return declaredconfig.SummaryEntry{Context: ctx, ID: id, Checksum: cs, ResultChecksum: "R1", State: state}
	}
	letters := "ABCDEF00-0000-4000-8000-0000000000AA" // declared, listed in lower and upper case
	stray := "44444444-4444-4444-8444-444444444444"
	type want struct {
		entry, first int
		attr, value  string
	}
	for _, tc := range []struct {
		name    string
		entries []declaredconfig.SummaryEntry
		want    []want
		state   declaredconfig.State // the state read of ids[0]
	}{
		{"well formed", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "60")}, nil, 60},
		{"DocID twice", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "60"), entry("Device", ids[0], "B9", "61")},
			[]want{{2, 1, "id", ids[0]}}, 60},
		{"DocID twice, other case", []declaredconfig.SummaryEntry{entry("device", ids[0], "A0", "60"), entry("Device", strings.ToLower(letters), "A0", "60"),
			entry("device", letters, "B9", "61")},
			[]want{{3, 2, "id", letters}}, 60},
		{"DocID three times", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "61"), entry("Device", ids[1], "A0", "60"),
			entry("Device", ids[0], "A0", "60"), entry("", ids[0], "A0", "60")},
			[]want{{3, 1, "id", ids[0]}, {4, 1, "id", ids[0]}}, 61},
		{"DocID in both scopes", []declaredconfig.SummaryEntry{entry("User", ids[0], "U1", "60"), entry("Device", ids[0], "A0", "60")}, nil, 60},
		{"stray twice", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "60"), entry("Device", stray, "S", "60"), entry("Device", stray, "S", "60")},
			[]want{{3, 2, "id", stray}}, 60},
		{"state a word", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "bogus")}, []want{{1, 0, "state", "bogus"}}, 0},
		{"state undefined", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "99")}, []want{{1, 0, "state", "99"}}, 99},
		{"state missing", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "")}, []want{{1, 0, "state", ""}}, 0},
		{"state of a stray", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "60"), entry("Device", stray, "S", "6o")},
			[]want{{2, 0, "state", "6o"}}, 60},
		{"state spaced", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", " 60 ")}, nil, 60},
		{"both", []declaredconfig.SummaryEntry{entry("Device", ids[0], "A0", "60"), entry("Device", ids[0], "A0", "x")},
			[]want{{2, 1, "id", ids[0]}, {2, 0, "state", "x"}}, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &recorder{}
			rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
			if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "A0"), vpnDoc(letters, "A0")); err != nil {
				t.Fatal(err)
			}
			_, st := reconcileSummary(t, rec, "1", tc.entries...)
			ses, other := summaryErrors(ev)
			if other != 0 || len(ses) != len(tc.want) {
				t.Fatalf("%d SummaryErrors and %d other Problems, want %d and 0: %v", len(ses), other, len(tc.want), ev.events)
			}
			for i, w := range tc.want {
				se := ses[i]
				path := "/DeclaredConfigurations/DeclaredConfiguration[" + strconv.Itoa(w.entry) + "]/@" + w.attr
				if se.Entry != w.entry || se.First != w.first || se.Path != path || se.Value != w.value {
					t.Errorf("Problem %d: %+v, want entry %d, first %d, %s, value %q", i, *se, w.entry, w.first, path, w.value)
				}
				if e := tc.entries[w.entry-1]; se.DocID != e.ID {
					t.Errorf("Problem %d names DocID %q, want %q", i, se.DocID, e.ID)
				}
				msg := se.Error()
				if !strings.Contains(msg, path) || !strings.Contains(msg, strconv.Quote(se.DocID)) ||
					w.first > 0 && !strings.Contains(msg, "entry "+strconv.Itoa(w.first)+" is read") ||
					w.first == 0 && !strings.Contains(msg, strconv.Quote(w.value)) {
					t.Errorf("Problem %d says %q", i, msg)
				}
			}
			if d := st.Doc(ids[0]); d == nil || !d.Reported || d.State != tc.state {
				t.Errorf("document %+v, want state %v read", d, tc.state)
			}
			// Each Problem's Status names the entry's document: a
			// declared one as it stands after the message (Host,
			// condition, state read), a stray as the device lists it.
			for _, e := range ev.events {
				var se *reconcile.SummaryError
				if e.Kind != reconcile.Problem || !errors.As(e.Err, &se) {
					continue
				}
				u := e.Status.URI
				if u.Scope != se.Scope || !declaredconfig.EqualDocID(u.DocID, se.DocID) || u.Node != declaredconfig.NodeDocument {
					t.Errorf("the Problem of entry %d (%v %s) carries %v", se.Entry, se.Scope, se.DocID, u)
					continue
				}
				if declaredconfig.EqualDocID(se.DocID, stray) {
					if e.Status.Condition != reconcile.Stray || u.Host != 0 || !e.Status.Reported || e.Status.DeviceChecksum != "S" {
						t.Errorf("the Problem of stray entry %d carries %+v", se.Entry, e.Status)
					}
					continue
				}
				now := st.Doc(se.DocID)
				if u.Host != declaredconfig.Complete || now == nil || e.Status.Condition != now.Condition ||
					e.Status.State != now.State || e.Status.Reason != now.Reason || e.Status.Checksum != "A0" {
					t.Errorf("the Problem of entry %d carries %+v, the document stands %+v", se.Entry, e.Status, now)
				}
			}
		})
	}
}

// TestSummaryEntryProblemOnce: the Problem of an entry is told for each
// summary that differs from the device's last one, not for every message
// that repeats it, whether the summary is given as text or as XML markup
// (before, one given as markup was checked in every message), and by a
// Reconciler that loads the device's state from the Store as by the one
// that saved it. A bad summary among good ones is told again.
func TestSummaryEntryProblemOnce(t *testing.T) {
	ev := &recorder{}
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, Store: store})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	twice := []declaredconfig.SummaryEntry{
		{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R1", State: "60"},
		{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R2", State: "61"},
	}
	good := twice[:1]
	for i, step := range []struct {
		entries []declaredconfig.SummaryEntry
		xml     bool
		fresh   bool // a new Reconciler on the same Store
		want    int
	}{
		{twice, false, false, 1},
		{twice, false, false, 0}, // the same summary again
		{twice, false, false, 0},
		{good, false, false, 0},
		{twice, false, false, 1}, // back again
		{twice, true, false, 1},  // as markup: not the text held
		{twice, true, false, 0},  // the same markup again
		{twice, true, false, 0},
		{twice, true, true, 0}, // loaded from the Store
		{good, true, false, 0},
		{twice, true, false, 1},  // back again
		{twice, false, false, 1}, // as text: not the markup held
		{twice, true, true, 1},
		{twice, true, true, 0},
	} {
		ev.events = nil
		if step.fresh {
			rec = reconcile.New(reconcile.Config{OnEvent: ev.on, Store: store})
		}
		m := specMessage(t, strconv.Itoa(i+1), "")
		appendSummary(m, step.entries...)
		if step.xml {
			a := m.Body.Commands[len(m.Body.Commands)-1].(*syncml.Alert)
			a.Items[0].Data.Kind = syncml.DataXML
		}
		if _, err := rec.Reconcile(context.Background(), session.NewSession(nil), m, &session.Exchange{Identity: session.Identity{Device: dev1}}); err != nil {
			t.Fatal(err)
		}
		if ses, other := summaryErrors(ev); len(ses) != step.want || other != 0 {
			t.Errorf("message %d: %d SummaryErrors and %d other Problems, want %d and 0", i+1, len(ses), other, step.want)
		}
	}
}

// TestSummaryEntryProblemsBounded: a summary of many undefined states
// gives Config.MaxProblems Problems, then one that counts the rest.
func TestSummaryEntryProblemsBounded(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxProblems: 4})
	var entries []declaredconfig.SummaryEntry
	for i := range 50 {
		entries = append(entries, declaredconfig.SummaryEntry{Context: "Device", ID: "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(strconv.Itoa(i))) + strconv.Itoa(i), State: "bogus"})
	}
	reconcileSummary(t, rec, "1", entries...)
	ses, other := summaryErrors(ev)
	if len(ses) != 4 || other != 1 {
		t.Fatalf("%d SummaryErrors and %d other Problems, want 4 and 1", len(ses), other)
	}
	for _, e := range ev.events {
		var le *reconcile.LimitError
		if e.Kind == reconcile.Problem && errors.As(e.Err, &le) && (le.Limit != "MaxProblems" || le.Count != 50) {
			t.Errorf("limit %+v, want MaxProblems reached at 50", le)
		}
	}
}
