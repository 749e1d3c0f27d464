package mde2

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// recorder is a slog.Handler that keeps every record: its level,
// message, attributes (as text) and the request value of its context.
type recorder struct {
	mu   sync.Mutex
	recs []record
}

type record struct {
	level slog.Level
	msg   string
	attrs map[string]string
	req   any // the context's reqKey value
}

// reqKey is the context key a middleware sets, for the records to carry.
type reqKey struct{}

func (h *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *recorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recorder) WithGroup(string) slog.Handler            { return h }

func (h *recorder) Handle(ctx context.Context, r slog.Record) error {
	rec := record{level: r.Level, msg: r.Message, attrs: map[string]string{}, req: ctx.Value(reqKey{})}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, rec)
	return nil
}

// above returns the records at Warn and above.
func (h *recorder) above() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []record
	for _, r := range h.recs {
		if r.level >= slog.LevelWarn {
			out = append(out, r)
		}
	}
	return out
}

// logFixture is a fixture whose Server logs to a recorder, served
// through a middleware that puts "req-7" in each request's context.
func logFixture(t *testing.T) (*fixture, *recorder) {
	f := newFixture(t, false)
	rec := &recorder{}
	f.srv.Logger = slog.New(rec)
	mux := http.NewServeMux()
	mux.Handle(pathDiscovery, f.srv.DiscoveryHandler())
	mux.Handle(pathPolicy, f.srv.PolicyHandler())
	mux.Handle(pathEnroll, f.srv.EnrollmentHandler())
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqKey{}, "req-7")))
	}))
	t.Cleanup(ts.Close)
	f.ts = ts
	f.client = &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP, KeyType: KeyECDSAP256}
	f.srv.PolicyURL = ts.URL + pathPolicy
	f.srv.EnrollmentURL = ts.URL + pathEnroll
	f.srv.Account.Address = ts.URL + "/ManagementServer/MDM.svc"
	return f, rec
}

// wantRecord checks the one record at Warn or above: its level, the
// request's context, and that each attribute holds what want gives.
func wantRecord(t *testing.T, rec *recorder, level slog.Level, want map[string]string) record {
	t.Helper()
	recs := rec.above()
	if len(recs) != 1 {
		t.Fatalf("%d records at Warn or above, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.level != level || r.msg != "mde2 request" || r.req != "req-7" {
		t.Errorf("record %v %q with the context's value %v, want %v \"mde2 request\" with req-7", r.level, r.msg, r.req, level)
	}
	for k, v := range want {
		if got, ok := r.attrs[k]; !ok || !strings.Contains(got, v) {
			t.Errorf("attribute %s = %q (set %v), want it to hold %q; all: %v", k, got, ok, v, r.attrs)
		}
	}
	return r
}

// failingIssuer fails every Issue with err.
type failingIssuer struct {
	Issuer
	err error
}

func (i failingIssuer) Issue(context.Context, *IssueRequest) (*x509.Certificate, error) {
	return nil, i.err
}

// TestLogFailure: a Server's internal failure (an error of the Provision
// hook or of the Issuer, a hook's *Fault with a Code MS-MDE2 does not
// define) is one Error record with the request's context, naming the
// service, the request's MessageID, the ActivityID the fault's TraceID
// gives the device, the fault sent and the error. The records of the
// Discover and GetPolicies answered before it are Debug. (Before, the
// Server had only ErrorLog, a *log.Logger, and this did not compile.)
func TestLogFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		fault FaultCode
		err   string
	}{
		{"Provision hook error", func(f *fixture) {
			f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
				return nil, errors.New("the device database is down")
			}
		}, FaultInternalServiceFault, "provisioning the device: the device database is down"},
		{"hook fault with an unknown code", func(f *fixture) {
			f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
				return nil, &Fault{Code: "Bogus", Reason: "r"}
			}
		}, FaultInternalServiceFault, `a fault with the code "Bogus", which MS-MDE2 does not define, is answered InternalServiceFault`},
		{"Issuer error", func(f *fixture) {
			f.srv.Issuer = failingIssuer{f.srv.Issuer, errors.New("the HSM is offline")}
		}, FaultCertificateRequest, "Server.Issuer: the HSM is offline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, rec := logFixture(t)
			tc.setup(f)
			_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
			got := wantFault(t, err, tc.fault, "")
			if got.Header.RelatesTo == "" || got.TraceID == "" {
				t.Fatalf("the fault relates to %q, trace %q", got.Header.RelatesTo, got.TraceID)
			}
			wantRecord(t, rec, slog.LevelError, map[string]string{
				"service": "enrollment", "status": "500", "fault": string(tc.fault), "err": tc.err,
				"message_id": got.Header.RelatesTo, "activity_id": got.TraceID,
			})
			var services []string
			for _, r := range rec.recs {
				if r.level == slog.LevelDebug {
					services = append(services, r.attrs["service"]+" "+r.attrs["status"])
				}
			}
			if strings.Join(services, ", ") != "discovery 200, policy 200" {
				t.Errorf("Debug records of %q, want discovery 200, policy 200", services)
			}
		})
	}
}

// TestLogRefused: a request refused with a fault that its body or
// credentials caused is one Warn record with the request's context,
// naming the service, the fault sent and the error (the decode error,
// the check's own error behind an Authentication fault). An HTTP error
// (here the content type) is a Warn record with the status and error.
// (Before, the Server had only ErrorLog, a *log.Logger, and this did not
// compile; refusals were not logged.)
func TestLogRefused(t *testing.T) {
	t.Run("body not well-formed", func(t *testing.T) {
		f, rec := logFixture(t)
		status, got := post(t, f.srv.EnrollmentURL, "application/soap+xml; charset=utf-8", "<s:Envelope")
		if status != http.StatusInternalServerError || got == nil || got.Code != FaultMessageFormat {
			t.Fatalf("status %d, fault %+v", status, got)
		}
		wantRecord(t, rec, slog.LevelWarn, map[string]string{
			"service": "enrollment", "status": "500", "fault": "MessageFormat", "err": "not well-formed",
			"activity_id": got.TraceID, "message_id": "",
		})
	})
	t.Run("another service's message", func(t *testing.T) {
		f, rec := logFixture(t)
		b, err := Marshal(&Discover{Header: Header{MessageID: "urn:uuid:m-1"}, EmailAddress: "u@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		status, got := post(t, f.srv.PolicyURL, "application/soap+xml; charset=utf-8", string(b))
		if status != http.StatusInternalServerError || got == nil || got.Code != FaultMessageFormat {
			t.Fatalf("status %d, fault %+v", status, got)
		}
		wantRecord(t, rec, slog.LevelWarn, map[string]string{
			"service": "policy", "fault": "MessageFormat", "err": "unexpected structure", "activity_id": got.TraceID,
			"message_id": "urn:uuid:m-1",
		})
	})
	t.Run("wrong password", func(t *testing.T) {
		f, rec := logFixture(t)
		_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "nope"})
		got := wantFault(t, err, FaultAuthentication, "")
		wantRecord(t, rec, slog.LevelWarn, map[string]string{
			"service": "policy", "fault": "Authentication", "err": "bad password",
			"message_id": got.Header.RelatesTo, "activity_id": got.TraceID,
		})
	})
	t.Run("content type", func(t *testing.T) {
		f, rec := logFixture(t)
		status, _ := post(t, f.srv.EnrollmentURL, "text/plain", "x")
		if status != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d", status)
		}
		r := wantRecord(t, rec, slog.LevelWarn, map[string]string{"service": "enrollment", "status": "415", "err": "text/plain"})
		if _, ok := r.attrs["fault"]; ok {
			t.Errorf("an HTTP error logged with a fault: %v", r.attrs)
		}
	})
}

// TestLogNil: a Server without a Logger logs nothing, not even on
// slog.Default(), as the module's other servers with a nil Logger. (The
// test sets the default for its run; no test of the package runs in
// parallel.)
func TestLogNil(t *testing.T) {
	f, _ := logFixture(t)
	f.srv.Logger = nil
	rec := &recorder{}
	old := slog.Default()
	slog.SetDefault(slog.New(rec))
	defer slog.SetDefault(old)
	f.srv.Issuer = nil
	status, _ := post(t, f.srv.EnrollmentURL, "application/soap+xml; charset=utf-8", rstEnvelope(t, BinarySecurityToken{}, Header{}))
	if status != http.StatusInternalServerError {
		t.Fatalf("status %d", status)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.recs) != 0 {
		t.Errorf("a nil Logger logged on slog.Default: %+v", rec.recs)
	}
}
