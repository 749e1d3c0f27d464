package session

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// limitReplace is a Replace of one Item of n bytes of b.
func limitReplace(uri string, b byte, n int) *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri},
		Data: &syncml.Data{Value: strings.Repeat(string(b), n)}}}}
}

// stateLimitsRun queues cmd for device dev-big on a Server of cfg, runs a
// Client of ccfg against it, and returns the Status code the Server got
// for cmd ("" when none), the size of the Replace data the Client's
// Handler was given, and the Run's error.
func stateLimitsRun(t *testing.T, cfg Config, ccfg ClientConfig, cmd syncml.Command) (status string, got int, runErr error) {
	t.Helper()
	var mu sync.Mutex
	srv := NewServer(ServerConfig{Session: cfg, OnExchange: func(_ context.Context, x *Exchange) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range x.Outcomes {
			// the state's copy of cmd, read back
			if _, ok := o.Command.(*syncml.Replace); ok && o.Status != nil {
				status = o.Status.Data.Value
			}
		}
	}})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ctx := context.Background()
	if err := srv.Queue(ctx, "dev-big", cmd); err != nil {
		t.Fatalf("Queue: %v", err)
	}
	ccfg.DeviceID, ccfg.ServerURI = "dev-big", hs.URL
	ccfg.Handler = HandlerFunc(func(_ context.Context, r *Request) Response {
		if rp, ok := r.Command.(*syncml.Replace); ok && len(rp.Items) == 1 && rp.Items[0].Data != nil {
			mu.Lock()
			got = len(rp.Items[0].Data.Value)
			mu.Unlock()
		}
		return Response{}
	})
	c, err := NewClient(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	_, runErr = c.Run(ctx, hs.Client(), hs.URL, "1")
	mu.Lock()
	defer mu.Unlock()
	return status, got, runErr
}

// TestServerQueueBigObjectState: a 5 MiB Replace that Queue accepts
// (Config.MaxObjectSize 8 MiB) goes out whole to a device without
// MaxMsgSize, and the state that keeps it as sent loads again when the
// device answers it. Before, the state's sent commands were decoded
// under syncml's default limits (a token of 4 MiB): the device's answer
// got 500 ("decode state: sent commands: syncml: limit MaxTokenBytes
// (4194304) exceeded"), and so did every later message.
func TestServerQueueBigObjectState(t *testing.T) {
	const n = 5 << 20
	cmd := limitReplace("./Vendor/X", 'y', n)
	// the Client reads a reply under syncml's default limits: a 5 MiB
	// token needs more
	unmarshal := func(b []byte, m *syncml.Message) error {
		return syncml.UnmarshalLimits(b, m, syncml.Limits{MaxBytes: 16 << 20, MaxTokenBytes: 8 << 20})
	}
	status, got, err := stateLimitsRun(t, Config{MaxObjectSize: 8 << 20}, ClientConfig{MaxBytes: 16 << 20, Unmarshal: unmarshal}, cmd)
	if err != nil || status != "200" || got != n {
		t.Errorf("Run: %v, Status %q, device got %d bytes; want no error, 200, %d", err, status, got, n)
	}
}

// TestServerQueueChunkedObjectState: an object sent in chunks whose rest
// of package encodes over 8 MiB (3 MiB of "<", each written "&lt;")
// loads again from the state between chunks. Before, the package rest
// was decoded under syncml's default MaxBytes (8 MiB) and the device's
// Alert 1222 got 500 ("decode state: package rest: syncml: limit
// MaxBytes (8388608) exceeded").
func TestServerQueueChunkedObjectState(t *testing.T) {
	const n = 3 << 20
	cmd := limitReplace("./Vendor/X", '<', n)
	status, got, err := stateLimitsRun(t, Config{}, ClientConfig{MaxMsgSize: 2 << 20, MaxObjSize: 8 << 20}, cmd)
	if err != nil || status != "200" || got != n {
		t.Errorf("Run: %v, Status %q, device got %d bytes; want no error, 200, %d", err, status, got, n)
	}
}
