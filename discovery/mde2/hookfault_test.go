package mde2

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// lastBody is a transport that keeps the body of the last response.
type lastBody struct {
	base http.RoundTripper
	mu   sync.Mutex
	body []byte
}

func (l *lastBody) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := l.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.body = b
	l.mu.Unlock()
	res.Body = io.NopCloser(bytes.NewReader(b))
	return res, nil
}

// TestHookFaultAnswered: a *Fault a hook returns (here Provision) is
// answered as a valid, bounded MS-MDE2 fault: its texts escaped, with
// what XML cannot carry replaced, each cut after maxReason bytes; its
// Code and ErrorType matched without regard to case among MS-MDE2's (an
// unknown Code is answered InternalServiceFault, an unknown ErrorType
// dropped, both logged); its Header the server's own. Before, a text
// with a control character lost the hook's fault ("the server failed to
// write its answer"), texts went out at any length, an unknown Code went
// out as "s:Bogus" (HRESULT 0) and "internalservicefault" in the SOAP
// namespace, and the hook's Header (a password) was written out.
func TestHookFaultAnswered(t *testing.T) {
	f := newFixture(t, false)
	rec := &lastBody{base: f.ts.Client().Transport}
	f.client.HTTPClient = &http.Client{Transport: rec}
	long := strings.Repeat("é", 50_000) // 100 KB
	cut := strings.Repeat("é", maxReason/2) + "…"
	for _, tc := range []struct {
		name    string
		fault   Fault
		code    FaultCode
		et      ErrorType
		reason  string
		message string
		trace   string
		inBody  string // the raw answer holds it
		notBody string // the raw answer does not hold it
		log     string // an Error record holds it (as TextHandler quotes it)
	}{
		{name: "markup escaped", fault: Fault{Code: FaultAuthorization, Reason: "a <b> & \"c\"", Message: "]]> <x/>"},
			code: FaultAuthorization, reason: "a <b> & \"c\"", message: "]]> <x/>", inBody: "a &lt;b&gt; &amp;"},
		{name: "control characters and bad UTF-8 replaced", fault: Fault{Code: FaultAuthorization, Reason: "no\x01way\xff", Message: "m\x00", TraceID: "t\x1b"},
			code: FaultAuthorization, reason: "no\uFFFDway\uFFFD", message: "m\uFFFD", trace: "t\uFFFD"},
		{name: "long texts cut", fault: Fault{Code: FaultEnrollmentServer, Reason: long, Message: long, TraceID: long},
			code: FaultEnrollmentServer, reason: cut, message: cut, trace: cut},
		{name: "unknown code", fault: Fault{Code: "Bogus", Reason: "r"},
			code: FaultInternalServiceFault, reason: "r", log: `code \"Bogus\"`},
		{name: "empty code", fault: Fault{Reason: "r"},
			code: FaultInternalServiceFault, reason: "r", log: `code \"\"`},
		{name: "code in lower case", fault: Fault{Code: "internalservicefault", Reason: "r"},
			code: FaultInternalServiceFault, reason: "r", inBody: "a:InternalServiceFault"},
		{name: "error type in lower case, as MS-MDE2's sample", fault: Fault{Code: "s:authorization", ErrorType: "devicecapreached", Reason: "r"},
			code: FaultAuthorization, et: ErrorDeviceCapReached, reason: "r", inBody: "<errortype>DeviceCapReached</errortype>"},
		{name: "CustomServerError", fault: Fault{Code: FaultEnrollmentServer, ErrorType: ErrorCustomServerError, Reason: "call the help desk"},
			code: FaultEnrollmentServer, et: ErrorCustomServerError, reason: "call the help desk"},
		{name: "unknown error type dropped", fault: Fault{Code: FaultAuthorization, ErrorType: "Whatever", Reason: "r"},
			code: FaultAuthorization, reason: "r", notBody: "Whatever", log: `type \"Whatever\"`},
		{name: "the hook's header is not sent", fault: Fault{Code: FaultAuthorization, Reason: "r",
			Header: Header{Action: "urn:x", To: "https://evil.example/", UsernameToken: &UsernameToken{Username: "admin", Password: "hunter2"}}},
			code: FaultAuthorization, reason: "r", notBody: "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logged := f.captureLog()
			f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
				c := tc.fault
				return nil, &c
			}
			_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
			got := wantFault(t, err, tc.code, tc.et)
			if got.Reason != tc.reason || got.Message != tc.message || (tc.trace != "" && got.TraceID != tc.trace) {
				t.Errorf("reason %q (%d bytes), message %q (%d bytes), trace %q (%d bytes); want %q, %q, %q",
					trim(got.Reason), len(got.Reason), trim(got.Message), len(got.Message), trim(got.TraceID), len(got.TraceID),
					trim(tc.reason), trim(tc.message), trim(tc.trace))
			}
			for _, s := range []string{got.Reason, got.Message, got.TraceID} {
				if len(s) > maxReason+len("…") || !utf8.ValidString(s) {
					t.Errorf("a text of %d bytes, valid UTF-8 %v", len(s), utf8.ValidString(s))
				}
			}
			if got.Header.Action != ActionRequestSecurityTokenResponse {
				t.Errorf("action %q", got.Header.Action)
			}
			rec.mu.Lock()
			body := string(rec.body)
			rec.mu.Unlock()
			if tc.inBody != "" && !strings.Contains(body, tc.inBody) {
				t.Errorf("the answer does not hold %q:\n%s", tc.inBody, trim(body))
			}
			if tc.notBody != "" && strings.Contains(body, tc.notBody) {
				t.Errorf("the answer holds %q:\n%s", tc.notBody, trim(body))
			}
			if !strings.Contains(logged.String(), tc.log) || tc.log == "" && logged.String() != "" {
				t.Errorf("logged %q, want it to hold %q", logged.String(), tc.log)
			}
		})
	}
}

// trim shortens s for a message.
func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestUnwritableAnswerFault: an answer XML cannot carry (a Server field
// with a control character) is answered InternalServiceFault with the
// action of the response it stands for, its RelatesTo, and a TraceID
// that is its ActivityID, as every other fault (TestFaultAction). Before,
// it carried the generic fault action and no trace.
func TestUnwritableAnswerFault(t *testing.T) {
	f := newFixture(t, false)
	logged := f.captureLog()
	f.srv.AuthPolicy = Federated
	f.srv.AuthenticationURL = "https://127.0.0.1/a\x01"
	_, err := f.client.Discover(context.Background(), f.ts.URL+pathDiscovery, testDevice)
	got := wantFault(t, err, FaultInternalServiceFault, "")
	h := got.Header
	if h.Action != ActionDiscoverResponse || h.RelatesTo == "" || h.ActivityID == "" || got.TraceID != h.ActivityID {
		t.Errorf("action %q relates to %q activity %q trace %q", h.Action, h.RelatesTo, h.ActivityID, got.TraceID)
	}
	if !strings.Contains(logged.String(), "cannot be written") {
		t.Errorf("logged %q", logged.String())
	}
}

// TestUndefinedFaultLoggedOnce: a hook's fault whose Code or ErrorType
// MS-MDE2 does not define is logged at Error the first time the Server
// meets that Code or ErrorType and at Warn after that (its "err" still
// naming it), also when requests come at once; the Server remembers at
// most DefaultMaxUndefinedFaults of them (by default). Before, every such request was logged
// at Error.
func TestUndefinedFaultLoggedOnce(t *testing.T) {
	f, rec := logFixture(t)
	var mu sync.Mutex
	next := &Fault{}
	f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
		mu.Lock()
		defer mu.Unlock()
		c := *next
		return nil, &c
	}
	cred := Credentials{Username: "u", Password: "secret"}
	enroll := func(code FaultCode, et ErrorType) {
		t.Helper()
		mu.Lock()
		next = &Fault{Code: code, ErrorType: et, Reason: "r"}
		mu.Unlock()
		rec.mu.Lock()
		rec.recs = nil
		rec.mu.Unlock()
		_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, cred)
		wantFault(t, err, FaultInternalServiceFault, "")
	}
	// levels returns the levels of the request records, and checks that
	// each names the undefined code or type in its err.
	levels := func(name string) string {
		t.Helper()
		var out []string
		for _, r := range rec.above() {
			if !strings.Contains(r.attrs["err"], name) {
				t.Errorf("record %v: err %q does not name %q", r.level, r.attrs["err"], name)
			}
			out = append(out, r.level.String())
		}
		return strings.Join(out, " ")
	}
	for i, want := range []string{"ERROR", "WARN", "WARN"} {
		enroll("Bogus", "")
		if got := levels("Bogus"); got != want {
			t.Errorf("Bogus, request %d: logged %q, want %q", i+1, got, want)
		}
	}
	enroll("Other", "")
	if got := levels("Other"); got != "ERROR" {
		t.Errorf("a second undefined code: logged %q, want ERROR", got)
	}
	// An undefined error type is one more key; a known one beside an
	// undefined code does not make a repeat an Error.
	enroll("Bogus", "Whatever")
	if got := levels("Whatever"); got != "ERROR" {
		t.Errorf("Bogus/Whatever: logged %q, want ERROR", got)
	}
	enroll("Bogus", "Whatever")
	if got := levels("Whatever"); got != "WARN" {
		t.Errorf("Bogus/Whatever again: logged %q, want WARN", got)
	}

	// Requests at once: one Error among them.
	mu.Lock()
	next = &Fault{Code: "Concurrent", Reason: "r"}
	mu.Unlock()
	rec.mu.Lock()
	rec.recs = nil
	rec.mu.Unlock()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, cred)
		}()
	}
	wg.Wait()
	if got := levels("Concurrent"); strings.Count(got, "ERROR") != 1 || strings.Count(got, "WARN") != 7 {
		t.Errorf("8 requests at once: logged %q, want one ERROR and 7 WARN", got)
	}

	// Bounded: past DefaultMaxUndefinedFaults distinct codes, new ones are Warn.
	for i := 0; i < DefaultMaxUndefinedFaults && len(f.srv.undefined.seen) < DefaultMaxUndefinedFaults; i++ {
		enroll(FaultCode(fmt.Sprintf("Made-up-%d", i)), "")
	}
	enroll("One-too-many", "")
	if got := levels("One-too-many"); got != "WARN" {
		t.Errorf("past %d codes: logged %q, want WARN", DefaultMaxUndefinedFaults, got)
	}
	if n := len(f.srv.undefined.seen); n != DefaultMaxUndefinedFaults {
		t.Errorf("%d codes remembered, want %d", n, DefaultMaxUndefinedFaults)
	}
}

// TestMaxUndefinedFaults: Server.MaxUndefinedFaults bounds the undefined
// Codes and ErrorTypes remembered: with 2, a third distinct one is logged
// at Warn and not remembered, and the two remembered stay Warn when they
// come again. Before, the bound was a constant of 64.
func TestMaxUndefinedFaults(t *testing.T) {
	f, rec := logFixture(t)
	f.srv.MaxUndefinedFaults = 2
	var mu sync.Mutex
	code := FaultCode("")
	f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
		mu.Lock()
		defer mu.Unlock()
		return nil, &Fault{Code: code, Reason: "r"}
	}
	cred := Credentials{Username: "u", Password: "secret"}
	for i, tc := range []struct {
		code  FaultCode
		level string
	}{{"A", "ERROR"}, {"B", "ERROR"}, {"C", "WARN"}, {"A", "WARN"}, {"C", "WARN"}} {
		mu.Lock()
		code = tc.code
		mu.Unlock()
		rec.mu.Lock()
		rec.recs = nil
		rec.mu.Unlock()
		_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, cred)
		wantFault(t, err, FaultInternalServiceFault, "")
		var got []string
		for _, r := range rec.above() {
			got = append(got, r.level.String())
		}
		if g := strings.Join(got, " "); g != tc.level {
			t.Errorf("request %d (code %s): logged %q, want %q", i+1, tc.code, g, tc.level)
		}
	}
	if n := len(f.srv.undefined.seen); n != 2 {
		t.Errorf("%d codes remembered, want 2", n)
	}
}
