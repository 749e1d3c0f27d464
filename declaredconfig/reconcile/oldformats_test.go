package reconcile

import (
	"context"
	"encoding/binary"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// oldState writes a stored state of format 1 or 2 field by field, in the
// order decodeBinary, docV1 and docV2 read them: no writer of those
// formats is left, and the committed states (testdata/state-v1.golden,
// state-v2.golden) hold only what a run wrote.
type oldState struct{ b []byte }

func (w *oldState) u(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *oldState) i(v int64)  { w.b = binary.AppendVarint(w.b, v) }
func (w *oldState) flag(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *oldState) s(ss ...string) {
	for _, s := range ss {
		w.u(uint64(len(s)))
		w.b = append(w.b, s...)
	}
}

// oldDoc holds the fields of a document of format 1 or 2 the cases of
// TestOldFormatsCrafted change; oldDefault is a document a run could
// have written.
type oldDoc struct {
	scope, host, abandonSet, kinds, state uint64
	redeclared, code, tries, hint         int64
	refused                               string
	repairing                             byte // a flag: 0 or 1, or damaged
	cspCount                              uint64
	rest                                  *string // format 2: the rest as stored, when set
	mask                                  *uint32 // format 2: the mask of strings, when set
	id                                    string  // the DocID; "x" when empty
}

// docID is d's DocID.
func (d oldDoc) docID() string {
	if d.id == "" {
		return "x"
	}
	return d.id
}

func oldDefault() oldDoc {
	return oldDoc{scope: 0, host: 1, kinds: uint64(nKinds), state: 60, cspCount: 1}
}

// tail writes the fields of a document after its Scenario (format 1, and
// the rest of format 2): a VPNv2 CSP with one setting, unless cspCount
// says otherwise.
func (w *oldState) tail(d oldDoc) {
	w.u(0)        // attributes
	w.flag(false) // reflected properties
	w.u(d.cspCount)
	if d.cspCount == 1 {
		w.s("./Vendor/MSFT/VPNv2")
		w.u(0) // attributes
		w.u(1) // settings
		w.s("P/AlwaysOn", "bool", "true")
		w.flag(false)
		w.u(0) // attributes
		w.u(0) // unknown elements
	}
	w.u(0) // DSCs
	w.u(0) // unknown elements
}

// docV1 writes d as docV1 reads it.
func (w *oldState) docV1(d oldDoc) {
	w.u(d.scope)
	w.u(d.host)
	w.s("1.0", "Device", d.docID(), "A0", "MSFTVPN")
	w.tail(d)
	w.s("A0")         // Base
	w.i(d.redeclared) // Redeclared
	w.flag(false)     // Vars
	w.s("")           // VarsSent
	w.flag(false)     // Abandoned
	w.u(d.abandonSet) // AbandonSet
	w.s("A0", "1")    // Acked, AckedIn
	w.s(d.refused)    // Refused
	w.i(d.code)       // RefusedCode
	w.i(d.tries)      // RefusedTries
	w.i(d.hint)       // Hint
	w.s("", "")       // InSyncRC, ResultsRC
	w.flag(false)     // Result
	w.s("", "")       // GetDone, ResultFail
	w.b = append(w.b, d.repairing)
	w.flag(false) // StrayHost
	w.u(d.kinds)
	for range 2 * nKinds {
		w.s("") // Await, Tried
	}
	w.u(3)                                    // Last.Condition
	w.s("A0", "R0", "ConfigCompletedSuccess") // LastCS, LastRC, Last.Reason
	w.flag(true)                              // Last.Reported
	w.u(d.state)                              // Last.State
	w.s("A0", "R0", "")                       // Last.DevCS, Last.DevRC, LastEvent
}

// restV2 is the rest of the document of d (format 2).
func restV2(d oldDoc) string {
	var r oldState
	r.s("1.0", "Device", "MSFTVPN")
	r.tail(d)
	return string(r.b)
}

// docV2 writes d as docV2 reads it; its strings are Base ("A0", the
// first of strsV2) and Refused (the fifth).
func (w *oldState) docV2(d oldDoc) {
	w.u(d.scope)
	w.u(d.host)
	rest := restV2(d)
	if d.rest != nil {
		rest = *d.rest
	}
	w.s(d.docID(), "A0", rest)
	w.i(d.redeclared)
	w.flag(false) // Vars
	w.flag(false) // Abandoned
	w.u(d.abandonSet)
	w.i(d.code)
	w.i(d.tries)
	w.i(d.hint)
	w.flag(false) // Result
	w.b = append(w.b, d.repairing)
	w.flag(false) // StrayHost
	w.u(d.kinds)
	w.u(3)       // Last.Condition
	w.flag(true) // Last.Reported
	w.u(d.state)
	mask := uint32(1<<0 | 1<<4)
	if d.mask != nil {
		mask = *d.mask
	}
	w.b = binary.LittleEndian.AppendUint32(w.b, mask)
	for k := range nDocStrs - 4 {
		if mask&(1<<k) == 0 {
			continue
		}
		switch k {
		case 0:
			w.s("A0")
		case 4:
			w.s(d.refused)
		default:
			w.s("s" + strconv.Itoa(k))
		}
	}
}

// oldStateOf returns a state of format v (1 or 2) holding d, no removed
// document nor stray, and, with sum, the summary the device last sent.
func oldStateOf(v byte, d oldDoc, docs uint64, sum bool) []byte {
	w := &oldState{b: []byte{v}}
	w.u(docs)
	if docs == 1 {
		if v == 1 {
			w.docV1(d)
		} else {
			w.docV2(d)
		}
	}
	w.u(0) // Removed
	w.u(0) // Stray
	w.i(0) // StrayOver
	w.u(30)
	w.u(30)
	w.s("30", "", "", "") // RefreshRead, RefreshAwait, RefreshTried, SummaryAsked
	w.i(0)                // Queued
	w.s("2")              // LastMsg
	if sum {
		w.flag(true)
		w.s(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="` + d.docID() + `" checksum="A0" result_checksum="R0" state="60"/></DeclaredConfigurations>`)
		w.s("1.0")
		w.u(0) // attributes
		w.u(1)
		w.s("Device", d.docID(), "A0", "R0", "60")
		w.u(0) // attributes
		w.u(0) // unknown elements
		w.u(0) // unknown elements
	}
	return w.b
}

// offsetRE finds the offset a reader error names.
var offsetRE = regexp.MustCompile(`offset (\d+): `)

// TestOldFormatsCrafted hands a Reconciler crafted states of formats 1
// and 2, whole or damaged in one field each. One a run could have
// written loads: its status, its desired document in full, and a save
// (format 4) that reads again; a version refused with a code no refusal
// has loads without the refusal. A damaged one fails each call with an
// error matching ErrStoredState that names the device and what is
// wrong, and, when the reader found it, an offset inside the state;
// nothing panics.
func TestOldFormatsCrafted(t *testing.T) {
	short := "abc"
	badMask := uint32(1) << (nDocStrs - 4)
	cases := []struct {
		name    string
		only    byte // 0: both formats
		edit    func(*oldDoc)
		docs    uint64 // documents the list claims; 1 when 0
		noSum   bool
		bytes   func([]byte) []byte
		wantErr string // "" when it loads
	}{
		{name: "whole"},
		{name: "no summary", noSum: true},
		{name: "refused version", edit: func(d *oldDoc) { d.refused, d.code, d.tries = "A0", 500, 2 }},
		{name: "odd refusal code dropped", edit: func(d *oldDoc) { d.refused, d.code, d.tries = "A0", 999, 1 }},
		{name: "refused version never tried", edit: func(d *oldDoc) { d.refused, d.code, d.tries = "A0", 500, 0 },
			wantErr: `document "x": RefusedTries 0 of version "A0"`},
		{name: "negative tries", edit: func(d *oldDoc) { d.tries = -1 }, wantErr: "RefusedTries -1"},
		{name: "hint out of range", edit: func(d *oldDoc) { d.hint = 200 }, wantErr: "hint 200"},
		{name: "AbandonSet 3", edit: func(d *oldDoc) { d.abandonSet = 3 }, wantErr: "3 is over 2"},
		{name: "kinds of command", edit: func(d *oldDoc) { d.kinds = 4 }, wantErr: "4 kinds of command, not 5"},
		{name: "state over 32 bits", edit: func(d *oldDoc) { d.state = 1 << 32 }, wantErr: "4294967296 is over 4294967295"},
		{name: "Redeclared out of range", edit: func(d *oldDoc) { d.redeclared = 1 << 40 }, wantErr: "1099511627776 is out of range"},
		{name: "flag of 2", edit: func(d *oldDoc) { d.repairing = 2 }, wantErr: "not a flag"},
		{name: "scope 9", edit: func(d *oldDoc) { d.scope = 9 }, wantErr: `document "x": scope`},
		{name: "host 0", edit: func(d *oldDoc) { d.host = 0 }, wantErr: `document "x": scope Device, host`},
		{name: "scope over a byte", edit: func(d *oldDoc) { d.scope = 256 }, wantErr: "256 is over 255"},
		{name: "documents over the bytes", docs: 1000, wantErr: "1000 elements"},
		{name: "CSPs over the bytes", only: 1, edit: func(d *oldDoc) { d.cspCount = 300 }, wantErr: "300 elements"},
		{name: "cut short", bytes: func(b []byte) []byte { return b[:len(b)-1] }, wantErr: "a number does not read"},
		{name: "a string over the end", bytes: func(b []byte) []byte { return b[:len(b)-1] }, noSum: true,
			wantErr: "a string of 1 bytes, 0 left"},
		{name: "a byte after", bytes: func(b []byte) []byte { return append(b, 0) }, wantErr: "1 bytes after the state"},
		{name: "rest too short", only: 2, edit: func(d *oldDoc) { d.rest = &short }, wantErr: "a document of 3 bytes"},
		{name: "mask over the strings", only: 2, edit: func(d *oldDoc) { d.mask = &badMask }, wantErr: "mask of strings"},
	}
	ctx := context.Background()
	for _, v := range []byte{1, 2} {
		for _, c := range cases {
			if c.only != 0 && c.only != v {
				continue
			}
			t.Run("format"+strconv.Itoa(int(v))+"/"+c.name, func(t *testing.T) {
				d := oldDefault()
				if c.edit != nil {
					c.edit(&d)
				}
				docs := c.docs
				if docs == 0 {
					docs = 1
				}
				state := oldStateOf(v, d, docs, !c.noSum)
				if c.bytes != nil {
					state = c.bytes(state)
				}
				store := session.NewMemoryStore()
				if _, err := store.CompareAndSwap(ctx, "d", 0, state); err != nil {
					t.Fatal(err)
				}
				r := New(Config{Store: store})
				st, err := r.Status(ctx, "d")
				if c.wantErr != "" {
					checkStoredErr(t, err, c.wantErr, len(state))
					_, err = r.Desired(ctx, "d")
					checkStoredErr(t, err, c.wantErr, len(state))
					checkStoredErr(t, r.SetRefreshInterval(ctx, "d", 45), c.wantErr, len(state))
					return
				}
				if err != nil {
					t.Fatalf("Status: %v\nstate %q", err, state)
				}
				if len(st.Docs) != 1 || st.Docs[0].URI.DocID != "x" || !st.Docs[0].Reported {
					t.Fatalf("status %+v", st.Docs)
				}
				want, err := decodeState(state)
				if err != nil {
					t.Fatal(err)
				}
				got := want.Docs[0]
				if d.code == 999 && (got.Refused != "" || got.RefusedCode != 0 || got.RefusedTries != 0) {
					t.Errorf("an odd refusal kept: %q %d %d", got.Refused, got.RefusedCode, got.RefusedTries)
				}
				if d.code == 500 && (got.Refused != "A0" || got.RefusedCode != 500 || got.RefusedTries != int(d.tries)) {
					t.Errorf("refusal read as %q %d %d", got.Refused, got.RefusedCode, got.RefusedTries)
				}
				if (want.Sum != nil) == c.noSum {
					t.Errorf("summary %+v with noSum %v", want.Sum, c.noSum)
				}
				ds, err := r.Desired(ctx, "d")
				if err != nil || len(ds) != 1 || len(ds[0].Document.CSPs) != 1 || ds[0].Document.CSPs[0].Settings[0].Value != "true" ||
					ds[0].Document.Scenario != "MSFTVPN" || ds[0].Document.Checksum != "A0" {
					t.Fatalf("Desired: %+v, %v", ds, err)
				}
				if err := r.SetRefreshInterval(ctx, "d", 45); err != nil {
					t.Fatalf("SetRefreshInterval: %v", err)
				}
				saved, _, err := store.Load(ctx, "d")
				if err != nil || len(saved) == 0 || saved[0] != stateFormat {
					t.Fatalf("saved %.8q, %v: not format %d", saved, err, stateFormat)
				}
				again, err := New(Config{Store: store}).Desired(ctx, "d")
				if err != nil || len(again) != 1 || again[0].Document.CSPs[0].Settings[0].Value != "true" {
					t.Fatalf("Desired after a save: %+v, %v", again, err)
				}
			})
		}
	}
}

// checkStoredErr fails t unless err matches ErrStoredState, names the
// device "d" and holds want, and names an offset inside the n bytes of
// the state (but a scope or host the reader took, which checkScopes
// refuses after).
func checkStoredErr(t *testing.T, err error, want string, n int) {
	t.Helper()
	if !errors.Is(err, ErrStoredState) {
		t.Fatalf("%v, not ErrStoredState", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, `device "d"`) || !strings.Contains(msg, want) {
		t.Fatalf("%q does not name the device and %q", msg, want)
	}
	m := offsetRE.FindStringSubmatch(msg)
	if m == nil {
		if !strings.Contains(want, "scope") { // checkScopes names no offset
			t.Fatalf("%q names no offset", msg)
		}
		return
	}
	if off, _ := strconv.Atoi(m[1]); off <= 0 || off > n {
		t.Fatalf("%q: offset outside the %d bytes of the state", msg, n)
	}
}

// TestOldFormatV2DamagedRest stores a format-2 document whose rest (read
// only when the body is needed) is damaged but long enough to load: the
// status still reads, and Desired fails with ErrStoredState naming the
// document and what is wrong; a rest with a byte after the document the
// same.
func TestOldFormatV2DamagedRest(t *testing.T) {
	ctx := context.Background()
	good := restV2(oldDefault())
	many := oldDefault()
	many.cspCount = 200
	for _, c := range []struct {
		name, rest, want string
	}{
		{"CSPs over the bytes", restV2(many), "200 elements"},
		{"a byte after", good + "\x00", "1 bytes after the document"},
		{"a flag of 2", strings.Replace(good, "\x00\x00\x01\x13", "\x00\x02\x01\x13", 1), "not a flag"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.rest == good {
				t.Fatal("the rest is not damaged")
			}
			d := oldDefault()
			d.rest = &c.rest
			state := oldStateOf(2, d, 1, true)
			store := session.NewMemoryStore()
			if _, err := store.CompareAndSwap(ctx, "d", 0, state); err != nil {
				t.Fatal(err)
			}
			r := New(Config{Store: store})
			if st, err := r.Status(ctx, "d"); err != nil || len(st.Docs) != 1 {
				t.Fatalf("Status: %+v, %v", st, err)
			}
			_, err := r.Desired(ctx, "d")
			if !errors.Is(err, ErrStoredState) || !strings.Contains(err.Error(), "document x") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Desired: %v; want ErrStoredState naming document x and %q", err, c.want)
			}
		})
	}
}
