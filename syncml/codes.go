package syncml

import (
	"strconv"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A StatusCode is a SyncML response status code carried in a Status's Data.
type StatusCode int

// Status codes of the SyncML representation protocol.
const (
	StatusOK                          StatusCode = 200 // OK
	StatusItemAdded                   StatusCode = 201 // Item added
	StatusAccepted                    StatusCode = 202 // Accepted for processing
	StatusNonAuthoritative            StatusCode = 203 // Non-authoritative response
	StatusNoContent                   StatusCode = 204 // No content
	StatusResetContent                StatusCode = 205 // Reset content
	StatusPartialContent              StatusCode = 206 // Partial content
	StatusConflictMerged              StatusCode = 207 // Conflict resolved with merge
	StatusConflictClientWon           StatusCode = 208 // Conflict resolved with client's command winning
	StatusConflictDuplicate           StatusCode = 209 // Conflict resolved with duplicate
	StatusDeleteWithoutArchive        StatusCode = 210 // Delete without archive
	StatusItemNotDeleted              StatusCode = 211 // Item not deleted
	StatusAuthenticationAccepted      StatusCode = 212 // Authentication accepted
	StatusChunkedItemAccepted         StatusCode = 213 // Chunked item accepted
	StatusOperationCancelled          StatusCode = 214 // Operation cancelled
	StatusNotExecuted                 StatusCode = 215 // Not executed
	StatusAtomicRollbackOK            StatusCode = 216 // Atomic roll back OK
	StatusMultipleChoices             StatusCode = 300 // Multiple choices
	StatusMovedPermanently            StatusCode = 301 // Moved permanently
	StatusFound                       StatusCode = 302 // Found
	StatusSeeOther                    StatusCode = 303 // See other
	StatusNotModified                 StatusCode = 304 // Not modified
	StatusUseProxy                    StatusCode = 305 // Use proxy
	StatusBadRequest                  StatusCode = 400 // Bad request
	StatusInvalidCredentials          StatusCode = 401 // Invalid credentials
	StatusPaymentRequired             StatusCode = 402 // Payment required
	StatusForbidden                   StatusCode = 403 // Forbidden
	StatusNotFound                    StatusCode = 404 // Not found
	StatusCommandNotAllowed           StatusCode = 405 // Command not allowed
	StatusOptionalFeatureNotSupported StatusCode = 406 // Optional feature not supported
	StatusMissingCredentials          StatusCode = 407 // Missing credentials
	StatusRequestTimeout              StatusCode = 408 // Request timeout
	StatusConflict                    StatusCode = 409 // Conflict
	StatusGone                        StatusCode = 410 // Gone
	StatusSizeRequired                StatusCode = 411 // Size required
	StatusIncompleteCommand           StatusCode = 412 // Incomplete command
	StatusRequestEntityTooLarge       StatusCode = 413 // Request entity too large
	StatusURITooLong                  StatusCode = 414 // URI too long
	StatusUnsupportedMediaType        StatusCode = 415 // Unsupported media type or format
	StatusRequestedSizeTooBig         StatusCode = 416 // Requested size too big
	StatusRetryLater                  StatusCode = 417 // Retry later
	StatusAlreadyExists               StatusCode = 418 // Already exists
	StatusConflictServerWon           StatusCode = 419 // Conflict resolved with server data
	StatusDeviceFull                  StatusCode = 420 // Device full
	StatusUnknownSearchGrammar        StatusCode = 421 // Unknown search grammar
	StatusBadCGIScript                StatusCode = 422 // Bad CGI script
	StatusSoftDeleteConflict          StatusCode = 423 // Soft-delete conflict
	StatusSizeMismatch                StatusCode = 424 // Size mismatch
	StatusPermissionDenied            StatusCode = 425 // Permission denied
	StatusCommandFailed               StatusCode = 500 // Command failed
	StatusCommandNotImplemented       StatusCode = 501 // Command not implemented
	StatusBadGateway                  StatusCode = 502 // Bad gateway
	StatusServiceUnavailable          StatusCode = 503 // Service unavailable
	StatusGatewayTimeout              StatusCode = 504 // Gateway timeout
	StatusDTDVersionNotSupported      StatusCode = 505 // DTD version not supported
	StatusProcessingError             StatusCode = 506 // Processing error
	StatusAtomicFailed                StatusCode = 507 // Atomic failed
	StatusRefreshRequired             StatusCode = 508 // Refresh required
	StatusDataStoreFailure            StatusCode = 510 // Data store failure
	StatusServerFailure               StatusCode = 511 // Server failure
	StatusSynchronizationFailed       StatusCode = 512 // Synchronization failed
	StatusProtocolVersionNotSupported StatusCode = 513 // Protocol version not supported
	StatusOperationCancelledByServer  StatusCode = 514 // Operation cancelled
	StatusAtomicRollbackFailed        StatusCode = 516 // Atomic roll back failed
	StatusAtomicResponseTooLarge      StatusCode = 517 // Atomic response too large to fit
)

var statusText = map[StatusCode]string{
	StatusOK:                          "OK",
	StatusItemAdded:                   "Item added",
	StatusAccepted:                    "Accepted for processing",
	StatusNonAuthoritative:            "Non-authoritative response",
	StatusNoContent:                   "No content",
	StatusResetContent:                "Reset content",
	StatusPartialContent:              "Partial content",
	StatusConflictMerged:              "Conflict resolved with merge",
	StatusConflictClientWon:           "Conflict resolved with client's command winning",
	StatusConflictDuplicate:           "Conflict resolved with duplicate",
	StatusDeleteWithoutArchive:        "Delete without archive",
	StatusItemNotDeleted:              "Item not deleted",
	StatusAuthenticationAccepted:      "Authentication accepted",
	StatusChunkedItemAccepted:         "Chunked item accepted",
	StatusOperationCancelled:          "Operation cancelled",
	StatusNotExecuted:                 "Not executed",
	StatusAtomicRollbackOK:            "Atomic roll back OK",
	StatusMultipleChoices:             "Multiple choices",
	StatusMovedPermanently:            "Moved permanently",
	StatusFound:                       "Found",
	StatusSeeOther:                    "See other",
	StatusNotModified:                 "Not modified",
	StatusUseProxy:                    "Use proxy",
	StatusBadRequest:                  "Bad request",
	StatusInvalidCredentials:          "Invalid credentials",
	StatusPaymentRequired:             "Payment required",
	StatusForbidden:                   "Forbidden",
	StatusNotFound:                    "Not found",
	StatusCommandNotAllowed:           "Command not allowed",
	StatusOptionalFeatureNotSupported: "Optional feature not supported",
	StatusMissingCredentials:          "Missing credentials",
	StatusRequestTimeout:              "Request timeout",
	StatusConflict:                    "Conflict",
	StatusGone:                        "Gone",
	StatusSizeRequired:                "Size required",
	StatusIncompleteCommand:           "Incomplete command",
	StatusRequestEntityTooLarge:       "Request entity too large",
	StatusURITooLong:                  "URI too long",
	StatusUnsupportedMediaType:        "Unsupported media type or format",
	StatusRequestedSizeTooBig:         "Requested size too big",
	StatusRetryLater:                  "Retry later",
	StatusAlreadyExists:               "Already exists",
	StatusConflictServerWon:           "Conflict resolved with server data",
	StatusDeviceFull:                  "Device full",
	StatusUnknownSearchGrammar:        "Unknown search grammar",
	StatusBadCGIScript:                "Bad CGI script",
	StatusSoftDeleteConflict:          "Soft-delete conflict",
	StatusSizeMismatch:                "Size mismatch",
	StatusPermissionDenied:            "Permission denied",
	StatusCommandFailed:               "Command failed",
	StatusCommandNotImplemented:       "Command not implemented",
	StatusBadGateway:                  "Bad gateway",
	StatusServiceUnavailable:          "Service unavailable",
	StatusGatewayTimeout:              "Gateway timeout",
	StatusDTDVersionNotSupported:      "DTD version not supported",
	StatusProcessingError:             "Processing error",
	StatusAtomicFailed:                "Atomic failed",
	StatusRefreshRequired:             "Refresh required",
	StatusDataStoreFailure:            "Data store failure",
	StatusServerFailure:               "Server failure",
	StatusSynchronizationFailed:       "Synchronization failed",
	StatusProtocolVersionNotSupported: "Protocol version not supported",
	StatusOperationCancelledByServer:  "Operation cancelled",
	StatusAtomicRollbackFailed:        "Atomic roll back failed",
	StatusAtomicResponseTooLarge:      "Atomic response too large to fit",
}

// String returns the code and its meaning, such as "404 Not found".
func (c StatusCode) String() string {
	if t, ok := statusText[c]; ok {
		return strconv.Itoa(int(c)) + " " + t
	}
	return strconv.Itoa(int(c))
}

// Data returns a new Data carrying c as a Status's code, in decimal text,
// such as &Status{…, Data: StatusOK.Data()}.
func (c StatusCode) Data() *Data { return Text(strconv.Itoa(int(c))) }

// Success reports whether c is in the 2xx class.
func (c StatusCode) Success() bool { return c >= 200 && c < 300 }

// An AlertCode is a SyncML DM alert code carried in an Alert's Data.
type AlertCode int

// Alert codes of OMA DM.
const (
	AlertDisplay         AlertCode = 1100 // Display
	AlertConfirm         AlertCode = 1101 // Confirm or reject
	AlertTextInput       AlertCode = 1102 // Text input
	AlertSingleChoice    AlertCode = 1103 // Single choice
	AlertMultipleChoice  AlertCode = 1104 // Multiple choice
	AlertServerInitiated AlertCode = 1200 // Server-initiated management session
	AlertClientInitiated AlertCode = 1201 // Client-initiated management session
	AlertNextMessage     AlertCode = 1222 // Next message
	AlertSessionAbort    AlertCode = 1223 // Session abort
	AlertClientEvent     AlertCode = 1224 // Client event
	AlertNoEndOfData     AlertCode = 1225 // No end of data
	AlertGeneric         AlertCode = 1226 // Generic alert
)

var alertText = map[AlertCode]string{
	AlertDisplay:         "Display",
	AlertConfirm:         "Confirm or reject",
	AlertTextInput:       "Text input",
	AlertSingleChoice:    "Single choice",
	AlertMultipleChoice:  "Multiple choice",
	AlertServerInitiated: "Server-initiated management session",
	AlertClientInitiated: "Client-initiated management session",
	AlertNextMessage:     "Next message",
	AlertSessionAbort:    "Session abort",
	AlertClientEvent:     "Client event",
	AlertNoEndOfData:     "No end of data",
	AlertGeneric:         "Generic alert",
}

// String returns the code and its meaning, such as "1201 Client-initiated management session".
func (c AlertCode) String() string {
	if t, ok := alertText[c]; ok {
		return strconv.Itoa(int(c)) + " " + t
	}
	return strconv.Itoa(int(c))
}

// Data returns a new Data carrying c as an Alert's code, in decimal text,
// such as &Alert{…, Data: AlertClientInitiated.Data()}.
func (c AlertCode) Data() *Data { return Text(strconv.Itoa(int(c))) }

// parseCode reads a decimal code, allowing surrounding XML whitespace and
// a leading '-': exactly what StatusCode.Data and AlertCode.Data write, for
// every int, so a code a builder wrote is always readable. A '+', other
// characters, and values outside the int range are refused.
func parseCode(s string) (int, error) {
	if n, ok := shortCode(s); ok {
		return n, nil
	}
	t := xmlscan.TrimSpace(s)
	neg := len(t) > 0 && t[0] == '-'
	if neg {
		t = t[1:]
	}
	if len(t) == 0 {
		return 0, errorf("code %q is not a number", s)
	}
	// Accumulate as a negative number, whose range is one larger, so that
	// the smallest int is readable too.
	const minInt = -int(^uint(0)>>1) - 1
	n := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, errorf("code %q is not a number", s)
		}
		d := int(c - '0')
		if n < (minInt+d)/10 || n*10 < minInt+d {
			return 0, errorf("code %q is out of range", s)
		}
		n = n*10 - d
	}
	if !neg {
		if n == minInt {
			return 0, errorf("code %q is out of range", s)
		}
		n = -n
	}
	return n, nil
}

// shortCode reads s when it is one to nine decimal digits and nothing
// else, as every code on the wire is: a number that needs no test of its
// range. ok is false for anything else, which parseCode reads in full.
func shortCode(s string) (n int, ok bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int(d)
	}
	return n, true
}
