package session

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestFailedReplyThenStartOver: the device answers the server's Replace
// and Get, and the reply to that answer fails (ServerAuth cannot sign it).
// A Server saves nothing when a reply fails, and a bare Session should
// behave as it does:
//   - "retry": the device sends its answer again: the retry's Outcomes
//     hold the Replace's Status and the Get's Status and Results;
//   - "start over": the device does not send it again but starts a new
//     session: both commands are reported Abandoned, and the Get is asked
//     again (AbandonedGets in BeforeReply).
//
// A bare Session took the failed message's Statuses and Results out of
// Sent with no Outcome: on the retry they matched nothing (the Replace's
// Outcome was never reported), and after the restart nothing reported
// either command and the Get was not asked again. Its failed reply now
// puts the records receive changed back (restore.answered).
func TestFailedReplyThenStartOver(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ side, next string }{{"Server", "start over"}, {"Session", "start over"}, {"Server", "retry"}, {"Session", "retry"}} {
		side := tc.side
		t.Run(side+", "+tc.next, func(t *testing.T) {
			signer := "srv"
			var outcomes []Outcome
			cfg := signFailing(&signer).cfg
			cfg.BeforeReply = func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
				outcomes = append(outcomes, x.Outcomes...)
				_ = s.Queue(AbandonedGets(x.Outcomes)...)
			}
			replace := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/X"}, Data: syncml.Text("1")}}}
			var handle func(raw []byte) (*syncml.Message, bool)
			switch side {
			case "Session":
				s := NewSession(cfg)
				if err := s.Queue(replace, get("./DevDetail/SwV")); err != nil {
					t.Fatal(err)
				}
				handle = func(raw []byte) (*syncml.Message, bool) {
					x, err := s.Handle(ctx, &Inbound{Raw: raw})
					if err != nil {
						return nil, false
					}
					return x.Reply, true
				}
			case "Server":
				srv := NewServer(ServerConfig{Session: *cfg})
				if err := srv.Queue(ctx, "DEV1", replace, get("./DevDetail/SwV")); err != nil {
					t.Fatal(err)
				}
				handle = func(raw []byte) (*syncml.Message, bool) {
					req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
					req.Header.Set("Content-Type", ContentType)
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						return nil, false
					}
					var m syncml.Message
					if err := syncml.Unmarshal(rec.Body.Bytes(), &m); err != nil {
						t.Fatal(err)
					}
					return &m, true
				}
			}
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(_ context.Context, r *Request) Response {
				if _, ok := r.Command.(*syncml.Get); ok {
					return Response{Results: []syncml.Item{{Source: r.Command.ItemList()[0].Target, Data: syncml.Text("v")}}}
				}
				return Response{}
			}))
			c := newTestClient(t, mux)
			raw := startRaw(t, c, "1")
			reply, ok := handle(raw)
			if !ok {
				t.Fatal("package 1 failed")
			}
			cx, err := c.Handle(ctx, reply)
			if err != nil {
				t.Fatal(err)
			}
			// the device's answer: its reply fails
			raw, _ = syncml.Marshal(cx.Reply)
			signer = "!"
			if _, ok := handle(raw); ok {
				t.Fatal("the reply to the device's answer did not fail")
			}
			signer = "srv"
			outcomes = nil
			if tc.next == "retry" {
				// the device sends its answer again: the Outcomes come
				// with the retry's reply, the Get's with its Results
				if _, ok := handle(raw); !ok {
					t.Fatal("the retry failed")
				}
				var got []string
				for _, o := range outcomes {
					code, _ := o.Code()
					got = append(got, o.Command.ElementName()+" "+syncml.Targets(o.Command)[0]+" "+strconv.Itoa(int(code))+" results "+strconv.Itoa(len(o.Results)))
				}
				slices.Sort(got)
				if want := []string{"Get ./DevDetail/SwV 200 results 1", "Replace ./Vendor/X 200 results 0"}; !slices.Equal(got, want) {
					t.Errorf("Outcomes of the retry: %v, want %v", got, want)
				}
				return
			}
			// the device starts over instead of sending its answer again
			raw = startRaw(t, c, "2")
			reply, ok = handle(raw)
			if !ok {
				t.Fatal("the new session's package 1 failed")
			}
			var got []string
			for _, o := range outcomes {
				got = append(got, o.Command.ElementName()+" "+syncml.Targets(o.Command)[0])
			}
			slices.Sort(got)
			if want := []string{"Get ./DevDetail/SwV", "Replace ./Vendor/X"}; !slices.Equal(got, want) {
				t.Errorf("Outcomes after the restart: %v, want %v (abandoned: the answer that carried their Statuses got no reply)", got, want)
			}
			if gets := topGets(reply); !slices.Equal(gets, []string{"./DevDetail/SwV"}) {
				t.Errorf("Gets asked again after the restart: %v, want [./DevDetail/SwV]: %v", gets, summary(reply))
			}
		})
	}
}

// TestFailedReplyHeldReleased: a Get's Status arrived with the first chunk
// of its Results (held for the whole object), and the device's next
// message cuts the object (it carries no Status nor Results: the Get's
// Outcome goes out with its Status alone). The reply to that message
// fails; the device's retry of it must report the Get's Outcome, which
// the failed reply took with it otherwise (no Status or Results in the
// message, yet receive released the held record).
func TestFailedReplyHeldReleased(t *testing.T) {
	signer := "srv"
	s := signFailing(&signer)
	_ = s.Queue(get("./A"))
	handle(t, s, devMsg("1", "1", alert1201)) // the Get goes out as CmdID 3 of message 1
	x := handle(t, s, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Item><Source><LocURI>./A</LocURI></Source><Meta><Size xmlns="syncml:metinf">6</Size></Meta><Data>abc</Data><MoreData/></Item></Results>`))
	if len(x.Outcomes) != 0 {
		t.Fatalf("first chunk: outcomes %+v", x.Outcomes)
	}
	cut := devMsg("1", "3", `<Alert><CmdID>1</CmdID><Data>1224</Data><Item><Data>x</Data></Item></Alert>`)
	signer = "!"
	if _, err := s.Handle(context.Background(), &Inbound{Raw: cut}); err == nil {
		t.Fatal("the reply to the cut did not fail")
	}
	signer = "srv"
	x = handle(t, s, cut)
	if len(x.Outcomes) != 1 || x.Outcomes[0].Command.ElementName() != "Get" || x.Outcomes[0].Status == nil || len(x.Outcomes[0].Results) != 0 {
		t.Errorf("the retry of the cut: outcomes %+v, want the Get's with its Status alone", x.Outcomes)
	}
}
