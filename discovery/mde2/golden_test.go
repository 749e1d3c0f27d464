package mde2

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenMessages are one of each message, with every field set, as the
// server and the client write them.
func goldenMessages() map[string]Message {
	zero, one := 0, 1
	policies, err := DefaultPolicy().response()
	if err != nil {
		panic(err)
	}
	hdr := Header{Action: "", MessageID: "urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749", ReplyTo: addressAnonymous, To: "https://mdm.example.com/EnrollmentServer/Enrollment.svc"}
	withUser := hdr
	withUser.UsernameToken = &UsernameToken{Username: "ana@example.com", Password: "p&ss<word>"}
	withToken := hdr
	withToken.Token = NewToken(ValueTypeUserToken, []byte("token"))
	resp := Header{RelatesTo: hdr.MessageID, ActivityID: "d9eb2fdd-e38a-46ee-bd93-aea9dc86a3b8"}
	return map[string]Message{
		"discover": &Discover{Header: hdr, EmailAddress: "ana@example.com", OSEdition: "48", RequestVersion: "5.0", DeviceType: "CIMClient_Windows",
			ApplicationVersion: "10.0.26100.1", OSVersion: "10.0.26100.1", AuthPolicies: []AuthPolicy{OnPremise, Federated}, Other: []Field{{Name: "HWDevID", Value: "ABC"}}},
		"discover-response": &DiscoverResponse{Header: resp, AuthPolicy: Federated, EnrollmentVersion: "5.0",
			EnrollmentPolicyServiceURL: "https://mdm.example.com/EnrollmentServer/Policy.svc", EnrollmentServiceURL: "https://mdm.example.com/EnrollmentServer/Enrollment.svc",
			AuthenticationServiceURL: "https://mdm.example.com/auth"},
		"get-policies":          &GetPolicies{Header: withToken},
		"get-policies-response": policies,
		"rst": &RequestSecurityToken{Header: withUser, TokenType: TokenTypeDeviceEnrollment, RequestType: RequestTypeIssue,
			Token: *NewToken(ValueTypePKCS10, []byte("request")), Context: AdditionalContext{{Name: "DeviceType", Value: "CIMClient_Windows"}, {Name: "DeviceID", Value: "7BA748C8"}, {Name: "EnrollmentType", Value: "Full"}}},
		"rstr":  &RequestSecurityTokenResponse{Header: resp, TokenType: TokenTypeDeviceEnrollment, Token: *NewToken(ValueTypeProvisionDoc, []byte("<wap-provisioningdoc/>")), RequestID: "0"},
		"fault": &Fault{Header: resp, Code: FaultAuthorization, ErrorType: ErrorDeviceCapReached, Reason: "device cap reached", Message: "device cap reached", TraceID: "2493ee37"},
		"policy-oid-refs": &GetPoliciesResponse{Header: resp, PolicyID: "id", Policies: []Policy{{OIDReference: 1, CommonName: "T", PolicySchema: 3,
			Enroll: true, MinimalKeyLength: 2048, KeyAlgorithmOIDRef: &one, HashAlgorithmOIDRef: &zero}}},
	}
}

// TestGolden compares Marshal's output with testdata/golden (go test
// -run TestGolden -update rewrites them) and checks each decodes back.
func TestGolden(t *testing.T) {
	for name, m := range goldenMessages() {
		got, err := Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := filepath.Join("testdata", "golden", name+".xml")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Marshal differs from %s:\n got %s\nwant %s", name, path, got, want)
		}
		if _, err := ReadMessage(want, Limits{}); err != nil {
			t.Errorf("%s: golden file does not decode: %v", name, err)
		}
	}
}

// TestIssuedWritesRSTR: the server's answer, whose document is encoded
// straight into the envelope, is byte for byte what Marshal writes for
// the same RequestSecurityTokenResponse.
func TestIssuedWritesRSTR(t *testing.T) {
	doc := []byte(`<wap-provisioningdoc version="1.1"><characteristic type="x"/></wap-provisioningdoc>`)
	h := Header{RelatesTo: "urn:uuid:1", ActivityID: "a"}
	want, err := Marshal(&RequestSecurityTokenResponse{Header: h, TokenType: TokenTypeDeviceEnrollment, Token: *NewToken(ValueTypeProvisionDoc, doc), RequestID: "0"})
	if err != nil {
		t.Fatal(err)
	}
	is := &issued{RequestSecurityTokenResponse{Header: h, TokenType: TokenTypeDeviceEnrollment, Token: BinarySecurityToken{ValueType: ValueTypeProvisionDoc, EncodingType: EncodingTypeBase64}, RequestID: "0"}, &doc}
	got, err := appendMessage(nil, is)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("issued wrote\n%s\nMarshal writes\n%s", got, want)
	}
}
