package dmclient

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml/ddf"
)

// dmclientDDF parses DMClient.xml from the shared spec folder, skipping
// the test when it is absent.
func dmclientDDF(tb testing.TB) *ddf.Tree {
	tb.Helper()
	data, err := os.ReadFile("../../shared/spec/ddf/DMClient.xml")
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip("DMClient.xml absent")
	}
	if err != nil {
		tb.Fatal(err)
	}
	t, err := ddf.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestEscapeSegment(t *testing.T) {
	tests := []struct{ in, want string }{
		{"MS DM SERVER", "MS%20DM%20SERVER"},
		{"plain-ID_1.2~x", "plain-ID_1.2~x"},
		{"a/b", "a%2Fb"},
		{"100%", "100%25"},
		{"{GUID}", "{GUID}"},
		{"a?b#c", "a%3Fb%23c"},
		{"é", "%C3%A9"},
		{"", ""},
		{".", "%2E"},
		{"..", "%2E%2E"},
		{"...", "..."},
		{"..a", "..a"},
	}
	for _, tt := range tests {
		if got := EscapeSegment(tt.in); got != tt.want {
			t.Errorf("EscapeSegment(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLinkedEnrollmentURIs(t *testing.T) {
	l := LinkedEnrollment{ProviderID: "MS DM SERVER"}
	const base = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment"
	tests := []struct {
		got  URI
		want string
	}{
		{l.URI(), base},
		{l.Priority(), base + "/Priority"},
		{l.Enroll(), base + "/Enroll"},
		{l.Unenroll(), base + "/Unenroll"},
		{l.EnrollStatus(), base + "/EnrollStatus"},
		{l.LastError(), base + "/LastError"},
		{l.DiscoveryEndpoint(), base + "/DiscoveryEndpoint"},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	for _, bad := range []string{"", "a/b", ".", "..", "tab\t", "\xff"} {
		err := (LinkedEnrollment{ProviderID: bad}).Validate()
		if !errors.Is(err, ErrProviderID) {
			t.Errorf("Validate(%q) = %v, want ErrProviderID", bad, err)
			continue
		}
		// the error names the ID and gives a reason, for "" too
		if prefix := ErrProviderID.Error() + " " + strconv.Quote(bad) + ": "; !strings.HasPrefix(err.Error(), prefix) || len(err.Error()) == len(prefix) {
			t.Errorf("Validate(%q) = %q, want %q and a reason", bad, err, prefix)
		}
	}
	if err := l.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
	// A ProviderID of "." or ".." must not climb out of Provider/ in the
	// URIs the builders write, even though Validate refuses it.
	for _, id := range []string{".", ".."} {
		u := string(LinkedEnrollment{ProviderID: id}.Enroll())
		if strings.Contains(u, "/./") || strings.Contains(u, "/../") {
			t.Errorf("ProviderID %q: Enroll URI %s has a dot segment", id, u)
		}
	}
}

// TestGeneratedURIsResolve checks every generated function against the DDF:
// its URI, with awkward instance names, must resolve to the node it was
// generated from.
func TestGeneratedURIsResolve(t *testing.T) {
	tree := dmclientDDF(t)
	if len(generatedNodes) != tree.NodeCount-len(tree.Roots) {
		t.Errorf("%d generated functions for %d non-root nodes", len(generatedNodes), tree.NodeCount-len(tree.Roots))
	}
	names := []string{"MS DM SERVER", "a+b", "ü%"}
	for _, g := range generatedNodes {
		u := g.uri(names...)
		n, err := tree.Lookup(string(u))
		if err != nil {
			t.Errorf("%s: Lookup(%s): %v", g.path, u, err)
			continue
		}
		if n.Path() != g.path {
			t.Errorf("%s resolves to %s", u, n.Path())
		}
	}
}
