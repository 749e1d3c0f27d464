package utf8cut

import (
	"strconv"
	"unicode/utf8"
)

// Prefix returns s cut to at most n bytes, at a character's start (s
// itself when it is not longer than n).
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Quote returns s in Go quotes, as %q writes it; cut to Prefix(s, n)
// when it is longer than n bytes, followed by "…" and its length in
// bytes, so that an error message names a value without echoing a peer's
// megabyte.
func Quote(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return strconv.Quote(Prefix(s, n)) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Middle returns s when it is at most n bytes; otherwise its first and
// last n/2 bytes or so (cut at characters' starts) around "…(K bytes)…",
// K the number of bytes left out: for a path or URI, whose end names the
// innermost part, so that a message keeps both ends of it.
func Middle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head := Prefix(s, n/2)
	t := len(s) - n/2
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return head + "…(" + strconv.Itoa(t-len(head)) + " bytes)…" + s[t:]
}

// QuoteMiddle returns Middle(s, n) in Go quotes: a value whose both ends
// matter (a URI, a path, an ID) as an error message shows it.
func QuoteMiddle(s string, n int) string { return strconv.Quote(Middle(s, n)) }
