package agent

import "github.com/windc-go/windc/internal/utf8cut"

// A failure is what the agent remembers of something that keeps failing
// (the saves of the Store, the read of a setting on refresh, the set of a
// setting that drifted and cannot be set again), so as to tell it when it
// starts and when it changes, not at every try. Its error's text is
// compared on its shape (errShape); a change of shape is told at most
// maxFailureChanges times while it lasts, so that nothing that keeps
// failing makes an event at every try, whatever its text holds.
type failure struct {
	shape   string // errShape of its last error
	changes int    // changes of shape told since it started
}

// maxFailureChanges bounds the changes of an error's text told while a
// failure lasts: beyond, they are kept quiet until it ends (a save or a
// read that works; for a set, a change of the setting's status).
const maxFailureChanges = 3

// quietNote ends the Detail of the event that tells the last change of a
// failure told.
const quietNote = "; its error keeps changing: further changes are not told while it lasts"

// newFailure returns the failure that starts with err.
func newFailure(err error) failure { return failure{shape: errShape(err)} }

// changed records that the failure f goes on with err and reports whether
// to tell it: when err's shape differs from the last one's, at most
// maxFailureChanges times; last says it is the last change told.
func (f *failure) changed(err error) (tell, last bool) {
	s := errShape(err)
	if s == f.shape {
		return false, false
	}
	f.shape = s
	if f.changes >= maxFailureChanges {
		return false, false
	}
	f.changes++
	return true, f.changes == maxFailureChanges
}

// goOn is changed for an event's Detail: whether to tell err, and the
// note that ends the Detail of the last change told ("" before).
func (f *failure) goOn(err error) (tell bool, note string) {
	tell, last := f.changed(err)
	if last {
		note = quietNote
	}
	return tell, note
}

// maxShapeBytes bounds an errShape, and so what the agent keeps of each
// failure.
const maxShapeBytes = 256

// errShape returns the text of err with each run of ASCII letters and
// digits that holds a digit written "#", and such runs joined by one
// punctuation character ("2026-12-06T10:00:00.5Z", "127.0.0.1:80") one
// "#", cut to maxShapeBytes: two errors that differ only in numbers (a
// time, a count, a process id, an address, the random name of a temporary
// file) have one shape; errors that differ in their words, or in their
// first maxShapeBytes, do not.
func errShape(err error) string {
	text := err.Error()
	b := make([]byte, 0, min(len(text), maxShapeBytes))
	for i := 0; i < len(text) && len(b) < maxShapeBytes; {
		if !alnum(text[i]) {
			b = append(b, text[i])
			i++
			continue
		}
		j, digit := i, false
		for ; j < len(text) && alnum(text[j]); j++ {
			digit = digit || '0' <= text[j] && text[j] <= '9'
		}
		if n := len(b); digit && n >= 2 && b[n-2] == '#' && b[n-1] > ' ' && b[n-1] < 0x7F {
			b = b[:n-1] // "#-#", "#:#", "#.#": one number (a time, an address)
		} else if digit {
			b = append(b, '#')
		} else {
			b = append(b, text[i:j]...)
		}
		i = j
	}
	return utf8cut.Prefix(string(b), maxShapeBytes)
}

// alnum reports whether c is an ASCII letter or digit.
func alnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// shown is s, a text of a document or of the stored state (a name, a
// path, a URI), quoted for a message: cut in the middle beyond 256 bytes,
// so that a message does not echo a megabyte.
func shown(s string) string { return utf8cut.QuoteMiddle(s, 256) }
