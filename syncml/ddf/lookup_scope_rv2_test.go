package ddf

import "testing"

// TestLookupDeviceScopeOfTreeFromDotRV2: Parse reads a top-level node
// directly under "." whose name is no scope segment as the device's
// (paths.go:76, uniquePaths interns it under Device: a top-level Vendor
// under "." clashes with one under ./Device, TestSamePathAcrossLevels),
// and the package doc says an unscoped path and the device's are one
// node. Lookup does not: find skips the unscoped reading of a
// device-scope URI for every root directly under "." (lookup.go:182,
// base.len() == 0), so a DDF written from "." (Vendor, MSFT, X as
// nested Nodes, which Parse holds to be ./Device/Vendor/MSFT/X) does not
// find X for ./Device/Vendor/MSFT/X while it finds it for
// ./Vendor/MSFT/X. A fix must make the two agree: Lookup reads such a
// root's tree from ./Device too (keeping ./DevDetail-style roots out if
// that is the rule, and then Parse must not intern those under Device).
func TestLookupDeviceScopeOfTreeFromDotRV2(t *testing.T) {
	tree, err := Parse([]byte(sibTree(sibNode("Vendor", ".", sibNode("MSFT", "", sibNode("X", ""))))))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tree.Lookup("./Vendor/MSFT/X"); err != nil || n.Name != "X" {
		t.Fatalf("Lookup(./Vendor/MSFT/X) = %v, %v; want X", n, err)
	}
	if n, err := tree.Lookup("./Device/Vendor/MSFT/X"); err != nil || n == nil || n.Name != "X" {
		t.Errorf("Lookup(./Device/Vendor/MSFT/X) = %v, %v; want X, the node Parse holds at that path", n, err)
	}
	// and Parse does hold it there: a second X declared at the device's
	// path is refused as the same path
	if _, err := Parse([]byte(sibTree(sibNode("Vendor", ".", sibNode("MSFT", "", sibNode("X", ""))),
		sibNode("X", "./Device/Vendor/MSFT")))); err == nil {
		t.Errorf("Parse accepted X under Vendor at \".\" and X at ./Device/Vendor/MSFT; this test's premise is gone")
	}
}
