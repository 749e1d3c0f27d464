package discovery

import (
	"encoding/json"
	"testing"
)

var (
	benchRequest  = []byte(`{"userDomain":"contoso.com","upn":"johndoe@contoso.com","tenantId":"00000000-0000-0000-0000-000000000000","emmDeviceId":"00000000-0000-0000-0000-000000000000","enrollmentType":"Device","osVersion":"10.0.26100.1301"}`)
	benchResponse = []byte(`{"EnrollmentServiceUrl":"https://manage.contoso.com/Enrollment/Discovery","EnrollmentPolicyServiceUrl":"https://manage.contoso.com/Enrollment/GetPolicies","AuthenticationServiceUrl":"https://manage.contoso.com/Enrollment/AuthService","ManagementResource":"https://manage.contoso.com","TouUrl":"https://manage.contoso.com/Enrollment/tou.aspx","AuthPolicy":"Federated"}`)
)

// plainRequest and plainResponse are tagged structs decoded by
// encoding/json alone: the in-run baseline, without strictness.
type plainRequest struct {
	UserDomain     string  `json:"userDomain,omitempty"`
	UPN            string  `json:"upn,omitempty"`
	TenantID       string  `json:"tenantId,omitempty"`
	EMMDeviceID    string  `json:"emmDeviceId,omitempty"`
	EnrollmentType *string `json:"enrollmentType,omitempty"`
	OSVersion      string  `json:"osVersion,omitempty"`
}

type plainResponse struct {
	EnrollmentServiceURL       string `json:"EnrollmentServiceUrl,omitempty"`
	EnrollmentVersion          string `json:"EnrollmentVersion,omitempty"`
	EnrollmentPolicyServiceURL string `json:"EnrollmentPolicyServiceUrl,omitempty"`
	AuthenticationServiceURL   string `json:"AuthenticationServiceUrl,omitempty"`
	ManagementResource         string `json:"ManagementResource,omitempty"`
	TouURL                     string `json:"TouUrl,omitempty"`
	AuthPolicy                 string `json:"AuthPolicy,omitempty"`
	ErrorCode                  string `json:"errorCode,omitempty"`
	Message                    string `json:"message,omitempty"`
}

func BenchmarkDecode(b *testing.B) {
	cases := []struct {
		name string
		data []byte
		dst  func() json.Unmarshaler
	}{
		{"Request", benchRequest, func() json.Unmarshaler { return new(Request) }},
		{"Response", benchResponse, func() json.Unmarshaler { return new(Response) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				if err := c.dst().UnmarshalJSON(c.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("Request/encoding-json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchRequest)))
		for b.Loop() {
			var v plainRequest
			if err := json.Unmarshal(benchRequest, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Response/encoding-json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchResponse)))
		for b.Loop() {
			var v plainResponse
			if err := json.Unmarshal(benchResponse, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	var req Request
	var resp Response
	if err := req.UnmarshalJSON(benchRequest); err != nil {
		b.Fatal(err)
	}
	if err := resp.UnmarshalJSON(benchResponse); err != nil {
		b.Fatal(err)
	}
	b.Run("Request", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchRequest)))
		for b.Loop() {
			if _, err := req.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Response", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchResponse)))
		for b.Loop() {
			if _, err := resp.MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	var preq plainRequest
	json.Unmarshal(benchRequest, &preq)
	b.Run("Request/encoding-json-baseline", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchRequest)))
		for b.Loop() {
			if _, err := json.Marshal(&preq); err != nil {
				b.Fatal(err)
			}
		}
	})
}
