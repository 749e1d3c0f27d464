package discovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// script is a test discovery service that answers each POST with the
// next step and records what it received.
type script struct {
	mu    sync.Mutex
	steps []func(w http.ResponseWriter, req *Request)
	got   []*Request
	hdrs  []http.Header
	times []time.Time
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, err := ReadRequest(r.Body, 0)
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", 400)
		return
	}
	s.got = append(s.got, req)
	s.hdrs = append(s.hdrs, r.Header.Clone())
	s.times = append(s.times, time.Now())
	if len(s.got) > len(s.steps) {
		http.Error(w, "unexpected request", 500)
		return
	}
	s.steps[len(s.got)-1](w, req)
}

func reply(status int, body string, hdr ...string) func(http.ResponseWriter, *Request) {
	return func(w http.ResponseWriter, _ *Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func okReply(p AuthPolicy) func(http.ResponseWriter, *Request) {
	r := validResponse(p)
	b, _ := r.MarshalJSON()
	return reply(200, string(b))
}

var upnRequired = reply(200, `{"errorCode":"UPNRequired"}`)

func TestClient(t *testing.T) {
	legacy := &Request{UserDomain: "contoso.com", OSVersion: "10.0.26100.1301"}
	registered := &Request{EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.26100.1301"}
	registeredUPN := &Request{UPN: "johndoe@contoso.com", EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.26100.1301"}
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	farFuture := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)

	tests := []struct {
		name     string
		client   Client
		req      *Request
		steps    []func(http.ResponseWriter, *Request)
		want     AuthPolicy // on success
		err      error      // sentinel the error must match
		errAs    any        // pointer to an error type the error must be
		wantSent []string   // upn of each request the server received
	}{
		{name: "joined", req: legacy, steps: steps(okReply(AuthPolicyFederated)), want: AuthPolicyFederated, wantSent: []string{""}},
		{name: "registered", req: registeredUPN, steps: steps(okReply(AuthPolicyCertificate)), want: AuthPolicyCertificate,
			wantSent: []string{"johndoe@contoso.com"}},
		{name: "UPNRequired retried with UPN", client: Client{UPN: "johndoe@contoso.com"}, req: registered,
			steps: steps(upnRequired, okReply(AuthPolicyCertificate)), want: AuthPolicyCertificate,
			wantSent: []string{"", "johndoe@contoso.com"}},
		{name: "UPNRequired twice", client: Client{UPN: "johndoe@contoso.com"}, req: registered,
			steps: steps(upnRequired, upnRequired), err: ErrUPNRequired, errAs: new(*ServerError),
			wantSent: []string{"", "johndoe@contoso.com"}},
		{name: "UPNRequired without a UPN to give", req: registered,
			steps: steps(upnRequired), err: ErrUPNRequired, wantSent: []string{""}},
		{name: "UPNRequired although sent", client: Client{UPN: "other@contoso.com"}, req: registeredUPN,
			steps: steps(upnRequired), err: ErrUPNRequired, wantSent: []string{"johndoe@contoso.com"}},
		{name: "other error code", req: legacy, steps: steps(reply(200, `{"errorCode":"Blocked","message":"no"}`)),
			errAs: new(*ServerError), wantSent: []string{""}},
		// MinRetryDelay -1: no floor, so that this real-clock test does
		// not wait (TestClientRetryAfterWait measures the floor)
		{name: "Retry-After zero on 429", client: Client{MinRetryDelay: -1}, req: legacy,
			steps: steps(reply(429, ``, "Retry-After", "0"), okReply(AuthPolicyFederated)),
			want:  AuthPolicyFederated, wantSent: []string{"", ""}},
		{name: "Retry-After past date", client: Client{MinRetryDelay: -1}, req: legacy,
			steps: steps(reply(429, ``, "Retry-After", past), okReply(AuthPolicyFederated)),
			want:  AuthPolicyFederated, wantSent: []string{"", ""}},
		{name: "Retry-After beyond bound", client: Client{MaxRetryAfter: 10 * time.Second}, req: legacy,
			steps: steps(reply(429, ``, "Retry-After", farFuture)), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "Retry-After seconds beyond bound", client: Client{MaxRetryAfter: time.Second}, req: legacy,
			steps: steps(reply(503, ``, "Retry-After", "2")), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "no waiting allowed", client: Client{MaxRetryAfter: -1}, req: legacy,
			steps: steps(reply(503, ``, "Retry-After", "0")), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "retries exhausted", client: Client{MaxRetries: 2, MinRetryDelay: -1}, req: legacy,
			steps: steps(reply(429, ``, "Retry-After", "0"), reply(429, ``, "Retry-After", "0"), reply(429, ``, "Retry-After", "0")),
			errAs: new(*ServerError), wantSent: []string{"", "", ""}},
		{name: "503 without Retry-After", req: legacy, steps: steps(reply(503, ``)), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "Retry-After on 500 ignored", req: legacy, steps: steps(reply(500, ``, "Retry-After", "0")), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "bad Retry-After", req: legacy, steps: steps(reply(429, ``, "Retry-After", "soon")), errAs: new(*ServerError), wantSent: []string{""}},
		{name: "insecure URL in response", req: legacy,
			steps: steps(func(w http.ResponseWriter, r *Request) {
				resp := validResponse(AuthPolicyFederated)
				resp.AuthenticationServiceURL = "http://auth.contoso.com/"
				b, _ := resp.MarshalJSON()
				reply(200, string(b))(w, r)
			}), err: ErrInsecureURL, wantSent: []string{""}},
		{name: "foreign host in response", client: Client{URLs: URLPolicy{AllowLoopbackHTTP: true, AllowedHosts: []string{"127.0.0.1", "manage.contoso.com"}}}, req: legacy,
			steps: steps(func(w http.ResponseWriter, r *Request) {
				resp := validResponse(AuthPolicyFederated)
				resp.TouURL = "https://evil.example/tou"
				b, _ := resp.MarshalJSON()
				reply(200, string(b))(w, r)
			}), err: ErrHostNotAllowed, wantSent: []string{""}},
		{name: "pair mismatch", req: registeredUPN, steps: steps(okReply(AuthPolicyFederated)), err: ErrPairMismatch,
			wantSent: []string{"johndoe@contoso.com"}},
		{name: "pair mismatch after UPN retry", client: Client{UPN: "johndoe@contoso.com"}, req: legacy,
			steps: steps(upnRequired, okReply(AuthPolicyCertificate)), err: ErrPairMismatch, wantSent: []string{"", "johndoe@contoso.com"}},
		{name: "missing field", req: legacy, steps: steps(reply(200, `{"AuthPolicy":"Federated"}`)), err: ErrRequired, wantSent: []string{""}},
		{name: "unknown field in response", req: legacy, steps: steps(reply(200, `{"AuthPolicy":"Federated","authPolicy":"Certificate"}`)),
			err: ErrCaseMismatch, errAs: new(*DecodeError), wantSent: []string{""}},
		{name: "wrong content type", req: legacy, steps: steps(func(w http.ResponseWriter, _ *Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html/>")
		}), err: ErrContentType, wantSent: []string{""}},
		{name: "response too large", client: Client{MaxBytes: 64}, req: legacy, steps: steps(okReply(AuthPolicyFederated)),
			err: ErrLimit, errAs: new(*LimitError), wantSent: []string{""}},
		{name: "invalid request not sent", req: &Request{UPN: "x"}, err: ErrRequired},
		{name: "redirect to http refused", req: legacy, steps: steps(func(w http.ResponseWriter, _ *Request) {
			w.Header().Set("Location", "http://127.0.0.1:1/discovery")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}), err: ErrInsecureURL, wantSent: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{steps: tt.steps}
			srv := httptest.NewTLSServer(s)
			defer srv.Close()
			c := tt.client
			c.URL = srv.URL
			c.HTTPClient = srv.Client()
			resp, err := c.Discover(context.Background(), tt.req, Headers{CorrelationVector: "cv.9", ClientRequestID: "rid-9"})
			if tt.err == nil && tt.errAs == nil {
				if err != nil {
					t.Fatalf("Discover: %v", err)
				}
				if resp.AuthPolicy != tt.want {
					t.Errorf("AuthPolicy = %q, want %q", resp.AuthPolicy, tt.want)
				}
			} else {
				if resp != nil || err == nil {
					t.Fatalf("Discover = %+v, %v; want an error", resp, err)
				}
				if tt.err != nil && !errors.Is(err, tt.err) {
					t.Errorf("error %v, want %v", err, tt.err)
				}
				if tt.errAs != nil && !errors.As(err, tt.errAs) {
					t.Errorf("error %T %v, want %T", err, err, tt.errAs)
				}
				if !strings.HasPrefix(err.Error(), "discovery: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			var sent []string
			for i, r := range s.got {
				sent = append(sent, r.UPN)
				h := s.hdrs[i]
				if h.Get("Content-Type") != "application/json" || h.Get("MS-CV") != "cv.9" || h.Get("client-request-id") != "rid-9" {
					t.Errorf("request %d headers: %v", i, h)
				}
				if diff := cmp.Diff(tt.req.EnrollmentType, r.EnrollmentType); diff != "" {
					t.Errorf("request %d enrollmentType changed: %s", i, diff)
				}
			}
			if diff := cmp.Diff(tt.wantSent, sent); diff != "" {
				t.Errorf("requests received (-want +got):\n%s", diff)
			}
		})
	}
}

func steps(f ...func(http.ResponseWriter, *Request)) []func(http.ResponseWriter, *Request) { return f }

// memServer serves the requests of a Client with its handler in memory,
// so that a test runs in a synctest bubble: the bubble's clock starts on
// a whole second and moves only while every goroutine waits, so waits
// are measured exactly and none takes real time.
type memServer struct{ h http.Handler }

func (m memServer) RoundTrip(r *http.Request) (*http.Response, error) {
	defer r.Body.Close()
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// TestClientRetryAfterWait: a throttled request is repeated after exactly
// the Retry-After delay, given in seconds or as an HTTP date, but not
// sooner than MinRetryDelay (at most MaxRetryAfter): a Retry-After of 0
// or a past date was repeated at once. (With a real clock and a TLS
// server, a slow handshake under load ate into the date's delay and the
// bounds such a test must allow.)
func TestClientRetryAfterWait(t *testing.T) {
	past := func(now time.Time) string { return now.Add(-time.Hour).UTC().Format(http.TimeFormat) }
	zero := func(time.Time) string { return "0" }
	for _, tt := range []struct {
		name       string
		client     Client
		status     int
		retryAfter func(now time.Time) string
		want       time.Duration
	}{
		{"seconds", Client{}, 503, func(time.Time) string { return "1" }, time.Second},
		{"date", Client{}, 429, func(now time.Time) string { return now.Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 2 * time.Second},
		{"zero waits the default floor", Client{}, 429, zero, DefaultMinRetryDelay},
		{"past date waits the default floor", Client{}, 503, past, DefaultMinRetryDelay},
		{"floor over the server's delay", Client{MinRetryDelay: 5 * time.Second}, 429, func(time.Time) string { return "2" }, 5 * time.Second},
		{"server's delay over the floor", Client{MinRetryDelay: 5 * time.Second}, 429, func(time.Time) string { return "7" }, 7 * time.Second},
		{"floor at most MaxRetryAfter", Client{MinRetryDelay: time.Minute, MaxRetryAfter: 3 * time.Second}, 429, zero, 3 * time.Second},
		{"no floor", Client{MinRetryDelay: -1}, 429, zero, 0},
		{"no floor, past date", Client{MinRetryDelay: -1}, 429, past, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &script{steps: steps(reply(tt.status, `{"errorCode":"Throttled"}`, "Retry-After", tt.retryAfter(time.Now())), okReply(AuthPolicyFederated))}
				c := tt.client
				c.URL, c.HTTPClient = "https://127.0.0.1/discovery", &http.Client{Transport: memServer{s}}
				start := time.Now()
				if _, err := c.Discover(context.Background(), &Request{OSVersion: "10.0.26100.1"}, Headers{}); err != nil {
					t.Fatal(err)
				}
				if len(s.times) != 2 {
					t.Fatalf("%d requests, want 2", len(s.times))
				}
				if gap := s.times[1].Sub(s.times[0]); gap != tt.want {
					t.Errorf("repeated after %s, want %s", gap, tt.want)
				}
				if d := time.Since(start); d != tt.want {
					t.Errorf("returned after %s, want %s", d, tt.want)
				}
			})
		})
	}
}

// TestClientThrottledSaysWhy: a server that throttles every request with
// Retry-After 0 gets DefaultMaxRetries repeats a DefaultMinRetryDelay
// apart (they came in no time), and the *ServerError Discover returns
// quotes the Retry-After value as sent (a huge one was held as 2^31
// seconds and shown only so) and says why the request was not repeated.
func TestClientThrottledSaysWhy(t *testing.T) {
	throttle := func(v string) func(http.ResponseWriter, *Request) {
		return reply(429, `{"errorCode":"Throttled"}`, "Retry-After", v)
	}
	for _, tt := range []struct {
		name      string
		client    Client
		steps     []func(http.ResponseWriter, *Request)
		wantTimes []time.Duration // of the posts, from the first
		wantMsg   string
	}{
		{"retries exhausted", Client{}, steps(throttle("0"), throttle("0"), throttle("0"), throttle("0")),
			[]time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "0" (0s), not repeated: the Client's MaxRetries of 3 reached`},
		{"never repeats", Client{MaxRetries: -1}, steps(throttle("0")), []time.Duration{0},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "0" (0s), not repeated: the Client's MaxRetries is negative`},
		{"huge Retry-After", Client{}, steps(throttle("99999999999999999999999")), []time.Duration{0},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "99999999999999999999999" (596523h14m8s), not waited for: over the Client's MaxRetryAfter of 1m0s`},
		{"over MaxRetryAfter", Client{MaxRetryAfter: 10 * time.Second}, steps(throttle("11")), []time.Duration{0},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "11" (11s), not waited for: over the Client's MaxRetryAfter of 10s`},
		{"never waits", Client{MaxRetryAfter: -1}, steps(throttle("0")), []time.Duration{0},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "0" (0s), not waited for: the Client's MaxRetryAfter is negative`},
		{"Retry-After not understood", Client{}, steps(throttle("soon")), []time.Duration{0},
			`discovery: server answered status 429, errorCode "Throttled", Retry-After "soon" not understood`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &script{steps: tt.steps}
				c := tt.client
				c.URL, c.HTTPClient = "https://127.0.0.1/discovery", &http.Client{Transport: memServer{s}}
				_, err := c.Discover(context.Background(), &Request{OSVersion: "10.0.26100.1"}, Headers{})
				if _, ok := errors.AsType[*ServerError](err); !ok || err.Error() != tt.wantMsg {
					t.Errorf("Discover = %v\nwant a *ServerError %s", err, tt.wantMsg)
				}
				var got []time.Duration
				for _, at := range s.times {
					got = append(got, at.Sub(s.times[0]))
				}
				if diff := cmp.Diff(tt.wantTimes, got); diff != "" {
					t.Errorf("posts at (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestClientContextEndsWait: a context that ends during a Retry-After
// wait ends Discover then, with the context's error.
func TestClientContextEndsWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &script{steps: steps(reply(503, ``, "Retry-After", "30"))}
		c := Client{URL: "https://127.0.0.1/discovery", HTTPClient: &http.Client{Transport: memServer{s}}}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Discover(ctx, &Request{OSVersion: "10.0.26100.1"}, Headers{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Discover = %v, want context.DeadlineExceeded", err)
		}
		// the answer that asked for the wait is in the error too (it was
		// not: only the context's error)
		want := `discovery: waiting 30s to repeat the request: context deadline exceeded (the request was answered: server answered status 503, Retry-After "30" (30s))`
		if se, ok := errors.AsType[*ServerError](err); !ok || se.RetryAfter != 30*time.Second || err.Error() != want {
			t.Errorf("Discover = %v\nwant a *ServerError in it, and the text %s", err, want)
		}
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("returned after %s; the context should end the wait at 100ms", d)
		}
		if len(s.got) != 1 {
			t.Errorf("%d requests, want 1", len(s.got))
		}
	})
}

// TestClientContextEndsZeroWait: a context that ended while the server
// answered 429 with Retry-After 0 stops Discover before the repeat, with
// an error that matches the context's and the *ServerError and says it
// is this package's, with the floor (MinRetryDelay) or without.
func TestClientContextEndsZeroWait(t *testing.T) {
	for floor, want := range map[time.Duration]string{
		0:  `discovery: waiting 1s to repeat the request: context canceled (the request was answered: server answered status 429, errorCode "Throttled", Retry-After "0" (0s))`,
		-1: `discovery: before repeating the request: context canceled (the request was answered: server answered status 429, errorCode "Throttled", Retry-After "0" (0s))`,
	} {
		ctx, cancel := context.WithCancel(context.Background())
		throttle := reply(429, `{"errorCode":"Throttled"}`, "Retry-After", "0")
		s := &script{steps: steps(func(w http.ResponseWriter, r *Request) { cancel(); throttle(w, r) }, okReply(AuthPolicyFederated))}
		c := Client{URL: "https://127.0.0.1/discovery", HTTPClient: &http.Client{Transport: memServer{s}}, MinRetryDelay: floor}
		_, err := c.Discover(ctx, &Request{OSVersion: "10.0.26100.1"}, Headers{})
		if _, ok := errors.AsType[*ServerError](err); !ok || !errors.Is(err, context.Canceled) || err.Error() != want {
			t.Errorf("MinRetryDelay %s: Discover = %v\nwant context.Canceled and the *ServerError, and the text %s", floor, err, want)
		}
		if len(s.got) != 1 {
			t.Errorf("MinRetryDelay %s: %d requests, want 1", floor, len(s.got))
		}
	}
}

func TestClientEndpointPolicy(t *testing.T) {
	s := &script{steps: steps(okReply(AuthPolicyFederated))}
	srv := httptest.NewServer(s) // plain http on loopback
	defer srv.Close()
	req := &Request{OSVersion: "10.0.26100.1"}
	c := Client{URL: srv.URL}
	if _, err := c.Discover(context.Background(), req, Headers{}); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("http endpoint without option = %v, want ErrInsecureURL", err)
	}
	if len(s.got) != 0 {
		t.Fatalf("request sent to a refused endpoint")
	}
	c.URLs.AllowLoopbackHTTP = true
	if _, err := c.Discover(context.Background(), req, Headers{}); err != nil {
		t.Fatalf("loopback http endpoint with option: %v", err)
	}
	// The transport refuses everything, so a wrong acceptance cannot
	// reach the address.
	c.HTTPClient = &http.Client{Transport: refuseTransport{}}
	c.URL = "http://192.0.2.1/discovery"
	if _, err := c.Discover(context.Background(), req, Headers{}); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("non-loopback http endpoint = %v, want ErrInsecureURL", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 9, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 120 ", 120 * time.Second, true},
		{"99999999999999999999999", maxRetryAfterSeconds * time.Second, true},
		{"Thu, 12 Sep 2024 10:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 12-Sep-24 10:01:00 GMT", time.Minute, true},
		{"Thu Sep 12 10:00:05 2024", 5 * time.Second, true},
		{"Wed, 11 Sep 2024 10:00:00 GMT", 0, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", maxRetryAfterSeconds * time.Second, true},
		// 2^31 s after now is 2092-09-30 13:14:08
		{"Wed, 01 Oct 2092 00:00:00 GMT", maxRetryAfterSeconds * time.Second, true},
		{"Tue, 30 Sep 2092 13:00:00 GMT", time.Date(2092, 9, 30, 13, 0, 0, 0, time.UTC).Sub(now), true},
		{"", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

type refuseTransport struct{}

func (refuseTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("test transport: no network")
}

// TestClientPolicyErrorPrefixOnce: an endpoint or a redirect that the
// URL policy refuses gives an error that matches the policy's sentinel
// and names the step, with "discovery: " once where this package writes
// it (before, "discovery: endpoint: discovery: URL is not HTTPS").
func TestClientPolicyErrorPrefixOnce(t *testing.T) {
	req := &Request{OSVersion: "10.0.26100.1"}
	c := Client{URL: "http://192.0.2.1/discovery", HTTPClient: &http.Client{Transport: refuseTransport{}}}
	_, err := c.Discover(context.Background(), req, Headers{})
	if !errors.Is(err, ErrInsecureURL) || err.Error() != `discovery: endpoint: URL is not HTTPS: "http://192.0.2.1/discovery"` {
		t.Errorf("refused endpoint: %v", err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1/away", http.StatusPermanentRedirect)
	}))
	defer srv.Close()
	c = Client{URL: srv.URL, HTTPClient: srv.Client()}
	_, err = c.Discover(context.Background(), req, Headers{})
	// net/http puts its own text around the redirect's error
	if !errors.Is(err, ErrInsecureURL) || !strings.HasSuffix(err.Error(), `: discovery: redirect: URL is not HTTPS: "http://192.0.2.1/away"`) {
		t.Errorf("refused redirect: %v", err)
	}
}

func TestClientRedirects(t *testing.T) {
	var hits []string
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.URL.Path)
		mu.Unlock()
		http.Redirect(w, r, "/new", http.StatusPermanentRedirect) // keeps POST and body
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.URL.Path)
		mu.Unlock()
		_, port, _ := net.SplitHostPort(r.Host)
		http.Redirect(w, r, "https://localhost:"+port+"/new", http.StatusPermanentRedirect)
	})
	mux.Handle("/new", &Handler{Discover: answerByType, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	req := &Request{EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.26100.1301", UPN: "a@b"}

	c := Client{URL: srv.URL + "/old", HTTPClient: srv.Client()}
	resp, err := c.Discover(context.Background(), req, Headers{})
	if err != nil || resp.AuthPolicy != AuthPolicyCertificate {
		t.Fatalf("https redirect: %+v, %v", resp, err)
	}
	// A caller's own CheckRedirect still decides.
	stop := errors.New("no redirects here")
	hc := *srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return stop }
	c.HTTPClient = &hc
	if _, err := c.Discover(context.Background(), req, Headers{}); !errors.Is(err, stop) {
		t.Fatalf("custom CheckRedirect: %v, want %v", err, stop)
	}
	// The host allowlist applies to redirects.
	c.HTTPClient = srv.Client()
	c.URLs.AllowedHosts = []string{"127.0.0.1"}
	c.URL = srv.URL + "/away"
	if _, err := c.Discover(context.Background(), req, Headers{}); !errors.Is(err, ErrHostNotAllowed) {
		t.Fatalf("redirect to a host outside AllowedHosts: %v, want ErrHostNotAllowed", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"/old", "/old", "/away"}; !cmp.Equal(hits, want) {
		t.Errorf("redirecting endpoints hit %v, want %v", hits, want)
	}
}

// TestClientRedirectKeepsPost: a 301, 302 or 303, which net/http follows
// with a GET without the request, is refused before the GET is sent, with
// an error that gives the status and says what the endpoint must answer;
// a 307 or 308 resends the POST. Before, the answer to the GET was taken
// for the answer to the request, which the server never saw.
func TestClientRedirectKeepsPost(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var mu sync.Mutex
			var gets int
			mux := http.NewServeMux()
			mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", status) })
			mux.HandleFunc("GET /new", func(w http.ResponseWriter, _ *http.Request) {
				mu.Lock()
				gets++
				mu.Unlock()
				okReply(AuthPolicyFederated)(w, nil) // a static answer, for any request
			})
			mux.Handle("POST /new", &Handler{Discover: answerByType})
			srv := httptest.NewTLSServer(mux)
			defer srv.Close()
			c := Client{URL: srv.URL + "/old", HTTPClient: srv.Client()}
			resp, err := c.Discover(context.Background(), &Request{OSVersion: "10.0.26100.1301"}, Headers{})
			mu.Lock()
			defer mu.Unlock()
			if status == 307 || status == 308 {
				if err != nil || resp.AuthPolicy != AuthPolicyFederated {
					t.Fatalf("Discover = %+v, %v", resp, err)
				}
				return
			}
			want := fmt.Sprintf("discovery: redirect refused: a %d to %q would send a GET without the request; a discovery endpoint that moved must answer 307 or 308", status, srv.URL+"/new")
			if resp != nil || !errors.Is(err, errRedirectMethod) || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("Discover = %+v, %v; want an error ending %s", resp, err, want)
			}
			if gets != 0 {
				t.Errorf("the GET was sent %d times", gets)
			}
		})
	}
}
