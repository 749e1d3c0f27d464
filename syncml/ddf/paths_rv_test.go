package ddf

import (
	"errors"
	"testing"
)

// TestUnscopedAndDeviceRootsClash (review): Lookup reads an unscoped URI
// in the device scope too, so a top-level node X under ./Device/Vendor/MSFT
// and another X under ./Vendor/MSFT are both named by ./Vendor/MSFT/X, and
// with the Device one first in the document the other is reached by no URI
// at all (./Device/... reaches only the first): two Nodes at one path,
// which the rule of 17335fc means to refuse. uniquePaths interns the two
// Paths apart ("Device" then "Vendor" against "Vendor"), and accepts it.
func TestUnscopedAndDeviceRootsClash(t *testing.T) {
	in := sibTree(sibNode("X", "./Device/Vendor/MSFT"), sibNode("X", "./Vendor/MSFT"))
	tree, err := Parse([]byte(in))
	if err != nil {
		if !errors.Is(err, ErrStructure) {
			t.Fatalf("refused, but not with ErrStructure: %v", err)
		}
		return // refused, as two Nodes at one path are
	}
	second := tree.Roots[1]
	for _, uri := range []string{"./Vendor/MSFT/X", "./Device/Vendor/MSFT/X", "Vendor/MSFT/X"} {
		if n, err := tree.Lookup(uri); err == nil && n == second {
			return // reachable: the two are not at one path after all
		}
	}
	t.Errorf("Parse accepted two top-level X, under ./Device/Vendor/MSFT and ./Vendor/MSFT; Lookup reaches only the first (the second, line %d, by no URI)", second.Line)
}
