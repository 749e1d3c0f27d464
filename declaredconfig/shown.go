package declaredconfig

import "github.com/windc-go/windc/internal/utf8cut"

// Error messages show text of the input (names, paths, values, DocIDs,
// attributes, whole elements) through shown, and the message of an error
// they wrap through shownErr: a document's tokens may be as long as the
// limits allow, and a message should not echo megabytes of a peer's
// input. The fields of the typed errors keep the text whole.

// maxShown bounds each piece of input a message shows, and maxShownCause
// the message of a cause it wraps.
const (
	maxShown      = 256
	maxShownCause = 512
)

// shown is s quoted, cut in its middle beyond maxShown bytes.
func shown(s string) string { return utf8cut.QuoteMiddle(s, maxShown) }

// shownErr is err with its message cut in its middle beyond maxShownCause
// bytes; errors.Is and errors.As see err.
func shownErr(err error) error {
	if err == nil || len(err.Error()) <= maxShownCause {
		return err
	}
	return &cutError{err}
}

// cutError shows its cause's message cut, and unwraps to it.
type cutError struct{ err error }

func (e *cutError) Error() string { return utf8cut.Middle(e.err.Error(), maxShownCause) }
func (e *cutError) Unwrap() error { return e.err }

// shownName is an element name as a message shows it between angle
// brackets, unquoted: a name holds no character that needs a quote, but
// may be as long as a token.
func shownName(name string) string { return utf8cut.Middle(name, maxShown) }
