package ddf

import (
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestTreeConcurrentUse: a parsed Tree is only read, so Lookup, Check,
// Walk and Path may run in many goroutines at once (under -race this
// fails on any write to the tree after Parse).
func TestTreeConcurrentUse(t *testing.T) {
	in := sibTree(sibNode("P", "./Vendor/MSFT", sibNode("A", ""), sibNode("B", "", sibNode("C", "")),
		sibNode("", "", sibNode("D", ""), sibNode("E", ""))), sibNode("Q", "./Vendor/MSFT"))
	tree, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	tree.Walk(func(n *Node) bool {
		// "{T}", a dynamic node's placeholder, becomes the name "xTx"
		uris = append(uris, strings.NewReplacer("{", "x", "}", "x").Replace(n.Path()))
		return true
	})
	want := make([]*Node, len(uris))
	for i, u := range uris {
		if want[i], err = tree.Lookup(u); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, u := range uris {
				if got, _ := tree.Lookup(u); got != want[i] {
					t.Errorf("Lookup(%s) gave another node", u)
				}
				_ = tree.Check(&syncml.Replace{CmdID: "1", Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text("1")}}})
				_ = tree.Check(&syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}}}})
			}
			tree.Walk(func(n *Node) bool { _ = n.Path(); return true })
		})
	}
	wg.Wait()
}
