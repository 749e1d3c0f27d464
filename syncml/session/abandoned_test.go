package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// sentGet returns a Get of node uri as sent, with CmdID id.
func sentGet(id, uri string) *syncml.Get {
	return &syncml.Get{CmdID: id, Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}}
}

func TestAbandonedGets(t *testing.T) {
	ok := &syncml.Status{CmdRef: "2", Cmd: "Get", Data: syncml.StatusOK.Data()}
	res := []*syncml.Results{{CmdRef: "2", Items: []syncml.Item{{Source: &syncml.Location{LocURI: "./A"}, Data: syncml.Text("v")}}}}
	inSeq := sentGet("4", "./InSeq")
	seq := &syncml.Sequence{CmdID: "3", Commands: []syncml.Command{&syncml.Exec{CmdID: "5"}, inSeq}}
	inAtomic := sentGet("7", "./InAtomic")
	atomic := &syncml.Atomic{CmdID: "6", Commands: []syncml.Command{&syncml.Sequence{CmdID: "8", Commands: []syncml.Command{inAtomic}}}}
	for _, tc := range []struct {
		name     string
		outcomes []session.Outcome
		want     []string // the targets of the Gets returned, in order
	}{
		{"none", nil, nil},
		{"abandoned unanswered", []session.Outcome{{MsgID: "1", Command: sentGet("2", "./A"), Abandoned: true}}, []string{"./A"}},
		{"answered", []session.Outcome{{MsgID: "1", Command: sentGet("2", "./A"), Status: ok, Results: res}}, nil},
		{"answered, no Results", []session.Outcome{{MsgID: "1", Command: sentGet("2", "./A"), Status: ok}}, nil},
		{"Results without Status", []session.Outcome{{MsgID: "1", Command: sentGet("2", "./A"), Results: res, Abandoned: true}}, nil},
		{"not sent", []session.Outcome{{Command: sentGet("", "./A"), Err: errors.New("too large")}}, nil},
		{"not a Get", []session.Outcome{
			{MsgID: "1", Command: &syncml.Exec{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./E"}}}}, Abandoned: true},
			{MsgID: "1", Command: &syncml.Replace{CmdID: "3", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./R"}}}}, Abandoned: true},
			{MsgID: "1", Command: &syncml.Add{CmdID: "4", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./D"}}}}, Abandoned: true},
		}, nil},
		{"nested in Sequence", []session.Outcome{{MsgID: "1", Command: seq, Abandoned: true},
			{MsgID: "1", Command: seq.Commands[0], Abandoned: true}, {MsgID: "1", Command: inSeq, Abandoned: true}}, nil},
		{"nested twice in Atomic", []session.Outcome{{MsgID: "1", Command: atomic, Abandoned: true},
			{MsgID: "1", Command: atomic.Commands[0], Abandoned: true}, {MsgID: "1", Command: inAtomic, Abandoned: true}}, nil},
		{"nil command", []session.Outcome{{Abandoned: true}, {Command: (*syncml.Get)(nil), Abandoned: true}}, nil},
		{"mixed, in order", []session.Outcome{
			{MsgID: "1", Command: sentGet("2", "./A"), Abandoned: true},
			{MsgID: "1", Command: sentGet("3", "./B"), Status: ok, Results: res},
			{MsgID: "1", Command: &syncml.Exec{CmdID: "4"}, Abandoned: true},
			{MsgID: "2", Command: sentGet("2", "./C"), Abandoned: true},
			{MsgID: "2", Command: sentGet("3", "./D"), Results: res, Abandoned: true},
			{MsgID: "3", Command: sentGet("2", "./E"), Abandoned: true},
		}, []string{"./A", "./C", "./E"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := session.AbandonedGets(tc.outcomes)
			var targets []string
			for _, c := range got {
				g, ok := c.(*syncml.Get)
				if !ok {
					t.Fatalf("%T returned", c)
				}
				if g.CmdID != "" {
					t.Errorf("%s: CmdID %q kept", syncml.Targets(g), g.CmdID)
				}
				targets = append(targets, syncml.Targets(g)...)
			}
			if diff := cmp.Diff(tc.want, targets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if len(tc.want) == 0 && got != nil {
				t.Errorf("%d commands, want nil", len(got))
			}
		})
	}
}

// The copies are the Gets as sent but for their CmdID, and share nothing
// with them: queuing and sending them changes no Outcome.
func TestAbandonedGetsCopy(t *testing.T) {
	orig := &syncml.Get{CmdID: "5", Lang: "en", Meta: &syncml.Meta{Format: "chr"},
		Cred: &syncml.Cred{Meta: &syncml.Meta{Type: "syncml:auth-basic"}, Data: syncml.Text("secret")},
		Items: []syncml.Item{
			{Target: &syncml.Location{LocURI: "./A", LocName: "a"}, Meta: &syncml.Meta{Type: "text/plain"}},
			{Target: &syncml.Location{LocURI: "./B"}, Source: &syncml.Location{LocURI: "./S"}, Data: syncml.Text("x")},
		}}
	got := session.AbandonedGets([]session.Outcome{{MsgID: "1", Command: orig, Abandoned: true}})
	if len(got) != 1 {
		t.Fatalf("%d commands, want 1", len(got))
	}
	g := got[0].(*syncml.Get)
	want := *orig
	want.CmdID = ""
	if diff := cmp.Diff(&want, g); diff != "" {
		t.Errorf("copy (-want +got):\n%s", diff)
	}
	g.Meta.Format, g.Cred.Meta.Type, g.Cred.Data.Value = "int", "t", "s"
	g.Items[0].Target.LocURI, g.Items[0].Meta.Type, g.Items[1].Source.LocURI, g.Items[1].Data.Value = "./Z", "z", "./Z", "z"
	g.Items[1] = syncml.Item{}
	if orig.Meta.Format != "chr" || orig.Cred.Meta.Type != "syncml:auth-basic" || orig.Cred.Data.Value != "secret" ||
		orig.Items[0].Target.LocURI != "./A" || orig.Items[0].Meta.Type != "text/plain" ||
		orig.Items[1].Source.LocURI != "./S" || orig.Items[1].Data.Value != "x" || orig.CmdID != "5" {
		t.Errorf("the copy shares with the Get as sent: %+v", orig)
	}
}

// The copies AbandonedGets makes share nothing with each other either:
// growing one copy's Items, or changing its Locations, leaves the next
// copy as it was (they are made in blocks).
func TestAbandonedGetsCopiesApart(t *testing.T) {
	var outcomes []session.Outcome
	for i, uri := range []string{"./A", "./B", "./C"} {
		outcomes = append(outcomes, session.Outcome{MsgID: "1", Abandoned: true, Command: &syncml.Get{CmdID: fmt.Sprint(i + 2),
			Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Source: &syncml.Location{LocURI: uri + "s"}}}}})
	}
	got := session.AbandonedGets(outcomes)
	if len(got) != 3 {
		t.Fatalf("%d commands, want 3", len(got))
	}
	first := got[0].(*syncml.Get)
	first.Items = append(first.Items, syncml.Item{Target: &syncml.Location{LocURI: "./X"}})
	first.Items[0].Target.LocURI, first.Items[0].Source.LocURI = "./Y", "./Y"
	for i, want := range []string{"./B", "./C"} {
		g := got[i+1].(*syncml.Get)
		if len(g.Items) != 1 || g.Items[0].Target.LocURI != want || g.Items[0].Source.LocURI != want+"s" {
			t.Errorf("copy %d after the first was changed: %+v, want one Item of Target %s", i+1, g.Items, want)
		}
	}
}

// reaskMsg is a device's message msgID of session sid: a package 1 when
// body is "", else body after the Status of the server's SyncHdr.
func reaskMsg(sid, msgID, body string) []byte {
	if body == "" {
		body = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`
	} else {
		body = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` + body
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sid + `</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target>` +
		`<Source><LocURI>DEVICE-1</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
}

// getTargets returns the targets of the Gets of m.
func getTargets(m *syncml.Message) []string {
	var t []string
	for _, c := range m.Body.Commands {
		if g, ok := c.(*syncml.Get); ok {
			t = append(t, syncml.Targets(g)...)
		}
	}
	return t
}

// The Session behaves as AbandonedGets' doc says: queued in BeforeReply,
// a restart's abandoned Gets go out in the reply to the restarting
// message, once however often the device restarts; an abort's are among
// the Outcomes BeforeReply sees too, and queued there they go out in the
// next session (the abort's reply, Done, carries none).
func TestAbandonedGetsInBeforeReply(t *testing.T) {
	ctx := context.Background()
	var seen []string // what BeforeReply saw abandoned, per message
	var queueErr error
	cfg := &session.Config{BeforeReply: func(_ context.Context, s *session.Session, _ *syncml.Message, x *session.Exchange) {
		again := session.AbandonedGets(x.Outcomes)
		var targets []string
		for _, g := range again {
			targets = append(targets, syncml.Targets(g)...)
		}
		seen = append(seen, strings.Join(targets, " "))
		queueErr = errors.Join(queueErr, s.Queue(again...))
	}}
	s := session.NewSession(cfg)
	_ = s.Queue(session.NewGets("./A", "./B")...)
	handle := func(raw []byte) *session.Exchange {
		t.Helper()
		x, err := s.Handle(ctx, &session.Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	steps := []struct {
		what string
		raw  []byte
		gets string // the Gets of the reply
		seen string // the Gets BeforeReply saw abandoned
		done bool
		lost string // the Gets the Exchange's Outcomes give up
	}{
		{"session 1", reaskMsg("1", "1", ""), "./A ./B", "", false, ""},
		{"restart", reaskMsg("2", "1", ""), "./A ./B", "./A ./B", false, "./A ./B"},
		{"restart again", reaskMsg("3", "1", ""), "./A ./B", "./A ./B", false, "./A ./B"},
		{"abort", reaskMsg("3", "2", `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`), "", "./A ./B", true, "./A ./B"},
		{"after the abort", reaskMsg("4", "1", ""), "./A ./B", "", false, ""},
	}
	for _, st := range steps {
		seen = seen[:0]
		x := handle(st.raw)
		var lost []string
		for _, g := range session.AbandonedGets(x.Outcomes) {
			lost = append(lost, syncml.Targets(g)...)
		}
		if got := strings.Join(getTargets(x.Reply), " "); got != st.gets {
			t.Errorf("%s: reply's Gets %q, want %q", st.what, got, st.gets)
		}
		if len(seen) != 1 || seen[0] != st.seen {
			t.Errorf("%s: BeforeReply saw %q abandoned, want %q", st.what, seen, st.seen)
		}
		if x.Done != st.done || strings.Join(lost, " ") != st.lost {
			t.Errorf("%s: Done %v, Gets given up %q; want %v, %q", st.what, x.Done, lost, st.done, st.lost)
		}
	}
	if queueErr != nil {
		t.Error(queueErr)
	}
}

// A server asks again the Gets that a device's restart gave up before it
// answered them.
func ExampleAbandonedGets() {
	s := session.NewSession(&session.Config{
		BeforeReply: func(_ context.Context, s *session.Session, _ *syncml.Message, x *session.Exchange) {
			// A Get changes nothing: asking it again is always safe.
			_ = s.Queue(session.AbandonedGets(x.Outcomes)...)
		},
	})
	_ = s.Queue(session.NewGets("./DevDetail/SwV", "./DevDetail/OEM")...)
	// The device starts session 1, then session 2 before answering.
	for _, sid := range []string{"1", "2"} {
		x, err := s.Handle(context.Background(), &session.Inbound{Raw: reaskMsg(sid, "1", "")})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("session", sid, "asks", getTargets(x.Reply))
	}
	// Output:
	// session 1 asks [./DevDetail/SwV ./DevDetail/OEM]
	// session 2 asks [./DevDetail/SwV ./DevDetail/OEM]
}
