package session

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerStatusesTinyMaxMsgSize runs spreadSession for device
// MaxMsgSize values from below one message header up: each run ends, with
// every Replace answered 200 once or with an error, never a server message
// over the bound, never a Status twice, never a run that goes on.
func TestServerStatusesTinyMaxMsgSize(t *testing.T) {
	for _, n := range []int{1, 3, 20} {
		for max := 200; max <= 1400; max += 37 {
			server, refs, codes, err := spreadSession(t, n, max)
			over := 0
			for _, b := range server {
				if len(b) > max {
					over++
				}
			}
			ok := 0
			for _, c := range codes {
				if c == 200 {
					ok++
				}
			}
			seen := map[[2]int]int{}
			dup := 0
			for _, r := range refs {
				seen[r]++
				if seen[r] > 1 {
					dup++
				}
			}
			line := fmt.Sprintf("n=%d max=%d msgs=%d refs=%d dup=%d ok=%d over=%d err=%v", n, max, len(server), len(refs), dup, ok, over, err)
			if over > 0 || dup > 0 || (err == nil && ok != n) || (err != nil && len(server) > 100) {
				t.Error(line)
			} else {
				t.Log(line)
			}
		}
	}
}

// driveMut runs spreadSession's loop, letting mut rewrite each device
// message (raw, decoded) into the messages actually sent; the server's
// reply to the last goes to the device.
func driveMut(t *testing.T, n, max int, mut func(step int, m *syncml.Message) []*syncml.Message) (msgs int, codes map[string]syncml.StatusCode, over int, err error) {
	ctx := context.Background()
	s := NewSession(&Config{})
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: max})
	if err != nil {
		return 0, nil, 0, err
	}
	for i := range n {
		if err := c.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/Node%03d", i), 2)); err != nil {
			return 0, nil, 0, err
		}
	}
	codes = map[string]syncml.StatusCode{}
	m, err := c.Start(ctx, "1")
	if err != nil {
		return 0, nil, 0, err
	}
	for step := range 200 {
		var x *Exchange
		for _, mm := range mut(step, m) {
			raw, err := syncml.Marshal(mm)
			if err != nil {
				return msgs, codes, over, err
			}
			x, err = s.Handle(ctx, &Inbound{Raw: raw})
			if err != nil {
				return msgs, codes, over, fmt.Errorf("server: %w", err)
			}
			msgs++
			if len(x.Raw) > max {
				over++
			}
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return msgs, codes, over, err
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return msgs, codes, over, fmt.Errorf("device: %w", err)
		}
		for _, o := range cx.Outcomes {
			code, err := o.Code()
			if err != nil {
				return msgs, codes, over, fmt.Errorf("outcome: %w", err)
			}
			for _, u := range syncml.Targets(o.Command) {
				if _, dup := codes[u]; dup {
					return msgs, codes, over, fmt.Errorf("second outcome for %s", u)
				}
				codes[u] = code
			}
		}
		if cx.Done {
			return msgs, codes, over, nil
		}
		m = cx.Reply
	}
	return msgs, codes, over, fmt.Errorf("session does not end")
}

// TestServerStatusesReplayedAndExtraAlert spreads Statuses while the
// device sends each message twice (a replay) or adds an Alert 1222 of its
// own to each: the Replaces are answered once each, 200, within the bound.
func TestServerStatusesReplayedAndExtraAlert(t *testing.T) {
	same := func(step int, m *syncml.Message) []*syncml.Message { return []*syncml.Message{m} }
	replay := func(step int, m *syncml.Message) []*syncml.Message { return []*syncml.Message{m, m} }
	extra1222 := func(step int, m *syncml.Message) []*syncml.Message {
		if step == 0 {
			return []*syncml.Message{m}
		}
		mm := *m
		a := NewAlert(syncml.AlertNextMessage)
		a.CmdID = "77"
		mm.Body.Commands = append(append([]syncml.Command(nil), m.Body.Commands...), a)
		return []*syncml.Message{&mm}
	}
	for _, tc := range []struct {
		name string
		mut  func(int, *syncml.Message) []*syncml.Message
	}{{"same", same}, {"replay", replay}, {"extra1222", extra1222}} {
		for _, n := range []int{0, 1, 20} {
			for _, max := range []int{800, 1500, 5000} {
				msgs, codes, over, err := driveMut(t, n, max, tc.mut)
				ok := 0
				for _, c := range codes {
					if c == 200 {
						ok++
					}
				}
				line := fmt.Sprintf("%s n=%d max=%d msgs=%d ok=%d over=%d err=%v", tc.name, n, max, msgs, ok, over, err)
				if over > 0 || (err == nil && ok != n) || msgs >= 150 {
					t.Error(line)
				} else {
					t.Log(line)
				}
			}
		}
	}
}
