package mde2

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"io"
	"net/http"
	"runtime"
	"slices"
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
	start := threadCPU()
	c, err := t.Issuer.Issue(ctx, r)
	t.spent.Add(int64(threadCPU() - start))
	return c, err
}

// BenchmarkEnroll measures server-side enrollments per second (the
// enrollment handler from request bytes to response bytes, in process)
// with prepared CSRs, the thread CPU time per enrollment, and the shares
// of that CPU time spent signing the certificate
// (sign-%: the CA's x509.CreateCertificate, which also checks its own
// signature), reading and verifying the request (csr-%, timed inside the
// handler) and the rest, the
// protocol's own cost (protocol-%: SOAP, authentication, the provisioning
// document, HTTP plumbing).
//
// The timing itself costs: each reading of the thread's CPU time is a
// system call (0.3 to 2 µs, depending on the machine's load), four per
// enrollment, whose time falls half inside and half outside the window
// it opens or closes. Their cost, measured before the loop, is reported
// as timer-% and taken out of the share it fell in (one call's worth
// from sign-% and from csr-%, two from protocol-%).
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
				Policy:   withECDSA(),
				Password: func(context.Context, string, string) (*Identity, error) { return &Identity{Name: "u"}, nil },
				Account:  Account{Address: "https://127.0.0.1/ManagementServer/MDM.svc"},
				// Each iteration resends one message.
				ReplayCacheSize: -1,
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
			var verifyCPU time.Duration
			parseCSR = func(der []byte, lim Limits) (*CertificateRequest, error) {
				start := threadCPU()
				r, err := ParseCertificateRequestLimits(der, lim)
				verifyCPU += threadCPU() - start
				return r, err
			}
			defer func() { parseCSR = ParseCertificateRequestLimits }()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			timer := timerCost()
			cpu0 := threadCPU()
			// The request is made once and its body reset, and the answer
			// is discarded as a connection's buffer would take it: what
			// the loop times is the handler, not a test harness parsing
			// and recording HTTP.
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Content-Type", contentTypeSOAP12)
			req.ContentLength = int64(len(body))
			rd := bytes.NewReader(body)
			req.Body = io.NopCloser(rd)
			out := &discardWriter{h: http.Header{}}
			for b.Loop() {
				rd.Reset(body)
				out.code, out.n = 0, 0
				h.ServeHTTP(out, req)
				if out.code != http.StatusOK || out.n == 0 {
					b.Fatalf("status %d, %d bytes", out.code, out.n)
				}
			}
			cpu := threadCPU() - cpu0
			n := b.N
			// one timer call's worth in each window, two outside
			perWindow := timer * time.Duration(n)
			sign, verify := time.Duration(ti.spent.Load())-perWindow, verifyCPU-perWindow
			protocol := cpu - sign - verify - 4*perWindow
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "enroll/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/enroll")
			b.ReportMetric(100*float64(sign)/float64(cpu), "sign-%")
			b.ReportMetric(100*float64(verify)/float64(cpu), "csr-%")
			b.ReportMetric(100*float64(4*perWindow)/float64(cpu), "timer-%")
			b.ReportMetric(100*float64(protocol)/float64(cpu), "protocol-%")
		})
	}
}

// fixedIssuer hands back one prepared certificate: no signing.
type fixedIssuer struct {
	Issuer
	cert *x509.Certificate
}

func (f *fixedIssuer) Issue(context.Context, *IssueRequest) (*x509.Certificate, error) {
	return f.cert, nil
}

// BenchmarkEnrollProtocol is BenchmarkEnroll without the cryptography:
// the CA hands back a prepared certificate and the request's CSR is read
// once before the loop, so what it measures is the protocol's own cost
// alone (SOAP, authentication, the provisioning document), steadier than
// the difference BenchmarkEnroll reports.
func BenchmarkEnrollProtocol(b *testing.B) {
	ca, err := NewMemoryCA("bench root")
	if err != nil {
		b.Fatal(err)
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bench"}}, testRSAKey)
	if err != nil {
		b.Fatal(err)
	}
	csr, err := ParseCertificateRequest(csrDER)
	if err != nil {
		b.Fatal(err)
	}
	cert, err := ca.Issue(context.Background(), &IssueRequest{CSR: csr, Subject: pkix.Name{CommonName: "7BA748C8-703E-4DF2-A74A-92984117346A"}})
	if err != nil {
		b.Fatal(err)
	}
	parseCSR = func([]byte, Limits) (*CertificateRequest, error) { return csr, nil }
	defer func() { parseCSR = ParseCertificateRequestLimits }()
	srv := &Server{
		Issuer:   &fixedIssuer{Issuer: ca, cert: cert},
		Password: func(context.Context, string, string) (*Identity, error) { return &Identity{Name: "u"}, nil },
		Account:  Account{Address: "https://127.0.0.1/ManagementServer/MDM.svc"},
		// Each iteration resends one message.
		ReplayCacheSize: -1,
	}
	h := srv.EnrollmentHandler()
	body, err := Marshal(&RequestSecurityToken{
		Header:      Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "p"}},
		TokenType:   TokenTypeDeviceEnrollment,
		RequestType: RequestTypeIssue,
		Token:       *NewToken(ValueTypePKCS10, csrDER),
		Context:     AdditionalContext{{Name: "DeviceID", Value: "7BA748C8-703E-4DF2-A74A-92984117346A"}, {Name: "DeviceType", Value: "CIMClient_Windows"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeSOAP12)
	req.ContentLength = int64(len(body))
	rd := bytes.NewReader(body)
	req.Body = io.NopCloser(rd)
	out := &discardWriter{h: http.Header{}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	for b.Loop() {
		rd.Reset(body)
		out.code, out.n = 0, 0
		h.ServeHTTP(out, req)
		if out.code != http.StatusOK || out.n == 0 {
			b.Fatalf("status %d, %d bytes", out.code, out.n)
		}
	}
	b.ReportMetric(float64((threadCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/enroll")
}

// timerCost returns the thread CPU time one threadCPU call costs, the
// median of 15 runs of 200 calls.
func timerCost() time.Duration {
	var runs [15]time.Duration
	for i := range runs {
		start := threadCPU()
		for range 200 {
			threadCPU()
		}
		runs[i] = (threadCPU() - start) / 201
	}
	slices.Sort(runs[:])
	return runs[len(runs)/2]
}

// discardWriter is an http.ResponseWriter that counts the answer's bytes.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
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

// plainRSTR is encoding/xml's view of a RequestSecurityTokenResponse, the
// in-run baseline for writing.
type plainRSTR struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Action    string `xml:"http://www.w3.org/2005/08/addressing Action"`
		RelatesTo string `xml:"http://www.w3.org/2005/08/addressing RelatesTo"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		Coll struct {
			Resp struct {
				TokenType string `xml:"TokenType"`
				Token     struct {
					ValueType    string `xml:"ValueType,attr"`
					EncodingType string `xml:"EncodingType,attr"`
					Value        string `xml:",chardata"`
				} `xml:"RequestedSecurityToken>BinarySecurityToken"`
				RequestID string `xml:"RequestID"`
			} `xml:"RequestSecurityTokenResponse"`
		} `xml:"http://docs.oasis-open.org/ws-sx/ws-trust/200512 RequestSecurityTokenResponseCollection"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// BenchmarkMarshalRSTR writes a response carrying a 4 KiB provisioning
// document, with encoding/xml Marshal of plain structs as the baseline.
func BenchmarkMarshalRSTR(b *testing.B) {
	doc := bytes.Repeat([]byte("<parm name=\"x\" value=\"y\"/>"), 160)
	m := &RequestSecurityTokenResponse{Header: Header{RelatesTo: "urn:uuid:1"}, TokenType: TokenTypeDeviceEnrollment,
		Token: *NewToken(ValueTypeProvisionDoc, doc), RequestID: "0"}
	out, err := Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("mde2", func(b *testing.B) {
		b.SetBytes(int64(len(out)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	var p plainRSTR
	p.Header.Action, p.Header.RelatesTo = ActionRequestSecurityTokenResponse, "urn:uuid:1"
	p.Body.Coll.Resp.TokenType = TokenTypeDeviceEnrollment
	p.Body.Coll.Resp.Token.ValueType, p.Body.Coll.Resp.Token.EncodingType, p.Body.Coll.Resp.Token.Value = m.Token.ValueType, m.Token.EncodingType, m.Token.Value
	p.Body.Coll.Resp.RequestID = "0"
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(out)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := xml.Marshal(&p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
