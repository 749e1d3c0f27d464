package agent

import (
	"maps"
	"slices"
	"testing"
)

// TestUndoHandsSureNodeOn: an Undo removes a document the worker applied,
// which set node N for sure, while another record holds N only in its
// Intents (recorded before a Set not made yet, with another value). N is
// not deleted (the other record holds it), and that record now holds it
// as set without a condition: the agent's value is on the node, so
// Unenroll or its next apply deletes it. Before, the record kept its
// condition (a value the Surface does not hold) and N, the removed
// document's value, stayed on the device after Unenroll.
func TestUndoHandsSureNodeOn(t *testing.T) {
	const (
		doc = "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/"
		n   = "./Device/Vendor/MSFT/Policy/Config/N"
	)
	b := DocumentRecord{URI: doc + "5D2E3A1B-0C4F-4E6A-9B7D-1A2B3C4D5E6F/Document", Document: "B", Seq: 1,
		Pending: true, Leftover: []string{n}, Intents: map[string]string{n: hashOf("b's value")}}
	c := DocumentRecord{URI: doc + "27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document", Document: "C", Seq: 2, Pending: true}
	old := &Snapshot{Documents: []DocumentRecord{b}}
	after := &Snapshot{Documents: []DocumentRecord{b, c}}
	applied := c
	applied.Pending = false
	applied.Settings = []SettingRecord{{URI: n, Status: 200, Hash: hashOf("c's value")}}
	cur := &Snapshot{Documents: []DocumentRecord{b, applied}}
	next, drop := undone(old, after, cur)
	if len(drop) != 0 {
		t.Errorf("Undo deletes %v, want none (the other record holds the node)", drop)
	}
	if len(next.Documents) != 1 {
		t.Fatalf("after the Undo: %d records, want 1", len(next.Documents))
	}
	r := next.Documents[0]
	if len(r.Leftover) != 1 || r.Leftover[0] != n {
		t.Errorf("the record left holds Leftover %v, want [%s]", r.Leftover, n)
	}
	if h, ok := r.Intents[n]; ok {
		t.Errorf("the record left holds %s only on the condition of hash %s, a value the Surface does not hold: Unenroll would leave the removed document's value", n, h)
	}
	if _, ok := cur.Documents[0].Intents[n]; !ok {
		t.Error("undone changed the current snapshot's record")
	}
}

// TestUndoKeepsRemovedCondition: an Undo removes a document C whose
// record holds node N only in its Intents (a crash stopped its apply
// before the outcome was recorded), while a record that stays, B, holds
// N only in its Intents too, for another value. The Undo deletes N when
// it holds C's value (the condition of the record that goes), and leaves
// B's condition as it was; when B's condition is C's very value, nothing
// is deleted (B's condition covers it). Before, C's condition was
// dropped: a node holding C's value stayed on the device after Unenroll
// (B's condition does not match it).
func TestUndoKeepsRemovedCondition(t *testing.T) {
	const (
		doc = "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/"
		n   = "./Device/Vendor/MSFT/Policy/Config/N"
	)
	for _, bValue := range []string{"b's value", "c's value"} {
		b := DocumentRecord{URI: doc + "5D2E3A1B-0C4F-4E6A-9B7D-1A2B3C4D5E6F/Document", Document: "B", Seq: 1,
			Pending: true, Leftover: []string{n}, Intents: map[string]string{n: hashOf(bValue)}}
		c := DocumentRecord{URI: doc + "27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document", Document: "C", Seq: 2, Pending: true}
		old := &Snapshot{Documents: []DocumentRecord{b}}
		after := &Snapshot{Documents: []DocumentRecord{b, c}}
		crashed := c
		crashed.Leftover, crashed.Intents = []string{n}, map[string]string{n: hashOf("c's value")}
		cur := &Snapshot{Documents: []DocumentRecord{b, crashed}}
		next, drop := undone(old, after, cur)
		var want []leftNode
		if bValue != "c's value" {
			want = []leftNode{{uri: n, want: []string{hashOf("c's value")}}}
		}
		if !slices.EqualFunc(drop, want, func(x, y leftNode) bool { return x.uri == y.uri && slices.Equal(x.want, y.want) }) {
			t.Errorf("B's condition %q: the Undo deletes %v, want %v", bValue, drop, want)
		}
		if len(next.Documents) != 1 || !maps.Equal(next.Documents[0].Intents, b.Intents) {
			t.Errorf("B's condition %q: after the Undo the records are %+v, want B as it was", bValue, next.Documents)
		}
	}
}
