package device

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/dmclient"
)

// TestRenew enrolls through MDE2 and renews the certificate with
// Handler.Renew: the state, and a FileStore after a restart, then hold
// the new certificate and key, with the same subject, and the enrollment
// service that issued the first.
func TestRenew(t *testing.T) {
	ms := mde2Server(t, nil)
	ds := mde2Discovery(t, ms)
	enroller := &MDE2{
		Client: &mde2.Client{HTTPClient: ds.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Device: mde2.Device{DeviceID: "8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"},
		Credentials: func(context.Context, discovery.AuthPolicy) (mde2.Credentials, error) {
			return mde2.Credentials{Token: []byte("entra-device-token")}, nil
		},
	}
	cfg := config(ds, enroller)
	cfg.Store = &FileStore{Dir: t.TempDir()}
	var changes []State
	cfg.OnChange = func(s State) { changes = append(changes, s) }
	h := newHandler(t, cfg)

	if err := h.Renew(context.Background()); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("Renew before Enroll: %v, want ErrNotEnrolled", err)
	}
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	if r := serve(h, le.ExecEnroll()); r.Code != 0 {
		t.Fatalf("Exec Enroll: %d %s", r.Code, r.OriginalError)
	}
	before := h.State()
	if before.Enrollment.EnrollmentServiceURL != ms.EnrollmentURL {
		t.Fatalf("EnrollmentServiceURL %q, want %q", before.Enrollment.EnrollmentServiceURL, ms.EnrollmentURL)
	}
	old, err := EnrollmentCertificate(before.Enrollment)
	if err != nil {
		t.Fatal(err)
	}

	n := len(changes)
	if err := h.Renew(context.Background()); err != nil {
		t.Fatalf("Renew: %v", err)
	}
	after := h.State()
	renewed, err := EnrollmentCertificate(after.Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Leaf.Equal(old.Leaf) || renewed.Leaf.SerialNumber.Cmp(old.Leaf.SerialNumber) == 0 {
		t.Fatal("Renew kept the old certificate")
	}
	if renewed.Leaf.Subject.CommonName != old.Leaf.Subject.CommonName {
		t.Errorf("renewed CN %q, was %q", renewed.Leaf.Subject.CommonName, old.Leaf.Subject.CommonName)
	}
	if len(changes) != n+1 || changes[n].Enrollment == nil || string(changes[n].Enrollment.Data) != string(after.Enrollment.Data) {
		t.Errorf("OnChange not told of the renewal")
	}
	a, b := *after.Enrollment, *before.Enrollment
	a.Data, b.Data = nil, nil
	if a.String() != b.String() || a.EnrollmentServiceURL != b.EnrollmentServiceURL ||
		after.Status != dmclient.StatusEnrollmentSucceeded || after.LastError != dmclient.SOK {
		t.Errorf("Renew changed more than the Data: %+v, was %+v", after, before)
	}

	// A restart reads the renewed enrollment back, and can renew again.
	h2, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if got := h2.State().Enrollment; got == nil || string(got.Data) != string(after.Enrollment.Data) {
		t.Fatal("the renewed enrollment was not saved")
	}
	if err := h2.Renew(context.Background()); err != nil {
		t.Fatalf("Renew after a restart: %v", err)
	}
}

// TestRenewRefuses: an Enroller that cannot renew, a renewal that fails
// (the state stays as it was) and one that returns nothing.
func TestRenewRefuses(t *testing.T) {
	ds := discoveryServer(t, nil)
	h := newHandler(t, config(ds, &fakeEnroller{}))
	if err := h.Renew(context.Background()); !errors.Is(err, ErrConfig) {
		t.Errorf("Renew with an Enroller that is no Renewer: %v, want ErrConfig", err)
	}

	fail := errors.New("service down")
	var give *Enrollment
	var giveErr error
	r := &fakeRenewer{renew: func(context.Context, *Enrollment) (*Enrollment, error) { return give, giveErr }}
	h = newHandler(t, config(ds, r))
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	serve(h, le.ExecEnroll())
	before := h.State()
	for _, tt := range []struct {
		name string
		e    *Enrollment
		err  error
		want error
	}{
		{"fails", nil, fail, fail},
		{"nothing", nil, nil, ErrNoEnrollment},
		{"management server over plain http", &Enrollment{ManagementURL: "http://windc.example/MDM.svc", Data: []byte("x")}, nil, discovery.ErrInsecureURL},
	} {
		give, giveErr = tt.e, tt.err
		if err := h.Renew(context.Background()); !errors.Is(err, tt.want) {
			t.Errorf("%s: Renew %v, want %v", tt.name, err, tt.want)
		}
		if st := h.State(); st.Enrollment.String() != before.Enrollment.String() || string(st.Enrollment.Data) != string(before.Enrollment.Data) || st.LastError != before.LastError {
			t.Errorf("%s: a failed renewal changed the state: %+v", tt.name, st)
		}
	}

	// While a renewal runs, Exec Unenroll is refused as busy, and so is
	// a second renewal.
	started, release := make(chan struct{}), make(chan struct{})
	r.renew = func(context.Context, *Enrollment) (*Enrollment, error) {
		close(started)
		<-release
		return &Enrollment{Data: []byte("renewed")}, nil
	}
	done := make(chan error, 1)
	go func() { done <- h.Renew(context.Background()) }()
	within(t, started, "the renewal to start")
	if got := serve(h, le.ExecUnenroll()); got.Code != 500 || got.OriginalError != "0x800700AA" {
		t.Errorf("Exec Unenroll during a renewal: %d %s, want 500 0x800700AA", got.Code, got.OriginalError)
	}
	if err := h.Renew(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("second Renew: %v, want ErrBusy", err)
	}
	close(release)
	if err := within(t, done, "the renewal"); err != nil {
		t.Fatal(err)
	}
	if st := h.State(); st.Enrollment == nil || string(st.Enrollment.Data) != "renewed" || st.Enrollment.ManagementURL != before.Enrollment.ManagementURL {
		t.Errorf("after the renewal: %+v", st.Enrollment)
	}
}

// fakeRenewer is a fakeEnroller that renews with renew.
type fakeRenewer struct {
	fakeEnroller
	renew func(ctx context.Context, e *Enrollment) (*Enrollment, error)
}

func (f *fakeRenewer) Renew(ctx context.Context, e *Enrollment) (*Enrollment, error) {
	return f.renew(ctx, e)
}

// TestMDE2Chain: under an issuing CA below a root, the provisioning
// document installs the root (Root store) and the intermediate (CA
// store). The Enrollment keeps both, so that the device's TLS to the
// linked enrollment's server presents the intermediate and trusts the
// root, after a restart too and after a renewal whose document carries
// the new certificate only.
func TestMDE2Chain(t *testing.T) {
	root, err := mde2.NewMemoryCA("WinDC test root")
	if err != nil {
		t.Fatal(err)
	}
	interKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "WinDC issuing CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root.Root(), &interKey.PublicKey, root.Signer())
	if err != nil {
		t.Fatal(err)
	}
	inter, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ms := mde2Server(t, nil)
	ms.Issuer = mde2.NewCA(inter, interKey)
	ms.Provision = func(ctx context.Context, r *mde2.EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
		pe, err := ms.DefaultProvision(ctx, r, cert)
		if err != nil || r.Renewal {
			return pe, err
		}
		pe.RootCerts, pe.CACerts = [][]byte{root.Root().Raw}, [][]byte{inter.Raw}
		return pe, nil
	}
	ds := mde2Discovery(t, ms)
	cfg := config(ds, &MDE2{
		Client: &mde2.Client{HTTPClient: ds.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Device: mde2.Device{DeviceID: "8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"},
		Credentials: func(context.Context, discovery.AuthPolicy) (mde2.Credentials, error) {
			return mde2.Credentials{Token: []byte("entra-device-token")}, nil
		},
	})
	cfg.Store = &FileStore{Dir: t.TempDir()}
	h := newHandler(t, cfg)
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	if r := serve(h, le.ExecEnroll()); r.Code != 0 {
		t.Fatalf("Exec Enroll: %d %s; %+v", r.Code, r.OriginalError, h.State())
	}

	// The linked enrollment's server verifies the device against the
	// root alone, as session.ClientCertificate's server does.
	rootPool := x509.NewCertPool()
	rootPool.AddCert(root.Root())
	check := func(when string, e *Enrollment) {
		t.Helper()
		c, err := EnrollmentCertificate(e)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if len(c.Certificate) != 2 || !bytes.Equal(c.Certificate[1], inter.Raw) {
			t.Fatalf("%s: the chain presented has %d certificates, want the certificate and the intermediate", when, len(c.Certificate))
		}
		pool := x509.NewCertPool()
		pool.AddCert(inter)
		if _, err := c.Leaf.Verify(x509.VerifyOptions{Roots: rootPool, Intermediates: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("%s: %v", when, err)
		}
		roots, err := EnrollmentRoots(e)
		if err != nil || !roots.Equal(rootPool) {
			t.Errorf("%s: EnrollmentRoots %v, want the root the document installed", when, err)
		}
	}
	check("enrolled", h.State().Enrollment)
	if err := h.Renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("renewed", h.State().Enrollment)
	h2, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	check("restarted", h2.State().Enrollment)
}
