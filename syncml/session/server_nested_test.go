package session

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// nestedPeer is a server side, a bare Session or a Server, for the tests
// of the commands nested in a Sequence across a restart.
type nestedPeer interface {
	queue(t *testing.T, cmds ...syncml.Command)
	// handle returns the reply to raw (nil when it is not 200).
	handle(t *testing.T, raw []byte) *syncml.Message
}

type barePeer struct{ s *Session }

func (p barePeer) queue(t *testing.T, cmds ...syncml.Command) {
	if err := p.s.Queue(cmds...); err != nil {
		t.Fatal(err)
	}
}

func (p barePeer) handle(t *testing.T, raw []byte) *syncml.Message {
	x, err := p.s.Handle(context.Background(), &Inbound{Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	return x.Reply
}

type serverPeer struct{ s *Server }

func (p serverPeer) queue(t *testing.T, cmds ...syncml.Command) {
	if err := p.s.Queue(context.Background(), "DEV1", cmds...); err != nil {
		t.Fatal(err)
	}
}

func (p serverPeer) handle(t *testing.T, raw []byte) *syncml.Message {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	p.s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	var m syncml.Message
	if err := syncml.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// nestedPeers returns a bare Session and a Server configured by cfg.
func nestedPeers(cfg func() *Config) map[string]nestedPeer {
	return map[string]nestedPeer{
		"Session": barePeer{NewSession(cfg())},
		"Server":  serverPeer{NewServer(ServerConfig{Session: *cfg()})},
	}
}

// topGets lists the Targets of the Gets at the top level of m's body.
func topGets(m *syncml.Message) []string {
	var out []string
	for _, c := range m.Body.Commands {
		if _, ok := c.(*syncml.Get); ok {
			out = append(out, syncml.Targets(c)...)
		}
	}
	return out
}

// TestServerNestedGetsNotAskedAlone: the Gets of a Sequence a restart gave
// up go with their Sequence (AbandonedGets' doc): on a Server, whose state
// is decoded from its Store at each message, as on a bare Session.
// AbandonedGets told them apart from the Sequence's by pointer, and the
// decoded state has a command of its own for each Get recorded in Sent and
// for the Sequence's: on the Server they were asked again alone.
func TestServerNestedGetsNotAskedAlone(t *testing.T) {
	cfg := func() *Config {
		return &Config{BeforeReply: func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
			_ = s.Queue(AbandonedGets(x.Outcomes)...)
		}}
	}
	for name, p := range nestedPeers(cfg) {
		t.Run(name, func(t *testing.T) {
			p.queue(t, &syncml.Sequence{Commands: []syncml.Command{get("./Seq/a"), get("./Seq/b")}}, get("./Top"))
			c := newTestClient(t, nil)
			raw := startRaw(t, c, "1")
			reply := p.handle(t, raw)
			if got := topGets(reply); len(got) != 1 || got[0] != "./Top" {
				t.Fatalf("first reply: Gets %v, %v", got, summary(reply))
			}
			// the device starts over without answering
			raw = startRaw(t, c, "2")
			reply = p.handle(t, raw)
			if got := topGets(reply); len(got) != 1 || got[0] != "./Top" {
				t.Errorf("after the restart: Gets asked again %v, want [./Top] (the Sequence's go with it): %v", got, summary(reply))
			}
		})
	}
}

// TestServerRefusedRestartAbandons: commands sent in a Sequence whose
// session the device gives up after a refusal in its middle are not sent
// again, alone or in their Sequence, on a Server as on a bare Session:
// the restart abandons the Sequence (one Outcome) and the Get beside it.
func TestServerRefusedRestartAbandons(t *testing.T) {
	ctx := context.Background()
	refuse := false
	cfg := func() *Config {
		return &Config{Authenticator: AuthenticatorFunc(func(context.Context, *AuthInput) (AuthDecision, error) {
			if refuse {
				return AuthDecision{Code: syncml.StatusInvalidCredentials}, nil
			}
			return AuthDecision{}, nil
		})}
	}
	for name, p := range nestedPeers(cfg) {
		t.Run(name, func(t *testing.T) {
			refuse = false
			p.queue(t, &syncml.Sequence{Commands: []syncml.Command{get("./Seq/a"), get("./Seq/b")}}, get("./Top"))
			c := newTestClient(t, nil)
			raw := startRaw(t, c, "1")
			reply := p.handle(t, raw)
			cx, err := c.Handle(ctx, reply)
			if err != nil {
				t.Fatal(err)
			}
			// the device's answer is refused, and it starts over
			refuse = true
			raw, _ = syncml.Marshal(cx.Reply)
			p.handle(t, raw)
			refuse = false
			raw = startRaw(t, c, "2")
			reply = p.handle(t, raw)
			for _, c := range reply.Body.Commands {
				if _, ok := c.(*syncml.Status); !ok {
					t.Errorf("after the restart: %s sent again: %v", c.ElementName(), summary(reply))
				}
			}
		})
	}
}

// startRaw returns the encoding of c's package 1 of session sessionID.
func startRaw(t *testing.T, c *Client, sessionID string) []byte {
	t.Helper()
	m, err := c.Start(context.Background(), sessionID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
