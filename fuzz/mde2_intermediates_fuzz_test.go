package fuzz

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// chainCerts are the certificates FuzzEnrollIntermediates builds the
// provisioning documents' certificate stores of: the issuing root, an
// intermediate below it and one below that, another self-signed root, a
// certificate of the root's name and a new key signed by the root's key
// (self-issued, not self-signed: an intermediate, as at a key rollover),
// a leaf of the root, and bytes that are no certificate.
type chainCerts struct {
	der  [7][]byte
	root [7]bool // self-signed: a root, never an intermediate
	bad  [7]bool // not a certificate
}

// chainFixture is the loopback enrollment server of
// FuzzEnrollIntermediates, its client, and the stores the Provision hook
// writes for the input under test (mu held for the whole input).
type chainFixture struct {
	ts     *httptest.Server
	client *mde2.Client
	certs  chainCerts
	mu     sync.Mutex
	// rootStore and caStore are the indexes (into certs) of what the
	// next document installs in CertificateStore/Root/System and
	// CA/System; renewal those of a renewal's document.
	rootStore, caStore, renewRoot, renewCA []int
}

var chainFix = sync.OnceValues(newChainFixture)

func newChainFixture() (*chainFixture, error) {
	ca, err := mde2.NewMemoryCA("fuzz chain root")
	if err != nil {
		return nil, err
	}
	root := ca.Root()
	now := time.Now()
	mk := func(serial int64, subject string, isCA bool, parent *x509.Certificate, signer any) ([]byte, *x509.Certificate, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, nil, err
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: subject},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), BasicConstraintsValid: true, IsCA: isCA}
		if isCA {
			tmpl.KeyUsage = x509.KeyUsageCertSign
		}
		if parent == nil {
			parent, signer = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
		if err != nil {
			return nil, nil, nil, err
		}
		c, err := x509.ParseCertificate(der)
		return der, c, key, err
	}
	fx := &chainFixture{}
	fx.certs.der[0], fx.certs.root[0] = root.Raw, true
	i1der, i1, i1key, err := mk(2, "fuzz issuing CA", true, root, ca.Signer())
	if err != nil {
		return nil, err
	}
	fx.certs.der[1] = i1der
	if fx.certs.der[2], _, _, err = mk(3, "fuzz sub CA", true, i1, i1key); err != nil {
		return nil, err
	}
	if fx.certs.der[3], _, _, err = mk(4, "fuzz other root", true, nil, nil); err != nil {
		return nil, err
	}
	fx.certs.root[3] = true
	if fx.certs.der[4], _, _, err = mk(5, "fuzz chain root", true, root, ca.Signer()); err != nil {
		return nil, err
	}
	if fx.certs.der[5], _, _, err = mk(6, "fuzz leaf", false, root, ca.Signer()); err != nil {
		return nil, err
	}
	fx.certs.der[6], fx.certs.bad[6] = []byte("\x30\x03\x02\x01\x07 not a certificate"), true

	srv := &mde2.Server{
		Issuer: ca,
		Password: func(_ context.Context, user, _ string) (*mde2.Identity, error) {
			return &mde2.Identity{Name: user}, nil
		},
		Certificate: func(_ context.Context, chain []*x509.Certificate) (*mde2.Identity, error) {
			return &mde2.Identity{Name: chain[0].Subject.CommonName}, nil
		},
		Account: mde2.Account{ProviderID: "fuzz"},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv.Provision = func(ctx context.Context, r *mde2.EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		pe, err := srv.DefaultProvision(ctx, r, cert)
		if err != nil {
			return nil, err
		}
		rs, cs := fx.rootStore, fx.caStore
		if r.Renewal {
			rs, cs = fx.renewRoot, fx.renewCA
		}
		pe.RootCerts, pe.CACerts = nil, nil
		for _, i := range rs {
			pe.RootCerts = append(pe.RootCerts, fx.certs.der[i])
		}
		for _, i := range cs {
			pe.CACerts = append(pe.CACerts, fx.certs.der[i])
		}
		return pe, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/policy", srv.PolicyHandler())
	mux.Handle("/enroll", srv.EnrollmentHandler())
	fx.ts = httptest.NewUnstartedServer(mux)
	fx.ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	fx.ts.StartTLS()
	srv.PolicyURL, srv.EnrollmentURL = fx.ts.URL+"/policy", fx.ts.URL+"/enroll"
	srv.Account.Address = fx.ts.URL + "/ManagementServer/MDM.svc"
	fx.client = &mde2.Client{HTTPClient: fx.ts.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	return fx, nil
}

// chainStores reads the stores of a document from p: a count (up to 8),
// then a byte per certificate, its high bit choosing the store (set: the
// CA store) and the rest the certificate, which a store holds once (its
// nodes are named by thumbprint). It returns the rest of p.
func chainStores(p []byte) (roots, cas []int, rest []byte) {
	if len(p) == 0 {
		return nil, nil, nil
	}
	n := int(p[0] % 9)
	p = p[1:]
	for ; n > 0 && len(p) > 0; n-- {
		i, store := int(p[0]&0x7f)%7, &roots
		if p[0]&0x80 != 0 {
			store = &cas
		}
		if !slices.Contains(*store, i) {
			*store = append(*store, i)
		}
		p = p[1:]
	}
	return roots, cas, p
}

// FuzzEnrollIntermediates enrolls a Client with a loopback mde2.Server
// whose provisioning documents install certificates of fuzzer-chosen
// stores (see chainStores; the first byte of the input also says whether
// the enrollment is renewed, with a document of stores of its own). It
// checks: an enrollment whose document carries certificates only (no
// other bytes), none of them a root in the CA store, succeeds; one that
// fails fails with a typed error (a *Fault, an error matching
// ErrStructure, a *DecodeError or *LimitError); a Result holds as Roots
// exactly the root store and as Intermediates exactly the CA store
// without the roots (self-signed certificates) it may hold, in order, so
// that no root is ever an intermediate; TLSCertificate presents the
// certificate then the Intermediates, never a root; and a renewal keeps
// the enrollment's Intermediates (and Roots) when its document installs
// none, else holds its own.
func FuzzEnrollIntermediates(f *testing.F) {
	f.Add([]byte{0, 2, 0, 0x81})                      // root; issuing CA: the usual chain
	f.Add([]byte{0, 3, 0, 0x82, 0x81})                // a chain of two intermediates, the lower first
	f.Add([]byte{1, 2, 0x84, 0x85, 1, 1, 0x82})       // a rollover certificate and a leaf as CAs; renewed with a root store only
	f.Add([]byte{1, 2, 0, 0x81, 0})                   // renewed with a document of the certificate alone
	f.Add([]byte{0, 2, 0, 0x86})                      // bytes that are no certificate in the CA store
	f.Add([]byte{0, 8, 0, 3, 0x81, 0x82, 0x84, 0x85}) // eight, two roots
	// roots in the CA store: never intermediates
	f.Add([]byte{0, 1, 0x83})                         // another root, alone
	f.Add([]byte{1, 3, 0, 0x80, 0x81, 2, 0x83, 0x82}) // the issuing root beside its intermediate; renewed with another root beside one
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := chainFix()
		if err != nil {
			t.Fatal(err)
		}
		fx.mu.Lock()
		defer fx.mu.Unlock()
		renew := len(data) > 0 && data[0]&1 != 0
		if len(data) > 0 {
			data = data[1:]
		}
		var rest []byte
		fx.rootStore, fx.caStore, rest = chainStores(data)
		fx.renewRoot, fx.renewCA, _ = chainStores(rest)
		ctx := context.Background()
		dev := &mde2.Device{DeviceID: "fuzz-device", OSVersion: "10.0.26100.1"}
		resp := &mde2.DiscoverResponse{AuthPolicy: mde2.OnPremise, EnrollmentVersion: "5.0",
			EnrollmentPolicyServiceURL: fx.ts.URL + "/policy", EnrollmentServiceURL: fx.ts.URL + "/enroll"}
		r, err := fx.client.EnrollWith(ctx, resp, dev, mde2.Credentials{Username: "u", Password: "p"})
		if !checkChainResult(t, "enrollment", r, err, &fx.certs, fx.rootStore, fx.caStore) || !renew {
			return
		}
		n, err := fx.client.Renew(ctx, r, dev)
		rs, cs := fx.renewRoot, fx.renewCA
		if err == nil && len(caWithoutRoots(fx, cs)) == 0 {
			// a document that installs no intermediate: the enrollment's stay
			cs = fx.caStore
		}
		if err == nil && len(rs) == 0 {
			rs = fx.rootStore
		}
		checkChainResult(t, "renewal", n, err, &fx.certs, rs, cs)
	})
}

// checkChainResult checks the Result r (or err) of a document that
// installs the certificates roots and cas (indexes into certs); it
// reports whether there is a Result.
func checkChainResult(t *testing.T, op string, r *mde2.Result, err error, certs *chainCerts, roots, cas []int) bool {
	t.Helper()
	bad, rootCA := false, false
	for _, i := range append(append([]int(nil), roots...), cas...) {
		bad = bad || certs.bad[i]
	}
	var inter []int // the CA store without its roots
	for _, i := range cas {
		rootCA = rootCA || certs.root[i]
		if !certs.root[i] {
			inter = append(inter, i)
		}
	}
	if err != nil {
		var fault *mde2.Fault
		var de *mde2.DecodeError
		var le *mde2.LimitError
		if !errors.As(err, &fault) && !errors.Is(err, mde2.ErrStructure) && !errors.As(err, &de) && !errors.As(err, &le) {
			t.Fatalf("%s: untyped error %T: %v", op, err, err)
		}
		if !bad && !rootCA {
			t.Fatalf("%s of a document of certificates (roots %v, CAs %v) failed: %v", op, roots, cas, err)
		}
		return false
	}
	if bad {
		t.Fatalf("%s of a document with bytes that are no certificate (roots %v, CAs %v) succeeded", op, roots, cas)
	}
	same := func(what string, got []*x509.Certificate, want []int) {
		ok := len(got) == len(want)
		for k := 0; ok && k < len(got); k++ {
			ok = bytes.Equal(got[k].Raw, certs.der[want[k]])
		}
		if !ok {
			t.Fatalf("%s: %s hold %d certificates, want those of %v", op, what, len(got), want)
		}
	}
	same("Roots", r.Roots, roots)
	same("Intermediates", r.Intermediates, inter)
	tc := r.TLSCertificate()
	if len(tc.Certificate) == 0 || !bytes.Equal(tc.Certificate[0], r.Certificate.Raw) {
		t.Fatalf("%s: TLSCertificate does not present the certificate first", op)
	}
	var chain []*x509.Certificate
	for _, der := range tc.Certificate[1:] {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: TLSCertificate presents bytes that are no certificate: %v", op, err)
		}
		if c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			t.Fatalf("%s: TLSCertificate presents the root %q", op, c.Subject.CommonName)
		}
		chain = append(chain, c)
	}
	if len(r.Intermediates) > 0 {
		same("TLSCertificate's chain", chain, inter)
	}
	return true
}

// caWithoutRoots returns the CA store cas without its roots.
func caWithoutRoots(fx *chainFixture, cas []int) []int {
	var out []int
	for _, i := range cas {
		if !fx.certs.root[i] {
			out = append(out, i)
		}
	}
	return out
}
