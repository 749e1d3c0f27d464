package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestRequestMarshal(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"empty", Request{}, `{}`},
		{"all", Request{
			UserDomain: "contoso.com", UPN: "johndoe@contoso.com", TenantID: "t", EMMDeviceID: "e",
			EnrollmentType: new(EnrollmentTypeUser), OSVersion: "10.0.26100.1301",
		}, `{"userDomain":"contoso.com","upn":"johndoe@contoso.com","tenantId":"t","emmDeviceId":"e","enrollmentType":"User","osVersion":"10.0.26100.1301"}`},
		{"legacy absent", Request{OSVersion: "10.0.1.0"}, `{"osVersion":"10.0.1.0"}`},
		{"legacy empty", Request{EnrollmentType: new(EnrollmentType("")), OSVersion: "10.0.1.0"}, `{"enrollmentType":"","osVersion":"10.0.1.0"}`},
		{"escapes", Request{UPN: "a\"b\\c\n\r\t\x01<>&\u2028\u2029é😀"},
			`{"upn":"a\"b\\c\n\r\t\u0001\u003c\u003e\u0026\u2028\u2029é😀"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON = %s, want %s", got, tt.want)
			}
			std, err := json.Marshal(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(std, got) {
				t.Errorf("json.Marshal = %s, MarshalJSON = %s", std, got)
			}
		})
	}
}

func TestResponseMarshal(t *testing.T) {
	r := Response{
		EnrollmentServiceURL: "https://e", EnrollmentVersion: "5.0", EnrollmentPolicyServiceURL: "https://p",
		AuthenticationServiceURL: "https://a", ManagementResource: "https://m", TouURL: "https://t",
		AuthPolicy: AuthPolicyCertificate, ErrorCode: "c", Message: "m",
	}
	want := `{"EnrollmentServiceUrl":"https://e","EnrollmentVersion":"5.0","EnrollmentPolicyServiceUrl":"https://p","AuthenticationServiceUrl":"https://a","ManagementResource":"https://m","TouUrl":"https://t","AuthPolicy":"Certificate","errorCode":"c","message":"m"}`
	got, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	var back Response
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestMarshalInvalidUTF8(t *testing.T) {
	_, err := Request{UPN: "a\xffb"}.MarshalJSON()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "upn" || !errors.Is(err, ErrInvalidString) {
		t.Errorf("MarshalJSON(invalid UTF-8) = %v, want FieldError upn ErrInvalidString", err)
	}
	_, err = Response{Message: "\xc3"}.MarshalJSON()
	if !errors.Is(err, ErrInvalidString) {
		t.Errorf("Response.MarshalJSON(invalid UTF-8) = %v, want ErrInvalidString", err)
	}
}

func TestDecodeRequest(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   *Request
		err    error
		offset int64
		field  string
	}{
		{name: "ok", in: ` {"upn" : "a@b", "osVersion":"10.0.1.2"} ` + "\n",
			want: &Request{UPN: "a@b", OSVersion: "10.0.1.2"}},
		{name: "absent type", in: `{}`, want: &Request{}},
		{name: "empty type", in: `{"enrollmentType":""}`, want: &Request{EnrollmentType: new(EnrollmentType(""))}},
		{name: "escaped key and pair", in: `{"\u0075pn":"\ud83d\ude00\u00e9"}`, want: &Request{UPN: "😀é"}},
		{name: "unknown field", in: `{"upn":"a","role":"admin"}`, err: ErrUnknownField, offset: 11, field: "role"},
		{name: "case variant", in: `{"UPN":"a"}`, err: ErrCaseMismatch, offset: 1, field: "UPN"},
		{name: "case variant after others", in: `{"userDomain":"x","tenantId":"a","TenantId":"b"}`, err: ErrCaseMismatch, offset: 33, field: "TenantId"},
		{name: "kelvin sign is not n", in: `{"up\u212a":"a"}`, err: ErrUnknownField, offset: 1},
		{name: "long s fold", in: `{"o\u017fVersion":"a"}`, err: ErrCaseMismatch, offset: 1},
		{name: "duplicate", in: `{"upn":"a","upn":"b"}`, err: ErrDuplicateField, offset: 11, field: "upn"},
		{name: "duplicate escaped", in: `{"upn":"a", "\u0075pn":"b"}`, err: ErrDuplicateField, offset: 12, field: "upn"},
		{name: "trailing object", in: `{} {}`, err: ErrTrailingData, offset: 3},
		{name: "trailing garbage", in: "{}\n x", err: ErrTrailingData, offset: 4},
		{name: "number", in: `{"upn":1}`, err: ErrType, offset: 7, field: "upn"},
		{name: "null value", in: `{"upn":null}`, err: ErrType, offset: 7, field: "upn"},
		// a number beyond float64 (json.Decoder's UnmarshalTypeError) is
		// a wrong type where it stands, not an early end of the body
		{name: "number out of range", in: `{"upn":1e999}`, err: ErrType, offset: 7, field: "upn"},
		{name: "body number out of range", in: ` -1e999`, err: ErrType, offset: 1},
		{name: "nested", in: `{"upn": {"a":1}}`, err: ErrType, offset: 8, field: "upn"},
		{name: "array body", in: ` []`, err: ErrType, offset: 1},
		{name: "null body", in: `null`, err: ErrType, offset: 0},
		{name: "empty body", in: ``, err: ErrSyntax, offset: 0},
		{name: "truncated", in: `{"upn":"a"`, err: io.ErrUnexpectedEOF, offset: 10},
		{name: "bad syntax", in: `{"upn" "a"}`, err: ErrSyntax, offset: 7},
		{name: "invalid UTF-8", in: "{\"upn\":\"a\xffb\"}", err: ErrInvalidString, offset: 9},
		{name: "lone high surrogate", in: `{"upn":"ab\ud800"}`, err: ErrInvalidString, offset: 10, field: "upn"},
		{name: "lone low surrogate", in: `{"upn":"\udc00x"}`, err: ErrInvalidString, offset: 8, field: "upn"},
		{name: "reversed pair", in: `{"upn":"\ude00\ud83d"}`, err: ErrInvalidString, offset: 8, field: "upn"},
		{name: "high then escape", in: `{"upn":"\ud83d\n"}`, err: ErrInvalidString, offset: 8, field: "upn"},
		{name: "escaped backslash u", in: `{"upn":"\\ud800"}`, want: &Request{UPN: `\ud800`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadRequest(strings.NewReader(tt.in), 0)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("ReadRequest(%q) = %v", tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("ReadRequest(%q) mismatch (-want +got):\n%s", tt.in, diff)
				}
				return
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("ReadRequest(%q) = %v, want %v", tt.in, err, tt.err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("ReadRequest(%q) = %T, want *DecodeError", tt.in, err)
			}
			if de.Offset != tt.offset {
				t.Errorf("ReadRequest(%q) offset = %d, want %d (%v)", tt.in, de.Offset, tt.offset, err)
			}
			if tt.field != "" && de.Path != "/"+tt.field {
				t.Errorf("ReadRequest(%q) path = %q, want %q", tt.in, de.Path, "/"+tt.field)
			}
			if !strings.HasPrefix(err.Error(), "discovery: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestDecodeResponseStrict(t *testing.T) {
	tests := []struct {
		in    string
		err   error
		field string
	}{
		{`{"authPolicy":"Federated"}`, ErrCaseMismatch, "authPolicy"},
		{`{"EnrollmentServiceURL":"https://x"}`, ErrCaseMismatch, "EnrollmentServiceURL"},
		{`{"ErrorCode":"UPNRequired"}`, ErrCaseMismatch, "ErrorCode"},
		{`{"AuthPolicy":"Federated","AuthPolicy":"Certificate"}`, ErrDuplicateField, "AuthPolicy"},
		{`{"upn":"x"}`, ErrUnknownField, "upn"},
		{`{"AuthPolicy":true}`, ErrType, "AuthPolicy"},
	}
	for _, tt := range tests {
		var r Response
		err := json.Unmarshal([]byte(tt.in), &r)
		var de *DecodeError
		if !errors.Is(err, tt.err) || !errors.As(err, &de) || de.Path != "/"+tt.field {
			t.Errorf("json.Unmarshal(%q) = %v, want %v on %q", tt.in, err, tt.err, tt.field)
		}
	}
}

// TestDecodeErrorPosition: a DecodeError gives the line and column of its
// offset (CR, CRLF and LF end a line) and names the member as a JSON
// Pointer, with "~" and "/" escaped.
func TestDecodeErrorPosition(t *testing.T) {
	tests := []struct {
		in           string
		line, column int
		path         string
	}{
		{"{}\n x", 2, 2, ""},
		{"{\r\n\"upn\":\"a\",\r\"x\":\"b\"}", 3, 1, "/x"},
		{`{"a/b~c":"x"}`, 1, 2, "/a~1b~0c"},
		// a member named "" is "/", not the body as a whole
		{`{"":"x"}`, 1, 2, "/"},
		{`{"upn":"a",` + "\n" + `"":"x"}`, 2, 1, "/"},
	}
	for _, tt := range tests {
		_, err := ReadRequest(strings.NewReader(tt.in), 0)
		var de *DecodeError
		if !errors.As(err, &de) || de.Line != tt.line || de.Column != tt.column || de.Path != tt.path {
			t.Errorf("ReadRequest(%q) = %v, want line %d, column %d, path %q", tt.in, err, tt.line, tt.column, tt.path)
		}
	}
}

func TestReadLimits(t *testing.T) {
	body := `{"upn":"` + strings.Repeat("a", 100) + `"}`
	if _, err := ReadRequest(strings.NewReader(body), int64(len(body))); err != nil {
		t.Fatalf("body at the limit: %v", err)
	}
	_, err := ReadRequest(strings.NewReader(body), int64(len(body)-1))
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrLimit) || le.Max != int64(len(body)-1) {
		t.Fatalf("body over the limit: %v, want *LimitError", err)
	}
	// The default applies when maxBytes is 0, and to json.Unmarshal.
	big := `{"upn":"` + strings.Repeat("a", DefaultMaxBytes) + `"}`
	if _, err := ReadResponse(strings.NewReader(big), 0); !errors.Is(err, ErrLimit) {
		t.Errorf("ReadResponse over default = %v, want ErrLimit", err)
	}
	var r Request
	if err := json.Unmarshal([]byte(big), &r); !errors.Is(err, ErrLimit) {
		t.Errorf("json.Unmarshal over default = %v, want ErrLimit", err)
	}
	// A MaxBytesReader that trips first is reported as a limit too.
	rec := httptest.NewRecorder()
	mbr := http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(body)), 10)
	if _, err := ReadRequest(mbr, 1000); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxBytesReader = %v, want ErrLimit", err)
	}
	// Read errors are passed on with context.
	boom := errors.New("boom")
	if _, err := ReadRequest(iotest.ErrReader(boom), 0); !errors.Is(err, boom) {
		t.Errorf("reader error = %v, want it wrapped", err)
	}
}

func TestReadOneByte(t *testing.T) {
	in := `{"userDomain":"contoso.com","enrollmentType":"User","osVersion":"10.0.26100.1301"}`
	whole, err := ReadRequest(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	chunked, err := ReadRequest(iotest.OneByteReader(strings.NewReader(in)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole, chunked); diff != "" {
		t.Errorf("one-byte reads differ (-whole +chunked):\n%s", diff)
	}
}

func TestDecodeOwnsMemory(t *testing.T) {
	in := []byte(`{"upn":"abc","osVersion":"10.0.1.2"}`)
	var r Request
	if err := r.UnmarshalJSON(in); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 'x'
	}
	if r.UPN != "abc" || r.OSVersion != "10.0.1.2" {
		t.Errorf("decoded value changed with its input: %+v", r)
	}
}

func TestUnmarshalReplacesValue(t *testing.T) {
	r := Request{UPN: "old", EnrollmentType: new(EnrollmentTypeUser)}
	if err := json.Unmarshal([]byte(`{"osVersion":"10.0.1.2"}`), &r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Request{OSVersion: "10.0.1.2"}, r); diff != "" {
		t.Errorf("stale fields kept (-want +got):\n%s", diff)
	}
}

// TestReadBodyLimitNoOverflow: the largest limits read the body instead
// of overflowing into a limit of nothing (math.MaxInt64 + 1 is negative);
// the limit still holds at L and L+1.
func TestReadBodyLimitNoOverflow(t *testing.T) {
	body := `{"userDomain":"contoso.com","tenantId":"t","emmDeviceId":"e","osVersion":"10.0.19045.4717"}`
	n := int64(len(body))
	for _, tt := range []struct {
		max     int64
		limited bool
	}{
		{math.MaxInt64, false}, {math.MaxInt64 - 1, false}, {0, false}, {n, false}, {n - 1, true},
	} {
		r, err := ReadRequest(strings.NewReader(body), tt.max)
		if tt.limited {
			if !errors.Is(err, ErrLimit) {
				t.Errorf("max %d: err %v, want ErrLimit", tt.max, err)
			}
			continue
		}
		if err != nil || r.UserDomain != "contoso.com" {
			t.Errorf("max %d: %+v, %v", tt.max, r, err)
		}
		if _, err := ReadResponse(strings.NewReader(`{"EnrollmentServiceUrl":"https://127.0.0.1/"}`), tt.max); err != nil {
			t.Errorf("ReadResponse max %d: %v", tt.max, err)
		}
	}
}
