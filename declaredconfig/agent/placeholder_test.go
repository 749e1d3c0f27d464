package agent

import "testing"

// TestFillUnclosedPlaceholder: an "@#" that no "#" closes names no
// variable. In a path it is bad (the node would carry "@#" in its name,
// one the template does not name); in a value it stays as written. The
// fuzzer found a bulk template whose path "PFXCertInstall/@#t" was set
// as written.
func TestFillUnclosedPlaceholder(t *testing.T) {
	vars := map[string]string{"t": "x", "n": "Name"}
	for _, tc := range []struct {
		in, out      string
		segment      bool
		missing, bad bool
	}{
		{"PFXCertInstall/@#t", "PFXCertInstall/@#t", true, false, true},
		{"A/@#n#/@#t", "A/Name/@#t", true, false, true},
		{"A/@#n#", "A/Name", true, false, false},
		{"A/@#u#", "A/@#u#", true, true, false},
		{"value @#t", "value @#t", false, false, false},
		{"@#n# and @#", "Name and @#", false, false, false},
	} {
		out, missing, bad := fill(tc.in, vars, tc.segment)
		if out != tc.out || missing != tc.missing || bad != tc.bad {
			t.Errorf("fill(%q, segment %v) = %q, missing %v, bad %v; want %q, %v, %v", tc.in, tc.segment, out, missing, bad, tc.out, tc.missing, tc.bad)
		}
	}
}
