package device

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
)

// mde2Discovery returns a discovery server (plain HTTP on loopback) that
// names ms's policy, enrollment and authentication services, under the
// policy the request requires.
func mde2Discovery(t testing.TB, ms *mde2.Server) *httptest.Server {
	t.Helper()
	ds := discoveryServer(t, nil)
	ds.Config.Handler = &discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{EnrollmentServiceURL: ms.EnrollmentURL, EnrollmentPolicyServiceURL: ms.PolicyURL,
				AuthenticationServiceURL: ms.AuthenticationURL, AuthPolicy: req.RequiredAuthPolicy()}, nil
		},
	}
	return ds
}

// mde2Server is a loopback MS-MDE2 policy and enrollment service that
// takes the Federated token "entra-device-token".
func mde2Server(t testing.TB, approve func(context.Context, *mde2.EnrollmentRequest) error) *mde2.Server {
	t.Helper()
	ca, err := mde2.NewMemoryCA("WinDC test root")
	if err != nil {
		t.Fatal(err)
	}
	srv := &mde2.Server{
		Issuer:     ca,
		AuthPolicy: mde2.Federated,
		Token: func(_ context.Context, tok *mde2.FederatedToken) (*mde2.Identity, error) {
			if string(tok.Data) != "entra-device-token" {
				return nil, errors.New("bad token")
			}
			return &mde2.Identity{Name: "device"}, nil
		},
		Approve: approve,
		Account: mde2.Account{ProviderID: "WinDC", Address: winDC},
	}
	mux := http.NewServeMux()
	mux.Handle("/EnrollmentServer/Policy.svc", srv.PolicyHandler())
	mux.Handle("/EnrollmentServer/Enrollment.svc", srv.EnrollmentHandler())
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	srv.PolicyURL = ts.URL + "/EnrollmentServer/Policy.svc"
	srv.EnrollmentURL = ts.URL + "/EnrollmentServer/Enrollment.svc"
	srv.AuthenticationURL = ts.URL + "/Auth"
	return srv
}

// TestMDE2 runs Enroll end to end: discovery JSON, then MS-MDE2 at the
// URLs it returned, with the Entra token for the Federated policy.
func TestMDE2(t *testing.T) {
	for _, tt := range []struct {
		name      string
		approve   func(context.Context, *mde2.EnrollmentRequest) error
		token     string
		addr      string // the w7 ADDR the service sends, when not winDC
		code      int
		lastError dmclient.HRESULT
	}{
		{name: "enrolled", token: "entra-device-token", code: 200},
		{name: "device cap reached", token: "entra-device-token", code: 500, lastError: dmclient.MenrollEDeviceCapReached,
			approve: func(context.Context, *mde2.EnrollmentRequest) error {
				return &mde2.Fault{Code: mde2.FaultAuthorization, ErrorType: mde2.ErrorDeviceCapReached}
			}},
		{name: "token refused", token: "wrong", code: 500},
		{name: "management server over plain http", token: "entra-device-token", addr: "http://windc.example/MDM.svc",
			code: 500, lastError: dmclient.MenrollEDeviceMessageFormatError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms := mde2Server(t, tt.approve)
			if tt.addr != "" {
				ms.Account.Address = tt.addr
			}
			ds := mde2Discovery(t, ms)
			var res *mde2.Result
			cfg := config(ds, &MDE2{
				Client: &mde2.Client{HTTPClient: ds.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
				Device: mde2.Device{DeviceID: "8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809", OSVersion: "10.0.26100.1301"},
				Credentials: func(_ context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
					if p != discovery.AuthPolicyFederated {
						return mde2.Credentials{}, errors.New("want Federated")
					}
					return mde2.Credentials{Token: []byte(tt.token)}, nil
				},
				OnResult: func(r *mde2.Result) { res = r },
			})
			h := newHandler(t, cfg)
			serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
			r := serve(h, le.ExecEnroll())
			st := h.State()
			if got := codes(le.ExecEnroll(), r)[0]; int(got) != tt.code {
				t.Fatalf("Exec %d (%s), want %d; state %+v", got, r.OriginalError, tt.code, st)
			}
			if tt.code != 200 {
				if st.Status != dmclient.StatusEnrollmentFailed || !st.LastError.Failed() || tt.lastError != 0 && st.LastError != tt.lastError {
					t.Errorf("failed enrollment: %v %v %q", st.Status, st.LastError, st.Reason)
				}
				return
			}
			e := st.Enrollment
			if e == nil || e.ManagementURL != winDC || e.AuthPolicy != discovery.AuthPolicyFederated || res == nil {
				t.Fatalf("enrollment %+v", e)
			}
			c, err := EnrollmentCertificate(e)
			if err != nil || len(c.Certificate) == 0 || !res.Certificate.Equal(mustParse(t, c.Certificate[0])) {
				t.Errorf("EnrollmentCertificate: %v", err)
			}
		})
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
