package fuzz

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
)

// policyFixture is the loopback enrollment server of FuzzEnrollPolicy:
// the Server, whose Policy each input sets (mu held for the whole
// input), and what its wrappers saw or do for the input under test.
type policyFixture struct {
	ts  *httptest.Server
	srv *mde2.Server
	mu  sync.Mutex
	// announce, when set, rewrites the GetPoliciesResponse the Client
	// reads (the announced policy); the Server still checks its own.
	announce func(*mde2.GetPoliciesResponse)
	// unwritable is Marshal's refusal of the rewritten response (a
	// provider name that is not XML text, say): the input checks nothing.
	unwritable error
	// requests counts the RequestSecurityTokens posted; key is the public
	// key of the last one's certificate request (nil when unread).
	requests int
	key      crypto.PublicKey
}

var policyFix = sync.OnceValues(func() (*policyFixture, error) {
	ca, err := mde2.NewMemoryCA("fuzz policy root")
	if err != nil {
		return nil, err
	}
	fx := &policyFixture{}
	fx.srv = &mde2.Server{
		Issuer: ca,
		Password: func(_ context.Context, user, _ string) (*mde2.Identity, error) {
			return &mde2.Identity{Name: user}, nil
		},
		Account: mde2.Account{ProviderID: "fuzz"},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	policy, enroll := fx.srv.PolicyHandler(), fx.srv.EnrollmentHandler()
	mux := http.NewServeMux()
	mux.HandleFunc("/policy", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		policy.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK && fx.announce != nil {
			var resp mde2.GetPoliciesResponse
			if err := mde2.Unmarshal(body, &resp); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			fx.announce(&resp)
			if body, err = mde2.Marshal(&resp); err != nil {
				fx.unwritable = err
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
	mux.HandleFunc("/enroll", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fx.requests++
		if m, err := mde2.ReadMessage(body, mde2.Limits{}); err == nil {
			if rst, ok := m.(*mde2.RequestSecurityToken); ok {
				if der, err := rst.Token.Bytes(); err == nil {
					if csr, err := mde2.ParseCertificateRequest(der); err == nil {
						fx.key = csr.PublicKey
					}
				}
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		enroll.ServeHTTP(w, r)
	})
	fx.ts = httptest.NewUnstartedServer(mux)
	fx.ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	fx.ts.StartTLS()
	fx.srv.PolicyURL, fx.srv.EnrollmentURL = fx.ts.URL+"/policy", fx.ts.URL+"/enroll"
	fx.srv.Account.Address = fx.ts.URL + "/ManagementServer/MDM.svc"
	return fx, nil
})

// announcedAlgs are the key algorithms FuzzEnrollPolicy may announce in
// place of the Server's: RSA (no algorithmOIDReference, or the RSA OID),
// the three curves, the EC public key OID alone, and an OID no key has.
var announcedAlgs = []string{"", "1.2.840.113549.1.1.1", "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35", "1.2.840.10045.2.1", "1.2.3.4"}

// FuzzEnrollPolicy enrolls a Client with a loopback Server whose
// CertificatePolicy the fuzzer chooses (algorithm, including one that is
// neither; RSA and ECDSA minimum lengths; AllowECDSA) and whose announced
// policy it may rewrite on the way (the algorithm and minimalKeyLength
// the Client reads, standing for a server that announces one policy and
// checks another), with a keySpec and cryptoProviders (';'-separated) of
// its choice, and a Client KeyType. The Client makes RSA keys of at most
// 2048 bits (Limits.MaxRSAKeyBits), so that an input stays fast. It
// checks: a certificate is issued exactly when the request's key meets
// the Server's policy, computed here from its fields (under PolicyRSA an
// RSA modulus of at least MinimalRSAKeyLength, 2048 when not positive,
// or with AllowECDSA a curve of at least MinimalECDSAKeyLength, 256 when
// not positive; under PolicyECDSA a curve at least as long as the
// shortest of P-256, P-384 and P-521 that is as long as
// MinimalECDSAKeyLength), and then for the key the request carried; a
// request whose key does not meet it is answered with a
// CertificateRequest fault; under KeyFromPolicy, the key the Client
// makes meets the policy it read (the algorithm named, at least the
// length announced), or the Client refuses with ErrKeyPolicy before it
// sends any request, and makes no RSA key above its Limits.MaxRSAKeyBits;
// a Client with another KeyType never answers
// ErrKeyPolicy; any other failure is a *Fault; and a KeyFromPolicy
// enrollment renewed (renew%3: 1 under the enrollment's bound, 2 under a
// bound of 1024 bits) behaves as checkRenewPolicy says.
func FuzzEnrollPolicy(f *testing.F) {
	// alg, rsaMin, ecdsaMin, allowECDSA, keySpec, providers, announce, announcedLen, keyType, renew
	f.Add(uint8(0), int16(2048), int16(256), true, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(0))
	f.Add(uint8(1), int16(0), int16(0), false, int8(2), "", uint8(0), int16(0), uint8(0), uint8(0))
	f.Add(uint8(1), int16(0), int16(300), false, int8(1), "Microsoft Software Key Storage Provider", uint8(0), int16(0), uint8(0), uint8(0))
	f.Add(uint8(1), int16(0), int16(522), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(0))
	f.Add(uint8(1), int16(0), int16(384), false, int8(-1), "", uint8(3), int16(256), uint8(0), uint8(0))                                           // announces P-256, checks P-384
	f.Add(uint8(0), int16(1024), int16(0), false, int8(1), "", uint8(1), int16(1024), uint8(0), uint8(0))                                          // RSA 1024 announced and checked: the Client makes 2048
	f.Add(uint8(0), int16(2048), int16(0), true, int8(-1), "", uint8(3), int16(256), uint8(0), uint8(0))                                           // announces P-256 under PolicyRSA with AllowECDSA
	f.Add(uint8(0), int16(2048), int16(384), true, int8(-1), "", uint8(3), int16(256), uint8(0), uint8(0))                                         // P-256 where AllowECDSA wants P-384
	f.Add(uint8(0), int16(2049), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(0))                                            // above the Client's bound: ErrKeyPolicy
	f.Add(uint8(1), int16(0), int16(0), false, int8(-1), "Microsoft Enhanced Cryptographic Provider v1.0", uint8(0), int16(0), uint8(0), uint8(0)) // no CSP makes ECDSA
	f.Add(uint8(0), int16(0), int16(0), false, int8(-1), "Microsoft Base DSS Cryptographic Provider;Microsoft Base Cryptographic Provider v1.0", uint8(0), int16(0), uint8(0), uint8(0))
	f.Add(uint8(1), int16(0), int16(521), false, int8(-1), "", uint8(0), int16(0), uint8(2), uint8(0))    // KeyECDSAP256 where P-521 is asked
	f.Add(uint8(1), int16(0), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(1), uint8(0))      // KeyRSA2048 under PolicyECDSA
	f.Add(uint8(2), int16(0), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(0))      // neither algorithm: the Server's error
	f.Add(uint8(1), int16(0), int16(256), false, int8(-1), "", uint8(7), int16(0), uint8(0), uint8(0))    // an OID no key has
	f.Add(uint8(0), int16(3072), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(1), uint8(0))   // KeyRSA2048 where 3072 is asked
	f.Add(uint8(0), int16(3072), int16(0), false, int8(1), "", uint8(2), int16(2048), uint8(0), uint8(0)) // announces RSA 2048, checks 3072
	f.Add(uint8(0), int16(2048), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(2))   // renewal refused above a bound of 1024
	f.Add(uint8(1), int16(0), int16(384), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(1))    // ECDSA P-384 renewed
	f.Add(uint8(0), int16(2048), int16(0), false, int8(-1), "", uint8(0), int16(0), uint8(0), uint8(1))   // RSA 2048 renewed under its bound
	f.Fuzz(func(t *testing.T, alg uint8, rsaMin, ecdsaMin int16, allowECDSA bool, keySpec int8, providers string, announce uint8, announcedLen int16, keyType, renew uint8) {
		fx, err := policyFix()
		if err != nil {
			t.Fatal(err)
		}
		fx.mu.Lock()
		defer fx.mu.Unlock()
		pol := &mde2.CertificatePolicy{Name: "fuzz", Validity: 24 * time.Hour, KeyAlgorithm: mde2.KeyAlgorithm(alg % 3),
			MinimalRSAKeyLength: int(rsaMin), AllowECDSA: allowECDSA, MinimalECDSAKeyLength: int(ecdsaMin)}
		fx.srv.Policy = pol
		fx.requests, fx.key, fx.unwritable = 0, nil, nil
		var seen *mde2.Policy // the policy the Client read, and its OIDs
		var seenOIDs []mde2.OID
		fx.announce = func(resp *mde2.GetPoliciesResponse) {
			if len(resp.Policies) == 0 {
				return
			}
			p := &resp.Policies[0]
			if keySpec >= 0 {
				ks := int(keySpec)
				p.KeySpec = &ks
			}
			if providers != "" {
				p.CryptoProviders = strings.Split(providers, ";")
			}
			if a := int(announce) % (len(announcedAlgs) + 1); a > 0 {
				p.MinimalKeyLength, p.KeyAlgorithmOIDRef = int(announcedLen), nil
				if oid := announcedAlgs[a-1]; oid != "" {
					ref := 90
					p.KeyAlgorithmOIDRef = &ref
					resp.OIDs = append(resp.OIDs, mde2.OID{Value: oid, Group: 3, ReferenceID: ref, DefaultName: "fuzz"})
				}
			}
			cp := *p
			seen = &cp
			seenOIDs = resp.OIDs
		}
		client := &mde2.Client{HTTPClient: fx.ts.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true},
			KeyType: mde2.KeyType(keyType % 3), Limits: mde2.Limits{MaxRSAKeyBits: 2048}}
		dev := &mde2.Device{DeviceID: "fuzz-device", OSVersion: "10.0.26100.1"}
		resp := &mde2.DiscoverResponse{AuthPolicy: mde2.OnPremise, EnrollmentVersion: "5.0",
			EnrollmentPolicyServiceURL: fx.srv.PolicyURL, EnrollmentServiceURL: fx.srv.EnrollmentURL}
		r, err := client.EnrollWith(context.Background(), resp, dev, mde2.Credentials{Username: "u", Password: "p"})
		if fx.unwritable != nil {
			return
		}

		var fault *mde2.Fault
		switch {
		case err == nil:
			if fx.requests != 1 || fx.key == nil {
				t.Fatalf("enrolled with %d requests, key %T", fx.requests, fx.key)
			}
			if why := meetsServerPolicy(pol, r.Certificate.PublicKey); why != "" {
				t.Fatalf("certificate issued for a key below the Server's policy %+v: %s", *pol, why)
			}
			if renew%3 != 0 && client.KeyType == mde2.KeyFromPolicy {
				checkRenewPolicy(t, fx, client, pol, r, dev, renew%3 == 2)
			}
		case errors.Is(err, mde2.ErrKeyPolicy):
			if client.KeyType != mde2.KeyFromPolicy {
				t.Fatalf("KeyType %d, which reads no policy, refused with ErrKeyPolicy: %v", client.KeyType, err)
			}
			if fx.requests != 0 {
				t.Fatalf("ErrKeyPolicy after %d requests were sent: %v", fx.requests, err)
			}
			return
		case errors.As(err, &fault):
		default:
			t.Fatalf("enrollment failed with %T: %v", err, err)
		}
		if fx.requests == 0 {
			return // the policy service refused (a policy the Server cannot announce)
		}
		if fx.key == nil {
			t.Fatalf("the Client sent a request whose key this test could not read (err %v)", err)
		}
		why := meetsServerPolicy(pol, fx.key)
		switch {
		case why == "" && err != nil:
			t.Fatalf("a key meeting the Server's policy %+v refused: %v", *pol, err)
		case why != "" && (fault == nil || fault.Code != mde2.FaultCertificateRequest):
			t.Fatalf("a key below the Server's policy %+v (%s) not refused with a CertificateRequest fault: %v", *pol, why, err)
		}
		if client.KeyType == mde2.KeyFromPolicy && seen != nil {
			if why := meetsAnnounced(seen, seenOIDs, fx.key); why != "" {
				t.Fatalf("under KeyFromPolicy the Client made a key the policy it read does not ask for (%s): %+v", why, *seen)
			}
			if k, ok := fx.key.(*rsa.PublicKey); ok && k.N.BitLen() > client.Limits.MaxRSAKeyBits {
				t.Fatalf("under KeyFromPolicy the Client made an RSA key of %d bits, above its Limits.MaxRSAKeyBits %d", k.N.BitLen(), client.Limits.MaxRSAKeyBits)
			}
		}
	})
}

// checkRenewPolicy renews r, a certificate the Server issued under pol,
// with a KeyFromPolicy Client whose Limits.MaxRSAKeyBits is 1024 when
// low, else the enrollment's. It checks: Renew refuses with ErrKeyPolicy,
// having sent nothing, exactly when the key is RSA longer than the
// bound; else it succeeds with a key of the kind and length of the
// renewed one, which meets the Server's policy.
func checkRenewPolicy(t *testing.T, fx *policyFixture, client *mde2.Client, pol *mde2.CertificatePolicy, r *mde2.Result, dev *mde2.Device, low bool) {
	c := *client
	if low {
		c.Limits.MaxRSAKeyBits = 1024
	}
	old := r.Certificate.PublicKey
	k, isRSA := old.(*rsa.PublicKey)
	over := isRSA && k.N.BitLen() > c.Limits.MaxRSAKeyBits
	fx.requests = 0
	nr, err := c.Renew(context.Background(), r, dev)
	switch {
	case over:
		if !errors.Is(err, mde2.ErrKeyPolicy) || fx.requests != 0 {
			t.Fatalf("Renew of an RSA key of %d bits with MaxRSAKeyBits %d: %v after %d requests, want ErrKeyPolicy before any", k.N.BitLen(), c.Limits.MaxRSAKeyBits, err, fx.requests)
		}
	case err != nil:
		t.Fatalf("Renew of a key meeting the policy %+v: %v", *pol, err)
	default:
		if sameKind(old, nr.Certificate.PublicKey) != "" {
			t.Fatalf("renewed %T with %T: %s", old, nr.Certificate.PublicKey, sameKind(old, nr.Certificate.PublicKey))
		}
		if why := meetsServerPolicy(pol, nr.Certificate.PublicKey); why != "" {
			t.Fatalf("renewal certificate for a key below the Server's policy %+v: %s", *pol, why)
		}
	}
}

// sameKind returns how b differs from a in algorithm or length, or "".
func sameKind(a, b crypto.PublicKey) string {
	switch a := a.(type) {
	case *rsa.PublicKey:
		if b, ok := b.(*rsa.PublicKey); !ok || b.N.BitLen() != a.N.BitLen() {
			return "not an RSA key of the same length"
		}
	case *ecdsa.PublicKey:
		if b, ok := b.(*ecdsa.PublicKey); !ok || b.Curve != a.Curve {
			return "not an ECDSA key on the same curve"
		}
	}
	return ""
}

// meetsServerPolicy returns why key does not meet p, as the fields of a
// CertificatePolicy describe it, or "".
func meetsServerPolicy(p *mde2.CertificatePolicy, key crypto.PublicKey) string {
	minRSA, minEC := p.MinimalRSAKeyLength, p.MinimalECDSAKeyLength
	if minRSA <= 0 {
		minRSA = 2048
	}
	if minEC <= 0 {
		minEC = 256
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if p.KeyAlgorithm != mde2.PolicyRSA {
			return "an RSA key"
		}
		if k.N.BitLen() < minRSA {
			return "an RSA key of " + strconv.Itoa(k.N.BitLen()) + " bits"
		}
	case *ecdsa.PublicKey:
		bits := k.Curve.Params().BitSize
		switch p.KeyAlgorithm {
		case mde2.PolicyRSA:
			if !p.AllowECDSA || bits < minEC {
				return "an ECDSA key of " + strconv.Itoa(bits) + " bits"
			}
		case mde2.PolicyECDSA:
			curve := 0
			for _, c := range []int{256, 384, 521} {
				if c >= minEC {
					curve = c
					break
				}
			}
			if curve == 0 || bits < curve {
				return "an ECDSA key of " + strconv.Itoa(bits) + " bits"
			}
		default:
			return "a key under no algorithm"
		}
	default:
		return "a key of another kind"
	}
	return ""
}

// meetsAnnounced returns why key is not of the algorithm the policy p
// (with the response's oids) names, at least MinimalKeyLength long (and
// at least 2048 bits for RSA, the least the Client makes), or "".
func meetsAnnounced(p *mde2.Policy, oids []mde2.OID, key crypto.PublicKey) string {
	alg := ""
	if p.KeyAlgorithmOIDRef != nil {
		for _, o := range oids {
			if o.ReferenceID == *p.KeyAlgorithmOIDRef {
				alg = o.Value
				break
			}
		}
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if alg != "" && alg != "1.2.840.113549.1.1.1" {
			return "an RSA key for " + alg
		}
		if k.N.BitLen() < max(p.MinimalKeyLength, 2048) {
			return "an RSA key of " + strconv.Itoa(k.N.BitLen()) + " bits"
		}
	case *ecdsa.PublicKey:
		bits := k.Curve.Params().BitSize
		least := map[string]int{"1.2.840.10045.3.1.7": 256, "1.3.132.0.34": 384, "1.3.132.0.35": 521, "1.2.840.10045.2.1": 0}
		l, ok := least[alg]
		if !ok {
			return "an ECDSA key for " + alg
		}
		if bits < max(l, p.MinimalKeyLength) {
			return "an ECDSA key of " + strconv.Itoa(bits) + " bits"
		}
	default:
		return "a key of another kind"
	}
	return ""
}
