package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A device whose message is refused in the middle of a session and that
// starts over with package 1 (as Windows does after an authentication
// refusal) does not get the server's commands it was answering again: it
// ran them once, its answer was what was refused, and a second run of an
// Exec or an Add is not the server's to make. They are Abandoned, as in
// any restart, once each, in the order sent; AbandonedGets gives the reads
// to ask again.
func TestRefusedThenPackage1Abandons(t *testing.T) {
	for _, newID := range []bool{false, true} {
		name := "same SessionID"
		if newID {
			name = "new SessionID"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			refuse := 0 // refuse the next this many messages
			s := NewSession(&Config{Authenticator: AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
				if refuse > 0 {
					refuse--
					return AuthDecision{Code: syncml.StatusInvalidCredentials}, nil
				}
				return AuthDecision{}, nil
			})})
			want := []string{"./DevDetail/A", "./DevDetail/B", "./DevDetail/C"}
			for _, u := range want {
				if err := s.Queue(get(u)); err != nil {
					t.Fatal(err)
				}
			}
			var ran []string
			mux := NewMux()
			_ = mux.HandleSubtree("Get", "./DevDetail", HandlerFunc(func(_ context.Context, r *Request) Response {
				ran = append(ran, syncml.Targets(r.Command)...)
				return Response{Results: []syncml.Item{{Source: r.Command.ItemList()[0].Target, Data: syncml.Text("v")}}}
			}))
			c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "S", Handler: mux})
			if err != nil {
				t.Fatal(err)
			}
			var outs []Outcome
			serve := func(m *syncml.Message) *syncml.Message {
				t.Helper()
				raw, err := syncml.Marshal(m)
				if err != nil {
					t.Fatal(err)
				}
				x, err := s.Handle(ctx, &Inbound{Raw: raw})
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, x.Outcomes...)
				var back syncml.Message
				if err := syncml.Unmarshal(x.Raw, &back); err != nil {
					t.Fatal(err)
				}
				return &back
			}
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			gets := serve(m) // the server's three Gets
			x, err := c.Handle(ctx, gets)
			if err != nil || x.Done {
				t.Fatalf("device answer: %v", err)
			}
			refuse = 1
			if back := serve(x.Reply); back.Body.Final && len(back.Body.Commands) != 1 {
				t.Fatalf("refusal: %s", summary(back))
			}
			// The device starts over, with a package 1 of other bytes (not
			// a replay of the first).
			id := "1"
			if newID {
				id = "2"
			}
			m, err = c.Start(ctx, id, NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user"))
			if err != nil {
				t.Fatal(err)
			}
			for range 10 {
				back := serve(m)
				x, err := c.Handle(ctx, back)
				if err != nil {
					t.Fatal(err)
				}
				if x.Done {
					break
				}
				m = x.Reply
			}
			var got []string
			for _, o := range outs {
				if !o.Abandoned {
					t.Errorf("%s not abandoned: %+v", syncml.Targets(o.Command), o)
				}
				got = append(got, syncml.Targets(o.Command)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("outcomes for %v, want %v", got, want)
			}
			var again []string
			for _, g := range AbandonedGets(outs) {
				again = append(again, syncml.Targets(g)...)
			}
			if !slices.Equal(again, want) {
				t.Errorf("AbandonedGets %v, want %v", again, want)
			}
			if !slices.Equal(ran, want) {
				t.Errorf("device ran %v, want %v once", ran, want)
			}
			if s.Queued() != 0 {
				t.Errorf("%d commands left queued", s.Queued())
			}
		})
	}
}

// A device that starts a new session while an object was going to it in
// chunks gets the object again whole, from its first chunk: not its last
// chunks as an object of their own.
func TestRestartMidObjectSendsWhole(t *testing.T) {
	ctx := context.Background()
	value := strings.Repeat("0123456789<&>", 400)
	s := NewSession(nil)
	if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/X"}, Data: syncml.Text(value)}}},
		get("./DevDetail/A")); err != nil {
		t.Fatal(err)
	}
	var got []string
	mux := NewMux()
	_ = mux.HandleSubtree("Replace", "./Vendor/MSFT", HandlerFunc(func(_ context.Context, r *Request) Response {
		got = append(got, r.Command.ItemList()[0].Data.Value)
		return Response{}
	}))
	_ = mux.HandleSubtree("Get", "./DevDetail", HandlerFunc(func(_ context.Context, r *Request) Response {
		return Response{Results: []syncml.Item{{Source: r.Command.ItemList()[0].Target, Data: syncml.Text("v")}}}
	}))
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "S", Handler: mux, MaxMsgSize: 1500})
	if err != nil {
		t.Fatal(err)
	}
	var outs []Outcome
	serve := func(m *syncml.Message) *syncml.Message {
		t.Helper()
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, x.Outcomes...)
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		return &back
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	// Two chunks go; the device answers the second and starts over.
	for range 2 {
		x, err := c.Handle(ctx, serve(m))
		if err != nil || x.Done {
			t.Fatalf("first session: %v", err)
		}
		m = x.Reply
	}
	m, err = c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		x, err := c.Handle(ctx, serve(m))
		if err != nil {
			t.Fatal(err)
		}
		if x.Done {
			break
		}
		m = x.Reply
	}
	if len(got) != 1 || got[0] != value {
		lens := make([]int, len(got))
		for i, g := range got {
			lens[i] = len(g)
		}
		t.Fatalf("device applied objects of %v bytes, want one of %d", lens, len(value))
	}
	var codes []string
	for _, o := range outs {
		code, err := o.Code()
		codes = append(codes, fmt.Sprintf("%s %d %v", o.Command.ElementName(), int(code), err))
	}
	if !slices.Equal(codes, []string{"Replace 200 <nil>", "Get 200 <nil>"}) {
		t.Errorf("outcomes %q", codes)
	}
}
