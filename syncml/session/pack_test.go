package session

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// conversation is one session between a Session and a Client in memory.
type conversation struct {
	server   [][]byte // the server's messages, encoded
	device   [][]byte // the device's messages, encoded
	finals   []bool
	received []string // LocURIs of the commands the device ran, in order
	outcomes []Outcome
}

func converse(t testing.TB, s *Session, maxMsg int, sessionID string) (*conversation, error) {
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
	m, err := c.Start(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	for i := 0; i < 200; i++ {
		raw, err := syncml.Marshal(m)
		if err != nil {
			return nil, err
		}
		cv.device = append(cv.device, raw)
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			return nil, err
		}
		cv.server = append(cv.server, x.Raw)
		if err := x.Reply.Validate(); err != nil {
			return nil, fmt.Errorf("server message %s: %w", x.Reply.Header.MsgID, err)
		}
		cv.finals = append(cv.finals, x.Reply.Body.Final)
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
		if err := cx.Reply.Validate(); err != nil {
			return nil, fmt.Errorf("device message %s: %w", cx.Reply.Header.MsgID, err)
		}
		m = cx.Reply
	}
	return nil, fmt.Errorf("session does not end")
}

func replaceOf(uri string, size int) *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(strings.Repeat("x", size))}}}
}

func TestPackingContinuation(t *testing.T) {
	s := NewSession(nil)
	var want []string
	for i := range 10 {
		u := fmt.Sprintf("./Vendor/MSFT/Policy/Config/N%d", i)
		want = append(want, u)
		_ = s.Queue(replaceOf(u, 200))
	}
	cv, err := converse(t, s, 1000, "1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, cv.received); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	if len(cv.server) < 4 {
		t.Errorf("%d server messages: not packed", len(cv.server))
	}
	for i, b := range cv.server {
		if len(b) > 1000 {
			t.Errorf("message %d: %d bytes over MaxMsgSize", i+1, len(b))
		}
		// Final only on the last message of the package (the package ends
		// with the message that holds the last Replace), and on the
		// closing message of Statuses.
		last := i >= len(cv.server)-2
		if cv.finals[i] != last {
			t.Errorf("message %d: Final %v", i+1, cv.finals[i])
		}
	}
	if len(cv.outcomes) != 10 {
		t.Errorf("%d outcomes", len(cv.outcomes))
	}
	for _, o := range cv.outcomes {
		if code, _ := o.Code(); code != 200 {
			t.Errorf("%s: %d", o.Command.ID(), code)
		}
	}
	if s.st.Cont != nil || s.Queued() != 0 {
		t.Errorf("left over: %d %d", len(s.st.Cont), s.Queued())
	}
}

func TestPackingDeviceMultiMessage(t *testing.T) {
	// A device message without Final is answered with its Statuses and
	// Alert 1222, and no new command.
	s := NewSession(nil)
	_ = s.Queue(get("./A"))
	raw := strings.Replace(string(devMsg("1", "1", alert1201)), "<Final/>", "", 1)
	x := handle(t, s, []byte(raw))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Alert"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if code, _ := x.Reply.Body.Commands[2].(*syncml.Alert).Code(); code != syncml.AlertNextMessage {
		t.Errorf("alert %d", code)
	}
	x = handle(t, s, devMsg("1", "2", `<Replace><CmdID>1</CmdID><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en</Data></Item></Replace>`))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/1 Replace 200)", "3:Get"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestPackingRestartRequeues(t *testing.T) {
	s := NewSession(&Config{MaxMsgSize: 900})
	for i := range 4 {
		_ = s.Queue(replaceOf(fmt.Sprintf("./N%d", i), 300))
	}
	x := handle(t, s, devMsg("1", "1", alert1201))
	if x.Reply.Body.Final || len(x.Raw) > 900 {
		t.Fatalf("Final %v size %d", x.Reply.Body.Final, len(x.Raw))
	}
	sent := len(x.Reply.Body.Commands) - 2
	// The device restarts instead of asking for the rest: the unsent
	// commands go back to the front of the queue.
	handle(t, s, devMsg("2", "1", alert1201))
	if s.Queued()+len(s.st.Cont)+sent < 4 {
		t.Errorf("commands lost: queued %d cont %d sent %d", s.Queued(), len(s.st.Cont), sent)
	}
}

func propSeed(t *testing.T) *gopter.TestParameters {
	seed := int64(20261203)
	if v := os.Getenv("SYNCML_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with SYNCML_SEED=%d)", seed, seed)
	p := gopter.DefaultTestParametersWithSeed(seed)
	p.MinSuccessfulTests = 1000
	if testing.Short() {
		p.MinSuccessfulTests = 100
	}
	return p
}

// Any command list packed under any MaxMsgSize that holds the largest
// command arrives complete and in order, each message within the bound,
// and every Outcome names the command it answers.
func TestPropertyPacking(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	props.Property("packed commands arrive complete and in order", prop.ForAll(
		func(sizes []int, slack int) string {
			s := NewSession(nil)
			var want []string
			largest := 0
			for i, n := range sizes {
				u := fmt.Sprintf("./N%d", i)
				want = append(want, u)
				c := replaceOf(u, n)
				c.CmdID = strconv.Itoa(len(sizes) + 9)
				if l, _ := encodedLen(c); l > largest {
					largest = l
				}
				c.CmdID = ""
				if err := s.Queue(c); err != nil {
					return err.Error()
				}
			}
			// Room for the header, the Statuses of a continuation and the
			// largest command.
			max := largest + 700 + slack
			cv, err := converse(t, s, max, "7")
			if err != nil {
				return err.Error()
			}
			if d := cmp.Diff(want, cv.received); d != "" {
				return "order: " + d
			}
			for i, b := range cv.server {
				if len(b) > max {
					return fmt.Sprintf("message %d: %d > %d bytes", i+1, len(b), max)
				}
			}
			if len(cv.outcomes) != len(sizes) {
				return fmt.Sprintf("%d outcomes for %d commands", len(cv.outcomes), len(sizes))
			}
			for _, o := range cv.outcomes {
				want := o.Command.ItemList()[0].Target.LocURI
				if o.Status == nil || len(o.Status.TargetRef) != 1 || o.Status.TargetRef[0] != want {
					return fmt.Sprintf("Status %+v paired with %s", o.Status, want)
				}
			}
			return ""
		},
		gen.SliceOfN(12, gen.IntRange(0, 400)).SuchThat(func(v []int) bool { return len(v) > 0 }),
		gen.IntRange(0, 3000),
	))
	props.TestingRun(t)
}

func TestPackingDeviceAnswers(t *testing.T) {
	s := NewSession(&Config{AnnounceMaxMsgSize: 1500})
	var want []string
	for i := range 20 {
		u := fmt.Sprintf("./DevDetail/N%d", i)
		want = append(want, u)
		_ = s.Queue(get(u))
	}
	mux := NewMux()
	mux.Handle("Get", HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		return Response{Results: []syncml.Item{{Source: it.Target, Data: syncml.Text(strings.Repeat("v", 300))}}}
	}))
	c, _ := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux})
	ctx := context.Background()
	m, _ := c.Start(ctx, "1")
	var got []string
	var deviceMsgs, finals int
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("session does not end")
		}
		raw := mustMarshal(t, m)
		deviceMsgs++
		if i > 0 && len(raw) > 1500 {
			t.Errorf("device message %d: %d bytes over the announced 1500", i+1, len(raw))
		}
		if m.Body.Final {
			finals++
		}
		x := handle(t, s, raw)
		for _, o := range x.Outcomes {
			if code, _ := o.Code(); code == 200 && len(o.Results) == 1 {
				got = append(got, o.Results[0].Items[0].Source.LocURI)
			}
		}
		if len(x.Unmatched) != 0 {
			t.Errorf("unmatched %v", x.Unmatched)
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			t.Fatal(err)
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if deviceMsgs < 5 || finals != 2 { // package 1 and the last message of the answers
		t.Errorf("%d device messages, %d with Final", deviceMsgs, finals)
	}
}

func TestItoa(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 100, 126, 127, 128, 1000, 1<<31 - 1, -1, -128} {
		if got, want := itoa(n), strconv.Itoa(n); got != want {
			t.Errorf("itoa(%d) = %q, want %q", n, got, want)
		}
	}
}
