package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// exchangeGets runs a session in which the server's Session queues a
// command on ./G<i> per element of answers, and both sides announce max
// as their MaxMsgSize. Command i is a Get when replace[i] is false (or
// missing): the device answers it with a Results of one item per
// answers[i]; it is a Replace of the values of answers[i] joined
// otherwise. The device sends dev short Replaces of its own after its
// package 1, each of which must come back answered 200 once: their
// Statuses may need more room than the device's MaxMsgSize, which the
// server then spreads over several messages. It returns, per command, the item values the Get's Outcomes
// carry, in order, or the Data the device received for the Replace, and
// every message of the session, encoded.
func exchangeGets(t testing.TB, answers [][]string, replace []bool, dev, max int) (got [][]string, msgs [][]byte, err error) {
	isReplace := func(i int) bool { return i < len(replace) && replace[i] }
	got = make([][]string, len(answers))
	var order []int // the commands in the order the device ran them
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		items := r.Command.ItemList()
		var i int
		if len(items) != 1 || items[0].Target == nil {
			return Response{Code: syncml.StatusBadRequest} // an alert the server should not have sent: the Get fails
		}
		it := items[0]
		if _, err := fmt.Sscanf(it.Target.LocURI, "./G%d", &i); err != nil || i >= len(answers) {
			return Response{Code: syncml.StatusNotFound}
		}
		order = append(order, i)
		if r.Command.ElementName() == "Replace" {
			v := ""
			if it.Data != nil {
				v = it.Data.Value
			}
			got[i] = append(got[i], v)
			return Response{}
		}
		results := make([]syncml.Item, len(answers[i]))
		for k, v := range answers[i] {
			results[k] = syncml.Item{Source: &syncml.Location{LocURI: fmt.Sprintf("%s/%d", it.Target.LocURI, k)}, Data: syncml.Text(v)}
		}
		return Response{Results: results}
	})
	s := NewSession(&Config{AnnounceMaxMsgSize: max})
	for i := range answers {
		var c syncml.Command = get(fmt.Sprintf("./G%d", i))
		if isReplace(i) {
			c = &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./G%d", i)},
				Data: syncml.Text(strings.Join(answers[i], ""))}}}
		}
		if err := s.Queue(c); err != nil {
			return nil, nil, err
		}
	}
	defer func() {
		for k, i := range order {
			if k != i && err == nil {
				err = fmt.Errorf("the device ran the commands in the order %v", order)
			}
		}
	}()
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: h, MaxMsgSize: max})
	if err != nil {
		return nil, nil, err
	}
	devCodes := make([][]syncml.StatusCode, dev)
	defer func() {
		for j, codes := range devCodes {
			if err == nil && (len(codes) != 1 || codes[0] != syncml.StatusOK) {
				err = fmt.Errorf("the device's Replace %d of %d was answered %v", j, dev, codes)
			}
		}
	}()
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		return nil, nil, err
	}
	// in the device's next message, built under the server's MaxMsgSize
	for j := range dev {
		if err := c.Queue(replaceOf(fmt.Sprintf("./Vendor/D%d", j), 1)); err != nil {
			return nil, nil, err
		}
	}
	for range 2000 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, raw)
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return nil, msgs, err
		}
		msgs = append(msgs, x.Raw)
		if len(x.Unmatched) > 0 {
			return nil, msgs, fmt.Errorf("server message %s: unmatched %v", x.Reply.Header.MsgID, x.Unmatched)
		}
		for _, o := range x.Outcomes {
			if o.Command.ElementName() == "Replace" {
				if code, err := o.Code(); err != nil || code != syncml.StatusOK {
					return nil, msgs, fmt.Errorf("Replace %v: %v %v", syncml.Targets(o.Command), code, err)
				}
				continue
			}
			var i int
			if _, err := fmt.Sscanf(o.Command.ItemList()[0].Target.LocURI, "./G%d", &i); err != nil {
				return nil, msgs, fmt.Errorf("outcome for %v", o.Command)
			}
			if o.Abandoned {
				return nil, msgs, fmt.Errorf("Get %d abandoned", i)
			}
			for _, r := range o.Results {
				for _, it := range r.Items {
					v := ""
					if it.Data != nil {
						v = it.Data.Value
					}
					got[i] = append(got[i], v)
				}
			}
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return nil, msgs, err
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return nil, msgs, err
		}
		if len(cx.Unmatched) > 0 {
			return nil, msgs, fmt.Errorf("device message: unmatched %s", summary(&syncml.Message{Body: syncml.Body{Commands: cx.Unmatched}}))
		}
		for _, o := range cx.Outcomes {
			var j int
			if o.Command.ElementName() != "Replace" {
				continue // package 1's alert, a chunk's Results…
			}
			if _, err := fmt.Sscanf(syncml.Targets(o.Command)[0], "./Vendor/D%d", &j); err != nil || j >= dev {
				return nil, msgs, fmt.Errorf("device outcome for %v", syncml.Targets(o.Command))
			}
			code, _ := o.Code()
			devCodes[j] = append(devCodes[j], code)
		}
		if cx.Done {
			return got, msgs, nil
		}
		m = cx.Reply
	}
	return got, msgs, fmt.Errorf("session does not end")
}

// Any list of commands (Gets answered with multi-item Results, Replaces),
// items of any size, packed under any MaxMsgSize that can hold the
// largest single item (in chunks when need be), arrives whole and in
// order, and no message of either side exceeds MaxMsgSize; the device's
// own commands, however many, are each answered once (the server's
// Statuses spread over messages when they do not fit in one).
func TestPropertyPackingBound(t *testing.T) {
	p := propSeed(t)
	p.MinSuccessfulTests /= 10 // each run is a whole session
	props := gopter.NewProperties(p)
	props.Property("every item whole, in order, no message over the bound", prop.ForAll(
		func(answers [][]string, replace []bool, dev, max int) string {
			got, msgs, err := exchangeGets(t, answers, replace, dev, max)
			if err != nil {
				return fmt.Sprintf("%v (after %d messages; item sizes %v)", err, len(msgs), sizesOf(answers))
			}
			for i := range answers {
				want := answers[i]
				if i < len(replace) && replace[i] {
					want = []string{strings.Join(answers[i], "")}
				}
				if len(got[i]) != len(want) || !cmp.Equal(got[i], want, cmpopts.EquateEmpty()) {
					return fmt.Sprintf("Get %d of %d: %d items, want %d (item sizes %v)", i, len(answers), len(got[i]), len(answers[i]), sizesOf(answers))
				}
			}
			for i, b := range msgs {
				if len(b) > max {
					return fmt.Sprintf("message %d of %d: %d > %d bytes", i+1, len(msgs), len(b), max)
				}
			}
			return ""
		},
		gen.SliceOfN(8, gen.SliceOfN(5, gen.IntRange(0, 1800).Map(func(n int) string {
			return strings.Repeat("v<&é", n/5) // 5 bytes each, 2 escaped
		}))).SuchThat(func(v [][]string) bool { return len(v) > 0 }),
		gen.SliceOfN(8, gen.Bool()),
		gen.IntRange(0, 60),
		gen.IntRange(1000, 4000),
	))
	props.TestingRun(t)
}

// A message that cannot be kept within MaxMsgSize is not sent over it:
// the caller gets an error naming the limit.
func TestPackOverBoundIsError(t *testing.T) {
	reply := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "2",
		Target: syncml.Location{LocURI: "D"}, Source: syncml.Location{LocURI: "S"}}}
	big := &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./" + strings.Repeat("x", 2000)}}}}
	_, _, _, err := pack(nil, reply, []syncml.Command{big}, 1000, true, true, nil)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxMsgSize" || le.Max != 1000 {
		t.Fatalf("pack of a 2 KB Get under 1000 bytes: %v, want a MaxMsgSize LimitError", err)
	}
}

// sizesOf returns the lengths of the values, for failure messages.
func sizesOf(answers [][]string) [][]int {
	out := make([][]int, len(answers))
	for i, a := range answers {
		for _, v := range a {
			out[i] = append(out[i], len(v))
		}
	}
	return out
}

// A device whose Statuses alone do not fit in one message under the
// server's MaxMsgSize sends them over several messages of its package,
// each within the bound, and the server gets every one.
func TestPackingStatusesOverMessages(t *testing.T) {
	const max = 1100
	s := NewSession(&Config{AnnounceMaxMsgSize: max})
	for i := range 30 {
		if err := s.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/N%d", i), 3)); err != nil {
			t.Fatal(err)
		}
	}
	cv, err := converse(t, s, 8000, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.outcomes) != 30 {
		t.Fatalf("%d outcomes, want 30", len(cv.outcomes))
	}
	for _, o := range cv.outcomes {
		if code, err := o.Code(); err != nil || code != syncml.StatusOK {
			t.Errorf("%v: %v %v", syncml.Targets(o.Command), code, err)
		}
	}
	if len(cv.device) < 3 {
		t.Errorf("%d device messages: the Statuses were not spread", len(cv.device))
	}
	for i, b := range cv.device {
		if len(b) > max {
			t.Errorf("device message %d: %d > %d bytes", i+1, len(b), max)
		}
	}
}

// A device's command that cannot be cut and does not fit in the server's
// MaxMsgSize is not sent over it: Handle reports the limit.
func TestClientOverBoundIsError(t *testing.T) {
	ctx := context.Background()
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/"+strings.Repeat("x", 2000), "v")); err != nil {
		t.Fatal(err)
	}
	var m syncml.Message
	raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source><Meta><MaxMsgSize xmlns="syncml:metinf">1000</MaxMsgSize></Meta></SyncHdr>` +
		`<SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status><Final/></SyncBody></SyncML>`
	if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	_, err = c.Handle(ctx, &m)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxMsgSize" || le.Max != 1000 || !errors.Is(err, ErrLimit) {
		t.Fatalf("a 2 KB alert under 1000 bytes: %v, want a MaxMsgSize LimitError", err)
	}
}
