package session

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerMaxMsgSizeChangesMidSession: a device announcing another
// MaxMsgSize in every message (each from 560 to 3000) gets every server
// message within the size its message announced, and each queued command
// once, in order, or refused with an Outcome; a session that fails does
// so with an error matching ErrLimit (an object in flight cut for a larger
// size), never another.
func TestServerMaxMsgSizeChangesMidSession(t *testing.T) {
	done, failed := 0, 0
	for _, kinds := range []string{"gggggggggggg", "gugrg", "rgg", "grgrgA", "gasgS", "rrgu"} {
		for seed := range 60 {
			sizes := func(i int) int { return 560 + (seed*7919+i*104729)%2441 }
			cmds, leaves := lossMix(kinds)
			s := NewSession(nil)
			if err := s.Queue(cmds...); err != nil {
				t.Fatal(err)
			}
			var received []string
			var outcomes []Outcome
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
				received = append(received, syncml.Targets(r.Command)...)
				return Response{}
			}))
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: 560})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			ended := false
			for i := 0; i < 300 && !ended; i++ {
				max := sizes(i)
				m.Header.Meta = &syncml.Meta{MaxMsgSize: strconv.Itoa(max)}
				raw, err := syncml.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				x, err := s.Handle(ctx, &Inbound{Raw: raw})
				if err != nil {
					if !errors.Is(err, ErrLimit) {
						t.Errorf("%s seed %d message %d: %v", kinds, seed, i+1, err)
					}
					failed++
					t.Logf("%s seed %d message %d (MaxMsgSize %d): %v", kinds, seed, i+1, max, err)
					break
				}
				if len(x.Raw) > max {
					t.Errorf("%s seed %d: server message %d of %d bytes over %d", kinds, seed, i+1, len(x.Raw), max)
				}
				outcomes = append(outcomes, x.Outcomes...)
				var back syncml.Message
				if err := syncml.Unmarshal(x.Raw, &back); err != nil {
					t.Fatal(err)
				}
				cx, err := c.Handle(ctx, &back)
				if err != nil {
					t.Fatalf("%s seed %d: device: %v", kinds, seed, err)
				}
				ended = cx.Done
				m = cx.Reply
			}
			if !ended {
				continue
			}
			done++
			refused := map[syncml.Command]bool{}
			count := map[syncml.Command]int{}
			for _, o := range outcomes {
				count[o.Command]++
				if o.Err != nil {
					refused[o.Command] = true
				}
			}
			var want []string
			for i, c := range cmds {
				if count[c] != 1 {
					t.Errorf("%s seed %d: command %d has %d Outcomes", kinds, seed, i, count[c])
				}
				if !refused[c] {
					want = append(want, leaves[i]...)
				}
			}
			if got, w := strings.Join(received, " "), strings.Join(want, " "); got != w {
				t.Errorf("%s seed %d: device ran\n%s\nwant\n%s", kinds, seed, got, w)
			}
		}
	}
	t.Logf("%d sessions ended, %d failed with ErrLimit", done, failed)
}
