package mde2

import (
	"strconv"
	"strings"
)

// The protocol versions MS-MDE2 documents: a device's RequestVersion is
// 1.0 to 7.0, a server's EnrollmentVersion 3.0 to 7.0.
const (
	LowestEnrollmentVersion  = "3.0"
	HighestEnrollmentVersion = "7.0"
)

// parseVersion reads a version, an xsd:decimal such as "5.0", "+5" or
// "5.05", as its whole part (capped at maxVersion; a negative one is
// 0): the documented versions are whole, and a version between two is
// answered with the lower.
func parseVersion(s string) (int, error) {
	s = strings.TrimSpace(s)
	digits := s
	if s != "" && (s[0] == '+' || s[0] == '-') {
		digits = s[1:]
	}
	whole, frac, _ := strings.Cut(digits, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, pkg.Errorf("%w: %s", ErrVersion, quoted(s))
	}
	if s[0] == '-' {
		return 0, nil // below every version
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 4 {
		return maxVersion, nil
	}
	v, _ := strconv.Atoi("0" + whole)
	return min(v, maxVersion), nil
}

// maxVersion caps the versions read, far above any documented one.
const maxVersion = 1000

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func formatVersion(v int) string {
	return strconv.Itoa(v) + ".0"
}

// NegotiateVersion returns the EnrollmentVersion with which a server whose
// highest version is highest ("" for HighestEnrollmentVersion) answers a
// device's RequestVersion: the requested one (an xsd:decimal; its whole
// part, so that the answer is never above the request), raised to
// LowestEnrollmentVersion and lowered to highest.
//
// A RequestVersion above 7.0 is outside MS-MDE2's rule for clients;
// answering it with the highest supported version rather than refusing
// it is a deliberate leniency: a server that refused 9.0 made Windows fail
// enrollment with 0x80180006. Any version above highest, however large,
// is answered so. An empty RequestVersion reads as the lowest; one that
// is not a decimal number is an error matching ErrVersion.
func NegotiateVersion(requested, highest string) (string, error) {
	if highest == "" {
		highest = HighestEnrollmentVersion
	}
	hi, err := parseVersion(highest)
	if err != nil {
		return "", err
	}
	lo, _ := parseVersion(LowestEnrollmentVersion)
	v := lo
	if requested != "" {
		if v, err = parseVersion(requested); err != nil {
			return "", err
		}
	}
	v = max(v, lo)
	v = min(v, hi)
	return formatVersion(v), nil
}
