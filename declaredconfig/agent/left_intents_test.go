package agent

import (
	"maps"
	"slices"
	"testing"
)

// The nodes of the tests of leave and keepLeft.
const (
	nodeN = "./Device/Vendor/MSFT/Policy/Config/N"
	nodeM = "./Device/Vendor/MSFT/Policy/Config/M"
)

// TestLeaveSettlesIntents: an apply whose outcome is not recorded (a
// command changed the record meanwhile) may have set node N, which the
// record held only in its Intents (a crash stopped the apply that
// recorded it, with the value of another version): N is then held as set
// without a condition, as the value the Surface holds may be this apply's.
// M, which it surely did not set, keeps its condition. Kept conditional on
// the other version's value, N was left on the device by Unenroll.
func TestLeaveSettlesIntents(t *testing.T) {
	rec := DocumentRecord{Leftover: []string{nodeN, nodeM},
		Intents: map[string]string{nodeN: hashOf("v1"), nodeM: hashOf("v1")}}
	j := &applyJob{steps: []SettingRecord{{URI: nodeN, Hash: hashOf("v2")}, {URI: nodeM, Hash: hashOf("v2")}},
		maySet: []bool{true, false}}
	leave(&rec, j, nil)
	if !slices.Equal(rec.Leftover, []string{nodeN, nodeM}) {
		t.Errorf("Leftover %v, want [%s %s]", rec.Leftover, nodeN, nodeM)
	}
	if want := map[string]string{nodeM: hashOf("v1")}; !maps.Equal(rec.Intents, want) {
		t.Errorf("Intents %v, want %v", rec.Intents, want)
	}
}

// TestKeepLeftKeepsCondition: an Undo puts back a record in place of one
// whose Leftover holds N only in its Intents (a crash stopped the apply
// that recorded it): the record put back holds N on the same condition,
// so that Unenroll deletes N only when it holds the agent's value. Held
// without it, N was deleted whatever it held: the device's own value.
func TestKeepLeftKeepsCondition(t *testing.T) {
	put := DocumentRecord{Document: "A1"}
	cur := DocumentRecord{Document: "A2", Leftover: []string{nodeN, nodeM}, Intents: map[string]string{nodeN: hashOf("v")}}
	keepLeft(&put, &cur)
	if !slices.Equal(put.Leftover, []string{nodeN, nodeM}) {
		t.Errorf("Leftover %v, want [%s %s]", put.Leftover, nodeN, nodeM)
	}
	if want := map[string]string{nodeN: hashOf("v")}; !maps.Equal(put.Intents, want) {
		t.Errorf("Intents %v, want %v", put.Intents, want)
	}
}
