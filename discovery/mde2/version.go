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

// parseVersion reads a decimal version such as "5.0" as tenths.
func parseVersion(s string) (int, error) {
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1000 || s == "" || strings.ContainsAny(s, "eEnNxXpP+-") {
		return 0, pkg.Errorf("%w: %q", ErrVersion, s)
	}
	return int(f*10 + 0.5), nil
}

func formatVersion(tenths int) string {
	return strconv.Itoa(tenths/10) + "." + strconv.Itoa(tenths%10)
}

// NegotiateVersion returns the EnrollmentVersion with which a server whose
// highest version is highest ("" for HighestEnrollmentVersion) answers a
// device's RequestVersion: the requested one, raised to
// LowestEnrollmentVersion and lowered to highest.
//
// A RequestVersion above 7.0 is outside MS-MDE2's rule for clients;
// answering it with the highest supported version rather than refusing
// it is a deliberate leniency: a server that refused 9.0 made Windows fail
// enrollment with 0x80180006. An empty RequestVersion reads as the lowest.
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
