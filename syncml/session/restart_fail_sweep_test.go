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

// TestFailedRestartReplySweep plays random device conversations (package
// 1, answers to some of the Gets sent, aborts, restarts by a new
// SessionID alone) to two Sessions that queue Gets in OnStart and ask the
// abandoned ones again in BeforeReply. On one, the reply to each restart
// or abort fails first, once (ServerAuth cannot sign it, after packing or
// before), and the device retries the message; the other never fails. The
// retries are to change nothing: both answer each message with the same
// bytes and the same Outcomes, and keep the same state.
func TestFailedRestartReplySweep(t *testing.T) {
	newSession := func(name *string) *Session {
		s := signFailing(name)
		s.cfg.OnStart = func(_ context.Context, s *Session, _ Identity, first bool) {
			if first {
				_ = s.Queue(get("./First"))
			}
			_ = s.Queue(get("./Fixed"))
		}
		s.cfg.BeforeReply = func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
			_ = s.Queue(AbandonedGets(x.Outcomes)...)
		}
		return s
	}
	outcomes := func(x *Exchange) string {
		var b strings.Builder
		for _, o := range x.Outcomes {
			code, _ := o.Code()
			fmt.Fprintf(&b, "%s/%s %v %v %d %d;", o.MsgID, o.Command.ID(), syncml.Targets(o.Command), o.Abandoned, code, len(o.Results))
		}
		return b.String()
	}
	failed := 0
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		nameA, nameB := "srv", "srv"
		a, b := newSession(&nameA), newSession(&nameB)
		w := twins{a: a, b: b, failA: &nameA}
		sid, mid := 1, 1
		var last *syncml.Message // the last reply
		for step := range 12 {
			var body string
			restarts := false
			switch k := rng.IntN(6); {
			case last == nil || k == 0:
				sid, mid, body, restarts = sid+1, 1, alert1201, true
			case k == 1:
				sid, mid, body, restarts = sid+1, 1, replaceInfo, true
			case k == 2:
				// package 1 again, same session (not a replay: another Replace)
				mid, body, restarts = 1, alert1201+strings.Replace(replaceInfo, ">v<", fmt.Sprintf(">%d<", step), 1), true
			default:
				mid++
				body = fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, last.Header.MsgID)
				id := 2
				for _, c := range last.Body.Commands {
					if g, ok := c.(*syncml.Get); ok && rng.IntN(2) == 0 {
						body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`, id, last.Header.MsgID, g.CmdID)
						id++
					}
				}
				if k == 3 {
					body += fmt.Sprintf(`<Alert><CmdID>%d</CmdID><Data>1223</Data></Alert>`, id)
					restarts = true
				}
			}
			raw := sizedMsg(fmt.Sprint(sid), fmt.Sprint(mid), 5000, body, true)
			what := fmt.Sprintf("seed %d step %d (%s)", seed, step, body)
			var fail *string
			if restarts && rng.IntN(3) > 0 {
				fail = failNow(rng)
				failed++
			}
			xa, xb, err := w.handle(t, raw, what, fail)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if oa, ob := outcomes(xa), outcomes(xb); oa != ob {
				t.Fatalf("%s: the Outcomes differ:\nretried %s\nnever failed %s", what, oa, ob)
			}
			sa, _ := a.MarshalBinary()
			sb, _ := b.MarshalBinary()
			if !bytes.Equal(withoutQueuedIDs(t, sa), withoutQueuedIDs(t, sb)) {
				t.Fatalf("%s: the states differ:\nretried %s\nnever failed %s", what, stateSummary(a), stateSummary(b))
			}
			last = xa.Reply
		}
	}
	if failed == 0 {
		t.Fatal("no reply failed: the sweep tests nothing")
	}
}

// twins are two Sessions alike: a, whose reply fails when *failA names a
// failure of signFailing's ("" or "!"), and b, which never fails.
type twins struct {
	a, b  *Session
	failA *string
}

// handle hands raw to a and b. When fail is not nil, a first handles it
// with *fail as its failure, which must make the reply fail, and the device
// retries. The two errors must agree; a and b must answer alike.
func (w twins) handle(t *testing.T, raw []byte, what string, fail *string) (xa, xb *Exchange, err error) {
	t.Helper()
	ctx := context.Background()
	if fail != nil {
		*w.failA = *fail
		if _, err := w.a.Handle(ctx, &Inbound{Raw: raw}); err == nil {
			t.Fatalf("%s: the reply under %q did not fail", what, *fail)
		}
		*w.failA = "srv"
	}
	xa, errA := w.a.Handle(ctx, &Inbound{Raw: raw})
	xb, errB := w.b.Handle(ctx, &Inbound{Raw: raw})
	if (errA == nil) != (errB == nil) {
		t.Fatalf("%s: retried %v, never failed %v", what, errA, errB)
	}
	if errA != nil {
		return nil, nil, errA
	}
	if !bytes.Equal(xa.Raw, xb.Raw) {
		t.Fatalf("%s: the replies differ:\nretried      %s\nnever failed %s", what, summary(xa.Reply), summary(xb.Reply))
	}
	return xa, xb, nil
}

// failNow returns one of signFailing's failures for twins.handle, at
// random.
func failNow(rng *rand.Rand) *string {
	f := [2]string{"", "!"}[rng.IntN(2)]
	return &f
}
