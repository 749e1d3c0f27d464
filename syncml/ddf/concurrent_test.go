package ddf

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestTreeConcurrentUse: a parsed Tree is only read, so Lookup, Check,
// Walk and Path may run in many goroutines at once (under -race this
// fails on any write to the tree after Parse).
func TestTreeConcurrentUse(t *testing.T) {
	b, err := os.ReadFile("testdata/edge.xml")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	tree.Walk(func(n *Node) bool {
		// a dynamic node's placeholder stands for a name its allowed
		// values may refuse: those look up as NameErrors, read alike
		uris = append(uris, strings.NewReplacer("{", "x", "}", "x").Replace(n.Path()))
		return true
	})
	want := make([]*Node, len(uris))
	for i, u := range uris {
		want[i], _ = tree.Lookup(u)
	}
	found := 0
	for _, n := range want {
		if n != nil {
			found++
		}
	}
	if found < len(uris)/2 {
		t.Fatalf("%d of %d node paths found: the test reads too little", found, len(uris))
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
