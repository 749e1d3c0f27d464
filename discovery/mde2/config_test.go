package mde2

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// captureLog sends the Server's internal errors (its Error records) to
// a buffer, as text.
func (f *fixture) captureLog() *lockedBuffer {
	var b lockedBuffer
	f.srv.Logger = slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelError}))
	return &b
}

// nilIssuer is an Issuer that issues nothing and reports no error.
type nilIssuer struct{ root *x509.Certificate }

func (n nilIssuer) Issue(context.Context, *IssueRequest) (*x509.Certificate, error) { return nil, nil }
func (n nilIssuer) Root() *x509.Certificate                                         { return n.root }

// TestServerIssuerMisconfigured: a Server whose Issuer is missing or
// unusable answers InternalServiceFault and logs what is wrong, naming the
// field, instead of panicking (the device then saw a closed connection) or
// blaming the device's credentials with an Authentication fault.
func TestServerIssuerMisconfigured(t *testing.T) {
	ctx := context.Background()
	onPremise := Credentials{Username: "u", Password: "secret"}
	for _, tc := range []struct {
		name   string
		issuer func(f *fixture) Issuer
		want   string
	}{
		{"zero CA", func(*fixture) Issuer { return &CA{} }, "Server.Issuer has no root certificate"},
		{"nil *CA", func(*fixture) Issuer { return (*CA)(nil) }, "Server.Issuer has no root certificate"},
		{"issues nothing", func(f *fixture) Issuer { return nilIssuer{f.ca.Root()} }, "Server.Issuer returned no certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			f.srv.Issuer = tc.issuer(f)
			_, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, onPremise)
			wantFault(t, err, FaultInternalServiceFault, "")
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log %q, want it to name %q", logs.String(), tc.want)
			}
		})
	}
	// The Certificate policy checks a client certificate against the
	// Issuer's root: without an Issuer that is the server's fault, not the
	// device's credentials'. (Discover refuses too, see
	// TestServerDiscoverCheckMissing: the device here discovered before.)
	t.Run("no Issuer, Certificate policy", func(t *testing.T) {
		f, parent := certificatePrimary(t)
		resp, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice)
		if err != nil {
			t.Fatal(err)
		}
		logs := f.captureLog()
		f.srv.Issuer = nil
		cred := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}
		_, err = f.client.EnrollWith(ctx, resp, testDevice, cred)
		wantFault(t, err, FaultInternalServiceFault, "")
		if !strings.Contains(logs.String(), "Server.Issuer is not set") {
			t.Errorf("log %q, want it to name Server.Issuer", logs.String())
		}
	})
}

// TestServerDiscoverURLsMissing: a Server without the URLs its
// DiscoverResponse gives refuses to answer Discover (InternalServiceFault,
// the missing field logged) instead of answering empty URLs, which the
// device then blamed on the server's answer ("empty EnrollmentServiceUrl").
func TestServerDiscoverURLsMissing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		unset func(s *Server)
		want  string
	}{
		{"PolicyURL", func(s *Server) { s.PolicyURL = "" }, "Server.PolicyURL is not set"},
		{"EnrollmentURL", func(s *Server) { s.EnrollmentURL = "" }, "Server.EnrollmentURL is not set"},
		{"AuthenticationURL", func(s *Server) { s.AuthPolicy, s.AuthenticationURL = Federated, "" }, "Server.AuthenticationURL is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			tc.unset(f.srv)
			_, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice)
			wantFault(t, err, FaultInternalServiceFault, "")
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log %q, want it to name %q", logs.String(), tc.want)
			}
		})
	}
	// AuthenticationURL is the Federated policy's only.
	f := newFixture(t, false)
	f.srv.AuthenticationURL = ""
	if _, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice); err != nil {
		t.Errorf("OnPremise without AuthenticationURL: %v", err)
	}
}

// TestServerHighestVersion: a Server whose HighestVersion is not a
// version, or is below the lowest MS-MDE2 gives a server, answers
// Discover InternalServiceFault and logs the field at Error. Before, a
// malformed one was answered MessageFormat and logged at Warn, blamed on
// the device's request, and one of "2.0" was answered as EnrollmentVersion
// 2.0. A usable one still caps the answer.
func TestServerHighestVersion(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ highest, want string }{
		{"five", "Server.HighestVersion: malformed version"},
		{"2.0", "is below LowestEnrollmentVersion 3.0"},
	} {
		t.Run(tc.highest, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			f.srv.HighestVersion = tc.highest
			_, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice)
			wantFault(t, err, FaultInternalServiceFault, "")
			if !strings.Contains(logs.String(), tc.want) || !strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("log %q, want an Error naming %q", logs.String(), tc.want)
			}
		})
	}
	f := newFixture(t, false)
	f.srv.HighestVersion = "4.0"
	resp, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice)
	if err != nil || resp.EnrollmentVersion != "4.0" {
		t.Errorf("HighestVersion 4.0: %v, EnrollmentVersion %q", err, resp.EnrollmentVersion)
	}
}

// TestServerDiscoverCheckMissing: a Server that announces a policy whose
// credentials it cannot check refuses to answer Discover
// (InternalServiceFault, the missing field logged), as it does without
// its URLs. Before, Discover was answered, and the device's enrollment
// then failed with an Authentication fault, blamed on its credentials.
// Under the Certificate policy the check is Server.Certificate, or by
// default the Issuer's root; the other policies' checks are not needed.
func TestServerDiscoverCheckMissing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		unset func(s *Server)
		want  string // "" : answered
	}{
		{"OnPremise without Password", func(s *Server) { s.AuthPolicy, s.Password = OnPremise, nil }, "Server.Password is not set"},
		{"Federated without Token", func(s *Server) { s.AuthPolicy, s.Token = Federated, nil }, "Server.Token is not set"},
		{"Certificate without Certificate or Issuer", func(s *Server) { s.AuthPolicy, s.Issuer = Certificate, nil }, "Server.Issuer is not set"},
		{"Certificate with an Issuer without root", func(s *Server) { s.AuthPolicy, s.Issuer = Certificate, &CA{} }, "Server.Issuer has no root certificate"},
		{"OnPremise without Token", func(s *Server) { s.Token = nil }, ""},
		{"Federated without Password", func(s *Server) { s.AuthPolicy, s.Password = Federated, nil }, ""},
		{"Certificate with Issuer only", func(s *Server) { s.AuthPolicy, s.Password, s.Token = Certificate, nil, nil }, ""},
		{"Certificate with Certificate only", func(s *Server) {
			s.AuthPolicy, s.Password, s.Token = Certificate, nil, nil
			s.Certificate = func(context.Context, []*x509.Certificate) (*Identity, error) { return nil, nil }
		}, ""},
		// A Server without an Issuer issues nothing: Discover is not
		// answered whatever the policy (before, OnPremise and
		// Federated were).
		{"Certificate with Certificate, no Issuer", func(s *Server) {
			s.AuthPolicy, s.Issuer = Certificate, nil
			s.Certificate = func(context.Context, []*x509.Certificate) (*Identity, error) { return nil, nil }
		}, "Server.Issuer is not set"},
		{"OnPremise without Issuer", func(s *Server) { s.AuthPolicy, s.Issuer = OnPremise, nil }, "Server.Issuer is not set"},
		{"Federated without Issuer", func(s *Server) { s.AuthPolicy, s.Issuer = Federated, nil }, "Server.Issuer is not set"},
		{"Certificate turned off", func(s *Server) { s.AuthPolicy, s.DisableCertificateAuth = Certificate, true }, "Server.DisableCertificateAuth is set"},
		{"nothing served", func(s *Server) { s.Password, s.Token, s.DisableCertificateAuth = nil, nil, true }, "serves no authentication policy"},
		{"not a policy", func(s *Server) { s.AuthPolicy = "Kerberos" }, "not a policy of MS-MDE2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			tc.unset(f.srv)
			_, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice)
			if tc.want == "" {
				if err != nil || logs.String() != "" {
					t.Errorf("Discover: %v, log %q; want an answer", err, logs.String())
				}
				return
			}
			wantFault(t, err, FaultInternalServiceFault, "")
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log %q, want it to name %q", logs.String(), tc.want)
			}
		})
	}
}

// TestNilServer: the handlers of a nil *Server answer 500 naming it
// instead of panicking (the device saw a closed connection).
func TestNilServer(t *testing.T) {
	var s *Server
	for name, h := range map[string]http.Handler{"discovery": s.DiscoveryHandler(), "policy": s.PolicyHandler(), "enrollment": s.EnrollmentHandler()} {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/x", strings.NewReader("<x/>"))
		req.Header.Set("Content-Type", contentTypeSOAP12)
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: panic %v", name, r)
				}
			}()
			h.ServeHTTP(rec, req)
		}()
		if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "nil *Server") {
			t.Errorf("%s: %d %q, want 500 naming the nil *Server", name, rec.Code, rec.Body.String())
		}
	}
}

// TestServerDiscoverOffersWhatItServes: for each combination of the
// checks set (Password, Token with AuthenticationURL,
// DisableCertificateAuth), AuthPolicy (empty or each policy) and the
// policies the device lists, Discover answers a policy the Server serves
// and the device lists: the one AuthPolicy names, or, without it, the
// first of OnPremise, Federated, Certificate that is served; a device
// listing none served gets NotSupported, a Server that serves nothing
// (or not its AuthPolicy) an InternalServiceFault. Before, a Server
// without AuthPolicy answered OnPremise whatever it served, and
// Certificate could not be turned off while an Issuer was set.
func TestServerDiscoverOffersWhatItServes(t *testing.T) {
	ctx := context.Background()
	all := []AuthPolicy{OnPremise, Federated, Certificate}
	lists := [][]AuthPolicy{nil, {OnPremise}, {Federated}, {Certificate}, {Certificate, Federated}, {Federated, OnPremise}}
	f := newFixture(t, false)
	password, token := f.srv.Password, f.srv.Token
	n := 0
	for mask := range 8 {
		hasPassword, hasToken, certOff := mask&1 != 0, mask&2 != 0, mask&4 != 0
		served := func(p AuthPolicy) bool {
			return p == OnPremise && hasPassword || p == Federated && hasToken || p == Certificate && !certOff
		}
		for _, set := range append([]AuthPolicy{""}, all...) {
			for _, list := range lists {
				f.srv.Password, f.srv.Token, f.srv.DisableCertificateAuth, f.srv.AuthPolicy = nil, nil, certOff, set
				if hasPassword {
					f.srv.Password = password
				}
				if hasToken {
					f.srv.Token = token
				}
				// what the device lists; an empty list is all three
				lists := list
				if len(lists) == 0 {
					lists = all
				}
				var want AuthPolicy
				var wantCode FaultCode
				var wantType ErrorType
				if set != "" {
					switch {
					case !served(set):
						wantCode = FaultInternalServiceFault
					case !slices.Contains(lists, set):
						wantCode, wantType = FaultMessageFormat, ErrorNotSupported
					default:
						want = set
					}
				} else {
					anyServed := false
					for _, p := range all {
						if served(p) {
							anyServed = true
							if want == "" && slices.Contains(lists, p) {
								want = p
							}
						}
					}
					switch {
					case !anyServed:
						wantCode = FaultInternalServiceFault
					case want == "":
						wantCode, wantType = FaultMessageFormat, ErrorNotSupported
					}
				}
				name := fmt.Sprintf("Password %v, Token %v, Certificate off %v, AuthPolicy %q, device %v", hasPassword, hasToken, certOff, set, list)
				resp, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice, list...)
				n++
				if wantCode == "" {
					if err != nil || resp.AuthPolicy != want {
						t.Errorf("%s: %v, %+v; want %s", name, err, resp, want)
					} else if (resp.AuthenticationServiceURL != "") != (want == Federated) {
						t.Errorf("%s: AuthenticationServiceUrl %q", name, resp.AuthenticationServiceURL)
					}
					continue
				}
				fault, ok := errors.AsType[*Fault](err)
				if !ok || fault.Code != wantCode || fault.ErrorType != wantType {
					t.Errorf("%s: %v, want a fault %s/%s", name, err, wantCode, wantType)
				}
			}
		}
	}
	if n != 8*4*len(lists) {
		t.Fatalf("%d combinations", n)
	}
	// Federated is served in Discover only with an AuthenticationURL.
	f.srv.Password, f.srv.Token, f.srv.DisableCertificateAuth, f.srv.AuthPolicy = nil, token, true, ""
	f.srv.AuthenticationURL = ""
	if _, err := f.client.Discover(ctx, f.ts.URL+pathDiscovery, testDevice); err == nil {
		t.Error("Federated without AuthenticationURL: answered")
	}
}

// TestDisableCertificateAuth: with DisableCertificateAuth a certificate
// the Server issued no longer authenticates GetPolicies or an issue
// (Authentication fault), though the Issuer is set, while renewals,
// authenticated by the certificate renewed, still go through. Before,
// nothing turned the Certificate policy off while an Issuer was set.
func TestDisableCertificateAuth(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	parent, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	// the client certificate as a TLS-terminating proxy would pass it
	f.srv.ClientCertificates = func(*http.Request) []*x509.Certificate { return []*x509.Certificate{parent.Certificate} }
	cred := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}
	resp := &DiscoverResponse{AuthPolicy: Certificate, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: f.srv.PolicyURL, EnrollmentServiceURL: f.srv.EnrollmentURL}
	csr := handCSR(t, testECKey, "device", 12, false)
	issue := func(id string) (int, *Fault) {
		return post(t, f.srv.EnrollmentURL, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), Header{MessageID: id}))
	}
	for _, off := range []bool{false, true} {
		f.srv.DisableCertificateAuth = off
		_, err := f.client.EnrollWith(ctx, resp, testDevice, cred)
		status, fault := issue(fmt.Sprint("urn:uuid:off-", off))
		if !off {
			if err != nil || status != 200 {
				t.Errorf("Certificate on: enrollment %v, issue %d %v", err, status, fault)
			}
			continue
		}
		wantFault(t, err, FaultAuthentication, "")
		if fault == nil || fault.Code != FaultAuthentication {
			t.Errorf("Certificate off: issue %d %v, want an Authentication fault", status, fault)
		}
		if _, err := f.client.Renew(ctx, parent, testDevice); err != nil {
			t.Errorf("renewal under DisableCertificateAuth: %v", err)
		}
	}
}
