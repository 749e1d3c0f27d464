package fuzz

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery/mde2"
)

// mde2SpecSeeds adds the XML samples of Microsoft's enrollment pages,
// read in place (nothing is added when the folder is absent).
func mde2SpecSeeds(f *testing.F) {
	fence := regexp.MustCompile("(?s)```xml\\s*\n(.*?)```")
	dir := "../../shared/spec/ms-docs/client-management"
	for _, p := range []string{"mobile-device-enrollment.md", "federated-authentication-device-enrollment.md",
		"certificate-authentication-device-enrollment.md", "on-premise-authentication-device-enrollment.md",
		"certificate-renewal-windows-mdm.md"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			continue
		}
		for _, m := range fence.FindAllSubmatch(b, -1) {
			f.Add(bytes.TrimSpace(m[1]))
		}
	}
}

func checkMDE2Error(t *testing.T, err error) {
	t.Helper()
	var de *mde2.DecodeError
	var le *mde2.LimitError
	if !errors.As(err, &de) && !errors.As(err, &le) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
	if de != nil && (de.Line < 1 || de.Column < 1) {
		t.Fatalf("DecodeError without a position: %v", err)
	}
}

// FuzzEnrollMessage feeds arbitrary bytes to the enrollment message
// decoder. It checks: no panic; refusals are a DecodeError with a
// position or a LimitError; small limits are reported as LimitErrors;
// for accepted input, c = Marshal(decode(b)) succeeds, decodes to the
// same value and is a fixed point of decode then Marshal.
func FuzzEnrollMessage(f *testing.F) {
	mde2SpecSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		small := mde2.Limits{MaxDepth: 6, MaxTokens: 40}
		if _, err := mde2.ReadMessage(data, small); err != nil {
			checkMDE2Error(t, err)
		}
		m, err := mde2.ReadMessage(data, mde2.Limits{})
		if err != nil {
			checkMDE2Error(t, err)
			return
		}
		c, err := mde2.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal of a decoded %T: %v", m, err)
		}
		m2, err := mde2.ReadMessage(c, mde2.Limits{})
		if err != nil {
			t.Fatalf("decode of Marshal's output: %v\n%s", err, c)
		}
		if d := diff(m, m2); d != "" {
			t.Fatalf("decode -> Marshal -> decode differs:\n%s", d)
		}
		c2, err := mde2.Marshal(m2)
		if err != nil || !bytes.Equal(c, c2) {
			t.Fatalf("Marshal is not a fixed point: %v\n%s\n%s", err, c, c2)
		}
	})
}

// FuzzEnrollCSR feeds arbitrary bytes to the tolerant PKCS#10 reader,
// seeded with valid requests of every key type, hash and subject string
// type and near-valid variants (csrSeeds). It checks: no panic; refusals
// match ErrCSR, under the package's prefix once; whatever crypto/x509
// accepts with a verifying signature and reads a subject of text from is
// accepted too; an accepted request
// keeps the input as Raw, holds a key and request info, agrees with
// crypto/x509 where that reads it (signed bytes, subject, key, signature,
// extensions, and a signature crypto/x509 verifies), reads again to the
// same value, and is refused under a tighter MaxRSAKeyBits only for an
// RSA key above it.
func FuzzEnrollCSR(f *testing.F) {
	for _, s := range []string{"", "0", "\x30\x00", "\x30\x80"} {
		f.Add([]byte(s))
	}
	valid, near := csrSeeds(f)
	for _, b := range append(valid, near...) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := mde2.ParseCertificateRequest(data)
		std, stdErr := x509.ParseCertificateRequest(data)
		if err != nil {
			checkMDE2Sentinel(t, err, mde2.ErrCSR)
			if stdErr == nil && subjectAllText(std) && std.CheckSignature() == nil {
				switch std.SignatureAlgorithm {
				case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
					t.Fatalf("crypto/x509 accepts and verifies, we refuse: %v", err)
				}
			}
			return
		}
		if r.PublicKey == nil || len(r.RawInfo) == 0 || r.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
			t.Fatal("accepted without a known key or request info")
		}
		if !bytes.Equal(r.Raw, data) || !bytes.Contains(data, r.RawInfo) || !bytes.Contains(r.RawInfo, r.RawSubject) {
			t.Fatal("Raw, RawInfo and RawSubject are not the input and its parts")
		}
		if cn := r.CommonName(); cn != strings.TrimRight(r.Subject.CommonName, "\x00") {
			t.Fatalf("CommonName %q of subject common name %q", cn, r.Subject.CommonName)
		}
		if stdErr == nil {
			if !bytes.Equal(std.RawTBSCertificateRequest, r.RawInfo) || !bytes.Equal(std.RawSubject, r.RawSubject) ||
				!bytes.Equal(std.Signature, r.Signature) {
				t.Fatal("signed bytes, subject or signature differ from crypto/x509's")
			}
			if k, ok := std.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(r.PublicKey) {
				t.Fatalf("public key %T differs from crypto/x509's %T", r.PublicKey, std.PublicKey)
			}
			if subjectAllText(std) && std.Subject.String() != r.Subject.String() {
				t.Fatalf("subject %q, crypto/x509 reads %q", r.Subject, std.Subject)
			}
			if d := diff(std.Extensions, r.Extensions); d != "" && (len(std.Extensions) > 0 || len(r.Extensions) > 0) {
				t.Fatalf("extensions differ from crypto/x509's:\n%s", d)
			}
			switch std.SignatureAlgorithm {
			case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512, x509.PureEd25519:
				if err := std.CheckSignature(); err != nil {
					t.Fatalf("accepted a signature crypto/x509 does not verify: %v", err)
				}
			}
		}
		again, err := mde2.ParseCertificateRequest(r.Raw)
		if err != nil {
			t.Fatalf("an accepted request read again: %v", err)
		}
		if d := diff(r, again); d != "" {
			t.Fatalf("read again differs:\n%s", d)
		}
		const tight = 1024
		_, err = mde2.ParseCertificateRequestLimits(data, mde2.Limits{MaxRSAKeyBits: tight})
		k, isRSA := r.PublicKey.(*rsa.PublicKey)
		switch big := isRSA && k.N.BitLen() > tight; {
		case big && err == nil:
			t.Fatalf("an RSA key of %d bits accepted under MaxRSAKeyBits %d", k.N.BitLen(), tight)
		case big:
			checkMDE2Sentinel(t, err, mde2.ErrCSR)
		case err != nil:
			t.Fatalf("refused under MaxRSAKeyBits %d, key within it: %v", tight, err)
		}
	})
}

// subjectAllText reports whether crypto/x509 read every value of the
// request's subject as a string. Where it did not (a value that is no
// string, or a string type it does not know, kept as nil), it still
// accepts the request; the tolerant reader refuses such a subject on
// purpose, or reads the UniversalString crypto/x509 leaves out, so the
// two are compared only on subjects of text.
func subjectAllText(std *x509.CertificateRequest) bool {
	for _, n := range std.Subject.Names {
		if _, ok := n.Value.(string); !ok {
			return false
		}
	}
	return true
}

// checkMDE2Sentinel fails unless err matches one of sentinels and says
// "mde2: " once, at its start.
func checkMDE2Sentinel(t *testing.T, err error, sentinels ...error) {
	t.Helper()
	matched := false
	for _, s := range sentinels {
		matched = matched || errors.Is(err, s)
	}
	if !matched {
		t.Fatalf("error matches none of %v: %v", sentinels, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "mde2: ") || strings.Count(msg, "mde2: ") != 1 {
		t.Fatalf("error text %q, want one \"mde2: \" prefix", msg)
	}
}

// FuzzEnrollRenewal feeds arbitrary bytes to the PKCS#7 renewal reader,
// seeded with tokens of both key types, every hash, with and without
// signed attributes, naming the signer either way, and near-valid
// variants (renewalSeeds). It checks: no panic; refusals match ErrPKCS7
// or ErrCSR, under the package's prefix once; an accepted token carries
// its signer's certificate and its request, which reads alone to the same
// value; it reads again to the same value; it is refused under a tighter
// MaxRSAKeyBits only for an RSA key above it.
func FuzzEnrollRenewal(f *testing.F) {
	for _, s := range []string{"", "\x30\x03\x06\x01\x00"} {
		f.Add([]byte(s))
	}
	valid, near := renewalSeeds(f)
	for _, b := range append(valid, near...) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := mde2.ParseRenewalRequest(data)
		if err != nil {
			checkMDE2Sentinel(t, err, mde2.ErrPKCS7, mde2.ErrCSR)
			return
		}
		if r.Signer == nil || r.CSR == nil {
			t.Fatal("accepted without signer or request")
		}
		if !bytes.Contains(data, r.Signer.Raw) || !bytes.Contains(data, r.CSR.Raw) {
			t.Fatal("the signer's certificate or the request is not in the token")
		}
		csr, err := mde2.ParseCertificateRequest(r.CSR.Raw)
		if err != nil {
			t.Fatalf("the inner request alone: %v", err)
		}
		if d := diff(r.CSR, csr); d != "" {
			t.Fatalf("the inner request alone differs:\n%s", d)
		}
		again, err := mde2.ParseRenewalRequest(data)
		if err != nil || !again.Signer.Equal(r.Signer) || diff(r.CSR, again.CSR) != "" {
			t.Fatalf("read again: %v", err)
		}
		const tight = 1024
		_, err = mde2.ParseRenewalRequestLimits(data, mde2.Limits{MaxRSAKeyBits: tight})
		big := false
		for _, pub := range []crypto.PublicKey{r.Signer.PublicKey, r.CSR.PublicKey} {
			if k, ok := pub.(*rsa.PublicKey); ok && k.N.BitLen() > tight {
				big = true
			}
		}
		switch {
		case big && err == nil:
			t.Fatalf("an RSA key above MaxRSAKeyBits %d accepted", tight)
		case big:
			checkMDE2Sentinel(t, err, mde2.ErrPKCS7, mde2.ErrCSR)
		case err != nil:
			t.Fatalf("refused under MaxRSAKeyBits %d, keys within it: %v", tight, err)
		}
	})
}

var fuzzServer = sync.OnceValues(func() (*mde2.Server, error) {
	ca, err := mde2.NewMemoryCA("fuzz root")
	if err != nil {
		return nil, err
	}
	return &mde2.Server{
		Issuer:        ca,
		PolicyURL:     "http://127.0.0.1/p",
		EnrollmentURL: "http://127.0.0.1/e",
		Password: func(_ context.Context, user, _ string) (*mde2.Identity, error) {
			return &mde2.Identity{Name: user}, nil
		},
		Token: func(_ context.Context, _ *mde2.FederatedToken) (*mde2.Identity, error) {
			return &mde2.Identity{Name: "token"}, nil
		},
		Account: mde2.Account{Address: "https://127.0.0.1/ManagementServer/MDM.svc"},
		// The seeds share one MessageID and the Server is shared: with the
		// replay check on, every input after the first would stop there.
		ReplayCacheSize: -1,
		// The seeds' Timestamps are those of the specifications' samples
		// (2009-2015): a skew of 20 years lets them reach the token and
		// the CSR; a mutated Timestamp still goes through the check.
		MaxClockSkew: 20 * 365 * 24 * time.Hour,
		// Every record, written and thrown away: the fuzzer's bodies go
		// through the logging of each answer, without filling stderr.
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, nil
})

// FuzzEnrollServer posts arbitrary bodies to the three services of an
// in-process server: no panic; the answer is 200 with a SOAP message, a
// 4xx, or 500 with a SOAP fault.
func FuzzEnrollServer(f *testing.F) {
	mde2SpecSeeds(f)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fuzz"}}, key)
	if err != nil {
		f.Fatal(err)
	}
	hdr := mde2.Header{MessageID: "urn:uuid:1", UsernameToken: &mde2.UsernameToken{Username: "u", Password: "p"}}
	issue := func(csr []byte) mde2.Message {
		return &mde2.RequestSecurityToken{Header: hdr, TokenType: mde2.TokenTypeDeviceEnrollment, RequestType: mde2.RequestTypeIssue,
			Token: *mde2.NewToken(mde2.ValueTypePKCS10, csr), Context: mde2.AdditionalContext{{Name: "DeviceID", Value: "d1"}}}
	}
	msgs := []mde2.Message{
		&mde2.Discover{Header: hdr, RequestVersion: "9.0", AuthPolicies: []mde2.AuthPolicy{mde2.OnPremise}},
		&mde2.GetPolicies{Header: hdr},
		issue(csr),
	}
	// a request of each other kind of key the policy reads: RSA of the
	// default minimum and below it, ECDSA on a larger and a smaller curve
	// than P-256, Ed25519
	k, err := mde2SeedKeys()
	if err != nil {
		f.Fatal(err)
	}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, key := range []crypto.Signer{k.rsa, rsa1024, k.p384, p224, k.ed} {
		b, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "fuzz"}}, key)
		if err != nil {
			f.Fatal(err)
		}
		msgs = append(msgs, issue(b))
	}
	for _, m := range msgs {
		b, err := mde2.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		srv, err := fuzzServer()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []http.Handler{srv.DiscoveryHandler(), srv.PolicyHandler(), srv.EnrollmentHandler()} {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch {
			case rec.Code == http.StatusOK:
				if _, err := mde2.ReadMessage(rec.Body.Bytes(), mde2.Limits{}); err != nil {
					t.Fatalf("200 with a body that does not decode: %v", err)
				}
			case rec.Code == http.StatusInternalServerError:
				var fault mde2.Fault
				if err := mde2.Unmarshal(rec.Body.Bytes(), &fault); err != nil {
					t.Fatalf("500 without a SOAP fault: %v\n%s", err, rec.Body.Bytes())
				}
				if fault.Code == mde2.FaultInternalServiceFault {
					t.Fatalf("internal fault on client input: %s", fault.Reason)
				}
			case rec.Code >= 400 && rec.Code < 500:
			default:
				t.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// errSeedSign is the failure of seedFailingSigner.
var errSeedSign = errors.New("the seed key fails to sign")

// seedFailingSigner is a key whose signing fails, as a smart card's or a
// TPM's may.
type seedFailingSigner struct{ crypto.Signer }

func (seedFailingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errSeedSign
}

// FuzzEnrollBuildRenewal builds a renewal token from an arbitrary inner
// request, a signer picked by kind (RSA, ECDSA, Ed25519, a key that
// fails to sign; bit 2: the certificate's serial number replaced by
// serial read as a big-endian number, none when empty; bit 3: no
// certificate) and reads it back. It checks: no panic; an error matches
// ErrPKCS7 under the package's prefix once, and only where the inputs
// call for one (the failing key's error wrapped); a token built from a
// request ParseCertificateRequest accepts, signed by the certificate's
// own key and naming it, reads back to that certificate and request; any
// other token is refused with ErrPKCS7 or ErrCSR, or read to the same
// signer and request.
func FuzzEnrollBuildRenewal(f *testing.F) {
	csrs, near := csrSeeds(f)
	for _, c := range [][]byte{csrs[0], csrs[3]} {
		for kind := range uint8(4) {
			f.Add(c, []byte(nil), kind)
		}
		f.Add(c, []byte{}, uint8(4))     // no serial number
		f.Add(c, []byte{7}, uint8(4))    // the serial number it has
		f.Add(c, []byte{0, 7}, uint8(4)) // the same, a zero before it
		f.Add(c, []byte{8}, uint8(4))    // another one
		f.Add(c, []byte(nil), uint8(8))  // no certificate
	}
	f.Add(near[0], []byte(nil), uint8(0))
	f.Add([]byte("not a request"), []byte(nil), uint8(1))
	k, err := mde2SeedKeys()
	if err != nil {
		f.Fatal(err)
	}
	rsaSigner := newSeedSigner(f, k.rsa, 7)
	ecSigner := newSeedSigner(f, k.p256, 7)
	f.Fuzz(func(t *testing.T, csrDER, serial []byte, kind uint8) {
		s := []seedSigner{rsaSigner, ecSigner, {rsaSigner.cert, k.ed}, {ecSigner.cert, seedFailingSigner{k.p256}}}[kind%4]
		cert := s.cert
		if kind&4 != 0 {
			c := *cert
			c.SerialNumber = nil
			if len(serial) > 0 {
				c.SerialNumber = new(big.Int).SetBytes(serial)
			}
			cert = &c
		}
		if kind&8 != 0 {
			cert = nil
		}
		b, err := mde2.BuildRenewalRequest(csrDER, cert, s.key, nil)
		fails := cert == nil || cert.SerialNumber == nil || kind%4 >= 2
		if err != nil {
			checkMDE2Sentinel(t, err, mde2.ErrPKCS7)
			if !fails {
				t.Fatalf("refused to build from a certificate and its key: %v", err)
			}
			if kind%4 == 3 && cert != nil && cert.SerialNumber != nil && !errors.Is(err, errSeedSign) {
				t.Fatalf("the key's failure is not wrapped: %v", err)
			}
			return
		}
		if fails {
			t.Fatalf("built a token of %d bytes where it cannot", len(b))
		}
		r, err := mde2.ParseRenewalRequest(b)
		_, csrErr := mde2.ParseCertificateRequest(csrDER)
		if csrErr == nil && cert.SerialNumber.Cmp(s.cert.SerialNumber) == 0 {
			if err != nil {
				t.Fatalf("a token built from a request and its signer's own certificate: %v", err)
			}
		}
		if err != nil {
			checkMDE2Sentinel(t, err, mde2.ErrPKCS7, mde2.ErrCSR)
			return
		}
		if !r.Signer.Equal(s.cert) || !bytes.Equal(r.CSR.Raw, csrDER) {
			t.Fatal("the token read back names another signer or request")
		}
	})
}
