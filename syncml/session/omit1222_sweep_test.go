package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// converseOmitting is converse with a device that leaves every Alert 1222
// out of its messages (OMA DM allows it when Results go back; a device
// may do it always).
func converseOmitting(s *Session, maxMsg int) (*conversation, error) {
	cv := &conversation{}
	mux := NewMux()
	mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
		cv.received = append(cv.received, syncml.Targets(r.Command)...)
		return Response{}
	}))
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: maxMsg})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		return nil, err
	}
	for range 200 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return nil, err
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return nil, err
		}
		cv.server = append(cv.server, x.Raw)
		cv.outcomes = append(cv.outcomes, x.Outcomes...)
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return nil, err
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return nil, err
		}
		if cx.Done {
			return cv, nil
		}
		m = cx.Reply
		kept := m.Body.Commands[:0:0]
		for _, c := range m.Body.Commands {
			if a, ok := c.(*syncml.Alert); ok {
				if code, _ := a.Code(); code == syncml.AlertNextMessage {
					continue
				}
			}
			kept = append(kept, c)
		}
		m.Body.Commands = kept
	}
	return nil, errors.New("session does not end in 200 messages")
}

// TestServerOmitted1222Sweep: a device that never sends Alert 1222 still
// gets every queued command once, in order, or its refusal, under every
// MaxMsgSize from 520 to 3000 (step 11), every server message within the
// bound, and the session ends.
func TestServerOmitted1222Sweep(t *testing.T) {
	for _, kinds := range []string{"gggggggggg", "gugrg", "rgg", "grgrg", "gasg"} {
		for max := 520; max <= 3000; max += 11 {
			cmds, leaves := lossMix(kinds)
			s := NewSession(nil)
			if err := s.Queue(cmds...); err != nil {
				t.Fatal(err)
			}
			cv, err := converseOmitting(s, max)
			if err != nil {
				t.Errorf("%s MaxMsgSize %d: %v", kinds, max, err)
				continue
			}
			for i, b := range cv.server {
				if len(b) > max {
					t.Errorf("%s MaxMsgSize %d: server message %d of %d bytes", kinds, max, i+1, len(b))
				}
			}
			seen := map[syncml.Command]int{}
			refused := map[syncml.Command]bool{}
			for _, o := range cv.outcomes {
				seen[o.Command]++
				if o.Err != nil {
					refused[o.Command] = true
				}
			}
			var want []string
			for i, c := range cmds {
				if seen[c] != 1 {
					t.Errorf("%s MaxMsgSize %d: command %d has %d Outcomes", kinds, max, i, seen[c])
				}
				if !refused[c] {
					want = append(want, leaves[i]...)
				}
			}
			if got, w := strings.Join(cv.received, " "), strings.Join(want, " "); got != w {
				t.Errorf("%s MaxMsgSize %d: device ran\n%s\nwant\n%s", kinds, max, got, w)
			}
		}
	}
}
