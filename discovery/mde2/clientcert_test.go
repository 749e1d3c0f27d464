package mde2

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/discovery"
)

// TestClientCertificateOfAnotherPKI: a WinDC linked enrollment under the
// Certificate policy authenticates with the parent enrollment's
// certificate, which another PKI issued. A server whose TLS request names
// only its own CA (it verifies its own devices' certificates on the same
// listener) must still get that certificate, and so must one reached
// through a transport that presents a client certificate of its own.
func TestClientCertificateOfAnotherPKI(t *testing.T) {
	ctx := context.Background()
	parentPKI := newFixture(t, false)
	parent, err := parentPKI.client.Enroll(ctx, parentPKI.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	parentRoots := x509.NewCertPool()
	parentRoots.AddCert(parentPKI.ca.Root())
	cred := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}

	ca, err := NewMemoryCA("linked enrollment root")
	if err != nil {
		t.Fatal(err)
	}
	own := x509.NewCertPool()
	own.AddCert(ca.Root())
	srv := &Server{
		Issuer: ca,
		Certificate: func(_ context.Context, chain []*x509.Certificate) (*Identity, error) {
			if _, err := chain[0].Verify(x509.VerifyOptions{Roots: parentRoots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				return nil, err
			}
			return &Identity{Name: chain[0].Subject.CommonName}, nil
		},
	}
	mux := http.NewServeMux()
	mux.Handle(pathPolicy, srv.PolicyHandler())
	mux.Handle(pathEnroll, srv.EnrollmentHandler())
	ts := httptest.NewUnstartedServer(mux)
	ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, ClientCAs: own}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	srv.Account.Address = ts.URL + "/ManagementServer/MDM.svc"
	resp := &discovery.Response{EnrollmentServiceURL: ts.URL + pathEnroll, EnrollmentPolicyServiceURL: ts.URL + pathPolicy,
		AuthenticationServiceURL: ts.URL + "/auth", AuthPolicy: discovery.AuthPolicyCertificate}

	c := &Client{HTTPClient: ts.Client()}
	r, err := c.EnrollLinked(ctx, resp, testDevice, cred)
	if err != nil {
		t.Fatalf("server naming only its own CA: %v", err)
	}
	if r.Certificate.Subject.CommonName != parent.Certificate.Subject.CommonName {
		t.Errorf("issued for %q, want the parent certificate's %q", r.Certificate.Subject.CommonName, parent.Certificate.Subject.CommonName)
	}

	// A transport that presents a certificate of its own (the one just
	// issued) does not replace the credential's.
	tr := ts.Client().Transport.(*http.Transport).Clone()
	issued := r.TLSCertificate()
	tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &issued, nil }
	var seen *x509.Certificate
	srv.Certificate = func(_ context.Context, chain []*x509.Certificate) (*Identity, error) {
		seen = chain[0]
		return &Identity{Name: chain[0].Subject.CommonName}, nil
	}
	c = &Client{HTTPClient: &http.Client{Transport: tr}}
	if _, err := c.EnrollLinked(ctx, resp, testDevice, cred); err != nil {
		t.Fatal(err)
	}
	if seen == nil || !seen.Equal(parent.Certificate) {
		t.Errorf("the server saw another certificate than the credential's: %v", seen)
	}
}

// TestClientCertificatesNil: a ClientCertificates hook that returns a nil
// certificate is the Server's error, answered InternalServiceFault, for
// a request authenticated by the certificate and for a PKCS#10 renewal
// alike, not a panic.
func TestClientCertificatesNil(t *testing.T) {
	f := newFixture(t, false)
	f.srv.ClientCertificates = func(*http.Request) []*x509.Certificate { return []*x509.Certificate{nil} }
	gp, err := Marshal(&GetPolicies{Header: Header{MessageID: "urn:uuid:nil-1"}})
	if err != nil {
		t.Fatal(err)
	}
	renew, err := Marshal(&RequestSecurityToken{Header: Header{MessageID: "urn:uuid:nil-2"}, TokenType: TokenTypeDeviceEnrollment,
		RequestType: RequestTypeRenew, Token: *NewToken(ValueTypePKCS10, handCSR(t, testECKey, "x", 12, false))})
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string][2]string{"GetPolicies": {pathPolicy, string(gp)}, "renewal": {pathEnroll, string(renew)}} {
		if _, fault := post(t, f.ts.URL+req[0], contentTypeSOAP12, req[1]); fault == nil || fault.Code != FaultInternalServiceFault {
			t.Errorf("%s: fault %v, want InternalServiceFault", name, fault)
		}
	}
}
