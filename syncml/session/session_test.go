package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// conformance reads a message of the shared corpus in place, or skips.
func conformance(t *testing.T, name string) []byte {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "conformance", "syncml", name)
		if b, err := os.ReadFile(p); err == nil {
			return b
		}
		if filepath.Dir(d) == d {
			t.Skipf("no conformance corpus for %s", name)
		}
	}
}

// devMsg is a device message in the SyncML 1.2 dialect.
func devMsg(sessionID, msgID, body string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sessionID + `</SessionID><MsgID>` + msgID + `</MsgID>` +
		`<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>DEV1</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
}

const alert1201 = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`

func handle(t *testing.T, s *Session, raw []byte) *Exchange {
	t.Helper()
	x, err := s.Handle(context.Background(), &Inbound{Raw: raw})
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return x
}

// summary lists a reply body as "CmdID:Element" or, for a Status,
// "CmdID:Status(MsgRef/CmdRef Cmd code)".
func summary(m *syncml.Message) []string {
	var out []string
	for _, c := range m.Body.Commands {
		if s, ok := c.(*syncml.Status); ok {
			code, _ := s.Code()
			out = append(out, fmt.Sprintf("%s:Status(%s/%s %s %d)", s.CmdID, s.MsgRef, s.CmdRef, s.Cmd, code))
			continue
		}
		out = append(out, c.ID()+":"+c.ElementName())
	}
	return out
}

func get(uri string) *syncml.Get {
	return &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}}
}

// cmdIDOf returns the CmdID of the last command of m's body that is an
// element ("Exec", "Get"…), "" when there is none.
func cmdIDOf(m *syncml.Message, element string) string {
	id := ""
	for _, c := range m.Body.Commands {
		if c.ElementName() == element {
			id = c.ID()
		}
	}
	return id
}

func TestServerPackage1Conformance(t *testing.T) {
	raw := conformance(t, "055-marcosd4h-readme-L409.xml")
	var seen []string
	s := NewSession(&Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		seen = append(seen, r.Command.ElementName()+" "+r.Command.ID()+" "+r.Identity.Device)
		return Response{}
	})})
	if err := s.Queue(get("./DevDetail/SwV"), get("./DevInfo/Mod")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, raw)
	h := x.Reply.Header
	if x.Reply.XMLNS != syncml.NamespaceSyncML12 || h.VerDTD != "1.2" || h.VerProto != "DM/1.2" ||
		h.SessionID != "1" || h.MsgID != "1" ||
		h.Target.LocURI != "1E08C6E95D8BB843B1278FF45BC60CC6" ||
		h.Source.LocURI != "https://pocmdmserver.com/ManagementServer/MDM.svc" {
		t.Errorf("reply header %+v xmlns %q", h, x.Reply.XMLNS)
	}
	// The 1201 Alert is answered by the session; the other commands by the handler.
	want := []string{
		"1:Status(1/0 SyncHdr 200)", "2:Status(1/2 Alert 200)", "3:Status(1/3 Alert 200)",
		"4:Status(1/4 Replace 200)", "5:Get", "6:Get",
	}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("reply body (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"Alert 3 1E08C6E95D8BB843B1278FF45BC60CC6", "Replace 4 1E08C6E95D8BB843B1278FF45BC60CC6"}, seen); d != "" {
		t.Errorf("handler calls (-want +got):\n%s", d)
	}
	hs := x.Reply.Body.Commands[0].(*syncml.Status)
	if d := cmp.Diff([]string{"https://pocmdmserver.com/ManagementServer/MDM.svc"}, hs.TargetRef); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"1E08C6E95D8BB843B1278FF45BC60CC6"}, hs.SourceRef); d != "" {
		t.Error(d)
	}
	rs := x.Reply.Body.Commands[3].(*syncml.Status)
	if len(rs.SourceRef) != 5 || rs.SourceRef[0] != "./DevInfo/DevId" {
		t.Errorf("Replace Status SourceRef %v", rs.SourceRef)
	}
	if !x.Reply.Body.Final || x.Done {
		t.Errorf("Final %v Done %v", x.Reply.Body.Final, x.Done)
	}
	if s.Pending() != 2 || s.Queued() != 0 {
		t.Errorf("pending %d queued %d", s.Pending(), s.Queued())
	}
	if err := x.Reply.Validate(); err != nil {
		t.Errorf("reply does not validate: %v", err)
	}
}

func TestServerDialect(t *testing.T) {
	tests := []struct {
		name, raw, xmlns, verDTD, verProto, session string
	}{
		{"dm11 no namespace, SessionID 0", `<SyncML><SyncHdr><VerDTD>1.1</VerDTD><VerProto>DM/1.1</VerProto><SessionID>0</SessionID><MsgID>1</MsgID><Target><LocURI>srv</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`, "", "1.1", "DM/1.1", "0"},
		{"dm11 namespace, SessionID with zeros", `<SyncML xmlns="SYNCML:SYNCML1.1"><SyncHdr><VerDTD>1.1</VerDTD><VerProto>DM/1.1</VerProto><SessionID>00A</SessionID><MsgID>1</MsgID><Target><LocURI>srv</LocURI></Target><Source><LocURI>dev</LocURI></Source></SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`, syncml.NamespaceSyncML11, "1.1", "DM/1.1", "00A"},
		{"windows 1.2", string(devMsg("1A", "1", alert1201)), syncml.NamespaceSyncML12, "1.2", "DM/1.2", "1A"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := handle(t, NewSession(nil), []byte(tc.raw))
			h := x.Reply.Header
			if x.Reply.XMLNS != tc.xmlns || h.VerDTD != tc.verDTD || h.VerProto != tc.verProto || h.SessionID != tc.session || h.MsgID != "1" {
				t.Errorf("got xmlns %q %s %s session %q msg %s", x.Reply.XMLNS, h.VerDTD, h.VerProto, h.SessionID, h.MsgID)
			}
			if !strings.Contains(string(x.Raw), "<SessionID>"+tc.session+"</SessionID>") {
				t.Errorf("SessionID not kept byte for byte: %s", x.Raw)
			}
			if !x.Done {
				t.Error("a reply with only Statuses should end the session")
			}
		})
	}
}

func TestServerCorrelation(t *testing.T) {
	s := NewSession(nil)
	atom := &syncml.Atomic{Commands: []syncml.Command{
		&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}, Data: syncml.Text("1")}}},
	}}
	if err := s.Queue(get("./DevDetail/SwV"), atom, &syncml.Exec{NoResp: true, Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}}}}); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, devMsg("7", "1", alert1201))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Get", "4:Atomic", "6:Exec"}, summary(x.Reply)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if s.Pending() != 3 { // Get, Atomic, Replace in it; not the NoResp Exec
		t.Fatalf("pending %d", s.Pending())
	}
	// Results without MsgRef means MsgRef 1; a Status of a command of
	// message 1 sent by this side; a Status naming nothing; one for the
	// header of the server's message.
	x = handle(t, s, devMsg("7", "2",
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
			`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
			`<Results><CmdID>3</CmdID><CmdRef>3</CmdRef><Item><Source><LocURI>./DevDetail/SwV</LocURI></Source><Data>10.0</Data></Item></Results>`+
			`<Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Replace</Cmd><Data>200</Data></Status>`+
			`<Status><CmdID>5</CmdID><MsgRef>2</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
			`<Status><CmdID>6</CmdID><MsgRef>1</MsgRef><CmdRef>6</CmdRef><Cmd>Exec</Cmd><Data>200</Data></Status>`))
	var got []string
	for _, o := range x.Outcomes {
		code, _ := o.Code()
		got = append(got, fmt.Sprintf("%s %s/%s %d results=%d", o.Command.ElementName(), o.MsgID, o.Command.ID(), code, len(o.Results)))
	}
	if d := cmp.Diff([]string{"Get 1/3 200 results=1", "Replace 1/5 200 results=0"}, got); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if len(x.Unmatched) != 2 {
		t.Errorf("unmatched %d, want the Status of message 2 and the Status of the NoResp Exec", len(x.Unmatched))
	}
	if r := x.Outcomes[0].Results[0].Items[0].Data.Value; r != "10.0" {
		t.Errorf("Results data %q", r)
	}
	// The Statuses and Results are not answered; only the header is.
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if s.Pending() != 1 || x.Done != true {
		t.Errorf("pending %d done %v", s.Pending(), x.Done)
	}
	// The Atomic's Status arrives in a later message; then Results that
	// arrive after the Get's Status come as a second Outcome.
	x = handle(t, s, devMsg("7", "3",
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Atomic</Cmd><Data>200</Data></Status>`+
			`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Data>late</Data></Item></Results>`))
	if len(x.Outcomes) != 2 || x.Outcomes[0].Command != atom || x.Outcomes[1].Results[0].Items[0].Data.Value != "late" {
		t.Errorf("outcomes %+v", x.Outcomes)
	}
	if s.Pending() != 0 {
		t.Errorf("pending %d", s.Pending())
	}
}

func TestServerOrderAndOutstanding(t *testing.T) {
	s := NewSession(nil)
	add := &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N"}}}}
	exec := &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N/Run"}}}}
	_ = s.Queue(add, exec)
	x := handle(t, s, devMsg("1", "1", alert1201))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Add", "4:Exec"}, summary(x.Reply)); d != "" {
		t.Fatalf("queue order (-want +got):\n%s", d)
	}
	_ = s.Queue(get("./Later"))
	// Only the Add's Status comes back: the Exec's is outstanding.
	x = handle(t, s, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Add</Cmd><Data>200</Data></Status>`))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)"}, summary(x.Reply)); d != "" {
		t.Fatalf("sent while outstanding (-want +got):\n%s", d)
	}
	if x.Reply.Header.MsgID != "2" {
		t.Errorf("MsgID %s", x.Reply.Header.MsgID)
	}
	x = handle(t, s, devMsg("1", "3", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Exec</Cmd><Data>200</Data></Status>`))
	if d := cmp.Diff([]string{"1:Status(3/0 SyncHdr 200)", "2:Get"}, summary(x.Reply)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if x.Reply.Header.MsgID != "3" {
		t.Errorf("MsgID %s", x.Reply.Header.MsgID)
	}
}

func TestServerReplay(t *testing.T) {
	calls := 0
	s := NewSession(&Config{Handler: HandlerFunc(func(context.Context, *Request) Response { calls++; return Response{} })})
	_ = s.Queue(get("./A"))
	raw := devMsg("5", "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en</Data></Item></Replace>`)
	x1 := handle(t, s, raw)
	x2 := handle(t, s, append([]byte(nil), raw...))
	if !x2.Replayed || string(x1.Raw) != string(x2.Raw) {
		t.Errorf("replay: Replayed %v\n%s\n%s", x2.Replayed, x1.Raw, x2.Raw)
	}
	if calls != 1 || s.Pending() != 1 {
		t.Errorf("handler calls %d pending %d: something ran twice", calls, s.Pending())
	}
	// The next message is not a replay, and the server's MsgID goes on.
	x3 := handle(t, s, devMsg("5", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`))
	if x3.Replayed || x3.Reply.Header.MsgID != "2" || len(x3.Outcomes) != 1 {
		t.Errorf("after replay: %+v", x3)
	}
}

func TestServerRestart(t *testing.T) {
	s := NewSession(nil)
	_ = s.Queue(get("./A"))
	handle(t, s, devMsg("3", "1", alert1201))
	// Windows re-sends package 1 with MsgID 2 (e.g. after a challenge):
	// the session restarts, the unanswered Get is abandoned.
	x := handle(t, s, devMsg("3", "2", alert1201))
	if len(x.Outcomes) != 1 || !x.Outcomes[0].Abandoned || x.Outcomes[0].Command.ElementName() != "Get" {
		t.Fatalf("outcomes %+v", x.Outcomes)
	}
	if x.Reply.Header.MsgID != "2" {
		t.Errorf("MsgID within the same SessionID must stay unique: %s", x.Reply.Header.MsgID)
	}
	// A new SessionID starts counting again.
	x = handle(t, s, devMsg("4", "1", alert1201))
	if x.Reply.Header.MsgID != "1" || x.Reply.Header.SessionID != "4" {
		t.Errorf("new session header %+v", x.Reply.Header)
	}
}

func TestServerAbort(t *testing.T) {
	s := NewSession(nil)
	_ = s.Queue(get("./A"))
	handle(t, s, devMsg("3", "1", alert1201))
	_ = s.Queue(get("./B"))
	x := handle(t, s, devMsg("3", "2", `<Alert><CmdID>1</CmdID><Data>1223</Data></Alert>`))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/1 Alert 200)"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if len(x.Outcomes) != 1 || !x.Outcomes[0].Abandoned || !x.Done {
		t.Errorf("outcomes %+v done %v", x.Outcomes, x.Done)
	}
	if s.Queued() != 1 {
		t.Errorf("queued %d: the unsent Get waits for the next session", s.Queued())
	}
}

func TestServerStatusRules(t *testing.T) {
	s := NewSession(&Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		switch r.Command.ID() {
		case "3": // items differ: one Status per item
			return Response{ItemCodes: []syncml.StatusCode{200, 404}}
		case "4": // items agree: one Status
			return Response{ItemCodes: []syncml.StatusCode{200, 200}}
		case "7":
			return Response{Code: syncml.StatusForbidden}
		}
		return Response{}
	})})
	it2 := `<Item><Target><LocURI>./a</LocURI></Target></Item><Item><Target><LocURI>./b</LocURI></Target></Item>`
	x := handle(t, s, devMsg("1", "1", alert1201+
		`<Alert><CmdID>2</CmdID><NoResp/><Data>1224</Data></Alert>`+
		`<Replace><CmdID>3</CmdID>`+it2+`</Replace>`+
		`<Replace><CmdID>4</CmdID>`+it2+`</Replace>`+
		`<Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>9</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>6</CmdID><MsgRef>1</MsgRef><CmdRef>9</CmdRef></Results>`+
		`<Delete><CmdID>7</CmdID><Item><Target><LocURI>./c</LocURI></Target></Item></Delete>`))
	want := []string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)",
		"3:Status(1/3 Replace 200)", "4:Status(1/3 Replace 404)", "5:Status(1/4 Replace 200)",
		"6:Status(1/7 Delete 403)"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	per := x.Reply.Body.Commands[3].(*syncml.Status)
	if d := cmp.Diff([]string{"./b"}, per.TargetRef); d != "" {
		t.Errorf("per-item TargetRef: %s", d)
	}
	if len(x.Unmatched) != 2 {
		t.Errorf("unmatched %d", len(x.Unmatched))
	}
}

// TestServerAtomicRollback: in a failed Atomic, each command before the
// failing one is answered by how its own rollback went (216 undone, 516
// not), a Sequence by the worst of its commands, the failing command by
// its code and the rest 215.
func TestServerAtomicRollback(t *testing.T) {
	var undone []string
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		id := r.Command.ID()
		if !r.Atomic {
			return Response{}
		}
		if id == "5" {
			return Response{Code: syncml.StatusNotFound}
		}
		return Response{Undo: func(context.Context) error {
			undone = append(undone, id)
			if id == "4" {
				return errors.New("cannot")
			}
			return nil
		}}
	})
	body := alert1201 + `<Atomic><CmdID>2</CmdID>` +
		`<Add><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Add>` +
		`<Sequence><CmdID>6</CmdID><Add><CmdID>4</CmdID><Item><Target><LocURI>./b</LocURI></Target></Item></Add></Sequence>` +
		`<Exec><CmdID>5</CmdID><Item><Target><LocURI>./c</LocURI></Target></Item></Exec>` +
		`<Add><CmdID>8</CmdID><Item><Target><LocURI>./d</LocURI></Target></Item></Add>` +
		`</Atomic>`
	x := handle(t, NewSession(&Config{Handler: h}), devMsg("1", "1", body))
	want := []string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)",
		"3:Status(1/2 Atomic 507)", "4:Status(1/3 Add 216)", "5:Status(1/6 Sequence 516)",
		"6:Status(1/4 Add 516)", "7:Status(1/5 Exec 404)", "8:Status(1/8 Add 215)"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"4", "3"}, undone); d != "" {
		t.Errorf("undo order (-want +got):\n%s", d)
	}
	// All succeed: 200 everywhere, nothing undone.
	undone = nil
	ok := strings.Replace(body, "<CmdID>5</CmdID>", "<CmdID>9</CmdID>", 1)
	x = handle(t, NewSession(&Config{Handler: h}), devMsg("1", "1", ok))
	for _, c := range x.Reply.Body.Commands {
		if code, _ := c.(*syncml.Status).Code(); code != 200 {
			t.Errorf("%v", summary(x.Reply))
			break
		}
	}
	if undone != nil {
		t.Errorf("undone %v", undone)
	}
}

func TestServerAuthRefused(t *testing.T) {
	calls := 0
	chal := &syncml.Chal{Meta: &syncml.Meta{Type: "syncml:auth-md5", Format: "b64", NextNonce: "bm9uY2U="}}
	auth := AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
		if in.Message.Header.Cred == nil {
			return AuthDecision{Code: syncml.StatusMissingCredentials, Chal: chal, NextNonce: []byte("nonce")}, nil
		}
		if string(in.Nonce) != "nonce" || len(in.Raw) == 0 {
			return AuthDecision{}, errors.New("nonce not kept")
		}
		return AuthDecision{Identity: Identity{User: "u", Method: "md5"}}, nil
	})
	s := NewSession(&Config{Authenticator: auth, Handler: HandlerFunc(func(context.Context, *Request) Response { calls++; return Response{} })})
	_ = s.Queue(get("./A"))
	x := handle(t, s, devMsg("2", "1", alert1201+`<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en</Data></Item></Replace>`))
	if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 407)"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if x.Reply.Body.Commands[0].(*syncml.Status).Chal == nil || calls != 0 || s.Queued() != 1 {
		t.Errorf("challenge missing or something ran: calls %d queued %d", calls, s.Queued())
	}
	cred := `<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>x</Data></Cred>`
	raw := strings.Replace(string(devMsg("2", "2", alert1201)), "</Source>", "</Source>"+cred, 1)
	x = handle(t, s, []byte(raw))
	if d := cmp.Diff([]string{"1:Status(2/0 SyncHdr 200)", "2:Status(2/1 Alert 200)", "3:Get"}, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if x.Identity != (Identity{Device: "DEV1", User: "u", Method: "md5"}) {
		t.Errorf("identity %+v", x.Identity)
	}
	if x.Reply.Header.MsgID != "2" {
		t.Errorf("MsgID %s after a refused message 1: MsgIDs must stay unique", x.Reply.Header.MsgID)
	}
	// A refused message in another session disturbs nothing of this one:
	// the Get stays outstanding and a replay still answers the same.
	pending := s.Pending()
	y := handle(t, s, devMsg("666", "1", alert1201))
	if code, _ := y.Reply.Body.Commands[0].(*syncml.Status).Code(); code != 407 || len(y.Outcomes) != 0 || !y.Done {
		t.Errorf("intruder: %v outcomes %d", summary(y.Reply), len(y.Outcomes))
	}
	if s.Pending() != pending {
		t.Errorf("pending %d, was %d", s.Pending(), pending)
	}
	if z := handle(t, s, []byte(raw)); !z.Replayed || string(z.Raw) != string(x.Raw) {
		t.Errorf("replay lost after a refused message")
	}
	// An Authenticator error is an error of Handle.
	bad := NewSession(&Config{Authenticator: AuthenticatorFunc(func(context.Context, *AuthInput) (AuthDecision, error) {
		return AuthDecision{}, errors.New("db down")
	})})
	if _, err := bad.Handle(context.Background(), &Inbound{Raw: devMsg("1", "1", alert1201)}); err == nil || !strings.HasPrefix(err.Error(), "session: ") {
		t.Errorf("err %v", err)
	}
}

func TestServerBadInput(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		is   error
	}{
		{"not xml", "hello", syncml.ErrSyntax},
		{"no session id", `<SyncML><SyncHdr><MsgID>1</MsgID></SyncHdr><SyncBody/></SyncML>`, ErrProtocol},
		{"no msg id", `<SyncML><SyncHdr><SessionID>1</SessionID></SyncHdr><SyncBody/></SyncML>`, ErrProtocol},
		{"no header", `<SyncML><SyncBody/></SyncML>`, ErrProtocol},
		// The DTD requires both; without a Source the message names no
		// device (its state would be "", kept nowhere), without a Target
		// the reply has no Source.
		{"no source", `<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>srv</LocURI></Target></SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`, ErrProtocol},
		{"empty source", `<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>srv</LocURI></Target><Source><LocURI></LocURI></Source></SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`, ErrProtocol},
		{"no target", `<SyncML><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Source><LocURI>DEV1</LocURI></Source></SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`, ErrProtocol},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(nil)
			_, err := s.Handle(context.Background(), &Inbound{Raw: []byte(tc.raw)})
			if !errors.Is(err, tc.is) {
				t.Errorf("err %v, want %v", err, tc.is)
			}
		})
	}
	if _, err := NewSession(nil).Handle(context.Background(), nil); err == nil {
		t.Error("nil Inbound accepted")
	}
	s := NewSession(&Config{MaxQueue: 1})
	if err := s.Queue(get("./a"), get("./b")); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxQueue: %v", err)
	}
	if err := s.Queue(&syncml.Status{}); err == nil {
		t.Error("queued a Status")
	}
	if err := s.Queue((*syncml.Get)(nil)); err == nil {
		t.Error("queued a nil command")
	}
}

func TestNewGets(t *testing.T) {
	cmds := NewGets("./DevDetail/SwV", "./DevInfo/Lang")
	if len(cmds) != 2 {
		t.Fatalf("%d commands", len(cmds))
	}
	for i, want := range []string{"./DevDetail/SwV", "./DevInfo/Lang"} {
		g, ok := cmds[i].(*syncml.Get)
		if !ok || g.CmdID != "" || len(g.Items) != 1 || g.Items[0].Target.LocURI != want {
			t.Errorf("command %d: %#v", i, cmds[i])
		}
	}
	// The items do not share room: appending to one leaves the next alone.
	g := cmds[0].(*syncml.Get)
	g.Items = append(g.Items, syncml.Item{Target: &syncml.Location{LocURI: "./X"}})
	if cmds[1].(*syncml.Get).Items[0].Target.LocURI != "./DevInfo/Lang" {
		t.Error("appending to the first Get changed the second")
	}
	if len(NewGets()) != 0 {
		t.Error("NewGets() not empty")
	}
}

// TestQueueRefuses queues, after a plain Get, what Queue refuses: nil
// commands, answers, and a command that cannot be encoded, on a Session
// whose queue is encoded when sent (new), and on one whose queue is
// encoded as it grows (saved after each Queue, as Server.Queue does).
func TestQueueRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    syncml.Command
	}{
		{"nil", nil},
		{"nil Get", (*syncml.Get)(nil)},
		{"nil Replace", (*syncml.Replace)(nil)},
		{"Status", &syncml.Status{}},
		{"Results", &syncml.Results{}},
		{"control character", get("./a\x01b")},
		{"control character in Data", &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}, Data: syncml.Text("\x02")}}}},
	} {
		for _, saved := range []bool{false, true} {
			s := NewSession(nil)
			s.saveQueue = saved
			if err := s.Queue(get("./first")); err != nil {
				t.Fatalf("%s, saved %v: first Queue: %v", tc.name, saved, err)
			}
			if err := s.Queue(get("./ok"), tc.c); err == nil {
				t.Errorf("%s, saved %v: queued", tc.name, saved)
			}
			if s.Queued() != 1 {
				t.Errorf("%s, saved %v: %d queued, want 1", tc.name, saved, s.Queued())
			}
			if err := s.Queue(get("./ok"), &syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./x"}}}}); err != nil {
				t.Errorf("%s, saved %v: %v", tc.name, saved, err)
			}
		}
	}
}
