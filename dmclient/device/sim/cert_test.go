package sim_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// TestWinDCClientCertificate: when the linked enrollment carries a client
// certificate (as device.MDE2's does), the device's WinDC sessions present
// it, and a server that identifies devices by their certificate
// (session.ClientCertificate) takes the device as the certificate's
// common name. A second check-in reuses it; after Unenroll there is no
// WinDC session.
func TestWinDCClientCertificate(t *testing.T) {
	ca, err := mde2.NewMemoryCA("sim test root")
	if err != nil {
		t.Fatal(err)
	}
	const cn = "sim-cert-device"
	data := issuePEM(t, ca, cn)

	var mu sync.Mutex
	var seen []session.Identity
	windc := httptest.NewUnstartedServer(session.NewServer(session.ServerConfig{Session: session.Config{
		Authenticator: session.ClientCertificate,
		OnStart: func(_ context.Context, _ *session.Session, id session.Identity, _ bool) {
			mu.Lock()
			seen = append(seen, id)
			mu.Unlock()
		},
	}}))
	serverCert, err := ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root())
	windc.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: roots}
	windc.StartTLS()
	defer windc.Close()

	ds := newDiscoveryServer(t)
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	primary := session.NewServer(session.ServerConfig{})
	ps := httptest.NewServer(primary)
	defer ps.Close()

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	hc := &http.Client{Transport: tr}
	d, err := sim.New(context.Background(), sim.Config{
		ServerURL: ps.URL, HTTPClient: hc,
		DevInfo: session.DevInfo{DevID: "urn:uuid:claimed-in-synchdr", Man: "Contoso", Mod: "Sim 1", DmV: "1.3", Lang: "en-US"},
		LinkedEnrollment: &device.Config{
			ProviderID: le.ProviderID,
			Discovery:  discovery.Client{HTTPClient: hc, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
			Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
			Enroller: device.EnrollerFunc(func(context.Context, *device.EnrollRequest) (*device.Enrollment, error) {
				return &device.Enrollment{ManagementURL: windc.URL, Data: data}, nil
			}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := primary.Queue(ctx, "urn:uuid:claimed-in-synchdr", le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll()); err != nil {
		t.Fatal(err)
	}
	if st := d.CheckIn(ctx); st.Errors != 0 || st.Sessions < 2 {
		t.Fatalf("check-in: %+v", st)
	}
	if st := d.CheckIn(ctx); st.Errors != 0 {
		t.Fatalf("second check-in: %+v", st)
	}
	mu.Lock()
	n := len(seen)
	for _, id := range seen {
		if id.Device != cn || id.Method != "tls" {
			t.Errorf("the WinDC server took the device as %+v, want %s by tls", id, cn)
		}
	}
	mu.Unlock()
	if n < 2 {
		t.Errorf("%d WinDC sessions", n)
	}
	if err := primary.Queue(ctx, "urn:uuid:claimed-in-synchdr", le.ExecUnenroll()); err != nil {
		t.Fatal(err)
	}
	if st := d.CheckIn(ctx); st.Errors != 0 || st.Sessions != 1 {
		t.Fatalf("check-in with Unenroll: %+v", st)
	}
}

// issuePEM returns a client certificate of ca for cn and its key, PEM, as
// device.MDE2 keeps them in Enrollment.Data.
func issuePEM(t *testing.T, ca *mde2.CA, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := mde2.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(context.Background(), &mde2.IssueRequest{CSR: csr, Subject: pkix.Name{CommonName: cn}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})...)
}
