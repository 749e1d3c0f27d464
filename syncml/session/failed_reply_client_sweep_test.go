package session

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestFailedReplyClientSweep plays a real device (a Client) against two
// Sessions, in shapes TestFailedRestartReplySweep does not make: small
// MaxMsgSizes (multi-message packages, Alert 1222, answers held over
// several replies), large objects both ways (the server's Replace in
// chunks, the device's Results in chunks), Atomics and Sequences, the
// device's own commands, and restarts and aborts in the middle of all
// that. On one Session the reply to a message fails first (ServerAuth
// cannot sign it, after packing or before) and the device sends it
// again; the other never fails. The retried replies must be the bytes the
// first try would have sent, and the states alike.
func TestFailedReplyClientSweep(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("0123456789abcdef", 150) // 2400 bytes
	newSession := func(name *string) *Session {
		s := signFailing(name)
		s.cfg.BeforeReply = func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
			_ = s.Queue(AbandonedGets(x.Outcomes)...)
		}
		return s
	}
	failed, steps := 0, 0
	// the shapes the sweep made: device messages with a chunk, replies
	// with a chunk, replies without Final, replies asking for the next
	// message (1222), aborts, restarts, Atomics sent
	shapes := map[string]int{}
	note := func(m *syncml.Message, side string) {
		if !m.Body.Final {
			shapes[side+" no Final"]++
		}
		for _, c := range m.Body.Commands {
			if its := c.ItemList(); len(its) > 0 && its[len(its)-1].MoreData {
				shapes[side+" chunk"]++
			}
			switch c := c.(type) {
			case *syncml.Alert:
				if c.Data != nil {
					shapes[side+" Alert "+c.Data.Value]++
				}
			case *syncml.Atomic:
				shapes[side+" Atomic"]++
			}
		}
	}
	for seed := range uint64(150) {
		rng := rand.New(rand.NewPCG(seed, 11))
		max := []int{700, 900, 1300, 2000, 6000}[rng.IntN(5)]
		nameA, nameB := "srv", "srv"
		a, b := newSession(&nameA), newSession(&nameB)
		w := twins{a: a, b: b, failA: &nameA}
		// the device's messages are bound too: its Results and own
		// commands go over several messages, large ones in chunks
		a.cfg.AnnounceMaxMsgSize, b.cfg.AnnounceMaxMsgSize = max, max
		cmds := sweepCommands(rng, big, true)
		for _, s := range []*Session{a, b} {
			// each its own copies of each command
			var own []syncml.Command
			for _, c := range cmds {
				own = append(own, copiesOf(t, []syncml.Command{c})...)
			}
			if err := s.Queue(own...); err != nil {
				t.Fatal(err)
			}
		}
		c := sweepDevice(t, ClientConfig{MaxMsgSize: max}, big, rng, 12)
		sid := 1
		m, err := c.Start(ctx, fmt.Sprint(sid))
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 40; step++ {
			steps++
			raw, err := syncml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("seed %d (max %d) step %d", seed, max, step)
			var fail *string
			if rng.IntN(2) == 0 {
				fail = failNow(rng)
				failed++
			}
			_, xb, err := w.handle(t, raw, what, fail)
			if err != nil {
				break // both refuse the message alike
			}
			sa, _ := a.MarshalBinary()
			sb, _ := b.MarshalBinary()
			if !bytes.Equal(withoutQueuedIDs(t, sa), withoutQueuedIDs(t, sb)) {
				t.Fatalf("%s: the states differ:\nretried      %s\nnever failed %s", what, stateSummary(a), stateSummary(b))
			}
			note(m, "device")
			note(xb.Reply, "server")
			if len(b.st.Cont) > 0 && isAnswer(b.st.Cont[0]) {
				shapes["server answers held"]++
			}
			if b.st.LO != nil {
				shapes["device object in flight"]++
			}
			cx, err := c.HandleInbound(ctx, &Inbound{Raw: xb.Raw})
			if err != nil {
				t.Fatalf("%s: device: %v", what, err)
			}
			switch k := rng.IntN(10); {
			case k == 0:
				// the device starts over, whatever was in flight
				sid++
				m, err = c.Start(ctx, fmt.Sprint(sid))
				if err != nil {
					t.Fatal(err)
				}
				continue
			case k == 1 && !cx.Done && cx.Reply != nil:
				// the device aborts instead of its next message
				h := cx.Reply.Header
				m = &syncml.Message{XMLNS: cx.Reply.XMLNS, Header: h, Body: syncml.Body{Final: true, Commands: []syncml.Command{
					NewAlert(syncml.AlertSessionAbort)}}}
				number(m.Body.Commands, new(int))
				sid++
				note(m, "device")
				raw, _ := syncml.Marshal(m)
				var fail *string
				if rng.IntN(2) == 0 {
					bang := "!"
					fail = &bang
					failed++
				}
				if _, _, err := w.handle(t, raw, what+" abort", fail); err != nil {
					t.Fatalf("%s abort: %v", what, err)
				}
				m, err = c.Start(ctx, fmt.Sprint(sid))
				if err != nil {
					t.Fatal(err)
				}
				continue
			}
			if cx.Done {
				break
			}
			m = cx.Reply
		}
	}
	t.Logf("%d messages, %d failed first, %v", steps, failed, shapes)
	for _, k := range []string{"device chunk", "server chunk", "device no Final", "server no Final", "server Alert 1222", "server answers held", "device object in flight", "device Alert 1223", "device Alert 1201", "server Atomic"} {
		if shapes[k] == 0 {
			t.Errorf("the sweep made no %q", k)
		}
	}
}
