package session

import (
	"context"
	"fmt"
	"github.com/google/go-cmp/cmp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// deliver sends cmd from a Session to a Client announcing maxMsg and
// maxObj, and returns the Data the device's handler saw per LocURI, the
// server's messages and the Outcomes.
func deliver(t testing.TB, cmd syncml.Command, maxMsg, maxObj int) (seen map[string]string, msgs [][]byte, outs []Outcome, err error) {
	return deliverTo(t, cmd, maxMsg, maxObj, 0)
}

// deliverTo is deliver to a device whose MaxObjectSize (not announced) is
// devObj (0: the default).
func deliverTo(t testing.TB, cmd syncml.Command, maxMsg, maxObj, devObj int) (seen map[string]string, msgs [][]byte, outs []Outcome, err error) {
	seen = map[string]string{}
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		for _, it := range r.Command.ItemList() {
			if it.Data != nil {
				seen[itemURI(it)] += it.Data.Value
			}
		}
		return Response{}
	})
	s := NewSession(nil)
	if err := s.Queue(cmd); err != nil {
		return nil, nil, nil, err
	}
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: h, MaxMsgSize: maxMsg, MaxObjSize: maxObj, MaxObjectSize: devObj})
	if err != nil {
		return nil, nil, nil, err
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		return nil, nil, nil, err
	}
	for range 500 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return nil, nil, nil, err
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return nil, nil, nil, err
		}
		msgs = append(msgs, x.Raw)
		if err := x.Reply.Validate(); err != nil {
			return nil, nil, nil, fmt.Errorf("server message %s: %w", x.Reply.Header.MsgID, err)
		}
		outs = append(outs, x.Outcomes...)
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return nil, nil, nil, err
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return nil, nil, nil, err
		}
		if cx.Done {
			return seen, msgs, outs, nil
		}
		if err := cx.Reply.Validate(); err != nil {
			return nil, nil, nil, fmt.Errorf("device message %s: %w", cx.Reply.Header.MsgID, err)
		}
		m = cx.Reply
	}
	return nil, nil, nil, fmt.Errorf("session does not end")
}

func TestLargeObjectSend(t *testing.T) {
	value := strings.Repeat("<a href=\"x\">&amp; é ]]> </a>\n", 200)
	cmd := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Big"}, Meta: &syncml.Meta{Format: "chr"}, Data: syncml.Text(value)}}}
	seen, msgs, outs, err := deliver(t, cmd, 1500, 0)
	if err != nil {
		t.Fatal(err)
	}
	if seen["./Vendor/MSFT/Big"] != value {
		t.Errorf("joined object differs: %d bytes, want %d", len(seen["./Vendor/MSFT/Big"]), len(value))
	}
	if len(msgs) < 5 {
		t.Errorf("%d messages: not chunked", len(msgs))
	}
	for i, b := range msgs {
		if len(b) > 1500 {
			t.Errorf("message %d: %d bytes", i+1, len(b))
		}
	}
	if len(outs) != 1 || outs[0].Command != cmd {
		t.Fatalf("outcomes %+v", outs)
	}
	if code, err := outs[0].Code(); err != nil || code != 200 {
		t.Errorf("outcome %d %v", code, err)
	}

	// Over the device's MaxObjSize: never sent, the caller gets an error.
	seen, _, outs, err = deliver(t, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(strings.Repeat("a", 200))}}}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 0 || len(outs) != 1 || outs[0].Err == nil {
		t.Errorf("seen %v outcomes %+v", seen, outs)
	}
	if _, err := outs[0].Code(); err == nil {
		t.Error("Code of an unsent command has no error")
	}
}

// Chunk-then-join under any MaxMsgSize is the identity, up to the device's
// MaxObjectSize: an object over it is refused (413) on its first chunk,
// no other chunk of it is sent and the device's handler gets nothing of
// it (before, the server sent the rest, and the handler got its tail).
func TestPropertyChunkJoin(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	props.Property("chunked object joins to itself", prop.ForAll(
		func(value string, max int, xml bool, devObj int) string {
			if value == "" {
				return ""
			}
			d := syncml.Text(value)
			if xml {
				d = syncml.CDATA(value)
			}
			cmd := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N"}, Data: d}}}
			seen, msgs, outs, err := deliverTo(t, cmd, max, 0, devObj)
			if err != nil {
				return err.Error()
			}
			var first syncml.Message
			if err := syncml.Unmarshal(msgs[0], &first); err != nil {
				return err.Error()
			}
			chunked := slices.ContainsFunc(first.Body.Commands, isChunk)
			if chunked && len(value) > devObj { // over the device's bound
				code, _ := outs[0].Code()
				if len(seen) != 0 || len(outs) != 1 || code != syncml.StatusRequestEntityTooLarge || len(msgs) > 3 {
					return fmt.Sprintf("refused object: handler got %d URIs, outcome %d (%d of them), %d server messages", len(seen), code, len(outs), len(msgs))
				}
				return ""
			}
			if seen["./N"] != value {
				return fmt.Sprintf("joined %q, want %q", seen["./N"], value)
			}
			for i, b := range msgs {
				if len(b) > max {
					return fmt.Sprintf("message %d: %d > %d", i+1, len(b), max)
				}
			}
			if len(outs) != 1 || outs[0].Status == nil {
				return fmt.Sprintf("outcomes %+v", outs)
			}
			return ""
		},
		gen.AnyString().Map(func(s string) string { return strings.Repeat(s+"&<]]>", 1+len(s)%40) }).SuchThat(xmlChars),
		gen.IntRange(1100, 3000),
		gen.Bool(),
		gen.IntRange(1, 1<<13),
	))
	props.TestingRun(t)
}

// xmlChars reports whether s holds only characters XML carries as they are
// (no CR, which XML normalizes).
func xmlChars(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// collect runs a session in which the server's Session, announcing
// maxMsg, asks the device for ./N with a Get and the device answers
// value; it returns the server's Outcomes and the device's messages.
func collect(t testing.TB, value string, kind syncml.DataKind, maxMsg int) (outs []Outcome, msgs [][]byte, err error) {
	return collectItems(t, []string{value}, kind, maxMsg)
}

// collectItems is collect with a Results of one item per value.
func collectItems(t testing.TB, values []string, kind syncml.DataKind, maxMsg int) (outs []Outcome, msgs [][]byte, err error) {
	return collectEach(t, values, kind, maxMsg, nil)
}

// collectEach is collectItems with the device's ClientConfig.EachMessage
// set to each.
func collectEach(t testing.TB, values []string, kind syncml.DataKind, maxMsg int, each func(context.Context) ([]syncml.Command, error)) (outs []Outcome, msgs [][]byte, err error) {
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		if _, ok := r.Command.(*syncml.Get); !ok {
			return Response{Code: syncml.StatusNotFound} // as a device that has no handler for it
		}
		it := r.Command.ItemList()[0]
		items := make([]syncml.Item, len(values))
		for i, v := range values {
			items[i] = syncml.Item{Source: &syncml.Location{LocURI: it.Target.LocURI + "/" + fmt.Sprint(i)}, Meta: &syncml.Meta{Format: "chr"}, Data: &syncml.Data{Kind: kind, Value: v}}
		}
		return Response{Results: items}
	})
	s := NewSession(&Config{AnnounceMaxMsgSize: maxMsg})
	if err := s.Queue(get("./N")); err != nil {
		return nil, nil, err
	}
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: h, EachMessage: each})
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		return nil, nil, err
	}
	for range 500 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return nil, nil, err
		}
		msgs = append(msgs, raw)
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return nil, nil, err
		}
		if err := x.Reply.Validate(); err != nil {
			return nil, nil, fmt.Errorf("server message %s: %w", x.Reply.Header.MsgID, err)
		}
		outs = append(outs, x.Outcomes...)
		if len(x.Unmatched) > 0 {
			return nil, nil, fmt.Errorf("server message %s: unmatched %v", x.Reply.Header.MsgID, x.Unmatched)
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			return nil, nil, err
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			return nil, nil, err
		}
		if len(cx.Unmatched) > 0 {
			return nil, nil, fmt.Errorf("device message: unmatched %s", summary(&syncml.Message{Body: syncml.Body{Commands: cx.Unmatched}}))
		}
		if cx.Done {
			return outs, msgs, nil
		}
		if err := cx.Reply.Validate(); err != nil {
			return nil, nil, fmt.Errorf("device message %s: %w", cx.Reply.Header.MsgID, err)
		}
		m = cx.Reply
	}
	return outs, msgs, fmt.Errorf("session does not end")
}

// joinedResults returns the Data of the Results the Outcomes of the Get
// carry, joined in order.
func joinedResults(outs []Outcome) (string, int) {
	var b strings.Builder
	n := 0
	for _, o := range outs {
		if o.Command.ElementName() != "Get" {
			continue
		}
		for _, r := range o.Results {
			for _, it := range r.Items {
				n++
				if it.Data != nil {
					b.WriteString(it.Data.Value)
				}
			}
		}
	}
	return b.String(), n
}

// A device's Results too large for the server's MaxMsgSize goes in chunks
// (MoreData, Meta Size on the first), each answered 213, and the server
// hands the Get's Outcome the joined object.
func TestLargeResultsFromDevice(t *testing.T) {
	value := strings.Repeat("<a href=\"x\">&amp; é ]]> </a>\n", 200)
	outs, msgs, err := collect(t, value, syncml.DataText, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if got, n := joinedResults(outs); got != value || n != 1 {
		t.Errorf("joined Results: %d bytes in %d items, want %d in 1", len(got), n, len(value))
	}
	// The Get's Status came with the first chunk: its one Outcome waits
	// for the whole object.
	var gets []Outcome
	for _, o := range outs {
		if o.Command.ElementName() == "Get" {
			gets = append(gets, o)
		}
	}
	if len(gets) != 1 || gets[0].Status == nil || len(gets[0].Results) != 1 {
		t.Errorf("Get outcomes %+v, want one with its Status and the joined Results", gets)
	}
	if len(msgs) < 5 {
		t.Errorf("%d device messages: not chunked", len(msgs))
	}
	for i, b := range msgs {
		if len(b) > 1500 {
			t.Errorf("device message %d: %d bytes", i+1, len(b))
		}
	}
	var first syncml.Message
	if err := syncml.Unmarshal(msgs[1], &first); err != nil {
		t.Fatal(err)
	}
	var chunk *syncml.Results
	for _, c := range first.Body.Commands {
		if r, ok := c.(*syncml.Results); ok {
			chunk = r
		}
	}
	if chunk == nil || !chunk.Items[0].MoreData || chunk.Items[0].Meta == nil || chunk.Items[0].Meta.Size != fmt.Sprint(len(value)) || first.Body.Final {
		t.Errorf("first chunk: %+v (Final %v)", chunk, first.Body.Final)
	}
}

// Chunk-then-join of a device's Results under any MaxMsgSize is the
// identity.
func TestPropertyResultsChunkJoin(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	props.Property("chunked Results joins to itself", prop.ForAll(
		func(value string, max int, cdata bool) string {
			kind := syncml.DataText
			if cdata {
				kind = syncml.DataCDATA
			}
			outs, msgs, err := collect(t, value, kind, max)
			if err != nil {
				return err.Error()
			}
			if got, _ := joinedResults(outs); got != value {
				return fmt.Sprintf("joined %q, want %q", got, value)
			}
			for i, b := range msgs {
				if len(b) > max {
					return fmt.Sprintf("device message %d: %d > %d", i+1, len(b), max)
				}
			}
			return ""
		},
		gen.AnyString().Map(func(s string) string { return strings.Repeat(s+"&<]]>", 1+len(s)%40) }).SuchThat(xmlChars),
		gen.IntRange(1100, 3000),
		gen.Bool(),
	))
	props.TestingRun(t)
}

// resultItems returns the Data of the items of the Results the Outcomes of
// the Get carry, in order.
func resultItems(outs []Outcome) []string {
	var got []string
	for _, o := range outs {
		if o.Command.ElementName() != "Get" {
			continue
		}
		for _, r := range o.Results {
			for _, it := range r.Items {
				v := ""
				if it.Data != nil {
					v = it.Data.Value
				}
				got = append(got, v)
			}
		}
	}
	return got
}

// A device's Results whose items together do not fit in one message goes
// in several Results, each item whole, and one item too large alone in
// chunks; the server hands the Get the items in order.
func TestMultiItemResultsFromDevice(t *testing.T) {
	values := []string{strings.Repeat("a", 400), strings.Repeat("b<", 300), "c", strings.Repeat("d&", 1200), strings.Repeat("e", 500)}
	outs, msgs, err := collectItems(t, values, syncml.DataText, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultItems(outs); !cmp.Equal(got, values) {
		t.Errorf("items %d, want %d: %q", len(got), len(values), got)
	}
	for i, b := range msgs {
		if len(b) > 1500 {
			t.Errorf("device message %d: %d bytes over 1500", i+1, len(b))
		}
	}
}

// Six short items under a small MaxMsgSize: the device's Results does not
// fit whole with its continuation, and still the session ends with every
// item delivered.
func TestMultiItemResultsSmallItems(t *testing.T) {
	values := []string{"a", "bb", "c", "dd", "e", "ff"}
	outs, msgs, err := collectItems(t, values, syncml.DataText, 1100)
	if err != nil {
		t.Fatalf("%v after %d device messages", err, len(msgs))
	}
	if got := resultItems(outs); !cmp.Equal(got, values) {
		t.Errorf("items %q, want %q", got, values)
	}
}

// A device that reports in every message (EachMessage, as a WinDC agent
// sends its 1224 summary) and answers a Results too large for one message
// sends the object's chunks one after another, nothing between them: the
// messages that continue the object carry no EachMessage command (OMA DM,
// large objects: the next chunk comes first in the next message). Before,
// its alert went before each continuing chunk, the server took the object
// as cut (Alert 1225) and the session ran until MaxMessages.
func TestLargeResultsWithEachMessage(t *testing.T) {
	value := strings.Repeat("0123456789abcdef", 400)
	calls := 0
	each := func(context.Context) ([]syncml.Command, error) {
		calls++
		return []syncml.Command{NewClientEvent(syncml.AlertClientEvent, "com.example/state", strconv.Itoa(calls))}, nil
	}
	outs, msgs, err := collectEach(t, []string{value}, syncml.DataText, 1500, each)
	if err != nil {
		t.Fatal(err)
	}
	if got, n := joinedResults(outs); got != value || n != 1 {
		t.Fatalf("joined Results: %d bytes in %d items, want %d in 1", len(got), n, len(value))
	}
	if len(msgs) < 5 {
		t.Fatalf("%d device messages: not chunked", len(msgs))
	}
	continuing := false // the message continues the device's object
	alerts := 0
	for i, raw := range msgs {
		var m syncml.Message
		if err := syncml.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		var cmds []syncml.Command // after the Statuses
		for _, c := range m.Body.Commands {
			if _, ok := c.(*syncml.Status); !ok {
				cmds = append(cmds, c)
			}
		}
		hasAlert := false
		for _, c := range cmds {
			if a, ok := c.(*syncml.Alert); ok && a.Data != nil && a.Data.Value == syncml.AlertClientEvent.Data().Value {
				hasAlert = true
			}
		}
		if hasAlert {
			alerts++
		}
		if continuing && (len(cmds) == 0 || !isChunkOrLast(cmds[0]) || hasAlert) {
			t.Errorf("device message %d continues the object with %s, want the next chunk first and no EachMessage alert", i+1, summary(&m))
		}
		continuing = len(cmds) > 0 && isChunk(cmds[len(cmds)-1])
	}
	if alerts == 0 || alerts >= len(msgs) {
		t.Errorf("EachMessage's alert in %d of %d device messages, want it in those that continue no object", alerts, len(msgs))
	}
}

// isChunkOrLast reports whether c is a Results (a chunk of an object, or
// its last part).
func isChunkOrLast(c syncml.Command) bool {
	_, ok := c.(*syncml.Results)
	return ok
}
