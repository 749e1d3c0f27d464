package mde2

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/internal/xmlerr/errtest"
)

const envOpen = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:MessageID>m1</a:MessageID></s:Header><s:Body>`
const envClose = `</s:Body></s:Envelope>`

// TestDecodeErrors: refused input is a DecodeError with a position and
// path, or a LimitError, matching the shared sentinels; messages start
// with "mde2: " once.
func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		lim   Limits
		want  error
		limit string
		path  string
		line  int
	}{
		{"syntax", envOpen + "<Discover>", Limits{}, ErrSyntax, "", "/Envelope/Body/Discover", 1},
		{"DOCTYPE", `<!DOCTYPE s:Envelope>` + envOpen + envClose, Limits{}, ErrDOCTYPE, "", "", 1},
		{"undeclared prefix", envOpen + "<p:Discover/>" + envClose, Limits{}, ErrNamespace, "", "/Envelope/Body/Discover", 1},
		{"undeclared attribute prefix", envOpen + `<Discover p:a="1"/>` + envClose, Limits{}, ErrNamespace, "", "/Envelope/Body/Discover", 1},
		{"duplicate attribute", envOpen + `<Discover a="1" a="2"/>` + envClose, Limits{}, ErrDuplicateAttr, "", "/Envelope/Body/Discover", 1},
		{"invalid character", envOpen + "&#0;" + envClose, Limits{}, ErrInvalidChar, "", "/Envelope/Body", 1},
		{"entity", envOpen + "&nbsp;" + envClose, Limits{}, ErrEntity, "", "/Envelope/Body", 1},
		{"invalid UTF-8", envOpen + "\xff" + envClose, Limits{}, ErrEncoding, "", "/Envelope/Body", 1},
		{"not an envelope", `<Envelope/>`, Limits{}, ErrStructure, "", "/Envelope", 1},
		{"no body", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>`, Limits{}, ErrStructure, "", "/Envelope", 1},
		{"two roots", envOpen + envClose + "<x/>", Limits{}, ErrSyntax, "", "", 1},
		{"wrong message", envOpen + "\n<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\"/>" + envClose, Limits{}, ErrStructure, "", "/Envelope/Body/GetPolicies", 2},
		{"two body elements", envOpen + "<a/><b/>" + envClose, Limits{}, ErrStructure, "", "/Envelope/Body/b", 1},
		{"depth", envOpen + "<a><b><c/></b></a>" + envClose, Limits{MaxDepth: 4}, ErrLimit, "MaxDepth", "/Envelope/Body/a/b", 0},
		{"bytes", envOpen + envClose, Limits{MaxBytes: 10}, ErrLimit, "MaxBytes", "", 0},
		{"tokens", envOpen + strings.Repeat("<a/>", 10) + envClose, Limits{MaxTokens: 8}, ErrLimit, "MaxTokens", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Discover
			err := UnmarshalLimits([]byte(tc.in), &m, tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
			if !errtest.PrefixOnce(err.Error(), "mde2: ") {
				t.Errorf("%q: want %q once at the start", err, "mde2: ")
			}
			if tc.limit != "" {
				var le *LimitError
				if !errors.As(err, &le) || le.Limit != tc.limit {
					t.Errorf("%v: want a LimitError on %s", err, tc.limit)
				} else if tc.path != "" && le.Path != tc.path {
					t.Errorf("path %q, want %q", le.Path, tc.path)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%v (%T) is not a DecodeError", err, err)
			}
			if de.Line != tc.line || de.Column < 1 || de.Path != tc.path {
				t.Errorf("line %d column %d path %q, want line %d path %q", de.Line, de.Column, de.Path, tc.line, tc.path)
			}
			if errors.Is(err, ErrLimit) {
				t.Error("a DecodeError matches ErrLimit")
			}
		})
	}
}

// TestDecodeValues checks the values read from a documented sample and
// from the tolerant forms.
func TestDecodeValues(t *testing.T) {
	in := `<?xml version="1.0"?>
<s:Envelope xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:s="http://www.w3.org/2003/05/soap-envelope">
  <s:Header>
    <a:Action s:mustUnderstand="1">
      http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover
    </a:Action>
    <a:MessageID>urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478</a:MessageID>
    <a:To s:mustUnderstand="1">https://proxy.example/EnrollmentServer/Discovery.svc</a:To>
  </s:Header>
  <s:Body>
    <Discover xmlns="http://schemas.microsoft.com/windows/management/2012/01/enrollment/">
      <request xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
        <EmailAddress>user@contoso.com</EmailAddress>
        <RequestVersion>9.0</RequestVersion>
        <AuthPolicies><AuthPolicy>OnPremise</AuthPolicy><AuthPolicy>Federated</AuthPolicy></AuthPolicies>
        <HWDevID>abc</HWDevID>
      </request>
    </Discover>
  </s:Body>
</s:Envelope>`
	var m Discover
	if err := Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	want := Discover{
		Header: Header{
			Action:    ActionDiscover,
			MessageID: "urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478",
			To:        "https://proxy.example/EnrollmentServer/Discovery.svc",
		},
		EmailAddress:   "user@contoso.com",
		RequestVersion: "9.0",
		AuthPolicies:   []AuthPolicy{OnPremise, Federated},
		Other:          []Field{{Name: "HWDevID", Value: "abc"}},
	}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// SOAP 1.1 and a fault in lower case, as documented.
	fault := `<s:envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:body><s:fault><s:code><s:value>s:receiver</s:value><s:subcode><s:value>s:authorization</s:value></s:subcode></s:code><s:reason><s:text xml:lang="en-us">device cap reached</s:text></s:reason><s:detail><deviceenrollmentserviceerror xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollment"><errortype>devicecapreached</errortype><message>cap</message><traceid>t1</traceid></deviceenrollmentserviceerror></s:detail></s:fault></s:body></s:envelope>`
	var dr DiscoverResponse
	err := Unmarshal([]byte(fault), &dr)
	var f *Fault
	if !errors.As(err, &f) || f.Code != FaultAuthorization || f.ErrorType != ErrorDeviceCapReached || f.HRESULT() != 0x80180013 || f.TraceID != "t1" {
		t.Errorf("fault: %v %+v", err, f)
	}
	soap11 := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><DiscoverResponse xmlns="http://schemas.microsoft.com/windows/management/2012/01/enrollment"><DiscoverResult><AuthPolicy>Federated</AuthPolicy><EnrollmentServiceUrl> https://e.example/ </EnrollmentServiceUrl></DiscoverResult></DiscoverResponse></s:Body></s:Envelope>`
	if err := Unmarshal([]byte(soap11), &dr); err != nil || !dr.Header.SOAP11 || dr.EnrollmentServiceURL != "https://e.example/" {
		t.Errorf("SOAP 1.1: %v %+v", err, dr)
	}
}

// TestMarshalRefuses values XML cannot carry.
func TestMarshalRefuses(t *testing.T) {
	for _, m := range []Message{
		&Discover{EmailAddress: "a\x00b"},
		&Discover{Other: []Field{{Name: "1bad", Value: "x"}}},
		&Fault{Reason: "\xff"},
	} {
		if _, err := Marshal(m); !errors.Is(err, ErrStructure) {
			t.Errorf("%T: %v, want ErrStructure", m, err)
		}
	}
}

// TestDecodeEncodings: UTF-16 with a byte-order mark and declared legacy
// encodings are transcoded; UTF-8 declared as UTF-16 (as Windows sends)
// is read as UTF-8; an unknown encoding is ErrEncoding.
func TestDecodeEncodings(t *testing.T) {
	body := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><DiscoverResponse xmlns="http://schemas.microsoft.com/windows/management/2012/01/enrollment"><DiscoverResult><AuthPolicy>OnPremise</AuthPolicy><EnrollmentServiceUrl>https://e.example/é</EnrollmentServiceUrl></DiscoverResult></DiscoverResponse></s:Body></s:Envelope>`
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range body {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	latin1 := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>` + strings.Replace(body, "é", "\xe9", 1))
	for name, in := range map[string][]byte{
		"UTF-16LE BOM":        utf16le,
		"ISO-8859-1":          latin1,
		"UTF-8 BOM":           append([]byte("\xEF\xBB\xBF"), body...),
		"UTF-8 said UTF-16":   []byte(`<?xml version="1.0" encoding="utf-16"?>` + body),
		"leading white space": []byte("\n  " + body),
	} {
		var m DiscoverResponse
		if err := Unmarshal(in, &m); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.EnrollmentServiceURL != "https://e.example/é" {
			t.Errorf("%s: %q", name, m.EnrollmentServiceURL)
		}
	}
	var m DiscoverResponse
	if err := Unmarshal([]byte(`<?xml version="1.0" encoding="x-unknown"?>`+body), &m); !errors.Is(err, ErrEncoding) {
		t.Errorf("unknown encoding: %v", err)
	}
}

// TestTokenBytes: base64 with or without white space decodes; the token
// is left as it was; a bad token is ErrStructure.
func TestTokenBytes(t *testing.T) {
	for in, want := range map[string]string{"QUJD": "ABC", "QU JD\r\n": "ABC", "\n QUJDRA==\n": "ABCD", "": ""} {
		tok := &BinarySecurityToken{Value: in}
		got, err := tok.Bytes()
		if err != nil || string(got) != want || tok.Value != in {
			t.Errorf("%q: %q, %v (value now %q)", in, got, err, tok.Value)
		}
	}
	for _, bad := range []string{"QUJ", "QU=D", "Q!JD"} {
		if _, err := (&BinarySecurityToken{Value: bad}).Bytes(); !errors.Is(err, ErrStructure) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestEnvelopeOneHeaderAndBody: a second SOAP Body or Header is refused
// at its start tag, so that the Body a Server reads is the one a message
// signature (Server.X509Token) covers, not an unsigned one beside it.
func TestEnvelopeOneHeaderAndBody(t *testing.T) {
	b, err := Marshal(&GetPolicies{Header: Header{MessageID: "urn:uuid:1", Token: NewToken(ValueTypeX509v3, []byte("cert"))}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	hdrAt, bodyAt := strings.Index(s, "<s:Header>"), strings.Index(s, "<s:Body>")
	hdr, body := s[hdrAt:bodyAt], s[bodyAt:strings.Index(s, "</s:Envelope>")]
	for name, in := range map[string]string{
		"two Bodies":              s[:bodyAt] + body + body + "</s:Envelope>",
		"a Body in another case":  s[:bodyAt] + body + strings.ReplaceAll(body, "s:Body", "s:BODY") + "</s:Envelope>",
		"two Headers":             s[:bodyAt] + hdr + body + "</s:Envelope>",
		"a Header after the Body": s[:bodyAt] + body + hdr + "</s:Envelope>",
	} {
		var m GetPolicies
		err := Unmarshal([]byte(in), &m)
		if !errors.Is(err, ErrStructure) {
			t.Errorf("%s: %v, want ErrStructure", name, err)
			continue
		}
		var de *DecodeError
		second := strings.LastIndex(in, "<s:"+map[bool]string{true: "Header", false: "B"}[strings.Contains(name, "Header")])
		if !errors.As(err, &de) || de.Offset != int64(second) {
			t.Errorf("%s: %v, want a DecodeError at offset %d", name, err, second)
		}
	}
}

// TestHeaderNamespaces: each header element is read in its own namespace
// (WS-Addressing, WS-Security secext and utility, WCF diagnostics), so a
// look-alike of the same local name in another namespace, placed first,
// is ignored rather than read as the credential or address beside the
// real one (XML Signature wrapping); a second wsse:Security is refused.
func TestHeaderNamespaces(t *testing.T) {
	want := Header{Action: ActionGetPolicies, MessageID: "urn:uuid:1", To: "https://h/p",
		UsernameToken: &UsernameToken{Username: "u", Password: "p"},
		Token:         NewToken(ValueTypeX509v3, []byte("cert")),
		Timestamp:     &Timestamp{Created: "c", Expires: "e"}}
	b, err := Marshal(&GetPolicies{Header: want})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	const secOpen = `<o:Security s:mustUnderstand="1" xmlns:o="` + nsWSSE + `">`
	if !strings.Contains(s, "<s:Header><a:Action") || !strings.Contains(s, secOpen) || !strings.Contains(s, "<o:UsernameToken><o:Username>") {
		t.Fatalf("Marshal output changed form: %s", s)
	}
	evilSec := `<x:Security xmlns:x="urn:evil"><x:UsernameToken><x:Username>evil</x:Username><x:Password>evil</x:Password></x:UsernameToken>` +
		`<x:BinarySecurityToken ValueType="` + ValueTypeX509v3 + `">ZXZpbA==</x:BinarySecurityToken>` +
		`<x:Timestamp><x:Created>evil</x:Created></x:Timestamp></x:Security>`
	for name, in := range map[string]string{
		"addressing look-alikes first": strings.Replace(s, "<s:Header>", `<s:Header><x:Action xmlns:x="urn:evil">evil</x:Action>`+
			`<x:MessageID xmlns:x="urn:evil">evil</x:MessageID><To>evil</To><x:RelatesTo xmlns:x="urn:evil">evil</x:RelatesTo>`, 1),
		"a Security in another namespace first": strings.Replace(s, "<s:Header>", "<s:Header>"+evilSec, 1),
		"a Security in no namespace first":      strings.Replace(s, "<s:Header>", "<s:Header>"+strings.NewReplacer("x:", "", ` xmlns:x="urn:evil"`, "").Replace(evilSec), 1),
		"look-alike tokens inside the Security": strings.Replace(strings.Replace(s, secOpen, secOpen+
			`<x:UsernameToken xmlns:x="urn:evil"><x:Username>evil</x:Username></x:UsernameToken>`+
			`<x:BinarySecurityToken xmlns:x="urn:evil">ZXZpbA==</x:BinarySecurityToken>`+
			`<o:Timestamp><o:Created>evil</o:Created></o:Timestamp>`, 1),
			"<o:UsernameToken><o:Username>", `<o:UsernameToken><x:Username xmlns:x="urn:evil">evil</x:Username><o:Username>`, 1),
	} {
		var m GetPolicies
		if err := Unmarshal([]byte(in), &m); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diff := cmp.Diff(want, m.Header); diff != "" {
			t.Errorf("%s: header (-want +got):\n%s", name, diff)
		}
	}

	// the ActivityId namespace as the samples spell it and as written
	for _, ns := range []string{nsDiag, "http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics"} {
		in := strings.Replace(s, "<s:Header>", `<s:Header><ActivityId CorrelationId="c" xmlns="`+ns+`">act</ActivityId>`, 1)
		var m GetPolicies
		if err := Unmarshal([]byte(in), &m); err != nil || m.Header.ActivityID != "act" {
			t.Errorf("ActivityId in %s: %q, %v", ns, m.Header.ActivityID, err)
		}
	}

	// two wsse:Security headers: refused at the second
	sec := s[strings.Index(s, secOpen) : strings.Index(s, "</o:Security>")+len("</o:Security>")]
	for name, second := range map[string]string{
		"the same prefix":  sec,
		"another prefix":   strings.NewReplacer("o:", "w:", "xmlns:o=", "xmlns:w=").Replace(sec),
		"a default xmlns":  strings.NewReplacer("o:", "", "xmlns:o=", "xmlns=").Replace(sec),
		"another case":     strings.ReplaceAll(sec, "o:Security", "o:SECURITY"),
		"an empty element": `<o:Security xmlns:o="` + nsWSSE + `"/>`,
	} {
		in := strings.Replace(s, "</s:Header>", second+"</s:Header>", 1)
		at := strings.Index(in, second+"</s:Header>")
		var m GetPolicies
		err := Unmarshal([]byte(in), &m)
		var de *DecodeError
		if !errors.Is(err, ErrStructure) || !errors.As(err, &de) || de.Offset != int64(at) {
			t.Errorf("second Security, %s: %v, want ErrStructure at offset %d", name, err, at)
		}
	}
}
