package mde2

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// TestDefaultKeyFollowsPolicy enrolls with the default KeyType at a
// Server whose policy names no algorithm: the key is RSA of the announced
// minimalKeyLength (Windows' choice), not ECDSA, and the renewal keeps it.
func TestDefaultKeyFollowsPolicy(t *testing.T) {
	f := newFixture(t, false)
	f.client.KeyType = KeyFromPolicy
	f.srv.Policy = DefaultPolicy()
	f.srv.Policy.MinimalRSAKeyLength = 2048
	r, n := f.enrollAndRenew(t)
	if k, ok := r.Certificate.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Fatalf("key %T, want RSA 2048", r.Certificate.PublicKey)
	}
	if k, ok := n.Certificate.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 || k.Equal(r.Key.Public()) {
		t.Errorf("renewed key %T, want a new RSA 2048", n.Certificate.PublicKey)
	}
}

// policyServer answers GetPolicies with resp and passes the rest to f's
// Server, so that a test chooses what the policy announces.
func policyServer(t *testing.T, f *fixture, resp *GetPoliciesResponse) string {
	t.Helper()
	body, err := Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(pathPolicy, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentTypeSOAP12)
		_, _ = w.Write(body)
	})
	mux.Handle(pathEnroll, f.srv.EnrollmentHandler())
	f.ts.Config.Handler = mux
	return f.ts.URL + pathPolicy
}

func intp(i int) *int { return &i }

// TestDefaultKeyECDSAPolicy: a policy naming ecPublicKey with a minimal
// length of 384 and SHA-384 gets an ECDSA P-384 key, its request signed
// with ECDSA-SHA384.
func TestDefaultKeyECDSAPolicy(t *testing.T) {
	f := newFixture(t, false)
	f.client.KeyType = KeyFromPolicy
	policyURL := policyServer(t, f, &GetPoliciesResponse{
		Policies: []Policy{{OIDReference: 1, CommonName: "ec", PolicySchema: 3, Enroll: true, MinimalKeyLength: 384,
			KeyAlgorithmOIDRef: intp(7), HashAlgorithmOIDRef: intp(0)}},
		OIDs: []OID{{Value: "2.16.840.1.101.3.4.2.2", Group: 1, ReferenceID: 0, DefaultName: "sha384"},
			{Value: "1.2.840.10045.2.1", Group: 3, ReferenceID: 7, DefaultName: "ECC"}},
	})
	var sigAlg asn1.ObjectIdentifier
	f.srv.Approve = func(_ context.Context, r *EnrollmentRequest) error {
		sigAlg = r.CSR.SignatureAlgorithm
		return nil
	}
	r, err := f.client.EnrollWith(context.Background(), &DiscoverResponse{AuthPolicy: OnPremise, EnrollmentPolicyServiceURL: policyURL,
		EnrollmentServiceURL: f.ts.URL + pathEnroll}, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := r.Certificate.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P384() {
		t.Fatalf("key %T, want ECDSA P-384", r.Certificate.PublicKey)
	}
	if !sigAlg.Equal(oidECDSAWithSHA384) {
		t.Errorf("request signed with %v, want ECDSA-SHA384", sigAlg)
	}
}

// TestKeyFor checks the choice under each policy without making keys.
func TestKeyFor(t *testing.T) {
	oids := []OID{{Value: "1.2.840.113549.1.1.1", Group: 3, ReferenceID: 1}, {Value: "1.3.132.0.35", Group: 3, ReferenceID: 2},
		{Value: "1.2.840.10040.4.1", Group: 3, ReferenceID: 3}, {Value: "1.2.840.10045.2.1", Group: 3, ReferenceID: 4},
		{Value: "2.16.840.1.101.3.4.2.3", Group: 1, ReferenceID: 5}}
	one := func(p Policy) *GetPoliciesResponse { return &GetPoliciesResponse{Policies: []Policy{p}, OIDs: oids} }
	for _, tc := range []struct {
		name    string
		typ     KeyType
		resp    *GetPoliciesResponse
		rsaBits int
		curve   elliptic.Curve
		sig     x509.SignatureAlgorithm
		err     bool
	}{
		{name: "no policy", resp: nil, rsaBits: 2048},
		{name: "no algorithm, short", resp: one(Policy{MinimalKeyLength: 1024}), rsaBits: 2048},
		{name: "no algorithm, 4096", resp: one(Policy{MinimalKeyLength: 4096}), rsaBits: 4096},
		{name: "RSA 3072 SHA-512", resp: one(Policy{MinimalKeyLength: 3072, KeyAlgorithmOIDRef: intp(1), HashAlgorithmOIDRef: intp(5)}), rsaBits: 3072, sig: x509.SHA512WithRSA},
		{name: "P-521 curve", resp: one(Policy{MinimalKeyLength: 256, KeyAlgorithmOIDRef: intp(2)}), curve: elliptic.P521()},
		{name: "ecPublicKey 256", resp: one(Policy{MinimalKeyLength: 256, KeyAlgorithmOIDRef: intp(4)}), curve: elliptic.P256()},
		{name: "ecPublicKey 600", resp: one(Policy{MinimalKeyLength: 600, KeyAlgorithmOIDRef: intp(4)}), err: true},
		{name: "DSA", resp: one(Policy{MinimalKeyLength: 2048, KeyAlgorithmOIDRef: intp(3)}), err: true},
		{name: "dangling algorithm", resp: one(Policy{KeyAlgorithmOIDRef: intp(9)}), err: true},
		{name: "dangling hash", resp: one(Policy{HashAlgorithmOIDRef: intp(9)}), err: true},
		{name: "RSA above MaxRSAKeyBits", resp: one(Policy{MinimalKeyLength: 16385}), err: true},
		{name: "explicit ECDSA under an RSA policy", typ: KeyECDSAP256, resp: one(Policy{MinimalKeyLength: 4096}), curve: elliptic.P256()},
		{name: "explicit RSA under an ECDSA policy", typ: KeyRSA2048, resp: one(Policy{KeyAlgorithmOIDRef: intp(2)}), rsaBits: 2048},
		{name: "unknown KeyType", typ: 99, err: true},
		{name: "P-521, CryptoAPI RSA providers only", resp: one(Policy{KeyAlgorithmOIDRef: intp(2),
			CryptoProviders: []string{"Microsoft Enhanced Cryptographic Provider v1.0", " microsoft  base cryptographic provider v1.0"}}), err: true},
		{name: "P-521, a key storage provider too", resp: one(Policy{KeyAlgorithmOIDRef: intp(2),
			CryptoProviders: []string{"Microsoft Enhanced Cryptographic Provider v1.0", "Microsoft Software Key Storage Provider"}}), curve: elliptic.P521()},
		{name: "P-521, an unknown provider", resp: one(Policy{KeyAlgorithmOIDRef: intp(2), CryptoProviders: []string{"Contoso HSM"}}), curve: elliptic.P521()},
		{name: "RSA, CryptoAPI RSA providers", resp: one(Policy{CryptoProviders: []string{"Microsoft Strong Cryptographic Provider"}}), rsaBits: 2048},
		{name: "RSA, DSS providers only", resp: one(Policy{CryptoProviders: []string{"Microsoft Base DSS Cryptographic Provider"}}), err: true},
		{name: "RSA, the specification's providers", resp: one(Policy{KeySpec: intp(1),
			CryptoProviders: []string{"Microsoft Platform Crypto Provider", "Microsoft Software Key Storage Provider"}}), rsaBits: 2048},
		{name: "ECDSA with keySpec 1 (exchange)", resp: one(Policy{KeyAlgorithmOIDRef: intp(4), MinimalKeyLength: 256, KeySpec: intp(1)}), curve: elliptic.P256()},
		{name: "explicit ECDSA, CryptoAPI RSA providers only", typ: KeyECDSAP256, resp: one(Policy{CryptoProviders: []string{"Microsoft Enhanced Cryptographic Provider v1.0"}}), curve: elliptic.P256()},
	} {
		k, err := keyFor(tc.typ, tc.resp, DefaultMaxRSAKeyBits)
		if tc.err {
			if err == nil || (tc.typ == KeyFromPolicy && !errors.Is(err, ErrKeyPolicy)) {
				t.Errorf("%s: err %v, want ErrKeyPolicy", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if k.rsaBits != tc.rsaBits || k.curve != tc.curve || k.sigAlg() != tc.sig {
			t.Errorf("%s: got RSA %d curve %v sig %v", tc.name, k.rsaBits, k.curve, k.sigAlg())
		}
	}
}

// TestEnrollRefusesKeyPolicyBeforeSending: a policy the Client cannot
// follow stops the enrollment before the certificate request is sent: an
// RSA length above the Client's Limits.MaxRSAKeyBits, or, with the
// default Limits, above DefaultMaxGeneratedRSAKeyBits (not the
// DefaultMaxRSAKeyBits a Server checks signatures up to: an 8192-bit key
// takes tens of seconds to generate, a 16384-bit one minutes).
func TestEnrollRefusesKeyPolicyBeforeSending(t *testing.T) {
	for _, tc := range []struct {
		name           string
		clientMax, ask int
	}{
		{"above MaxRSAKeyBits", 2048, 4096},
		{"above the default", 0, 2 * DefaultMaxGeneratedRSAKeyBits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			f.client.KeyType = KeyFromPolicy
			f.client.Limits.MaxRSAKeyBits = tc.clientMax
			f.srv.Policy = DefaultPolicy()
			f.srv.Policy.MinimalRSAKeyLength = tc.ask
			called := false
			f.srv.Approve = func(context.Context, *EnrollmentRequest) error { called = true; return nil }
			_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
			if !errors.Is(err, ErrKeyPolicy) || called {
				t.Fatalf("err %v (request sent: %v), want ErrKeyPolicy before sending", err, called)
			}
		})
	}
}

// TestKeyRequestMatchesSpec makes the key and request of each kind the
// policy can ask for and reads the request as a Server does: its key is
// of the kind and size asked, its signature of the hash asked.
func TestKeyRequestMatchesSpec(t *testing.T) {
	c := &Client{}
	for _, tc := range []struct {
		spec keySpec
		sig  asn1.ObjectIdentifier
	}{
		{keySpec{rsaBits: 2048}, oidSHA256WithRSA},
		{keySpec{rsaBits: 2048, hash: crypto.SHA384}, oidSHA384WithRSA},
		{keySpec{curve: elliptic.P256()}, oidECDSAWithSHA256},
		{keySpec{curve: elliptic.P384(), hash: crypto.SHA256}, oidECDSAWithSHA256},
		{keySpec{curve: elliptic.P521(), hash: crypto.SHA512}, oidECDSAWithSHA512},
	} {
		key, der, err := c.request(testDevice, tc.spec)
		if err != nil {
			t.Fatalf("%+v: %v", tc.spec, err)
		}
		csr, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatalf("%+v: the Server cannot read the request: %v", tc.spec, err)
		}
		if !publicKeyEqual(csr.PublicKey, key.Public()) || !csr.SignatureAlgorithm.Equal(tc.sig) {
			t.Errorf("%+v: request of another key, or signed with %v", tc.spec, csr.SignatureAlgorithm)
		}
		switch k := key.Public().(type) {
		case *rsa.PublicKey:
			if k.N.BitLen() != tc.spec.rsaBits {
				t.Errorf("%+v: RSA %d", tc.spec, k.N.BitLen())
			}
		case *ecdsa.PublicKey:
			if k.Curve != tc.spec.curve {
				t.Errorf("%+v: curve %s", tc.spec, k.Curve.Params().Name)
			}
		}
	}
}

// TestKeyTypeValues: KeyRSA2048 keeps the value 1 it had before
// KeyFromPolicy took the zero value, so that a KeyType stored as a number
// (a configuration file, a database) does not turn from RSA into ECDSA.
func TestKeyTypeValues(t *testing.T) {
	if KeyFromPolicy != 0 || KeyRSA2048 != 1 || KeyECDSAP256 == KeyRSA2048 || KeyECDSAP256 == KeyFromPolicy {
		t.Errorf("KeyFromPolicy %d, KeyRSA2048 %d, KeyECDSAP256 %d: want 0, 1 and another", KeyFromPolicy, KeyRSA2048, KeyECDSAP256)
	}
}

// bigRSASigner is a key whose public half is an RSA modulus of bits bits
// (a number, no key behind it): enough for Renew to choose the new key.
type bigRSASigner struct{ bits int }

func (s bigRSASigner) Public() crypto.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), uint(s.bits-1)), E: 65537}
}

func (bigRSASigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("no key")
}

// TestRenewBoundsRSAKey: a renewal under KeyFromPolicy makes a key like
// the renewed one only within the bound an enrollment's policy has
// (Limits.MaxRSAKeyBits, DefaultMaxGeneratedRSAKeyBits when zero): a
// longer one is refused with ErrKeyPolicy before a request is sent.
func TestRenewBoundsRSAKey(t *testing.T) {
	var posted atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { posted.Add(1) }))
	defer ts.Close()
	cert := &x509.Certificate{Raw: []byte{0x30, 0}, SerialNumber: big.NewInt(1)}
	for _, tc := range []struct {
		name string
		lim  int
		bits int
	}{
		{"default bound, 8192 bits", 0, 8192},
		{"default bound, 4097 bits", 0, DefaultMaxGeneratedRSAKeyBits + 1},
		{"bound 2048, 3072 bits", 2048, 3072},
	} {
		c := &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP, Limits: Limits{MaxRSAKeyBits: tc.lim}}
		prev := &Result{Certificate: cert, Key: bigRSASigner{tc.bits}, EnrollmentURL: ts.URL, EnrollmentVersion: "5.0"}
		_, err := c.Renew(context.Background(), prev, testDevice)
		if !errors.Is(err, ErrKeyPolicy) {
			t.Errorf("%s: %v, want ErrKeyPolicy", tc.name, err)
		}
	}
	if n := posted.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestPolicyKeyEndToEnd: a Client with the default KeyType enrolls at a
// Server whose policy asks for RSA or ECDSA and gets a certificate for
// the key the policy announces; a Client that makes another key is
// refused with a CertificateRequest fault.
func TestPolicyKeyEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy CertificatePolicy
		rsa    int            // the RSA length wanted, or
		curve  elliptic.Curve // the curve wanted
	}{
		{"RSA", CertificatePolicy{Name: "rsa"}, 2048, nil},
		{"ECDSA", CertificatePolicy{Name: "ec", KeyAlgorithm: PolicyECDSA}, 0, elliptic.P256()},
		{"ECDSA 384", CertificatePolicy{Name: "ec", KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 384}, 0, elliptic.P384()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			f.srv.Policy = &tc.policy
			f.client.KeyType = KeyFromPolicy
			r := f.enroll(t)
			switch k := r.Certificate.PublicKey.(type) {
			case *rsa.PublicKey:
				if k.N.BitLen() != tc.rsa {
					t.Errorf("RSA %d bits, want %v %d", k.N.BitLen(), tc.curve, tc.rsa)
				}
			case *ecdsa.PublicKey:
				if k.Curve != tc.curve {
					t.Errorf("ECDSA %s, want %v %d", k.Curve.Params().Name, tc.curve, tc.rsa)
				}
			default:
				t.Errorf("key %T", k)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		policy *CertificatePolicy
		typ    KeyType
	}{
		{"RSA key, ECDSA policy", &CertificatePolicy{KeyAlgorithm: PolicyECDSA}, KeyRSA2048},
		{"P-256 key, ECDSA P-384 policy", &CertificatePolicy{KeyAlgorithm: PolicyECDSA, MinimalECDSAKeyLength: 384}, KeyECDSAP256},
		{"ECDSA key, RSA policy", &CertificatePolicy{}, KeyECDSAP256},
		// Changed: a Server without a Policy took it (DefaultPolicy
		// allowed ECDSA it announces as RSA).
		{"ECDSA key, default policy", nil, KeyECDSAP256},
	} {
		f := newFixture(t, false)
		f.srv.Policy = tc.policy
		f.client.KeyType = tc.typ
		_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
		wantFault(t, err, FaultCertificateRequest, "")
	}
}

// TestPolicyKeySpecProviders: keySpec and cryptoProviders are read as
// the policy sends them and written back, nil when nil.
func TestPolicyKeySpecProviders(t *testing.T) {
	in := &GetPoliciesResponse{PolicyID: "p", Policies: []Policy{
		{CommonName: "a", PolicySchema: 3, MinimalKeyLength: 2048, KeySpec: intp(2),
			CryptoProviders: []string{"Microsoft Platform Crypto Provider", "Microsoft Software Key Storage Provider"}},
		{CommonName: "b", PolicySchema: 3, MinimalKeyLength: 2048},
	}}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<keySpec>2</keySpec>", "<provider>Microsoft Platform Crypto Provider</provider>", `<keySpec xsi:nil="true"`, `<cryptoProviders xsi:nil="true"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in %s", want, b)
		}
	}
	var out GetPoliciesResponse
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	a, n := out.Policies[0], out.Policies[1]
	if a.KeySpec == nil || *a.KeySpec != 2 || !slices.Equal(a.CryptoProviders, in.Policies[0].CryptoProviders) {
		t.Errorf("read keySpec %v, cryptoProviders %q", a.KeySpec, a.CryptoProviders)
	}
	if n.KeySpec != nil || n.CryptoProviders != nil {
		t.Errorf("nil read as keySpec %v, cryptoProviders %q", n.KeySpec, n.CryptoProviders)
	}
}
