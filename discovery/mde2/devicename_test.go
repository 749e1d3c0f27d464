package mde2

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"regexp"
	"sync"
	"testing"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// enrollRaw posts an issue request for testECKey's CSR (common name cn)
// without an AdditionalContext, as a peer other than Client may send it,
// and returns what the device gets.
func enrollRaw(t *testing.T, f *fixture, cn string) *Result {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, testECKey)
	if err != nil {
		t.Fatal(err)
	}
	return enrollDER(t, f, der)
}

// enrollDER posts an issue request for der, a certificate request for
// testECKey, as enrollRaw does.
func enrollDER(t *testing.T, f *fixture, der []byte) *Result {
	t.Helper()
	body := rstEnvelope(t, *NewToken(ValueTypePKCS10, der), Header{MessageID: "urn:uuid:" + newID(), UsernameToken: &UsernameToken{Username: "u", Password: "secret"}})
	res, err := f.ts.Client().Post(f.ts.URL+pathEnroll, "application/soap+xml", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	var rstr RequestSecurityTokenResponse
	if err := Unmarshal(buf.Bytes(), &rstr); err != nil {
		t.Fatalf("%d: %v: %.300s", res.StatusCode, err, buf.Bytes())
	}
	r, err := readResult(&rstr, testECKey, provisioning.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var uuidRE = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

// TestEntDMIDNeverEmpty: a device the request does not name (no
// AdditionalContext DeviceID, no common name in its certificate request;
// under the Certificate policy, a certificate without a common name) is
// named by the Server with a new random UUID: the EntDMID and the issued
// common name, the same for every hook, another for each device. A
// request without a DeviceID but with a common name is named by it, as
// its certificate already was. Before, each of these devices was
// provisioned with an empty EntDMID (the DMClient CSP wants the server to
// set one), and the unnamed one got a certificate with the user's name.
func TestEntDMIDNeverEmpty(t *testing.T) {
	f := newFixture(t, true)
	var mu sync.Mutex
	var seen []string
	f.srv.Approve = func(_ context.Context, r *EnrollmentRequest) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.DeviceID())
		return nil
	}
	f.srv.Provision = func(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		mu.Lock()
		seen = append(seen, r.DeviceID())
		mu.Unlock()
		return f.srv.DefaultProvision(ctx, r, cert)
	}
	check := func(name string, r *Result, want string) string {
		t.Helper()
		mu.Lock()
		hooks := seen
		seen = nil
		mu.Unlock()
		id := r.Provisioning.DMClient.EntDMID
		if want == "" && !uuidRE.MatchString(id) || want != "" && id != want {
			t.Errorf("%s: EntDMID %q, want %s", name, id, map[bool]string{true: "a random UUID", false: want}[want == ""])
		}
		if cn := r.Certificate.Subject.CommonName; cn != id {
			t.Errorf("%s: issued common name %q, EntDMID %q; want them equal", name, cn, id)
		}
		if len(hooks) != 2 || hooks[0] != id || hooks[1] != id {
			t.Errorf("%s: the hooks saw DeviceID %q, want %q twice", name, hooks, id)
		}
		return id
	}
	a := check("no DeviceID, no common name", enrollRaw(t, f, ""), "")
	b := check("another", enrollRaw(t, f, ""), "")
	if a == b {
		t.Errorf("two unnamed devices were both named %q", a)
	}
	check("no DeviceID, a common name", enrollRaw(t, f, "csr-device"), "csr-device")

	// Under the Certificate policy, a certificate without a common name.
	cert, err := f.ca.Issue(context.Background(), &IssueRequest{CSR: mustParseCSR(t, testECKey), Subject: pkix.Name{Organization: []string{"no common name"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.AuthPolicy = Certificate
	r, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice,
		Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: testECKey}})
	if err != nil {
		t.Fatal(err)
	}
	if id := check("certificate without a common name", r, ""); id == testDevice.DeviceID {
		t.Errorf("the device was named by the DeviceID it claims, which its certificate does not vouch for")
	}
}

// mustParseCSR returns a verified request for key without a subject.
func mustParseCSR(t *testing.T, key any) *CertificateRequest {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// TestDefaultProvisionNeedsDevice: DefaultProvision called with a request
// the Server did not name (built by hand, naming no device) refuses to
// write a document with an empty EntDMID.
func TestDefaultProvisionNeedsDevice(t *testing.T) {
	f := newFixture(t, false)
	r := &EnrollmentRequest{Identity: &Identity{Name: "u", Policy: OnPremise}}
	if e, err := f.srv.DefaultProvision(context.Background(), r, f.ca.Root()); err == nil {
		t.Errorf("no device named: a document with the EntDMID %q", e.DMClient.EntDMID)
	}
	r.Device.DeviceID = "dev-1"
	if e, err := f.srv.DefaultProvision(context.Background(), r, f.ca.Root()); err != nil || e.DMClient.EntDMID != "dev-1" {
		t.Errorf("DeviceID dev-1: %v", err)
	}
	// A bound DeviceID names the device even when the request built by
	// hand does not repeat it.
	r.Device.DeviceID, r.Identity.DeviceID = "", "bound-1"
	if e, err := f.srv.DefaultProvision(context.Background(), r, f.ca.Root()); err != nil || e.DMClient.EntDMID != "bound-1" {
		t.Errorf("bound DeviceID: %v", err)
	}
}
