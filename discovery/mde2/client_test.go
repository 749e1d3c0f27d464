package mde2

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
)

// TestWindowsCSRThroughServer: an RST carrying a Windows-style request
// (PrintableString subject with '!' and NUL) is issued a certificate whose
// subject is the DeviceID.
func TestWindowsCSRThroughServer(t *testing.T) {
	f := newFixture(t, false)
	f.srv.ReplayCacheSize = -1 // one MessageID for both keys
	for _, key := range []crypto.Signer{testRSAKey, testECKey} {
		der := handCSR(t, key, windowsCN, asn1.TagPrintableString, false)
		body := rstEnvelope(t, *NewToken(ValueTypePKCS10, der), Header{MessageID: "urn:uuid:w", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}})
		body = strings.Replace(body, "</wst:RequestSecurityToken>", `<ac:AdditionalContext><ac:ContextItem Name="DeviceID"><ac:Value>WIN-DEVICE</ac:Value></ac:ContextItem></ac:AdditionalContext></wst:RequestSecurityToken>`, 1)
		res, err := http.Post(f.srv.EnrollmentURL, "application/soap+xml; charset=utf-8", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var rstr RequestSecurityTokenResponse
		if err := Unmarshal(data, &rstr); err != nil {
			t.Fatalf("%T: %v", key, err)
		}
		if rstr.Header.RelatesTo != "urn:uuid:w" {
			t.Errorf("RelatesTo %q", rstr.Header.RelatesTo)
		}
		r, err := readResult(&rstr, key, provisioning.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Certificate.Subject.CommonName != "WIN-DEVICE" {
			t.Errorf("subject %q", r.Certificate.Subject.CommonName)
		}
	}
}

// TestClientRefusesBadAnswers: answers that are not the expected message
// are errors, never a panic or a silent success.
func TestClientRefusesBadAnswers(t *testing.T) {
	answers := map[string]func(w http.ResponseWriter, r *http.Request){
		"not SOAP": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html/>")
		},
		"wrong message": func(w http.ResponseWriter, r *http.Request) {
			b, _ := Marshal(&GetPoliciesResponse{})
			w.Header().Set("Content-Type", contentTypeSOAP12)
			w.Write(b)
		},
		"RelatesTo mismatch": func(w http.ResponseWriter, r *http.Request) {
			b, _ := Marshal(&DiscoverResponse{Header: Header{RelatesTo: "urn:uuid:other"}, AuthPolicy: OnPremise, EnrollmentServiceURL: "http://127.0.0.1/e"})
			w.Header().Set("Content-Type", contentTypeSOAP12)
			w.Write(b)
		},
		"too large": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentTypeSOAP12)
			w.Write([]byte(strings.Repeat(" ", 2048)))
		},
		"500 without fault": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentTypeSOAP12)
			w.WriteHeader(500)
			io.WriteString(w, "<x/>")
		},
	}
	for name, h := range answers {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				return // the probe
			}
			h(w, r)
		}))
		c := &Client{HTTPClient: ts.Client(), Limits: Limits{MaxBytes: 1024}, URLs: loopbackHTTP}
		_, err := c.Discover(context.Background(), ts.URL, testDevice)
		ts.Close()
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		var f *Fault
		if errors.As(err, &f) {
			t.Errorf("%s: %v is a Fault", name, err)
		}
	}
	// A failing probe stops discovery.
	ts := httptest.NewServer(http.NotFoundHandler())
	defer ts.Close()
	if _, err := (&Client{URLs: loopbackHTTP}).Discover(context.Background(), ts.URL, testDevice); !errors.Is(err, ErrHTTPStatus) {
		t.Errorf("probe 404: %v", err)
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
	c := &Client{HTTPClient: f.client.HTTPClient, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true, AllowedHosts: []string{"mdm.example.com"}}}
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

// countingServer returns a loopback server that answers every request
// 418 and counts them, closed when the test ends: a Client that must
// refuse before sending leaves the count at 0.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	hits := new(atomic.Int32)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "unexpected", http.StatusTeapot)
	}))
	t.Cleanup(ts.Close)
	return ts, hits
}

// TestClientNeedsDeviceID: Enroll, EnrollLinked, EnrollWith and Renew
// refuse a nil *Device or an empty DeviceID before sending anything,
// naming what is missing; before, the request went out with a random
// common name and no DeviceID, and the DM account got an empty EntDMID.
func TestClientNeedsDeviceID(t *testing.T) {
	ts, hits := countingServer(t)
	ca, err := NewMemoryCA("prev")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP}
	cred := Credentials{Username: "u", Password: "secret"}
	resp := &DiscoverResponse{AuthPolicy: OnPremise, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: ts.URL, EnrollmentServiceURL: ts.URL}
	linked := &discovery.Response{AuthPolicy: discovery.AuthPolicyFederated, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: ts.URL, EnrollmentServiceURL: ts.URL, AuthenticationServiceURL: ts.URL}
	prev := &Result{Certificate: ca.Root(), Key: ca.Signer(), EnrollmentURL: ts.URL}
	for _, d := range []*Device{nil, {EmailAddress: "user@example.com"}} {
		for name, call := range map[string]func() error{
			"Enroll": func() error { _, err := c.Enroll(ctx, ts.URL, d, cred); return err },
			"EnrollLinked": func() error {
				_, err := c.EnrollLinked(ctx, linked, d, Credentials{Token: []byte("t")})
				return err
			},
			"EnrollWith": func() error { _, err := c.EnrollWith(ctx, resp, d, cred); return err },
			"Renew":      func() error { _, err := c.Renew(ctx, prev, d); return err },
		} {
			err := call()
			if err == nil || !strings.Contains(err.Error(), "DeviceID") {
				t.Errorf("%s with device %+v: %v, want an error naming the DeviceID", name, d, err)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// TestResultTLS: TLSCertificate and RootPool give what a TLS client needs
// from an enrollment: the issued certificate is presented and verified by
// a server that trusts the enrollment's roots, and the device trusts a
// server certificate under them.
func TestResultTLS(t *testing.T) {
	f := newFixture(t, false)
	r, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	cert := r.TLSCertificate()
	if cert.Leaf != r.Certificate || cert.PrivateKey != r.Key || len(cert.Certificate) != 1 || !bytes.Equal(cert.Certificate[0], r.Certificate.Raw) {
		t.Errorf("TLSCertificate %+v does not hold the Result's certificate and key", cert)
	}
	serverCert, err := f.ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var peer string
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		peer = req.TLS.PeerCertificates[0].Subject.CommonName
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: r.RootPool()}
	ts.StartTLS()
	defer ts.Close()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: r.RootPool()}}}
	res, err := hc.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if peer != testDevice.DeviceID {
		t.Errorf("server saw client %q, want %q", peer, testDevice.DeviceID)
	}
	// Without roots the pool is empty, not nil: nil would make crypto/tls
	// trust the system's roots instead.
	if p := (&Result{}).RootPool(); p == nil || !p.Equal(x509.NewCertPool()) {
		t.Errorf("RootPool of a Result without roots: %v, want an empty pool", p)
	}
	if c := (&Result{}).TLSCertificate(); c.Certificate != nil || c.PrivateKey != nil {
		t.Errorf("TLSCertificate of an empty Result: %+v", c)
	}
}

// loopbackHTTP admits the tests' plain http servers on the loopback
// host, which the zero URLPolicy refuses.
var loopbackHTTP = discovery.URLPolicy{AllowLoopbackHTTP: true}

// TestClientDefaultHTTPSOnly checks that a Client without URLs refuses a
// plain http service URL on a loopback host before sending anything, as
// discovery.Client does, and sends to it once AllowLoopbackHTTP is set.
func TestClientDefaultHTTPSOnly(t *testing.T) {
	ts, hits := countingServer(t)
	_, err := (&Client{HTTPClient: ts.Client()}).Discover(context.Background(), ts.URL+pathDiscovery, testDevice)
	if !errors.Is(err, discovery.ErrInsecureURL) {
		t.Errorf("zero URLs, http loopback: %v, want ErrInsecureURL", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("zero URLs: the http server got %d requests, want 0", n)
	}
	_, err = (&Client{HTTPClient: ts.Client(), URLs: loopbackHTTP}).Discover(context.Background(), ts.URL+pathDiscovery, testDevice)
	if errors.Is(err, discovery.ErrInsecureURL) || hits.Load() == 0 {
		t.Errorf("AllowLoopbackHTTP: %v after %d requests, want the request sent", err, hits.Load())
	}
}

// TestClientBoundsWhatItSends: a DeviceName, DeviceID (the fields or
// AdditionalContext items of those names) or request beyond the
// Client's Limits, whose defaults are the Server's, is refused before
// anything is sent (a request over MaxBytes before it is sent), with a
// *LimitError naming the limit and the field;
// raising the limit lets the value through to the Server. Before, the
// Client sent them and the Server answered MessageFormat.
func TestClientBoundsWhatItSends(t *testing.T) {
	ts, hits := countingServer(t)
	ca, err := NewMemoryCA("prev")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resp := &DiscoverResponse{AuthPolicy: OnPremise, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: ts.URL, EnrollmentServiceURL: ts.URL}
	linked := &discovery.Response{AuthPolicy: discovery.AuthPolicyFederated, EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: ts.URL, EnrollmentServiceURL: ts.URL, AuthenticationServiceURL: ts.URL}
	prev := &Result{Certificate: ca.Root(), Key: ca.Signer(), EnrollmentURL: ts.URL}
	cred := Credentials{Username: "u", Password: "secret"}
	const id = "7BA748C8-703E-4DF2-A74A-92984117346A"
	for _, tc := range []struct {
		name   string
		lim    Limits
		d      Device
		limit  string
		path   string
		sent   bool // the limit raised: the request goes out
		maxLen int64
	}{
		{"long DeviceName", Limits{}, Device{DeviceID: id, DeviceName: strings.Repeat("n", DefaultMaxDeviceName+1)}, "MaxDeviceName", "Device.DeviceName", false, DefaultMaxDeviceName},
		{"DeviceName at the limit", Limits{}, Device{DeviceID: id, DeviceName: strings.Repeat("n", DefaultMaxDeviceName)}, "", "", true, 0},
		{"long DeviceID", Limits{}, Device{DeviceID: strings.Repeat("i", DefaultMaxDeviceID+1)}, "MaxDeviceID", "Device.DeviceID", false, DefaultMaxDeviceID},
		{"long DeviceName item", Limits{}, Device{DeviceID: id, Context: AdditionalContext{{Name: "Other", Value: "x"}, {Name: "DeviceName", Value: strings.Repeat("n", 300)}}}, "MaxDeviceName", "Device.Context[1] (DeviceName)", false, DefaultMaxDeviceName},
		{"long DeviceID item", Limits{}, Device{DeviceID: id, Context: AdditionalContext{{Name: "DeviceID", Value: strings.Repeat("i", 200)}}}, "MaxDeviceID", "Device.Context[0] (DeviceID)", false, DefaultMaxDeviceID},
		{"long other item", Limits{}, Device{DeviceID: id, Context: AdditionalContext{{Name: "Other", Value: strings.Repeat("o", 300)}}}, "", "", true, 0},
		{"smaller MaxDeviceName", Limits{MaxDeviceName: 8}, Device{DeviceID: id, DeviceName: "DESKTOP-12"}, "MaxDeviceName", "Device.DeviceName", false, 8},
		{"larger MaxDeviceName", Limits{MaxDeviceName: 400}, Device{DeviceID: id, DeviceName: strings.Repeat("n", 300)}, "", "", true, 0},
		{"request over MaxBytes", Limits{MaxBytes: 4096}, Device{DeviceID: id, Context: AdditionalContext{{Name: "Other", Value: strings.Repeat("o", 5000)}}}, "MaxBytes", "", false, 4096},
	} {
		c := &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP, Limits: tc.lim}
		for name, call := range map[string]func() error{
			"Enroll":     func() error { _, err := c.Enroll(ctx, ts.URL, &tc.d, cred); return err },
			"EnrollWith": func() error { _, err := c.EnrollWith(ctx, resp, &tc.d, cred); return err },
			"EnrollLinked": func() error {
				_, err := c.EnrollLinked(ctx, linked, &tc.d, Credentials{Token: []byte("t")})
				return err
			},
			"Renew": func() error { _, err := c.Renew(ctx, prev, &tc.d); return err },
		} {
			if tc.limit == "MaxBytes" && name != "Renew" {
				// GetPolicies (which carries no Context) goes out
				// first: only Renew's first request is the long one.
				continue
			}
			hits.Store(0)
			err := call()
			if tc.sent {
				if hits.Load() == 0 {
					t.Errorf("%s, %s: nothing sent: %v", tc.name, name, err)
				}
				continue
			}
			le, ok := errors.AsType[*LimitError](err)
			if !ok || !errors.Is(err, ErrLimit) || le.Limit != tc.limit || le.Max != tc.maxLen || (tc.path != "" && le.Path != tc.path) {
				t.Errorf("%s, %s: %v (%#v), want a *LimitError %s (%d) at %q", tc.name, name, err, le, tc.limit, tc.maxLen, tc.path)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("%s, %s: %d requests sent", tc.name, name, n)
			}
		}
	}
}
