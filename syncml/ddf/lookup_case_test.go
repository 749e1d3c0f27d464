package ddf

import (
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestLookupCaseSense: Lookup matches a named node's name in any letter
// case where CaseSense CIS applies to it (its own, else its nearest
// ancestor's; an explicit CS stops it), exactly elsewhere, an exact
// sibling first; the node it returns is the DDF's, named as written.
func TestLookupCaseSense(t *testing.T) {
	tree, err := Parse([]byte(sibTree(
		// DMClient-like: a CIS provider subtree under a CS root
		caseNode("DMClient", "./Vendor/MSFT", "",
			caseNode("Provider", "", "CIS",
				caseNode("", "", "",
					sibNode("EntDeviceName", ""),
					caseNode("Strict", "", "CS", sibNode("Leaf", "")),
					caseNode("Poll", "", "", sibNode("Interval", "")))),
			caseNode("Unmanaged", "", "", sibNode("Own", "")),
			caseNode("OwnCIS", "", "CIS"),
		),
		// a top-level node whose Path leads to a CIS node: its name folds
		caseNode("Extra", "./Vendor/MSFT/DMClient/Provider", ""),
		// a top-level CIS node directly under its Path
		caseNode("Cis", "./Vendor/MSFT", "CIS", sibNode("Kid", "")),
		// non-ASCII: ordinal ignore-case, as Windows folds
		caseNode("Greek", "./Vendor/MSFT", "CIS", sibNode("σκ", ""), sibNode("ſ", "")),
	)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		uri, want string // want "" for ErrNoSuchNode
	}{
		{"./Vendor/MSFT/DMClient/Provider", "./Vendor/MSFT/DMClient/Provider"},
		{"./Vendor/MSFT/DMClient/provider", "./Vendor/MSFT/DMClient/Provider"},
		{"./Vendor/MSFT/DMClient/PROVIDER/MS%20DM%20SERVER/entdevicename", "./Vendor/MSFT/DMClient/Provider/{T}/EntDeviceName"},
		{"./Vendor/MSFT/DMClient/pRoViDeR/x/POLL/interval", "./Vendor/MSFT/DMClient/Provider/{T}/Poll/Interval"},
		{"./Vendor/MSFT/DMClient/provider/x/Strict/Leaf", "./Vendor/MSFT/DMClient/Provider/{T}/Strict/Leaf"},
		{"./Vendor/MSFT/DMClient/provider/x/strict/Leaf", ""}, // explicit CS
		{"./Vendor/MSFT/DMClient/provider/x/Strict/leaf", ""}, // inherits CS
		{"./Vendor/MSFT/dmclient/Provider", ""},               // root reads no CIS
		{"./Vendor/MSFT/DMClient/unmanaged", ""},
		{"./Vendor/MSFT/DMClient/Unmanaged/own", ""},
		{"./Vendor/MSFT/DMClient/owncis", "./Vendor/MSFT/DMClient/OwnCIS"},
		{"./Vendor/MSFT/DMClient/Provider/extra", "./Vendor/MSFT/DMClient/Provider/Extra"},
		// the Path of a top-level node, read in any case where CIS applies
		{"./Vendor/MSFT/DMClient/PROVIDER/Extra", "./Vendor/MSFT/DMClient/Provider/Extra"},
		{"./Vendor/msft/DMClient/Provider/Extra", ""},
		{"./Vendor/MSFT/cis/KID", "./Vendor/MSFT/Cis/Kid"},
		{"./Vendor/MSFT/Greek/ΣΚ", "./Vendor/MSFT/Greek/σκ"},
		{"./Vendor/MSFT/Greek/ςκ", "./Vendor/MSFT/Greek/σκ"},
		{"./Vendor/MSFT/Greek/σ\u212A", ""}, // the Kelvin sign is not k
		{"./Vendor/MSFT/Greek/s", ""},       // nor ſ s
		{"./Vendor/MSFT/Greek/S", ""},
	} {
		n, err := tree.Lookup(c.uri)
		switch {
		case c.want == "" && !errors.Is(err, ErrNoSuchNode):
			t.Errorf("Lookup(%q) = %v, %v; want ErrNoSuchNode", c.uri, n, err)
		case c.want != "" && err != nil:
			t.Errorf("Lookup(%q): %v; want %s", c.uri, err, c.want)
		case c.want != "" && n.Path() != c.want:
			t.Errorf("Lookup(%q) = %s, want %s", c.uri, n.Path(), c.want)
		}
	}
	// folding allocates nothing: a folded Lookup costs what an exact one does
	exact := testing.AllocsPerRun(100, func() { tree.Lookup("./Vendor/MSFT/DMClient/Provider/x/Poll/Interval") })
	folded := testing.AllocsPerRun(100, func() { tree.Lookup("./Vendor/MSFT/DMClient/PROVIDER/x/POLL/interval") })
	if folded != exact {
		t.Errorf("a folded Lookup allocates %v times, an exact one %v", folded, exact)
	}
}

// TestLookupCaseSenseDMClient: the CIS nodes of Microsoft's DMClient DDF
// are found in any letter case, their CS (default) siblings only as
// written.
func TestLookupCaseSenseDMClient(t *testing.T) {
	tree := mustParseSpec(t, "DMClient.xml")
	const base = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/FirstSyncStatus/"
	n, err := tree.Lookup(base + "allowcollectlogsbutton")
	if err != nil || n.Name != "AllowCollectLogsButton" {
		t.Errorf("Lookup of a CIS leaf in lower case = %v, %v", n, err)
	}
	if _, err := tree.Lookup(base + "expectedpolicies"); !errors.Is(err, ErrNoSuchNode) {
		t.Errorf("Lookup of a CS leaf in lower case: err = %v, want ErrNoSuchNode", err)
	}
	if _, err := tree.Lookup("./Device/Vendor/MSFT/DMClient/provider"); !errors.Is(err, ErrNoSuchNode) {
		t.Errorf("Lookup of Provider in lower case: err = %v, want ErrNoSuchNode (DMClient.xml says no CIS there)", err)
	}
	// Check finds the node Lookup does, and checks the value against it
	if err := tree.Check(&syncml.Replace{Items: []syncml.Item{fmtItem(base+"ALLOWCOLLECTLOGSBUTTON", "bool", syncml.Text("true"))}}); err != nil {
		t.Errorf("Check of a CIS leaf in upper case: %v", err)
	}
	err = tree.Check(&syncml.Replace{Items: []syncml.Item{fmtItem(base+"ALLOWCOLLECTLOGSBUTTON", "bool", syncml.Text("maybe"))}})
	if !errors.Is(err, ErrValue) || errors.Is(err, ErrNoSuchNode) {
		t.Errorf("Check of a bad value at a CIS leaf in upper case: err = %v, want ErrValue only", err)
	}
}

// TestLookupExactFirst: where a name as written and a name in another
// letter case could both match a segment (Parse leaves no such siblings;
// a Node built by hand may), the exact one wins, wherever it stands.
func TestLookupExactFirst(t *testing.T) {
	tree, err := Parse([]byte(sibTree(caseNode("P", "./Vendor", "CIS", sibNode("Twin", "")))))
	if err != nil {
		t.Fatal(err)
	}
	p := tree.Roots[0]
	twin := *p.Children[0]
	twin.Name = "twin"
	p.Children = append([]*Node{&twin}, p.Children...)
	for _, uri := range []string{"./Vendor/P/Twin", "./Vendor/p/Twin"} {
		if n, err := tree.Lookup(uri); err != nil || n != p.Children[1] {
			t.Errorf("Lookup(%q) = %v, %v; want the exact Twin", uri, n, err)
		}
	}
	if n, err := tree.Lookup("./Vendor/P/TWIN"); err != nil || n != p.Children[0] {
		t.Errorf("Lookup(TWIN) = %v, %v; want the first that folds to it", n, err)
	}
}
