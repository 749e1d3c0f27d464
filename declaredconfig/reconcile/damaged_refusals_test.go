package reconcile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A damaged state whose refusals are none a run writes (a refusal
// counted fewer than once) loaded without an error, and held the command
// back, or sent it, as those numbers said. Each is now ErrStoredState
// naming the field, in format 4, in format 3 and JSON (the refusal of the
// version, the older fields), and in the head of a settled document. A
// refusal whose code is no refusal's SyncML status code (999, 42, 0,
// 200), which runs before these checks wrote for a device's odd Status,
// is dropped instead: the state loads, without that refusal.
func TestStateDamagedRefusals(t *testing.T) {
	cases := []struct {
		name, field string
		set         func(d *docState)
		old         bool // the refusal of the version: format 3 and JSON have it
		dropped     bool // an odd code: the refusal is dropped, the state loads
	}{
		{"version code 999", "RefusedCode 999", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 999, 1 }, true, true},
		{"version code negative", "RefusedCode -405", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", -405, 1 }, true, true},
		{"version code 200", "RefusedCode 200", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 200, 1 }, true, true},
		{"version tries 0", "RefusedTries 0", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 405, 0 }, true, false},
		{"tries negative", "RefusedTries -1", func(d *docState) { d.RefusedTries = -1 }, true, false},
		{"delete tries 0", "CmdRefused[delete].Tries 0", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kDelete: {What: "A0", Code: 405}}
		}, false, false},
		{"vars tries negative", "CmdRefused[vars].Tries -2", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kVars: {What: "A0", Code: 503, Tries: -2}}
		}, false, false},
		{"abandon code 42", "CmdRefused[abandon].Code 42", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kAbandon: {What: "1", Code: 42, Tries: 1}}
		}, false, true},
		{"abandon code 0", "CmdRefused[abandon].Code 0", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kAbandon: {What: "1", Tries: 1}}
		}, false, true},
	}
	wantDamaged := func(t *testing.T, format string, field string, err error) {
		t.Helper()
		if !errors.Is(err, ErrStoredState) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v; want ErrStoredState naming %q", format, err, field)
		}
	}
	wantDropped := func(t *testing.T, format string, st *deviceState, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v; want the state loaded, the odd refusal dropped", format, err)
		}
		d := st.Docs[0]
		if d.Refused != "" || d.RefusedCode != 0 || d.RefusedTries != 0 || d.CmdRefused != nil {
			t.Errorf("%s: refusals kept: %q %d %d %v", format, d.Refused, d.RefusedCode, d.RefusedTries, d.CmdRefused)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := choiceDoc(t, "1111", docChoices{Cond: 60}) // Pending: not settled
			c.set(d)
			b, err := encodeState(&deviceState{Docs: []*docState{d}})
			if err != nil {
				t.Fatal(err)
			}
			check := func(format string, raw []byte) {
				t.Helper()
				st, err := decodeState(raw)
				if c.dropped {
					wantDropped(t, format, st, err)
					return
				}
				wantDamaged(t, format, c.field, err)
			}
			check("format 4", b)
			if !c.old {
				return
			}
			b[0] = 3
			check("format 3", b)
			j, err := json.Marshal(&deviceState{Docs: []*docState{d}})
			if err != nil {
				t.Fatal(err)
			}
			check("JSON", j)
		})
	}
	// A settled document's head holds the numbers of its refusal.
	for _, c := range []struct {
		code  syncml.StatusCode
		tries int
		field string
	}{{999, 0, ""}, {0, -3, "RefusedTries -3"}} {
		d := choiceDoc(t, "1111", docChoices{})
		d.RefusedCode, d.RefusedTries = c.code, c.tries
		if !d.settled() {
			t.Fatal("not settled")
		}
		b, err := encodeState(&deviceState{Docs: []*docState{d}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = decodeStored(string(b))
		if c.field == "" { // an odd code: loads
			if err != nil {
				t.Errorf("a settled document of code %d: %v", c.code, err)
			}
			continue
		}
		wantDamaged(t, "a settled document", c.field, err)
	}
	// What a run writes loads: each kind refused, and the version
	// acknowledged and not reported (code 0).
	d := choiceDoc(t, "1111", docChoices{Cond: 60})
	d.Refused, d.RefusedCode, d.RefusedTries = "A0", 0, 2
	d.CmdRefused = &cmdRefusals{kVars: {What: "A0", Code: 503, Tries: 3}, kAbandon: {What: "0", Code: 101, Tries: 1},
		kDelete: {Code: 599, Tries: 1}}
	b, err := encodeState(&deviceState{Docs: []*docState{d}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeState(b); err != nil {
		t.Errorf("refusals a run writes: %v", err)
	}
}
