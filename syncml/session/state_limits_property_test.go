package session

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// TestPropertyQueuedRoundTrips: any command Queue accepts round-trips
// through the state, queued and then sent (its reply replayed too), on a
// Session of MaxObjectSize 8 MiB: Add or Replace commands of 1 to 3 Items
// whose data is empty, short, just over syncml.DefaultMaxTokenBytes or
// at MaxObjectSize, of a character the encoder writes as one byte, as an
// entity of 4 or 5 ("<", "&") or as 2 bytes ("é"), or a Replace of 200,000
// Items (over syncml.DefaultMaxTokens and DefaultMaxBytes). Before, a state holding a token
// over 4 MiB, a body over 8 MiB or over 1,048,576 tokens did not load.
func TestPropertyQueuedRoundTrips(t *testing.T) {
	p := propSeed(t)
	p.MinSuccessfulTests = 12
	if testing.Short() {
		p.MinSuccessfulTests = 4
	}
	sizes := []int{0, 7, syncml.DefaultMaxTokenBytes + 1, 8 << 20}
	chars := []string{"a", "<", "&", "é"}
	cfg := &Config{MaxObjectSize: 8 << 20}
	props := gopter.NewProperties(p)
	props.Property("queued, sent and replayed states load again", prop.ForAll(
		func(n int, picks []int, char int, many bool) string {
			var cmd syncml.Command
			var items []syncml.Item
			if many {
				for i := range 200_000 {
					items = append(items, syncml.Item{Target: &syncml.Location{LocURI: "./N/" + string(rune('a'+i%26))}})
				}
				cmd = &syncml.Replace{Items: items}
			} else {
				for _, k := range picks[:n] {
					items = append(items, syncml.Item{Target: &syncml.Location{LocURI: "./Vendor/X"},
						Data: &syncml.Data{Value: strings.Repeat(chars[char], sizes[k]/len(chars[char]))}})
				}
				if n%2 == 0 {
					cmd = &syncml.Add{Items: items}
				} else {
					cmd = &syncml.Replace{Items: items}
				}
			}
			s := NewSession(cfg)
			if err := s.Queue(cmd); err != nil {
				return "Queue: " + err.Error()
			}
			if why := roundTrip(s, "queued"); why != "" {
				return why
			}
			raw := devMsg("1", "1", alert1201)
			if _, err := s.Handle(context.Background(), &Inbound{Raw: raw}); err != nil {
				return "Handle: " + err.Error()
			}
			if s.Pending() != 1 {
				return "not sent"
			}
			if why := roundTrip(s, "sent"); why != "" {
				return why
			}
			b, _ := s.MarshalBinary()
			s2 := NewSession(cfg)
			if err := s2.UnmarshalBinary(b); err != nil {
				return "sent: " + err.Error()
			}
			if x, err := s2.Handle(context.Background(), &Inbound{Raw: raw}); err != nil || !x.Replayed {
				return "replay: " + errString(err)
			}
			return ""
		},
		gen.IntRange(1, 3),
		gen.SliceOfN(3, gen.IntRange(0, len(sizes)-1)),
		gen.IntRange(0, len(chars)-1),
		gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(true)}, {Weight: 5, Gen: gen.Const(false)}}),
	))
	props.TestingRun(t)
}

// roundTrip returns why the state of s does not load again as it was
// ("" when it does), what naming it.
func roundTrip(s *Session, what string) string {
	b, err := s.MarshalBinary()
	if err != nil {
		return what + ": MarshalBinary: " + err.Error()
	}
	s2 := NewSession(s.cfg)
	if err := s2.UnmarshalBinary(b); err != nil {
		return what + ": UnmarshalBinary: " + err.Error()
	}
	b2, err := s2.MarshalBinary()
	if err != nil || !bytes.Equal(b, b2) {
		return what + ": saved again differently: " + errString(err)
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
