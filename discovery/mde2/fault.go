package mde2

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/utf8cut"
)

// FaultCode is the SOAP fault subcode of an enrollment fault: the class of
// failure, each with the HRESULT Windows reports for it.
type FaultCode string

// The fault subcodes of MS-MDE2.
const (
	FaultMessageFormat        FaultCode = "MessageFormat"        // 0x80180001: the message is malformed
	FaultAuthentication       FaultCode = "Authentication"       // 0x80180002: the user or device is not recognized
	FaultAuthorization        FaultCode = "Authorization"        // 0x80180003: not allowed to enroll
	FaultCertificateRequest   FaultCode = "CertificateRequest"   // 0x80180004: no certificate could be issued
	FaultEnrollmentServer     FaultCode = "EnrollmentServer"     // 0x80180005: a server failure
	FaultInternalServiceFault FaultCode = "InternalServiceFault" // 0x80180006: an unexpected server error
	FaultInvalidSecurity      FaultCode = "InvalidSecurity"      // 0x80180007: the security header cannot be read
)

var faultHRESULT = map[FaultCode]uint32{
	FaultMessageFormat:        0x80180001,
	FaultAuthentication:       0x80180002,
	FaultAuthorization:        0x80180003,
	FaultCertificateRequest:   0x80180004,
	FaultEnrollmentServer:     0x80180005,
	FaultInternalServiceFault: 0x80180006,
	FaultInvalidSecurity:      0x80180007,
}

// HRESULT returns the error code Windows reports for c, or 0 for a code
// this package does not know.
func (c FaultCode) HRESULT() uint32 { return faultHRESULT[c] }

// addressing reports whether c is written in the WS-Addressing namespace
// (a:) rather than the SOAP one (s:), as MS-MDE2 lists them.
func (c FaultCode) addressing() bool {
	return c == FaultInternalServiceFault || c == FaultInvalidSecurity
}

// ErrorType is the finer reason of a fault, sent in the fault detail's
// errortype.
type ErrorType string

// The error types of MS-MDE2, each with its HRESULT.
const (
	ErrorDeviceCapReached      ErrorType = "DeviceCapReached"      // 0x80180013
	ErrorDeviceNotSupported    ErrorType = "DeviceNotSupported"    // 0x80180014
	ErrorNotSupported          ErrorType = "NotSupported"          // 0x80180015
	ErrorNotEligibleToRenew    ErrorType = "NotEligibleToRenew"    // 0x80180016
	ErrorInMaintenance         ErrorType = "InMaintenance"         // 0x80180017
	ErrorUserLicense           ErrorType = "UserLicense"           // 0x80180018
	ErrorInvalidEnrollmentData ErrorType = "InvalidEnrollmentData" // 0x80180019
	// ErrorCustomServerError: the fault's Reason is the server's own
	// message, which Windows shows (MS-MDE2 2.2.10; Windows 10 20H2 and
	// later).
	ErrorCustomServerError ErrorType = "CustomServerError" // 0x80180032
)

var errorTypeHRESULT = map[ErrorType]uint32{
	ErrorDeviceCapReached:      0x80180013,
	ErrorDeviceNotSupported:    0x80180014,
	ErrorNotSupported:          0x80180015,
	ErrorNotEligibleToRenew:    0x80180016,
	ErrorInMaintenance:         0x80180017,
	ErrorUserLicense:           0x80180018,
	ErrorInvalidEnrollmentData: 0x80180019,
	ErrorCustomServerError:     0x80180032,
}

// HRESULT returns the error code Windows reports for e, or 0 for a type
// this package does not know.
func (e ErrorType) HRESULT() uint32 { return errorTypeHRESULT[e] }

// Fault is a SOAP fault of the enrollment services, and the error the
// client returns when a service answers with one (test with errors.As).
// A Server's hook returns a *Fault to answer with it. The Server answers
// a copy that MS-MDE2 allows: Code and ErrorType matched without regard
// to case and prefix among this package's constants (an unknown Code is
// answered FaultInternalServiceFault, an unknown ErrorType left out, both
// logged on Logger); Reason, Message and TraceID with what XML cannot
// carry replaced by U+FFFD and cut after 512 bytes (then "…"); the
// Header its own.
type Fault struct {
	Header Header
	// Sender reports the top-level code s:Sender; false is s:Receiver,
	// which MS-MDE2's examples use.
	Sender bool
	// Code is the subcode. Codes read from the wire are matched without
	// regard to case and prefix ("s:authorization" reads as
	// FaultAuthorization); an unknown one is kept without its prefix.
	Code FaultCode
	// Reason is the human-readable text.
	Reason string
	// ErrorType, Message and TraceID are the detail's
	// deviceenrollmentserviceerror; the detail is written when any is
	// set.
	ErrorType ErrorType
	Message   string
	TraceID   string
}

// NewFault returns a fault with a subcode, an optional error type and a
// reason.
func NewFault(code FaultCode, et ErrorType, reason string) *Fault {
	return &Fault{Code: code, ErrorType: et, Reason: reason}
}

// HRESULT returns the fault's HRESULT: its ErrorType's when that is
// known, else its Code's.
func (f *Fault) HRESULT() uint32 {
	if h := f.ErrorType.HRESULT(); h != 0 {
		return h
	}
	return f.Code.HRESULT()
}

// Error describes the fault: "mde2: fault Authorization/DeviceCapReached
// (0x80180013): reason".
//
// Changed: a Code, ErrorType or Reason that is longer than 512 bytes
// (and the "…" of a reason a Server cut) or holds a character that is not printable (a new line, say) is
// written quoted and cut, as the package's other errors quote a peer's
// values: a hostile server's fault became a log line of a megabyte, or
// several lines. The fields keep the whole text.
func (f *Fault) Error() string {
	var b strings.Builder
	b.WriteString("mde2: fault ")
	b.WriteString(errorText(string(f.Code)))
	if f.ErrorType != "" {
		b.WriteByte('/')
		b.WriteString(errorText(string(f.ErrorType)))
	}
	fmt.Fprintf(&b, " (0x%08X)", f.HRESULT())
	if f.Reason != "" {
		b.WriteString(": ")
		b.WriteString(errorText(f.Reason))
	}
	return b.String()
}

// errorText returns s as Error writes it: as it is when it is printable
// text no longer than a Server's reasons (maxReason bytes, then "…"),
// else quoted and cut.
func errorText(s string) string {
	if len(s) <= maxReason+len("…") && strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return utf8cut.Quote(s, maxReason)
}

// SOAPHeader returns the message's header.
func (f *Fault) SOAPHeader() *Header { return &f.Header }
func (f *Fault) action() string      { return ActionFault }

func (f *Fault) writeBody(w *xw) {
	if f.Header.SOAP11 {
		w.open("s:Fault")
		w.elem("faultcode", "s:"+string(f.Code))
		w.elem("faultstring", f.Reason)
		if f.ErrorType != "" || f.Message != "" || f.TraceID != "" {
			w.open("detail")
			f.writeDetail(w)
			w.close("detail")
		}
		w.close("s:Fault")
		return
	}
	w.open("s:Fault")
	w.open("s:Code")
	if f.Sender {
		w.elem("s:Value", "s:Sender")
	} else {
		w.elem("s:Value", "s:Receiver")
	}
	w.open("s:Subcode")
	if f.Code.addressing() {
		w.elem("s:Value", "a:"+string(f.Code))
	} else {
		w.elem("s:Value", "s:"+string(f.Code))
	}
	w.close("s:Subcode")
	w.close("s:Code")
	w.open("s:Reason")
	w.elem("s:Text", f.Reason, "xml:lang", "en-US")
	w.close("s:Reason")
	if f.ErrorType != "" || f.Message != "" || f.TraceID != "" {
		w.open("s:Detail")
		f.writeDetail(w)
		w.close("s:Detail")
	}
	w.close("s:Fault")
}

// writeDetail writes deviceenrollmentserviceerror in lower case, as
// MS-MDE2 shows it.
func (f *Fault) writeDetail(w *xw) {
	w.open("deviceenrollmentserviceerror", "xmlns", nsWSTEP)
	w.elem("errortype", string(f.ErrorType))
	w.elem("message", f.Message)
	w.elem("traceid", f.TraceID)
	w.close("deviceenrollmentserviceerror")
}

func (f *Fault) readBody(t *tree, body *node) error {
	el := firstElem(body)
	if el == nil || !isFaultElem(el) {
		return t.structErr(el, "body holds no Fault")
	}
	*f = Fault{Header: f.Header}
	var detail *node
	if el.space == nsSOAP11 {
		f.Code = faultCode(el.child("faultcode").value())
		f.Reason = el.child("faultstring").value()
		detail = el.child("detail")
	} else {
		ns := el.space
		code := el.child("Code", ns)
		if code == nil {
			return t.structErr(el, "missing Code")
		}
		f.Sender = strings.EqualFold(localPart(code.child("Value", ns).value()), "Sender")
		f.Code = faultCode(code.child("Subcode", ns).child("Value", ns).value())
		f.Reason = el.child("Reason", ns).child("Text", ns).value()
		detail = el.child("Detail", ns)
	}
	if d := detail.child("deviceenrollmentserviceerror", nsWSTEP); d != nil {
		f.ErrorType = errorType(d.child("errortype", nsWSTEP).value())
		f.Message = d.child("message", nsWSTEP).value()
		f.TraceID = d.child("traceid", nsWSTEP).value()
	}
	return nil
}

func localPart(q string) string {
	if i := strings.LastIndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// faultCode maps a subcode QName to a known FaultCode, ignoring prefix and
// case; an unknown one is kept without its prefix.
func faultCode(q string) FaultCode {
	l := localPart(q)
	for c := range faultHRESULT {
		if strings.EqualFold(string(c), l) {
			return c
		}
	}
	return FaultCode(l)
}

func errorType(s string) ErrorType {
	for e := range errorTypeHRESULT {
		if strings.EqualFold(string(e), s) {
			return e
		}
	}
	return ErrorType(s)
}
