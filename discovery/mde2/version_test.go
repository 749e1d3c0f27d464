package mde2

import "testing"

// TestNegotiateVersionEdges: RequestVersion is an xsd:decimal; the answer
// is a whole version never above the one asked (6.99 is not answered
// 7.0), a signed or unpadded decimal is read, and any version above the
// highest, however large, is answered with the highest, never refused.
func TestNegotiateVersionEdges(t *testing.T) {
	for req, want := range map[string]string{
		"6.99": "6.0", "5.05": "5.0", "4.5": "4.0", "+5.0": "5.0", "5": "5.0", "05.00": "5.0",
		" 5.0 ": "5.0", "2000": "7.0", "99999999999999999999999.0": "7.0", "7.0000000001": "7.0",
		"0.5": "3.0", "-1.0": "3.0", "5.": "5.0", ".5": "3.0",
	} {
		got, err := NegotiateVersion(req, "")
		if err != nil || got != want {
			t.Errorf("NegotiateVersion(%q) = %q, %v; want %q", req, got, err, want)
		}
	}
	for _, bad := range []string{"x", "5.0.1", "1e3", "0x7", "NaN", "Inf", ".", "+", "--5", "5,0", "-"} {
		if got, err := NegotiateVersion(bad, ""); err == nil {
			t.Errorf("NegotiateVersion(%q) = %q, want an error", bad, got)
		}
	}
}
