// Command discovery runs a WinDC discovery service and a device client
// against each other on a loopback TLS listener, and prints what each
// side sees: the service's log records and the client's result.
//
//	go run ./examples/discovery -type User -os 10.0.22631.3958
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"

	"github.com/windc-go/windc/discovery"
)

func main() {
	typ := flag.String("type", "", "enrollmentType to send: Device, User, or empty for legacy")
	osVersion := flag.String("os", "10.0.26100.1301", "osVersion to send")
	upn := flag.String("upn", "johndoe@contoso.com", "UPN the device offers when the service asks for one")
	requireUPN := flag.Bool("require-upn", true, "make the service answer UPNRequired to requests without a upn")
	flag.Parse()
	if err := run(*typ, *osVersion, *upn, *requireUPN); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(typ, osVersion, upn string, requireUPN bool) error {
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))
	h := &discovery.Handler{
		RequireUPN: requireUPN,
		Logger:     logger,
		Discover: func(_ context.Context, req *discovery.Request, hd discovery.Headers) (*discovery.Response, error) {
			ok, err := discovery.Supported(req.OSVersion, req.Type())
			if err != nil {
				return nil, err
			}
			if !ok {
				return &discovery.Response{ErrorCode: "PlatformNotSupported",
					Message: "this Windows version cannot use WinDC for " + string(req.Type())}, nil
			}
			return &discovery.Response{
				EnrollmentServiceURL:       "https://manage.contoso.com/Enrollment/Discovery",
				EnrollmentPolicyServiceURL: "https://manage.contoso.com/Enrollment/GetPolicies",
				AuthenticationServiceURL:   "https://manage.contoso.com/Enrollment/AuthService",
				AuthPolicy:                 req.RequiredAuthPolicy(),
			}, nil
		},
	}
	srv := httptest.NewTLSServer(h) // listens on 127.0.0.1 only
	defer srv.Close()

	req := &discovery.Request{UserDomain: "contoso.com", OSVersion: osVersion}
	if typ != "" {
		req.EnrollmentType = new(discovery.EnrollmentType(typ))
	}
	c := &discovery.Client{URL: srv.URL, HTTPClient: srv.Client(), UPN: upn}
	resp, err := c.Discover(context.Background(), req, discovery.Headers{
		CorrelationVector: "example.1", ClientRequestID: "example-request",
	})
	if err != nil {
		return err
	}
	body, err := resp.MarshalJSON()
	if err != nil {
		return err
	}
	fmt.Printf("device got: %s\n", body)
	return nil
}
