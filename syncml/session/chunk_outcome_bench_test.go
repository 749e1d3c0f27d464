package session

import (
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// BenchmarkRejoinAnswered: the Statuses of a message that answers n
// plain Replaces, none of them the end of an object sent in chunks, as
// rejoinAnswered sees them on every Handle. Each Replace may end an
// object (one Item with Data), so each is looked for among the records.
func BenchmarkRejoinAnswered(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
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
