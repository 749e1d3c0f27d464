package fuzz

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
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

// FuzzEnrollCSR feeds arbitrary bytes to the tolerant PKCS#10 reader: no
// panic, refusals match ErrCSR, and whatever crypto/x509 accepts with a
// valid signature is accepted too.
func FuzzEnrollCSR(f *testing.F) {
	for _, s := range []string{"", "0", "\x30\x00", "\x30\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := mde2.ParseCertificateRequest(data)
		if err != nil {
			if !errors.Is(err, mde2.ErrCSR) {
				t.Fatalf("error does not match ErrCSR: %v", err)
			}
			if std, stdErr := x509.ParseCertificateRequest(data); stdErr == nil && std.CheckSignature() == nil {
				switch std.SignatureAlgorithm {
				case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512:
					t.Fatalf("crypto/x509 accepts and verifies, we refuse: %v", err)
				}
			}
			return
		}
		if r.PublicKey == nil || len(r.RawInfo) == 0 {
			t.Fatal("accepted without a key or request info")
		}
	})
}

// FuzzEnrollRenewal feeds arbitrary bytes to the PKCS#7 renewal reader:
// no panic, refusals match ErrPKCS7 or ErrCSR.
func FuzzEnrollRenewal(f *testing.F) {
	for _, s := range []string{"", "\x30\x03\x06\x01\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := mde2.ParseRenewalRequest(data)
		if err != nil {
			if !errors.Is(err, mde2.ErrPKCS7) && !errors.Is(err, mde2.ErrCSR) {
				t.Fatalf("error matches neither ErrPKCS7 nor ErrCSR: %v", err)
			}
			return
		}
		if r.Signer == nil || r.CSR == nil {
			t.Fatal("accepted without signer or request")
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
	for _, m := range []mde2.Message{
		&mde2.Discover{Header: hdr, RequestVersion: "9.0", AuthPolicies: []mde2.AuthPolicy{mde2.OnPremise}},
		&mde2.GetPolicies{Header: hdr},
		&mde2.RequestSecurityToken{Header: hdr, TokenType: mde2.TokenTypeDeviceEnrollment, RequestType: mde2.RequestTypeIssue,
			Token: *mde2.NewToken(mde2.ValueTypePKCS10, csr), Context: mde2.AdditionalContext{{Name: "DeviceID", Value: "d1"}}},
	} {
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
