package session

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerRestartSweep: a device that starts a new session after k
// messages of the first (k from 1 to 6), under MaxMsgSizes from 560 to
// 3000, with mixes of fitting, unfit and large-object commands: every
// queued command gets exactly one Outcome over the two sessions (run,
// refused or abandoned), and the commands the device runs in the second
// session are, in queue order, those neither answered nor refused in the
// first.
func TestServerRestartSweep(t *testing.T) {
	ctx := context.Background()
	for _, kinds := range []string{"gggggggggg", "gugrg", "rug", "grgrgA", "uasur", "ruuur"} {
		for max := 560; max <= 3000; max += 61 {
			for k := 1; k <= 6; k++ {
				cmds, leaves := lossMix(kinds)
				s := NewSession(nil)
				if err := s.Queue(cmds...); err != nil {
					t.Fatal(err)
				}
				var outcomes []Outcome
				var received []string
				run := func(sessionID string, limit int) bool {
					mux := NewMux()
					mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
						if sessionID == "2" {
							received = append(received, syncml.Targets(r.Command)...)
						}
						return Response{}
					}))
					c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: max})
					if err != nil {
						t.Fatal(err)
					}
					m, err := c.Start(ctx, sessionID)
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < limit; i++ {
						raw, err := syncml.Marshal(m)
						if err != nil {
							t.Fatal(err)
						}
						x, err := s.Handle(ctx, &Inbound{Raw: raw})
						if err != nil {
							if !errors.Is(err, ErrLimit) {
								t.Errorf("%s MaxMsgSize %d k %d: %v", kinds, max, k, err)
							}
							return false
						}
						outcomes = append(outcomes, x.Outcomes...)
						var back syncml.Message
						if err := syncml.Unmarshal(x.Raw, &back); err != nil {
							t.Fatal(err)
						}
						cx, err := c.Handle(ctx, &back)
						if err != nil {
							t.Fatal(err)
						}
						if cx.Done {
							return true
						}
						m = cx.Reply
					}
					return false
				}
				if run("1", k) {
					continue // the first session ended before the restart
				}
				firstOutcomes := len(outcomes)
				if !run("2", 300) {
					continue
				}
				count := map[syncml.Command]int{}
				before := map[syncml.Command]bool{}
				for i, o := range outcomes {
					count[o.Command]++
					if i < firstOutcomes || o.Err != nil || o.Abandoned {
						before[o.Command] = true
					}
				}
				var want []string
				for i, c := range cmds {
					if count[c] != 1 {
						t.Errorf("%s MaxMsgSize %d k %d: command %d (%c) has %d Outcomes", kinds, max, k, i, kinds[i], count[c])
					}
					if !before[c] {
						want = append(want, leaves[i]...)
					}
				}
				if !slices.Equal(received, want) {
					t.Errorf("%s MaxMsgSize %d k %d: second session ran %v, want %v", kinds, max, k, received, want)
				}
			}
		}
	}
}
