package session

import (
	"errors"
	neturl "net/url"

	"github.com/windc-go/windc/internal/utf8cut"
)

// maxShown bounds how many bytes of one value a peer sent (a SessionID,
// a MsgID, a device ID or other LocURI, a user name, a Cred's type or
// format, a nonce) an error message or log record of this package shows.
// A peer's token may be megabytes long; 256 bytes keep whole every such
// value a real device or server sends (IDs and MsgIDs of tens of bytes,
// LocURIs of CSP nodes), so that messages about them read as before,
// while an error naming a few of them stays around a KiB. A longer value
// keeps both its ends, which tell URIs and IDs apart best, and says how
// many bytes were left out.
const maxShown = 256

// shown is s quoted as %q quotes it, cut in its middle beyond maxShown
// bytes: for a value the peer controls.
func shown(s string) string { return utf8cut.QuoteMiddle(s, maxShown) }

// cut is s unquoted, cut in its middle beyond maxShown bytes: for a value
// the peer controls that a message shows with %s, or a log attribute.
func cut(s string) string { return utf8cut.Middle(s, maxShown) }

// shownURLError is err, a *url.Error of url.Parse, with the URL it quotes
// and the text of its cause cut as cut cuts them, so that a peer's
// RespURI shows bounded; the same error when neither is longer.
func shownURLError(err error) error {
	var ue *neturl.Error
	if !errors.As(err, &ue) {
		return err
	}
	why := ue.Err
	if why != nil && len(why.Error()) > maxShown {
		why = errors.New(cut(why.Error()))
	}
	if len(ue.URL) <= maxShown && why == ue.Err {
		return err
	}
	return &neturl.Error{Op: ue.Op, URL: cut(ue.URL), Err: why}
}
