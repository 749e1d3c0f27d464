package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// encodedNoID is the encoding of c with its CmdID cleared (the session
// numbers what it sends), restored after.
func encodedNoID(t *testing.T, c syncml.Command) string {
	t.Helper()
	id := c.ID()
	c.SetID("")
	defer c.SetID(id)
	b, err := syncml.Marshal(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServerRefusedObjectIsAsQueued: a large object refused whole for
// MaxMsgSize (none of its chunks went out) comes back in its Outcome as
// it was queued, byte for byte but the CmdID, with or without an item
// Meta of its own: the chunks' Size does not stay behind as an empty Meta.
func TestServerRefusedObjectIsAsQueued(t *testing.T) {
	long := "./Vendor/MSFT/" + strings.Repeat("L", 300)
	for _, kind := range []string{"no Meta", "Meta"} {
		mk := func() *syncml.Replace {
			r := replaceOf(long, 2500)
			switch kind {
			case "Meta":
				r.Items[0].Meta = &syncml.Meta{Format: "chr", Type: "text/plain"}
			}
			return r
		}
		want := encodedNoID(t, mk())
		refusals := 0
		for max := 520; max <= 1200; max += 11 {
			s := NewSession(nil)
			if err := s.Queue(get("./DevDetail/SwV"), mk()); err != nil {
				t.Fatal(err)
			}
			cv, err := converse(t, s, max, "1")
			if err != nil {
				continue // not even the Statuses fit: another test's matter
			}
			for _, o := range cv.outcomes {
				if o.Command.ElementName() != "Replace" || !errors.Is(o.Err, ErrLimit) {
					continue
				}
				refusals++
				if got := encodedNoID(t, o.Command); got != want {
					t.Errorf("%s, MaxMsgSize %d: refused Replace differs from the one queued: %s", kind, max, firstDiff(got, want))
				}
			}
		}
		if refusals == 0 {
			t.Errorf("%s: no Replace refused under MaxMsgSize 520..1200: the test tests nothing", kind)
		}
	}
}

// firstDiff shows where got and want first differ.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-20)
	return fmt.Sprintf("at byte %d got %q, want %q", i, got[from:min(len(got), i+40)], want[from:min(len(want), i+40)])
}

// signFailing is a Session whose ServerAuth signs each reply with HMAC
// under the name *name: while it is empty, signing fails (an error after
// the reply was packed); while it is "!", the Secret fails (an error
// before the reply is packed).
func signFailing(name *string) *Session {
	return NewSession(&Config{ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
		if *name == "!" {
			return "", "", errors.New("no secret today")
		}
		return *name, "srv-secret", nil
	}}})
}

// retrying plays the device c against s until the device is done, each
// device message handled twice: first under *name = fail, which must make
// the reply fail (skipped when fail is nil), then under "srv". between,
// when set, runs after the failure and before the retry; after sees the
// retry's Exchange. limit is the most messages a session may take; what
// names it in a failure.
func retrying(t *testing.T, s *Session, c *Client, name *string, fail *string, limit int, what string,
	between func(i int, raw []byte), after func(i int, raw []byte, x *Exchange)) {
	t.Helper()
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if i == limit {
			t.Fatalf("%s: the session does not end", what)
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if fail != nil {
			*name = *fail
			if _, err := s.Handle(ctx, &Inbound{Raw: raw}); err == nil {
				t.Fatalf("%s: the reply signed under %q did not fail", what, *fail)
			}
		}
		if between != nil {
			between(i, raw)
		}
		*name = "srv"
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatalf("%s, retry of message %d: %v", what, i+1, err)
		}
		if after != nil {
			after(i, raw, x)
		}
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: x.Raw})
		if err != nil {
			t.Fatalf("%s: device: %v", what, err)
		}
		if cx.Done {
			return
		}
		m = cx.Reply
	}
}

// TestServerFailedSignKeepsRefusal: a reply that refuses a command for
// MaxMsgSize and then fails (ServerAuth cannot sign it) sends nothing, so
// the refusal did not happen: the retried message refuses the command
// again, and its Outcome comes out once. Under MaxMsgSizes that refuse
// the long Get alone, each device message is handled first with signing
// failing, then again with it working (and, to check the premise, only
// with it working). Handle dropped the refused command with the failed
// reply: no Outcome ever said it was not sent.
func TestServerFailedSignKeepsRefusal(t *testing.T) {
	long := "./Vendor/MSFT/" + strings.Repeat("L", 700)
	tested := 0
	for max := 650; max <= 1200; max += 50 { // under 650 the fitting Gets are refused too (signed replies carry a LocName)
		for _, failing := range []bool{false, true} {
			name := ""
			s := signFailing(&name)
			if err := s.Queue(get("./DevDetail/SwV"), get(long), get("./DevDetail/OEM")); err != nil {
				t.Fatal(err)
			}
			var ran []string
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
				ran = append(ran, syncml.Targets(r.Command)...)
				return Response{}
			}))
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: max})
			if err != nil {
				t.Fatal(err)
			}
			refused, failed := 0, 0
			var fail *string
			if failing {
				fail = new(string) // signing under an empty name fails
			}
			retrying(t, s, c, &name, fail, 50, fmt.Sprintf("MaxMsgSize %d", max), func(int, []byte) {
				if failing {
					failed++
				}
			}, func(_ int, _ []byte, x *Exchange) {
				for _, o := range x.Outcomes {
					if errors.Is(o.Err, ErrLimit) && o.Command.ItemList()[0].Target.LocURI == long {
						refused++
					}
				}
			})
			if got := strings.Join(ran, " "); got != "./DevDetail/SwV ./DevDetail/OEM" {
				t.Errorf("MaxMsgSize %d, signing failing first %v: the device ran %q, want the two Gets that fit", max, failing, got)
			}
			if refused != 1 {
				t.Errorf("MaxMsgSize %d: the unfit Get has %d Outcomes refusing it, want 1 (%d failed replies)", max, refused, failed)
			}
			tested++
		}
	}
	if tested == 0 {
		t.Error("no MaxMsgSize tested")
	}
}

// TestServerFailedSignRetrySendsQueue: a reply that would carry newly
// queued commands and fails (ServerAuth cannot sign it) keeps them, and
// the device's retry of the same message gets them, as from a Server,
// which saves no state on an error. Handle put them in the rest of a
// package that the device had not asked for: the retry got the Statuses
// alone, with Final, and the session ended without them.
func TestServerFailedSignRetrySendsQueue(t *testing.T) {
	name := "srv"
	s := signFailing(&name)
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, sizedMsg("1", "1", 0, alert1201, true))
	if got := strings.Join(sentGets(x.Reply), " "); got != "./DevDetail/SwV" {
		t.Fatalf("first reply sends %q", got)
	}
	if err := s.Queue(get("./DevDetail/OEM")); err != nil {
		t.Fatal(err)
	}
	answer := sizedMsg("1", "2", 0, `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`, true)
	name = ""
	if _, err := s.Handle(context.Background(), &Inbound{Raw: answer}); err == nil {
		t.Fatal("signing under an empty name did not fail")
	}
	name = "srv"
	x = handle(t, s, answer)
	if got := strings.Join(sentGets(x.Reply), " "); got != "./DevDetail/OEM" {
		t.Errorf("the retried message gets %q (Done %v), want the Get queued: %v", got, x.Done, summary(x.Reply))
	}
}

// TestServerFailedSignKeepsObjects: replies that carry queued objects in
// chunks and then fail (ServerAuth cannot sign them) keep the objects
// whole: the device, each of whose messages is handled first with
// signing failing and then again with it working, runs every queued
// Replace once, in order, with all its data. (No reply here cuts a
// command to fill a continuation message; TestServerFailedSignKeepsForcedCut
// covers that.)
func TestServerFailedSignKeepsObjects(t *testing.T) {
	sizes := []int{300, 650, 420, 900, 510, 770}
	var want []string
	for i, n := range sizes {
		want = append(want, fmt.Sprintf("./Vendor/MSFT/N%d:%d", i, n))
	}
	bad := 0
	for max := 774; max <= 2000; max += 37 { // under 774 both Replaces are refused (a chunk of at least minChunk bytes does not fit after two Statuses)
		name := ""
		s := signFailing(&name)
		for i, n := range sizes {
			if err := s.Queue(replaceOf(fmt.Sprintf("./Vendor/MSFT/N%d", i), n)); err != nil {
				t.Fatal(err)
			}
		}
		var ran []string
		mux := NewMux()
		mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
			for _, it := range r.Command.ItemList() {
				n := 0
				if it.Data != nil {
					n = len(it.Data.Value)
				}
				ran = append(ran, fmt.Sprintf("%s:%d", it.Target.LocURI, n))
			}
			return Response{}
		}))
		c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: max})
		if err != nil {
			t.Fatal(err)
		}
		retrying(t, s, c, &name, new(string), 100, fmt.Sprintf("MaxMsgSize %d", max), nil, nil)
		if got := strings.Join(ran, " "); got != strings.Join(want, " ") {
			bad++
			if bad <= 3 {
				t.Errorf("MaxMsgSize %d: the device ran\n%s\nwant\n%s", max, got, strings.Join(want, " "))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d MaxMsgSizes of 774..2000 (step 37) ran the Replaces otherwise", bad)
	}
}

// TestServerFailedReplyStateRoundTrip: after each reply that fails
// (ServerAuth cannot sign it) in a session spread over messages with
// objects cut and a command refused, the state saved and loaded into a
// new Session answers the retried message byte for byte as the live one,
// and a second retry gets that reply replayed from both.
func TestServerFailedReplyStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	long := "./Vendor/MSFT/" + strings.Repeat("L", 700)
	for _, max := range []int{811, 1000, 1500} {
		name := ""
		cfg := &Config{ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
			return name, "srv-secret", nil
		}}}
		s := NewSession(cfg)
		if err := s.Queue(replaceOf("./Vendor/MSFT/A", 900), get(long), get("./DevDetail/SwV"), replaceOf("./Vendor/MSFT/B", 1300)); err != nil {
			t.Fatal(err)
		}
		c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: deviceMux(), MaxMsgSize: max})
		if err != nil {
			t.Fatal(err)
		}
		var loaded *Session
		retrying(t, s, c, &name, new(string), 100, fmt.Sprintf("MaxMsgSize %d", max), func(i int, _ []byte) {
			saved, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			loaded = NewSession(cfg)
			if err := loaded.UnmarshalBinary(saved); err != nil {
				t.Fatalf("MaxMsgSize %d, message %d: load: %v", max, i+1, err)
			}
		}, func(i int, raw []byte, x *Exchange) {
			y, err := loaded.Handle(ctx, &Inbound{Raw: raw})
			if err != nil {
				t.Fatalf("MaxMsgSize %d, retry on the loaded state: %v", max, err)
			}
			if string(x.Raw) != string(y.Raw) {
				t.Fatalf("MaxMsgSize %d, message %d: the loaded state answers the retry otherwise: %s", max, i+1, firstDiff(string(y.Raw), string(x.Raw)))
			}
			want := string(x.Raw) // x.Raw is the Session's own: copy before the replay
			for _, r := range []*Session{s, loaded} {
				z, err := r.Handle(ctx, &Inbound{Raw: raw})
				if err != nil || !z.Replayed || string(z.Raw) != want {
					t.Fatalf("MaxMsgSize %d, message %d: a second retry is not the reply replayed (%v)", max, i+1, err)
				}
			}
		})
	}
}

// TestServerFailedSignNoLoss: the queues of TestServerNoLossNoReorder under
// MaxMsgSizes 640..3000, each device message handled first with ServerAuth
// failing to sign the reply (or its Secret failing) and then again with it
// working: each queued
// command is run by the device once, in order, or refused with one
// Outcome matching ErrLimit, and nothing is left over.
func TestServerFailedSignNoLoss(t *testing.T) {
	mixes := []string{"ugg", "gug", "ggu", "rug", "gru", "urgu", "uuu", "gagsg", "uasur", "rrgu", "ruuur", "AgS", "gAru", "rSAg"}
	ran := 0
	for _, fail := range []string{"", "!"} {
		for _, kinds := range mixes {
			for max := 640; max <= 3000; max += 41 { // signed replies carry a LocName: 22 bytes more than the 520 of the other test
				cmds, leaves := lossMix(kinds)
				name := ""
				s := signFailing(&name)
				if err := s.Queue(cmds...); err != nil {
					t.Fatal(err)
				}
				var got []string
				mux := NewMux()
				mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
					got = append(got, syncml.Targets(r.Command)...)
					return Response{}
				}))
				c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxMsgSize: max})
				if err != nil {
					t.Fatal(err)
				}
				refused := map[syncml.Command]int{}
				retrying(t, s, c, &name, &fail, 300, fmt.Sprintf("%s MaxMsgSize %d", kinds, max), nil, func(_ int, _ []byte, x *Exchange) {
					for _, o := range x.Outcomes {
						if o.Err != nil {
							if !errors.Is(o.Err, ErrLimit) {
								t.Errorf("%s MaxMsgSize %d: %s refused with %v", kinds, max, o.Command.ElementName(), o.Err)
							}
							refused[o.Command]++
						}
					}
				})
				ran++
				var want []string
				for i, c := range cmds {
					switch refused[c] {
					case 0:
						want = append(want, leaves[i]...)
					case 1:
					default:
						t.Errorf("%s MaxMsgSize %d: command %d refused %d times", kinds, max, i, refused[c])
					}
				}
				if g, w := strings.Join(got, " "), strings.Join(want, " "); g != w {
					t.Errorf("%s MaxMsgSize %d: device ran\n%s\nwant\n%s", kinds, max, g, w)
				}
				if s.Queued() != 0 || len(s.st.Cont) != 0 {
					t.Errorf("%s MaxMsgSize %d: left over: %d queued, %d in Cont", kinds, max, s.Queued(), len(s.st.Cont))
				}
			}
		}
	}
	if ran == 0 {
		t.Error("no conversation ran")
	}
}

// TestServerAbortDuplicateCmdIDs: a device that aborts (Alert 1223) in a
// message whose other Alerts all carry the abort's CmdID (CmdIDs are
// meant to be unique: hostile or broken). Every Status answering an Alert
// of that CmdID used to be kept as the abort's, and the reply went over
// the device's MaxMsgSize. Now such a message is refused whole, as a
// message with a CmdID missing or "0" is (ErrProtocol: nothing of it is
// run or kept, and no Status of it can be taken for another's), and the
// session goes on with the device's next message.
func TestServerAbortDuplicateCmdIDs(t *testing.T) {
	for _, bad := range []struct{ name, body string }{
		{"5 Alerts before the abort, all CmdID 7", strings.Repeat(`<Alert><CmdID>7</CmdID><Data>1224</Data></Alert>`, 5) + `<Alert><CmdID>7</CmdID><Data>1223</Data></Alert>`},
		{"an abort of CmdID 0", `<Alert><CmdID>0</CmdID><Data>1223</Data></Alert>`},
		{"an abort without CmdID", `<Alert><Data>1223</Data></Alert>`},
	} {
		s := NewSession(nil)
		handle(t, s, sizedMsg("1", "1", 0, alert1201, true))
		before, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "2", 1000, bad.body, true)})
		if !errors.Is(err, ErrProtocol) || x != nil {
			t.Errorf("%s: Handle: %v, %v; want a refusal matching ErrProtocol", bad.name, x, err)
			continue
		}
		if after, _ := s.MarshalBinary(); !bytes.Equal(before, after) {
			t.Errorf("%s: the refused message changed the session's state", bad.name)
		}
		x = handle(t, s, sizedMsg("1", "2", 1000, `<Alert><CmdID>7</CmdID><Data>1223</Data></Alert>`, true))
		if !x.Done || len(x.Reply.Body.Commands) != 2 {
			t.Errorf("%s: then a proper abort: reply %v, want the SyncHdr's Status, the abort's and Done", bad.name, summary(x.Reply))
		}
	}
}
