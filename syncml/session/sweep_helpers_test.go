package session

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// sweepCommands returns the 2 to 9 commands a failed-reply sweep queues
// for its device, drawn by rng: small and large Gets (the device answers
// "./Big/" ones with big, see sweepDevice), Replaces of big, Sequences of
// a small and a large Get, and with atomics Atomics of two Replaces.
func sweepCommands(rng *rand.Rand, big string, atomics bool) []syncml.Command {
	kinds := 4
	if atomics {
		kinds = 5
	}
	var cmds []syncml.Command
	for i := range 2 + rng.IntN(8) {
		k := rng.IntN(kinds)
		if k == 3 && !atomics {
			k = 4
		}
		switch k {
		case 0:
			cmds = append(cmds, get(fmt.Sprintf("./Small/%d", i)))
		case 1:
			cmds = append(cmds, get(fmt.Sprintf("./Big/%d", i)))
		case 2:
			cmds = append(cmds, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./Obj/%d", i)}, Data: syncml.Text(big)}}})
		case 3:
			cmds = append(cmds, &syncml.Atomic{Commands: []syncml.Command{
				&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./At/%d/a", i)}, Data: syncml.Text("1")}}},
				&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./At/%d/b", i)}, Data: syncml.Text("2")}}},
			}})
		case 4:
			cmds = append(cmds, &syncml.Sequence{Commands: []syncml.Command{get(fmt.Sprintf("./Seq/%d", i)), get(fmt.Sprintf("./Big/s%d", i))}})
		}
	}
	return cmds
}

// copiesOf returns copies of cmds, decoded from their encoding: each side
// of a sweep queues its own (a Session numbers what it sends).
func copiesOf(t *testing.T, cmds []syncml.Command) []syncml.Command {
	t.Helper()
	raw, err := syncml.Marshal(&syncml.Message{Body: syncml.Body{Commands: cmds}})
	if err != nil {
		t.Fatal(err)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Body.Commands
}

// sweepDevice returns the device of a sweep: a Client of DEV1 under cfg
// (DeviceID, ServerURI and Handler set here) that answers a Get with "v",
// or big for a "./Big/" node, and 200 to anything else, with 0 to n-1
// Replaces of its own queued (drawn by rng), 40 bytes each.
func sweepDevice(t *testing.T, cfg ClientConfig, big string, rng *rand.Rand, n int) *Client {
	t.Helper()
	mux := NewMux()
	mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
		if _, ok := r.Command.(*syncml.Get); ok {
			var items []syncml.Item
			for _, it := range r.Command.ItemList() {
				v := "v"
				if strings.HasPrefix(it.Target.LocURI, "./Big/") {
					v = big
				}
				items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text(v)})
			}
			return Response{Results: items}
		}
		return Response{}
	}))
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "DEV1", "https://mdm.example/ManagementServer/MDM.svc", mux
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rng.IntN(n) {
		_ = c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./DevInfo/Ext/%d", i)}, Data: syncml.Text(strings.Repeat("x", 40))}}})
	}
	return c
}
