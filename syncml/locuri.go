package syncml

import (
	"errors"
	"strings"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/internal/xmlscan"
)

// Scope is the first segment of a LocURI that says whose tree it names.
type Scope uint8

// Scopes of a LocURI.
const (
	// ScopeDefault is a LocURI without a Device or User segment, such as
	// ./Vendor/MSFT/DMClient or ./DevInfo/DevId; Windows treats it as
	// device scope.
	ScopeDefault Scope = iota
	// ScopeDevice is ./Device/….
	ScopeDevice
	// ScopeUser is ./User/….
	ScopeUser
)

// String returns "default", "device" or "user".
func (s Scope) String() string {
	switch s {
	case ScopeDevice:
		return "device"
	case ScopeUser:
		return "user"
	}
	return "default"
}

// ErrLocURI is the cause of every LocURI parse error.
var ErrLocURI = errors.New("invalid LocURI")

// A LocURI is a parsed, normalised node address: its scope and its node
// names, percent-decoded once.
type LocURI struct {
	Scope    Scope
	Segments []string
}

// ParseLocURI splits a LocURI into scope and node names. It accepts an
// optional "./" prefix and a Device or User first segment in any letter
// case, and percent-decodes each segment once. It rejects a leading "/",
// empty segments, "." and ".." segments (also when percent-encoded), a
// decoded "/" inside a segment, control characters (C0, DEL and C1),
// segments that are not UTF-8 once decoded, white space at either end, and
// malformed percent escapes.
func ParseLocURI(s string) (LocURI, error) {
	var u LocURI
	if s == "" {
		return u, locErr(s, "empty")
	}
	if xmlscan.IsSpace(s[0]) || xmlscan.IsSpace(s[len(s)-1]) {
		return u, locErr(s, "white space at either end")
	}
	if s[0] == '/' {
		return u, locErr(s, "leading '/'")
	}
	rest := strings.TrimPrefix(s, "./")
	if rest == "" || rest == "." {
		return u, locErr(s, "no node name")
	}
	parts := strings.Split(rest, "/")
	u.Segments = make([]string, 0, len(parts))
	for i, p := range parts {
		seg, err := unescapeSegment(p)
		if err != nil {
			return LocURI{}, locErr(s, err.Error())
		}
		if i == 0 && len(parts) > 1 {
			switch {
			case strings.EqualFold(seg, "Device"):
				u.Scope = ScopeDevice
				continue
			case strings.EqualFold(seg, "User"):
				u.Scope = ScopeUser
				continue
			}
		}
		u.Segments = append(u.Segments, seg)
	}
	return u, nil
}

// locErr returns ParseLocURI's error for s: s is quoted cut in the
// middle (maxShownLocURI bytes of it at most, both ends kept), so that a
// peer's megabyte URI is not echoed in every message that names it.
func locErr(s, why string) error {
	return errorf("%w %q: %s", ErrLocURI, utf8cut.Middle(s, maxShownLocURI), why)
}

// maxShownLocURI is how much of a URI ParseLocURI's errors show.
const maxShownLocURI = 512

// unescapeSegment percent-decodes one segment and checks it: its bytes
// as written and as decoded one by one, then the decoded name whole (the
// rule of internal/nodename, which ddf.Parse applies to NodeNames too).
func unescapeSegment(p string) (string, error) {
	if p == "" {
		return "", nodename.ErrEmpty
	}
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '%' {
			// a '/' is not in p: the URI was split on it
			if err := nodename.Byte(c); err != nil {
				return "", err
			}
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if i+2 >= len(p) || unhex(p[i+1]) < 0 || unhex(p[i+2]) < 0 {
			return "", errors.New("malformed percent escape")
		}
		if b == nil {
			b = append(make([]byte, 0, len(p)), p[:i]...)
		}
		v := byte(unhex(p[i+1])<<4 | unhex(p[i+2]))
		if err := nodename.Byte(v); err != nil {
			return "", err
		}
		b = append(b, v)
		i += 2
	}
	seg := p
	if b != nil {
		seg = string(b)
	}
	if err := nodename.Whole(seg); err != nil {
		return "", err
	}
	return seg, nil
}

func unhex(c byte) int { return xmlscan.Unhex(c) }

// String returns the canonical form: "./", then "Device/" or "User/" for
// those scopes, then the node names joined by "/", each with '%', '/',
// '?', '#', space, control and non-ASCII bytes percent-encoded.
func (u LocURI) String() string {
	b := make([]byte, 0, 64)
	b = append(b, "./"...)
	switch u.Scope {
	case ScopeDevice:
		b = append(b, "Device/"...)
	case ScopeUser:
		b = append(b, "User/"...)
	}
	for i, s := range u.Segments {
		if i > 0 {
			b = append(b, '/')
		}
		b = AppendEscapedSegment(b, s)
	}
	return string(b)
}

// AppendEscapedSegment appends node name s percent-encoded for a LocURI
// ("MS DM SERVER" becomes "MS%20DM%20SERVER"). The names "." and ".." are
// written "%2E" and "%2E%2E", so a name can never read as a relative path
// step (ParseLocURI refuses them either way: no node has such a name).
func AppendEscapedSegment(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	if s == "." || s == ".." {
		for range len(s) {
			b = append(b, "%2E"...)
		}
		return b
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7F || c == '%' || c == '/' || c == '?' || c == '#' {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// Equal reports whether u and v name the same node: same node names and
// the same scope, where the default scope is the device scope.
func (u LocURI) Equal(v LocURI) bool {
	su, sv := u.Scope, v.Scope
	if su == ScopeDefault {
		su = ScopeDevice
	}
	if sv == ScopeDefault {
		sv = ScopeDevice
	}
	if su != sv || len(u.Segments) != len(v.Segments) {
		return false
	}
	for i := range u.Segments {
		if u.Segments[i] != v.Segments[i] {
			return false
		}
	}
	return true
}

// HasPrefix reports whether u is p or lies below it, matching whole
// segments (./Vendor/MSFT/Policy does not prefix ./Vendor/MSFT/PolicyX).
func (u LocURI) HasPrefix(p LocURI) bool {
	if len(p.Segments) > len(u.Segments) {
		return false
	}
	return LocURI{Scope: u.Scope, Segments: u.Segments[:len(p.Segments)]}.Equal(p)
}
