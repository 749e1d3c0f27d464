package mde2_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
)

// A server and a device enroll over loopback with the OnPremise policy.
func Example() {
	ca, err := mde2.NewMemoryCA("Example root")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &mde2.Server{
		Issuer: ca,
		Password: func(_ context.Context, user, password string) (*mde2.Identity, error) {
			return &mde2.Identity{Name: user}, nil // accept anyone
		},
	}
	// Windows posts Discover to this path on EnterpriseEnrollment.<the
	// domain of the user's address>; the other paths are the server's
	// choice, which PolicyURL and EnrollmentURL below announce.
	mux := http.NewServeMux()
	mux.Handle("/EnrollmentServer/Discovery.svc", srv.DiscoveryHandler())
	mux.Handle("/EnrollmentServer/Policy.svc", srv.PolicyHandler())
	mux.Handle("/EnrollmentServer/Enrollment.svc", srv.EnrollmentHandler())
	ts := httptest.NewServer(mux)
	defer ts.Close()
	srv.PolicyURL = ts.URL + "/EnrollmentServer/Policy.svc"
	srv.EnrollmentURL = ts.URL + "/EnrollmentServer/Enrollment.svc"
	srv.Account = mde2.Account{ProviderID: "WinDC", Address: "https://dm.example.com/ManagementServer/MDM.svc"}

	// The test server speaks plain http on the loopback host, which a
	// Client refuses unless its URLPolicy admits it. The key the Client
	// generates follows the policy GetPolicies returns (RSA 2048 here,
	// as Windows makes); set KeyType to choose another.
	client := mde2.Client{URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	res, err := client.Enroll(context.Background(), ts.URL+"/EnrollmentServer/Discovery.svc",
		&mde2.Device{EmailAddress: "user@example.com", DeviceID: "device-1"},
		mde2.Credentials{Username: "user@example.com", Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.AuthPolicy, res.EnrollmentVersion)
	fmt.Println(res.Certificate.Subject.CommonName, res.Certificate.Issuer.CommonName)
	fmt.Println(res.ProviderID, res.Address)

	// The TLS client of the device's DM sessions presents the issued
	// certificate and trusts the roots the enrollment installed.
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{res.TLSCertificate()},
		RootCAs:      res.RootPool(),
	}
	_, err = tlsConfig.Certificates[0].Leaf.Verify(x509.VerifyOptions{
		Roots:     tlsConfig.RootCAs,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	fmt.Println("client certificate verifies under the enrollment's roots:", err == nil)
	// Output:
	// OnPremise 5.0
	// device-1 Example root
	// WinDC https://dm.example.com/ManagementServer/MDM.svc
	// client certificate verifies under the enrollment's roots: true
}
