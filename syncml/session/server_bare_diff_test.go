package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerBareFailedReplyDiff plays one device (a Client) against a
// Server (keyed sessions, which save nothing when a reply fails) and a
// bare Session configured alike, each device message handed to both. At
// random a message's reply fails first on both (ServerAuth cannot sign it,
// before packing or after) and the device sends it again. The bare
// Session puts its counters and nonce back after any failed reply: it must
// answer every message, the retries included, with the bytes (and the
// x-syncml-hmac) the Server answers, and hand BeforeReply the Outcomes the
// Server hands it, and the Unmatched (a failed reply's retry reports what
// the message answered, as the Server's does). Under MD5 the Authenticator's nonces
// come from a counter, one per side, so that they are alike.
func TestServerBareFailedReplyDiff(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("0123456789abcdef", 150) // 2400 bytes
	failures, steps, outcomes := 0, 0, 0
	for seed := range uint64(120) {
		rng := rand.New(rand.NewPCG(seed, 31))
		max := []int{700, 900, 1300, 2000, 6000}[rng.IntN(5)]
		md5 := rng.IntN(2) == 0
		signer := "srv"
		var outA, outS []string // the Outcomes BeforeReply got, of each side
		var srv *Server
		cfg := func(outs *[]string, bare bool) *Config {
			c := signFailing(&signer).cfg
			c.AnnounceMaxMsgSize = max
			if seed%2 == 1 {
				// the device's large Results are refused (413) in the
				// middle of their chunks: the commands held for them get
				// their Outcomes alone
				c.MaxObjectSize = 2000
			}
			c.BeforeReply = func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
				for _, o := range x.Outcomes {
					*outs = append(*outs, outcomeLine(o))
				}
				for _, c := range x.Unmatched {
					*outs = append(*outs, unmatchedLine(c))
				}
				_ = s.Queue(AbandonedGets(x.Outcomes)...)
			}
			if md5 {
				a := authServer(AuthMD5)
				c.Authenticator = a
				if bare {
					// the Server's first nonce (AuthInput.FirstNonce),
					// which a bare Session has not
					c.Authenticator = AuthenticatorFunc(func(ctx context.Context, in *AuthInput) (AuthDecision, error) {
						in.srv = srv
						return a.Authenticate(ctx, in)
					})
				}
			}
			return c
		}
		bare := NewSession(cfg(&outA, true))
		srv = NewServer(ServerConfig{Session: *cfg(&outS, false)})
		cmds := sweepCommands(rng, big, false)
		if err := bare.Queue(copiesOf(t, cmds)...); err != nil {
			t.Fatal(err)
		}
		if err := srv.Queue(ctx, "DEV1", copiesOf(t, cmds)...); err != nil {
			t.Fatal(err)
		}
		ccfg := ClientConfig{MaxMsgSize: max}
		if md5 {
			ccfg.LocName = "dev"
			ccfg.Credentials = &ClientAuth{Username: "dev", Password: "secret"}
		}
		c := sweepDevice(t, ccfg, big, rng, 10)
		post := func(raw []byte) (int, []byte, string) {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
			req.Header.Set("Content-Type", ContentType)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			return rec.Code, rec.Body.Bytes(), rec.Header().Get(HMACHeaderName)
		}
		sid := 1
		m, err := c.Start(ctx, fmt.Sprint(sid))
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 40; step++ {
			steps++
			raw, err := syncml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("seed %d (max %d, md5 %v) step %d", seed, max, md5, step)
			if rng.IntN(2) == 0 {
				signer = [2]string{"", "!"}[rng.IntN(2)]
				failures++
				if _, err := bare.Handle(ctx, &Inbound{Raw: raw}); err == nil {
					t.Fatalf("%s: the bare Session's reply under %q did not fail", what, signer)
				}
				if code, _, _ := post(raw); code == http.StatusOK {
					t.Fatalf("%s: the Server's reply under %q did not fail", what, signer)
				}
				signer = "srv"
			}
			outA, outS = nil, nil
			xa, errA := bare.Handle(ctx, &Inbound{Raw: raw})
			code, body, hmac := post(raw)
			if (errA == nil) != (code == http.StatusOK) {
				t.Fatalf("%s: bare Session %v, Server HTTP %d %s", what, errA, code, body)
			}
			if errA != nil {
				break
			}
			if !bytes.Equal(xa.Raw, body) {
				var ms syncml.Message
				_ = syncml.Unmarshal(body, &ms)
				t.Fatalf("%s: the replies differ:\nbare   %s\nServer %s\n%s", what, summary(xa.Reply), summary(&ms), firstDiff(string(xa.Raw), string(body)))
			}
			if got := xa.Header.Get(HMACHeaderName); got != hmac {
				t.Fatalf("%s: x-syncml-hmac: bare %q, Server %q", what, got, hmac)
			}
			if !slices.Equal(outA, outS) {
				t.Fatalf("%s: the Outcomes differ:\nbare   %q\nServer %q", what, outA, outS)
			}
			outcomes += len(outS)
			cx, err := c.HandleInbound(ctx, &Inbound{Raw: body})
			if errors.Is(err, ErrLimit) {
				break // the device's MaxMsgSize is too small for its own answers (MD5's header)
			}
			if err != nil {
				t.Fatalf("%s: device: %v", what, err)
			}
			if rng.IntN(12) == 0 {
				// the device starts over, whatever was in flight
				sid++
				if m, err = c.Start(ctx, fmt.Sprint(sid)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if cx.Done {
				break
			}
			m = cx.Reply
		}
	}
	t.Logf("%d steps, %d failed replies, %d Outcomes", steps, failures, outcomes)
	if failures < 100 {
		t.Errorf("only %d failed replies", failures)
	}
}

// outcomeLine says what an Outcome reports: the command (its MsgID, CmdID
// and targets), its status code, the items of its Results, and whether it
// was abandoned or not sent.
func outcomeLine(o Outcome) string {
	code, _ := o.Code()
	items := 0
	for _, r := range o.Results {
		items += len(r.Items)
	}
	return fmt.Sprintf("%s %s/%s %v %d results %d items %d abandoned %v err %v",
		o.Command.ElementName(), o.MsgID, o.Command.ID(), syncml.Targets(o.Command), code, len(o.Results), items, o.Abandoned, o.Err != nil)
}

// unmatchedLine says what an unmatched Status or Results names.
func unmatchedLine(c syncml.Command) string {
	switch c := c.(type) {
	case *syncml.Status:
		code, _ := c.Code()
		return fmt.Sprintf("unmatched Status %s/%s %s %d", c.MsgRef, c.CmdRef, c.Cmd, code)
	case *syncml.Results:
		return fmt.Sprintf("unmatched Results %s/%s %d items", c.MsgRef, c.CmdRef, len(c.Items))
	}
	return "unmatched " + c.ElementName()
}
