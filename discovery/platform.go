package discovery

import (
	"fmt"
	"strconv"
	"strings"
)

// OSVersion is a Windows version as a device reports it in osVersion:
// major.minor.build.revision, where revision is the update build
// revision (UBR) that rises with each cumulative update.
type OSVersion struct {
	Major, Minor, Build, Revision uint32
}

// String formats v as four dot-separated decimal numbers.
func (v OSVersion) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.Revision)
}

// ParseOSVersion parses four dot-separated decimal numbers, each at most
// ten digits and within uint32; leading zeros are allowed, signs,
// spaces and other characters are not. The error matches ErrOSVersion.
func ParseOSVersion(s string) (OSVersion, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return OSVersion{}, fmt.Errorf("%w: %s does not have four parts", ErrOSVersion, quote(s))
	}
	var n [4]uint32
	for i, p := range parts {
		if p == "" || len(p) > 10 || strings.Trim(p, "0123456789") != "" {
			return OSVersion{}, fmt.Errorf("%w: %s: part %d is not a decimal number", ErrOSVersion, quote(s), i+1)
		}
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return OSVersion{}, fmt.Errorf("%w: %s: part %d is out of range", ErrOSVersion, quote(s), i+1)
		}
		n[i] = uint32(v)
	}
	return OSVersion{Major: n[0], Minor: n[1], Build: n[2], Revision: n[3]}, nil
}

// Windows 10 and 11 both report version 10.0; Windows 10's first release
// is build 10240.
const firstWindows10Build = 10240

// registeredMinimum lists, per release build, the first update revision
// that supports WinDC for Entra registered devices.
var registeredMinimum = []struct{ build, revision uint32 }{
	{19045, 4717}, // Windows 10 22H2, KB5040525
	{22621, 3958}, // Windows 11 22H2, KB5040527
	{22631, 3958}, // Windows 11 23H2, KB5040527
	{26100, 1301}, // Windows 11 24H2, KB5040529
}

// Supported reports whether a device with this osVersion and enrollment
// type can enroll with WinDC. Joined devices (Device, or "" for legacy)
// need Windows 10 or 11: version 10.0, build 10240 or later. Registered
// devices (User) need one of the listed releases at or above its update
// revision, or a release build newer than the newest listed one, which is
// taken to include the support. The error matches ErrOSVersion or
// ErrEnrollmentType.
func Supported(osVersion string, t EnrollmentType) (bool, error) {
	v, err := ParseOSVersion(osVersion)
	if err != nil {
		return false, err
	}
	windows10 := v.Major == 10 && v.Minor == 0 && v.Build >= firstWindows10Build
	switch t {
	case "", EnrollmentTypeDevice:
		return windows10, nil
	case EnrollmentTypeUser:
		if !windows10 {
			return false, nil
		}
		for _, m := range registeredMinimum {
			if v.Build == m.build {
				return v.Revision >= m.revision, nil
			}
		}
		return v.Build > registeredMinimum[len(registeredMinimum)-1].build, nil
	}
	return false, fmt.Errorf("%w: %s", ErrEnrollmentType, quote(t))
}
