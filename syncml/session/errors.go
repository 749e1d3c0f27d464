package session

import (
	"errors"

	"github.com/windc-go/windc/internal/xmlerr"
)

const pkg = xmlerr.Pkg("session")

// Sentinel errors, checked with errors.Is.
var (
	// ErrProtocol is the cause of errors about a message that breaks the
	// session rules (no SessionID, a MsgID that is not a number…).
	ErrProtocol = errors.New("protocol violation")
	// ErrConflict is returned by a Store when a compare-and-swap finds
	// another version than the one it was given.
	ErrConflict = errors.New("store version conflict")
	// ErrLimit is the shared sentinel of every exceeded limit.
	ErrLimit = xmlerr.ErrLimit
	// ErrState reports a call made out of order.
	ErrState = errors.New("call out of order")
	// ErrStoredState: the state a Store holds for a device does not read
	// (Session.UnmarshalBinary; the error says where). A Server answers
	// the device's messages 500 (see ServerConfig.ReplaceUnreadableState).
	ErrStoredState = errors.New("stored state does not read")
)

// LimitError is the shared limit error type (see syncml.LimitError).
type LimitError = xmlerr.LimitError

func errorf(format string, args ...any) error {
	return pkg.Errorf(format, args...)
}
