package dmclient

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestReadForProvider: the LinkedEnrollment readers take a result only
// from their own provider's node; another provider's is an error wrapping
// ErrOtherProvider, never a value, where the package functions take any.
func TestReadForProvider(t *testing.T) {
	l := LinkedEnrollment{ProviderID: testProvider}
	const other = "./Device/Vendor/MSFT/DMClient/Provider/Other/LinkedEnrollment/"
	tests := []struct {
		name string
		r    *syncml.Results
		want EnrollStatus
		err  error
	}{
		{"own", results(testBase+"EnrollStatus", "4"), StatusEnrollmentSucceeded, nil},
		{"own, other forms", results("device/vendor/msft/dmclient/provider/MS DM SERVER/linkedenrollment/enrollstatus", "4"), StatusEnrollmentSucceeded, nil},
		{"other provider", results(other+"EnrollStatus", "4"), 0, ErrOtherProvider},
		{"provider differs in case", results("./Device/Vendor/MSFT/DMClient/Provider/ms dm server/LinkedEnrollment/EnrollStatus", "4"), 0, ErrOtherProvider},
		{"other and own", &syncml.Results{Items: []syncml.Item{
			{Source: &syncml.Location{LocURI: other + "EnrollStatus"}, Data: syncml.Text("4")},
			{Source: &syncml.Location{LocURI: testBase + "EnrollStatus"}, Data: syncml.Text("2")},
		}}, StatusEnrollmentInProgress, nil},
		{"other node", results(testBase+"LastError", "4"), 0, ErrNoResult},
		{"no Source", &syncml.Results{Items: []syncml.Item{{Data: syncml.Text("4")}}}, 0, ErrNoResult},
		{"empty", &syncml.Results{}, 0, ErrNoResult},
		{"nil", nil, 0, ErrNoResult},
		{"bad value", results(testBase+"EnrollStatus", "four"), 0, ErrBadValue},
	}
	for _, tt := range tests {
		got, err := l.ReadEnrollStatus(tt.r)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got != tt.want {
			t.Errorf("%s: ReadEnrollStatus = %v, %v; want %v, %v", tt.name, got, err, tt.want, tt.err)
		}
	}

	// every reader checks the provider
	if h, err := l.ReadLastError(results(other+"LastError", "-2147024894")); !errors.Is(err, ErrOtherProvider) {
		t.Errorf("ReadLastError of another provider = %v, %v", h, err)
	}
	if h, err := l.ReadLastError(results(testBase+"LastError", "-2147024894")); err != nil || h != ErrorFileNotFound {
		t.Errorf("ReadLastError = %v, %v", h, err)
	}
	if ep, err := l.ReadDiscoveryEndpoint(results(other+"DiscoveryEndpoint", testEndpoint)); !errors.Is(err, ErrOtherProvider) {
		t.Errorf("ReadDiscoveryEndpoint of another provider = %q, %v", ep, err)
	}
	if ep, err := l.ReadDiscoveryEndpoint(results(testBase+"DiscoveryEndpoint", testEndpoint)); err != nil || ep != testEndpoint {
		t.Errorf("ReadDiscoveryEndpoint = %q, %v", ep, err)
	}
	if p, err := l.ReadPriority(results(other+"Priority", "1")); !errors.Is(err, ErrOtherProvider) {
		t.Errorf("ReadPriority of another provider = %d, %v", p, err)
	}
	if p, err := l.ReadPriority(results(testBase+"Priority", "1")); err != nil || p != 1 {
		t.Errorf("ReadPriority = %d, %v", p, err)
	}

	// a LinkedEnrollment whose ProviderID cannot name a node says so
	for _, bad := range []string{"", "a/b"} {
		if s, err := (LinkedEnrollment{ProviderID: bad}).ReadEnrollStatus(results(other+"EnrollStatus", "4")); !errors.Is(err, ErrProviderID) {
			t.Errorf("ProviderID %q: ReadEnrollStatus = %v, %v; want ErrProviderID", bad, s, err)
		}
	}
}

// TestReadDuplicates: Results naming a node in several items are read
// when the items agree and refused with ErrConflict when they do not, as
// taking the first would drop the other value unseen.
func TestReadDuplicates(t *testing.T) {
	const other = "./Device/Vendor/MSFT/DMClient/Provider/Other/LinkedEnrollment/"
	items := func(kv ...string) *syncml.Results {
		r := &syncml.Results{CmdRef: "4"}
		for i := 0; i < len(kv); i += 2 {
			r.Items = append(r.Items, syncml.Item{Source: &syncml.Location{LocURI: kv[i]}, Data: syncml.Text(kv[i+1])})
		}
		return r
	}
	l := LinkedEnrollment{ProviderID: testProvider}
	tests := []struct {
		name           string
		r              *syncml.Results
		pkg, own       string // endpoints read, "" for ErrConflict
		pkgErr, ownErr error
	}{
		{"same twice", items(testBase+"DiscoveryEndpoint", "https://a/", "./device/vendor/msft/dmclient/provider/MS%20DM%20SERVER/linkedenrollment/discoveryendpoint", "https://a/"),
			"https://a/", "https://a/", nil, nil},
		{"own twice, differing", items(testBase+"DiscoveryEndpoint", "https://a/", testBase+"DiscoveryEndpoint", "https://b/"),
			"", "", ErrConflict, ErrConflict},
		{"own and other, differing", items(other+"DiscoveryEndpoint", "https://o/", testBase+"DiscoveryEndpoint", "https://a/"),
			"", "https://a/", ErrConflict, nil},
		{"own and other, same", items(other+"DiscoveryEndpoint", "https://a/", testBase+"DiscoveryEndpoint", "https://a/"),
			"https://a/", "https://a/", nil, nil},
		{"other twice, differing", items(other+"DiscoveryEndpoint", "https://o/", other+"DiscoveryEndpoint", "https://p/"),
			"", "", ErrConflict, ErrOtherProvider},
		{"another node beside", items(testBase+"EnrollStatus", "4", testBase+"DiscoveryEndpoint", "https://a/"),
			"https://a/", "https://a/", nil, nil},
	}
	for _, tt := range tests {
		got, err := ReadDiscoveryEndpoint(tt.r)
		if !errors.Is(err, tt.pkgErr) || tt.pkgErr == nil && err != nil || got != tt.pkg {
			t.Errorf("%s: ReadDiscoveryEndpoint = %q, %v; want %q, %v", tt.name, got, err, tt.pkg, tt.pkgErr)
		}
		got, err = l.ReadDiscoveryEndpoint(tt.r)
		if !errors.Is(err, tt.ownErr) || tt.ownErr == nil && err != nil || got != tt.own {
			t.Errorf("%s: l.ReadDiscoveryEndpoint = %q, %v; want %q, %v", tt.name, got, err, tt.own, tt.ownErr)
		}
	}
	// every reader goes through the same search
	r := items(testBase+"EnrollStatus", "4", testBase+"EnrollStatus", "3")
	if s, err := ReadEnrollStatus(r); !errors.Is(err, ErrConflict) {
		t.Errorf("ReadEnrollStatus of 4 and 3 = %v, %v", s, err)
	} else if want := `LinkedEnrollment/EnrollStatus of provider "MS DM SERVER" in Results "4" is both "4" and "3"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
	if s, err := l.ReadEnrollStatus(r); !errors.Is(err, ErrConflict) {
		t.Errorf("l.ReadEnrollStatus of 4 and 3 = %v, %v", s, err)
	}
	if h, err := ReadLastError(items(testBase+"LastError", "0", testBase+"LastError", "-2147024894")); !errors.Is(err, ErrConflict) {
		t.Errorf("ReadLastError of 0 and a failure = %v, %v", h, err)
	}
	if p, err := l.ReadPriority(items(testBase+"Priority", "1", testBase+"Priority", "2")); !errors.Is(err, ErrConflict) {
		t.Errorf("l.ReadPriority of 1 and 2 = %v, %v", p, err)
	}
	// the readers ignore XML spaces around a value: so does the comparison
	r = items(testBase+"EnrollStatus", "4", testBase+"EnrollStatus", " 4\n")
	for name, read := range map[string]func(*syncml.Results) (EnrollStatus, error){"ReadEnrollStatus": ReadEnrollStatus, "l.ReadEnrollStatus": l.ReadEnrollStatus} {
		if s, err := read(r); err != nil || s != 4 {
			t.Errorf("%s of 4 and \" 4\\n\" = %v, %v; want 4", name, s, err)
		}
	}
	if p, err := l.ReadPriority(items(testBase+"Priority", "\t2", testBase+"Priority", "2\u00a0")); !errors.Is(err, ErrConflict) {
		t.Errorf("l.ReadPriority of \"\\t2\" and \"2\\u00a0\" = %v, %v; want ErrConflict (U+00A0 is no XML space)", p, err)
	}
}
