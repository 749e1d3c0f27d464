package mde2

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestServerX509Token checks the Certificate policy's credential as
// MS-MDE2 has Windows send it, a header X509v3 BinarySecurityToken over
// plain HTTP (no TLS client certificate): refused with an Authentication
// fault, the reason logged, without Server.X509Token; with it, the
// certificate it returns authenticates GetPolicies and an issue request
// as a TLS one would, and its errors refuse them (a *Fault as it is), as
// do its mistakes (a chain whose leaf is not the token's certificate, a
// nil certificate), with an InternalServiceFault.
func TestServerX509Token(t *testing.T) {
	f := newFixture(t, false)
	r := f.enroll(t)
	other := f.enroll(t) // another certificate this Server issued
	hdr := Header{MessageID: "urn:uuid:x509", Token: NewToken(ValueTypeX509v3, r.Certificate.Raw)}
	gp, err := Marshal(&GetPolicies{Header: hdr})
	if err != nil {
		t.Fatal(err)
	}
	rst := func(id string, token []byte) string {
		h := hdr
		h.MessageID = id
		if token != nil {
			h.Token = NewToken(ValueTypeX509v3, token)
		}
		return rstEnvelope(t, *NewToken(ValueTypePKCS10, handCSR(t, testECKey, "ignored", 12, false)), h)
	}
	var logs bytes.Buffer
	f.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))

	// no X509Token: refused, and the log says why
	if _, fault := post(t, f.ts.URL+pathPolicy, contentTypeSOAP12, string(gp)); fault == nil || fault.Code != FaultAuthentication {
		t.Fatalf("GetPolicies without X509Token: fault %v, want Authentication", fault)
	}
	if !strings.Contains(logs.String(), "Server.X509Token is nil") {
		t.Errorf("the log does not say why: %s", logs.String())
	}

	// A stand-in for a hook: it parses the token and verifies no
	// signature, which a real hook must (see Server.X509Token).
	var got *X509Token
	var body []byte
	f.srv.X509Token = func(_ context.Context, tok *X509Token) ([]*x509.Certificate, error) {
		got, body = tok, bytes.Clone(tok.Body)
		c, err := x509.ParseCertificate(tok.Data)
		return []*x509.Certificate{c}, err
	}
	var id *Identity
	f.srv.Approve = func(_ context.Context, er *EnrollmentRequest) error { id = er.Identity; return nil }
	if status, fault := post(t, f.ts.URL+pathPolicy, contentTypeSOAP12, string(gp)); status != 200 {
		t.Fatalf("GetPolicies with X509Token: %d %v", status, fault)
	}
	if got == nil || !bytes.Equal(body, gp) || !bytes.Equal(got.Data, r.Certificate.Raw) {
		t.Fatalf("X509Token got %+v, body of %d bytes; want the token and the request as sent", got, len(body))
	}
	if _, ok := got.Message.(*GetPolicies); !ok || got.HTTP == nil {
		t.Errorf("X509Token got Message %T, HTTP %v", got.Message, got.HTTP)
	}
	if status, fault := post(t, f.ts.URL+pathEnroll, contentTypeSOAP12, rst("urn:uuid:x509-1", nil)); status != 200 {
		t.Fatalf("issue with X509Token: %d %v", status, fault)
	}
	if id == nil || id.Policy != Certificate || !id.Certificate.Equal(r.Certificate) {
		t.Errorf("Identity %+v, want the token's certificate under Certificate", id)
	}

	// a certificate the Server did not issue, a hook's fault, a hook's error
	stranger, err := NewMemoryCA("stranger")
	if err != nil {
		t.Fatal(err)
	}
	parsed := func(_ context.Context, tok *X509Token) ([]*x509.Certificate, error) {
		c, err := x509.ParseCertificate(tok.Data)
		return []*x509.Certificate{c}, err
	}
	for _, tc := range []struct {
		name  string
		token []byte // the header's certificate, when not r's
		hook  func(context.Context, *X509Token) ([]*x509.Certificate, error)
		code  FaultCode
	}{
		{"not issued here", stranger.Root().Raw, parsed, FaultAuthentication},
		{"hook fault", nil, func(context.Context, *X509Token) ([]*x509.Certificate, error) {
			return nil, NewFault(FaultInvalidSecurity, "", "bad signature")
		}, FaultInvalidSecurity},
		{"hook error", nil, func(context.Context, *X509Token) ([]*x509.Certificate, error) {
			return nil, errors.New("bad signature")
		}, FaultAuthentication},
		{"no chain", nil, func(context.Context, *X509Token) ([]*x509.Certificate, error) { return nil, nil }, FaultAuthentication},
		// the hook's mistakes, refused as the Server's: a leaf other than
		// the token's, though issued here, and a nil certificate
		{"another leaf", nil, func(context.Context, *X509Token) ([]*x509.Certificate, error) {
			return []*x509.Certificate{other.Certificate}, nil
		}, FaultInternalServiceFault},
		{"nil certificate", nil, func(_ context.Context, tok *X509Token) ([]*x509.Certificate, error) {
			c, err := x509.ParseCertificate(tok.Data)
			return []*x509.Certificate{c, nil}, err
		}, FaultInternalServiceFault},
		{"nil leaf", nil, func(context.Context, *X509Token) ([]*x509.Certificate, error) {
			return []*x509.Certificate{nil}, nil
		}, FaultInternalServiceFault},
	} {
		f.srv.X509Token = tc.hook
		if _, fault := post(t, f.ts.URL+pathEnroll, contentTypeSOAP12, rst("urn:uuid:x509-"+tc.name, tc.token)); fault == nil || fault.Code != tc.code {
			t.Errorf("%s: fault %v, want %s", tc.name, fault, tc.code)
		}
	}

	// DisableCertificateAuth: the hook is not asked
	called := false
	f.srv.X509Token = func(context.Context, *X509Token) ([]*x509.Certificate, error) { called = true; return nil, nil }
	f.srv.DisableCertificateAuth = true
	if _, fault := post(t, f.ts.URL+pathPolicy, contentTypeSOAP12, string(gp)); fault == nil || fault.Code != FaultAuthentication || called {
		t.Errorf("DisableCertificateAuth: fault %v, hook called %v", fault, called)
	}
}
