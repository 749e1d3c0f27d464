package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/syncml/session"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

// enrollServer serves dmserver's routes on loopback, over TLS with a
// certificate of the enrollment CA when useTLS is set.
func enrollServer(t *testing.T, useTLS bool, users map[string]string, logs ...io.Writer) (base string, ca *mde2.CA, hc *http.Client) {
	t.Helper()
	ca, err := mde2.NewMemoryCA("test enrollment root")
	if err != nil {
		t.Fatal(err)
	}
	var w io.Writer = io.Discard
	if len(logs) > 0 {
		w = logs[0]
	}
	log := slog.New(slog.NewTextHandler(w, nil))
	mux := newMux(log, nil)
	ts := httptest.NewUnstartedServer(mux)
	if useTLS {
		cert, err := ca.IssueTLSServer("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca.Root())
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	registerEnrollment(mux, ts.URL, ca, users, log, nil, nil)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root())
	hc = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	return ts.URL, ca, hc
}

var device = &mde2.Device{EmailAddress: "ana@example.com", DeviceID: "DEV-1", DeviceName: "ANA-PC"}

// TestPrimaryEnrollment: GET probe and Discover at Discovery.svc, OnPremise
// (any user, or the -users ones), w7 ADDR at MDM.svc.
func TestPrimaryEnrollment(t *testing.T) {
	ctx := context.Background()
	base, ca, hc := enrollServer(t, false, nil)
	c := &mde2.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	r, err := c.Enroll(ctx, base+PathDiscovery, device, mde2.Credentials{Username: "anyone", Password: "anything"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Address != base+Path || r.AuthPolicy != mde2.OnPremise || !r.Roots[0].Equal(ca.Root()) {
		t.Errorf("address %q policy %q", r.Address, r.AuthPolicy)
	}
	if r.EnrollmentURL != base+PathEnrollment {
		t.Errorf("enrollment URL %q", r.EnrollmentURL)
	}

	base, _, hc = enrollServer(t, false, map[string]string{"ana": "pw"})
	c = &mde2.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	if _, err := c.Enroll(ctx, base+PathDiscovery, device, mde2.Credentials{Username: "ana", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Enroll(ctx, base+PathDiscovery, device, mde2.Credentials{Username: "ana", Password: "wrong"})
	var f *mde2.Fault
	if !errors.As(err, &f) || f.Code != mde2.FaultAuthentication {
		t.Errorf("wrong password: %v", err)
	}
}

// TestLinkedEnrollment: the WinDC discovery JSON at /windc/discovery, then
// Federated (Device, a test token) and Certificate (User, the primary
// enrollment's certificate over TLS); w7 ADDR at WinDC.svc; renewal.
func TestLinkedEnrollment(t *testing.T) {
	ctx := context.Background()
	var logs syncBuffer
	base, _, hc := enrollServer(t, true, nil, &logs)
	c := &mde2.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	parent, err := c.Enroll(ctx, base+PathDiscovery, device, mde2.Credentials{Username: "ana", Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	dc := &discovery.Client{URL: base + PathWinDCDiscovery, HTTPClient: hc}
	for _, typ := range []discovery.EnrollmentType{discovery.EnrollmentTypeDevice, discovery.EnrollmentTypeUser} {
		resp, err := dc.Discover(ctx, &discovery.Request{EnrollmentType: &typ, OSVersion: "10.0.26100.1301"}, discovery.Headers{})
		if err != nil {
			t.Fatal(err)
		}
		var cred mde2.Credentials
		switch resp.AuthPolicy {
		case discovery.AuthPolicyFederated:
			res, err := hc.Get(resp.AuthenticationServiceURL + "?device=DEV-1")
			if err != nil {
				t.Fatal(err)
			}
			var tok bytes.Buffer
			tok.ReadFrom(res.Body)
			res.Body.Close()
			cred.Token = tok.Bytes()
		case discovery.AuthPolicyCertificate:
			cred.Certificate = &tls.Certificate{Certificate: [][]byte{parent.Certificate.Raw}, PrivateKey: parent.Key}
		default:
			t.Fatalf("%s: AuthPolicy %q", typ, resp.AuthPolicy)
		}
		r, err := c.EnrollLinked(ctx, resp, device, cred)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if r.Address != base+PathWinDC {
			t.Errorf("%s: w7 ADDR %q, want %q", typ, r.Address, base+PathWinDC)
		}
		renewed, err := c.Renew(ctx, r, device)
		if err != nil {
			t.Fatalf("%s: renewal: %v", typ, err)
		}
		// The device's DM session at WinDC.svc is identified by the
		// certificate.
		logs.Reset()
		cert := tls.Certificate{Certificate: [][]byte{renewed.Certificate.Raw}, PrivateKey: renewed.Key}
		tr := hc.Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
		sc, err := session.NewClient(session.ClientConfig{DeviceID: "DEV-1", ServerURI: r.Address, Handler: session.NewMux(), DevInfo: session.DevInfo{DevID: "DEV-1", Lang: "en-US"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sc.Run(ctx, &http.Client{Transport: tr}, r.Address, "1"); err != nil {
			t.Fatalf("%s: session at %s: %v", typ, r.Address, err)
		}
		if !strings.Contains(logs.String(), "user=DEV-1") || !strings.Contains(logs.String(), "auth=tls") || !strings.Contains(logs.String(), "endpoint=WinDC") {
			t.Errorf("%s: session not identified by the certificate:\n%s", typ, logs.String())
		}
	}
	// A forged token is refused.
	resp := &discovery.Response{EnrollmentServiceURL: base + PathWinDCEnroll, EnrollmentPolicyServiceURL: base + PathWinDCPolicy, AuthPolicy: discovery.AuthPolicyFederated}
	_, err = c.EnrollLinked(ctx, resp, device, mde2.Credentials{Token: []byte("ZGV2aWNlPXg7ZXhwPTk5OTk5OTk5OTk.AAAA")})
	var f *mde2.Fault
	if !errors.As(err, &f) || f.Code != mde2.FaultAuthentication {
		t.Errorf("forged token: %v", err)
	}
	// Another device's token does not enroll this one.
	res, err := hc.Get(base + PathTestToken + "?device=DEV-2")
	if err != nil {
		t.Fatal(err)
	}
	var other bytes.Buffer
	other.ReadFrom(res.Body)
	res.Body.Close()
	_, err = c.EnrollLinked(ctx, resp, device, mde2.Credentials{Token: other.Bytes()})
	if !errors.As(err, &f) || f.Code != mde2.FaultAuthorization {
		t.Errorf("another device's token: %v", err)
	}
	// The linked enrollment's DM endpoint answers SyncML, apart from MDM.svc.
	res, err = hc.Post(base+PathWinDC, "application/vnd.syncml.dm+xml", strings.NewReader("<SyncML/>"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusMethodNotAllowed {
		t.Errorf("WinDC.svc: %d", res.StatusCode)
	}
}

// TestTestTokens: dmserver's stand-in for Entra refuses an expired token,
// one signed with another key, one that is not its format, and binds the
// identity to the token's device.
func TestTestTokens(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tt := newTestTokens()
	tt.now = func() time.Time { return now }
	tok := tt.issue("DEV-1")
	id, err := tt.validate(context.Background(), &mde2.FederatedToken{Data: []byte(tok)})
	if err != nil || id.DeviceID != "DEV-1" || id.Policy != mde2.Federated {
		t.Fatalf("fresh token: %+v, %v", id, err)
	}
	other := newTestTokens()
	other.now = tt.now
	for name, bad := range map[string]string{
		"another key":   other.issue("DEV-1"),
		"alg none-like": strings.SplitAfter(tok, ".")[0],
		"not a token":   "eyJhbGciOiJub25lIn0.e30.",
	} {
		if _, err := tt.validate(context.Background(), &mde2.FederatedToken{Data: []byte(bad)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	now = now.Add(11 * time.Minute)
	if _, err := tt.validate(context.Background(), &mde2.FederatedToken{Data: []byte(tok)}); err == nil {
		t.Error("expired token accepted")
	}
}
