package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestLinked runs simdevice -linked against loopback services: a primary
// server that starts the linked enrollment on each device's first session,
// the discovery service, an MS-MDE2 service that takes one Entra token,
// and a WinDC server that declares one document per device. Each device
// has one primary session, enrolls, and then two WinDC sessions (declare,
// report).
func TestLinked(t *testing.T) {
	for _, key := range []string{"ecdsa", "rsa"} {
		t.Run(key, func(t *testing.T) { testLinked(t, key) })
	}
}

func testLinked(t *testing.T, key string) {
	var mu sync.Mutex
	reported := map[string]string{} // device → state in its last summary
	windc := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{
		OnStart: func(_ context.Context, s *session.Session, id session.Identity, first bool) {
			if !first {
				return
			}
			doc := "0C1A55E5-0000-4000-8000-" + id.Device[len(id.Device)-12:]
			add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, doc),
				&declaredconfig.Document{Schema: "1.0", Context: "Device", ID: doc, Checksum: "1", Scenario: declaredconfig.ScenarioVPN,
					CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
						{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"}}}}}, syncml.DataText)
			if err == nil {
				err = s.Queue(add)
			}
			if err != nil {
				t.Error(err)
			}
		},
		Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			if a, ok := r.Command.(*syncml.Alert); ok {
				if sum, err := declaredconfig.ReadSummary(&syncml.Message{Body: syncml.Body{Commands: []syncml.Command{a}}}); err == nil && len(sum.Documents) == 1 {
					mu.Lock()
					reported[r.Identity.Device] = sum.Documents[0].State
					mu.Unlock()
				}
			}
			return session.Response{}
		}),
	}}))
	defer windc.Close()

	ca, err := mde2.NewMemoryCA("simdevice test root")
	if err != nil {
		t.Fatal(err)
	}
	enroll := &mde2.Server{Issuer: ca, AuthPolicy: mde2.Federated, Account: mde2.Account{ProviderID: "WinDC", Address: windc.URL},
		Token: func(_ context.Context, tok *mde2.FederatedToken) (*mde2.Identity, error) {
			if string(tok.Data) != "entra-device-token" {
				return nil, errors.New("unknown token")
			}
			return &mde2.Identity{Name: "device"}, nil
		}}
	if key == "ecdsa" {
		// A Server takes only the kind of key it announces.
		enroll.Policy = &mde2.CertificatePolicy{Name: "WinDC", KeyAlgorithm: mde2.PolicyECDSA}
	}
	mux := http.NewServeMux()
	mux.Handle("/EnrollmentServer/Policy.svc", enroll.PolicyHandler())
	mux.Handle("/EnrollmentServer/Enrollment.svc", enroll.EnrollmentHandler())
	mux.Handle("/EnrollmentConfiguration", &discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{EnrollmentServiceURL: enroll.EnrollmentURL, EnrollmentPolicyServiceURL: enroll.PolicyURL,
				AuthenticationServiceURL: enroll.AuthenticationURL, AuthPolicy: req.RequiredAuthPolicy()}, nil
		},
	})
	services := httptest.NewServer(mux)
	defer services.Close()
	enroll.PolicyURL = services.URL + "/EnrollmentServer/Policy.svc"
	enroll.EnrollmentURL = services.URL + "/EnrollmentServer/Enrollment.svc"
	enroll.AuthenticationURL = services.URL + "/Auth"

	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	var enrolled sync.Map
	primary := httptest.NewServer(session.NewServer(session.ServerConfig{
		Session: session.Config{OnStart: func(_ context.Context, s *session.Session, _ session.Identity, first bool) {
			if first {
				_ = s.Queue(le.ReplaceDiscoveryEndpoint(services.URL+"/EnrollmentConfiguration"), le.ExecEnroll())
			}
		}},
		OnExchange: func(_ context.Context, x *session.Exchange) {
			for _, o := range x.Outcomes {
				if o.Command.ElementName() == "Exec" {
					enrolled.Store(x.Identity.Device, dmclient.ReadStatus(o.Status))
				}
			}
		},
	}))
	defer primary.Close()

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-server", primary.URL, "-linked", "-token", "entra-device-token", "-key", key,
		"-devices", "3", "-concurrency", "2"}, &stdout, &stderr)
	if code != 0 || !strings.HasPrefix(stdout.String(), "devices=3 sessions=9 messages=15 errors=0 in_sync=3/3 ") {
		t.Errorf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	n := 0
	enrolled.Range(func(dev, err any) bool {
		n++
		if err != nil {
			t.Errorf("%s: Exec Enroll: %v", dev, err)
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	if n != 3 || len(reported) != 3 {
		t.Errorf("%d devices enrolled, %d reported to the WinDC server", n, len(reported))
	}
	for dev, st := range reported {
		if st != "60" {
			t.Errorf("%s reported state %s", dev, st)
		}
	}
}

// TestLinkedNeverRan: with -linked, when the server never started the
// linked enrollment on the devices (it drives another provider's
// LinkedEnrollment nodes, which the devices answer 404, or none at all),
// the run fails (exit 1) and a line on stderr says on how many devices and
// names -provider; errors= stays what the devices met (none). A device
// whose session failed is counted once in errors=, and the line points
// at those errors.
func TestLinkedNeverRan(t *testing.T) {
	for _, provider := range []string{"WinDC-other", "", "down"} {
		t.Run("server drives "+provider, func(t *testing.T) {
			le := dmclient.LinkedEnrollment{ProviderID: provider}
			primary := httptest.NewServer(session.NewServer(session.ServerConfig{
				Session: session.Config{OnStart: func(_ context.Context, s *session.Session, _ session.Identity, first bool) {
					if first && provider != "" {
						_ = s.Queue(le.ReplaceDiscoveryEndpoint("https://127.0.0.1:1/discovery"), le.ExecEnroll())
					}
				}},
			}))
			if provider == "down" {
				primary.Close()
			}
			defer primary.Close()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-server", primary.URL, "-linked", "-token", "t", "-devices", "3"}, &stdout, &stderr)
			wantErrors, wantWhy := " errors=0 ", `-provider is "MS DM SERVER", dmserver's is WinDC-dmserver`
			if provider == "down" {
				wantErrors, wantWhy = " errors=3 ", "errors=3: the devices' errors (first_error) may be why"
			}
			if code != 1 || !strings.HasPrefix(stdout.String(), "devices=3 sessions=3 ") || !strings.Contains(stdout.String(), wantErrors) ||
				!strings.Contains(stderr.String(), `the linked enrollment never ran on 3 of 3 devices: no Exec of ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll came`) ||
				!strings.Contains(stderr.String(), wantWhy) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit %d: %s%s", code, stdout.String(), stderr.String())
			}
		})
	}
}
