package dmclient

import "github.com/windc-go/windc/syncml"

// A URI is the LocURI of a DMClient node, with dynamic segments already
// percent-encoded.
type URI string

// String returns the URI as a LocURI.
func (u URI) String() string { return string(u) }

// Root is the DMClient CSP in the device scope.
const Root URI = "./Device/Vendor/MSFT/DMClient"

// UserRoot is the DMClient CSP in the user scope.
const UserRoot URI = "./User/Vendor/MSFT/DMClient"

// EscapeSegment percent-encodes s for use as one LocURI segment, the way
// syncml.LocURI writes node names (syncml.AppendEscapedSegment): space,
// control and non-ASCII bytes, '%', '/', '?' and '#' become %XX, so
// "MS DM SERVER" gives "MS%20DM%20SERVER" and a "/" cannot split the
// segment.
func EscapeSegment(s string) string {
	if plainSegment(s) {
		return s // nothing to escape: no copy
	}
	return string(syncml.AppendEscapedSegment(make([]byte, 0, len(s)+8), s))
}

// plainSegment reports whether AppendEscapedSegment writes s unchanged.
func plainSegment(s string) bool {
	if s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7F || c == '%' || c == '/' || c == '?' || c == '#' {
			return false
		}
	}
	return true
}

// LinkedEnrollment addresses the LinkedEnrollment nodes of one provider
// (management server account) on the device.
type LinkedEnrollment struct {
	// ProviderID is the provider as the device knows it, unescaped, such
	// as "MS DM SERVER".
	//
	// ProviderIDs are compared exactly, letter case included: the Read
	// methods take a value only from a Source naming this ProviderID
	// byte for byte ("ms dm server" is another provider:
	// ErrOtherProvider), and package device answers only the nodes of its
	// own. The specifications do not say that Windows folds case here:
	// the DMClient DDF gives Provider/[ProviderID] no CaseSense (CIS is
	// declared only on three leaves of the status pages:
	// BlockInStatusPage, AllowCollectLogsButton, CustomErrorText); the
	// DMClient CSP page, MS-MDE2 2.2.9.3 (the ProviderID node) and MS-MDM
	// (2.2.4.3, 3.2.5.1.3, 3.2.5.1.4, which name
	// DMClient/Provider/ProviderID) say nothing of case; MS-MDE2's
	// provisioning samples (2.2.9.1) only say the ProviderID "must
	// match" the w7 APPLICATION's PROVIDER-ID. OMA DM 1.2.1 (8.1, the
	// management tree) lets a device treat URIs as case sensitive and
	// tells servers not to make names that differ only in case. A server
	// should send the ProviderID exactly as it enrolled the device.
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
