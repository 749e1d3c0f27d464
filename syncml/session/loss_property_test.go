package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// TestPropertyNoLossNoReorder: any queue of up to 8 commands of the
// kinds of lossMix, under any MaxMsgSize from 520 to 3000: the session
// ends, every server message within the bound, each command one Outcome,
// and the device runs those not refused once each, in queue order.
func TestPropertyNoLossNoReorder(t *testing.T) {
	p := propSeed(t)
	p.MinSuccessfulTests /= 4
	props := gopter.NewProperties(p)
	props.Property("every queued command sent once in order or refused", prop.ForAll(
		func(picks []int, max int) string {
			kinds := ""
			for _, k := range picks {
				kinds += string("gurasAS"[k])
			}
			cmds, leaves := lossMix(kinds)
			s := NewSession(nil)
			if err := s.Queue(cmds...); err != nil {
				return err.Error()
			}
			cv, err := converse(t, s, max, "1")
			if err != nil {
				return kinds + ": " + err.Error()
			}
			for _, b := range cv.server {
				if len(b) > max {
					return kinds + ": a server message over the bound"
				}
			}
			count := map[syncml.Command]int{}
			refused := map[syncml.Command]bool{}
			for _, o := range cv.outcomes {
				count[o.Command]++
				if o.Err != nil {
					if !errors.Is(o.Err, ErrLimit) {
						return kinds + ": refused with " + o.Err.Error()
					}
					refused[o.Command] = true
				}
			}
			var want []string
			for i, c := range cmds {
				if count[c] != 1 {
					return kinds + ": a command without exactly one Outcome"
				}
				if !refused[c] {
					want = append(want, leaves[i]...)
				}
			}
			if strings.Join(cv.received, " ") != strings.Join(want, " ") {
				return kinds + ": device ran " + strings.Join(cv.received, " ")
			}
			return ""
		},
		gen.SliceOfN(8, gen.IntRange(0, 6)).SuchThat(func(v []int) bool { return len(v) > 0 }),
		gen.IntRange(520, 3000),
	))
	props.TestingRun(t)
}
