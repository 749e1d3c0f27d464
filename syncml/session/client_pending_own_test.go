package session

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// ownAlert is a device command of about 300 bytes encoded.
func ownAlert(name string) syncml.Command {
	return NewClientEvent(syncml.AlertClientEvent, "com.example/"+name, strings.Repeat("s", 400))
}

// hostileOwn plays a server that announces a MaxMsgSize of 2000 bytes and
// sends a Replace in every one of its msgs messages (brings is false: an
// Alert 1222 alone, asking for the rest of the device's package), while
// the device queues two commands of its own in BeforeReply and gives four
// more in EachMessage, each of about 500 bytes: more than its messages
// carry. It returns the most of the device's own commands waiting in the
// rest of its package at once, the messages taken, the Outcomes with an
// error and the error that stopped it.
func hostileOwn(tb testing.TB, cfg ClientConfig, msgs int, brings bool) (most, took int, unsent []Outcome, err error) {
	return hostileOwnEach(tb, cfg, msgs, brings, nil)
}

// hostileOwnEach is hostileOwn, calling each (when not nil) before the
// device handles message i.
func hostileOwnEach(tb testing.TB, cfg ClientConfig, msgs int, brings bool, each func(i int)) (most, took int, unsent []Outcome, err error) {
	ctx := context.Background()
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(context.Context, *Request) Response { return Response{} }))
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "DEV1", "https://mdm.example/ManagementServer/MDM.svc", mux
	cfg.DevInfo = DevInfo{DevID: "DEV1", Lang: "en-US"}
	n := 0
	cfg.BeforeReply = func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
		n++
		if err := c.Queue(ownAlert("B"+strconv.Itoa(n)), ownAlert("b"+strconv.Itoa(n))); err != nil {
			tb.Fatal(err)
		}
	}
	cfg.EachMessage = func(context.Context) ([]syncml.Command, error) {
		n++
		return []syncml.Command{ownAlert("E" + strconv.Itoa(n)), ownAlert("e" + strconv.Itoa(n)), ownAlert("f" + strconv.Itoa(n)), ownAlert("g" + strconv.Itoa(n))}, nil
	}
	c, err := NewClient(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		tb.Fatal(err)
	}
	for i := range msgs {
		cmd := syncml.Command(NewAlert(syncml.AlertNextMessage))
		if brings || i == 0 {
			cmd = &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/R" + strconv.Itoa(i)}, Data: syncml.Text("1")}}}
		}
		m := srvMsg("1", strconv.Itoa(i+1), "2000", brings, cmd)
		if each != nil {
			each(i)
		}
		x, err := c.Handle(ctx, m)
		if err != nil {
			return most, took, unsent, err
		}
		took++
		for _, o := range x.Outcomes {
			if o.Err != nil {
				unsent = append(unsent, o)
			}
		}
		most = max(most, c.ownWaiting())
	}
	return most, took, unsent, nil
}

// TestClientOwnWaitingBound: the device's own commands carried over in
// the rest of its package (from BeforeReply and EachMessage) stay within
// MaxQueue. A server that brings commands in every message is refused
// once they reach it (a *LimitError of MaxQueue, before anything of the
// message runs); a server that only asks for the next message while
// EachMessage gives more than a message carries gets EachMessage's
// commands past the bound reported unsent (an Outcome each, with a
// *LimitError of MaxQueue). Before, both piled up without end: 1,200 and
// 1,198 waiting after 300 messages here.
func TestClientOwnWaitingBound(t *testing.T) {
	const bound = 50
	t.Run("server brings commands", func(t *testing.T) {
		most, took, _, err := hostileOwn(t, ClientConfig{MaxQueue: bound}, 300, true)
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "MaxQueue" || le.Max != bound {
			t.Fatalf("after %d messages (at most %d own commands waiting): error %v, want a LimitError of MaxQueue %d", took, most, err, bound)
		}
		if most > bound+6 { // one message's worth past the bound at most
			t.Errorf("%d own commands waiting at once, bound %d", most, bound)
		}
	})
	t.Run("server asks for the next message", func(t *testing.T) {
		most, took, unsent, err := hostileOwn(t, ClientConfig{MaxQueue: bound}, 300, false)
		if err != nil {
			t.Fatalf("after %d messages: %v", took, err)
		}
		if most > bound {
			t.Errorf("%d own commands waiting at once, bound %d", most, bound)
		}
		var le *LimitError
		if len(unsent) == 0 || !errors.As(unsent[0].Err, &le) || le.Limit != "MaxQueue" {
			t.Fatalf("unsent Outcomes %d, the first %v: want EachMessage's commands past the bound with a LimitError of MaxQueue", len(unsent), unsent)
		}
	})
}

// BenchmarkClientOwnWaiting: what the servers of TestClientOwnWaitingBound
// make a Client do in DefaultMaxMessages messages, at the default
// MaxQueue.
func BenchmarkClientOwnWaiting(b *testing.B) {
	for _, brings := range []bool{true, false} {
		b.Run("brings="+strconv.FormatBool(brings), func(b *testing.B) {
			b.ReportAllocs()
			most := 0
			for range b.N {
				m, _, _, _ := hostileOwn(b, ClientConfig{}, DefaultMaxMessages, brings)
				most = max(most, m)
			}
			b.ReportMetric(float64(most), "waiting")
		})
	}
}
