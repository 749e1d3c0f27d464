package device

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// memDiscovery answers every discovery request with a valid response, in
// memory, so that a test runs inside a synctest bubble.
type memDiscovery struct{}

func (memDiscovery) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{"EnrollmentServiceUrl":"https://e.example/E","EnrollmentPolicyServiceUrl":"https://e.example/P",` +
		`"AuthenticationServiceUrl":"https://e.example/A","AuthPolicy":"Federated"}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// bubbleConfig is a Config whose discovery runs in memory and whose
// Enroller waits for its context to end.
func bubbleConfig() Config {
	return Config{
		ProviderID: provider,
		Discovery:  discovery.Client{HTTPClient: &http.Client{Transport: memDiscovery{}}},
		Request:    discovery.Request{OSVersion: "10.0.26100.1301"},
		Enroller: EnrollerFunc(func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}),
	}
}

// TestNoGoroutineOutlivesClose: in a synctest bubble, which fails when a
// goroutine it started is left blocked, Close during an enrollment, sync
// or async, leaves no goroutine of the handler behind.
func TestNoGoroutineOutlivesClose(t *testing.T) {
	for _, async := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			cfg := bubbleConfig()
			cfg.Async = async
			h, err := New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			serve(h, le.ReplaceDiscoveryEndpoint("https://d.example/x"))
			answered := make(chan session.Response, 1)
			go func() { answered <- serve(h, le.ExecEnroll()) }()
			synctest.Wait() // the Enroller waits
			if err := h.Close(); err != nil {
				t.Fatal(err)
			}
			<-answered
			if st := h.State(); st.Status != dmclient.StatusEnrollmentFailed || st.LastError != EAbort {
				t.Errorf("async %v: %v %v", async, st.Status, st.LastError)
			}
		})
	}
}

// TestDefaultTimeout: with the bubble's clock, an Enroller that never
// returns by itself is cancelled after exactly DefaultTimeout, and the
// enrollment fails with ERROR_TIMEOUT.
func TestDefaultTimeout(t *testing.T) {
	for _, async := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			cfg := bubbleConfig()
			cfg.Async = async
			h, err := New(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			serve(h, le.ReplaceDiscoveryEndpoint("https://d.example/x"))
			start := time.Now()
			r := serve(h, le.ExecEnroll())
			h.Wait()
			if d := time.Since(start); d != DefaultTimeout {
				t.Errorf("async %v: ended after %v, want %v", async, d, DefaultTimeout)
			}
			want := syncml.StatusCommandFailed
			if async {
				want = syncml.StatusAccepted
			}
			if st := h.State(); r.Code != want || st.Status != dmclient.StatusEnrollmentFailed || st.LastError != ErrorTimeout {
				t.Errorf("async %v: answer %+v, state %v %v", async, r, st.Status, st.LastError)
			}
		})
	}
}
