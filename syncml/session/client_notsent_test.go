package session

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestClientNotSent: a caller driving the Client with its own transport
// (Handle, HandleInbound) says with NotSent that the reply it could not
// write was never sent: the next Start puts the device's commands in it
// (Replace B, queued by BeforeReply) first in package 1, and nothing of
// it comes back Abandoned; without NotSent, B comes back Abandoned and is
// not sent again. Before NotSent existed such a caller could only get the
// latter.
func TestClientNotSent(t *testing.T) {
	ctx := context.Background()
	for _, say := range []bool{true, false} {
		srv := NewSession(nil)
		if err := srv.Queue(get("./DevDetail/SwV")); err != nil {
			t.Fatal(err)
		}
		queuedB := false
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/",
			BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
				if !queuedB {
					queuedB = true
					_ = c.Queue(smallReplace("./Vendor/B"))
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
			t.Fatal(err)
		}
		// exchange posts m to the server and hands its reply to c
		exchange := func(m *syncml.Message) *Exchange {
			t.Helper()
			raw, err := syncml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			sx, err := srv.Handle(ctx, &Inbound{Raw: raw})
			if err != nil {
				t.Fatal(err)
			}
			x, err := c.HandleInbound(ctx, &Inbound{Raw: sx.Raw})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		m1, err := c.Start(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		x := exchange(m1)
		if d := cmp.Diff([]string{"Alert  200", "Replace ./Vendor/A 200"}, outcomeCodes(x.Outcomes)); d != "" {
			t.Fatalf("session 1 Outcomes (-want +got):\n%s", d)
		}
		m2 := x.Reply // the Get's answer and Replace B: never written
		if say {
			if err := c.NotSent(m2); err != nil {
				t.Fatal(err)
			}
		}
		p1, err := c.Start(ctx, "2")
		if err != nil {
			t.Fatal(err)
		}
		var all []Outcome
		for m := p1; m != nil; {
			x := exchange(m)
			all = append(all, x.Outcomes...)
			m = x.Reply
			if x.Done {
				break
			}
		}
		want := []string{"Alert  200", "Replace ./Vendor/B 200"}
		if !say {
			want = []string{"Replace ./Vendor/B Abandoned", "Alert  200"}
		}
		if d := cmp.Diff(want, outcomeCodes(all)); d != "" {
			t.Errorf("NotSent %v: session 2 Outcomes (-want +got):\n%s", say, d)
		}
	}
}

// TestClientNotSentRefuses: NotSent takes only the last message the
// Client built in its session, not answered: before Start, nil, an
// earlier message, another session's, one answered or refused at its
// SyncHdr are refused (ErrState) and change nothing; the last message of
// a session the server aborted (Done) is taken and changes nothing.
func TestClientNotSentRefuses(t *testing.T) {
	ctx := context.Background()
	newC := func() *Client {
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	srvMsg := func(msgID string, cmds ...syncml.Command) *syncml.Message {
		for i, x := range cmds {
			x.SetID(strconv.Itoa(i + 1))
		}
		return &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2",
			SessionID: "1", MsgID: msgID, Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
			Body: syncml.Body{Final: true, Commands: cmds}}
	}
	hdr := func(code syncml.StatusCode) *syncml.Status {
		return &syncml.Status{MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: code.Data()}
	}
	refused := func(what string, c *Client, m *syncml.Message) {
		t.Helper()
		if err := c.NotSent(m); !errors.Is(err, ErrState) || c.unsent {
			t.Errorf("%s: NotSent: %v, unsent %v; want ErrState and no change", what, err, c.unsent)
		}
	}

	c := newC()
	refused("before Start", c, &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: "1"}})
	m1, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	refused("nil", c, nil)
	other := *m1
	other.Header.SessionID = "0"
	refused("another session's", c, &other)
	x, err := c.Handle(ctx, srvMsg("1", hdr(200), get("./DevDetail/SwV")))
	if err != nil {
		t.Fatal(err)
	}
	refused("an earlier message", c, m1)
	if err := c.NotSent(x.Reply); err != nil || !c.unsent {
		t.Errorf("the last message: %v, unsent %v", err, c.unsent)
	}
	// A reply to it after all undoes NotSent; that reply ends the
	// session: the message was answered.
	end := srvMsg("2", hdr(200))
	end.Body.Commands[0].(*syncml.Status).MsgRef = "2"
	if x, err := c.Handle(ctx, end); err != nil || x.Reply != nil || c.unsent {
		t.Fatalf("the reply to message 2: %v, %+v, unsent %v", err, x, c.unsent)
	}
	refused("answered", c, x.Reply)

	// refused at its SyncHdr, no Credentials: the session gave up
	c = newC()
	if m1, err = c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Handle(ctx, srvMsg("1", hdr(syncml.StatusInvalidCredentials))); !errors.Is(err, ErrAuthGaveUp) {
		t.Fatalf("401: %v", err)
	}
	refused("refused (401)", c, m1)

	// aborted by the server: the Statuses that answer it end the session
	c = newC()
	if _, err = c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	x, err = c.Handle(ctx, srvMsg("1", hdr(200), NewAlert(syncml.AlertSessionAbort)))
	if err != nil || !x.Done || x.Reply == nil {
		t.Fatalf("abort: %v %+v", err, x)
	}
	if err := c.NotSent(x.Reply); err != nil || c.unsent {
		t.Errorf("abort's Statuses: NotSent: %v, unsent %v; want nil, no change", err, c.unsent)
	}
}
