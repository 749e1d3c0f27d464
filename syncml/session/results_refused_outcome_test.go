package session_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestRefusedResultsOutcome: a Get whose Results the device sends in
// chunks that the Server refuses (here at the fourth chunk, over
// MaxObjectChunks 3) has an Outcome with the device's Status and an Err,
// not a Status 200 alone that reads as a Get answered with nothing.
func TestRefusedResultsOutcome(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var outs []session.Outcome
	srv := session.NewServer(session.ServerConfig{
		Session: session.Config{AnnounceMaxMsgSize: 4000, MaxObjectChunks: 3},
		OnExchange: func(_ context.Context, x *session.Exchange) {
			mu.Lock()
			outs = append(outs, x.Outcomes...)
			mu.Unlock()
		},
	})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.Queue(ctx, "dev1", &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Big"}}}}); err != nil {
		t.Fatal(err)
	}
	mux := session.NewMux()
	mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		return session.Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./Vendor/Big"}, Data: syncml.Text(strings.Repeat("x", 20000))}}}
	}))
	c, err := session.NewClient(session.ClientConfig{DeviceID: "dev1", ServerURI: ts.URL, Handler: mux})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, ts.Client(), ts.URL, "1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var got *session.Outcome
	for i := range outs {
		if _, ok := outs[i].Command.(*syncml.Get); ok {
			got = &outs[i]
		}
	}
	if got == nil {
		t.Fatalf("no Outcome for the Get among %d", len(outs))
	}
	if got.Status == nil {
		t.Fatal("the Get's Outcome has no Status")
	}
	if got.Err == nil {
		t.Errorf("the Get's Outcome has Status %s and no Err: its refused Results read as none", got.Status.Data)
	}
	if _, err := got.Code(); err == nil {
		t.Error("Code gives no error")
	}
}
