package fuzz

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// sessionStateMessages are what a device sends in FuzzSessionState: a
// package 1, the answers to the Gets the server queues, a replay of the
// package 1 and a new session.
func sessionStateMessages() [][]byte {
	hdr := func(sess, msg string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>` + sess + `</SessionID><MsgID>` + msg + `</MsgID>` +
			`<Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody>`
	}
	pkg1 := []byte(hdr("1", "1") + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
	return [][]byte{
		pkg1,
		[]byte(hdr("1", "2") + `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
			`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
			`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Data>v</Data></Item></Results>` +
			`<Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>404</Data></Status><Final/></SyncBody></SyncML>`),
		pkg1,
		[]byte(hdr("2", "1") + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`),
	}
}

// FuzzSessionState hands arbitrary bytes to two session.Servers as the
// state their Stores hold for the device: one over a MemoryStore (whose
// state a Server's session shares rather than copying, see
// MemoryStore.loadKept) and one over another Store (which a Server reads
// with UnmarshalBinary). Seeds: the states a Server keeps between the
// messages of sessionStateMessages, and one of a device bound to an
// owner. Then the device sends each of those messages. No state may make
// either panic; both answer alike and keep the same state bytes.
func FuzzSessionState(f *testing.F) {
	ctx := context.Background()
	msgs := sessionStateMessages()
	cfg := session.Config{OnStart: func(_ context.Context, s *session.Session, _ session.Identity, first bool) {
		_ = s.Queue(session.NewGets("./A", "./B/C")...)
	}}
	post := func(s *session.Server, body []byte) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	{
		mem := session.NewMemoryStore()
		srv := session.NewServer(session.ServerConfig{Store: mem, Session: cfg})
		f.Add([]byte(nil), uint8(0))
		for i, m := range msgs {
			post(srv, m)
			st, _, err := mem.Load(ctx, "D")
			if err != nil {
				f.Fatal(err)
			}
			f.Add(st, uint8(i+1))
		}
	}
	{
		// a state with an owner (the last field): a device bound to a user
		mem := session.NewMemoryStore()
		owned := cfg
		owned.Authenticator = session.AuthenticatorFunc(func(context.Context, *session.AuthInput) (session.AuthDecision, error) {
			return session.AuthDecision{Identity: session.Identity{User: "alice", Method: "test"}}, nil
		})
		post(session.NewServer(session.ServerConfig{Store: mem, Session: owned}), msgs[0])
		st, _, err := mem.Load(ctx, "D")
		if err != nil || !bytes.HasSuffix(st, []byte("\x05alice")) {
			f.Fatalf("owned state %q, %v", st, err)
		}
		f.Add(st, uint8(1))
	}
	f.Fuzz(func(t *testing.T, state []byte, from uint8) {
		mem, other := session.NewMemoryStore(), session.NewMemoryStore()
		for _, s := range []*session.MemoryStore{mem, other} {
			if len(state) > 0 {
				if _, err := s.CompareAndSwap(ctx, "D", 0, state); err != nil {
					t.Fatal(err)
				}
			}
		}
		servers := [2]*session.Server{
			session.NewServer(session.ServerConfig{Store: mem, Session: cfg}),
			session.NewServer(session.ServerConfig{Store: wholeStore{other}, Session: cfg}),
		}
		for i := int(from) % len(msgs); i < len(msgs); i++ {
			c1, b1 := post(servers[0], msgs[i])
			c2, b2 := post(servers[1], msgs[i])
			if c1 != c2 || b1 != b2 {
				t.Fatalf("message %d: MemoryStore %d %q, other Store %d %q", i, c1, b1, c2, b2)
			}
			a, _, _ := mem.Load(ctx, "D")
			b, _, _ := other.Load(ctx, "D")
			if !bytes.Equal(a, b) {
				t.Fatalf("message %d: states differ:\nMemoryStore %q\nother Store %q", i, a, b)
			}
		}
	})
}
