package mde2

import (
	"context"
	"crypto/tls"
	"testing"
)

// TestNegotiateVersionEdges: RequestVersion is an xsd:decimal; the answer
// is a whole version never above the one asked (6.99 is not answered
// 7.0), a signed or unpadded decimal is read, and any version above the
// highest, however large, is answered with the highest, never refused.
func TestNegotiateVersionEdges(t *testing.T) {
	for req, want := range map[string]string{
		"6.99": "6.0", "5.05": "5.0", "4.5": "4.0", "+5.0": "5.0", "5": "5.0", "05.00": "5.0",
		" 5.0 ": "5.0", "2000": "7.0", "99999999999999999999999.0": "7.0", "7.0000000001": "7.0",
		"0.5": "3.0", "-1.0": "3.0", "5.": "5.0", ".5": "3.0",
	} {
		got, err := NegotiateVersion(req, "")
		if err != nil || got != want {
			t.Errorf("NegotiateVersion(%q) = %q, %v; want %q", req, got, err, want)
		}
	}
	for _, bad := range []string{"x", "5.0.1", "1e3", "0x7", "NaN", "Inf", ".", "+", "--5", "5,0", "-"} {
		if got, err := NegotiateVersion(bad, ""); err == nil {
			t.Errorf("NegotiateVersion(%q) = %q, want an error", bad, got)
		}
	}
}

// TestCertificatePolicyKeepsIdentity: under the Certificate policy an
// enrolled device cannot take another device's name by sending another
// DeviceID: the issued certificate keeps the subject of the certificate
// that authenticated the request.
func TestCertificatePolicyKeepsIdentity(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	parent, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.AuthPolicy = Certificate
	victim := *testDevice
	victim.DeviceID = "00000000-VICTIM"
	r, err := f.client.Enroll(ctx, disc, &victim, Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}})
	if err == nil && r.Certificate.Subject.CommonName != parent.Certificate.Subject.CommonName {
		t.Errorf("a device authenticated as %q was issued a certificate for %q", parent.Certificate.Subject.CommonName, r.Certificate.Subject.CommonName)
	}
}

// TestFederatedDeviceBinding: a token issued to one device (the check
// sets Identity.DeviceID) does not enroll another.
func TestFederatedDeviceBinding(t *testing.T) {
	f := newFixture(t, false)
	f.srv.AuthPolicy = Federated
	f.srv.Token = func(_ context.Context, tok []byte) (*Identity, error) {
		return &Identity{Name: "entra", DeviceID: string(tok)}, nil
	}
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	if _, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte(testDevice.DeviceID)}); err != nil {
		t.Fatalf("the token's own device: %v", err)
	}
	_, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Token: []byte("another-device")})
	wantFault(t, err, FaultAuthorization, "")
}
