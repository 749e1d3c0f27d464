package device_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device answers the two commands of the enrollment page: Replace
// DiscoveryEndpoint, then Exec Enroll. Discovery runs against a loopback
// discovery service; the enrollment step here only returns the WinDC
// server's URL.
func Example() {
	ds := httptest.NewServer(&discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{
				EnrollmentServiceURL:       "https://windc.example/EnrollmentServer/Enrollment.svc",
				EnrollmentPolicyServiceURL: "https://windc.example/EnrollmentServer/Policy.svc",
				AuthenticationServiceURL:   "https://windc.example/Auth",
				AuthPolicy:                 req.RequiredAuthPolicy(),
			}, nil
		},
	})
	defer ds.Close()

	h, err := device.New(context.Background(), device.Config{
		ProviderID: "MS DM SERVER",
		Discovery:  discovery.Client{HTTPClient: ds.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Request:    discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice)},
		Enroller: device.EnrollerFunc(func(_ context.Context, r *device.EnrollRequest) (*device.Enrollment, error) {
			return &device.Enrollment{ManagementURL: "https://windc.example/ManagementServer/MDM.svc"}, nil
		}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	mux := session.NewMux()
	if err := h.Register(mux); err != nil {
		fmt.Println(err)
		return
	}
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	for _, c := range []syncml.Command{le.ExecEnroll(), le.ReplaceDiscoveryEndpoint(ds.URL), le.ExecEnroll()} {
		r := mux.ServeCommand(context.Background(), &session.Request{Command: c})
		fmt.Printf("%s %d originalerror=%q\n", c.ElementName(), codeOf(r), r.OriginalError)
	}
	st := h.State()
	fmt.Println(st.Status, st.LastError, st.Enrollment.AuthPolicy, st.Enrollment.ManagementURL)
	// Output:
	// Exec 500 originalerror="0x80070002"
	// Replace 200 originalerror=""
	// Exec 200 originalerror=""
	// EnrollmentSucceeded 0x00000000 S_OK Federated https://windc.example/ManagementServer/MDM.svc
}

// codeOf returns the status code of a one-item command's Response.
func codeOf(r session.Response) int {
	switch {
	case len(r.ItemCodes) > 0:
		return int(r.ItemCodes[0])
	case r.Code == 0:
		return 200
	}
	return int(r.Code)
}
