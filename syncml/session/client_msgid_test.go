package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// msgIDMsg is a server message of session "1" for DEV1 with MsgID id: a
// SyncHdr Status for the device's message ref and a Get of ./A (CmdID 9).
func msgIDMsg(id, ref string) *syncml.Message {
	return &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2",
		SessionID: "1", MsgID: id, Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{
			&syncml.Status{CmdID: "1", MsgRef: ref, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()},
			&syncml.Get{CmdID: "9", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}}}}}}}
}

// TestClientServerMsgIDOrder: in a session the server's MsgIDs go up. A
// server message whose MsgID is not past the last one the Client handled
// in the session (the same message again, as a value or as the same
// bytes, another message with a MsgID used before, a lower one, the same
// number written with a leading zero) or is not a decimal number is
// refused with a *MsgIDError matching ErrProtocol, which names the MsgID,
// the last one and the session; nothing of it runs (its Get would be
// answered twice under one MsgRef and CmdRef) and the Client is as it
// was: the next message with a higher MsgID is answered. A gap in the
// MsgIDs, and numbers past 64 bits, are taken. A new session starts the
// count again.
func TestClientServerMsgIDOrder(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		before []string // MsgIDs of the server messages handled first
		last   string   // MsgID of the message then
		raw    bool     // last is given as bytes (HandleInbound)
		again  bool     // last is the last one of before, as it was
		taken  bool
	}{
		{name: "same message again", before: []string{"1"}, last: "1", again: true},
		{name: "same bytes again", before: []string{"1", "2"}, last: "2", again: true, raw: true},
		{name: "other message, last MsgID", before: []string{"1", "2"}, last: "2"},
		{name: "other message, earlier MsgID", before: []string{"1", "2", "3"}, last: "2"},
		{name: "MsgID goes down", before: []string{"1", "2"}, last: "1", raw: true},
		{name: "same number, leading zero", before: []string{"1"}, last: "01"},
		{name: "not decimal", before: []string{"1"}, last: "x"},
		{name: "not decimal first", last: "+1"},

		{name: "next", before: []string{"1"}, last: "2", taken: true},
		{name: "gap", before: []string{"1"}, last: "5", taken: true},
		{name: "past 64 bits", before: []string{"99999999999999999999"}, last: "100000000000000000000", taken: true},
		{name: "past 64 bits, lower", before: []string{"100000000000000000000"}, last: "99999999999999999999"},
		{name: "leading zeros, higher", before: []string{"009"}, last: "10", taken: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran := 0
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: mux})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Start(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			// the device's message i+1 answers the server's i-th
			ref := func(i int) string { return strconv.Itoa(i + 1) }
			for i, id := range tc.before {
				if _, err := c.Handle(ctx, msgIDMsg(id, ref(i))); err != nil {
					t.Fatalf("message %s: %v", id, err)
				}
			}
			n := len(tc.before)
			m := msgIDMsg(tc.last, ref(n))
			if tc.again {
				m = msgIDMsg(tc.last, ref(n-1))
			}
			in := &Inbound{Message: m}
			if tc.raw {
				raw, err := syncml.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				in = &Inbound{Raw: raw}
			}
			ran = 0
			x, err := c.HandleInbound(ctx, in)
			if tc.taken {
				if err != nil || ran != 1 || x.Reply == nil {
					t.Fatalf("refused: %v (Handler ran %d times)", err, ran)
				}
				return
			}
			var me *MsgIDError
			if !errors.As(err, &me) || !errors.Is(err, ErrProtocol) {
				t.Fatalf("got %v; want a *MsgIDError matching ErrProtocol", err)
			}
			last := ""
			if n > 0 {
				last = tc.before[n-1]
			}
			if me.MsgID != tc.last || me.Last != last || me.SessionID != "1" {
				t.Errorf("error %+v; want MsgID %q, Last %q, SessionID 1", *me, tc.last, last)
			}
			if ran != 0 {
				t.Errorf("the Handler ran %d times", ran)
			}
			// The Client is as it was: a message past the last is answered.
			x, err = c.Handle(ctx, msgIDMsg("100000000000000000001", ref(n)))
			if err != nil || ran != 1 || x.Reply == nil || x.Reply.Header.MsgID != strconv.Itoa(n+2) {
				t.Fatalf("then a higher MsgID: %v (Handler ran %d times) %+v", err, ran, x)
			}
			// A new session counts from nothing again.
			if _, err := c.Start(ctx, "2"); err != nil {
				t.Fatal(err)
			}
			m = msgIDMsg("1", "1")
			m.Header.SessionID = "2"
			if _, err := c.Handle(ctx, m); err != nil {
				t.Errorf("MsgID 1 in a new session: %v", err)
			}
		})
	}
}

// TestClientServerMsgIDAfterFailedHandle: a Handle that fails past the
// MsgID check (here the reply does not fit the server's MaxMsgSize)
// leaves the last MsgID as it was, so the same MsgID is taken again: the
// second call fails the same way, not with a *MsgIDError, and the
// message fixed is answered. Accepting a MsgID costs no allocation.
func TestClientServerMsgIDAfterFailedHandle(t *testing.T) {
	ctx := context.Background()
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	small := func() *syncml.Message {
		m := msgIDMsg("1", "1")
		m.Header.Meta = &syncml.Meta{MaxMsgSize: "60"}
		return m
	}
	for i := range 2 {
		_, err := c.Handle(ctx, small())
		var me *MsgIDError
		if !errors.Is(err, ErrLimit) || errors.As(err, &me) {
			t.Fatalf("call %d: %v; want ErrLimit", i, err)
		}
	}
	x, err := c.Handle(ctx, msgIDMsg("1", "1"))
	if err != nil || x.Reply == nil {
		t.Fatalf("then fixed: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.checkMsgID("2") }); n != 0 {
		t.Errorf("checkMsgID allocates %v times", n)
	}
}

// TestClientRunServerRepeatsMsgID: over HTTP, a server that answers the
// device's message 2 with its message 1 again, byte for byte, fails Run
// with a *MsgIDError: the Get in it ran once.
func TestClientRunServerRepeatsMsgID(t *testing.T) {
	raw, err := syncml.Marshal(msgIDMsg("1", "1"))
	if err != nil {
		t.Fatal(err)
	}
	posts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts++
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(raw)
	}))
	defer srv.Close()
	ran := 0
	mux := NewMux()
	mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: mux})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background(), srv.Client(), srv.URL, "1")
	var me *MsgIDError
	if !errors.As(err, &me) || me.MsgID != "1" || me.Last != "1" || me.SessionID != "1" {
		t.Fatalf("Run: %v; want a *MsgIDError for MsgID 1 after 1 in session 1", err)
	}
	if posts != 2 || ran != 1 {
		t.Errorf("%d posts, the Handler ran %d times; want 2 and 1", posts, ran)
	}
}
