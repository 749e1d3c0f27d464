package provisioning

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// specDir is the shared reference folder, read in place.
const specDir = "../../../../shared/spec"

var sampleRE = regexp.MustCompile(`(?s)<wap-provisioningdoc.*?</wap-provisioningdoc>`)

// specSamples returns the provisioning documents of a page, in order; the
// test skips when the folder is absent.
func specSamples(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(specDir, file))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present", file)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range sampleRE.FindAll(b, -1) {
		out = append(out, string(m))
	}
	return out
}

const (
	federated   = "ms-docs/client-management/federated-authentication-device-enrollment.md"
	certificate = "ms-docs/client-management/certificate-authentication-device-enrollment.md"
	onPremise   = "ms-docs/client-management/on-premise-authentication-device-enrollment.md"
	renewal     = "ms-docs/client-management/certificate-renewal-windows-mdm.md"
	mde2        = "openspecs/ms-mde2/MS-MDE2.md"
)

// TestSpecSamples reads every provisioning document Microsoft documents.
// The well-formed ones decode and meet the exactness rules (canonical
// fixed point, the same tree as the sample); the others are refused with a
// DecodeError, for the reason the table gives. Their Enrollment fails on
// placeholders such as "B64EncodedCertInsertedHere", except where the
// table says it reads.
func TestSpecSamples(t *testing.T) {
	type sample struct {
		file   string
		index  int
		reason string // why it is not well-formed; "" when it is
		view   error  // what Enrollment says (nil: it reads)
	}
	table := []sample{
		{federated, 0, "`<!-If the datatype ...` is not a comment (one hyphen)", nil},
		{certificate, 0, "", ErrInvalid}, // AAUTHDATA "B64encodedBinaryNonceInsertedHere" is not base64
		{onPremise, 0, "", ErrInvalid},
		{renewal, 0, "", ErrInvalid}, // EncodedCertificate "EncodedCertInsertedHere"
		{mde2, 0, "`&Stores=` in an attribute value: an unescaped ampersand", nil},
		{mde2, 1, "`&Stores=` in an attribute value: an unescaped ampersand", nil},
		{mde2, 2, "", nil}, // the MAM sample
	}
	counts := map[string]int{}
	for _, s := range table {
		counts[s.file]++
	}
	for file, n := range counts {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if got := len(specSamples(t, file)); got != n {
				t.Errorf("%d samples in %s, the table has %d", got, file, n)
			}
		})
	}
	for _, s := range table {
		t.Run(filepath.Base(s.file)+"/"+string(rune('0'+s.index)), func(t *testing.T) {
			text := specSamples(t, s.file)[s.index]
			var d Document
			err := Unmarshal([]byte(text), &d)
			if s.reason != "" {
				var de *DecodeError
				if !errors.As(err, &de) || !errors.Is(err, ErrSyntax) {
					t.Fatalf("want a DecodeError (%s), got %v", s.reason, err)
				}
				t.Logf("refused as expected (%s): %v", s.reason, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := Marshal(&d)
			if err != nil {
				t.Fatal(err)
			}
			var again Document
			if err := Unmarshal(c, &again); err != nil {
				t.Fatal(err)
			}
			if c2, err := Marshal(&again); err != nil || string(c2) != string(c) {
				t.Errorf("canonical form is not a fixed point: %v", err)
			}
			if err := sameTree(text, string(c)); err != nil {
				t.Errorf("canonical form says something else: %v", err)
			}
			if _, err := d.Enrollment(); !errors.Is(err, s.view) {
				t.Errorf("Enrollment: %v, want %v", err, s.view)
			}
		})
	}
}

// TestSpecMAM reads the typed view of MS-MDE2's MAM sample.
func TestSpecMAM(t *testing.T) {
	var d Document
	if err := Unmarshal([]byte(specSamples(t, mde2)[2]), &d); err != nil {
		t.Fatal(err)
	}
	e, err := d.Enrollment()
	if err != nil {
		t.Fatal(err)
	}
	want := &Enrollment{
		Application: &Application{ProviderID: "MAM SyncML Server", Name: "mddprov account", Addr: "http://localhost:88",
			DefaultEncoding: EncodingXML},
		DMClient: &DMClient{ProviderID: "MAM SyncML Server", Poll: &Poll{
			NumberOfRemainingScheduledRetries: new(0), IntervalForRemainingScheduledRetries: new(480 * time.Minute)}},
	}
	if s := cmp.Diff(want, e); s != "" {
		t.Errorf("(-want +got)\n%s", s)
	}
}

// TestSpecFilled reads the typed view of the documented enrollment
// answers once their placeholders are replaced by real values: the
// certificate characteristics named by the thumbprint of what they hold,
// and a base64 nonce.
func TestSpecFilled(t *testing.T) {
	for _, file := range []string{certificate, onPremise} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			text := specSamples(t, file)[0]
			root, client := []byte("documented root"), []byte("documented client")
			text = strings.NewReplacer(
				"031336C933CC7E228B88880D78824FB2909A0A2F", Thumbprint(root),
				"B64 encoded cert insert here", stdB64(root),
				"F9A4F20FC50D990FDD0E3DB9AFCBF401818D5462", Thumbprint(client),
				"B64EncodedCertInsertedHere", stdB64(client),
				"B64encodedBinaryNonceInsertedHere", stdB64([]byte("nonce")),
			).Replace(text)
			var d Document
			if err := Unmarshal([]byte(text), &d); err != nil {
				t.Fatal(err)
			}
			e, err := d.Enrollment()
			if err != nil {
				t.Fatal(err)
			}
			want := &Enrollment{
				RootCerts: [][]byte{root}, ClientCert: client, ClientStore: StoreUser,
				Renew: &Renew{ROBOSupport: new(true), RenewPeriod: new(60 * 24 * time.Hour), RetryInterval: new(4 * 24 * time.Hour)},
				Application: &Application{
					ProviderID: "TestMDMServer", Name: "Microsoft", Addr: "https://DM.contoso.com:443/omadm/Windows.ashx",
					ConnRetryFreq: new(6), InitialBackoff: new(30 * time.Second), MaxBackoff: new(2 * time.Minute),
					BackCompatRetryDisabled: true, DefaultEncoding: EncodingWBXML,
					SSLClientCertSearchCriteria: "Subject=DC%3dcom%2cDC%3dmicrosoft%2cCN%3dUsers%2cCN%3dAdministrator&amp;Stores=My%5CUser",
					Client:                      &AppAuth{Type: "DIGEST", Secret: "password1", Data: []byte("nonce")},
					AppSrv:                      &AppAuth{Type: "BASIC", Name: "testclient", Secret: "password2"},
				},
				DMClient: &DMClient{ProviderID: "TestMDMServer", EntDeviceName: "Administrator_Windows", Poll: &Poll{
					NumberOfFirstRetries: new(8), IntervalForFirstSetOfRetries: new(15 * time.Minute),
					NumberOfSecondRetries: new(5), IntervalForSecondSetOfRetries: new(3 * time.Minute),
					NumberOfRemainingScheduledRetries: new(0), IntervalForRemainingScheduledRetries: new(1560 * time.Minute),
					PollOnLogin: new(true)}},
			}
			if file == certificate {
				want.DMClient.UPN = "UserPrincipalName"
			}
			if s := cmp.Diff(want, e); s != "" {
				t.Errorf("(-want +got)\n%s", s)
			}
		})
	}
}

func stdB64(b []byte) string {
	d, _ := Build(&Enrollment{RootCerts: [][]byte{b}})
	return d.Find("CertificateStore").Find("Root").Find("System").Find(Thumbprint(b)).Parm("EncodedCertificate").Value
}
