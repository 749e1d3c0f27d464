package session

import (
	"context"
	"fmt"
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
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: h, MaxMsgSize: maxMsg, MaxObjSize: maxObj})
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

// Chunk-then-join under any MaxMsgSize is the identity.
func TestPropertyChunkJoin(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	props.Property("chunked object joins to itself", prop.ForAll(
		func(value string, max int, xml bool) string {
			if value == "" {
				return ""
			}
			d := syncml.Text(value)
			if xml {
				d = syncml.CDATA(value)
			}
			cmd := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N"}, Data: d}}}
			seen, msgs, outs, err := deliver(t, cmd, max, 0)
			if err != nil {
				return err.Error()
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
