package session

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// restScript plays a server against a Client (flat: built as before
// restBuf, see Client.flatRest) for msgs messages chosen by seed: Replaces
// and Gets (their Results of up to 3,000 bytes, cut into chunks), or
// an Alert 1222 alone, its package closed or not, MaxMsgSize between
// 1,200 and 3,000 bytes, and Statuses for what the device sent (213 for
// a chunk, now and then 413 ending its object); the device queues its
// own commands in BeforeReply (large objects and Alerts 1222 among them)
// and gives some
// in EachMessage, which fails now and then (the message handed again).
// It returns what each message made: the reply's bytes, the Outcomes,
// the error, what waits in the rest of the package.
func restScript(tb testing.TB, flat bool, seed uint64, msgs int, cfg ClientConfig) []string {
	r := rand.New(rand.NewPCG(seed, 7))
	ctx := context.Background()
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(context.Context, *Request) Response { return Response{} }))
	mux.Handle("Get", HandlerFunc(func(_ context.Context, q *Request) Response {
		it := q.Command.ItemList()[0]
		n, _ := strconv.Atoi(strings.TrimPrefix(it.Target.LocURI, "./Vendor/G"))
		return Response{Results: []syncml.Item{{Source: it.Target, Data: syncml.Text(strings.Repeat("r", n))}}}
	}))
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "DEV1", "https://mdm.example/ManagementServer/MDM.svc", mux
	cfg.DevInfo = DevInfo{DevID: "DEV1", Lang: "en-US"}
	q := 0
	cfg.BeforeReply = func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
		for range r.IntN(4) {
			q++
			var x syncml.Command = ownAlert("B" + strconv.Itoa(q))
			switch r.IntN(15) {
			case 0, 1, 2:
				x = objReplace("./Vendor/O"+strconv.Itoa(q), strings.Repeat("o", 500+r.IntN(4000)))
			case 3:
				x = NewAlert(syncml.AlertNextMessage) // of the device's own
			}
			_ = c.Queue(x) // a full queue refuses: both Clients alike
		}
	}
	failEach := false
	cfg.EachMessage = func(context.Context) ([]syncml.Command, error) {
		if failEach {
			return nil, errors.New("EachMessage fails")
		}
		var out []syncml.Command
		for range r.IntN(3) {
			q++
			out = append(out, ownAlert("E"+strconv.Itoa(q)))
		}
		return out, nil
	}
	c, err := NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	c.flatRest = flat
	first, err := c.Start(ctx, "1")
	if err != nil {
		tb.Fatal(err)
	}
	var trace []string
	last := first
	for i := range msgs {
		var cmds []syncml.Command
		if last != nil {
			for _, x := range last.Body.Commands {
				if _, ok := x.(*syncml.Status); ok {
					continue
				}
				code := "200"
				if isChunk(x) {
					code = "213"
					if r.IntN(12) == 0 {
						code = "413"
					}
				}
				cmds = append(cmds, &syncml.Status{MsgRef: last.Header.MsgID, CmdRef: x.ID(), Cmd: x.ElementName(), Data: syncml.Text(code)})
			}
		}
		switch r.IntN(4) {
		case 0:
			cmds = append(cmds, NewAlert(syncml.AlertNextMessage))
		case 1:
			cmds = append(cmds, &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/G" + strconv.Itoa(100+r.IntN(3000))}}}})
		default:
			for range 1 + r.IntN(3) {
				cmds = append(cmds, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/R" + strconv.Itoa(i)}, Data: syncml.Text("1")}}})
			}
		}
		m := srvMsg("1", strconv.Itoa(i+1), strconv.Itoa(1200+r.IntN(1800)), r.IntN(3) > 0, cmds...)
		failEach = r.IntN(10) == 0
		x, err := c.Handle(ctx, m)
		if err != nil && failEach {
			trace = append(trace, fmt.Sprintf("%d failed: %v, own %d", i, err, c.ownWaiting()))
			failEach = false
			x, err = c.Handle(ctx, m) // taken again
		}
		if err != nil {
			trace = append(trace, fmt.Sprintf("%d: %v", i, err))
			last = nil
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%d done %v raw %q\n", i, x.Done, x.Raw)
		for _, o := range x.Outcomes {
			code := ""
			if o.Status != nil {
				code = o.Status.Data.Value
			}
			fmt.Fprintf(&b, " %s %s %s %s %v\n", o.MsgID, o.Command.ElementName(), o.Command.ID(), code, o.Err)
		}
		own := c.ownWaiting()
		answers, _ := c.pendingAnswers("")
		var scan restCounts
		scan.add(c.cont, 1)
		if kept := c.rest.countsOf(c.cont); own != scan.own || answers != scan.answers || kept != scan {
			tb.Errorf("seed %d message %d: %d own and %d answers waiting (%+v), counted %+v", seed, i, own, answers, kept, scan)
		}
		fmt.Fprintf(&b, " waiting %d own %d answers %d", len(c.cont), own, answers)
		trace = append(trace, b.String())
		last = x.Reply
		if x.Done {
			break
		}
	}
	return trace
}

// TestRestSameAsBefore: the messages a Client builds with the rest of
// its package kept in place (restBuf: only the new commands walked and
// copied, the counts of the rest kept) are those it built before, every
// candidate in a new list, all walked, the rest counted anew
// (Client.flatRest): the same bytes, Outcomes, errors and rest, over
// random sessions with objects in chunks, refused chunks, Results, Alerts
// 1222, packages closed or not and failed calls taken again.
func TestRestSameAsBefore(t *testing.T) {
	seeds := 120
	if testing.Short() {
		seeds = 40
	}
	for seed := range uint64(seeds) {
		cfg := ClientConfig{MaxQueue: 40 + int(seed%3)*30, MaxPendingAnswers: 30 + int(seed%4)*20}
		want := restScript(t, true, seed, 80, cfg)
		got := restScript(t, false, seed, 80, cfg)
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("seed %d: the messages differ from those built as before (-before +now):\n%s", seed, d)
		}
	}
}

// TestClientRestCostPerMessage: a message of a Client whose package has
// thousands of commands waiting costs about what one with a few hundred
// waiting costs (bytes allocated while it is built, counted by the
// runtime, not timed): the rest of the package is neither copied nor
// walked (see restBuf). Before, the list of candidates, EachMessage's
// prepend, the set of the commands cut before and the chunking each
// copied or walked all that waited: some 240 MB in the 1,024 messages of
// BenchmarkClientOwnWaiting, six times what it makes now.
func TestClientRestCostPerMessage(t *testing.T) {
	if packOracle != nil {
		t.Skip("every packing is compared with the former one, which costs what waits (WINDC_PACKDIFF)")
	}
	// bytes allocated by each of the 40 messages after the device's own
	// commands waiting reached about waiting (hostileOwn's server brings
	// commands: they pile up by about four a message)
	per := func(waiting int) float64 {
		const msgs = 40
		var before, after runtime.MemStats
		from := waiting / 4
		_, took, _, err := hostileOwnEach(t, ClientConfig{MaxQueue: waiting + 4*msgs + 100}, from+msgs, true, func(i int) {
			switch i {
			case from:
				runtime.ReadMemStats(&before)
			case from + msgs - 1:
				runtime.ReadMemStats(&after)
			}
		})
		if err != nil {
			t.Fatalf("after %d messages: %v", took, err)
		}
		return float64(after.TotalAlloc-before.TotalAlloc) / (msgs - 1)
	}
	few, many := per(200), per(4000)
	t.Logf("bytes per message: %.0f with some 200 waiting, %.0f with some 4,000", few, many)
	if many > 2*few {
		t.Errorf("a message costs %.0f bytes with some 4,000 commands waiting, %.0f with 200: want no more than twice", many, few)
	}
}
