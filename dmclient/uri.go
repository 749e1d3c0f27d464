package dmclient

import "strings"

// A URI is the LocURI of a DMClient node, with dynamic segments already
// percent-encoded.
type URI string

// String returns the URI as a LocURI.
func (u URI) String() string { return string(u) }

// Root is the DMClient CSP in the device scope.
const Root URI = "./Device/Vendor/MSFT/DMClient"

// UserRoot is the DMClient CSP in the user scope.
const UserRoot URI = "./User/Vendor/MSFT/DMClient"

// EscapeSegment percent-encodes s for use as one LocURI segment: every
// byte other than ASCII letters, digits and "-._~" becomes %XX (UTF-8
// bytes for other characters), so "MS DM SERVER" gives "MS%20DM%20SERVER"
// and a "/" cannot split the segment.
func EscapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// LinkedEnrollment addresses the LinkedEnrollment nodes of one provider
// (management server account) on the device.
type LinkedEnrollment struct {
	// ProviderID is the provider as the device knows it, unescaped, such
	// as "MS DM SERVER".
	ProviderID string
}

// URI returns the LinkedEnrollment interior node.
func (l LinkedEnrollment) URI() URI {
	return DeviceProviderLinkedEnrollment(l.ProviderID)
}

// Priority returns the Priority node. It is documented for WinDC but absent
// from the February 2025 DMClient DDF, so ddf.Check reports it unknown.
func (l LinkedEnrollment) Priority() URI { return l.URI() + "/Priority" }

// Enroll returns the Enroll node, which starts the linked enrollment on Exec.
func (l LinkedEnrollment) Enroll() URI { return DeviceProviderLinkedEnrollmentEnroll(l.ProviderID) }

// Unenroll returns the Unenroll node, which ends it on Exec.
func (l LinkedEnrollment) Unenroll() URI {
	return DeviceProviderLinkedEnrollmentUnenroll(l.ProviderID)
}

// EnrollStatus returns the EnrollStatus node (int, Get).
func (l LinkedEnrollment) EnrollStatus() URI {
	return DeviceProviderLinkedEnrollmentEnrollStatus(l.ProviderID)
}

// LastError returns the LastError node (int HRESULT, Get).
func (l LinkedEnrollment) LastError() URI {
	return DeviceProviderLinkedEnrollmentLastError(l.ProviderID)
}

// DiscoveryEndpoint returns the DiscoveryEndpoint node (chr URL).
func (l LinkedEnrollment) DiscoveryEndpoint() URI {
	return DeviceProviderLinkedEnrollmentDiscoveryEndpoint(l.ProviderID)
}
