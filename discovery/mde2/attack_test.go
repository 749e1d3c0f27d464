package mde2

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/discovery"
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

// hugeRSACSR returns a request whose RSA modulus has bits bits, with a
// signature that cannot verify.
func hugeRSACSR(t *testing.T, bits int) []byte {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.SetBit(n, 0, 1)
	pkcs1, err := asn1.Marshal(struct {
		N *big.Int
		E int
	}{n, 65537})
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := asn1.Marshal(struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}, asn1.BitString{Bytes: pkcs1, BitLength: 8 * len(pkcs1)}})
	subj, _ := asn1.Marshal(pkix.Name{CommonName: "x"}.ToRDNSequence())
	info, _ := asn1.Marshal(struct {
		V    int
		S, P asn1.RawValue
	}{0, asn1.RawValue{FullBytes: subj}, asn1.RawValue{FullBytes: spki}})
	sig := make([]byte, bits/8)
	sig[len(sig)-1] = 2
	der, err := asn1.Marshal(struct {
		I asn1.RawValue
		A pkix.AlgorithmIdentifier
		S asn1.BitString
	}{asn1.RawValue{FullBytes: info}, pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestHugeRSAKeyRefusedUnverified: verifying a signature costs the
// square of the modulus size (a 200000-bit key took seconds, and a
// request of MaxBytes could hold one of millions of bits), so a modulus
// above maxRSAKeyBits (16384) is refused before any arithmetic.
func TestHugeRSAKeyRefusedUnverified(t *testing.T) {
	_, err := ParseCertificateRequest(hugeRSACSR(t, maxRSAKeyBits+8))
	if !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "bits") {
		t.Errorf("huge key: %v, want ErrCSR naming the key size", err)
	}
	_, err = ParseCertificateRequest(hugeRSACSR(t, maxRSAKeyBits))
	if !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("largest key: %v, want its signature checked", err)
	}
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

// TestClientRefusesInsecureURLs: the client sends no password or token
// to a service URL that is plain http on another host than loopback (a
// DiscoverResponse, itself perhaps read over http, names the URLs), and
// Client.URLs narrows the hosts further.
func TestClientRefusesInsecureURLs(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	var posted bool
	f.srv.Password = func(context.Context, string, string) (*Identity, error) {
		posted = true
		return nil, errors.New("refused")
	}
	// a client that dials nothing: should the check fail, no connection
	// leaves the machine
	nodial := &Client{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("test: no dialing")
	}}}}
	for _, u := range []string{"http://192.0.2.1/EnrollmentServer/Policy.svc", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/x"} {
		resp := &DiscoverResponse{AuthPolicy: OnPremise, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: u, EnrollmentServiceURL: u}
		_, err := nodial.EnrollWith(ctx, resp, testDevice, Credentials{Username: "u", Password: "secret"})
		if !errors.Is(err, discovery.ErrInsecureURL) && !errors.Is(err, discovery.ErrURL) {
			t.Errorf("%s: %v, want a URL error", u, err)
		}
	}
	c := &Client{HTTPClient: f.client.HTTPClient, URLs: &discovery.URLPolicy{AllowLoopbackHTTP: true, AllowedHosts: []string{"mdm.example.com"}}}
	_, err := c.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if !errors.Is(err, discovery.ErrHostNotAllowed) {
		t.Errorf("host not allowed: %v", err)
	}
	if posted {
		t.Error("credentials reached the server")
	}
	// Loopback http stays accepted by default (tests, local development).
	if _, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"}); err == nil || !posted {
		t.Errorf("loopback: %v (the refusing check was reached: %v)", err, posted)
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

// TestTokenBytes: base64 with or without white space decodes; the token
// is left as it was; a bad token is ErrStructure.
func TestTokenBytes(t *testing.T) {
	for in, want := range map[string]string{"QUJD": "ABC", "QU JD\r\n": "ABC", "\n QUJDRA==\n": "ABCD", "": ""} {
		tok := &BinarySecurityToken{Value: in}
		got, err := tok.Bytes()
		if err != nil || string(got) != want || tok.Value != in {
			t.Errorf("%q: %q, %v (value now %q)", in, got, err, tok.Value)
		}
	}
	for _, bad := range []string{"QUJ", "QU=D", "Q!JD"} {
		if _, err := (&BinarySecurityToken{Value: bad}).Bytes(); !errors.Is(err, ErrStructure) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestIssuedWritesRSTR: the server's answer, whose document is encoded
// straight into the envelope, is byte for byte what Marshal writes for
// the same RequestSecurityTokenResponse.
func TestIssuedWritesRSTR(t *testing.T) {
	doc := []byte(`<wap-provisioningdoc version="1.1"><characteristic type="x"/></wap-provisioningdoc>`)
	h := Header{RelatesTo: "urn:uuid:1", ActivityID: "a"}
	want, err := Marshal(&RequestSecurityTokenResponse{Header: h, TokenType: TokenTypeDeviceEnrollment, Token: *NewToken(ValueTypeProvisionDoc, doc), RequestID: "0"})
	if err != nil {
		t.Fatal(err)
	}
	is := &issued{RequestSecurityTokenResponse{Header: h, TokenType: TokenTypeDeviceEnrollment, Token: BinarySecurityToken{ValueType: ValueTypeProvisionDoc, EncodingType: EncodingTypeBase64}, RequestID: "0"}, &doc}
	got, err := appendMessage(nil, is)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("issued wrote\n%s\nMarshal writes\n%s", got, want)
	}
}
