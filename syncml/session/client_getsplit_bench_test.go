package session

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkClientSplitGets runs a device's side of a whole session in
// which the server sends a Get of twelve nodes, answered item by item, in
// each of its first 20 messages (of 1500 bytes at most, the device's
// too): the answers of each new Get go before the rest of the package, so
// the Statuses of many are cut between device messages and noted (see
// noteSplitGet). It reports the most notes held at once (notes/max).
func BenchmarkClientSplitGets(b *testing.B) {
	const gets, n = 20, 12
	ctx := context.Background()
	b.ReportAllocs()
	most := 0
	for b.Loop() {
		c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: splitGetHandler})
		if err != nil {
			b.Fatal(err)
		}
		m, err := c.Start(ctx, "1")
		if err != nil {
			b.Fatal(err)
		}
		got := map[string]string{}
		sent := 0
		for msg := 1; ; msg++ {
			if msg == 500 {
				b.Fatal("the session does not end")
			}
			s := newObjScript(m)
			s.read(m, got)
			if sent < gets {
				s.id++
				var q strings.Builder
				fmt.Fprintf(&q, `<Get><CmdID>%d</CmdID>`, s.id)
				for i := range n {
					fmt.Fprintf(&q, `<Item><Target><LocURI>./Vendor/MSFT/G%dN%02d/%s</LocURI></Target></Item>`, sent, i, strings.Repeat("n", 40))
				}
				q.WriteString(`</Get>`)
				s.body.WriteString(q.String())
				sent++
			}
			x, err := c.HandleInbound(ctx, s.inbound(msg, "", true))
			if err != nil {
				b.Fatalf("server message %d: %v", msg, err)
			}
			most = max(most, len(c.splitGets))
			if x.Done {
				break
			}
			m = x.Reply
		}
	}
	b.ReportMetric(float64(most), "notes/max")
}
