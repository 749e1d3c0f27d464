package session_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestBrk2DeviceFromTheDocs is a device written from the package docs
// alone: a session.Client with a Mux that answers the server's Get,
// Replace and Exec, under MD5 credentials it is challenged for (its
// ClientAuth starts with no Type), sending a 20 KB object to a server
// that announces a 4 KB MaxMsgSize, against a session.Server over
// loopback HTTP. Every command of either side gets its Outcome.
func TestBrk2DeviceFromTheDocs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	users := &session.MemoryUsers{}
	users.Set("alice", "s3cret")
	var mu sync.Mutex
	var serverOut []session.Outcome
	var got string // the object the server received
	srv := session.NewServer(session.ServerConfig{
		Session: session.Config{
			Authenticator:      &session.CredAuthenticator{Type: session.AuthMD5, Users: users},
			MaxMsgSize:         4096,
			AnnounceMaxMsgSize: 4096,
			Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
				if rep, ok := r.Command.(*syncml.Replace); ok && rep.Items[0].Target.LocURI == "./Vendor/Big" {
					mu.Lock()
					got = rep.Items[0].Data.Value
					mu.Unlock()
				}
				return session.Response{}
			}),
		},
		OnExchange: func(_ context.Context, x *session.Exchange) {
			mu.Lock()
			serverOut = append(serverOut, x.Outcomes...)
			mu.Unlock()
		},
	})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	if err := srv.Queue(ctx, "DEV1",
		&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./DevDetail/SwV"}}}},
		&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/X/Y"}, Data: syncml.Text("1")}}},
		&syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/X/Reboot"}}}},
	); err != nil {
		t.Fatal(err)
	}

	mux := session.NewMux()
	if err := mux.HandleSubtree("Get", "./DevDetail", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		var res []syncml.Item
		for _, it := range r.Command.(*syncml.Get).Items {
			res = append(res, syncml.Item{Source: &syncml.Location{LocURI: it.Target.LocURI}, Data: syncml.Text("10.0.26100")})
		}
		return session.Response{Results: res}
	})); err != nil {
		t.Fatal(err)
	}
	ran := map[string]int{}
	for _, cmd := range []string{"Replace", "Exec"} {
		if err := mux.HandleSubtree(cmd, "./Vendor/MSFT/X", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			ran[r.Command.ElementName()]++
			return session.Response{}
		})); err != nil {
			t.Fatal(err)
		}
	}
	auth := &session.ClientAuth{Username: "alice", Password: "s3cret"}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV1", ServerURI: hs.URL, Handler: mux, Credentials: auth})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("0123456789", 2048)
	if err := c.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Big"}, Data: syncml.Text(big)}}}); err != nil {
		t.Fatal(err)
	}
	hc := hs.Client()
	defer hc.CloseIdleConnections()
	out, err := c.Run(ctx, hc, hs.URL, "1")
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Run's Outcomes hold package 1's Alert 1201 too (sent again after
	// the challenge) and the big Replace.
	var bigOut *session.Outcome
	for i, o := range out {
		if r, ok := o.Command.(*syncml.Replace); ok && r.Items[0].Target.LocURI == "./Vendor/Big" {
			bigOut = &out[i]
		}
	}
	if bigOut == nil || bigOut.Status == nil || bigOut.Status.Data.Value != "200" || bigOut.Err != nil {
		t.Errorf("the big Replace's Outcome %+v; want 200", bigOut)
	} else if r := bigOut.Command.(*syncml.Replace); r.Items[0].Data.Value != big {
		t.Errorf("the big Replace's Outcome holds %d bytes, want the command whole", len(r.Items[0].Data.Value))
	}
	mu.Lock()
	defer mu.Unlock()
	if got != big {
		t.Errorf("the server got an object of %d bytes, want %d", len(got), len(big))
	}
	if ran["Replace"] != 1 || ran["Exec"] != 1 {
		t.Errorf("device ran %v", ran)
	}
	codes := map[string]string{}
	for _, o := range serverOut {
		if o.Status != nil {
			codes[o.Command.ElementName()] = o.Status.Data.Value
		}
		if o.Command.ElementName() == "Get" && (len(o.Results) != 1 || o.Results[0].Items[0].Data.Value != "10.0.26100") {
			t.Errorf("the Get's Results: %+v", o.Results)
		}
	}
	if codes["Get"] != "200" || codes["Replace"] != "200" || codes["Exec"] != "200" {
		t.Errorf("server Outcomes: %v", codes)
	}
	if auth.Type != session.AuthMD5 || len(auth.Nonce) == 0 {
		t.Errorf("ClientAuth after the session: Type %q, nonce of %d bytes; want MD5 and the next nonce", auth.Type, len(auth.Nonce))
	}
}
