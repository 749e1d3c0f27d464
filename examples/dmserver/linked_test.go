package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	dmdevice "github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestLinkedChain runs the whole chain with a simulated Windows device
// (package sim, with the LinkedEnrollment handler of package
// dmclient/device and its MS-MDE2 Enroller) against dmserver's handlers
// over loopback TLS: the device's first session on MDM.svc sets
// DiscoveryEndpoint and runs Enroll; the device posts the discovery JSON
// to /windc/discovery, gets a test token (Federated), runs GetPolicies and
// RequestSecurityToken, reads the provisioning document, and opens a
// session on WinDC.svc that the server identifies by the issued
// certificate; the -declare document is declared there, applied and
// reported in sync.
func TestLinkedChain(t *testing.T) {
	file := filepath.Join(t.TempDir(), "docs.xml")
	if err := os.WriteFile(file, []byte(declareDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := readDeclare(file, defaultMaxDeclareBytes)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	base, hc := linkedServer(t, docs, &logs)
	const devID = "DEV-LINKED-1"
	// The device presents the issued certificate on its WinDC sessions
	// by itself (sim does, over a clone of dc's transport).
	dc := hc
	var enrolled *mde2.Result
	d, err := sim.New(context.Background(), sim.Config{
		ServerURL: base + Path, HTTPClient: dc,
		DevInfo: session.DevInfo{DevID: devID, Man: "Contoso", Mod: "Sim", DmV: "1.3", Lang: "en-US"},
		LinkedEnrollment: &dmdevice.Config{
			ProviderID: linkedProvider.ProviderID,
			Discovery:  discovery.Client{HTTPClient: dc},
			Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
			Enroller: &dmdevice.MDE2{
				Client: &mde2.Client{HTTPClient: dc},
				Device: mde2.Device{DeviceID: devID, EnrollmentType: "Device"},
				Credentials: func(ctx context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
					if p != discovery.AuthPolicyFederated {
						t.Errorf("AuthPolicy %s, want Federated", p)
					}
					return mde2.Credentials{Token: testToken(t, ctx, dc, base, devID)}, nil
				},
				OnResult: func(r *mde2.Result) { enrolled = r },
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := d.CheckIn(context.Background())
	if st.Errors != 0 || st.Err != nil {
		t.Fatalf("check-in: %+v\n%s", st, logs.String())
	}
	// The enrollment: certificate for the device, w7 ADDR at WinDC.svc.
	if enrolled == nil || enrolled.Certificate.Subject.CommonName != devID || enrolled.Address != base+PathWinDC {
		t.Fatalf("enrollment result %+v", enrolled)
	}
	if s := d.LinkedEnrollment().State(); s.Status != dmclient.StatusEnrollmentSucceeded || s.Enrollment == nil || s.Enrollment.ManagementURL != base+PathWinDC {
		t.Fatalf("LinkedEnrollment state %+v", s)
	}
	// The document, applied on the device and reported in sync.
	if got := d.Surface().(*agent.MemorySurface).Nodes(""); got["./Device/Vendor/MSFT/VPNv2/P/AlwaysOn"] != "true" {
		t.Errorf("surface %v", got)
	}
	out := logs.String()
	for _, want := range []string{
		// The primary session starts the linked enrollment and reads it back.
		`msg="linked enrollment" device=` + devID + ` node=Enroll status=200`,
		`msg="linked enrollment" device=` + devID + ` enrollStatus=4 state=EnrollmentSucceeded failed=false`,
		`msg="linked enrollment" device=` + devID + ` lastError="0x00000000 S_OK"`,
		// MS-MDE2 under the Federated policy.
		`msg=enrollment identity=` + devID + ` policy=Federated device=` + devID,
		// The WinDC session, identified by the certificate.
		`msg="session start" endpoint=WinDC device=` + devID + ` user=` + devID + ` auth=tls`,
		// The document applied and in sync.
		`event=Applied doc=` + declareID + ` checksum=A0 condition=InSync`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(out, "level=WARN") || strings.Contains(out, "level=ERROR") {
		t.Errorf("problems in the log")
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}

// linkedServer serves dmserver's routes (MDM.svc, enrollment, WinDC.svc
// with docs) on loopback TLS with a certificate of its enrollment CA, as
// with -tls, and returns the base URL and a client that trusts the CA.
func linkedServer(t *testing.T, docs []reconcile.Doc, logs io.Writer) (string, *http.Client) {
	t.Helper()
	ca, err := mde2.NewMemoryCA("test enrollment root")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	mux := newMux(log, nil)
	ts := httptest.NewUnstartedServer(mux)
	cert, err := ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Root())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	registerEnrollment(mux, ts.URL, ca, nil, log, nil, docs)
	return ts.URL, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// testToken gets a device token from dmserver's test issuer, which
// stands in for Entra ID.
func testToken(t *testing.T, ctx context.Context, hc *http.Client, base, devID string) []byte {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+PathTestToken+"?device="+devID, nil)
	if err != nil {
		t.Error(err)
		return nil
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("test token: %d %v", res.StatusCode, err)
	}
	return b
}

// TestLinkedEnrollFails: a device whose Federated token dmserver refuses
// fails the MS-MDE2 step; dmserver logs the Exec's failure with its
// HRESULT and reads back EnrollStatus 3 and the LastError.
func TestLinkedEnrollFails(t *testing.T) {
	var logs syncBuffer
	base, hc := linkedServer(t, nil, &logs)
	const devID = "DEV-BAD-TOKEN"
	d, err := sim.New(context.Background(), sim.Config{
		ServerURL: base + Path, HTTPClient: hc,
		DevInfo: session.DevInfo{DevID: devID, Man: "Contoso", Mod: "Sim", DmV: "1.3", Lang: "en-US"},
		LinkedEnrollment: &dmdevice.Config{
			ProviderID: linkedProvider.ProviderID,
			Discovery:  discovery.Client{HTTPClient: hc},
			Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
			Enroller: &dmdevice.MDE2{
				Client: &mde2.Client{HTTPClient: hc},
				Device: mde2.Device{DeviceID: devID, EnrollmentType: "Device"},
				Credentials: func(context.Context, discovery.AuthPolicy) (mde2.Credentials, error) {
					return mde2.Credentials{Token: []byte("not-a-test-token")}, nil
				},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st := d.CheckIn(context.Background())
	if st.Errors == 0 || st.Sessions != 1 {
		t.Errorf("check-in: %+v", st)
	}
	s := d.LinkedEnrollment().State()
	if s.Status != dmclient.StatusEnrollmentFailed || s.LastError == dmclient.SOK {
		t.Fatalf("LinkedEnrollment state %+v", s)
	}
	out := logs.String()
	for _, want := range []string{
		`level=WARN msg="linked enrollment" device=` + devID + ` node=Enroll err=`,
		`msg="linked enrollment" device=` + devID + ` enrollStatus=3 state=EnrollmentFailed failed=true`,
		`msg="linked enrollment" device=` + devID + ` lastError="` + s.LastError.String() + `"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(out, "endpoint=WinDC") {
		t.Error("a WinDC session without an enrollment")
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}

// TestDiscoveryEndpointPerHost: the DiscoveryEndpoint a device's first
// session sets is dmserver's at the scheme and host the device reached it
// at, also when the check-ins before reached it at another (baseURL takes
// the last URL again only for its own scheme and host).
func TestDiscoveryEndpointPerHost(t *testing.T) {
	h := newMux(slog.New(slog.DiscardHandler), nil)
	for i, base := range []string{"http://127.0.0.1", "http://127.0.0.1", "https://127.0.0.1", "http://127.0.0.1:8080",
		"http://127.0.0.2", "http://localhost", "https://127.0.0.1", "http://[::1]:9000", "http://127.0.0.1"} {
		req := httptest.NewRequest(http.MethodPost, base+Path, strings.NewReader(string(checkIn(fmt.Sprint("HOSTDEV", i)))))
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: HTTP %d", base, rec.Code)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, c := range m.Body.Commands {
			if r, ok := c.(*syncml.Replace); ok && len(r.Items) == 1 && r.Items[0].Data != nil &&
				r.Items[0].Target.LocURI == string(linkedProvider.DiscoveryEndpoint()) {
				got = r.Items[0].Data.Value
			}
		}
		if want := base + PathWinDCDiscovery; got != want {
			t.Errorf("check-in %d at %s: DiscoveryEndpoint %q, want %q", i, base, got, want)
		}
	}
}

// TestLinkedNotFoundOneWarning: a device without dmserver's
// LinkedEnrollment nodes (no handler, or another provider's) answers the
// four commands of the linked enrollment 404: dmserver writes one warning
// for the device, the first node's, naming the others that failed with
// it, and each of the others at Debug. With 200 such devices, 200
// warnings, not 800.
func TestLinkedNotFoundOneWarning(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(newMux(log, nil))
	defer srv.Close()
	const n = 3
	for i := range n {
		d, err := sim.New(context.Background(), sim.Config{ServerURL: srv.URL + Path,
			DevInfo: session.DevInfo{DevID: fmt.Sprint("DEV-NO-LINK-", i), Man: "Contoso", Mod: "Sim", DmV: "1.3", Lang: "en-US"}})
		if err != nil {
			t.Fatal(err)
		}
		if st := d.CheckIn(context.Background()); st.Sessions != 1 {
			t.Errorf("check-in: %+v", st)
		}
		d.Close()
	}
	out := logs.String()
	if got := strings.Count(out, `level=WARN`); got != n {
		t.Errorf("%d warnings for %d devices, want %d", got, n, n)
	}
	for i := range n {
		dev := fmt.Sprint("DEV-NO-LINK-", i)
		for _, want := range []string{
			`level=WARN msg="linked enrollment" device=` + dev + ` node=DiscoveryEndpoint err="dmclient: Replace \"`,
			`404 Not found" alsoFailed="[Enroll EnrollStatus LastError]"`,
			`level=DEBUG msg="linked enrollment" device=` + dev + ` node=Enroll err=`,
			`level=DEBUG msg="linked enrollment" device=` + dev + ` node=EnrollStatus err=`,
			`level=DEBUG msg="linked enrollment" device=` + dev + ` node=LastError err=`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q", want)
			}
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", out)
	}
}
