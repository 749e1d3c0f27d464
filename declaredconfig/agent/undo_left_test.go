package agent

import (
	"slices"
	"testing"
)

// TestUndoKeepsNodeOtherLeftNames: an Undo that removes a document the
// worker applied does not delete a node another record holds in its Leftover
// (here an abandoned document's, whose nodes stay on the device), as the
// apply of a new version (relieve) and Unenroll do not.
func TestUndoKeepsNodeOtherLeftNames(t *testing.T) {
	const doc = "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/"
	b := DocumentRecord{URI: doc + "5D2E3A1B-0C4F-4E6A-9B7D-1A2B3C4D5E6F/Document", Document: "B", Seq: 1,
		Abandoned: true, Leftover: []string{"./Device/Vendor/MSFT/Policy/Config/N"}}
	c := DocumentRecord{URI: doc + "27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document", Document: "C", Seq: 2, Pending: true}
	old := &Snapshot{Documents: []DocumentRecord{b}}
	after := &Snapshot{Documents: []DocumentRecord{b, c}}
	applied := c
	applied.Pending = false
	applied.Settings = []SettingRecord{{URI: "./Device/Vendor/MSFT/Policy/Config/N", Status: 200},
		{URI: "./Device/Vendor/MSFT/Policy/Config/M", Status: 200}}
	cur := &Snapshot{Documents: []DocumentRecord{b, applied}}
	_, drop := undone(old, after, cur)
	if want := []leftNode{{uri: "./Device/Vendor/MSFT/Policy/Config/M"}}; !slices.EqualFunc(drop, want, func(x, y leftNode) bool {
		return x.uri == y.uri && slices.Equal(x.want, y.want)
	}) {
		t.Errorf("Undo deletes %v, want %v", drop, want)
	}
}
