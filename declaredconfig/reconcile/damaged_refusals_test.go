package reconcile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A damaged state whose refusals are none a run writes (a code that is
// no refusal's SyncML status code, a refusal counted fewer than once)
// loaded without an error, and held the command back, or sent it, as
// those numbers said. Each is now ErrStoredState naming the field, in
// format 4, in format 3 and JSON (the refusal of the version, the older
// fields), and in the head of a settled document.
func TestStateDamagedRefusals(t *testing.T) {
	cases := []struct {
		name, field string
		set         func(d *docState)
		old         bool // the refusal of the version: format 3 and JSON have it
	}{
		{"version code 999", "RefusedCode 999", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 999, 1 }, true},
		{"version code negative", "RefusedCode -405", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", -405, 1 }, true},
		{"version code 200", "RefusedCode 200", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 200, 1 }, true},
		{"version tries 0", "RefusedTries 0", func(d *docState) { d.Refused, d.RefusedCode, d.RefusedTries = "B0", 405, 0 }, true},
		{"tries negative", "RefusedTries -1", func(d *docState) { d.RefusedTries = -1 }, true},
		{"delete tries 0", "CmdRefused[delete].Tries 0", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kDelete: {What: "A0", Code: 405}}
		}, false},
		{"vars tries negative", "CmdRefused[vars].Tries -2", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kVars: {What: "A0", Code: 503, Tries: -2}}
		}, false},
		{"abandon code 42", "CmdRefused[abandon].Code 42", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kAbandon: {What: "1", Code: 42, Tries: 1}}
		}, false},
		{"abandon code 0", "CmdRefused[abandon].Code 0", func(d *docState) {
			d.CmdRefused = &cmdRefusals{kAbandon: {What: "1", Tries: 1}}
		}, false},
	}
	wantDamaged := func(t *testing.T, format string, field string, err error) {
		t.Helper()
		if !errors.Is(err, ErrStoredState) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v; want ErrStoredState naming %q", format, err, field)
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
			_, err = decodeState(b)
			wantDamaged(t, "format 4", c.field, err)
			if !c.old {
				return
			}
			b[0] = 3
			_, err = decodeState(b)
			wantDamaged(t, "format 3", c.field, err)
			j, err := json.Marshal(&deviceState{Docs: []*docState{d}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeState(j)
			wantDamaged(t, "JSON", c.field, err)
		})
	}
	// A settled document's head holds the numbers of its refusal.
	for _, c := range []struct {
		code  syncml.StatusCode
		tries int
		field string
	}{{999, 0, "RefusedCode 999"}, {0, -3, "RefusedTries -3"}} {
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
