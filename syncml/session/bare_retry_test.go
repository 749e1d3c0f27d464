package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// xmlReplace is a Replace of uri whose Data is XML markup of about size
// bytes, with characters that text escapes.
func xmlReplace(uri string, size int) *syncml.Replace {
	var b strings.Builder
	b.WriteString("<wap-provisioningdoc>")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<characteristic type="N%d"><parm name="P" value="a&amp;b"/></characteristic>`, i)
	}
	b.WriteString("</wap-provisioningdoc>")
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri},
		Meta: &syncml.Meta{Format: "xml", Type: "text/plain"}, Data: syncml.XML(b.String())}}}
}

// TestServerFailedReplyKeepsXMLObject: a queued Replace whose XML Data is
// cut into chunks for the device's MaxMsgSize, in a reply that then fails
// (ServerAuth cannot sign it), stays queued as it was: when the device
// starts over with a MaxMsgSize it fits in, it goes out whole, as XML, byte for
// byte as queued but the CmdID. The rejoined object came back as text.
func TestServerFailedReplyKeepsXMLObject(t *testing.T) {
	want := encodedNoID(t, xmlReplace("./Vendor/MSFT/X", 3000))
	name := ""
	s := signFailing(&name)
	if err := s.Queue(get("./DevDetail/SwV"), xmlReplace("./Vendor/MSFT/X", 3000)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", 1200, alert1201, true)}); err == nil {
		t.Fatal("signing under an empty name did not fail")
	}
	name = "srv"
	x := handle(t, s, sizedMsg("2", "1", 20000, alert1201, true))
	n := 0
	for _, c := range x.Reply.Body.Commands {
		if r, ok := c.(*syncml.Replace); ok {
			n++
			if got := encodedNoID(t, r); got != want {
				t.Errorf("the Replace sent after the failed reply differs from the one queued: %s", firstDiff(got, want))
			}
		}
	}
	if n != 1 {
		t.Errorf("the reply carries %d Replaces, want 1: %v", n, summary(x.Reply))
	}
}

// TestServerFailedSignKeepsForcedCut: a reply that cuts the next chunk of
// an object in flight to the room its Statuses leave (the device's
// message, asking for the rest with an Alert 1222, carries commands of its
// own, each of which gets a Status) and then fails (ServerAuth cannot sign
// it) keeps that chunk whole: each device message handled first with
// signing failing and then again with it working, the chunks the device
// gets join into the Replace's whole data. Before, the chunk put back
// held only the part after the cut, and the object came short of it.
func TestServerFailedSignKeepsForcedCut(t *testing.T) {
	data := ""
	for i := 0; len(data) < 6000; i++ {
		data += fmt.Sprintf("%05d,", i)
	}
	ctx := context.Background()
	tested := 0
	for max := 1300; max <= 2600; max += 53 {
		name := "srv"
		s := signFailing(&name)
		if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/X"}, Data: syncml.Text(data)}}}); err != nil {
			t.Fatal(err)
		}
		x := handle(t, s, sizedMsg("1", "1", max, alert1201, true))
		got, cuts := "", 0
		for msg := 2; ; msg++ {
			var r *syncml.Replace
			for _, c := range x.Reply.Body.Commands {
				if c, ok := c.(*syncml.Replace); ok {
					r = c
				}
			}
			status := "" // the chunk's Status
			if r != nil {
				if l, err := encodedLen(r); err == nil && l < max-overhead(&x.Reply.Header)-chunkMargin {
					cuts++ // a chunk shorter than a continuation's room: cut to fill
				}
				got += r.Items[0].Data.Value
				if !r.Items[0].MoreData {
					break
				}
				status = fmt.Sprintf(`<Status><CmdID>2</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>Replace</Cmd><Data>213</Data></Status>`, x.Reply.Header.MsgID, r.CmdID)
			}
			if msg == 100 {
				t.Fatalf("MaxMsgSize %d: the object does not end", max)
			}
			// the device accepts the chunk, asks for the next one and sends
			// commands of its own, which take room in the reply
			body := fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, x.Reply.Header.MsgID) +
				status + `<Alert><CmdID>3</CmdID><Data>1222</Data></Alert>`
			for i := range 4 * min(len(status), 1) { // none when only Statuses came
				body += fmt.Sprintf(`<Replace><CmdID>%d</CmdID><Item><Target><LocURI>./DevInfo/Ext/N%d</LocURI></Target><Data>v</Data></Item></Replace>`, 4+i, i)
			}
			raw := sizedMsg("1", fmt.Sprint(msg), max, body, false)
			name = ""
			if _, err := s.Handle(ctx, &Inbound{Raw: raw}); err == nil {
				t.Fatalf("MaxMsgSize %d: the reply signed under an empty name did not fail", max)
			}
			name = "srv"
			x = handle(t, s, raw)
		}
		if got != data {
			t.Errorf("MaxMsgSize %d: the device got %d bytes of the Replace's %d: %s", max, len(got), len(data), firstDiff(got, data))
		}
		if cuts > 1 {
			tested++
		}
	}
	if tested == 0 {
		t.Error("no MaxMsgSize cut a chunk to fill a message: the test tests nothing")
	}
}

// TestServerFailedReplyRunsOnStartOnce: a server whose OnStart queues
// Gets (one only in the device's first session) and whose BeforeReply
// queues one for the device's first message, each reply failing once
// (ServerAuth cannot sign it, or its Secret fails) before the device's
// retry of the message, sends each Get once: the commands queued while a
// message was handled go with its failed reply, as a Server's state does,
// and the retry's hooks queue them again, OnStart with first true. Before,
// the retry's OnStart (first false) and BeforeReply queued theirs on top
// of those kept: the OEM and FwV Gets went out twice.
func TestServerFailedReplyRunsOnStartOnce(t *testing.T) {
	for _, fail := range []string{"", "!"} {
		name := ""
		starts := 0
		cfg := &Config{
			ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
				if name == "!" {
					return "", "", errors.New("no secret today")
				}
				return name, "srv-secret", nil
			}},
			OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
				starts++
				if first {
					_ = s.Queue(get("./DevDetail/SwV"))
				}
				_ = s.Queue(get("./DevDetail/OEM"))
			},
			BeforeReply: func(_ context.Context, s *Session, m *syncml.Message, _ *Exchange) {
				if m.Header.MsgID == "1" {
					_ = s.Queue(get("./DevDetail/FwV"))
				}
			},
		}
		s := NewSession(cfg)
		var ran []string
		mux := NewMux()
		mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
			ran = append(ran, syncml.Targets(r.Command)...)
			return Response{}
		}))
		c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux})
		if err != nil {
			t.Fatal(err)
		}
		retrying(t, s, c, &name, &fail, 20, fmt.Sprintf("failing %q", fail), nil, nil)
		if got := strings.Join(ran, " "); got != "./DevDetail/SwV ./DevDetail/OEM ./DevDetail/FwV" {
			t.Errorf("failing %q: the device ran %q, want each Get queued once (OnStart ran %d times)", fail, got, starts)
		}
	}
}
