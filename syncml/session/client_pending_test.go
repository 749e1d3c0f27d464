package session

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// hostileGets plays a server that sends a Get of twelve nodes (answered
// item by item by splitGetHandler) in every one of its messages, up to
// msgs of them, whatever the device still has to send: the answers of
// each new Get go before those waiting, so the device's answers pile up.
// It returns the most answers the Client held at once, the messages the
// Client took and the error that stopped it (nil when all were taken).
func hostileGets(tb testing.TB, cfg ClientConfig, msgs int) (c *Client, most, took int, err error) {
	ctx := context.Background()
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "D", "S", splitGetHandler
	c, err = NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		tb.Fatal(err)
	}
	got := map[string]string{}
	for msg := 1; msg <= msgs; msg++ {
		s := newObjScript(m)
		s.read(m, got)
		s.id++
		var q strings.Builder
		fmt.Fprintf(&q, `<Get><CmdID>%d</CmdID>`, s.id)
		for i := range 12 {
			fmt.Fprintf(&q, `<Item><Target><LocURI>./Vendor/MSFT/G%dN%02d/%s</LocURI></Target></Item>`, msg, i, strings.Repeat("n", 40))
		}
		q.WriteString(`</Get>`)
		s.body.WriteString(q.String())
		x, err := c.HandleInbound(ctx, s.inbound(msg, "", true))
		if err != nil {
			return c, most, took, err
		}
		took++
		held, _ := c.pendingAnswers("")
		most = max(most, held)
		if x.Done {
			break
		}
		m = x.Reply
	}
	return c, most, took, nil
}

// A server that sends commands in every message, whatever the device
// still owes it, is refused once the answers waiting reach
// MaxPendingAnswers: Handle fails with a *LimitError of that name, before
// anything of the message runs, and the Client is as it was (another
// message bringing a command fails the same way; one that only asks for
// the next message is taken, and the answers waiting go down). Before,
// the answers grew without end: 8,991 held after 1,000 messages here.
func TestClientPendingAnswersBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  int
	}{{"default", 0}, {"MaxPendingAnswers 100", 100}} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.max
			if want == 0 {
				want = DefaultMaxPendingAnswers
			}
			c, most, took, err := hostileGets(t, ClientConfig{MaxPendingAnswers: tc.max}, DefaultMaxMessages)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxPendingAnswers" || le.Max != int64(want) || le.Count < int64(want) {
				t.Fatalf("after %d messages (at most %d answers held): error %v, want a LimitError of MaxPendingAnswers %d", took, most, err, want)
			}
			// 12 Statuses and 6 Results a message, at most: the bound and
			// the answers of one message
			if most > want+18 {
				t.Errorf("%d answers held at most, want at most %d", most, want+18)
			}
			held, _ := c.pendingAnswers("")
			if held < want {
				t.Fatalf("refused with %d answers held, below the bound %d", held, want)
			}
			if len(c.splitGets) > len(c.lastSent)+len(c.cont) {
				t.Errorf("%d notes, more than the %d commands held", len(c.splitGets), len(c.lastSent)+len(c.cont))
			}
			// nothing of the refused message ran: another bringing a
			// command is refused too; the server asking for the next
			// message is answered, and the answers held go down
			in := c.inMsgID
			s := newObjScript(c.lastSentMessage(t))
			s.get()
			if _, err2 := c.HandleInbound(context.Background(), s.inbound(took+1, "", true)); !errors.As(err2, &le) {
				t.Fatalf("another message bringing a command: %v, want the LimitError", err2)
			}
			if c.inMsgID != in {
				t.Errorf("the refused message changed the last MsgID handled: %s, was %s", c.inMsgID, in)
			}
			s = newObjScript(c.lastSentMessage(t))
			s.id++
			fmt.Fprintf(&s.body, `<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, s.id)
			x, err := c.HandleInbound(context.Background(), s.inbound(took+1, "", true))
			if err != nil {
				t.Fatalf("the next message asked for: %v", err)
			}
			if after, _ := c.pendingAnswers(""); after >= held || x.Reply == nil {
				t.Errorf("answers held %d after the next message was asked for, %d before", after, held)
			}
		})
	}
}

// lastSentMessage returns a message with the MsgID of the last message c
// built, for an objScript to answer.
func (c *Client) lastSentMessage(tb testing.TB) *syncml.Message {
	tb.Helper()
	m := new(syncml.Message)
	m.Header.MsgID = fmt.Sprint(c.outMsgID)
	return m
}

// BenchmarkClientHostileGets runs a device's side of a session with a
// server that sends a Get of twelve nodes in every one of up to 1000
// messages, whatever the device owes it (see hostileGets), until the
// Client refuses one. It reports the most answers held at once
// (answers/max), the server messages taken (msgs) and the heap the Client
// holds at the end (heap-B, after a collection).
func BenchmarkClientHostileGets(b *testing.B) {
	b.ReportAllocs()
	var most, took int
	var heap uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var c *Client
		c, most, took, _ = hostileGets(b, ClientConfig{}, 1000)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(most), "answers/max")
	b.ReportMetric(float64(took), "msgs")
	b.ReportMetric(float64(heap), "heap-B")
}
