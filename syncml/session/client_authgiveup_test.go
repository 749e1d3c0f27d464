package session

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// authGate is a loopback Server whose Authenticator refuses (401 and a
// basic challenge) the messages refuse names, and whose Handler notes the
// Replaces it runs, in order.
type authGate struct {
	mu     sync.Mutex
	refuse func(h *syncml.Header) bool
	got    []string
	posts  int
	srv    *httptest.Server
}

func newAuthGate(t *testing.T, cfg Config) *authGate {
	g := &authGate{}
	mux := NewMux()
	mux.Handle("Replace", HandlerFunc(func(_ context.Context, r *Request) Response {
		it := r.Command.ItemList()[0]
		uri := ""
		if it.Target != nil {
			uri = it.Target.LocURI
		} else if it.Source != nil {
			uri = it.Source.LocURI
		}
		g.mu.Lock()
		g.got = append(g.got, fmt.Sprintf("%s %d", uri, len(it.Data.Value)))
		g.mu.Unlock()
		return Response{}
	}))
	cfg.Handler = mux
	cfg.Authenticator = AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.posts++
		if g.refuse != nil && g.refuse(&in.Message.Header) {
			return AuthDecision{Code: syncml.StatusInvalidCredentials,
				Chal: &syncml.Chal{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}}}, nil
		}
		return AuthDecision{Identity: Identity{User: "u", Method: "basic"}}, nil
	})
	g.srv = httptest.NewServer(NewServer(ServerConfig{Session: cfg}))
	t.Cleanup(g.srv.Close)
	return g
}

// set makes the gate refuse what refuse names from now on, and forgets
// the Replaces run and the posts counted.
func (g *authGate) set(refuse func(h *syncml.Header) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refuse, g.got, g.posts = refuse, nil, 0
}

// seen returns the Replaces run and the posts counted since set.
func (g *authGate) seen() ([]string, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.got...), g.posts
}

// smallReplace is a Replace of "1" to uri.
func smallReplace(uri string) *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text("1")}}}
}

// outcomeCodes lists Outcomes as "Element target code" ("Abandoned"
// or the Err for those without a Status).
func outcomeCodes(outs []Outcome) []string {
	var l []string
	for _, o := range outs {
		what := o.Command.ElementName() + " " + strings.Join(syncml.Targets(o.Command), ",")
		switch code, err := o.Code(); {
		case o.Abandoned:
			l = append(l, what+" Abandoned")
		case err != nil:
			l = append(l, what+" "+err.Error())
		default:
			l = append(l, fmt.Sprintf("%s %d", what, int(code)))
		}
	}
	return l
}

// TestClientAuthGiveUpRequeues: a Client whose MaxAuthRetries run out (the
// server keeps refusing its credentials at the SyncHdr, so it ran none of
// the refused message) gives the session up with an error matching
// ErrAuthGaveUp and ErrInvalidCredentials, and sends the refused
// message's commands again in the next session, first, in order, each
// once; none is reported Abandoned, and those the server answered in
// earlier messages of the session keep their Outcomes.
//
//   - package1: the server refuses every message of session 1; the
//     device's queued Replaces A, B and C go in package 1 of session 2,
//     after its DevInfo (sent once), also when a first Start of session
//     2 fails (its Credentials do), which changes nothing;
//   - midsession: the server accepts package 1 (Replace A) and refuses
//     the device's second message, which carries the Replaces B and C
//     that BeforeReply queued: A keeps its 200, B and C go in session 2.
//
// Before the fix the refused message's commands came out in session 2 as
// Abandoned Outcomes and were not sent again, and the error matched no
// sentinel.
func TestClientAuthGiveUpRequeues(t *testing.T) {
	ctx := context.Background()
	creds := credFunc(func(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
		return &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}, Data: syncml.Text("dTpw")}, nil
	})
	const retries = 2
	t.Run("package1", func(t *testing.T) {
		g := newAuthGate(t, Config{})
		fail := false
		creds := credFunc(func(ctx context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
			if fail {
				return nil, errors.New("no credentials now")
			}
			return creds(ctx, chal)
		})
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, Credentials: creds,
			MaxAuthRetries: retries, DevInfo: DevInfo{DevID: "DEV1"}})
		if err != nil {
			t.Fatal(err)
		}
		a, b, cc := smallReplace("./Vendor/A"), smallReplace("./Vendor/B"), smallReplace("./Vendor/C")
		if err := c.Queue(a, b, cc); err != nil {
			t.Fatal(err)
		}
		g.set(func(*syncml.Header) bool { return true })
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1")
		if !errors.Is(err, ErrAuthGaveUp) || !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("session 1: %v; want an error matching ErrAuthGaveUp and ErrInvalidCredentials", err)
		}
		if got, posts := g.seen(); len(got) != 0 || posts != 1+retries || len(outs) != 0 {
			t.Errorf("session 1: the server ran %v in %d posts (want none in %d); Outcomes %v", got, posts, 1+retries, outcomeCodes(outs))
		}
		fail = true
		if _, err := c.Start(ctx, "2"); err == nil {
			t.Fatal("Start with failing Credentials: no error")
		}
		fail = false
		g.set(nil)
		outs, err = c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
		if err != nil {
			t.Fatalf("session 2: %v", err)
		}
		got, _ := g.seen()
		if d := cmp.Diff([]string{"./DevInfo/DevId 4", "./Vendor/A 1", "./Vendor/B 1", "./Vendor/C 1"}, got); d != "" {
			t.Errorf("session 2: the server ran (-want +got):\n%s", d)
		}
		want := []string{"Alert  200", "Replace  200", "Replace ./Vendor/A 200", "Replace ./Vendor/B 200", "Replace ./Vendor/C 200"}
		if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
			t.Errorf("session 2 Outcomes (-want +got):\n%s", d)
		}
	})
	t.Run("midsession", func(t *testing.T) {
		queued := false
		g := newAuthGate(t, Config{OnStart: func(ctx context.Context, s *Session, _ Identity, first bool) {
			if first {
				_ = s.Queue(get("./DevDetail/SwV")) // the device answers it
			}
		}})
		a, b, cc := smallReplace("./Vendor/A"), smallReplace("./Vendor/B"), smallReplace("./Vendor/C")
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, Credentials: creds,
			MaxAuthRetries: retries,
			BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
				if !queued {
					queued = true
					_ = c.Queue(b, cc)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Queue(a); err != nil {
			t.Fatal(err)
		}
		g.set(func(h *syncml.Header) bool { return h.SessionID == "1" && h.MsgID != "1" })
		outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1")
		if !errors.Is(err, ErrAuthGaveUp) || !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("session 1: %v; want an error matching ErrAuthGaveUp and ErrInvalidCredentials", err)
		}
		got, posts := g.seen()
		if d := cmp.Diff([]string{"./Vendor/A 1"}, got); d != "" || posts != 2+retries {
			t.Errorf("session 1: %d posts (want %d); the server ran (-want +got):\n%s", posts, 2+retries, d)
		}
		if d := cmp.Diff([]string{"Alert  200", "Replace ./Vendor/A 200"}, outcomeCodes(outs)); d != "" {
			t.Errorf("session 1 Outcomes (-want +got):\n%s", d)
		}
		g.set(nil)
		outs, err = c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
		if err != nil {
			t.Fatalf("session 2: %v", err)
		}
		got, _ = g.seen()
		if d := cmp.Diff([]string{"./Vendor/B 1", "./Vendor/C 1"}, got); d != "" {
			t.Errorf("session 2: the server ran (-want +got):\n%s", d)
		}
		want := []string{"Alert  200", "Replace ./Vendor/B 200", "Replace ./Vendor/C 200"}
		if d := cmp.Diff(want, outcomeCodes(outs)); d != "" {
			t.Errorf("session 2 Outcomes (-want +got):\n%s", d)
		}
	})
}

// TestClientAuthGiveUpChunksEach: the messages a session gives up on
// continue an object begun in package 1, whose first chunk followed what
// EachMessage gave package 1. A message that continues an object carries
// nothing of EachMessage (the chunks go one after another), so the
// refused ones hold only chunks: the object goes again whole in the next
// session, the chunk sent first is not reported, and no EachMessage
// command comes back with an Err, nor Abandoned. The device queues a small
// Replace A, a 5000-byte Replace B (in chunks: the server's MaxMsgSize is
// 1500) and a small Replace C; package 1 of session 2 carries EachMessage's
// command, A and B's first chunk, and the server refuses every later
// message of session 2. Session 3 reports in every message too.
func TestClientAuthGiveUpChunksEach(t *testing.T) {
	ctx := context.Background()
	creds := credFunc(func(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
		return &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}, Data: syncml.Text("dTpw")}, nil
	})
	const retries = 2
	g := newAuthGate(t, Config{AnnounceMaxMsgSize: 1500})
	each := false // EachMessage gives a command in session 2 only
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, Credentials: creds, MaxAuthRetries: retries,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if !each {
				return nil, nil
			}
			return []syncml.Command{smallReplace("./Vendor/Each")}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Session 1 learns the server's MaxMsgSize.
	if _, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "1"); err != nil {
		t.Fatal(err)
	}
	a, b, cc := smallReplace("./Vendor/A"), bigReplace(5000), smallReplace("./Vendor/C")
	if err := c.Queue(a, b, cc); err != nil {
		t.Fatal(err)
	}
	g.set(func(h *syncml.Header) bool { return h.SessionID == "2" && h.MsgID != "1" })
	each = true
	outs, err := c.Run(ctx, g.srv.Client(), g.srv.URL, "2")
	each = false
	if !errors.Is(err, ErrAuthGaveUp) || !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("session 2: %v; want an error matching ErrAuthGaveUp and ErrInvalidCredentials", err)
	}
	got, _ := g.seen()
	if d := cmp.Diff([]string{"./Vendor/Each 1", "./Vendor/A 1"}, got); d != "" {
		t.Errorf("session 2: the server ran (-want +got):\n%s", d)
	}
	refusedEach := func(outs []Outcome) int {
		n := 0
		for _, o := range outs {
			if errors.Is(o.Err, ErrInvalidCredentials) && slices.Equal(syncml.Targets(o.Command), []string{"./Vendor/Each"}) {
				n++
			}
		}
		return n
	}
	if n := refusedEach(outs); n != 0 {
		t.Errorf("session 2: %d EachMessage Outcomes with an Err, want none (the refused messages continue B): %v", n, outcomeCodes(outs))
	}
	g.set(nil)
	each = true
	outs, err = c.Run(ctx, g.srv.Client(), g.srv.URL, "3")
	if err != nil {
		t.Fatalf("session 3: %v", err)
	}
	got, _ = g.seen()
	if len(got) < 2 || got[len(got)-2] != "./Vendor/Big 5000" || got[len(got)-1] != "./Vendor/C 1" || slices.Contains(got, "./Vendor/A 1") {
		t.Errorf("session 3: the server ran %q, want EachMessage's command(s), then B whole and C", got)
	}
	if n := refusedEach(outs); n != 0 {
		t.Errorf("session 3: %d EachMessage Outcomes with an Err, want none: %v", n, outcomeCodes(outs))
	}
	for _, o := range outs {
		if o.Abandoned {
			t.Errorf("session 3: Abandoned %s %v", o.Command.ElementName(), syncml.Targets(o.Command))
		}
		if o.Command == b || o.Command == cc {
			if code, err := o.Code(); err != nil || code != 200 {
				t.Errorf("session 3: %v: %v %v", syncml.Targets(o.Command), code, err)
			}
		}
	}
}

// TestClientAuthGiveUpStartAlerts: a package 1 refused until the session
// is given up carried the alerts Start was given (client events, such as
// a LoginStatus); they belong to that session, as Alert 1201 and the
// DevInfo do, and Start is given the next session's. So they do not go
// back to the queue: they come back as Outcomes with an Err matching
// ErrInvalidCredentials, as EachMessage's commands of a refused message
// do, and each next package 1 carries only the alerts its Start was
// given. The queued Replace A still goes again, once. A device that runs
// each session with its alert (a retry loop) gives the server one alert
// per session. Before, the alerts went back to the queue: after three
// sessions given up, the fourth package 1 held the LoginStatus alert four
// times, and none came back in an Outcome.
func TestClientAuthGiveUpStartAlerts(t *testing.T) {
	ctx := context.Background()
	creds := credFunc(func(_ context.Context, chal *syncml.Chal) (*syncml.Cred, error) {
		return &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}, Data: syncml.Text("dTpw")}, nil
	})
	for _, devInfo := range []bool{false, true} {
		t.Run(fmt.Sprint("devinfo-", devInfo), func(t *testing.T) {
			g := newAuthGate(t, Config{})
			cfg := ClientConfig{DeviceID: "DEV1", ServerURI: g.srv.URL, Credentials: creds, MaxAuthRetries: 1}
			if devInfo {
				cfg.DevInfo = DevInfo{DevID: "DEV1"}
			}
			c, err := NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Queue(smallReplace("./Vendor/A")); err != nil {
				t.Fatal(err)
			}
			login := func(s string) *syncml.Alert {
				return NewClientEvent(syncml.AlertCode(1224), "com.microsoft/MDM/LoginStatus", s)
			}
			var outs []Outcome
			g.set(func(*syncml.Header) bool { return true })
			for _, id := range []string{"1", "2", "3"} {
				o, err := c.Run(ctx, g.srv.Client(), g.srv.URL, id, login("user"+id))
				if !errors.Is(err, ErrAuthGaveUp) {
					t.Fatalf("session %s: %v, want ErrAuthGaveUp", id, err)
				}
				outs = append(outs, o...)
			}
			g.set(nil)
			m, err := c.Start(ctx, "4", login("user4"))
			if err != nil {
				t.Fatal(err)
			}
			var alerts []string
			replaces := 0
			for _, x := range m.Body.Commands {
				switch x := x.(type) {
				case *syncml.Alert:
					if len(x.Items) > 0 {
						alerts = append(alerts, x.Items[0].Data.Value)
					}
				case *syncml.Replace:
					replaces++
				}
			}
			if d := cmp.Diff([]string{"user4"}, alerts); d != "" {
				t.Errorf("package 1 of session 4 carries the alerts (-want +got):\n%s", d)
			}
			if want := 1 + btoi(devInfo); replaces != want {
				t.Errorf("package 1 of session 4 carries %d Replaces, want %d (A once, and the DevInfo)", replaces, want)
			}
			raw, err := syncml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			x, err := c.Handle(ctx, post(t, g.srv.URL, raw))
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, x.Outcomes...)
			var refused []string
			for _, o := range outs {
				a, ok := o.Command.(*syncml.Alert)
				if !ok || len(a.Items) == 0 {
					continue
				}
				if o.SessionID == "4" && (o.Abandoned || o.Err != nil || o.Status == nil) {
					t.Errorf("the Outcome of the alert of session 4: Abandoned %v, Err %v, Status %v; want the server's Status", o.Abandoned, o.Err, o.Status)
				} else if o.SessionID != "4" && (o.Abandoned || !errors.Is(o.Err, ErrInvalidCredentials)) {
					t.Errorf("the Outcome of the alert of session %s: Abandoned %v, Err %v; want an Err matching ErrInvalidCredentials", o.SessionID, o.Abandoned, o.Err)
				}
				refused = append(refused, o.SessionID+" "+a.Items[0].Data.Value)
			}
			if d := cmp.Diff([]string{"1 user1", "2 user2", "3 user3", "4 user4"}, refused); d != "" {
				t.Errorf("the alerts of the sessions given up come back as (-want +got):\n%s", d)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
