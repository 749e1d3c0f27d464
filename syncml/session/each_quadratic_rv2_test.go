package session

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// BenchmarkRv2EachMessageStart: Start of a Client whose EachMessage gives n
// small Replaces, all carried by package 1, at the default ServerMaxMsgSize
// and MaxQueue. noteEachLeft's slices.Contains(sent, x) for each of them
// makes the build quadratic in n.
func BenchmarkRv2EachMessageStart(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cmds := make([]syncml.Command, n)
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/x", Handler: Accept,
				EachMessage: func(context.Context) ([]syncml.Command, error) {
					for i := range cmds {
						cmds[i] = &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./E/%d", i)}, Data: syncml.Text("v")}}}
					}
					return cmds, nil
				}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := c.Start(context.Background(), fmt.Sprint(i+1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
