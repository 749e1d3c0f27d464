package session

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A device message with a SyncHdr Cred (any: credAuth accepts a message
// with one).
func credMsg(sessionID, msgID, body string) []byte {
	cred := `<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type></Meta><Data>x</Data></Cred>`
	return []byte(strings.Replace(string(devMsg(sessionID, msgID, body)), "</Source>", "</Source>"+cred, 1))
}

// credAuth accepts a message with a Cred (200) and refuses one without
// (407 and a challenge), whatever was accepted before in the session.
var credAuth = AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
	if in.Message.Header.Cred == nil {
		chal := &syncml.Chal{Meta: &syncml.Meta{Type: "syncml:auth-basic", Format: "b64"}}
		return AuthDecision{Code: syncml.StatusMissingCredentials, Chal: chal}, nil
	}
	return AuthDecision{}, nil
})

const (
	// the Status for the Get queued before each case (sent as CmdID 3 of
	// the reply to message 1)
	statusGet = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`
	// a command of the device's, which the Handler answers
	replaceLang = `<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en</Data></Item></Replace>`
	replaceMod  = `<Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>X1</Data></Item></Replace>`
)

// msgIDCase is a run of device messages, every one accepted, and then
// last, which must be answered as a message of its own, or as a replay
// (replayed), or challenged by the Authenticator (challenged).
type msgIDCase struct {
	name     string
	auth     bool // credAuth decides
	before   [][]byte
	last     []byte
	replayed bool
	// challenged: last is refused by the Authenticator (407)
	challenged bool
}

func msgIDCases() []msgIDCase {
	m1 := devMsg("5", "1", alert1201)
	m2 := devMsg("5", "2", statusGet)
	m3 := devMsg("5", "3", replaceLang)
	return []msgIDCase{
		{name: "same MsgID, other bytes", before: [][]byte{m1, m2}, last: devMsg("5", "2", statusGet+replaceMod)},
		{name: "lower MsgID", before: [][]byte{m1, m2, m3}, last: devMsg("5", "2", replaceMod)},
		{name: "MsgID 1 again without a session alert", before: [][]byte{m1, m2}, last: devMsg("5", "1", replaceMod)},
		{name: "the same number written otherwise", before: [][]byte{m1, m2}, last: devMsg("5", "02", replaceMod)},
		{name: "byte-identical replay", before: [][]byte{m1, m2}, last: m2, replayed: true},
		{name: "next MsgID", before: [][]byte{m1, m2}, last: devMsg("5", "3", replaceMod)},
		{name: "a MsgID skipped", before: [][]byte{m1, m2}, last: devMsg("5", "7", replaceMod)},
		{name: "restart with MsgID 1 again", before: [][]byte{m1, m2}, last: devMsg("5", "1", alert1201+replaceMod)},
		{name: "restart with the last MsgID", before: [][]byte{m1, m2}, last: devMsg("5", "2", alert1201)},
		{name: "restart with a lower MsgID", before: [][]byte{m1, m2, m3}, last: devMsg("5", "2", alert1201)},
		{name: "package 1 with MsgID 1 again", before: [][]byte{m1}, last: devMsg("5", "1", alert1201+replaceMod)},
		{name: "new SessionID", before: [][]byte{m1, m2, m3}, last: devMsg("6", "1", alert1201)},
		{name: "new SessionID without a session alert", before: [][]byte{m1, m2, m3}, last: devMsg("6", "2", replaceMod)},
		{name: "not decimal: next", before: [][]byte{devMsg("5", "a", alert1201)}, last: devMsg("5", "b", statusGet)},
		{name: "not decimal: an earlier one", before: [][]byte{devMsg("5", "a", alert1201), devMsg("5", "b", statusGet)},
			last: devMsg("5", "a", replaceMod)},
		{name: "not decimal: the last one, other bytes", before: [][]byte{devMsg("5", "a", alert1201), devMsg("5", "b", statusGet)},
			last: devMsg("5", "b", replaceMod)},
		{name: "decimal after not decimal", before: [][]byte{devMsg("5", "x", alert1201)}, last: devMsg("5", "1", statusGet)},
		{name: "not decimal after decimal", before: [][]byte{m1}, last: devMsg("5", "x1", statusGet)},
		{name: "past uint64", before: [][]byte{devMsg("5", "99999999999999999999", alert1201)}, last: devMsg("5", "3", statusGet)},
		// after a refusal (407 and a challenge), the refused message again
		// with credentials
		{name: "package 1 refused, sent again with the same MsgID", auth: true,
			before: [][]byte{m1}, last: credMsg("5", "1", alert1201)},
		{name: "package 1 refused, sent again with the next MsgID", auth: true,
			before: [][]byte{m1}, last: credMsg("5", "2", alert1201)},
		{name: "refused in the session, sent again with the same MsgID", auth: true,
			before: [][]byte{credMsg("5", "1", alert1201), m2}, last: credMsg("5", "2", statusGet)},
		{name: "refused in the session, sent again with the next MsgID", auth: true,
			before: [][]byte{credMsg("5", "1", alert1201), m2}, last: credMsg("5", "3", statusGet)},
		// a message the Authenticator refuses gets its challenge, whatever
		// its MsgID
		{name: "reused MsgID without credentials", auth: true,
			before: [][]byte{credMsg("5", "1", alert1201), credMsg("5", "2", statusGet)}, last: devMsg("5", "2", replaceMod), challenged: true},
		{name: "reused MsgID with credentials", auth: true,
			before: [][]byte{credMsg("5", "1", alert1201), credMsg("5", "2", statusGet)}, last: credMsg("5", "1", replaceMod)},
	}
}

// counted is a Config counting its Handler's, OnStart's and BeforeReply's
// calls.
type counted struct {
	handler, onStart, beforeReply int
}

func (n *counted) config(auth bool) Config {
	cfg := Config{
		Handler:     HandlerFunc(func(context.Context, *Request) Response { n.handler++; return Response{} }),
		OnStart:     func(context.Context, *Session, Identity, bool) { n.onStart++ },
		BeforeReply: func(context.Context, *Session, *syncml.Message, *Exchange) { n.beforeReply++ },
	}
	if auth {
		cfg.Authenticator = credAuth
	}
	return cfg
}

// Only a byte-identical copy of the last message answered is a replay. A
// message of the session with a MsgID used before (other bytes) or a
// lower one is answered as a message of its own, as one with the next
// MsgID is: MsgIDs order the device's messages, and the session does not
// refuse a peer that reuses them (engine test scripts post many messages
// of one SessionID with MsgID 1). A session alert restarts the session
// whatever its MsgID; a message refused with a challenge may come again
// with credentials and any MsgID.
func TestSessionReusedMsgID(t *testing.T) {
	ctx := context.Background()
	for _, tc := range msgIDCases() {
		t.Run(tc.name, func(t *testing.T) {
			var n counted
			cfg := n.config(tc.auth)
			s := NewSession(&cfg)
			if err := s.Queue(get("./A"), get("./B")); err != nil {
				t.Fatal(err)
			}
			var lastReply []byte
			for i, raw := range tc.before {
				x, err := s.Handle(ctx, &Inbound{Raw: raw})
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				lastReply = x.Raw
			}
			was := n
			x, err := s.Handle(ctx, &Inbound{Raw: tc.last})
			switch {
			case err != nil:
				t.Fatalf("refused: %v", err)
			case x.Replayed != tc.replayed:
				t.Fatalf("Replayed %v", x.Replayed)
			case tc.replayed:
				if !bytes.Equal(x.Raw, lastReply) || n != was {
					t.Errorf("replay: reply differs or something ran (calls %+v, were %+v)", n, was)
				}
				return
			}
			code, _ := x.Reply.Body.Commands[0].(*syncml.Status).Code()
			if tc.challenged != (code == syncml.StatusMissingCredentials) {
				t.Fatalf("SyncHdr Status %d", code)
			}
			if !tc.challenged && n.beforeReply != was.beforeReply+1 {
				t.Errorf("BeforeReply ran %d times, want once", n.beforeReply-was.beforeReply)
			}
		})
	}
}

// TestServerReusedMsgID is TestSessionReusedMsgID over HTTP: the
// byte-identical replay is answered from the saved state (replayOf), the
// other messages run.
func TestServerReusedMsgID(t *testing.T) {
	ctx := context.Background()
	for _, tc := range msgIDCases() {
		t.Run(tc.name, func(t *testing.T) {
			var n counted
			store := NewMemoryStore()
			s := NewServer(ServerConfig{Session: n.config(tc.auth), Store: store})
			if err := s.Queue(ctx, "DEV1", get("./A"), get("./B")); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			var lastReply []byte
			for i, raw := range tc.before {
				code, body, _ := doPost(t, srv.URL, ContentType, raw)
				if code != 200 {
					t.Fatalf("message %d: HTTP %d: %s", i, code, body)
				}
				lastReply = body
			}
			state, _, err := store.Load(ctx, "DEV1")
			if err != nil {
				t.Fatal(err)
			}
			was := n
			code, body, _ := doPost(t, srv.URL, ContentType, tc.last)
			now, _, err := store.Load(ctx, "DEV1")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case code != 200:
				t.Fatalf("HTTP %d: %s", code, body)
			case tc.replayed:
				if !bytes.Equal(body, lastReply) || n != was || !bytes.Equal(now, state) {
					t.Errorf("replay: reply differs, something ran or the state changed (calls %+v, were %+v)", n, was)
				}
				return
			}
			var m syncml.Message
			if err := syncml.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
			st, _ := m.Body.Commands[0].(*syncml.Status).Code()
			if tc.challenged != (st == syncml.StatusMissingCredentials) {
				t.Fatalf("SyncHdr Status %d", st)
			}
			if !tc.challenged && n.beforeReply != was.beforeReply+1 {
				t.Errorf("BeforeReply ran %d times, want once", n.beforeReply-was.beforeReply)
			}
		})
	}
}
