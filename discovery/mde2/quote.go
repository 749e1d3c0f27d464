package mde2

import "github.com/windc-go/windc/internal/utf8cut"

// maxQuoted bounds the bytes of a value that an error message quotes: a
// refusal names what it refuses without echoing a peer's megabyte (Go
// quoting writes some characters as four bytes or more).
const maxQuoted = 64

// quoted returns s in Go quotes, as %q writes it, cut after maxQuoted
// bytes (at a character's start) with "…" and the length in bytes.
func quoted(s string) string { return utf8cut.Quote(s, maxQuoted) }
