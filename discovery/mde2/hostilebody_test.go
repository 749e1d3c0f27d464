package mde2

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

// TestClientHostileFaults: a hostile policy or enrollment service that
// answers with odd SOAP faults gets the Client a *Fault carrying what it
// said, or a typed error (ErrHTTPStatus, ErrStructure, a *LimitError),
// never a panic or a success; a *Fault's Error is one line of bounded
// length however long or many-lined the server's text (before, a reason
// of half a megabyte with new lines was written whole).
func TestClientHostileFaults(t *testing.T) {
	long := strings.Repeat("line\nforged: x", DefaultMaxBytes/40)
	fault := func(code, subcode, reason, detail string) string {
		return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Body><s:Fault>` + code +
			`<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>` + subcode + `</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">` + reason + `</s:Text></s:Reason>` + detail + `</s:Fault></s:Body></s:Envelope>`
	}
	detail := func(et string) string {
		return `<s:Detail><DeviceEnrollmentServiceError xmlns="` + nsWSTEP + `"><ErrorType>` + et + `</ErrorType><Message>m</Message><TraceId>t</TraceId></DeviceEnrollmentServiceError></s:Detail>`
	}
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		fault   bool   // a *Fault, else another typed error
		code    string // the Fault's Code, when fault
		reasons int    // the Reason's length in bytes, when fault
	}{
		{"long reason with new lines", 500, fault("", "s:CertificateRequest", long, ""), true, "CertificateRequest", len(long)},
		{"long unknown subcode", 500, fault("", "x:"+strings.Repeat("Z", 100000), "r", ""), true, strings.Repeat("Z", 100000), 1},
		{"long unknown error type", 500, fault("", "s:Authorization", "r", detail(strings.Repeat("E\n", 50000))), true, "Authorization", 1},
		{"subcode with a new line", 500, fault("", "a:Internal\nServiceFault", "r", ""), true, "Internal\nServiceFault", 1},
		{"many Reason texts", 500, strings.Replace(fault("", "s:MessageFormat", "r", ""), "</s:Reason>", strings.Repeat(`<s:Text xml:lang="x">y</s:Text>`, 10000)+"</s:Reason>", 1), true, "MessageFormat", 1},
		{"no Code", 500, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Reason><s:Text>r</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`, false, "", 0},
		{"deep subcodes", 500, fault("", strings.Repeat("<s:Subcode><s:Value>s:x</s:Value>", 200)+strings.Repeat("</s:Subcode>", 200), "r", ""), false, "", 0},
		{"fault with status 200", 200, fault("", "s:CertificateRequest", "r", ""), true, "CertificateRequest", 1},
		{"SOAP 1.1 fault", 500, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Authentication</faultcode><faultstring>` + long + `</faultstring></s:Fault></s:Body></s:Envelope>`, true, "Authentication", len(long)},
		{"fault above MaxBytes", 500, fault("", "s:CertificateRequest", strings.Repeat("x", DefaultMaxBytes), ""), false, "", 0},
	} {
		for _, service := range []string{"policy", "enroll"} {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if service == "enroll" && strings.HasSuffix(r.URL.Path, "/policy") {
					body, _ := Marshal(&GetPoliciesResponse{Policies: []Policy{{CommonName: "c", PolicySchema: 3, MinimalKeyLength: 256,
						KeyAlgorithmOIDRef: intp(2)}}, OIDs: []OID{{Value: oidCurveP256, Group: 3, ReferenceID: 2}}})
					w.Header().Set("Content-Type", contentTypeSOAP12)
					w.Write(body)
					return
				}
				w.Header().Set("Content-Type", contentTypeSOAP12)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			c := &Client{HTTPClient: ts.Client(), URLs: loopbackHTTP}
			_, err := c.EnrollWith(context.Background(), &DiscoverResponse{AuthPolicy: OnPremise, EnrollmentVersion: "5.0",
				EnrollmentPolicyServiceURL: ts.URL + "/policy", EnrollmentServiceURL: ts.URL + "/enroll"}, testDevice, Credentials{Username: "u", Password: "p"})
			ts.Close()
			name := service + ", " + tc.name
			f, isFault := errors.AsType[*Fault](err)
			switch {
			case err == nil:
				t.Errorf("%s: enrolled", name)
				continue
			case tc.fault != isFault:
				t.Errorf("%s: %T %.200v, want a *Fault %v", name, err, err, tc.fault)
				continue
			case !isFault && !errors.Is(err, ErrHTTPStatus) && !errors.Is(err, ErrStructure) && !errors.Is(err, ErrLimit):
				t.Errorf("%s: %T %.200v, want ErrHTTPStatus, ErrStructure or ErrLimit", name, err, err)
			case isFault && (string(f.Code) != tc.code || len(f.Reason) != tc.reasons):
				t.Errorf("%s: Code %.40q, Reason of %d bytes, want %.40q, %d", name, f.Code, len(f.Reason), tc.code, tc.reasons)
			}
			if msg := err.Error(); len(msg) > 4*maxReason || strings.Contains(msg, "\n") {
				t.Errorf("%s: an error of %d bytes, new line %v", name, len(msg), strings.Contains(msg, "\n"))
			}
		}
	}
}

// TestServerCSRExtensionsIgnored: a certificate request asking, through
// its extensions, for more than a device certificate (a CA, the server's
// DNS name, certificate signing, a critical extension the package does
// not know, hundreds of others) is served a device certificate all the
// same: client authentication only, none of the requested extensions.
func TestServerCSRExtensionsIgnored(t *testing.T) {
	f := newFixture(t, false)
	ext := func(oid asn1.ObjectIdentifier, critical bool, v any) pkix.Extension {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return pkix.Extension{Id: oid, Critical: critical, Value: b}
	}
	type basicConstraints struct {
		IsCA bool `asn1:"optional"`
	}
	exts := []pkix.Extension{
		ext(asn1.ObjectIdentifier{2, 5, 29, 19}, true, basicConstraints{IsCA: true}),
		ext(asn1.ObjectIdentifier{2, 5, 29, 15}, true, asn1.BitString{Bytes: []byte{0x06}, BitLength: 7}),     // keyCertSign, cRLSign
		ext(asn1.ObjectIdentifier{2, 5, 29, 37}, false, []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 1}}), // serverAuth
		ext(asn1.ObjectIdentifier{1, 2, 3, 4, 5}, true, "unknown and critical"),
	}
	for i := range 300 {
		exts = append(exts, ext(asn1.ObjectIdentifier{1, 2, 3, 4, 6, i}, false, i))
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "dev"}, DNSNames: []string{"enterpriseenrollment.example.com"},
		EmailAddresses: []string{"admin@example.com"}, ExtraExtensions: exts}, testECKey)
	if err != nil {
		t.Fatal(err)
	}
	c := enrollDER(t, f, der).Certificate
	if c.IsCA || c.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 || len(c.DNSNames)+len(c.EmailAddresses) != 0 ||
		len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth || len(c.UnhandledCriticalExtensions) != 0 {
		t.Errorf("issued CA %v, key usage %b, names %q %q, extended key usage %v, unhandled %v",
			c.IsCA, c.KeyUsage, c.DNSNames, c.EmailAddresses, c.ExtKeyUsage, c.UnhandledCriticalExtensions)
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(exts[3].Id) || len(e.Id) == 6 && e.Id[4] == 6 {
			t.Errorf("issued with the requested extension %v", e.Id)
		}
	}
}

// TestServerHostileGetPolicies: GetPolicies bodies a hostile device may
// send are answered with the policy, a typed fault or a 413, never a
// panic: many policyOIDs, repeated client elements, a huge lastUpdate,
// a header token of the wrong ValueType or EncodingType, another
// message.
func TestServerHostileGetPolicies(t *testing.T) {
	f := newFixture(t, false)
	url := f.ts.URL + pathPolicy
	pw := Header{MessageID: "urn:uuid:1", UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
	gp := func(h Header, m GetPolicies) string {
		m.Header = h
		b, err := Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	many := make([]string, 20000)
	for i := range many {
		many[i] = "1.2.3"
	}
	plain := gp(pw, GetPolicies{})
	i := strings.Index(plain, "</client>")
	if i < 0 {
		t.Fatalf("no client in %s", plain)
	}
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   FaultCode // of a 500
	}{
		{"plain", plain, 200, ""},
		{"many policyOIDs", gp(pw, GetPolicies{PolicyOIDs: many}), 200, ""},
		{"too many policyOIDs", gp(pw, GetPolicies{PolicyOIDs: append(many, many...)}), 500, FaultMessageFormat},
		{"repeated client", plain[:i+len("</client>")] + strings.Repeat("<client><lastUpdate>x</lastUpdate></client>", 1000) + plain[i+len("</client>"):], 200, ""},
		{"huge lastUpdate", gp(pw, GetPolicies{LastUpdate: strings.Repeat("9", DefaultMaxBytes-2000)}), 200, ""},
		{"no credentials", gp(Header{MessageID: "urn:uuid:2"}, GetPolicies{}), 500, FaultAuthentication},
		{"X509v3 header token, no signature", gp(Header{MessageID: "urn:uuid:3", Token: NewToken(ValueTypeX509v3, []byte("not a certificate"))}, GetPolicies{}), 500, FaultAuthentication},
		{"user token, hex encoding", gp(Header{MessageID: "urn:uuid:4", Token: &BinarySecurityToken{ValueType: ValueTypeUserToken, EncodingType: "urn:hex", Value: "00ff"}}, GetPolicies{}), 500, ""},
		{"a RequestSecurityToken", rstEnvelope(t, *NewToken(ValueTypePKCS10, []byte{0x30}), pw), 500, FaultMessageFormat},
	} {
		status, fault := post(t, url, "application/soap+xml", tc.body)
		switch {
		case status != tc.status:
			t.Errorf("%s: status %d (%+v), want %d", tc.name, status, fault, tc.status)
		case status == 500 && fault == nil:
			t.Errorf("%s: no fault", tc.name)
		case tc.code != "" && fault.Code != tc.code:
			t.Errorf("%s: fault %s (%s), want %s", tc.name, fault.Code, fault.Reason, tc.code)
		}
	}
}

// TestSecuritySecondElement: a WS-Security header with a second
// UsernameToken, BinarySecurityToken or Timestamp is refused with a
// *DecodeError (ErrStructure) at the second; before, the first was read,
// so a fresh unsigned Timestamp placed before the signed one of an old
// message was the one the Server checked. Over loopback, such a request
// is answered with a MessageFormat fault and not approved.
func TestSecuritySecondElement(t *testing.T) {
	h := Header{MessageID: "urn:uuid:" + newID(), UsernameToken: &UsernameToken{Username: "u", Password: "secret"},
		Token: NewToken(ValueTypeUserToken, []byte("x")), Timestamp: &Timestamp{Created: "2026-01-01T00:00:00Z", Expires: "2026-01-01T00:05:00Z"}}
	body := rstEnvelope(t, *NewToken(ValueTypePKCS10, mustCSR(t, testECKey)), h)
	for _, tc := range []struct{ after, second, local string }{
		{"</o:UsernameToken>", "<o:UsernameToken><o:Username>admin</o:Username></o:UsernameToken>", "UsernameToken"},
		{"</o:BinarySecurityToken>", `<o:BinarySecurityToken ValueType="` + ValueTypeUserToken + `">eQ==</o:BinarySecurityToken>`, "BinarySecurityToken"},
		{"</u:Timestamp>", "<u:Timestamp><u:Created>2026-01-01T00:00:00Z</u:Created></u:Timestamp>", "Timestamp"},
	} {
		i := strings.Index(body, tc.after)
		if i < 0 {
			t.Fatalf("no %s in %s", tc.after, body)
		}
		i += len(tc.after)
		var m RequestSecurityToken
		err := Unmarshal([]byte(body[:i]+tc.second+body[i:]), &m)
		de, ok := errors.AsType[*DecodeError](err)
		if !ok || !errors.Is(err, ErrStructure) || de.Offset != int64(i) || !strings.HasSuffix(de.Path, "/Security/"+tc.local) {
			t.Errorf("second %s: %v, want a *DecodeError of ErrStructure at %d in .../Security/%s", tc.local, err, i, tc.local)
		}
	}

	f := newFixture(t, false)
	approved := 0
	f.srv.Approve = func(context.Context, *EnrollmentRequest) error { approved++; return nil }
	now := time.Now().UTC()
	fresh := &Timestamp{Created: now.Format(time.RFC3339), Expires: now.Add(5 * time.Minute).Format(time.RFC3339)}
	req := rstEnvelope(t, *NewToken(ValueTypePKCS10, mustCSR(t, testECKey)), Header{MessageID: "urn:uuid:" + newID(),
		UsernameToken: &UsernameToken{Username: "u", Password: "secret"}, Timestamp: fresh})
	old := "<u:Timestamp><u:Created>2020-01-01T00:00:00Z</u:Created><u:Expires>2020-01-01T00:05:00Z</u:Expires></u:Timestamp>"
	i := strings.Index(req, "</u:Timestamp>") + len("</u:Timestamp>")
	status, fault := post(t, f.ts.URL+pathEnroll, "application/soap+xml", req[:i]+old+req[i:])
	if status != 500 || fault == nil || fault.Code != FaultMessageFormat || approved != 0 {
		t.Errorf("a fresh Timestamp before an expired one: %d %+v, %d approved; want a MessageFormat fault", status, fault, approved)
	}
}
