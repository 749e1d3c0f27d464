package session

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// refusedRun is a session between a Session and a Client in memory, with
// what each side's handler got and the Statuses each side sent for the
// other's Replace and Results.
type refusedRun struct {
	devGot               []string // "URI=length" of the commands the device's handler ran
	devStatus, srvStatus []string // "Cmd code" of the Statuses for Replace and Results
	srvOut, devOut       []Outcome
	messages             int // the device's messages
}

func runRefused(t *testing.T, s *Session, c *Client, got *[]string) *refusedRun {
	t.Helper()
	rr := &refusedRun{}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	statuses := func(m *syncml.Message, to *[]string) {
		for _, x := range m.Body.Commands {
			if st, ok := x.(*syncml.Status); ok && (st.Cmd == "Replace" || st.Cmd == "Results") {
				code, _ := st.Code()
				*to = append(*to, fmt.Sprintf("%s %d", st.Cmd, code))
			}
		}
	}
	for rr.messages = 1; rr.messages < 100; rr.messages++ {
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		statuses(m, &rr.devStatus)
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatalf("server, device message %d: %v", rr.messages, err)
		}
		rr.srvOut = append(rr.srvOut, x.Outcomes...)
		statuses(x.Reply, &rr.srvStatus)
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			t.Fatalf("device, server message %s: %v", back.Header.MsgID, err)
		}
		rr.devOut = append(rr.devOut, cx.Outcomes...)
		if cx.Done {
			rr.devGot = *got
			return rr
		}
		m = cx.Reply
	}
	t.Fatalf("the session does not end in %d messages", rr.messages)
	return nil
}

// recorder is a handler that notes "URI=length" of each command it runs
// and answers a Get of ./Big with big bytes.
func recorder(got *[]string, big int) Handler {
	return HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		uri := itemURI(it)
		if _, ok := r.Command.(*syncml.Get); ok {
			n := 10
			if uri == "./Big" {
				n = big
			}
			return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text(strings.Repeat("r", n))}}}
		}
		n := 0
		if it.Data != nil {
			n = len(it.Data.Value)
		}
		*got = append(*got, fmt.Sprintf("%s=%d", uri, n))
		return Response{}
	})
}

func codeOf(o Outcome) string {
	code, err := o.Code()
	if err != nil {
		return "err " + err.Error()
	}
	return fmt.Sprint(int(code))
}

// A Server's object the device refuses (413 for its first chunk: over
// the device's MaxObjectSize) goes no further: no other chunk of it is
// sent, the device's handler never gets any part of it, its Outcome
// carries the 413 with the command whole, and what was queued after it
// goes on. Before, the server went on sending the chunks, the device
// answered them 213 (taking the next one for a new object) and its
// handler got the object's last 4 KiB or so as a whole Replace, 200.
func TestRefusedObjectFromServer(t *testing.T) {
	var devGot []string
	s := NewSession(&Config{Handler: recorder(new([]string), 0)})
	big := strings.Repeat("y", 40000)
	if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(big)}}},
		replaceOf("./B", 10)); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 0), MaxMsgSize: 2000, MaxObjectSize: 4000})
	if err != nil {
		t.Fatal(err)
	}
	rr := runRefused(t, s, c, &devGot)
	if d := cmp.Diff([]string{"./B=10"}, rr.devGot); d != "" {
		t.Errorf("device handler (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Replace 413", "Replace 200"}, rr.devStatus); d != "" {
		t.Errorf("device's Statuses (-want +got):\n%s", d)
	}
	var outs []string
	for _, o := range rr.srvOut {
		n := -1
		if it := o.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
			n = len(it[0].Data.Value)
		}
		outs = append(outs, fmt.Sprintf("%s %s=%d %s", o.Command.ElementName(), itemURI(o.Command.ItemList()[0]), n, codeOf(o)))
	}
	if d := cmp.Diff([]string{"Replace ./A=40000 413", "Replace ./B=10 200"}, outs); d != "" {
		t.Errorf("server Outcomes (-want +got):\n%s", d)
	}
	if rr.messages > 4 {
		t.Errorf("%d device messages for a refused object and a Replace", rr.messages)
	}
	if s.st.Cont != nil || s.st.Sent.pending() != 0 {
		t.Errorf("left: Cont %d, pending %d", len(s.st.Cont), s.st.Sent.pending())
	}
}

// A device's Results the server refuses (413: over its MaxObjectSize) goes
// no further: the device sends no other chunk of it, the Get's Outcome
// has its Status and an Err, no Results, and the next Get is answered.
// Before, the device sent every chunk, and the server took the next
// chunk for a new object: the Get's Outcome got the object's tail as its
// Results (1 MiB: the device's MaxMessages exceeded).
func TestRefusedResultsFromDevice(t *testing.T) {
	s := NewSession(&Config{MaxObjectSize: 4000, AnnounceMaxMsgSize: 2000})
	if err := s.Queue(NewGets("./Big", "./Small")...); err != nil {
		t.Fatal(err)
	}
	var devGot []string
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 40000)})
	if err != nil {
		t.Fatal(err)
	}
	rr := runRefused(t, s, c, &devGot)
	if d := cmp.Diff([]string{"Results 413"}, rr.srvStatus); d != "" {
		t.Errorf("server's Statuses (-want +got):\n%s", d)
	}
	var outs []string
	for _, o := range rr.srvOut {
		var res []string
		for _, r := range o.Results {
			for _, it := range r.Items {
				res = append(res, fmt.Sprintf("%s=%d", itemURI(it), len(it.Data.Value)))
			}
		}
		outs = append(outs, fmt.Sprintf("Get %s %v", codeOf(o), res))
	}
	// the refused Get's Outcome says why it has no Results (a *ResultsChunksError)
	refused := "Get err session: Get 3 of message 1: its Results came in chunks that were not joined: refused (413): limit MaxObjectSize (4000) exceeded: 40000 (0 chunks, 0 bytes taken, 40000 announced) []"
	if d := cmp.Diff([]string{refused, "Get 200 [./Small=10]"}, outs); d != "" {
		t.Errorf("server Outcomes (-want +got):\n%s", d)
	}
	if rr.messages > 4 {
		t.Errorf("%d device messages", rr.messages)
	}
}

// A device's Replace the server refuses (413) goes no further: the
// device's Outcome for it carries the 413, once, with the command as
// queued, no other chunk is sent, and the server's handler gets nothing.
func TestRefusedObjectFromDevice(t *testing.T) {
	var srvGot []string
	s := NewSession(&Config{MaxObjectSize: 4000, AnnounceMaxMsgSize: 2000, Handler: recorder(&srvGot, 0)})
	if err := s.Queue(NewGets("./Small")...); err != nil {
		t.Fatal(err)
	}
	var devGot []string
	big := strings.Repeat("z", 40000)
	queued := false
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 0),
		// queued once the server's MaxMsgSize is known: the Replace goes in chunks
		BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			if !queued {
				queued = true
				if err := c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./D"}, Data: syncml.Text(big)}}},
					replaceOf("./E", 10)); err != nil {
					t.Error(err)
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	rr := runRefused(t, s, c, &devGot)
	if d := cmp.Diff([]string{"./E=10"}, srvGot); d != "" {
		t.Errorf("server handler (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Replace 413", "Replace 200"}, rr.srvStatus); d != "" {
		t.Errorf("server's Statuses (-want +got):\n%s", d)
	}
	var outs []string
	for _, o := range rr.devOut {
		if o.Command.ElementName() != "Replace" {
			continue
		}
		it := o.Command.ItemList()[0]
		outs = append(outs, fmt.Sprintf("%s=%d %s", itemURI(it), len(it.Data.Value), codeOf(o)))
	}
	if d := cmp.Diff([]string{"./D=40000 413", "./E=10 200"}, outs); d != "" {
		t.Errorf("device Outcomes (-want +got):\n%s", d)
	}
	if rr.messages > 4 {
		t.Errorf("%d device messages", rr.messages)
	}
}

// The chunks that follow a refused chunk of an object (same command, same
// LocURI, up to the one without MoreData) are answered with the same
// refusal and never reach the handler, nor start an object of their own;
// a chunk that starts no object (no Meta Size: OMA DM 1.2.1, 2.2, the
// first chunk announces the object's size) is refused 400, and so is the
// rest of its object. Before, the chunk after a 413 started an object
// (213) and the last one was served as a whole Replace, 200; a chunk
// without Size started an object of unknown size.
func TestRefusedChunksAnsweredAlike(t *testing.T) {
	var got []string
	cfg := &Config{MaxObjectSize: 20, Handler: recorder(&got, 0)}
	status2 := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	for _, tc := range []struct {
		name  string
		first string // the first chunk
		want  int    // the code of every chunk after the first
	}{
		{"announced over", replaceChunk("2", "./X", "30", "0123456789", true), 413},
		{"over as it comes", replaceChunk("2", "./X", "20", "0123456789abcdef", true), 413},
		{"no Size", replaceChunk("2", "./X", "", "0123456789", true), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			s := NewSession(cfg)
			handle(t, s, chunkMsg("1", alert1201+tc.first, false))
			var codes []string
			for i, c := range []string{
				replaceChunk("3", "./X", "", "0123456789", true),
				replaceChunk("4", "./X", "", "0123456789", true),
				replaceChunk("5", "./X", "", "01234", false),
			} {
				x := handle(t, s, chunkMsg(fmt.Sprint(i+2), status2+c, i == 2))
				if i == 1 {
					// the refused object survives the state's serialization
					b, err := s.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(string(b), "0123456789") {
						t.Errorf("the state keeps the refused chunk's data")
					}
					s = NewSession(cfg)
					if err := s.UnmarshalBinary(b); err != nil {
						t.Fatal(err)
					}
				}
				codes = append(codes, summary(x.Reply)[1:]...)
			}
			want := []string{
				fmt.Sprintf("2:Status(2/3 Replace %d)", tc.want), "3:Alert",
				fmt.Sprintf("2:Status(3/4 Replace %d)", tc.want), "3:Alert",
				fmt.Sprintf("2:Status(4/5 Replace %d)", tc.want),
			}
			if d := cmp.Diff(want, codes); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if got != nil {
				t.Errorf("the handler got %v", got)
			}
			// the refused object is over: the next Replace is served
			x := handle(t, s, chunkMsg("5", status2+replaceChunk("6", "./X", "", "whole", false), true))
			if d := cmp.Diff([]string{"1:Status(5/0 SyncHdr 200)", "2:Status(5/6 Replace 200)"}, summary(x.Reply)); d != "" || !cmp.Equal(got, []string{"./X=5"}) {
				t.Errorf("after the object (-want +got):\n%s\nhandler %v", d, got)
			}
		})
	}
}

// A refused object's package that ends (Final) ends the refusal: the
// device, which stopped sending it, is not asked for more, and its next
// message's commands are served.
func TestRefusedObjectEndsWithPackage(t *testing.T) {
	var got []string
	s := NewSession(&Config{MaxObjectSize: 20, Handler: recorder(&got, 0)})
	handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "30", "0123456789", true), false))
	x := handle(t, s, chunkMsg("2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, true))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)"}, summary(x.Reply)); d != "" || !x.Reply.Body.Final {
		t.Errorf("(-want +got):\n%s\nFinal %v", d, x.Reply.Body.Final)
	}
	if s.st.LO != nil {
		t.Errorf("the refused object stays: %+v", s.st.LO)
	}
}

// A reply that fails after the device refused the server's object (a bare
// Session whose signing fails) sends nothing, so the object's end did not
// happen: the retried message ends it again, its Outcome (413, the
// command whole) comes out once, no other chunk goes out, and the next
// Replace is sent and run.
func TestRefusedObjectFailedReply(t *testing.T) {
	for _, failing := range []bool{false, true} {
		name := ""
		s := signFailing(&name)
		big := strings.Repeat("y", 40000)
		if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(big)}}},
			replaceOf("./B", 10)); err != nil {
			t.Fatal(err)
		}
		var devGot []string
		c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 0), MaxMsgSize: 2000, MaxObjectSize: 4000})
		if err != nil {
			t.Fatal(err)
		}
		var fail *string
		if failing {
			fail = new(string) // signing under an empty name fails
		}
		var outs []string
		retrying(t, s, c, &name, fail, 10, fmt.Sprintf("failing %v", failing), nil, func(_ int, _ []byte, x *Exchange) {
			for _, o := range x.Outcomes {
				it := o.Command.ItemList()[0]
				outs = append(outs, fmt.Sprintf("%s=%d %s", itemURI(it), len(it.Data.Value), codeOf(o)))
			}
		})
		if d := cmp.Diff([]string{"./A=40000 413", "./B=10 200"}, outs); d != "" {
			t.Errorf("failing %v: server Outcomes (-want +got):\n%s", failing, d)
		}
		if d := cmp.Diff([]string{"./B=10"}, devGot); d != "" {
			t.Errorf("failing %v: device handler (-want +got):\n%s", failing, d)
		}
	}
}

// A device's Handle that fails after the server refused the device's
// object (EachMessage fails) changes nothing: handled again, the server's
// message ends the object again, its Outcome (413, the command as queued)
// comes out once, and no other chunk goes out.
func TestRefusedObjectFailedDeviceHandle(t *testing.T) {
	var srvGot []string
	s := NewSession(&Config{MaxObjectSize: 4000, AnnounceMaxMsgSize: 2000, Handler: recorder(&srvGot, 0)})
	if err := s.Queue(NewGets("./Small")...); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("z", 40000)
	queued, failNow := false, false
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(new([]string), 0),
		BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			if !queued && !failNow { // what a failed call queued goes with it
				queued = true
				_ = c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./D"}, Data: syncml.Text(big)}}}, replaceOf("./E", 10))
			}
		},
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if failNow {
				return nil, fmt.Errorf("each fails")
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	failed := 0
	for i := 0; ; i++ {
		if i == 10 {
			t.Fatal("the session does not end")
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		failNow = true
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: x.Raw})
		failNow = false
		if err != nil {
			failed++
			if cx, err = c.HandleInbound(ctx, &Inbound{Raw: x.Raw}); err != nil {
				t.Fatal(err)
			}
		}
		for _, o := range cx.Outcomes {
			if it := o.Command.ItemList(); o.Command.ElementName() == "Replace" {
				outs = append(outs, fmt.Sprintf("%s=%d %s", itemURI(it[0]), len(it[0].Data.Value), codeOf(o)))
			}
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	if d := cmp.Diff([]string{"./D=40000 413", "./E=10 200"}, outs); d != "" {
		t.Errorf("device Outcomes (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"./E=10"}, srvGot); d != "" {
		t.Errorf("server handler (-want +got):\n%s", d)
	}
	if failed < 2 {
		t.Errorf("%d device Handles failed: the refusal's was not among them", failed)
	}
}

// A chunk in an Atomic is refused (400: an Atomic fits in one message),
// and so is the rest of its object: its last chunk, after the Atomic, is
// answered 400 and never served. Before, the last chunk, which has no
// MoreData, was served as a whole Replace (200, the handler got the tail).
func TestRefusedChunkInAtomic(t *testing.T) {
	var got []string
	s := NewSession(&Config{Handler: recorder(&got, 0)})
	atomic := `<Atomic><CmdID>2</CmdID>` + replaceChunk("3", "./X", "15", "0123456789", true) + `</Atomic>`
	handle(t, s, chunkMsg("1", alert1201+atomic, false))
	x := handle(t, s, chunkMsg("2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		replaceChunk("4", "./X", "", "01234", false), true))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/4 Replace 400)"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got != nil {
		t.Errorf("the handler got %v", got)
	}
}

// A device that answers the server's chunks 200, not 213 as OMA DM asks,
// accepted them: the object goes on to its last chunk, all of it sent,
// and its Outcome is the device's 200 for the last chunk, not a refusal.
func TestChunkAnswered200GoesOn(t *testing.T) {
	s := NewSession(nil)
	big := strings.Repeat("z", 5000)
	if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text(big)}}}); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, sizedMsg("1", "1", 2000, alert1201, true))
	var outcomes []Outcome
	chunks, sent := 0, 0
	for msg := 2; msg < 20; msg++ {
		var rep *syncml.Replace
		for _, c := range x.Reply.Body.Commands {
			if r, ok := c.(*syncml.Replace); ok {
				rep = r
			}
		}
		if rep == nil {
			break
		}
		chunks++
		sent += len(rep.Items[0].Data.Value)
		body := fmt.Sprintf(`<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
			`<Status><CmdID>2</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>Replace</Cmd><Data>200</Data></Status>`,
			x.Reply.Header.MsgID, x.Reply.Header.MsgID, rep.CmdID)
		final := !rep.Items[0].MoreData
		if !final {
			body += `<Alert><CmdID>3</CmdID><Data>1222</Data></Alert>`
		}
		x = handle(t, s, sizedMsg("1", strconv.Itoa(msg), 2000, body, final))
		outcomes = append(outcomes, x.Outcomes...)
	}
	if chunks < 3 {
		t.Fatalf("%d chunks sent, want the object's 5000 bytes in at least 3", chunks)
	}
	if sent != len(big) {
		t.Errorf("%d bytes sent in %d chunks, want %d", sent, chunks, len(big))
	}
	if len(outcomes) != 1 || codeOf(outcomes[0]) != "200" || outcomes[0].Command.ItemList()[0].MoreData {
		t.Fatalf("Outcomes %+v, want one: the Replace's last chunk, 200", outcomes)
	}
}
