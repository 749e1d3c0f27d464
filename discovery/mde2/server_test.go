package mde2

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

const (
	pathDiscovery = "/EnrollmentServer/Discovery.svc"
	pathPolicy    = "/EnrollmentServer/Policy.svc"
	pathEnroll    = "/EnrollmentServer/Enrollment.svc"
)

type fixture struct {
	srv    *Server
	ts     *httptest.Server
	client *Client
	ca     *CA
}

// newFixture serves the three services on loopback, over TLS (asking for
// client certificates) when useTLS is set. Its Client makes ECDSA keys,
// which are quick to make, and its Server's policy takes them
// (withECDSA); keys_test.go covers the default KeyFromPolicy, and
// policycheck_test.go the DefaultPolicy, which refuses them.
func newFixture(t *testing.T, useTLS bool) *fixture {
	t.Helper()
	ca, err := NewMemoryCA("windc test root")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{
		Issuer: ca,
		Policy: withECDSA(),
		Password: func(_ context.Context, user, pass string) (*Identity, error) {
			if pass != "secret" {
				return nil, errors.New("bad password")
			}
			return &Identity{Name: user}, nil
		},
		Token: func(_ context.Context, tok *FederatedToken) (*Identity, error) {
			if string(tok.Data) != "good-token" {
				return nil, errors.New("bad token")
			}
			return &Identity{Name: "entra-device"}, nil
		},
		Account: Account{ProviderID: "WinDC"},
	}
	mux := http.NewServeMux()
	mux.Handle(pathDiscovery, srv.DiscoveryHandler())
	mux.Handle(pathPolicy, srv.PolicyHandler())
	mux.Handle(pathEnroll, srv.EnrollmentHandler())
	ts := httptest.NewUnstartedServer(mux)
	if useTLS {
		ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	srv.PolicyURL = ts.URL + pathPolicy
	srv.EnrollmentURL = ts.URL + pathEnroll
	srv.AuthenticationURL = ts.URL + "/auth"
	srv.Account.Address = ts.URL + "/ManagementServer/MDM.svc"
	return &fixture{srv: srv, ts: ts, client: &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP, KeyType: KeyECDSAP256}, ca: ca}
}

// withECDSA is DefaultPolicy taking ECDSA keys of 256 bits or more too
// (AllowECDSA), the keys test Clients make because they are quick to
// make.
func withECDSA() *CertificatePolicy {
	p := DefaultPolicy()
	p.AllowECDSA = true
	return p
}

var testDevice = &Device{
	EmailAddress:   "user@example.com",
	DeviceID:       "7BA748C8-703E-4DF2-A74A-92984117346A",
	DeviceName:     "DESKTOP-1",
	OSVersion:      "10.0.26100.1",
	RequestVersion: "5.0",
}

func (f *fixture) checkResult(t *testing.T, r *Result, policy AuthPolicy) {
	t.Helper()
	if r.AuthPolicy != policy {
		t.Errorf("AuthPolicy %q, want %q", r.AuthPolicy, policy)
	}
	if r.Address != f.srv.Account.Address || r.ProviderID != "WinDC" {
		t.Errorf("account %q %q", r.Address, r.ProviderID)
	}
	if len(r.Roots) != 1 || !r.Roots[0].Equal(f.ca.Root()) {
		t.Errorf("roots %v", r.Roots)
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.Root())
	if _, err := r.Certificate.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("issued certificate does not verify: %v", err)
	}
	if r.Certificate.Subject.CommonName != testDevice.DeviceID {
		t.Errorf("subject %q, want the DeviceID", r.Certificate.Subject.CommonName)
	}
}

func TestEnrollOnPremise(t *testing.T) {
	for _, kt := range []KeyType{KeyECDSAP256, KeyRSA2048} {
		f := newFixture(t, false)
		f.client.KeyType = kt
		r, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "user@example.com", Password: "secret"})
		if err != nil {
			t.Fatal(err)
		}
		f.checkResult(t, r, OnPremise)
		if r.EnrollmentVersion != "5.0" {
			t.Errorf("EnrollmentVersion %q", r.EnrollmentVersion)
		}
		if r.Provisioning.DMClient == nil || r.Provisioning.DMClient.EntDMID != testDevice.DeviceID {
			t.Errorf("DMClient %+v", r.Provisioning.DMClient)
		}
	}
}

func TestEnrollFederated(t *testing.T) {
	f := newFixture(t, false)
	f.srv.AuthPolicy = Federated
	resp, err := f.client.Discover(context.Background(), f.ts.URL+pathDiscovery, testDevice)
	if err != nil {
		t.Fatal(err)
	}
	if resp.AuthenticationServiceURL != f.srv.AuthenticationURL {
		t.Errorf("AuthenticationServiceUrl %q", resp.AuthenticationServiceURL)
	}
	r, err := f.client.EnrollWith(context.Background(), resp, testDevice, Credentials{Token: []byte("good-token")})
	if err != nil {
		t.Fatal(err)
	}
	f.checkResult(t, r, Federated)
	if r.Provisioning.ClientStore != "" && r.Provisioning.ClientStore != provisioning.StoreUser {
		t.Errorf("user enrollment in store %q", r.Provisioning.ClientStore)
	}
	// A device enrollment's certificate goes to the machine store.
	dev := *testDevice
	dev.EnrollmentType = "Device"
	r, err = f.client.EnrollWith(context.Background(), resp, &dev, Credentials{Token: []byte("good-token")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Provisioning.ClientStore != provisioning.StoreSystem || !strings.Contains(r.Provisioning.Application.SSLClientCertSearchCriteria, "My%5CSystem") {
		t.Errorf("device enrollment: store %q, criteria %q", r.Provisioning.ClientStore, r.Provisioning.Application.SSLClientCertSearchCriteria)
	}
}

// TestEnrollLinked: the WinDC discovery JSON stands for the
// DiscoverResponse; Federated with a device token, Certificate with the
// parent enrollment's certificate over TLS.
func TestEnrollLinked(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	parent, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ  discovery.EnrollmentType
		cred Credentials
	}{
		{discovery.EnrollmentTypeDevice, Credentials{Token: []byte("good-token")}},
		{discovery.EnrollmentTypeDevice, Credentials{Token: []byte("good-token"), TokenType: ValueTypeJWT}},
		{discovery.EnrollmentTypeUser, Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}},
	} {
		req := &discovery.Request{EnrollmentType: &tc.typ, OSVersion: "10.0.26100.1"}
		resp := &discovery.Response{
			EnrollmentServiceURL:       f.srv.EnrollmentURL,
			EnrollmentPolicyServiceURL: f.srv.PolicyURL,
			AuthenticationServiceURL:   f.srv.AuthenticationURL,
			EnrollmentVersion:          "5.0",
			AuthPolicy:                 req.RequiredAuthPolicy(),
		}
		r, err := f.client.EnrollLinked(ctx, resp, testDevice, tc.cred)
		if err != nil {
			t.Fatalf("%s: %v", tc.typ, err)
		}
		f.checkResult(t, r, AuthPolicy(resp.AuthPolicy))
	}
	// A certificate from another CA is refused.
	other := newFixture(t, false)
	stranger, err := other.client.Enroll(ctx, other.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.EnrollLinked(ctx, &discovery.Response{EnrollmentServiceURL: f.srv.EnrollmentURL, EnrollmentPolicyServiceURL: f.srv.PolicyURL, AuthPolicy: discovery.AuthPolicyCertificate},
		testDevice, Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{stranger.Certificate.Raw}, PrivateKey: stranger.Key}})
	wantFault(t, err, FaultAuthentication, "")
}

func TestRenew(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		f := newFixture(t, useTLS)
		r, n := f.enrollAndRenew(t)
		if n.Certificate.Equal(r.Certificate) || publicKeyEqual(n.Certificate.PublicKey, r.Key.Public()) {
			t.Error("renewal returned the old certificate or key")
		}
		if n.Certificate.Subject.String() != r.Certificate.Subject.String() || n.Address != r.Address {
			t.Errorf("renewal changed subject or account")
		}
		if n.Provisioning.Application != nil {
			t.Error("renewal document carries the DM account again")
		}
		// Outside the renewal window: NotEligibleToRenew.
		f.srv.RenewWindow = 24 * time.Hour
		_, err := f.client.Renew(context.Background(), n, testDevice)
		wantFault(t, err, FaultAuthorization, ErrorNotEligibleToRenew)
		f.srv.RenewWindow = 0
	}
}

// enroll enrolls testDevice under OnPremise, failing the test on an
// error.
func (f *fixture) enroll(t *testing.T) *Result {
	t.Helper()
	r, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	return r
}

// enrollAndRenew enrolls testDevice under OnPremise and renews its
// certificate, failing the test on an error of either.
func (f *fixture) enrollAndRenew(t *testing.T) (enrolled, renewed *Result) {
	t.Helper()
	r := f.enroll(t)
	n, err := f.client.Renew(context.Background(), r, testDevice)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	return r, n
}

func wantFault(t *testing.T, err error, code FaultCode, et ErrorType) *Fault {
	t.Helper()
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("error %v (%T), want a *Fault %s", err, err, code)
	}
	if f.Code != code || f.ErrorType != et {
		t.Errorf("fault %s/%s, want %s/%s", f.Code, f.ErrorType, code, et)
	}
	want := code.HRESULT()
	if et != "" {
		want = et.HRESULT()
	}
	if f.HRESULT() != want || want == 0 {
		t.Errorf("HRESULT %#x, want %#x", f.HRESULT(), want)
	}
	return f
}

// TestEveryFault: each fault code and error type travels from a server
// hook to the client as a typed *Fault with its HRESULT.
func TestEveryFault(t *testing.T) {
	f := newFixture(t, false)
	var next *Fault
	f.srv.Approve = func(context.Context, *EnrollmentRequest) error { return next }
	cred := Credentials{Username: "u", Password: "secret"}
	for code := range faultHRESULT {
		for _, et := range append([]ErrorType{""}, keys(errorTypeHRESULT)...) {
			next = &Fault{Code: code, ErrorType: et, Reason: "refused", TraceID: "trace-1"}
			_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, cred)
			got := wantFault(t, err, code, et)
			if got.Reason != "refused" || got.TraceID != "trace-1" {
				t.Errorf("reason %q trace %q", got.Reason, got.TraceID)
			}
		}
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestServerFaults: the faults the server itself chooses.
func TestServerFaults(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery

	_, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Username: "u", Password: "wrong"})
	wantFault(t, err, FaultAuthentication, "")

	f.srv.AuthPolicy = Federated
	resp, err := f.client.Discover(ctx, disc, testDevice)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.EnrollWith(ctx, resp, testDevice, Credentials{Token: []byte("bad-token")})
	wantFault(t, err, FaultAuthentication, "")
	_, err = f.client.Discover(ctx, disc, testDevice, OnPremise)
	wantFault(t, err, FaultMessageFormat, ErrorNotSupported)
	f.srv.AuthPolicy = ""

	bad := *testDevice
	bad.RequestVersion = "x.y"
	_, err = f.client.Discover(ctx, disc, &bad)
	wantFault(t, err, FaultMessageFormat, "")

	f.srv.Provision = nil
	f.srv.Account.Address = "" // the default document cannot be built
	_, err = f.client.Enroll(ctx, disc, testDevice, Credentials{Username: "u", Password: "secret"})
	wantFault(t, err, FaultInternalServiceFault, "")
}

// post sends a raw body and returns the status and the decoded fault.
func post(t *testing.T, url, ctype, body string) (int, *Fault) {
	t.Helper()
	res, err := http.Post(url, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	var f Fault
	if err := Unmarshal(buf.Bytes(), &f); err != nil {
		return res.StatusCode, nil
	}
	return res.StatusCode, &f
}

func rstEnvelope(t *testing.T, token BinarySecurityToken, hdr Header) string {
	t.Helper()
	b, err := Marshal(&RequestSecurityToken{Header: hdr, TokenType: TokenTypeDeviceEnrollment, RequestType: RequestTypeIssue, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServerRawRequests: malformed and hostile requests get a fault or a
// 4xx, never a panic.
func TestServerRawRequests(t *testing.T) {
	f := newFixture(t, false)
	enroll := f.ts.URL + pathEnroll
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	tampered := handCSR(t, testECKey, windowsCN, 19, false)
	tampered[20] ^= 1
	small, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{}, mustRSA1024())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, url, ctype, body string
		status                 int
		code                   FaultCode
	}{
		{"not XML", enroll, "application/soap+xml", "<s:Envelope", 500, FaultMessageFormat},
		{"DOCTYPE", enroll, "application/soap+xml", `<!DOCTYPE x [<!ENTITY a "b">]><x/>`, 500, FaultMessageFormat},
		{"not SOAP", enroll, "application/soap+xml", "<a/>", 500, FaultMessageFormat},
		{"deep", enroll, "application/soap+xml", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), 500, FaultMessageFormat},
		{"wrong type", enroll, "text/plain", "x", 415, ""},
		{"too large", enroll, "application/soap+xml", strings.Repeat(" ", DefaultMaxBytes+1), 413, ""},
		{"bad CSR signature", enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, tampered), pw), 500, FaultCertificateRequest},
		{"RSA 1024", enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, small), pw), 500, FaultCertificateRequest},
		{"token not base64", enroll, "application/soap+xml", rstEnvelope(t, BinarySecurityToken{ValueType: ValueTypePKCS10, Value: "!!"}, pw), 500, FaultMessageFormat},
		{"federated token not base64", enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, tampered), Header{Token: &BinarySecurityToken{ValueType: ValueTypeUserToken, Value: "%%"}}), 500, FaultInvalidSecurity},
		{"a fault as request", enroll, "application/soap+xml", func() string {
			b, _ := Marshal(NewFault(FaultAuthorization, ErrorDeviceCapReached, "x"))
			return string(b)
		}(), 500, FaultMessageFormat},
		{"no credentials", enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, tampered), Header{}), 500, FaultAuthentication},
	}
	for _, tc := range cases {
		status, fault := post(t, tc.url, tc.ctype, tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
		}
		if tc.code != "" && (fault == nil || fault.Code != tc.code) {
			t.Errorf("%s: fault %+v, want %s", tc.name, fault, tc.code)
		}
	}
	// GET probe, other methods.
	for _, m := range []struct {
		method, url string
		status      int
	}{{"GET", f.ts.URL + pathDiscovery, 200}, {"PUT", f.ts.URL + pathDiscovery, 405}, {"GET", enroll, 405}} {
		req, _ := http.NewRequest(m.method, m.url, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != m.status {
			t.Errorf("%s %s: %d, want %d", m.method, m.url, res.StatusCode, m.status)
		}
	}
}

// TestDiscoverVersions: RequestVersion is answered with the version
// asked, raised to 3.0 and lowered to the highest supported (9.0 is
// answered, not refused); RelatesTo echoes the MessageID; To is not
// checked.
func TestDiscoverVersions(t *testing.T) {
	f := newFixture(t, false)
	for req, want := range map[string]string{"1.0": "3.0", "4.0": "4.0", "5.0": "5.0", "7.0": "7.0", "9.0": "7.0", "": "3.0"} {
		body, _ := Marshal(&Discover{Header: Header{MessageID: "urn:uuid:abc", To: "https://elsewhere.example/x"}, RequestVersion: req, AuthPolicies: []AuthPolicy{OnPremise}})
		res, err := http.Post(f.ts.URL+pathDiscovery, "application/soap+xml; charset=utf-8", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(res.Body)
		res.Body.Close()
		var dr DiscoverResponse
		if err := Unmarshal(buf.Bytes(), &dr); err != nil {
			t.Fatalf("%s: %v", req, err)
		}
		if dr.EnrollmentVersion != want || dr.Header.RelatesTo != "urn:uuid:abc" {
			t.Errorf("RequestVersion %q: EnrollmentVersion %q RelatesTo %q, want %q", req, dr.EnrollmentVersion, dr.Header.RelatesTo, want)
		}
		if res.ContentLength <= 0 || res.Header.Get("Content-Type") != contentTypeSOAP12 {
			t.Errorf("Content-Length %d, Content-Type %q", res.ContentLength, res.Header.Get("Content-Type"))
		}
	}
}

// certificatePrimary serves over TLS, enrolls testDevice with a password
// and then turns the service to the Certificate policy; it returns the
// fixture and that first enrollment.
func certificatePrimary(t *testing.T) (*fixture, *Result) {
	t.Helper()
	f := newFixture(t, true)
	parent, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.AuthPolicy = Certificate
	return f, parent
}

// TestEnrollCertificatePrimary: a primary enrollment whose Discover names
// the Certificate policy, authenticated by a certificate this service
// issued, over TLS.
func TestEnrollCertificatePrimary(t *testing.T) {
	f, parent := certificatePrimary(t)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	r, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}})
	if err != nil {
		t.Fatal(err)
	}
	f.checkResult(t, r, Certificate)
	// Without a certificate the services answer Authentication.
	_, err = f.client.Enroll(ctx, disc, testDevice, Credentials{Certificate: &tls.Certificate{}})
	wantFault(t, err, FaultAuthentication, "")
}

// TestFaultAction: a fault carries the action of the response it stands
// for, as MS-MDE2's example shows.
func TestFaultAction(t *testing.T) {
	f := newFixture(t, false)
	body := rstEnvelope(t, *NewToken(ValueTypePKCS10, []byte("x")), Header{MessageID: "urn:uuid:9"})
	res, err := http.Post(f.srv.EnrollmentURL, "application/soap+xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	res.Body.Close()
	var fault Fault
	if err := Unmarshal(buf.Bytes(), &fault); err != nil {
		t.Fatal(err)
	}
	if fault.Header.Action != ActionRequestSecurityTokenResponse || fault.Header.RelatesTo != "urn:uuid:9" || fault.TraceID == "" {
		t.Errorf("action %q relates to %q trace %q", fault.Header.Action, fault.Header.RelatesTo, fault.TraceID)
	}
}

// TestManualRenewal: a manual renewal's PKCS#7 is base64-encoded once
// more inside the token; the server reads both forms.
func TestManualRenewal(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	r, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	csr := handCSR(t, testECKey, windowsCN, asn1.TagPrintableString, false)
	p7, err := BuildRenewalRequest(csr, r.Certificate, r.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	inner := base64.StdEncoding.EncodeToString(p7)
	b, err := Marshal(&RequestSecurityToken{Header: Header{MessageID: "urn:uuid:m"}, TokenType: TokenTypeDeviceEnrollment, RequestType: RequestTypeRenew,
		Token: *NewToken(ValueTypePKCS7, []byte(inner))})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(f.srv.EnrollmentURL, "application/soap+xml", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	res.Body.Close()
	var rstr RequestSecurityTokenResponse
	if err := Unmarshal(buf.Bytes(), &rstr); err != nil {
		t.Fatalf("%d: %v", res.StatusCode, err)
	}
	n, err := readResult(&rstr, testECKey, provisioning.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Certificate.Subject.CommonName != r.Certificate.Subject.CommonName {
		t.Errorf("renewed subject %q", n.Certificate.Subject.CommonName)
	}
}

// TestCertificatePolicyKeepsIdentity: under the Certificate policy an
// enrolled device cannot take another device's name by sending another
// DeviceID: the issued certificate keeps the subject of the certificate
// that authenticated the request.
func TestCertificatePolicyKeepsIdentity(t *testing.T) {
	f, parent := certificatePrimary(t)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	victim := *testDevice
	victim.DeviceID = "00000000-VICTIM"
	r, err := f.client.Enroll(ctx, disc, &victim, Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}})
	if err == nil && r.Certificate.Subject.CommonName != parent.Certificate.Subject.CommonName {
		t.Errorf("a device authenticated as %q was issued a certificate for %q", parent.Certificate.Subject.CommonName, r.Certificate.Subject.CommonName)
	}
}

// TestCertificatePolicyEntDMID: under the Certificate policy the DMClient
// EntDMID of the default provisioning document comes from the
// certificate that authenticated the request, as the issued
// certificate's subject does: the DeviceID a request claims is not
// checked against the certificate, so a device cannot have another's
// DeviceID written as its EntDMID. A check that binds the credentials to
// a DeviceID (Identity.DeviceID) has that DeviceID written, and the
// issued certificate named for it. Before, the EntDMID was the claimed
// DeviceID ("00000000-VICTIM").
func TestCertificatePolicyEntDMID(t *testing.T) {
	f, parent := certificatePrimary(t)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	creds := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}
	entDMID := func(r *Result) string {
		if r.Provisioning == nil || r.Provisioning.DMClient == nil {
			return "(no DMClient)"
		}
		return r.Provisioning.DMClient.EntDMID
	}
	victim := *testDevice
	victim.DeviceID = "00000000-VICTIM"
	for _, d := range []*Device{testDevice, &victim} {
		r, err := f.client.Enroll(ctx, disc, d, creds)
		if err != nil {
			t.Fatalf("DeviceID %s: %v", d.DeviceID, err)
		}
		if got, want := entDMID(r), parent.Certificate.Subject.CommonName; got != want {
			t.Errorf("DeviceID %s, certificate of %s: EntDMID %q, want %q", d.DeviceID, want, got, want)
		}
	}
	f.srv.Certificate = func(_ context.Context, chain []*x509.Certificate) (*Identity, error) {
		return &Identity{Name: "bound", DeviceID: "BOUND-1"}, nil
	}
	bound := *testDevice
	bound.DeviceID = "BOUND-1"
	r, err := f.client.Enroll(ctx, disc, &bound, creds)
	if err != nil {
		t.Fatal(err)
	}
	if got := entDMID(r); got != "BOUND-1" {
		t.Errorf("a bound DeviceID: EntDMID %q, want BOUND-1", got)
	}
	// The issued certificate names the device as the EntDMID does: the
	// MDM server knows the device by the certificate it presents and by
	// the EntDMID it set. Before, it kept the authenticating
	// certificate's subject and the two differed.
	if got := r.Certificate.Subject.CommonName; got != "BOUND-1" {
		t.Errorf("a bound DeviceID: issued common name %q, want the EntDMID, BOUND-1", got)
	}
	if sc := r.Provisioning.Application.SSLClientCertSearchCriteria; !strings.Contains(sc, "BOUND-1") {
		t.Errorf("a bound DeviceID: search criteria %q do not select the certificate issued for BOUND-1", sc)
	}
	// A renewal keeps the name.
	n, err := f.client.Renew(ctx, r, &bound)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Certificate.Subject.CommonName; got != "BOUND-1" {
		t.Errorf("renewed: common name %q, want BOUND-1", got)
	}
}

// TestHooksDeviceID: EnrollmentRequest.DeviceID gives the Approve,
// Subject and Provision hooks the device as the server knows it, the
// EntDMID DefaultProvision writes: under the Certificate policy the
// common name of the certificate that authenticated the request, not
// the DeviceID the request claims (which stays in Device.DeviceID, the
// device's word); the DeviceID a check bound; under OnPremise the
// AdditionalContext DeviceID. Before, a hook had only the claimed
// DeviceID at hand (DeviceID did not exist) and had to redo the rule.
func TestHooksDeviceID(t *testing.T) {
	f, parent := certificatePrimary(t)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	creds := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}
	var seen []string
	f.srv.Approve = func(_ context.Context, r *EnrollmentRequest) error {
		seen = append(seen, "approve "+r.DeviceID())
		return nil
	}
	f.srv.Subject = func(r *EnrollmentRequest) pkix.Name {
		seen = append(seen, "subject "+r.DeviceID())
		return pkix.Name{CommonName: r.DeviceID()}
	}
	f.srv.Provision = func(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		seen = append(seen, "provision "+r.DeviceID())
		return f.srv.DefaultProvision(ctx, r, cert)
	}
	check := func(name string, d *Device, creds Credentials, want string) {
		t.Helper()
		seen = nil
		r, err := f.client.Enroll(ctx, disc, d, creds)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := strings.Join(seen, ", "); got != "approve "+want+", subject "+want+", provision "+want {
			t.Errorf("%s: the hooks saw %s; want %s each", name, got, want)
		}
		if r.Provisioning.DMClient.EntDMID != want || r.Certificate.Subject.CommonName != want {
			t.Errorf("%s: EntDMID %q, subject %q; want %q", name, r.Provisioning.DMClient.EntDMID, r.Certificate.Subject.CommonName, want)
		}
	}
	victim := *testDevice
	victim.DeviceID = "00000000-VICTIM"
	check("certificate, another DeviceID claimed", &victim, creds, parent.Certificate.Subject.CommonName)

	f.srv.Certificate = func(context.Context, []*x509.Certificate) (*Identity, error) {
		return &Identity{Name: "bound", DeviceID: "BOUND-1"}, nil
	}
	bound := *testDevice
	bound.DeviceID = "BOUND-1"
	check("certificate, bound DeviceID", &bound, creds, "BOUND-1")

	f.srv.AuthPolicy = OnPremise
	check("OnPremise", &victim, Credentials{Username: "u", Password: "secret"}, victim.DeviceID)
}

// TestFederatedDeviceBinding: a token issued to one device (the check
// sets Identity.DeviceID) does not enroll another.
func TestFederatedDeviceBinding(t *testing.T) {
	f := newFixture(t, false)
	f.srv.AuthPolicy = Federated
	f.srv.Token = func(_ context.Context, tok *FederatedToken) (*Identity, error) {
		return &Identity{Name: "entra", DeviceID: string(tok.Data)}, nil
	}
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	if _, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte(testDevice.DeviceID)}); err != nil {
		t.Fatalf("the token's own device: %v", err)
	}
	_, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte("another-device")})
	wantFault(t, err, FaultAuthorization, "")
}

// TestSubjectString: the fast path of the search criteria's subject
// gives what pkix.Name.String gives.
func TestSubjectString(t *testing.T) {
	for _, cn := range []string{"7BA748C8-703E-4DF2-A74A-92984117346A", "a b", " a", "a ", "#a", "a,b", "a+b", `a"b`, "a\\b", "a<b", "a=b", "é", "a;b", "!Windows\x00"} {
		n := pkix.Name{CommonName: cn}
		// as read from a certificate: Names filled
		n.Names = []pkix.AttributeTypeAndValue{{Type: oidCommonName, Value: cn}}
		if got, want := subjectString(n), n.String(); got != want {
			t.Errorf("%q: %q, want %q", cn, got, want)
		}
	}
	two := pkix.Name{CommonName: "a", Organization: []string{"o"}, Names: []pkix.AttributeTypeAndValue{{Type: oidCommonName, Value: "a"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "o"}}}
	if got, want := subjectString(two), two.String(); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestConcurrentEnrollments: one Server answers enrollments at once (run
// with -race): every device gets its own certificate for its own key.
func TestConcurrentEnrollments(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	const n = 8
	results := make([]*Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := *testDevice
			d.DeviceID = "DEV-" + strconv.Itoa(i)
			results[i], errs[i] = f.client.Enroll(ctx, f.ts.URL+pathDiscovery, &d, Credentials{Username: "u", Password: "secret"})
		}()
	}
	wg.Wait()
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("device %d: %v", i, errs[i])
		}
		if cn := r.Certificate.Subject.CommonName; cn != "DEV-"+strconv.Itoa(i) || !publicKeyEqual(r.Certificate.PublicKey, r.Key.Public()) {
			t.Errorf("device %d: certificate for %q, own key %v", i, cn, publicKeyEqual(r.Certificate.PublicKey, r.Key.Public()))
		}
	}
}

// TestRenewalWithAnotherDevicesCertificate: a renewal signed with device
// A's certificate, sent over TLS authenticated as device B, is refused;
// the same renewal from A is accepted.
func TestRenewalWithAnotherDevicesCertificate(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	enroll := func(id string) *Result {
		d := *testDevice
		d.DeviceID = id
		r, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, &d, Credentials{Username: "u", Password: "secret"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := enroll("DEV-A"), enroll("DEV-B")
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "DEV-A"}}, testECKey)
	if err != nil {
		t.Fatal(err)
	}
	p7, err := BuildRenewalRequest(csr, a.Certificate, a.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := Marshal(&RequestSecurityToken{Header: Header{MessageID: "urn:uuid:r"}, TokenType: TokenTypeDeviceEnrollment, RequestType: RequestTypeRenew, Token: *NewToken(ValueTypePKCS7, p7)})
	if err != nil {
		t.Fatal(err)
	}
	send := func(as *Result) (int, *Fault) {
		hc := f.client.http(&tls.Certificate{Certificate: [][]byte{as.Certificate.Raw}, PrivateKey: as.Key})
		res, err := hc.Post(f.srv.EnrollmentURL, contentTypeSOAP12, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		var fault Fault
		if Unmarshal(data, &fault) != nil {
			return res.StatusCode, nil
		}
		return res.StatusCode, &fault
	}
	if status, fault := send(b); fault == nil || fault.Code != FaultAuthentication {
		t.Errorf("renewal of A's certificate from B: %d %v", status, fault)
	}
	if status, fault := send(a); status != http.StatusOK {
		t.Errorf("renewal from A: %d %v", status, fault)
	}
}

// TestEnrollLinkedVersion: a linked enrollment whose discovery response
// names no EnrollmentVersion runs at the version the device asks for (its
// RequestVersion, "5.0" by default, as Discover asks): the Result says so
// and the request carries it, as after Enroll, instead of "" and none.
func TestEnrollLinkedVersion(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	var sent string
	f.srv.Approve = func(_ context.Context, r *EnrollmentRequest) error {
		sent = r.Device.RequestVersion
		return nil
	}
	for _, tc := range []struct{ asked, want string }{{"", "5.0"}, {"6.0", "6.0"}} {
		d := *testDevice
		d.RequestVersion = tc.asked
		resp := &discovery.Response{
			EnrollmentServiceURL:       f.srv.EnrollmentURL,
			EnrollmentPolicyServiceURL: f.srv.PolicyURL,
			AuthenticationServiceURL:   f.srv.AuthenticationURL,
			AuthPolicy:                 discovery.AuthPolicyFederated,
		}
		r, err := f.client.EnrollLinked(ctx, resp, &d, Credentials{Token: []byte("good-token")})
		if err != nil {
			t.Fatal(err)
		}
		if r.EnrollmentVersion != tc.want || sent != tc.want {
			t.Errorf("RequestVersion %q: Result.EnrollmentVersion %q, sent %q, want %q", tc.asked, r.EnrollmentVersion, sent, tc.want)
		}
	}
}

// TestFederatedTokenGiven: Server.Token gets, beside the decoded token,
// its ValueType and EncodingType as sent, the request that carries it
// (GetPolicies, then the RequestSecurityToken with the device's
// AdditionalContext) and the HTTP request, so that a check accepting
// tokens of several kinds tells them apart: here a JWT is accepted and a
// user token with the same bytes refused. Before, it got the bytes only.
func TestFederatedTokenGiven(t *testing.T) {
	f := newFixture(t, false)
	f.srv.AuthPolicy = Federated
	type call struct {
		data, valueType, encodingType, path, deviceID string
		message                                       string
	}
	var mu sync.Mutex
	var calls []call
	f.srv.Token = func(_ context.Context, tok *FederatedToken) (*Identity, error) {
		c := call{data: string(tok.Data), valueType: tok.ValueType, encodingType: tok.EncodingType, message: fmt.Sprintf("%T", tok.Message)}
		if tok.HTTP != nil {
			c.path = tok.HTTP.URL.Path
		}
		if rst, ok := tok.Message.(*RequestSecurityToken); ok {
			c.deviceID = rst.Context.Device().DeviceID
		}
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		if tok.ValueType != ValueTypeJWT {
			return nil, errors.New("only Entra device tokens")
		}
		return &Identity{Name: "entra-device"}, nil
	}
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	if _, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte("jwt"), TokenType: ValueTypeJWT}); err != nil {
		t.Fatalf("JWT: %v", err)
	}
	want := []call{
		{data: "jwt", valueType: ValueTypeJWT, encodingType: EncodingTypeBase64, path: pathPolicy, message: "*mde2.GetPolicies"},
		{data: "jwt", valueType: ValueTypeJWT, encodingType: EncodingTypeBase64, path: pathEnroll, message: "*mde2.RequestSecurityToken", deviceID: testDevice.DeviceID},
	}
	if !slices.Equal(calls, want) {
		t.Errorf("the check got\n%+v\nwant\n%+v", calls, want)
	}
	calls = nil
	_, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte("jwt")})
	wantFault(t, err, FaultAuthentication, "")
	if len(calls) != 1 || calls[0].valueType != ValueTypeUserToken {
		t.Errorf("user token: the check got %+v, want one call with ValueTypeUserToken", calls)
	}
}
