package mde2

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/discovery"
)

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMixedContentLinear: an element whose text is cut by many child
// elements (<a>long text<b/>x<b/>x…</a>, well within the Limits) costs
// memory in proportion to the message, not to the text's length times
// the number of pieces. Each piece used to copy all the text before it:
// 10000 pieces after 100 KB allocated 1 GB (and a 1 MB message took 7 s
// of CPU and 19 GB); now a few times the message.
func TestMixedContentLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">`)
	b.WriteString(strings.Repeat("x", 100<<10))
	b.WriteString(strings.Repeat("<b/>y", 10000))
	b.WriteString(`<s:Body/></s:Envelope>`)
	data := []byte(b.String())
	var text string
	n := allocated(func() {
		tr, err := parseTree(data, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		text = tr.root.text
		tr.release()
	})
	if want := strings.Repeat("x", 100<<10) + strings.Repeat("y", 10000); text != want {
		t.Errorf("root text: %d bytes, want the %d of its pieces joined", len(text), len(want))
	}
	if limit := uint64(16 * len(data)); n > limit {
		t.Errorf("parsing %d bytes allocated %d bytes, want at most %d", len(data), n, limit)
	}
}

// TestServerCSRCommonName: without an AdditionalContext DeviceID, the
// request's common name becomes the certificate's subject and the
// provisioning document's APPSRV name. One that XML cannot carry (a
// control character) is refused with a CertificateRequest fault before
// anything is issued; it used to be issued, then answered with an
// InternalServiceFault when the document could not be written. One
// longer than Limits.MaxDeviceID, the bound of the DeviceID it stands
// for, is refused the same way; it used to be issued as it was (200 KB).
func TestServerCSRCommonName(t *testing.T) {
	f := newFixture(t, false)
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	enroll := f.ts.URL + pathEnroll
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	f.srv.ReplayCacheSize = -1 // the table resends one MessageID
	for _, tc := range []struct {
		name, cn string
		issued   bool
	}{
		{"control character", "dev\x01ice", false},
		{"inner NUL", "dev\x00ice", false},
		{"too long", strings.Repeat("C", DefaultMaxDeviceID+1), false},
		{"longest", strings.Repeat("C", DefaultMaxDeviceID), true},
		{"trailing NULs", "device\x00\x00", true},
	} {
		issuer.n = 0
		csr := handCSR(t, testECKey, tc.cn, 12, false) // UTF8String
		status, fault := post(t, enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), pw))
		if tc.issued {
			if status != 200 || issuer.n != 1 {
				t.Errorf("%s: status %d, %d certificates issued, want 200 and 1", tc.name, status, issuer.n)
			}
			continue
		}
		if fault == nil || fault.Code != FaultCertificateRequest || issuer.n != 0 {
			t.Errorf("%s: status %d, fault %+v, %d certificates issued; want a CertificateRequest fault and none", tc.name, status, fault, issuer.n)
		}
	}
}

// TestServerSubjectHookCommonName: the common name a Subject hook
// chooses is checked as the default's is: one that XML cannot carry is
// refused with a CertificateRequest fault before anything is issued. The
// check sat in the default path only, so such a name was issued, then
// answered with an InternalServiceFault when the provisioning document
// (whose APPSRV name is the common name) could not be written.
func TestServerSubjectHookCommonName(t *testing.T) {
	f := newFixture(t, false)
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	enroll := f.ts.URL + pathEnroll
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	f.srv.ReplayCacheSize = -1 // the table resends one MessageID
	csr := handCSR(t, testECKey, "device", 12, false)
	for _, tc := range []struct {
		name, cn string
		issued   bool
	}{
		{"control character", "dev\x01ice", false},
		{"NUL", "device\x00", false},
		{"invalid UTF-8", "dev\xffice", false},
		{"U+FFFE", "dev\uFFFEice", false},
		{"plain", "chosen-by-hook", true},
	} {
		issuer.n = 0
		f.srv.Subject = func(*EnrollmentRequest) pkix.Name { return pkix.Name{CommonName: tc.cn} }
		status, fault := post(t, enroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), pw))
		if tc.issued {
			if status != 200 || issuer.n != 1 {
				t.Errorf("%s: status %d, fault %+v, %d certificates issued, want 200 and 1", tc.name, status, fault, issuer.n)
			}
			continue
		}
		if fault == nil || fault.Code != FaultCertificateRequest || issuer.n != 0 {
			t.Errorf("%s: status %d, fault %+v, %d certificates issued; want a CertificateRequest fault and none", tc.name, status, fault, issuer.n)
		}
	}
}

// rewritingIssuer issues under its Issuer with the subject that rewrite
// makes of the one the server chose.
type rewritingIssuer struct {
	Issuer
	rewrite func(pkix.Name) pkix.Name
}

func (r *rewritingIssuer) Issue(ctx context.Context, req *IssueRequest) (*x509.Certificate, error) {
	c := *req
	c.Subject = r.rewrite(req.Subject)
	return r.Issuer.Issue(ctx, &c)
}

// TestServerIssuerSubjectChecked: the certificate an Issuer returns is
// checked against the subject the server chose, whoever issued it: a
// common name changed (another device's, one XML cannot carry, none) is
// refused with a CertificateRequest fault, as the server's own check of
// the subject refuses, and logged naming Server.Issuer; for an enrollment
// and for a renewal. An Issuer may add to the subject (an organization)
// if it keeps the common name. Before, the certificate was taken as it
// was: a device was handed a certificate naming another device (whose
// identity it then had at renewal and under the Certificate policy).
func TestServerIssuerSubjectChecked(t *testing.T) {
	ctx := context.Background()
	cred := Credentials{Username: "u", Password: "secret"}
	keep := func(n pkix.Name) pkix.Name { return n }
	for _, tc := range []struct {
		name    string
		rewrite func(pkix.Name) pkix.Name
		issued  bool
	}{
		{"another device's", func(pkix.Name) pkix.Name { return pkix.Name{CommonName: "another-device"} }, false},
		{"control character", func(n pkix.Name) pkix.Name { return pkix.Name{CommonName: n.CommonName + "\x01"} }, false},
		{"none", func(n pkix.Name) pkix.Name { return pkix.Name{Organization: []string{"Contoso"}} }, false},
		{"two common names, the last one asked", func(n pkix.Name) pkix.Name {
			return pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidCommonName, Value: "another-device"}, {Type: oidCommonName, Value: n.CommonName}}}
		}, false},
		{"organization added", func(n pkix.Name) pkix.Name { n.Organization = []string{"Contoso"}; return n }, true},
		{"kept", keep, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			logs := f.captureLog()
			issuer := &rewritingIssuer{Issuer: f.ca, rewrite: tc.rewrite}
			f.srv.Issuer = issuer
			check := func(what string, r *Result, err error) {
				t.Helper()
				if tc.issued {
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if cn := r.Certificate.Subject.CommonName; cn != testDevice.DeviceID {
						t.Errorf("%s: common name %q, want the DeviceID", what, cn)
					}
					return
				}
				wantFault(t, err, FaultCertificateRequest, "")
				if !strings.Contains(logs.String(), "Server.Issuer") {
					t.Errorf("%s: log %q, want it to name Server.Issuer", what, logs.String())
				}
			}
			r, err := f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred)
			check("enrollment", r, err)
			// a renewal of a certificate issued as asked
			issuer.rewrite = keep
			if r, err = f.client.Enroll(ctx, f.ts.URL+pathDiscovery, testDevice, cred); err != nil {
				t.Fatal(err)
			}
			issuer.rewrite = tc.rewrite
			n, err := f.client.Renew(ctx, r, testDevice)
			check("renewal", n, err)
		})
	}
}

// TestClientRedirectPolicy: the Client's URLs policy applies to
// redirects too. A policy service that answers 308 (which keeps POST and
// its body) towards a plain http URL would have had the client post the
// password there: the request is refused instead, with the policy's
// error, and the http server gets nothing. Before, the password arrived.
func TestClientRedirectPolicy(t *testing.T) {
	f := newFixture(t, true)
	var got []string
	var mu sync.Mutex
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer thief.Close()
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+"/steal", http.StatusPermanentRedirect)
	}))
	defer redirector.Close()
	f.srv.PolicyURL = redirector.URL + "/policy"
	f.client.URLs = discovery.URLPolicy{} // https only
	_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if !errors.Is(err, discovery.ErrInsecureURL) {
		t.Errorf("redirect to http: %v, want ErrInsecureURL", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, b := range got {
		t.Errorf("the http server received a request (password inside: %v)", strings.Contains(b, "secret"))
	}
}

// TestSharedIdentity: a Certificate check may return the same *Identity
// for many certificates (a fleet, a tenant). The server fills in Policy
// and Certificate on a copy: it used to write them into the check's
// value, so the first device's certificate stayed there and the second
// device, authenticated by its own certificate, was issued a certificate
// with the first one's subject (and the writes raced between requests).
func TestSharedIdentity(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	disc := f.ts.URL + pathDiscovery
	var certs []*tls.Certificate
	var subjects []string
	for _, id := range []string{"DEVICE-ONE", "DEVICE-TWO"} {
		d := *testDevice
		d.DeviceID = id
		r, err := f.client.Enroll(ctx, disc, &d, Credentials{Username: "u", Password: "secret"})
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, &tls.Certificate{Certificate: [][]byte{r.Certificate.Raw}, PrivateKey: r.Key})
		subjects = append(subjects, r.Certificate.Subject.CommonName)
	}
	fleet := &Identity{Name: "fleet"}
	f.srv.AuthPolicy = Certificate
	f.srv.Certificate = func(context.Context, []*x509.Certificate) (*Identity, error) { return fleet, nil }
	for i, c := range certs {
		r, err := f.client.Enroll(ctx, disc, testDevice, Credentials{Certificate: c})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Certificate.Subject.CommonName; got != subjects[i] {
			t.Errorf("device %d, authenticated as %q, was issued a certificate for %q", i+1, subjects[i], got)
		}
	}
	if fleet.Certificate != nil || fleet.Policy != "" {
		t.Errorf("the check's Identity was changed: Policy %q, Certificate %v", fleet.Policy, fleet.Certificate != nil)
	}
}

// TestDeclaredLengthNotReserved: a request's Content-Length is a claim,
// not data. A server that reserved it before reading let a client that
// sends headers announcing 1 MB and then a few bytes (or nothing, slowly)
// hold a megabyte per connection for a hundred bytes of its own; the
// buffer now grows with what arrives. Before, 1 MB was allocated here.
func TestDeclaredLengthNotReserved(t *testing.T) {
	f := newFixture(t, false)
	h := f.srv.DiscoveryHandler()
	serve := func() {
		r := httptest.NewRequest(http.MethodPost, pathDiscovery, strings.NewReader("<x/>"))
		r.Header.Set("Content-Type", "application/soap+xml")
		r.ContentLength = DefaultMaxBytes // as announced; 4 bytes come
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusInternalServerError {
			t.Errorf("status %d, want 500 (a MessageFormat fault)", w.Code)
		}
	}
	serve() // warm the pools
	if n := allocated(serve); n > DefaultMaxBytes/4 {
		t.Errorf("a request announcing %d bytes and sending 4 allocated %d bytes", DefaultMaxBytes, n)
	}
}

// TestCertificateTransportClosed: a call that presents a client
// certificate goes through a transport made for it, used once; its
// connection is closed once the answer is read instead of being left idle
// in a transport no one will use again (two per enrollment, one per
// renewal: with a transport without IdleConnTimeout they, and their
// goroutines, stayed forever). Before, 2 of the 4 connections dialed
// stayed open.
func TestCertificateTransportClosed(t *testing.T) {
	f, parent := certificatePrimary(t)
	var mu sync.Mutex
	dialed, closed := 0, 0
	done := make(chan struct{}, 16)
	tr := f.ts.Client().Transport.(*http.Transport).Clone()
	tr.IdleConnTimeout = 0 // as a caller's transport may be
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		dialed++
		mu.Unlock()
		return &closeConn{Conn: c, closed: func() {
			mu.Lock()
			closed++
			mu.Unlock()
			done <- struct{}{}
		}}, nil
	}
	f.client.HTTPClient = &http.Client{Transport: tr}
	cred := Credentials{Certificate: &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}}
	if _, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, cred); err != nil {
		t.Fatal(err)
	}
	tr.CloseIdleConnections() // the caller's own transport: the probe and Discover
	// every connection dialed gets closed; one left open hangs the test
	// until go test's -timeout fails it (no wall-clock bound of its own)
	for {
		mu.Lock()
		d, c := dialed, closed
		mu.Unlock()
		if c >= d {
			return
		}
		<-done
	}
}

// closeConn calls closed once when it is closed.
type closeConn struct {
	net.Conn
	once   sync.Once
	closed func()
}

func (c *closeConn) Close() error {
	c.once.Do(c.closed)
	return c.Conn.Close()
}

// TestRefusalQuotesLittle: a refusal quotes at most a short prefix of
// the value it refuses. Quoting it whole (with %q, which writes a DEL or
// a byte that is not UTF-8 as four bytes) answered a Discover of 1 MB
// with a fault of 4 MB (and 58 MB allocated), before any authentication.
func TestRefusalQuotesLittle(t *testing.T) {
	f := newFixture(t, false)
	long := strings.Repeat("\x7f", 100000)
	discover := func(request string) string {
		return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><Discover xmlns="http://schemas.microsoft.com/windows/management/2012/01/enrollment"><request>` + request + `</request></Discover></s:Body></s:Envelope>`
	}
	for _, tc := range []struct{ name, ctype, body string }{
		{"RequestVersion", "application/soap+xml", discover(`<RequestVersion>` + long + `</RequestVersion>`)},
		{"namespace", "application/soap+xml", discover(`<EmailAddress xmlns="` + long + `">a</EmailAddress>`)},
		{"content type", "text/" + strings.Repeat("\x80", 100000), discover("")},
		// decode errors name the elements open, and the namespace of a
		// wrong root: the fault's reason is cut, not the whole message
		{"element name", "application/soap+xml", discover(`<` + strings.Repeat("D", 100000) + `></x>`)},
		{"root namespace", "application/soap+xml", `<s:Envelope xmlns:s="` + long + `"/>`},
	} {
		r := httptest.NewRequest(http.MethodPost, pathDiscovery, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", tc.ctype)
		w := httptest.NewRecorder()
		f.srv.DiscoveryHandler().ServeHTTP(w, r)
		if w.Code/100 != 4 && w.Code != 500 || w.Body.Len() > 4096 {
			t.Errorf("%s: status %d with %d bytes, want a refusal of at most 4096", tc.name, w.Code, w.Body.Len())
		}
	}
}

// TestMaxBytesUnbounded: Limits.MaxBytes may be math.MaxInt64 (no bound
// of the package's own). The one byte past the limit that tells a body at
// the limit from a longer one overflowed there: the server read nothing
// and refused every request as empty (and the client every answer).
func TestMaxBytesUnbounded(t *testing.T) {
	f := newFixture(t, false)
	f.srv.Limits.MaxBytes = math.MaxInt64
	f.client.Limits.MaxBytes = math.MaxInt64
	if _, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
}

// TestClientRedirectKeepsPost: a policy service that answers its POST
// with a 302 or 303 (which net/http follows with a GET, without the
// body) fails the enrollment with an error matching ErrHTTPStatus, and
// the GET is never sent; a 307 (the POST again, its body kept) to a URL
// the policy admits is followed.
func TestClientRedirectKeepsPost(t *testing.T) {
	for _, code := range []int{http.StatusFound, http.StatusSeeOther, http.StatusMovedPermanently} {
		f := newFixture(t, true)
		var gets int
		var mu sync.Mutex
		target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			gets++
			mu.Unlock()
			http.Error(w, "moved here", http.StatusOK)
		}))
		redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/policy", code)
		}))
		f.srv.PolicyURL = redirector.URL + "/policy"
		_, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
		if !errors.Is(err, ErrHTTPStatus) || !strings.Contains(err.Error(), "307 or 308") {
			t.Errorf("%d: %v, want an error matching ErrHTTPStatus that says a 307 or 308 is needed", code, err)
		}
		mu.Lock()
		if gets != 0 {
			t.Errorf("%d: the redirect's target got %d requests, want none", code, gets)
		}
		mu.Unlock()
		target.Close()
		redirector.Close()
	}
	f := newFixture(t, true)
	redirector := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, f.ts.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	f.srv.PolicyURL = redirector.URL + pathPolicy
	if _, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"}); err != nil {
		t.Errorf("307 to the policy service: %v", err)
	}
}
