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

// TestServerCertificateAsUserToken: MS-MDE2's RequestSecurityToken with
// certificate authentication gives the header token the UserToken
// ValueType and names it, in the KeyInfo of the message's XML
// Signature, an X.509 token (a wsse:Reference of ValueType #X509, which
// the specification's example breaks over two lines). Built in that
// shape, the request goes to X509Token as the certificate, not to
// Server.Token as Federated, its token read as X509v3; without the
// Signature, or with a reference of another ValueType, the same token
// is Federated.
func TestServerCertificateAsUserToken(t *testing.T) {
	f := newFixture(t, false)
	r := f.enroll(t)
	var x509Calls, tokenCalls int
	f.srv.X509Token = func(_ context.Context, tok *X509Token) ([]*x509.Certificate, error) {
		x509Calls++
		c, err := x509.ParseCertificate(tok.Data)
		return []*x509.Certificate{c}, err
	}
	f.srv.Token = func(context.Context, *FederatedToken) (*Identity, error) {
		tokenCalls++
		return nil, errors.New("not a federated token")
	}
	var id *Identity
	f.srv.Approve = func(_ context.Context, er *EnrollmentRequest) error { id = er.Identity; return nil }
	request := func(msgID, refType string) string {
		t.Helper()
		h := Header{MessageID: msgID, Token: NewToken(ValueTypeUserToken, r.Certificate.Raw)}
		body := rstEnvelope(t, *NewToken(ValueTypePKCS10, handCSR(t, testECKey, "ignored", 12, false)), h)
		if refType == "" {
			return body
		}
		sig := `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>` +
			`<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
			`<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
			`<Reference URI=""><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AA==</DigestValue></Reference>` +
			`</SignedInfo><SignatureValue>AA==</SignatureValue><KeyInfo>` +
			`<o:SecurityTokenReference><o:Reference URI="#cert" ValueType="` + refType + `"/></o:SecurityTokenReference>` +
			`</KeyInfo></Signature>`
		const end = "</o:Security>"
		if strings.Count(body, end) != 1 {
			t.Fatalf("no %s in %s", end, body)
		}
		return strings.Replace(body, end, sig+end, 1)
	}
	for _, tc := range []struct {
		name, refType string
		cert          bool
	}{
		{"the example's reference", "http://docs.oasis-open.org/wss/2004/01/\n  oasis-200401-wss-x509-token-profile-1.0#X509", true},
		{"an X509v3 reference", ValueTypeX509v3, true},
		{"no Signature", "", false},
		{"a SAML reference", "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0", false},
	} {
		x509Calls, tokenCalls, id = 0, 0, nil
		body := request("urn:uuid:"+tc.name, tc.refType)
		var m RequestSecurityToken
		if err := Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: ValueTypeX509v3, false: ValueTypeUserToken}[tc.cert]; m.Header.Token.ValueType != want {
			t.Errorf("%s: the token reads as %s, want %s", tc.name, m.Header.Token.ValueType, want)
		}
		status, fault := post(t, f.ts.URL+pathEnroll, contentTypeSOAP12, body)
		if !tc.cert {
			if fault == nil || fault.Code != FaultAuthentication || tokenCalls != 1 || x509Calls != 0 {
				t.Errorf("%s: fault %v, Token called %d times, X509Token %d; want a Federated refusal", tc.name, fault, tokenCalls, x509Calls)
			}
			continue
		}
		if status != 200 || x509Calls != 1 || tokenCalls != 0 {
			t.Errorf("%s: %d %v, X509Token called %d times, Token %d", tc.name, status, fault, x509Calls, tokenCalls)
			continue
		}
		if id == nil || id.Policy != Certificate || !id.Certificate.Equal(r.Certificate) {
			t.Errorf("%s: Identity %+v, want the token's certificate under Certificate", tc.name, id)
		}
	}
}
