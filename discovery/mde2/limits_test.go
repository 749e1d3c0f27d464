package mde2

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// rstWithContext returns a RequestSecurityToken carrying the items.
func rstWithContext(t *testing.T, items ...ContextItem) []byte {
	t.Helper()
	b, err := Marshal(&RequestSecurityToken{
		Header:      Header{MessageID: "urn:uuid:1"},
		TokenType:   TokenTypeDeviceEnrollment,
		RequestType: RequestTypeIssue,
		Token:       BinarySecurityToken{ValueType: ValueTypePKCS10, EncodingType: EncodingTypeBase64, Value: "AA=="},
		Context:     items,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkContextLimit decodes a RequestSecurityToken of items under lim:
// accepted with its items when max is 0, else refused with a LimitError
// of limit and max placed at a ContextItem.
func checkContextLimit(t *testing.T, limit string, lim Limits, items []ContextItem, max int) {
	t.Helper()
	var m RequestSecurityToken
	err := UnmarshalLimits(rstWithContext(t, items...), &m, lim)
	if max == 0 {
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Context) != len(items) || m.Context[0] != items[0] {
			t.Errorf("context %v, want %v", m.Context, items)
		}
		return
	}
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
		t.Fatalf("error %v, want a *LimitError", err)
	}
	if le.Limit != limit || le.Max != int64(max) || !strings.HasSuffix(le.Path, "/AdditionalContext/ContextItem") || le.Offset <= 0 {
		t.Errorf("limit %s %d at %d in %q", le.Limit, le.Max, le.Offset, le.Path)
	}
}

// TestMaxDeviceID: a RequestSecurityToken whose DeviceID (any of them)
// is longer than Limits.MaxDeviceID is refused with a LimitError placed
// at its ContextItem; the default is DefaultMaxDeviceID.
func TestMaxDeviceID(t *testing.T) {
	id := func(n int) string { return strings.Repeat("A", n) }
	for _, tc := range []struct {
		name  string
		lim   Limits
		items []ContextItem
		max   int // the refusing limit, 0 when accepted
	}{
		{"guid", Limits{}, []ContextItem{{"DeviceID", "7BA748C8-703E-4DF2-A74A-92984117346A"}}, 0},
		{"default max", Limits{}, []ContextItem{{"DeviceID", id(DefaultMaxDeviceID)}}, 0},
		{"default max+1", Limits{}, []ContextItem{{"DeviceID", id(DefaultMaxDeviceID + 1)}}, DefaultMaxDeviceID},
		{"raised", Limits{MaxDeviceID: 1000}, []ContextItem{{"DeviceID", id(1000)}}, 0},
		{"lowered", Limits{MaxDeviceID: 36}, []ContextItem{{"DeviceID", id(37)}}, 36},
		{"second item", Limits{MaxDeviceID: 36}, []ContextItem{{"DeviceID", id(36)}, {"DeviceID", id(37)}}, 36},
		{"other names unbounded", Limits{MaxDeviceID: 36}, []ContextItem{{"DeviceName", id(DefaultMaxDeviceName)}, {"HWDevID", id(5000)}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { checkContextLimit(t, "MaxDeviceID", tc.lim, tc.items, tc.max) })
	}
}

// TestMaxDeviceName: a RequestSecurityToken whose DeviceName (any of
// them) is longer than Limits.MaxDeviceName is refused with a LimitError
// placed at its ContextItem; the default is DefaultMaxDeviceName.
func TestMaxDeviceName(t *testing.T) {
	name := func(n int) string { return strings.Repeat("N", n) }
	for _, tc := range []struct {
		name  string
		lim   Limits
		items []ContextItem
		max   int // the refusing limit, 0 when accepted
	}{
		{"windows", Limits{}, []ContextItem{{"DeviceName", "DESKTOP-7KQ2M1N"}}, 0},
		{"default max", Limits{}, []ContextItem{{"DeviceName", name(DefaultMaxDeviceName)}}, 0},
		{"default max+1", Limits{}, []ContextItem{{"DeviceName", name(DefaultMaxDeviceName + 1)}}, DefaultMaxDeviceName},
		{"raised", Limits{MaxDeviceName: 5000}, []ContextItem{{"DeviceName", name(5000)}}, 0},
		{"lowered", Limits{MaxDeviceName: 15}, []ContextItem{{"DeviceName", name(16)}}, 15},
		{"second item", Limits{MaxDeviceName: 15}, []ContextItem{{"DeviceName", name(15)}, {"DeviceName", name(16)}}, 15},
		{"not the DeviceID's", Limits{MaxDeviceName: 15}, []ContextItem{{"DeviceID", name(100)}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { checkContextLimit(t, "MaxDeviceName", tc.lim, tc.items, tc.max) })
	}
}

// TestServerMaxDeviceName: the DeviceName is the device's word that
// DefaultProvision writes into the document, where a quotation mark
// takes six bytes. A request of 206 KB naming the device with quotation
// marks used to be issued a certificate and then answered
// InternalServiceFault, logged at Error as the server's own failure (the
// document beyond ProvisioningLimits); one of 176 KB was answered with
// 1.4 MB. Now a DeviceName over Limits.MaxDeviceName is a MessageFormat
// fault, logged at Warn, before anything is issued, and a raised limit
// lets a longer name through to EntDeviceName.
func TestServerMaxDeviceName(t *testing.T) {
	f := newFixture(t, false)
	var logs strings.Builder
	f.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	csr := handCSR(t, testECKey, "device", 19, true)
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	rst := func(deviceName string) string {
		b, err := Marshal(&RequestSecurityToken{Header: pw, TokenType: TokenTypeDeviceEnrollment, RequestType: RequestTypeIssue,
			Token: *NewToken(ValueTypePKCS10, csr), Context: AdditionalContext{{"DeviceID", "dev"}, {"DeviceName", deviceName}}})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	enroll := f.ts.URL + pathEnroll
	status, fault := post(t, enroll, "application/soap+xml", rst(strings.Repeat(`"`, 200<<10)))
	if status != http.StatusInternalServerError || fault == nil || fault.Code != FaultMessageFormat || !strings.Contains(fault.Reason, "MaxDeviceName") {
		t.Fatalf("status %d, fault %+v, want MessageFormat naming MaxDeviceName", status, fault)
	}
	if issuer.n != 0 || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("%d certificates issued; log %s", issuer.n, logs.String())
	}
	f.srv.Limits.MaxDeviceName = 1000
	name := strings.Repeat(`"`, 1000)
	res, err := http.Post(enroll, "application/soap+xml", strings.NewReader(rst(name)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var rstr RequestSecurityTokenResponse
	if err := Unmarshal(body, &rstr); err != nil {
		t.Fatalf("raised limit: %v", err)
	}
	var doc provisioning.Document
	text, err := rstr.Token.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	e, err := doc.Enrollment()
	if err != nil {
		t.Fatal(err)
	}
	if e.DMClient.EntDeviceName != name || issuer.n != 1 {
		t.Errorf("EntDeviceName %d bytes, want %d; %d issued", len(e.DMClient.EntDeviceName), len(name), issuer.n)
	}
}

// TestMaxMessageID: a message whose MessageID is longer than
// Limits.MaxMessageID is refused with a LimitError placed at the
// MessageID; the default is DefaultMaxMessageID.
func TestMaxMessageID(t *testing.T) {
	msg := func(id string) []byte {
		b, err := Marshal(&GetPolicies{Header: Header{MessageID: id}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		lim  Limits
		id   string
		max  int // the refusing limit, 0 when accepted
	}{
		{"windows", Limits{}, "urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749", 0},
		{"default max", Limits{}, strings.Repeat("u", DefaultMaxMessageID), 0},
		{"default max+1", Limits{}, strings.Repeat("u", DefaultMaxMessageID+1), DefaultMaxMessageID},
		{"raised", Limits{MaxMessageID: 5000}, strings.Repeat("u", 5000), 0},
		{"lowered", Limits{MaxMessageID: 45}, strings.Repeat("u", 46), 45},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m GetPolicies
			err := UnmarshalLimits(msg(tc.id), &m, tc.lim)
			if tc.max == 0 {
				if err != nil || m.Header.MessageID != tc.id {
					t.Fatalf("%v, MessageID %d bytes", err, len(m.Header.MessageID))
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrLimit) {
				t.Fatalf("error %v, want a *LimitError", err)
			}
			if le.Limit != "MaxMessageID" || le.Max != int64(tc.max) || le.Path != "/Envelope/Header/MessageID" || le.Offset <= 0 {
				t.Errorf("limit %s %d at %d in %q", le.Limit, le.Max, le.Offset, le.Path)
			}
		})
	}
}

// TestServerMaxMessageID: a Server echoes the MessageID as RelatesTo and
// logs it. One of 200 KB of '>' (written back as "&gt;") used to be
// answered with an 800 KB fault and logged whole; now it is a
// MessageFormat fault of a few hundred bytes that neither echoes nor logs
// it, and a raised Limits.MaxMessageID echoes a longer one.
func TestServerMaxMessageID(t *testing.T) {
	f := newFixture(t, false)
	var logs strings.Builder
	f.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	envelope := func(id string) string {
		return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:MessageID>` +
			id + `</a:MessageID></s:Header><s:Body><GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy"/></s:Body></s:Envelope>`
	}
	answer := func(id string) (int, []byte) {
		res, err := http.Post(f.ts.URL+pathPolicy, "application/soap+xml", strings.NewReader(envelope(id)))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	status, body := answer(strings.Repeat(">", 200<<10))
	var fault Fault
	if err := Unmarshal(body, &fault); err != nil || status != http.StatusInternalServerError || fault.Code != FaultMessageFormat ||
		!strings.Contains(fault.Reason, "MaxMessageID") || fault.Header.RelatesTo != "" {
		t.Fatalf("status %d, %v, fault %+v, want MessageFormat naming MaxMessageID without RelatesTo", status, err, fault)
	}
	if len(body) > 4096 || logs.Len() > 4096 {
		t.Errorf("answer %d bytes, log %d bytes, want at most 4096 each", len(body), logs.Len())
	}
	f.srv.Limits.MaxMessageID = 1000
	id := strings.Repeat("m", 1000)
	_, body = answer(id)
	if err := Unmarshal(body, &fault); err != nil || fault.Header.RelatesTo != id {
		t.Errorf("raised limit: %v, RelatesTo %d bytes, want the MessageID's %d", err, len(fault.Header.RelatesTo), len(id))
	}
}

// TestServerMaxDeviceID: the server answers a DeviceID over its limit
// with a MessageFormat fault without issuing, and issues for the same
// DeviceID once Server.Limits.MaxDeviceID allows it.
func TestServerMaxDeviceID(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	long := *testDevice
	long.DeviceID = strings.Repeat("D", DefaultMaxDeviceID+1)
	// the Client's own bound raised, so that the Server sees it
	f.client.Limits.MaxDeviceID = 2 * DefaultMaxDeviceID
	_, err := f.client.Enroll(ctx, disc, &long, Credentials{Username: "u", Password: "secret"})
	fault := wantFault(t, err, FaultMessageFormat, "")
	if !strings.Contains(fault.Reason, "MaxDeviceID") || issuer.n != 0 {
		t.Errorf("reason %q, %d certificates issued", fault.Reason, issuer.n)
	}
	f.srv.Limits.MaxDeviceID = 2 * DefaultMaxDeviceID
	r, err := f.client.Enroll(ctx, disc, &long, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Certificate.Subject.CommonName != long.DeviceID || issuer.n != 1 {
		t.Errorf("subject %q, want the DeviceID; %d certificates issued", r.Certificate.Subject.CommonName, issuer.n)
	}
}

// countingIssuer counts the certificates issued.
type countingIssuer struct {
	Issuer
	n int
}

func (c *countingIssuer) Issue(ctx context.Context, r *IssueRequest) (*x509.Certificate, error) {
	c.n++
	return c.Issuer.Issue(ctx, r)
}

// TestMaxRSAKeyBits: Limits.MaxRSAKeyBits moves the bound on RSA keys
// (requests and renewal signers), refused before any arithmetic; a key of
// exactly the bound is checked.
func TestMaxRSAKeyBits(t *testing.T) {
	csr, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "d"}}, testRSAKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCertificateRequestLimits(csr, Limits{MaxRSAKeyBits: 2048}); err != nil {
		t.Errorf("2048-bit key under MaxRSAKeyBits 2048: %v", err)
	}
	if _, err := ParseCertificateRequestLimits(csr, Limits{MaxRSAKeyBits: 2047}); !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "MaxRSAKeyBits (2047)") {
		t.Errorf("2048-bit key under MaxRSAKeyBits 2047: %v, want ErrCSR naming the limit", err)
	}
	// Raised: a 20000-bit key is checked (its made-up signature fails)
	// instead of refused by size.
	huge := hugeRSACSR(t, 20000)
	if _, err := ParseCertificateRequestLimits(huge, Limits{MaxRSAKeyBits: 20000}); !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("20000-bit key under MaxRSAKeyBits 20000: %v, want its signature checked", err)
	}
	if _, err := ParseCertificateRequest(huge); err == nil || !strings.Contains(err.Error(), "MaxRSAKeyBits (16384)") {
		t.Errorf("20000-bit key by default: %v, want refused by size", err)
	}

	// A renewal signed by an RSA-2048 certificate, the inner request ECDSA.
	ca, err := NewMemoryCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	cert := issueFor(t, ca, testRSAKey, "dev1")
	p7, err := BuildRenewalRequest(handCSR(t, testECKey, windowsCN, 19, false), cert, testRSAKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRenewalRequestLimits(p7, Limits{MaxRSAKeyBits: 2048}); err != nil {
		t.Errorf("renewal under MaxRSAKeyBits 2048: %v", err)
	}
	if _, err := ParseRenewalRequestLimits(p7, Limits{MaxRSAKeyBits: 1024}); !errors.Is(err, ErrPKCS7) || !strings.Contains(err.Error(), "MaxRSAKeyBits (1024)") {
		t.Errorf("renewal under MaxRSAKeyBits 1024: %v, want refused by the signer's size", err)
	}
}

// TestServerMaxRSAKeyBits: Server.Limits.MaxRSAKeyBits refuses an RSA
// request above it with a CertificateRequest fault.
func TestServerMaxRSAKeyBits(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	f.client.KeyType = KeyRSA2048
	f.srv.Limits.MaxRSAKeyBits = 1024
	_, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Username: "u", Password: "secret"})
	fault := wantFault(t, err, FaultCertificateRequest, "")
	if !strings.Contains(fault.Reason, "MaxRSAKeyBits (1024)") {
		t.Errorf("reason %q", fault.Reason)
	}
	f.srv.Limits.MaxRSAKeyBits = 0 // the default
	if _, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Username: "u", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
}

// TestServerProvisioningLimits: the provisioning document the Server
// writes is bounded by Server.ProvisioningLimits, whose zero fields take
// the provisioning package's defaults. A document beyond them is not
// sent, neither cut nor blamed on the device: the request is answered
// InternalServiceFault and the limit logged naming the field. Before,
// there was no such field, and a document beyond the defaults (here a
// Provision hook's, one parm per element the defaults allow) was answered
// with a MessageFormat fault, the fault of a device's malformed request.
func TestServerProvisioningLimits(t *testing.T) {
	ctx := context.Background()
	cred := Credentials{Username: "u", Password: "secret"}
	extra := &provisioning.Characteristic{Type: "Extra"}
	for range provisioning.DefaultMaxElements {
		extra.Nodes = append(extra.Nodes, &provisioning.Parm{Name: "p", NoValue: true})
	}
	f := newFixture(t, false)
	logs := f.captureLog()
	f.srv.Provision = func(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		e, err := f.srv.DefaultProvision(ctx, r, cert)
		if err != nil {
			return nil, err
		}
		e.Other = append(e.Other, extra)
		return e, nil
	}
	_, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred)
	wantFault(t, err, FaultInternalServiceFault, "")
	if !strings.Contains(logs.String(), "Server.ProvisioningLimits") || !strings.Contains(logs.String(), "MaxElements") {
		t.Errorf("log %q, want it to name Server.ProvisioningLimits and MaxElements", logs.String())
	}

	// Raised, the document is written whole (read here with the same
	// limits: the Client reads under the defaults).
	raised := provisioning.Limits{MaxElements: 2 * provisioning.DefaultMaxElements}
	f.srv.ProvisioningLimits = raised
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	csr := handCSR(t, testECKey, "device", 12, false)
	res, err := http.Post(f.ts.URL+pathEnroll, "application/soap+xml", strings.NewReader(rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), pw)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("raised: status %d, %v", res.StatusCode, err)
	}
	var rstr RequestSecurityTokenResponse
	if err := Unmarshal(body, &rstr); err != nil {
		t.Fatal(err)
	}
	text, err := rstr.Token.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var doc provisioning.Document
	if err := provisioning.UnmarshalLimits(text, &doc, raised); err != nil {
		t.Fatalf("raised: the document does not read back: %v", err)
	}
	last, ok := doc.Nodes[len(doc.Nodes)-1].(*provisioning.Characteristic)
	if !ok || last.Type != "Extra" || len(last.Nodes) != len(extra.Nodes) {
		t.Errorf("raised: the document's last node is %#v, want Extra with %d parms", doc.Nodes[len(doc.Nodes)-1], len(extra.Nodes))
	}

	// The Client reads it under its own ProvisioningLimits: refused
	// under the defaults, read whole when raised as the Server's.
	if _, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred); !errors.Is(err, ErrLimit) {
		t.Errorf("raised, read under the Client's default limits: %v, want ErrLimit", err)
	}
	f.client.ProvisioningLimits = raised
	r, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred)
	if err != nil {
		t.Fatalf("raised, read under the Client's raised limits: %v", err)
	}
	var got *provisioning.Characteristic
	if n := len(r.Provisioning.Other); n > 0 {
		got, _ = r.Provisioning.Other[n-1].(*provisioning.Characteristic)
	}
	if got == nil || got.Type != "Extra" || len(got.Nodes) != len(extra.Nodes) {
		t.Errorf("raised: the Client's Result lacks the Extra characteristic of %d parms", len(extra.Nodes))
	}
	f.client.ProvisioningLimits = provisioning.Limits{}

	// Lowered, the default document is refused, whichever limit it
	// passes: a fault, not a document cut short.
	f.srv.Provision = nil
	for _, tc := range []struct {
		lim   provisioning.Limits
		limit string
	}{
		{provisioning.Limits{MaxBytes: 1024}, "MaxBytes"},
		{provisioning.Limits{MaxElements: 8}, "MaxElements"},
		{provisioning.Limits{MaxDepth: 3}, "MaxDepth"},
		{provisioning.Limits{MaxAttrs: 1}, "MaxAttrs"},
	} {
		logs := f.captureLog()
		f.srv.ProvisioningLimits = tc.lim
		_, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred)
		wantFault(t, err, FaultInternalServiceFault, "")
		if !strings.Contains(logs.String(), "Server.ProvisioningLimits") || !strings.Contains(logs.String(), tc.limit) {
			t.Errorf("%+v: log %q, want it to name Server.ProvisioningLimits and %s", tc.lim, logs.String(), tc.limit)
		}
	}
	f.srv.ProvisioningLimits = provisioning.DefaultLimits()
	if _, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred); err != nil {
		t.Errorf("the defaults, given: %v", err)
	}
}

// TestServerProvisionHookErrors: an error of the Provision hook, or a
// document provisioning.Build refuses, is the server's: answered
// InternalServiceFault and logged, also when it wraps ErrSyntax or
// ErrLimit, which before made it MessageFormat, the fault of a malformed
// device request. A *Fault from the hook is answered as is.
func TestServerProvisionHookErrors(t *testing.T) {
	ctx := context.Background()
	cred := Credentials{Username: "u", Password: "secret"}
	for _, tc := range []struct {
		name   string
		hook   func() (*provisioning.Enrollment, error)
		fault  FaultCode
		logged string
	}{
		{"wraps ErrSyntax", func() (*provisioning.Enrollment, error) {
			return nil, fmt.Errorf("reading the account template: %w", ErrSyntax)
		}, FaultInternalServiceFault, "account template"},
		{"wraps ErrLimit", func() (*provisioning.Enrollment, error) {
			return nil, fmt.Errorf("template: %w", ErrLimit)
		}, FaultInternalServiceFault, "template"},
		{"nil document", func() (*provisioning.Enrollment, error) { return nil, nil }, FaultInternalServiceFault, "provisioning document"},
		{"a Fault", func() (*provisioning.Enrollment, error) {
			return nil, NewFault(FaultAuthorization, "", "not this device")
		}, FaultAuthorization, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			f.srv.Provision = func(context.Context, *EnrollmentRequest, *x509.Certificate) (*provisioning.Enrollment, error) {
				return tc.hook()
			}
			_, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred)
			wantFault(t, err, tc.fault, "")
			if tc.logged != "" && !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("log %q, want it to name %q", logs.String(), tc.logged)
			}
		})
	}
}
