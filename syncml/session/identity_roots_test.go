package session

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
)

// testPKI is a root and a leaf certificate it issued to cn.
type testPKI struct{ root, leaf *x509.Certificate }

func newTestPKI(t *testing.T, rootName, cn string) testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: rootName},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	root, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err = x509.CreateCertificate(rand.Reader, lt, root, &leafKey.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{root: root, leaf: leaf}
}

func (p testPKI) chain() []*x509.Certificate { return []*x509.Certificate{p.leaf, p.root} }

// ClientCertificateFrom takes the device from a chain that ends at one of
// its roots only: a certificate of another PKI the listener also trusts
// (the primary enrollment's) is refused, whatever its common name.
func TestClientCertificateFrom(t *testing.T) {
	linked := newTestPKI(t, "Linked Root", "DEVICE-1")
	primary := newTestPKI(t, "Primary Root", "DEVICE-1")
	other := newTestPKI(t, "Other Root", "DEVICE-2")
	auth := ClientCertificateFrom(nil, linked.root)
	ctx := context.Background()
	cases := []struct {
		name   string
		chains [][]*x509.Certificate
		want   string
	}{
		{"linked", [][]*x509.Certificate{linked.chain()}, "DEVICE-1"},
		{"primary", [][]*x509.Certificate{primary.chain()}, ""},
		{"leaf only", [][]*x509.Certificate{{linked.leaf}}, ""},
		{"empty chain", [][]*x509.Certificate{{}}, ""},
		{"none", nil, ""},
		{"second chain ends at the root", [][]*x509.Certificate{other.chain(), linked.chain()}, "DEVICE-1"},
	}
	for _, c := range cases {
		in := &AuthInput{TLS: &tls.ConnectionState{VerifiedChains: c.chains}}
		key, err := auth.(DeviceKeyer).DeviceKey(ctx, in)
		if err != nil || key != c.want {
			t.Errorf("%s: DeviceKey = %q, %v; want %q", c.name, key, err, c.want)
		}
		d, err := auth.Authenticate(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		switch {
		case c.want == "" && (d.Code != syncml.StatusInvalidCredentials || d.Identity.Device != ""):
			t.Errorf("%s: accepted %+v", c.name, d)
		case c.want != "" && (d.Code != 0 || d.Identity != Identity{Device: c.want, User: c.want, Method: "tls"}):
			t.Errorf("%s: %+v", c.name, d)
		}
	}
	if key, _ := ClientCertificateFrom().(DeviceKeyer).DeviceKey(ctx, &AuthInput{TLS: &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{linked.chain()}}}); key != "" {
		t.Errorf("no roots: device %q", key)
	}
	if key, _ := ClientCertificateFrom(nil).(DeviceKeyer).DeviceKey(ctx, &AuthInput{TLS: &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{linked.leaf, {}}}}}); key != "" {
		t.Errorf("a nil root matched a root without bytes: device %q", key)
	}
}

// Over HTTP, a primary-PKI certificate naming a linked device does not
// reach that device's queued commands; the device's own certificate does.
func TestClientCertificateFromServer(t *testing.T) {
	linked := newTestPKI(t, "Linked Root", "VICTIM")
	primary := newTestPKI(t, "Primary Root", "VICTIM")
	srv := NewServer(ServerConfig{Session: Config{Authenticator: ClientCertificateFrom(linked.root)}})
	ctx := context.Background()
	if err := srv.Queue(ctx, "VICTIM", get("./Vendor/MSFT/Secret")); err != nil {
		t.Fatal(err)
	}
	post := func(sessionID string, p testPKI) *syncml.Message {
		t.Helper()
		r := certRequest(locMsg("VICTIM", sessionID), "")
		r.TLS.VerifiedChains = [][]*x509.Certificate{p.chain()}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	m := post("7", primary)
	if code, _ := m.Body.Commands[0].(*syncml.Status).Code(); code != syncml.StatusInvalidCredentials || len(m.Body.Commands) != 1 {
		t.Errorf("primary certificate: %v", summary(m))
	}
	m = post("8", linked)
	if s := summary(m); len(s) != 3 || s[2] != "3:Get" || m.Header.MsgID != "1" {
		t.Errorf("the device's own certificate: %v (MsgID %s)", s, m.Header.MsgID)
	}
}

// A client certificate the TLS server presented no verified chain for
// (tls.RequestClientCert) is refused by both certificate Authenticators
// with a reason that says how to have it verified; a connection without
// a certificate gets no such hint.
func TestClientCertificateUnverifiedHint(t *testing.T) {
	linked := newTestPKI(t, "Linked Root", "DEVICE-1")
	ctx := context.Background()
	for _, auth := range []Authenticator{ClientCertificate, ClientCertificateFrom(linked.root)} {
		d, err := auth.Authenticate(ctx, &AuthInput{TLS: &tls.ConnectionState{PeerCertificates: []*x509.Certificate{linked.leaf}}})
		if err != nil || d.Code != syncml.StatusInvalidCredentials || d.Reason == nil || !strings.Contains(d.Reason.Error(), "VerifyClientCertIfGiven") {
			t.Errorf("%T: presented, unverified: %+v, %v", auth, d, err)
		}
		d, err = auth.Authenticate(ctx, &AuthInput{TLS: &tls.ConnectionState{}})
		if err != nil || d.Code != syncml.StatusInvalidCredentials || d.Reason == nil || strings.Contains(d.Reason.Error(), "VerifyClientCertIfGiven") {
			t.Errorf("%T: none presented: %+v, %v", auth, d, err)
		}
	}
}
