package mde2

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
)

// TestFaultReasonPrefixOnce: a fault the server makes from one of the
// package's errors (a certificate request that does not verify, a
// malformed envelope, a version, a hook's fault whose reason is such an
// error) does not send the package's "mde2: " prefix as its reason, so
// the Client's *Fault says "mde2: " once. Before, a CertificateRequest
// fault read "mde2: fault CertificateRequest (0x80180012): mde2: bad
// certificate request: …".
func TestFaultReasonPrefixOnce(t *testing.T) {
	f := newFixture(t, false)
	enroll := f.ts.URL + pathEnroll
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	tampered := handCSR(t, testECKey, windowsCN, 19, false)
	tampered[20] ^= 1
	for name, body := range map[string]string{
		"bad CSR signature": rstEnvelope(t, *NewToken(ValueTypePKCS10, tampered), pw),
		"not a CSR":         rstEnvelope(t, *NewToken(ValueTypePKCS10, []byte{0x30, 0x03, 1, 2, 3}), pw),
		"not XML":           "<s:Envelope",
	} {
		_, fault := post(t, enroll, "application/soap+xml", body)
		if fault == nil {
			t.Fatalf("%s: no fault", name)
		}
		if strings.HasPrefix(fault.Reason, "mde2:") || !errtest.PrefixOnce(fault.Error(), "mde2: ") {
			t.Errorf("%s: reason %q, error %q: want %q once, at the error's start", name, fault.Reason, fault.Error(), "mde2: ")
		}
	}

	// A hook's fault whose reason is one of the package's errors.
	f.srv.Approve = func(context.Context, *EnrollmentRequest) error {
		return NewFault(FaultCertificateRequest, "", csrErr("refused by policy").Error())
	}
	_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	fault := wantFault(t, err, FaultCertificateRequest, "")
	if fault.Reason != "bad certificate request: refused by policy" || !errtest.PrefixOnce(err.Error(), "mde2: ") {
		t.Errorf("hook's fault: reason %q, error %q", fault.Reason, err)
	}
}
