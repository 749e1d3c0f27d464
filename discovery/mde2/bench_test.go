package mde2

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// timedIssuer measures the time spent signing certificates.
type timedIssuer struct {
	Issuer
	spent atomic.Int64
}

func (t *timedIssuer) Issue(ctx context.Context, r *IssueRequest) (*x509.Certificate, error) {
	start := time.Now()
	c, err := t.Issuer.Issue(ctx, r)
	t.spent.Add(int64(time.Since(start)))
	return c, err
}

// BenchmarkEnroll measures server-side enrollments per second (the
// enrollment handler from request bytes to response bytes, in process)
// with prepared CSRs, and reports the share spent signing the certificate
// (sign-%); the rest is the protocol's own cost (XML, CSR parsing and
// verification, the provisioning document).
func BenchmarkEnroll(b *testing.B) {
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{{"ECDSA-P256", testECKey}, {"RSA-2048", testRSAKey}} {
		b.Run(tc.name, func(b *testing.B) {
			ca, err := NewMemoryCA("bench root")
			if err != nil {
				b.Fatal(err)
			}
			ti := &timedIssuer{Issuer: ca}
			srv := &Server{
				Issuer:   ti,
				Password: func(context.Context, string, string) (*Identity, error) { return &Identity{Name: "u"}, nil },
				Account:  Account{Address: "https://127.0.0.1/ManagementServer/MDM.svc"},
			}
			h := srv.EnrollmentHandler()
			csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bench"}}, tc.key)
			if err != nil {
				b.Fatal(err)
			}
			body, err := Marshal(&RequestSecurityToken{
				Header:      Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "p"}},
				TokenType:   TokenTypeDeviceEnrollment,
				RequestType: RequestTypeIssue,
				Token:       *NewToken(ValueTypePKCS10, csr),
				Context:     AdditionalContext{{Name: "DeviceID", Value: "7BA748C8-703E-4DF2-A74A-92984117346A"}, {Name: "DeviceType", Value: "CIMClient_Windows"}},
			})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set("Content-Type", contentTypeSOAP12)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			total := b.Elapsed()
			b.ReportMetric(float64(b.N)/total.Seconds(), "enroll/s")
			b.ReportMetric(100*float64(ti.spent.Load())/float64(total), "sign-%")
		})
	}
}

// plainRST is encoding/xml's view of a RequestSecurityToken, the in-run
// baseline for decoding.
type plainRST struct {
	Header struct {
		Action    string `xml:"Action"`
		MessageID string `xml:"MessageID"`
		Security  struct {
			Username string `xml:"UsernameToken>Username"`
			Password string `xml:"UsernameToken>Password"`
		} `xml:"Security"`
	} `xml:"Header"`
	Body struct {
		RST struct {
			TokenType   string `xml:"TokenType"`
			RequestType string `xml:"RequestType"`
			Token       struct {
				ValueType string `xml:"ValueType,attr"`
				Value     string `xml:",chardata"`
			} `xml:"BinarySecurityToken"`
			Items []struct {
				Name  string `xml:"Name,attr"`
				Value string `xml:"Value"`
			} `xml:"AdditionalContext>ContextItem"`
		} `xml:"RequestSecurityToken"`
	} `xml:"Body"`
}

// BenchmarkUnmarshalRST decodes a RequestSecurityToken, with encoding/xml
// Unmarshal into plain structs as the baseline.
func BenchmarkUnmarshalRST(b *testing.B) {
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bench"}}, testRSAKey)
	body, err := Marshal(&RequestSecurityToken{
		Header:      Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "p"}},
		TokenType:   TokenTypeDeviceEnrollment,
		RequestType: RequestTypeIssue,
		Token:       *NewToken(ValueTypePKCS10, csr),
		Context:     AdditionalContext{{Name: "DeviceID", Value: "d"}, {Name: "DeviceType", Value: "CIMClient_Windows"}, {Name: "OSVersion", Value: "10.0.26100.1"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("mde2", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var m RequestSecurityToken
			if err := Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var m plainRST
			if err := xml.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
