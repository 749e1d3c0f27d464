package discovery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/windc-go/windc/discovery"
)

// discover answers Entra joined and registered devices with the
// AuthPolicy each needs.
func discover(_ context.Context, req *discovery.Request, h discovery.Headers) (*discovery.Response, error) {
	return &discovery.Response{
		EnrollmentServiceURL:       "https://manage.contoso.com/Enrollment/Discovery",
		EnrollmentPolicyServiceURL: "https://manage.contoso.com/Enrollment/GetPolicies",
		AuthenticationServiceURL:   "https://manage.contoso.com/Enrollment/AuthService",
		AuthPolicy:                 req.RequiredAuthPolicy(),
	}, nil
}

func ExampleHandler() {
	h := &discovery.Handler{
		Discover: discover,
		Logger:   slog.New(slog.DiscardHandler),
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()

	body := `{"upn":"johndoe@contoso.com","enrollmentType":"User","osVersion":"10.0.26100.1301"}`
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(answer))
	// Output:
	// 200 OK
	// {"EnrollmentServiceUrl":"https://manage.contoso.com/Enrollment/Discovery","EnrollmentPolicyServiceUrl":"https://manage.contoso.com/Enrollment/GetPolicies","AuthenticationServiceUrl":"https://manage.contoso.com/Enrollment/AuthService","AuthPolicy":"Certificate"}
}

func ExampleClient() {
	// The service asks for a UPN when a request comes without one.
	srv := httptest.NewTLSServer(&discovery.Handler{
		Discover:   discover,
		RequireUPN: true,
		Logger:     slog.New(slog.DiscardHandler),
	})
	defer srv.Close()

	c := &discovery.Client{
		URL:        srv.URL,
		HTTPClient: srv.Client(),
		UPN:        "johndoe@contoso.com", // sent only when asked for
	}
	req := &discovery.Request{
		UserDomain: "contoso.com",
		OSVersion:  "10.0.22631.3958",
	}
	resp, err := c.Discover(context.Background(), req, discovery.Headers{CorrelationVector: "xvm0d3bV0UmQZ8GS.1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.AuthPolicy)
	fmt.Println(resp.EnrollmentServiceURL)
	// Output:
	// Federated
	// https://manage.contoso.com/Enrollment/Discovery
}

func ExampleValidatePair() {
	var req discovery.Request
	var resp discovery.Response
	json.Unmarshal([]byte(`{"enrollmentType":"User","osVersion":"10.0.19045.4717"}`), &req)
	json.Unmarshal([]byte(`{"EnrollmentServiceUrl":"https://e.contoso.com","EnrollmentPolicyServiceUrl":"https://p.contoso.com",
		"AuthenticationServiceUrl":"https://a.contoso.com","AuthPolicy":"Federated"}`), &resp)
	fmt.Println(req.Validate())
	fmt.Println(resp.Validate())
	fmt.Println(discovery.ValidatePair(&req, &resp))
	// Output:
	// <nil>
	// <nil>
	// discovery: AuthPolicy: AuthPolicy does not match enrollmentType: User needs Certificate, got "Federated"
}

func ExampleSupported() {
	for _, v := range []string{"10.0.22631.3880", "10.0.22631.3958"} {
		ok, _ := discovery.Supported(v, discovery.EnrollmentTypeUser)
		fmt.Println(v, "registered:", ok)
	}
	ok, _ := discovery.Supported("10.0.22631.3880", discovery.EnrollmentTypeDevice)
	fmt.Println("10.0.22631.3880 joined:", ok)
	// Output:
	// 10.0.22631.3880 registered: false
	// 10.0.22631.3958 registered: true
	// 10.0.22631.3880 joined: true
}

func ExampleRequest_UnmarshalJSON() {
	var req discovery.Request
	err := json.Unmarshal([]byte(`{"upn":"a@contoso.com","UPN":"b@contoso.com","osVersion":"10.0.26100.1"}`), &req)
	fmt.Println(err)
	// Output:
	// discovery: line 1, column 24 (offset 23) in /UPN: field name differs from the schema only in case (schema name "upn")
}
