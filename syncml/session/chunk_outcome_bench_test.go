package session

import (
	"slices"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// BenchmarkRejoinAnswered: the Statuses of a message that answers n
// plain Replaces, none of them the end of an object sent in chunks, as
// rejoinAnswered sees them on every Handle, in the commands' order and
// reversed (a peer orders its Statuses as it likes). Each Replace may end
// an object (one Item with Data), so each is looked for among the records.
func BenchmarkRejoinAnswered(b *testing.B) {
	for _, tc := range []struct {
		n        int
		reversed bool
	}{{100, false}, {1000, false}, {5000, false}, {5000, true}} {
		name := strconv.Itoa(tc.n)
		if tc.reversed {
			name += "-reversed"
		}
		n := tc.n
		b.Run(name, func(b *testing.B) {
			var c correlator
			cmds := make([]syncml.Command, n)
			outs := make([]Outcome, n)
			st := &syncml.Status{}
			for i := range cmds {
				cmds[i] = &syncml.Replace{CmdID: strconv.Itoa(i + 1), Items: []syncml.Item{{
					Target: &syncml.Location{LocURI: "./A/" + strconv.Itoa(i)}, Data: &syncml.Data{Value: "x"}}}}
				outs[i] = Outcome{Command: cmds[i], Status: st}
			}
			c.addAll("1", cmds, nil)
			if tc.reversed {
				slices.Reverse(outs)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if u := c.rejoinAnswered(outs, true); u != nil {
					b.Fatal("a plain Replace rejoined")
				}
			}
		})
	}
}
