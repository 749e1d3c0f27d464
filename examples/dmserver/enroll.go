package main

// MS-MDE2 enrollment: the primary MDM enrollment (Discovery.svc, OnPremise)
// and WinDC linked enrollments (the discovery JSON, then Federated or
// Certificate), wired on discovery/mde2. The rules live in the packages;
// this file chooses paths, flags and the test token issuer.

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/syncml/session"
)

var (
	tlsCertFile = flag.String("tls-cert", "", "PEM certificate chain to serve HTTPS with (needs -tls-key)")
	tlsKeyFile  = flag.String("tls-key", "", "PEM private key of -tls-cert")
	tlsGenerate = flag.Bool("tls", false, "serve HTTPS with a certificate generated under the enrollment CA")
	tlsRootOut  = flag.String("ca-out", "", "write the enrollment CA's root certificate (PEM) to this file")
)

// The enrollment paths. The primary enrollment's Discovery.svc, the WinDC
// discovery JSON and the two DM endpoints are fixed; policy and
// enrollment services are given to devices as absolute URLs.
const (
	PathDiscovery      = "/EnrollmentServer/Discovery.svc"
	PathPolicy         = "/EnrollmentServer/Policy.svc"
	PathEnrollment     = "/EnrollmentServer/Enrollment.svc"
	PathWinDCDiscovery = "/windc/discovery"
	PathWinDCPolicy    = "/windc/EnrollmentServer/Policy.svc"
	PathWinDCEnroll    = "/windc/EnrollmentServer/Enrollment.svc"
	PathTestToken      = "/windc/test-token"
	PathWinDC          = "/ManagementServer/WinDC.svc"
)

// withEnrollment makes the enrollment CA, applies the TLS flags to ln and
// adds the enrollment routes to mux; -users (read again here as
// name:password) checks OnPremise credentials.
func withEnrollment(ln net.Listener, mux *http.ServeMux, log *slog.Logger, auth session.Authenticator, docs []reconcile.Doc) (net.Listener, error) {
	ca, err := mde2.NewMemoryCA("dmserver enrollment root")
	if err != nil {
		return nil, err
	}
	ln, base, err := enrollListener(ln, ca)
	if err != nil {
		return nil, err
	}
	var usersFile string
	if f := flag.Lookup("users"); f != nil {
		usersFile = f.Value.String()
	}
	users, err := readUserPasswords(usersFile)
	if err != nil {
		return nil, err
	}
	registerEnrollment(mux, base, ca, users, log, auth, docs)
	log.Info("enrollment", "discovery", base+PathDiscovery, "windc-discovery", base+PathWinDCDiscovery, "onpremise-users", usersFile != "")
	return ln, nil
}

// enrollListener applies -tls, -tls-cert and -tls-key to ln and returns
// the base URL devices use; ca signs the generated certificate.
func enrollListener(ln net.Listener, ca *mde2.CA) (net.Listener, string, error) {
	scheme := "http"
	var cfg *tls.Config
	switch {
	case *tlsCertFile != "" || *tlsKeyFile != "":
		cert, err := tls.LoadX509KeyPair(*tlsCertFile, *tlsKeyFile)
		if err != nil {
			return nil, "", fmt.Errorf("-tls-cert/-tls-key: %w", err)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}}
	case *tlsGenerate:
		host, _, _ := net.SplitHostPort(ln.Addr().String())
		cert, err := ca.IssueTLSServer(host, "localhost")
		if err != nil {
			return nil, "", err
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if cfg != nil {
		// Devices present the client certificate the enrollment CA issued
		// (Certificate policy, renewal, the linked enrollment's sessions).
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
		cfg.ClientCAs = x509.NewCertPool()
		cfg.ClientCAs.AddCert(ca.Root())
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	if *tlsRootOut != "" {
		p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root().Raw})
		if err := os.WriteFile(*tlsRootOut, p, 0o644); err != nil {
			return nil, "", fmt.Errorf("-ca-out: %w", err)
		}
	}
	return ln, scheme + "://" + ln.Addr().String(), nil
}

// enrollment holds the two MS-MDE2 servers of dmserver.
type enrollment struct {
	primary, linked *mde2.Server
	tokens          *testTokens
}

// registerEnrollment adds the enrollment routes to mux, with URLs on base,
// and the WinDC endpoint, whose devices are to hold docs. users (name to
// password) checks OnPremise credentials; nil accepts any.
func registerEnrollment(mux *http.ServeMux, base string, ca *mde2.CA, users map[string]string, log *slog.Logger, auth session.Authenticator, docs []reconcile.Doc) *enrollment {
	tokens := newTestTokens()
	primary := &mde2.Server{
		PolicyURL:     base + PathPolicy,
		EnrollmentURL: base + PathEnrollment,
		AuthPolicy:    mde2.OnPremise,
		Issuer:        ca,
		Password: func(_ context.Context, user, password string) (*mde2.Identity, error) {
			if users != nil {
				if want, ok := users[user]; !ok || !hmac.Equal([]byte(want), []byte(password)) {
					return nil, errors.New("unknown user or wrong password")
				}
			}
			return &mde2.Identity{Name: user}, nil
		},
		Account: mde2.Account{ProviderID: "WinDC-dmserver", Name: "dmserver", Address: base + Path},
		Logger:  log,
	}
	linked := &mde2.Server{
		PolicyURL:         base + PathWinDCPolicy,
		EnrollmentURL:     base + PathWinDCEnroll,
		AuthenticationURL: base + PathTestToken,
		Issuer:            ca,
		Token:             tokens.validate,
		Account:           mde2.Account{ProviderID: "WinDC-dmserver-linked", Name: "dmserver WinDC", Address: base + PathWinDC},
		Logger:            log,
	}
	for _, s := range []*mde2.Server{primary, linked} {
		// The default policy (RSA, which Windows devices are told to
		// make), also taking the ECDSA keys simdevice makes by default.
		s.Policy = mde2.DefaultPolicy()
		s.Policy.AllowECDSA = true
		s.Approve = func(ctx context.Context, r *mde2.EnrollmentRequest) error {
			log.InfoContext(ctx, "enrollment", "identity", r.Identity.Name, "policy", r.Identity.Policy, "device", r.Device.DeviceID, "renewal", r.Renewal)
			return nil
		}
	}
	mux.Handle(PathDiscovery, primary.DiscoveryHandler())
	mux.Handle(PathPolicy, primary.PolicyHandler())
	mux.Handle(PathEnrollment, primary.EnrollmentHandler())
	mux.Handle(PathWinDCPolicy, linked.PolicyHandler())
	mux.Handle(PathWinDCEnroll, linked.EnrollmentHandler())
	mux.Handle("GET "+PathTestToken, tokens)
	mux.Handle(PathWinDCDiscovery, &discovery.Handler{
		Logger: log,
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{
				EnrollmentServiceURL:       linked.EnrollmentURL,
				EnrollmentPolicyServiceURL: linked.PolicyURL,
				AuthenticationServiceURL:   linked.AuthenticationURL,
				EnrollmentVersion:          "5.0",
				// Device (or none) is Federated, User is Certificate.
				AuthPolicy: req.RequiredAuthPolicy(),
			}, nil
		},
	})
	// The linked enrollment's DM sessions have their own endpoint; over
	// TLS its devices are identified by their enrollment certificate.
	if auth == nil && strings.HasPrefix(base, "https://") {
		auth = session.ClientCertificate
	}
	handleWinDC(mux, log, auth, docs)
	return &enrollment{primary: primary, linked: linked, tokens: tokens}
}

// readUserPasswords reads the name:password lines of -users for the
// OnPremise check ("" gives nil: everyone is accepted).
func readUserPasswords(file string) (map[string]string, error) {
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("-users: %w", err)
	}
	defer f.Close()
	users := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if name, password, ok := strings.Cut(line, ":"); ok && name != "" {
			users[name] = password
		}
	}
	return users, sc.Err()
}

// testTokens stands in for Entra ID, which issues the device tokens of
// Federated linked enrollments: GET /windc/test-token?device=ID returns a
// token that dmserver's Federated check accepts for ten minutes. It is a
// test issuer, not an identity provider: anyone who can reach the server
// gets a token.
type testTokens struct {
	key []byte
	now func() time.Time
}

func newTestTokens() *testTokens {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &testTokens{key: key, now: time.Now}
}

// issue returns a token for device: base64url(payload).base64url(MAC).
func (tt *testTokens) issue(device string) string {
	payload := "device=" + device + ";exp=" + strconv.FormatInt(tt.now().Add(10*time.Minute).Unix(), 10)
	mac := hmac.New(sha256.New, tt.key)
	mac.Write([]byte(payload))
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac.Sum(nil))
}

// validate is the linked server's Federated check.
func (tt *testTokens) validate(_ context.Context, token *mde2.FederatedToken) (*mde2.Identity, error) {
	p, sig, ok := strings.Cut(string(token.Data), ".")
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	got, err2 := enc.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil {
		return nil, errors.New("malformed test token")
	}
	mac := hmac.New(sha256.New, tt.key)
	mac.Write(payload)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return nil, errors.New("test token not issued here")
	}
	device, exp, _ := strings.Cut(strings.TrimPrefix(string(payload), "device="), ";exp=")
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || tt.now().Unix() > t {
		return nil, errors.New("test token expired")
	}
	// The token names its device: it enrolls no other.
	return &mde2.Identity{Name: device, Policy: mde2.Federated, DeviceID: device}, nil
}

// ServeHTTP issues a test token.
func (tt *testTokens) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	device := r.URL.Query().Get("device")
	if device == "" || strings.ContainsAny(device, ";.") {
		http.Error(w, "want ?device=ID", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, tt.issue(device))
}
