package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The device's messages of the tests below: a package 1, a message that
// starts a session by its SessionID alone, an abort.
const (
	hdrStatus200 = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	replaceInfo  = `<Replace><CmdID>2</CmdID><Item><Target><LocURI>./DevInfo/Ext/X</LocURI></Target><Data>v</Data></Item></Replace>`
	abort1223    = hdrStatus200 + `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`
)

// abandonedOf lists the targets of the abandoned commands among outs.
func abandonedOf(outs []Outcome) []string {
	var t []string
	for _, o := range outs {
		if o.Abandoned {
			t = append(t, syncml.Targets(o.Command)...)
		}
	}
	return t
}

// A message that restarts the session (Alert 1201, or a SessionID alone)
// or aborts it (Alert 1223) gives up the Gets sent and not answered; when
// its reply cannot be made (the device's MaxMsgSize is too small for any
// reply: Handle's error), the Gets are not lost with it: the device's
// next message (its retry, or a new session) reports them Abandoned, once,
// AbandonedGets returns them, and queued again in BeforeReply they go out
// once. A restart's retry runs OnStart as the first try did. Before, the
// failed reply's abandon stayed: no Outcome ever reported them.
func TestFailedRestartReplyKeepsSent(t *testing.T) {
	want := []string{"./A", "./B", "./C"}
	for _, tc := range []struct {
		name     string
		fail, ok []byte
		abort    bool // the reply to ok carries no command
		starts   int  // the times OnStart runs for ok
	}{
		{"restart, then a new session",
			sizedMsg("2", "1", 200, alert1201, true), sizedMsg("3", "1", 5000, alert1201, true), false, 1},
		{"restart retried",
			sizedMsg("2", "1", 200, alert1201, true), sizedMsg("2", "1", 5000, alert1201, true), false, 1},
		{"new SessionID alone, retried",
			sizedMsg("2", "1", 200, replaceInfo, true), sizedMsg("2", "1", 5000, replaceInfo, true), false, 1},
		{"new SessionID alone, then package 1",
			sizedMsg("2", "1", 200, replaceInfo, true), sizedMsg("2", "1", 5000, alert1201, true), false, 1},
		{"abort, then a new session",
			sizedMsg("1", "2", 60, abort1223, true), sizedMsg("2", "1", 5000, alert1201, true), false, 1},
		{"abort retried",
			sizedMsg("1", "2", 60, abort1223, true), sizedMsg("1", "2", 5000, abort1223, true), true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			starts := 0
			s := NewSession(&Config{
				OnStart: func(context.Context, *Session, Identity, bool) { starts++ },
				BeforeReply: func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
					_ = s.Queue(AbandonedGets(x.Outcomes)...)
				},
			})
			if err := s.Queue(get("./A"), get("./B"), get("./C")); err != nil {
				t.Fatal(err)
			}
			x := handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
			if got := sentGets(x.Reply); !slices.Equal(got, want) {
				t.Fatalf("first reply's Gets %q, want %q", got, want)
			}
			if _, err := s.Handle(ctx, &Inbound{Raw: tc.fail}); !errors.Is(err, ErrLimit) {
				t.Fatalf("the message with a small MaxMsgSize: %v, want ErrLimit", err)
			}
			starts = 0
			x = handle(t, s, tc.ok)
			if got := abandonedOf(x.Outcomes); !slices.Equal(got, want) {
				t.Errorf("Abandoned %q, want %q (Outcomes %d)", got, want, len(x.Outcomes))
			}
			var again []string
			for _, g := range AbandonedGets(x.Outcomes) {
				again = append(again, syncml.Targets(g)...)
			}
			if !slices.Equal(again, want) {
				t.Errorf("AbandonedGets %q, want %q", again, want)
			}
			if starts != tc.starts {
				t.Errorf("OnStart ran %d times for the device's next message, want %d", starts, tc.starts)
			}
			if tc.abort {
				if got := sentGets(x.Reply); len(got) != 0 || s.Queued() != len(want) {
					t.Errorf("abort's reply carries Gets %q, %d queued; want none, %d", got, s.Queued(), len(want))
				}
				x = handle(t, s, sizedMsg("2", "1", 5000, alert1201, true))
				if got := abandonedOf(x.Outcomes); len(got) != 0 {
					t.Errorf("the next session reports %q Abandoned again", got)
				}
			}
			if got := sentGets(x.Reply); !slices.Equal(got, want) {
				t.Errorf("the Gets asked again: %q, want %q once", got, want)
			}
		})
	}
}

// An abort whose message answers one of the Gets sent, and whose reply
// fails, reports that Get with its Status when the device retries it (the
// others Abandoned): the Status taken by the failed try is not lost.
func TestFailedAbortReplyKeepsAnswers(t *testing.T) {
	s := NewSession(nil)
	if err := s.Queue(get("./A"), get("./B")); err != nil {
		t.Fatal(err)
	}
	x := handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
	var id string
	for _, c := range x.Reply.Body.Commands {
		if g, ok := c.(*syncml.Get); ok && syncml.Targets(g)[0] == "./A" {
			id = g.CmdID
		}
	}
	body := hdrStatus200 + `<Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>` + id + `</CmdRef><Cmd>Get</Cmd><Data>404</Data></Status>` +
		`<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`
	if _, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "2", 60, body, true)}); !errors.Is(err, ErrLimit) {
		t.Fatalf("abort with MaxMsgSize 60: %v, want ErrLimit", err)
	}
	x = handle(t, s, sizedMsg("1", "2", 5000, body, true))
	var got []string
	for _, o := range x.Outcomes {
		code, _ := o.Code()
		got = append(got, fmt.Sprintf("%s %v %d", syncml.Targets(o.Command)[0], o.Abandoned, code))
	}
	if want := []string{"./A false 404", "./B true 0"}; !slices.Equal(got, want) {
		t.Errorf("Outcomes %q, want %q; Unmatched %d", got, want, len(x.Unmatched))
	}
}

// A restart or abort whose reply fails (ServerAuth cannot sign it, after
// the reply was packed or before) leaves the state as it was before the
// message, byte for byte: the Gets sent, an object of this side's in
// flight, the rest of its package, the session's counters and the
// refusal the device starts over after. The retry then does what the
// first try would have: an object in flight goes out whole, once; a
// device that starts over after a refusal gets the commands it was
// answering again, not Abandoned.
func TestFailedRestartReplyRestoresState(t *testing.T) {
	data := strings.Repeat("0123456789", 300)
	for _, tc := range []struct {
		name string
		// queue queues, first runs the first session up to the message
		// that fails, returned
		setup func(t *testing.T, s *Session, refuse *int) []byte
		// check checks the retry's Exchange
		check func(t *testing.T, x *Exchange)
	}{
		{"restart with Gets sent", func(t *testing.T, s *Session, _ *int) []byte {
			_ = s.Queue(get("./A"), get("./B"))
			handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
			return sizedMsg("2", "1", 5000, alert1201, true)
		}, func(t *testing.T, x *Exchange) {
			if got := abandonedOf(x.Outcomes); !slices.Equal(got, []string{"./A", "./B"}) {
				t.Errorf("Abandoned %q, want ./A ./B", got)
			}
		}},
		{"new SessionID with Gets sent", func(t *testing.T, s *Session, _ *int) []byte {
			_ = s.Queue(get("./A"), get("./B"))
			handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
			return sizedMsg("2", "1", 5000, replaceInfo, true)
		}, func(t *testing.T, x *Exchange) {
			if got := abandonedOf(x.Outcomes); !slices.Equal(got, []string{"./A", "./B"}) {
				t.Errorf("Abandoned %q, want ./A ./B", got)
			}
		}},
		{"abort with Gets sent", func(t *testing.T, s *Session, _ *int) []byte {
			_ = s.Queue(get("./A"), get("./B"))
			handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
			return sizedMsg("1", "2", 5000, abort1223, true)
		}, func(t *testing.T, x *Exchange) {
			if got := abandonedOf(x.Outcomes); !slices.Equal(got, []string{"./A", "./B"}) {
				t.Errorf("Abandoned %q, want ./A ./B", got)
			}
		}},
		{"restart with an object in flight", func(t *testing.T, s *Session, _ *int) []byte {
			_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/X"}, Data: syncml.Text(data)}}}, get("./After"))
			x := handle(t, s, sizedMsg("1", "1", 1200, alert1201, true))
			if r, ok := x.Reply.Body.Commands[len(x.Reply.Body.Commands)-1].(*syncml.Replace); !ok || !r.Items[0].MoreData {
				t.Fatalf("the first reply does not end with a chunk: %v", summary(x.Reply))
			}
			return sizedMsg("2", "1", 20000, alert1201, true)
		}, func(t *testing.T, x *Exchange) {
			var got []string
			for _, c := range x.Reply.Body.Commands {
				switch c := c.(type) {
				case *syncml.Replace:
					if c.Items[0].MoreData || c.Items[0].Data.Value != data {
						t.Errorf("the Replace goes out with %d bytes (more: %v), want its %d whole", len(c.Items[0].Data.Value), c.Items[0].MoreData, len(data))
					}
					got = append(got, "Replace")
				case *syncml.Get:
					got = append(got, syncml.Targets(c)...)
				}
			}
			if !slices.Equal(got, []string{"Replace", "./After"}) {
				t.Errorf("the retry sends %q, want the Replace whole, then ./After", got)
			}
		}},
		{"package 1 after a refusal", func(t *testing.T, s *Session, refuse *int) []byte {
			_ = s.Queue(get("./A"), get("./B"))
			handle(t, s, sizedMsg("1", "1", 5000, alert1201, true))
			*refuse = 1
			x := handle(t, s, sizedMsg("1", "2", 5000, hdrStatus200, true))
			if x.Refused == nil {
				t.Fatal("message 2 was not refused")
			}
			// a command of the device's own; the restart gives up the Gets
			// the refused message answered (the device may have run them)
			return sizedMsg("1", "3", 5000, alert1201+replaceInfo, true)
		}, func(t *testing.T, x *Exchange) {
			if got := abandonedOf(x.Outcomes); !slices.Equal(got, []string{"./A", "./B"}) {
				t.Errorf("Abandoned %q, want ./A ./B, once (the failed reply's put back)", got)
			}
			if got := sentGets(x.Reply); len(got) != 0 {
				t.Errorf("the retry sends %q, want nothing again", got)
			}
			if x.Reply.Header.MsgID != "3" {
				t.Errorf("the retry's reply is MsgID %s, want 3 (1 and 2 were sent)", x.Reply.Header.MsgID)
			}
		}},
	} {
		for _, fail := range []string{"", "!"} {
			t.Run(fmt.Sprintf("%s/fail %q", tc.name, fail), func(t *testing.T) {
				name, refuse := "srv", 0
				s := signFailing(&name)
				s.cfg.Authenticator = AuthenticatorFunc(func(context.Context, *AuthInput) (AuthDecision, error) {
					if refuse > 0 {
						refuse--
						return AuthDecision{Code: syncml.StatusInvalidCredentials}, nil
					}
					return AuthDecision{}, nil
				})
				raw := tc.setup(t, s, &refuse)
				before, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				sumBefore := stateSummary(s)
				name = fail
				if _, err := s.Handle(context.Background(), &Inbound{Raw: raw}); err == nil {
					t.Fatal("the reply did not fail")
				}
				after, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				// the state kept may hold the sent commands as the reply
				// encoded them: the Session's own are compared too
				if sum := stateSummary(s); sum != sumBefore {
					t.Errorf("the failed reply changed the Session:\nbefore %s\nafter  %s", sumBefore, sum)
				}
				b, a := withoutQueuedIDs(t, before), withoutQueuedIDs(t, after)
				if !bytes.Equal(b, a) {
					var sb, sa Session
					_ = sb.UnmarshalBinary(b)
					_ = sa.UnmarshalBinary(a)
					t.Errorf("the failed reply changed the state:\nbefore %s\nafter  %s\n%s", stateSummary(&sb), stateSummary(&sa), firstDiff(string(a), string(b)))
				}
				name = "srv"
				tc.check(t, handle(t, s, raw))
			})
		}
	}
}

// withoutQueuedIDs returns the state b without the CmdIDs of the commands
// queued and of the rest of the package: a failed reply numbers those it
// would have carried, and they are numbered again when they go out.
func withoutQueuedIDs(t *testing.T, b []byte) []byte {
	t.Helper()
	var s Session
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	var flat []syncml.Command
	flattenAll(s.st.Queue, &flat)
	flattenAll(s.st.Cont, &flat)
	for _, c := range flat {
		c.SetID("")
	}
	out, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stateSummary describes what a failed reply must not change of st.
func stateSummary(s *Session) string {
	st := &s.st
	var sent []string
	for _, e := range st.Sent.sent {
		sent = append(sent, fmt.Sprintf("%s/%s:%s(status %v)", e.MsgID, e.Cmd.ID(), e.Cmd.ElementName(), e.Status != nil))
	}
	return fmt.Sprintf("session %q in %q out %d ended %v queue %d cont %d sent %v LO %v refused %q/%d auth %v",
		st.SessionID, st.InMsgID, st.OutMsgID, st.Ended, len(st.Queue), len(st.Cont), sent, st.LO != nil,
		st.RefusedSession, st.RefusedOut, st.Auth != nil)
}

// A Server saves no state when Handle fails: a restart or abort whose
// reply cannot be made gives up nothing, and the Gets are reported
// Abandoned once, by the exchange of the device's next message.
func TestServerFailedRestartReplyKeepsSent(t *testing.T) {
	want := []string{"./A", "./B"}
	for _, fail := range [][]byte{
		sizedMsg("2", "1", 200, alert1201, true),
		sizedMsg("1", "2", 60, abort1223, true),
	} {
		var abandoned []string
		srv := NewServer(ServerConfig{
			OnExchange: func(_ context.Context, x *Exchange) { abandoned = append(abandoned, abandonedOf(x.Outcomes)...) },
			Session: Config{BeforeReply: func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
				_ = s.Queue(AbandonedGets(x.Outcomes)...)
			}},
		})
		post := func(raw []byte) (int, *syncml.Message) {
			r := httptest.NewRequest(http.MethodPost, "/ManagementServer/MDM.svc", bytes.NewReader(raw))
			r.Header.Set("Content-Type", ContentType)
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			var m syncml.Message
			if w.Code == http.StatusOK {
				if err := syncml.Unmarshal(w.Body.Bytes(), &m); err != nil {
					t.Fatal(err)
				}
			}
			return w.Code, &m
		}
		if err := srv.Queue(context.Background(), "DEV1", get("./A"), get("./B")); err != nil {
			t.Fatal(err)
		}
		if code, m := post(sizedMsg("1", "1", 5000, alert1201, true)); code != http.StatusOK || !slices.Equal(sentGets(m), want) {
			t.Fatalf("first reply: HTTP %d, Gets %q", code, sentGets(m))
		}
		if code, _ := post(fail); code != http.StatusBadRequest {
			t.Fatalf("the message with a small MaxMsgSize: HTTP %d, want 400", code)
		}
		if len(abandoned) != 0 {
			t.Fatalf("the failed exchange reported %q Abandoned", abandoned)
		}
		code, m := post(sizedMsg("3", "1", 5000, alert1201, true))
		if code != http.StatusOK || !slices.Equal(abandoned, want) {
			t.Errorf("next session: HTTP %d, Abandoned %q, want %q once", code, abandoned, want)
		}
		if got := sentGets(m); !slices.Equal(got, want) {
			t.Errorf("the Gets asked again: %q, want %q", got, want)
		}
	}
}

// An abort whose reply cannot be signed leaves the signature of the last
// reply sent, with the rest of the state: a replay of the message that
// reply answered goes out with it. Before, the failed reply had cleared
// it, and the replay went without its x-syncml-hmac header (which a
// device checking the server refuses).
func TestFailedSignKeepsLastSignature(t *testing.T) {
	name := "srv"
	s := signFailing(&name)
	first := sizedMsg("1", "1", 5000, alert1201, true)
	x := handle(t, s, first)
	want := x.Header.Get(HMACHeaderName)
	if want == "" {
		t.Fatal("the reply is not signed")
	}
	name = ""
	if _, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "2", 5000, abort1223, true)}); err == nil {
		t.Fatal("the reply signed under an empty name did not fail")
	}
	name = "srv"
	x = handle(t, s, first)
	if !x.Replayed || x.Header.Get(HMACHeaderName) != want {
		t.Errorf("replay (%v) signed %q, want %q", x.Replayed, x.Header.Get(HMACHeaderName), want)
	}
}
