package mde2

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// TestServerHostileEnrollBodies: RequestSecurityTokens a hostile device
// may send (a huge BinarySecurityToken, a token of the wrong ValueType or
// EncodingType, duplicated elements) are answered with a typed fault or
// a 413, never a panic and never a certificate.
func TestServerHostileEnrollBodies(t *testing.T) {
	f := newFixture(t, false)
	issued := 0
	f.srv.Approve = func(context.Context, *EnrollmentRequest) error { issued++; return nil }
	enroll := f.ts.URL + pathEnroll
	pw := func() Header {
		return Header{MessageID: "urn:uuid:" + newID(), UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	}
	der := mustCSR(t, testECKey)
	good := *NewToken(ValueTypePKCS10, der)
	junk := make([]byte, DefaultMaxBytes/2)
	rand.Read(junk)
	tok := func(valueType, encodingType, value string) BinarySecurityToken {
		return BinarySecurityToken{ValueType: valueType, EncodingType: encodingType, Value: value}
	}
	// dup returns a request whose element old (as written) is followed
	// by dup.
	dup := func(old, extra string) string {
		b := rstEnvelope(t, good, pw())
		if !strings.Contains(b, old) {
			t.Fatalf("no %s in %s", old, b)
		}
		return strings.Replace(b, old, old+extra, 1)
	}
	otherCSR := base64.StdEncoding.EncodeToString(mustCSR(t, ecKey(t, testECKey.Curve)))
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   FaultCode // "" for none (the status alone)
	}{
		{"huge token of junk", rstEnvelope(t, *NewToken(ValueTypePKCS10, junk), pw()), 500, FaultCertificateRequest},
		{"token above MaxBytes", rstEnvelope(t, tok(ValueTypePKCS10, EncodingTypeBase64, strings.Repeat("A", DefaultMaxBytes)), pw()), 413, ""},
		{"huge token of white space", rstEnvelope(t, tok(ValueTypePKCS10, EncodingTypeBase64, strings.Repeat(" \t", DefaultMaxBytes/3)), pw()), 500, FaultCertificateRequest},
		{"PKCS#7 ValueType on Issue", rstEnvelope(t, tok(ValueTypePKCS7, EncodingTypeBase64, good.Value), pw()), 500, FaultMessageFormat},
		{"X509v3 ValueType on Issue", rstEnvelope(t, tok(ValueTypeX509v3, EncodingTypeBase64, good.Value), pw()), 500, FaultMessageFormat},
		{"unknown ValueType", rstEnvelope(t, tok("urn:x", EncodingTypeBase64, good.Value), pw()), 500, FaultMessageFormat},
		{"hexBinary value", rstEnvelope(t, tok(ValueTypePKCS10, "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#HexBinary", hex.EncodeToString(der)), pw()), 500, ""},
		{"no value", rstEnvelope(t, tok(ValueTypePKCS10, EncodingTypeBase64, ""), pw()), 500, FaultCertificateRequest},
		{"unknown RequestType", strings.Replace(rstEnvelope(t, good, pw()), RequestTypeIssue, "urn:x", 1), 500, FaultMessageFormat},
		{"second token, another key", dup("</wsse:BinarySecurityToken>", `<wsse:BinarySecurityToken ValueType="`+ValueTypePKCS10+`">`+otherCSR+`</wsse:BinarySecurityToken>`), 500, FaultMessageFormat},
		{"second RequestType", dup("</wst:RequestType>", "<wst:RequestType>"+RequestTypeRenew+"</wst:RequestType>"), 500, FaultMessageFormat},
		{"second RequestSecurityToken", dup("</wst:RequestSecurityToken>", `<wst:RequestSecurityToken xmlns:wst="`+nsWST+`"><wst:RequestType>`+RequestTypeIssue+`</wst:RequestType></wst:RequestSecurityToken>`), 500, FaultMessageFormat},
	} {
		status, fault := post(t, enroll, "application/soap+xml", tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
		}
		switch {
		case status == 500 && fault == nil:
			t.Errorf("%s: no fault", tc.name)
		case tc.code != "" && fault != nil && fault.Code != tc.code:
			t.Errorf("%s: fault %s (%s), want %s", tc.name, fault.Code, fault.Reason, tc.code)
		}
	}
	if issued != 0 {
		t.Errorf("%d hostile requests approved", issued)
	}
}

// TestRSTSecondElement: a RequestSecurityToken with a second TokenType,
// RequestType, BinarySecurityToken or AdditionalContext is refused with
// a *DecodeError (ErrStructure) placed at the second one; before, the
// first was read and the second dropped. Two ContextItems of one name
// (MAC) stay allowed.
func TestRSTSecondElement(t *testing.T) {
	body := rstWithContext(t, ContextItem{Name: "MAC", Value: "a"}, ContextItem{Name: "MAC", Value: "b"})
	var m RequestSecurityToken
	if err := Unmarshal(body, &m); err != nil || len(m.Context.All("MAC")) != 2 {
		t.Fatalf("two MAC items: %v, %v", err, m.Context)
	}
	for _, tc := range []struct{ after, second, local string }{
		{"</wst:TokenType>", "<wst:TokenType>urn:x</wst:TokenType>", "TokenType"},
		{"</wst:RequestType>", "<wst:RequestType>" + RequestTypeRenew + "</wst:RequestType>", "RequestType"},
		{"</wsse:BinarySecurityToken>", `<wsse:BinarySecurityToken ValueType="` + ValueTypePKCS10 + `">AA==</wsse:BinarySecurityToken>`, "BinarySecurityToken"},
		{"</ac:AdditionalContext>", `<ac:AdditionalContext><ac:ContextItem Name="DeviceID"><ac:Value>other</ac:Value></ac:ContextItem></ac:AdditionalContext>`, "AdditionalContext"},
	} {
		s := string(body)
		i := strings.Index(s, tc.after)
		if i < 0 {
			t.Fatalf("no %s in %s", tc.after, s)
		}
		i += len(tc.after)
		err := Unmarshal([]byte(s[:i]+tc.second+s[i:]), &m)
		de, ok := errors.AsType[*DecodeError](err)
		if !ok || !errors.Is(err, ErrStructure) {
			t.Errorf("second %s: %v, want a *DecodeError of ErrStructure", tc.local, err)
			continue
		}
		if de.Offset != int64(i) || !strings.HasSuffix(de.Path, "/RequestSecurityToken/"+tc.local) {
			t.Errorf("second %s: at %d in %q, want %d in .../RequestSecurityToken/%s", tc.local, de.Offset, de.Path, i, tc.local)
		}
	}
}
