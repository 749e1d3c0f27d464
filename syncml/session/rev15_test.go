package session

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// encodedNoID is the encoding of c with its CmdID cleared (the session
// numbers what it sends), restored after.
func encodedNoID(t *testing.T, c syncml.Command) string {
	t.Helper()
	id := c.ID()
	c.SetID("")
	defer c.SetID(id)
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServerRefusedObjectIsAsQueued: a large object refused whole for
// MaxMsgSize (none of its chunks went out) comes back in its Outcome as
// it was queued, byte for byte but the CmdID, with or without an item
// Meta of its own: the chunks' Size does not stay behind as an empty Meta.
func TestServerRefusedObjectIsAsQueued(t *testing.T) {
	long := "./Vendor/MSFT/" + strings.Repeat("L", 300)
	for _, kind := range []string{"no Meta", "Meta"} {
		mk := func() *syncml.Replace {
			r := replaceOf(long, 2500)
			switch kind {
			case "Meta":
				r.Items[0].Meta = &syncml.Meta{Format: "chr", Type: "text/plain"}
			}
			return r
		}
		want := encodedNoID(t, mk())
		refusals := 0
		for max := 520; max <= 1200; max += 11 {
			s := NewSession(nil)
			if err := s.Queue(get("./DevDetail/SwV"), mk()); err != nil {
				t.Fatal(err)
			}
			cv, err := converse(t, s, max, "1")
			if err != nil {
				continue // not even the Statuses fit: another test's matter
			}
			for _, o := range cv.outcomes {
				if o.Command.ElementName() != "Replace" || !errors.Is(o.Err, ErrLimit) {
					continue
				}
				refusals++
				if got := encodedNoID(t, o.Command); got != want {
					t.Errorf("%s, MaxMsgSize %d: refused Replace differs from the one queued: %s", kind, max, firstDiff(got, want))
				}
			}
		}
		if refusals == 0 {
			t.Errorf("%s: no Replace refused under MaxMsgSize 520..1200: the test tests nothing", kind)
		}
	}
}

// firstDiff shows where got and want first differ.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-20)
	return fmt.Sprintf("at byte %d got %q, want %q", i, got[from:min(len(got), i+40)], want[from:min(len(want), i+40)])
}
