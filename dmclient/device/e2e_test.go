package device_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/syncml/session"
)

// TestEndToEnd wires, from the package docs alone, what a WinDC server
// author and a device implementer need, on one loopback TLS listener:
// the primary DM server sends LinkedEnrollment.Start over SyncML, the
// device runs discovery and MS-MDE2 (Federated for an Entra joined
// device, Certificate with the parent MDM certificate of another PKI for
// an Entra registered one), renews with Handler.Renew, and opens a
// session with the linked enrollment's DM server under the certificate it
// holds, trusting the roots the enrollment installed; then the primary
// server unenrolls it.
func TestEndToEnd(t *testing.T) {
	for _, typ := range []discovery.EnrollmentType{discovery.EnrollmentTypeDevice, discovery.EnrollmentTypeUser} {
		t.Run(string(typ), func(t *testing.T) { endToEnd(t, typ) })
	}
}

func endToEnd(t *testing.T, typ discovery.EnrollmentType) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The server: one TLS listener that verifies the client certificates
	// it is given (the linked DM server's session.ClientCertificate
	// needs verified chains) against its own CA and the primary PKI's,
	// whose certificates authenticate the Certificate policy.
	ca, err := mde2.NewMemoryCA("WinDC CA")
	if err != nil {
		t.Fatal(err)
	}
	parentCA, err := mde2.NewMemoryCA("Primary MDM CA")
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(ca.Root())
	clientCAs.AddCert(parentCA.Root())
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: clientCAs}
	srv.StartTLS()
	defer srv.Close()
	base := srv.URL

	parentRoots := x509.NewCertPool()
	parentRoots.AddCert(parentCA.Root())
	enr := &mde2.Server{
		PolicyURL:         base + "/EnrollmentServer/Policy.svc",
		EnrollmentURL:     base + "/EnrollmentServer/Enrollment.svc",
		AuthenticationURL: base + "/auth",
		Token: func(_ context.Context, tok *mde2.FederatedToken) (*mde2.Identity, error) {
			if string(tok.Data) != "entra-device-token" {
				return nil, errors.New("bad token")
			}
			return &mde2.Identity{Name: "device"}, nil
		},
		Certificate: func(_ context.Context, chain []*x509.Certificate) (*mde2.Identity, error) {
			if _, err := chain[0].Verify(x509.VerifyOptions{Roots: parentRoots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				return nil, err
			}
			return &mde2.Identity{Name: chain[0].Subject.CommonName}, nil
		},
		Issuer:  ca,
		Account: mde2.Account{ProviderID: "WinDC", Address: base + "/ManagementServer/WinDC.svc"},
	}
	mux.Handle("/EnrollmentServer/Policy.svc", enr.PolicyHandler())
	mux.Handle("/EnrollmentServer/Enrollment.svc", enr.EnrollmentHandler())
	mux.Handle("/EnrollmentConfiguration", &discovery.Handler{
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{EnrollmentServiceURL: enr.EnrollmentURL, EnrollmentPolicyServiceURL: enr.PolicyURL,
				AuthenticationServiceURL: enr.AuthenticationURL, AuthPolicy: req.RequiredAuthPolicy()}, nil
		},
	})
	var (
		mu     sync.Mutex
		status []dmclient.EnrollStatus
		linked []string
	)
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	primary := session.NewServer(session.ServerConfig{OnExchange: func(_ context.Context, x *session.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		for _, o := range x.Outcomes {
			for _, r := range o.Results {
				if s, err := le.ReadEnrollStatus(r); err == nil {
					status = append(status, s)
				}
			}
		}
	}})
	mux.Handle("/ManagementServer/MDM.svc", primary)
	mux.Handle("/ManagementServer/WinDC.svc", session.NewServer(session.ServerConfig{Session: session.Config{
		Authenticator: session.ClientCertificate,
		OnStart: func(_ context.Context, _ *session.Session, id session.Identity, _ bool) {
			mu.Lock()
			linked = append(linked, id.Device)
			mu.Unlock()
		},
	}}))

	// The device: its primary enrollment's certificate (another PKI) and
	// the LinkedEnrollment handler on its session with the primary server.
	parentCert := primaryCertificate(t, parentCA)
	hc := srv.Client()
	h, err := device.New(ctx, device.Config{
		ProviderID: "MS DM SERVER",
		Discovery:  discovery.Client{HTTPClient: hc},
		Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: &typ},
		Enroller: &device.MDE2{
			Client: &mde2.Client{HTTPClient: hc},
			Device: mde2.Device{DeviceID: "0123456789ABCDEF0123456789ABCDEF", DeviceName: "DESKTOP-1"},
			Credentials: func(_ context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
				if p == discovery.AuthPolicyCertificate {
					return mde2.Credentials{Certificate: &parentCert}, nil
				}
				return mde2.Credentials{Token: []byte("entra-device-token"), TokenType: mde2.ValueTypeJWT}, nil
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	dmux := session.NewMux()
	if err := h.Register(dmux); err != nil {
		t.Fatal(err)
	}
	dev, err := session.NewClient(session.ClientConfig{DeviceID: "primary-1", ServerURI: base + "/ManagementServer/MDM.svc", Handler: dmux})
	if err != nil {
		t.Fatal(err)
	}

	if err := primary.Queue(ctx, "primary-1", le.Start(base+"/EnrollmentConfiguration")...); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Run(ctx, hc, base+"/ManagementServer/MDM.svc", "1"); err != nil {
		t.Fatal(err)
	}
	if st := h.State(); st.Status != dmclient.StatusEnrollmentSucceeded {
		t.Fatalf("after Start: %v %v %s", st.Status, st.LastError, st.Reason)
	}
	first, err := device.EnrollmentCertificate(h.State().Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Renew(ctx); err != nil {
		t.Fatalf("Renew: %v", err)
	}

	// The device's first session with the linked enrollment's server.
	e := h.State().Enrollment
	cert, err := device.EnrollmentCertificate(e)
	if err != nil {
		t.Fatal(err)
	}
	if cert.Leaf.Equal(first.Leaf) {
		t.Fatal("Renew kept the first certificate")
	}
	roots, err := device.EnrollmentRoots(e)
	if err != nil {
		t.Fatal(err)
	}
	lhc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}}}}
	ldev, err := session.NewClient(session.ClientConfig{DeviceID: cert.Leaf.Subject.CommonName, ServerURI: e.ManagementURL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ldev.Run(ctx, lhc, e.ManagementURL, "1"); err != nil {
		t.Fatalf("session with the linked enrollment's server: %v", err)
	}

	if err := primary.Queue(ctx, "primary-1", le.ExecUnenroll(), le.GetEnrollStatus()); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Run(ctx, hc, base+"/ManagementServer/MDM.svc", "2"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []dmclient.EnrollStatus{dmclient.StatusEnrollmentSucceeded, dmclient.StatusUnenrollmentSucceeded}
	if len(status) != 2 || status[0] != want[0] || status[1] != want[1] {
		t.Errorf("the primary server read EnrollStatus %v, want %v", status, want)
	}
	if len(linked) != 1 || linked[0] != cert.Leaf.Subject.CommonName {
		t.Errorf("the linked server saw %q, want %q", linked, cert.Leaf.Subject.CommonName)
	}
}

// primaryCertificate is the device's MDM certificate from its primary
// enrollment, which ca issued.
func primaryCertificate(t *testing.T, ca *mde2.CA) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "primary-1"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := mde2.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ca.Issue(context.Background(), &mde2.IssueRequest{CSR: csr, Subject: csr.Subject})
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: key, Leaf: c}
}
