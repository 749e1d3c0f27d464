package session

import (
	"strconv"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A MsgIDError is the error, matching ErrProtocol, with which a Client
// refuses a server message whose MsgID is not a decimal number or is not
// greater than the MsgID of the last server message it handled in the
// session: the server sent it before (the same message again, or another
// one under a MsgID used), or its MsgIDs go down. Nothing of the message
// runs: its commands are known by its MsgID and their CmdIDs, so a
// message reusing a MsgID would make two of them one. With
// ClientConfig.AllowMsgIDReuse only a MsgID that is no decimal number is
// refused.
type MsgIDError struct {
	SessionID string // the session
	MsgID     string // the refused message's MsgID
	Last      string // the MsgID of the last server message handled in the session, "" for none
	// AnswersWaiting is true when, with ClientConfig.AllowMsgIDReuse, the message
	// brings commands while answers of the device to an earlier server
	// message of the session with that MsgID still wait to go: the Client
	// would take a Get of the new message for one of the earlier.
	AnswersWaiting bool
}

// Error says which MsgID is refused, in which session and after which;
// it shows the server's MsgIDs cut in their middle beyond 256 bytes (the
// fields keep them whole).
func (e *MsgIDError) Error() string {
	s := "session: server message MsgID " + shown(e.MsgID) + " in session " + strconv.Quote(e.SessionID)
	if !isDecimal(e.MsgID) {
		if t := xmlscan.TrimSpace(e.MsgID); t != e.MsgID && isDecimal(t) {
			return s + " is not a decimal number: it has white space around its digits"
		}
		return s + " is not a decimal number"
	}
	if e.AnswersWaiting {
		return s + " brings commands while answers to an earlier message with that MsgID are still to go"
	}
	return s + " is not past the last one, " + shown(e.Last)
}

// Unwrap returns ErrProtocol.
func (e *MsgIDError) Unwrap() error { return ErrProtocol }

// checkMsgID refuses (with a *MsgIDError) a server MsgID that is not a
// decimal number past c.inMsgID, the MsgID of the last server message
// handled in the session ("" for none, when any number is taken). It
// keeps nothing: c.inMsgID is all the Client holds of the MsgIDs it was
// sent, whatever the session's length.
//
// With ClientConfig.AllowMsgIDReuse any decimal number is taken. The
// MsgID is read as written: XML white space around the digits makes it
// no decimal number. The Server reads the device's MsgIDs the same way
// (its replay check compares them as written, and a padded one counts
// as no number when it starts its own count), both sides take a MsgRef
// only as the other writes its MsgIDs (see sentMsgID), and
// syncml.Validate reports a padded MsgID; no message of the shared
// corpus pads one.
func (c *Client) checkMsgID(id string) error {
	if isDecimal(id) && (c.cfg.AllowMsgIDReuse || c.inMsgID == "" || decimalLess(c.inMsgID, id)) {
		return nil
	}
	return &MsgIDError{SessionID: c.sessionID, MsgID: id, Last: c.inMsgID}
}

// isDecimal reports whether s is one or more ASCII digits.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalLess reports whether the number a is less than the number b,
// both decimal digits of any length (leading zeros are no part of the
// value).
func decimalLess(a, b string) bool {
	a, b = trimZeros(a), trimZeros(b)
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// trimZeros returns s without its leading zeros.
func trimZeros(s string) string {
	i := 0
	for i < len(s) && s[i] == '0' {
		i++
	}
	return s[i:]
}
