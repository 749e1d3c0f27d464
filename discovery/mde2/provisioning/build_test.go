package provisioning

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fullEnrollment sets every field of the typed view.
func fullEnrollment() *Enrollment {
	return &Enrollment{
		RootCerts:   [][]byte{[]byte("root one"), []byte("root two")},
		CACerts:     [][]byte{[]byte("intermediate")},
		ClientCert:  []byte("client"),
		ClientStore: StoreSystem,
		Renew: &Renew{ROBOSupport: new(true), RenewPeriod: new(60 * 24 * time.Hour),
			RetryInterval: new(4 * 24 * time.Hour), ServerURL: "https://enroll.example.com/renew",
			Other: []Node{&Parm{Name: "RetryAfterExpiryInterval", Value: "3", Datatype: "integer"}}},
		Application: &Application{
			ProviderID: "WinDC", Name: "WinDC server", Addr: "https://dm.example.com/ManagementServer/MDM.svc",
			ConnRetryFreq: new(6), InitialBackoff: new(30 * time.Second), MaxBackoff: new(2 * time.Minute),
			BackCompatRetryDisabled: true, DefaultEncoding: EncodingXML,
			SSLClientCertSearchCriteria: SearchCriteria("CN=device", `My\System`),
			Client:                      &AppAuth{Type: "DIGEST", Name: "server", Secret: "s1", Data: []byte{0, 1, 2}, Other: []Node{&Parm{Name: "AAUTHX"}}},
			AppSrv:                      &AppAuth{Type: "BASIC", Name: "device", Secret: "s2"},
			Other:                       []Node{&Parm{Name: "ROLE", Value: "32"}},
		},
		DMClient: &DMClient{
			ProviderID: "WinDC", EntDMID: "dev-1", EntDeviceName: "Desk", UPN: "u@example.com",
			CertRenewTimeStamp: "20260101T000000Z",
			Poll: &Poll{
				NumberOfFirstRetries: new(8), IntervalForFirstSetOfRetries: new(15 * time.Minute),
				NumberOfSecondRetries: new(5), IntervalForSecondSetOfRetries: new(3 * time.Minute),
				NumberOfRemainingScheduledRetries: new(0), IntervalForRemainingScheduledRetries: new(26 * time.Hour),
				PollOnLogin: new(true), AllUsersPollOnFirstLogin: new(false),
				Other: []Node{&Parm{Name: "Future", Value: "1"}},
			},
			Other: []Node{&Parm{Name: "HelpPhoneNumber", Value: "123", Datatype: "string"}},
		},
		Other: []Node{&Characteristic{Type: "EnterpriseAppManagement"}},
	}
}

func TestBuildEnrollmentRoundTrip(t *testing.T) {
	for name, e := range map[string]*Enrollment{
		"full":          fullEnrollment(),
		"renewal":       {ClientCert: []byte("new client"), ClientStore: StoreUser},
		"empty":         {},
		"MAM":           {Application: &Application{ProviderID: "MAM", DefaultEncoding: EncodingXML}, DMClient: &DMClient{ProviderID: "MAM"}},
		"DMClient only": {DMClient: &DMClient{ProviderID: "P", Poll: &Poll{}}},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Build(e)
			if err != nil {
				t.Fatal(err)
			}
			text, err := d.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var back Document
			if err := back.UnmarshalText(text); err != nil {
				t.Fatal(err)
			}
			got, err := back.Enrollment()
			if err != nil {
				t.Fatalf("%v\n%s", err, text)
			}
			if diff := cmp.Diff(e, got); diff != "" {
				t.Errorf("(-built +read)\n%s\n%s", diff, text)
			}
		})
	}
}

// TestBuildShape checks the rules the issue names against the written
// document, read without the typed view.
func TestBuildShape(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	e := fullEnrollment()
	e.RootCerts = [][]byte{der}
	e.Application.DefaultEncoding = ""
	e.DMClient.ProviderID = ""
	d, err := Build(e)
	if err != nil {
		t.Fatal(err)
	}
	cert := d.Find("CertificateStore").Find("Root").Find("System").Nodes[0].(*Characteristic)
	if cert.Type != strings.ToUpper(cert.Type) || len(cert.Type) != 40 {
		t.Errorf("certificate characteristic %q is not an uppercase SHA-1", cert.Type)
	}
	value := cert.Parm("EncodedCertificate").Value
	if strings.ContainsAny(value, " \r\n\t") {
		t.Errorf("base64 with white space")
	}
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(raw)
	if err != nil || parsed.Subject.CommonName != "root" {
		t.Errorf("the certificate does not parse back: %v", err)
	}
	app := d.Find("APPLICATION")
	if got := app.Parm("DEFAULTENCODING").Value; got != EncodingXML {
		t.Errorf("DEFAULTENCODING %q", got)
	}
	if app.Parm("APPID").Value != "w7" || app.Parm("PROVIDER-ID").Value != "WinDC" {
		t.Errorf("APPID or PROVIDER-ID wrong")
	}
	var levels []string
	for _, n := range app.Nodes {
		if c, ok := n.(*Characteristic); ok && c.Type == "APPAUTH" {
			levels = append(levels, c.Parm("AAUTHLEVEL").Value)
		}
	}
	if strings.Join(levels, ",") != "CLIENT,APPSRV" {
		t.Errorf("APPAUTH levels %v", levels)
	}
	if d.Find("DMClient").Find("Provider").Find("WinDC") == nil {
		t.Errorf("the DMClient provider is not named by PROVIDER-ID")
	}
	if my := d.Nodes[1].(*Characteristic).Find("My").Find("System"); my == nil || my.Find("PrivateKeyContainer") == nil {
		t.Errorf("no My/System with PrivateKeyContainer")
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *Enrollment)
		want   error
		path   string
	}{
		{"empty root certificate", func(e *Enrollment) { e.RootCerts = [][]byte{{}} }, ErrRequired, "CertificateStore/Root/System"},
		{"duplicate CA certificate", func(e *Enrollment) { e.CACerts = [][]byte{{1}, {1}} }, ErrInvalid, "CertificateStore/CA/System/" + Thumbprint([]byte{1})},
		{"empty client certificate", func(e *Enrollment) { e.ClientCert = []byte{} }, ErrRequired, "CertificateStore/My/System"},
		{"unknown store", func(e *Enrollment) { e.ClientStore = "Other" }, ErrInvalid, "CertificateStore/My"},
		{"renew period in hours", func(e *Enrollment) { e.Renew.RenewPeriod = new(time.Hour) }, ErrInvalid, "CertificateStore/My/WSTEP/Renew/RenewPeriod"},
		{"negative retry", func(e *Enrollment) { e.Renew.RetryInterval = new(-24 * time.Hour) }, ErrInvalid, "CertificateStore/My/WSTEP/Renew/RetryInterval"},
		{"no provider ID", func(e *Enrollment) { e.Application.ProviderID = "" }, ErrRequired, "APPLICATION/PROVIDER-ID"},
		{"negative CONNRETRYFREQ", func(e *Enrollment) { e.Application.ConnRetryFreq = new(-1) }, ErrInvalid, "APPLICATION/CONNRETRYFREQ"},
		{"backoff in microseconds", func(e *Enrollment) { e.Application.MaxBackoff = new(time.Microsecond) }, ErrInvalid, "APPLICATION/MAXBACKOFFTIME"},
		{"only the CLIENT credential", func(e *Enrollment) { e.Application.AppSrv = nil }, ErrRequired, "APPLICATION/APPAUTH"},
		{"CLIENT with BASIC", func(e *Enrollment) { e.Application.Client.Type = "BASIC" }, ErrInvalid, "APPLICATION/APPAUTH[CLIENT]/AAUTHTYPE"},
		{"APPSRV with another type", func(e *Enrollment) { e.Application.AppSrv.Type = "NTLM" }, ErrInvalid, "APPLICATION/APPAUTH[APPSRV]/AAUTHTYPE"},
		{"ADDR in Other", func(e *Enrollment) { e.Application.Other = []Node{&Parm{Name: "ADDR"}} }, ErrInvalid, "APPLICATION/ADDR"},
		{"APPAUTH in Other", func(e *Enrollment) { e.Application.Other = []Node{&Characteristic{Type: "APPAUTH"}} }, ErrInvalid, "APPLICATION/APPAUTH"},
		{"provider IDs differ", func(e *Enrollment) { e.DMClient.ProviderID = "Other" }, ErrProviderID, "DMClient/Provider/Other"},
		{"no provider ID anywhere", func(e *Enrollment) { e.Application = nil; e.DMClient.ProviderID = "" }, ErrRequired, "DMClient/Provider"},
		{"negative poll count", func(e *Enrollment) { e.DMClient.Poll.NumberOfSecondRetries = new(-1) }, ErrInvalid, "DMClient/Provider/WinDC/Poll/NumberOfSecondRetries"},
		{"poll interval in seconds", func(e *Enrollment) { e.DMClient.Poll.IntervalForFirstSetOfRetries = new(time.Second) }, ErrInvalid, "DMClient/Provider/WinDC/Poll/IntervalForFirstSetOfRetries"},
		{"ServerURL in Renew.Other", func(e *Enrollment) { e.Renew.Other = []Node{&Parm{Name: "ServerURL"}} }, ErrInvalid, "CertificateStore/My/WSTEP/Renew/ServerURL"},
		{"AAUTHLEVEL in AppAuth.Other", func(e *Enrollment) { e.Application.AppSrv.Other = []Node{&Parm{Name: "AAUTHLEVEL"}} }, ErrInvalid, "APPLICATION/APPAUTH[APPSRV]/AAUTHLEVEL"},
		{"PollOnLogin in Poll.Other", func(e *Enrollment) { e.DMClient.Poll.Other = []Node{&Parm{Name: "PollOnLogin"}} }, ErrInvalid, "DMClient/Provider/WinDC/Poll/PollOnLogin"},
		{"EntDMID in Other", func(e *Enrollment) { e.DMClient.Other = []Node{&Parm{Name: "EntDMID"}} }, ErrInvalid, "DMClient/Provider/WinDC/EntDMID"},
		{"nil in Other", func(e *Enrollment) { e.Other = []Node{(*Parm)(nil)} }, ErrValue, "Other[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := fullEnrollment()
			tt.change(e)
			_, err := Build(e)
			var fe *FieldError
			if !errors.Is(err, tt.want) || !errors.As(err, &fe) || fe.Path != tt.path {
				t.Fatalf("got %v; want %v at %s", err, tt.want, tt.path)
			}
			if !strings.HasPrefix(err.Error(), "provisioning: "+tt.path+": ") || strings.Count(err.Error(), "provisioning: ") != 1 {
				t.Errorf("message %q", err)
			}
		})
	}
	if _, err := Build(nil); !errors.Is(err, ErrRequired) {
		t.Errorf("Build(nil): %v", err)
	}
}

func TestEnrollmentErrors(t *testing.T) {
	root := "<wap-provisioningdoc>"
	cert := func(store, name, value string) string {
		return root + `<characteristic type="CertificateStore"><characteristic type="` + store + `">` +
			`<characteristic type="System"><characteristic type="` + name + `"><parm name="EncodedCertificate" value="` + value +
			`"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`
	}
	app := func(parms string) string {
		return root + `<characteristic type="APPLICATION"><parm name="APPID" value="w7"/><parm name="PROVIDER-ID" value="P"/>` +
			parms + `</characteristic></wap-provisioningdoc>`
	}
	good := base64.StdEncoding.EncodeToString([]byte("cert"))
	tests := []struct {
		name string
		in   string
		want error
		path string
	}{
		{"thumbprint differs", cert("Root", "0000000000000000000000000000000000000000", good), ErrThumbprint, "CertificateStore/Root/System/0000000000000000000000000000000000000000/EncodedCertificate"},
		{"base64 with a line break", cert("CA", Thumbprint([]byte("cert")), good[:4]+"&#xA;"+good[4:]), ErrInvalid, "CertificateStore/CA/System/" + Thumbprint([]byte("cert")) + "/EncodedCertificate"},
		{"not base64", cert("Root", "AB", "!!"), ErrInvalid, "CertificateStore/Root/System/AB/EncodedCertificate"},
		{"empty certificate", cert("Root", "AB", ""), ErrRequired, "CertificateStore/Root/System/AB/EncodedCertificate"},
		{"CONNRETRYFREQ not a number", app(`<parm name="CONNRETRYFREQ" value="six"/>`), ErrInvalid, "APPLICATION/CONNRETRYFREQ"},
		{"negative backoff", app(`<parm name="INITIALBACKOFFTIME" value="-1"/>`), ErrInvalid, "APPLICATION/INITIALBACKOFFTIME"},
		{"overflowing backoff", app(`<parm name="MAXBACKOFFTIME" value="99999999999999999"/>`), ErrInvalid, "APPLICATION/MAXBACKOFFTIME"},
		{"ADDR twice", app(`<parm name="ADDR" value="a"/><parm name="ADDR" value="b"/>`), ErrInvalid, "APPLICATION/ADDR"},
		{"APPAUTH without level", app(`<characteristic type="APPAUTH"/>`), ErrRequired, "APPLICATION/APPAUTH/AAUTHLEVEL"},
		{"APPAUTH with another level", app(`<characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="X"/></characteristic>`), ErrInvalid, "APPLICATION/APPAUTH/AAUTHLEVEL"},
		{"two CLIENT APPAUTHs", app(`<characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="CLIENT"/></characteristic><characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="CLIENT"/></characteristic>`), ErrInvalid, "APPLICATION/APPAUTH[CLIENT]"},
		{"AAUTHDATA not base64", app(`<characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="APPSRV"/><parm name="AAUTHDATA" value="*"/></characteristic>`), ErrInvalid, "APPLICATION/APPAUTH[APPSRV]/AAUTHDATA"},
		{"two w7 APPLICATIONs", root + `<characteristic type="APPLICATION"/><characteristic type="APPLICATION"><parm name="APPID" value="w7"/></characteristic></wap-provisioningdoc>`, ErrInvalid, "APPLICATION"},
		{"provider ID differs", root + `<characteristic type="APPLICATION"><parm name="PROVIDER-ID" value="P"/></characteristic><characteristic type="DMClient"><characteristic type="Provider"><characteristic type="Q"/></characteristic></characteristic></wap-provisioningdoc>`, ErrProviderID, "DMClient/Provider/Q"},
		{"poll not a number", root + `<characteristic type="DMClient"><characteristic type="Provider"><characteristic type="Q"><characteristic type="Poll"><parm name="NumberOfFirstRetries" value="1.5"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`, ErrInvalid, "DMClient/Provider/Q/Poll/NumberOfFirstRetries"},
		{"poll not a boolean", root + `<characteristic type="DMClient"><characteristic type="Provider"><characteristic type="Q"><characteristic type="Poll"><parm name="PollOnLogin" value="yes"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`, ErrInvalid, "DMClient/Provider/Q/Poll/PollOnLogin"},
		{"renew period not a number", root + `<characteristic type="CertificateStore"><characteristic type="My"><characteristic type="WSTEP"><characteristic type="Renew"><parm name="RenewPeriod" value="x"/></characteristic></characteristic></characteristic></characteristic></wap-provisioningdoc>`, ErrInvalid, "CertificateStore/My/WSTEP/Renew/RenewPeriod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Document
			if err := d.UnmarshalText([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			_, err := d.Enrollment()
			var fe *FieldError
			if !errors.Is(err, tt.want) || !errors.As(err, &fe) || fe.Path != tt.path {
				t.Fatalf("got %v; want %v at %s", err, tt.want, tt.path)
			}
		})
	}
}

// TestEnrollmentKeepsTheRest: what the view does not model is kept in
// Other, and Build writes it back.
func TestEnrollmentKeepsTheRest(t *testing.T) {
	in := `<wap-provisioningdoc version="1.1">
<characteristic type="CertificateStore"><characteristic type="Root"><characteristic type="User"/></characteristic>
  <characteristic type="My"><characteristic type="WSTEP"><parm name="x"/></characteristic></characteristic></characteristic>
<characteristic type="APPLICATION"><parm name="APPID" value="other"/></characteristic>
<characteristic type="APPLICATION"><parm name="PROVIDER-ID" value="P"/><parm name="ROLE" value="32"/><characteristic type="APPADDR"/></characteristic>
<characteristic type="DMClient"><parm name="UpdateManagementServiceAddress" value="u"/><characteristic type="Provider"><characteristic type="P"><parm name="HelpWebsite" value="w"/></characteristic><characteristic type="Q"/></characteristic></characteristic>
<nocharacteristic type="Z"/>
</wap-provisioningdoc>`
	var d Document
	if err := d.UnmarshalText([]byte(in)); err != nil {
		t.Fatal(err)
	}
	e, err := d.Enrollment()
	if err != nil {
		t.Fatal(err)
	}
	want := &Enrollment{
		Application: &Application{ProviderID: "P", Other: []Node{&Parm{Name: "ROLE", Value: "32"}, &Characteristic{Type: "APPADDR"}}},
		DMClient:    &DMClient{ProviderID: "P", Other: []Node{&Parm{Name: "HelpWebsite", Value: "w"}}},
		Other: []Node{
			char("CertificateStore", char("Root", char("User"))),
			char("CertificateStore", char("My", char("WSTEP", &Parm{Name: "x", NoValue: true}))),
			char("APPLICATION", &Parm{Name: "APPID", Value: "other"}),
			char("DMClient", &Parm{Name: "UpdateManagementServiceAddress", Value: "u"}),
			char("DMClient", char("Provider", char("Q"))),
			&Element{Name: "nocharacteristic", Attrs: []Attr{{"type", "Z"}}},
		},
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	d2, err := Build(e)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := d2.Enrollment()
	if err != nil {
		t.Fatal(err)
	}
	want.Application.DefaultEncoding = EncodingXML
	if diff := cmp.Diff(want, e2); diff != "" {
		t.Errorf("after Build (-want +got)\n%s", diff)
	}
}

func TestSearchCriteria(t *testing.T) {
	got := SearchCriteria("CN=Tester,O=Microsoft", `My\User`, `My\System`)
	want := "Subject=CN%3DTester%2CO%3DMicrosoft&Stores=My%5CUser%EF%80%80My%5CSystem"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := SearchCriteria("a-b_c.d!e~f*g'h(i)j"); got != "Subject=a-b_c.d!e~f*g'h(i)j" {
		t.Errorf("unreserved characters escaped: %s", got)
	}
}

func TestThumbprint(t *testing.T) {
	// SHA-1 of "abc" (FIPS 180 test vector)
	if got := Thumbprint([]byte("abc")); got != "A9993E364706816ABA3E25717850C26C9CD0D89D" {
		t.Errorf("got %s", got)
	}
}

// TestNilNodes: hand-made Documents with nil nodes give errors, not
// panics, and Find chains through missing characteristics.
func TestNilNodes(t *testing.T) {
	for _, d := range []*Document{
		{Nodes: []Node{nil}},
		{Nodes: []Node{(*Characteristic)(nil)}},
		{Nodes: []Node{char("CertificateStore", char("Root", (*Parm)(nil)))}},
		{Nodes: []Node{&Element{Name: "e", Nodes: []Node{(*Text)(nil)}}}},
	} {
		if _, err := d.Enrollment(); !errors.Is(err, ErrValue) {
			t.Errorf("Enrollment: %v, want ErrValue", err)
		}
		if _, err := d.MarshalText(); !errors.Is(err, ErrValue) {
			t.Errorf("MarshalText: %v, want ErrValue", err)
		}
		if d.Find("DMClient").Find("Provider").Parm("x") != nil {
			t.Errorf("Find through nothing found something")
		}
	}
	var d *Document
	if _, err := d.Enrollment(); !errors.Is(err, ErrRequired) {
		t.Errorf("nil Document: %v", err)
	}
}

// TestLowercaseThumbprint: a thumbprint in lower case names the same
// certificate (Build writes upper case).
func TestLowercaseThumbprint(t *testing.T) {
	der := []byte("cert")
	in := `<wap-provisioningdoc><characteristic type="CertificateStore"><characteristic type="My"><characteristic type="User">` +
		`<characteristic type="` + strings.ToLower(Thumbprint(der)) + `"><parm name="EncodedCertificate" value="` +
		base64.StdEncoding.EncodeToString(der) + `"/><characteristic type="PrivateKeyContainer"/></characteristic>` +
		`</characteristic></characteristic></characteristic></wap-provisioningdoc>`
	var d Document
	if err := d.UnmarshalText([]byte(in)); err != nil {
		t.Fatal(err)
	}
	e, err := d.Enrollment()
	if err != nil {
		t.Fatal(err)
	}
	if string(e.ClientCert) != "cert" || e.ClientStore != StoreUser {
		t.Errorf("got %q in %q", e.ClientCert, e.ClientStore)
	}
}

// char returns a characteristic of the given type holding nodes.
func char(typ string, nodes ...Node) *Characteristic {
	return &Characteristic{Type: typ, Nodes: nodes}
}

// TestAuthorityTextKept: the text of root and intermediate certificates
// is kept between documents; a caller changing its slice afterwards, and
// more authorities than are kept, still give each document its own
// certificates.
func TestAuthorityTextKept(t *testing.T) {
	der := []byte("0123456789 a root certificate's DER")
	check := func(d *Document, want []byte) {
		t.Helper()
		c := d.Find(cspCertificateStore).Find("Root").Find("System")
		if c == nil || len(c.Nodes) != 1 {
			t.Fatalf("no root in %v", d)
		}
		got := c.Nodes[0].(*Characteristic)
		if got.Type != Thumbprint(want) || got.Parm(parmEncodedCert).Value != base64.StdEncoding.EncodeToString(want) {
			t.Errorf("root %s %s, want the certificate %q", got.Type, got.Parm(parmEncodedCert).Value, want)
		}
	}
	for i := range 2 * maxAuthorities {
		d, err := Build(&Enrollment{RootCerts: [][]byte{der}})
		if err != nil {
			t.Fatal(err)
		}
		check(d, []byte("0123456789 a root certificate's DER"))
		// the same bytes again, then a new certificate in the same slice
		if d, err = Build(&Enrollment{RootCerts: [][]byte{der}}); err != nil {
			t.Fatal(err)
		}
		check(d, der)
		other := []byte("another authority " + strconv.Itoa(i))
		if d, err = Build(&Enrollment{RootCerts: [][]byte{other}}); err != nil {
			t.Fatal(err)
		}
		check(d, other)
	}
	der[0] = 'X'
	d, err := Build(&Enrollment{RootCerts: [][]byte{der}})
	if err != nil {
		t.Fatal(err)
	}
	check(d, []byte("X123456789 a root certificate's DER"))
}
