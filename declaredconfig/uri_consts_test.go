package declaredconfig

import "testing"

// TestServiceConfigURIs: the two ManagementServiceConfiguration
// constants, written out in full so that go doc shows their values, are
// the paths the URI builder writes.
func TestServiceConfigURIs(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{RefreshIntervalURI, "./Device" + cspPath + mscPath + "RefreshInterval"},
		{ConflictResolutionURI, "./Device" + cspPath + mscPath + "ConflictResolution"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
