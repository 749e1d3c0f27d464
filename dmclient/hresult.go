package dmclient

import (
	"fmt"
	"strconv"
	"strings"
)

// An HRESULT is a Windows result code, as LinkedEnrollment/LastError and
// msft:originalerror report it. The high bit marks a failure.
type HRESULT uint32

// HRESULTs the LinkedEnrollment and enrollment documentation names.
const (
	SOK HRESULT = 0x00000000 // S_OK: success
	// ErrorFileNotFound is ERROR_FILE_NOT_FOUND as an HRESULT; Enroll fails
	// with it when DiscoveryEndpoint is not set.
	ErrorFileNotFound HRESULT = 0x80070002
	// EUnexpected (E_UNEXPECTED, "catastrophic failure") is what a
	// declared configuration document whose id differs from its DocID
	// yields.
	EUnexpected HRESULT = 0x8000FFFF

	// MS-MDE2 enrollment faults, which a linked enrollment can meet too.
	MenrollEDeviceMessageFormatError      HRESULT = 0x80180001
	MenrollEDeviceAuthenticationError     HRESULT = 0x80180002
	MenrollEDeviceAuthorizationError      HRESULT = 0x80180003
	MenrollEDeviceCertificateRequestError HRESULT = 0x80180004
	MenrollEDeviceConfigMgrServerError    HRESULT = 0x80180005
	MenrollEDeviceInternalServiceError    HRESULT = 0x80180006
	MenrollEDeviceInvalidSecurityError    HRESULT = 0x80180007
	MenrollEDeviceCapReached              HRESULT = 0x80180013
	MenrollEDeviceNotSupported            HRESULT = 0x80180014
	MenrollENotSupported                  HRESULT = 0x80180015
	MenrollENotEligibleToRenew            HRESULT = 0x80180016
	MenrollEInMaintenance                 HRESULT = 0x80180017
	MenrollEUserLicense                   HRESULT = 0x80180018
	MenrollEEnrollmentDataInvalid         HRESULT = 0x80180019
	// MenrollECustomServerError: the server answered with its own
	// message (MS-MDE2 2.2.10's CustomServerError).
	MenrollECustomServerError HRESULT = 0x80180032
)

var hresultNames = map[HRESULT]string{
	SOK:                                   "S_OK",
	ErrorFileNotFound:                     "ERROR_FILE_NOT_FOUND",
	EUnexpected:                           "E_UNEXPECTED",
	MenrollEDeviceMessageFormatError:      "MENROLL_E_DEVICE_MESSAGE_FORMAT_ERROR",
	MenrollEDeviceAuthenticationError:     "MENROLL_E_DEVICE_AUTHENTICATION_ERROR",
	MenrollEDeviceAuthorizationError:      "MENROLL_E_DEVICE_AUTHORIZATION_ERROR",
	MenrollEDeviceCertificateRequestError: "MENROLL_E_DEVICE_CERTIFICATEREQUEST_ERROR",
	MenrollEDeviceConfigMgrServerError:    "MENROLL_E_DEVICE_CONFIGMGRSERVER_ERROR",
	MenrollEDeviceInternalServiceError:    "MENROLL_E_DEVICE_INTERNALSERVICE_ERROR",
	MenrollEDeviceInvalidSecurityError:    "MENROLL_E_DEVICE_INVALIDSECURITY_ERROR",
	MenrollEDeviceCapReached:              "MENROLL_E_DEVICECAPREACHED",
	MenrollEDeviceNotSupported:            "MENROLL_E_DEVICENOTSUPPORTED",
	MenrollENotSupported:                  "MENROLL_E_NOT_SUPPORTED",
	MenrollENotEligibleToRenew:            "MENROLL_E_NOTELIGIBLETORENEW",
	MenrollEInMaintenance:                 "MENROLL_E_INMAINTENANCE",
	MenrollEUserLicense:                   "MENROLL_E_USER_LICENSE",
	MenrollEEnrollmentDataInvalid:         "MENROLL_E_ENROLLMENTDATAINVALID",
	MenrollECustomServerError:             "MENROLL_E_CUSTOMSERVERERROR",
}

// Failed reports whether h is a failure code (its high bit is set).
func (h HRESULT) Failed() bool { return h&0x80000000 != 0 }

// Name returns the symbolic name of a code the package knows, such as
// "ERROR_FILE_NOT_FOUND", or "".
func (h HRESULT) Name() string { return hresultNames[h] }

// String returns the code in hexadecimal, with its name when known:
// "0x80070002 ERROR_FILE_NOT_FOUND", "0x86000002".
func (h HRESULT) String() string {
	s := "0x" + strings.ToUpper(hex8(uint32(h)))
	if n := hresultNames[h]; n != "" {
		s += " " + n
	}
	return s
}

// ambiguousHex reports whether t is eight decimal digits starting with 8
// or 9: a failure HRESULT in hexadecimal, a success code in decimal.
func ambiguousHex(t string) bool {
	if len(t) != 8 || t[0] != '8' && t[0] != '9' {
		return false
	}
	for i := 1; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

func hex8(v uint32) string {
	s := strconv.FormatUint(uint64(v), 16)
	return strings.Repeat("0", 8-len(s)) + s
}

// ParseHRESULT reads an HRESULT as devices write it: hexadecimal with a
// 0x prefix ("0x80070002"), as msft:originalerror carries it; the signed
// 32-bit decimal of an int node ("-2147024894"), as LastError does (its
// DDF format is int, which OMA-DM writes in decimal); or unsigned decimal
// ("2147942402"); decimal takes a sign, + or -, as an int node's value
// may carry ("+4"), hexadecimal none. XML spaces around the value are
// ignored, as the other readers ignore them; other spaces, such as
// U+00A0, are not.
//
// Exactly eight digits starting with 8 or 9 are refused (ErrBadValue):
// in decimal they are a success code, in hexadecimal without "0x" a
// failure. "80070002" is 0x04C5C572 in decimal, a code no error report
// holds, and ERROR_FILE_NOT_FOUND in hexadecimal. The spec's decimal
// reading would hide the failure and the hexadecimal one is a guess, so
// neither is taken. With a sign ("+80070002", "-80070002") they are
// decimal, since hexadecimal takes none. Other decimal digits read as
// decimal.
func ParseHRESULT(s string) (HRESULT, error) {
	t := trimSpace(s)
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		v, err := strconv.ParseUint(t[2:], 16, 32)
		if err != nil {
			return 0, badValue("HRESULT", s)
		}
		return HRESULT(v), nil
	}
	if ambiguousHex(t) {
		return 0, fmt.Errorf("%w: HRESULT %q is ambiguous: hexadecimal without 0x (a failure) or decimal (a success code); want 0x%s or signed decimal", ErrBadValue, t, t)
	}
	if strings.HasPrefix(t, "-") {
		v, err := strconv.ParseInt(t, 10, 32)
		if err != nil {
			return 0, badValue("HRESULT", s)
		}
		return HRESULT(uint32(int32(v))), nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(t, "+"), 10, 32)
	if err != nil || strings.HasPrefix(t, "++") {
		return 0, badValue("HRESULT", s)
	}
	return HRESULT(v), nil
}
