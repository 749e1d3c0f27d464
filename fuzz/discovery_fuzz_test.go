package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/windc-go/windc/discovery"
)

// FuzzDiscoveryJSON feeds arbitrary bytes to the discovery request and
// response decoders. For each type it checks: no panic; every rejection
// is a *discovery.DecodeError or *discovery.LimitError; json.Unmarshal
// accepts exactly what ReadRequest/ReadResponse accept, with the same
// value; one-byte reads give the same result; and for accepted input the
// exactness rules: the input is valid JSON, c = encode(decode(b)) decodes
// to the same value, encode is a fixed point, and c keeps every non-empty
// member of b (and a present enrollmentType even when empty).
func FuzzDiscoveryJSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"userDomain":"fabrikam.example","upn":"ana@fabrikam.example","tenantId":"11111111-2222-3333-4444-555555555555","emmDeviceId":"d","enrollmentType":"User","osVersion":"10.0.22621.3958"}`,
		`{"enrollmentType":"","osVersion":"10.0.19045.4717"}`,
		`{"EnrollmentServiceUrl":"https://mdm.fabrikam.example/e","EnrollmentVersion":"5.0","EnrollmentPolicyServiceUrl":"https://mdm.fabrikam.example/p","AuthenticationServiceUrl":"https://mdm.fabrikam.example/a","ManagementResource":"https://mdm.fabrikam.example","TouUrl":"https://mdm.fabrikam.example/t","AuthPolicy":"Certificate","errorCode":"","message":"ok"}`,
		`{"errorCode":"UPNRequired"}`,
		`{"upn":"a","UPN":"b"}`,
		`{"upn":"a","upn":"b"}`,
		`{"upn":"\ud83d\ude00\u003c"} `,
		`{"upn":"\ud800"}`,
		`{"upn":null}`,
		"{\"upn\":\"\xff\"}",
		`{} []`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDiscovery[discovery.Request](t, data, discovery.ReadRequest, func(v *discovery.Request) error {
			if v.Validate() == nil {
				if _, err := discovery.Supported(v.OSVersion, v.Type()); err != nil {
					t.Errorf("Supported after Validate passed: %v", err)
				}
			}
			return nil
		})
		checkDiscovery[discovery.Response](t, data, discovery.ReadResponse, func(v *discovery.Response) error {
			_ = v.Validate()
			_ = v.ValidateWith(discovery.URLPolicy{AllowLoopbackHTTP: true, AllowedHosts: []string{"localhost"}})
			return nil
		})
	})
}

type discoveryValue[T any] interface {
	*T
	json.Marshaler
	json.Unmarshaler
}

func checkDiscovery[T any, P discoveryValue[T]](t *testing.T, data []byte, read func(r io.Reader, max int64) (P, error), extra func(P) error) {
	t.Helper()
	v, err := read(bytes.NewReader(data), 0)
	chunked, chunkedErr := read(iotest.OneByteReader(bytes.NewReader(data)), 0)
	if (err == nil) != (chunkedErr == nil) || err != nil && err.Error() != chunkedErr.Error() || diff(v, chunked) != "" {
		t.Fatalf("one-byte reads differ: %v, %v", err, chunkedErr)
	}
	if len(data) > discovery.DefaultMaxBytes {
		// json.Unmarshal measures the limit without surrounding white
		// space, so the differential below does not apply.
		return
	}
	var std T
	stdErr := json.Unmarshal(data, P(&std))
	if err != nil {
		var de *discovery.DecodeError
		var le *discovery.LimitError
		if !errors.As(err, &de) && !errors.As(err, &le) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if de != nil && (de.Offset < 0 || de.Offset > int64(len(data))) {
			t.Fatalf("offset %d outside input of %d bytes", de.Offset, len(data))
		}
		if stdErr == nil {
			t.Fatalf("json.Unmarshal accepted what ReadX rejected (%v)", err)
		}
		return
	}
	if stdErr != nil {
		t.Fatalf("json.Unmarshal rejected what ReadX accepted: %v", stdErr)
	}
	if d := diff(v, P(&std)); d != "" {
		t.Fatalf("json.Unmarshal and ReadX differ (-read +unmarshal):\n%s", d)
	}
	if !json.Valid(data) {
		t.Fatalf("accepted invalid JSON %q", data)
	}
	c, err := v.MarshalJSON()
	if err != nil {
		t.Fatalf("encoding an accepted value: %v", err)
	}
	var back T
	if err := P(&back).UnmarshalJSON(c); err != nil {
		t.Fatalf("decoding the canonical form %s: %v", c, err)
	}
	if d := diff(v, P(&back)); d != "" {
		t.Fatalf("decode(encode(v)) != v (-v +back):\n%s", d)
	}
	c2, err := P(&back).MarshalJSON()
	if err != nil || !bytes.Equal(c, c2) {
		t.Fatalf("encoding is not a fixed point: %s then %s (%v)", c, c2, err)
	}
	// Nothing lost: every member of the input that carries a value is
	// in the canonical form with the same value.
	var in, out map[string]string
	if err := json.Unmarshal(data, &in); err != nil {
		t.Fatalf("plain encoding/json: %v", err)
	}
	if err := json.Unmarshal(c, &out); err != nil {
		t.Fatalf("plain encoding/json on canonical form: %v", err)
	}
	for k, val := range in {
		got, ok := out[k]
		if (val != "" || k == "enrollmentType") && (!ok || got != val) {
			t.Fatalf("member %q = %q lost or changed (%q, %v) in %s", k, val, got, ok, c)
		}
	}
	for k := range out {
		if _, ok := in[k]; !ok {
			t.Fatalf("canonical form %s adds member %q", c, k)
		}
	}
	if err := extra(v); err != nil {
		t.Fatal(err)
	}
}
