package session_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// sizedDeviceMsg is a device's message msgID of session sid with
// MaxMsgSize max and body (after the Status of the server's SyncHdr when
// msgID is not 1).
func sizedDeviceMsg(sid, msgID string, max int, body string) []byte {
	if msgID != "1" {
		body = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` + body
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sid + `</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target>` +
		`<Source><LocURI>DEVICE-1</LocURI></Source><Meta><MaxMsgSize xmlns="syncml:metinf">` + fmt.Sprint(max) +
		`</MaxMsgSize></Meta></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
}

// An abort whose reply cannot be made (not even the SyncHdr's Status fits
// the device's MaxMsgSize) keeps the commands of the package that had not
// gone out yet: Handle's doc says the commands waiting to go are kept.
// They stay the rest of the package, as before the abort (the failed
// reply changes nothing of it): the abort's retry queues them, and so
// does the device's next session.
func TestAbortReplyFailsKeepsUnsent(t *testing.T) {
	for _, retry := range []bool{false, true} {
		t.Run(fmt.Sprint("retried ", retry), func(t *testing.T) { abortReplyFailsKeepsUnsent(t, retry) })
	}
}

func abortReplyFailsKeepsUnsent(t *testing.T, retry bool) {
	ctx := context.Background()
	s := session.NewSession(nil)
	const n = 40
	var uris []string
	for i := range n {
		uris = append(uris, fmt.Sprintf("./Vendor/MSFT/Node/With/A/Long/Path/%03d", i))
	}
	if err := s.Queue(session.NewGets(uris...)...); err != nil {
		t.Fatal(err)
	}
	x, err := s.Handle(ctx, &session.Inbound{Raw: sizedDeviceMsg("1", "1", 1500, `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`)})
	if err != nil {
		t.Fatal(err)
	}
	sent := len(getTargets(x.Reply))
	if sent == 0 || sent == n {
		t.Fatalf("%d Gets in the first reply, want some but not all", sent)
	}
	_, err = s.Handle(ctx, &session.Inbound{Raw: sizedDeviceMsg("1", "2", 60, `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`)})
	if !errors.Is(err, session.ErrLimit) {
		t.Fatalf("abort with MaxMsgSize 60: err %v, want ErrLimit", err)
	}
	if got := s.Queued(); got != n-sent {
		t.Errorf("after the failed abort reply: %d queued, want the %d not sent (the rest of the package)", got, n-sent)
	}
	if retry {
		if _, err := s.Handle(ctx, &session.Inbound{Raw: sizedDeviceMsg("1", "2", 1500, `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`)}); err != nil {
			t.Fatal(err)
		}
		if got := s.Queued(); got != n-sent {
			t.Errorf("after the abort's retry: %d queued, want the %d not sent", got, n-sent)
		}
	}
	// the device's next session gets them, in order, from the first not sent
	x, err = s.Handle(ctx, &session.Inbound{Raw: sizedDeviceMsg("2", "1", 1500, `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`)})
	if err != nil {
		t.Fatal(err)
	}
	got := getTargets(x.Reply)
	if len(got) == 0 || !slices.Equal(got, uris[sent:sent+len(got)]) {
		t.Errorf("next session's Gets %q, want the first of %q", got, uris[sent:])
	}
}

// An Alert 1223 inside an Atomic that fails (here for the Get in it, not
// legal there) is rolled back with it: nothing is abandoned, neither
// before BeforeReply nor after it, and the Gets sent still wait for their
// Status.
func TestAbortInFailedAtomicAbandonsNothing(t *testing.T) {
	ctx := context.Background()
	var seen int
	s := session.NewSession(&session.Config{BeforeReply: func(_ context.Context, s *session.Session, _ *syncml.Message, x *session.Exchange) {
		for _, o := range x.Outcomes {
			if o.Abandoned {
				seen++
			}
		}
	}})
	if err := s.Queue(session.NewGets("./A", "./B")...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Handle(ctx, &session.Inbound{Raw: reaskMsg("1", "1", "")}); err != nil {
		t.Fatal(err)
	}
	x, err := s.Handle(ctx, &session.Inbound{Raw: reaskMsg("1", "2", `<Atomic><CmdID>2</CmdID>`+
		`<Alert><CmdID>3</CmdID><Data>1223</Data></Alert><Get><CmdID>4</CmdID><Item><Target><LocURI>./X</LocURI></Target></Item></Get></Atomic>`)})
	if err != nil {
		t.Fatal(err)
	}
	if seen != 0 || s.Pending() != 2 {
		t.Errorf("BeforeReply saw %d abandoned, %d pending; want 0, 2", seen, s.Pending())
	}
	for _, o := range x.Outcomes {
		if o.Abandoned {
			t.Errorf("%s abandoned", syncml.Targets(o.Command))
		}
	}
	codes := map[string]string{}
	for _, c := range x.Reply.Body.Commands {
		if st, ok := c.(*syncml.Status); ok {
			codes[st.Cmd] = st.Data.Value
		}
	}
	if codes["Atomic"] != "507" || codes["Alert"] != "216" || codes["Get"] != "500" {
		t.Errorf("Statuses %v, want Atomic 507, Alert 216, Get 500", codes)
	}
}
