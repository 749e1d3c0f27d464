package session

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HMACHeaderName is the transport header that carries the HMAC.
const HMACHeaderName = "x-syncml-hmac"

// DefaultMaxHMACHeaderBytes is the default bound on the length of an
// x-syncml-hmac header value that ParseHMACHeader reads.
const DefaultMaxHMACHeaderBytes = 1024

// An HMACHeader is the value of the x-syncml-hmac header: a comma
// separated list of algorithm=token (optional, MD5 when absent),
// username="quoted-string" (the SyncHdr Source LocName of the sender) and
// mac=Base64.
type HMACHeader struct {
	Algorithm string // "" when absent (MD5 then)
	Username  string
	MAC       string // Base64 of the 16-byte digest
}

// HMACMD5 is the one HMAC algorithm defined.
const hmacMD5 = "MD5"

// ErrMalformedHeader is the cause of the *DecodeError of a header that
// ParseHMACHeader refuses. It matches ErrSyntax, ErrMalformedCredentials
// and ErrInvalidCredentials.
var ErrMalformedHeader error = &malformedHeader{}

type malformedHeader struct{}

func (*malformedHeader) Error() string { return "malformed " + HMACHeaderName + " header" }

// Is reports that a malformed header is a syntax error and invalid
// credentials.
func (*malformedHeader) Is(target error) bool {
	return target == xmlerrSyntax || target == ErrMalformedCredentials || target == ErrInvalidCredentials
}

// hdrError is a parse error at offset of the header, in param.
func hdrError(offset int, param, msg string) error {
	path := ""
	if param != "" {
		path = "/" + param
	}
	return pkg.Decode(int64(offset), 1, offset+1, path, pkg.Errorf("%s: %w", msg, ErrMalformedHeader))
}

// ParseHMACHeader reads an x-syncml-hmac header value strictly:
// parameters algorithm, username and mac (names in any case, each at most
// once, username and mac required), separated by commas with optional
// spaces or tabs; algorithm a token, username a quoted-string (or a
// token) of valid UTF-8 without control characters, mac Base64. Anything
// else is a *DecodeError whose cause matches ErrMalformedHeader; a value
// longer than DefaultMaxHMACHeaderBytes is a *LimitError (a
// CredAuthenticator's MaxHeaderBytes sets the bound for the headers it
// reads).
func ParseHMACHeader(s string) (HMACHeader, error) { return hmacLimits{}.Parse(s) }

// hmacLimits bounds what Parse accepts.
type hmacLimits struct {
	// MaxBytes bounds the header value's length; 0 means
	// DefaultMaxHMACHeaderBytes.
	MaxBytes int
}

// Parse reads an x-syncml-hmac header value strictly: parameters
// algorithm, username and mac (names in any case, each at most once,
// username and mac required), separated by commas with optional spaces
// or tabs (empty list elements are allowed, as in HTTP); algorithm a
// token, username a quoted-string (or a token) of valid UTF-8 without
// control characters, mac Base64 characters (padding only at its end).
// Anything else is a *DecodeError (Offset, Column and Path name the
// place and parameter) whose cause matches ErrMalformedHeader; a value
// longer than MaxBytes is a *LimitError.
func (l hmacLimits) Parse(s string) (HMACHeader, error) {
	max := l.MaxBytes
	if max <= 0 {
		max = DefaultMaxHMACHeaderBytes
	}
	if len(s) > max {
		return HMACHeader{}, pkg.Limit("MaxBytes", int64(max), int64(max), "")
	}
	var h HMACHeader
	var seen [3]bool
	i := 0
	for {
		i = hdrSkipOWS(s, i)
		if i == len(s) {
			break
		}
		if s[i] == ',' {
			i++
			continue
		}
		start := i
		for i < len(s) && hdrTokenChar(s[i]) {
			i++
		}
		if i == start {
			return HMACHeader{}, hdrError(i, "", "parameter name expected")
		}
		name := strings.ToLower(s[start:i])
		idx := -1
		switch name {
		case "algorithm":
			idx = 0
		case "username":
			idx = 1
		case "mac":
			idx = 2
		default:
			return HMACHeader{}, hdrError(start, "", "unknown parameter "+hdrQuote(s[start:i]))
		}
		if seen[idx] {
			return HMACHeader{}, hdrError(start, name, "parameter given twice")
		}
		seen[idx] = true
		i = hdrSkipOWS(s, i)
		if i == len(s) || s[i] != '=' {
			return HMACHeader{}, hdrError(i, name, "'=' expected")
		}
		i = hdrSkipOWS(s, i+1)
		var v string
		var err error
		switch idx {
		case 0:
			v, i, err = hdrToken(s, i, name)
			h.Algorithm = v
		case 1:
			if i < len(s) && s[i] == '"' {
				v, i, err = hdrQuoted(s, i, name)
			} else {
				v, i, err = hdrToken(s, i, name)
			}
			h.Username = v
		case 2:
			v, i, err = hdrBase64(s, i, name)
			h.MAC = v
		}
		if err != nil {
			return HMACHeader{}, err
		}
		i = hdrSkipOWS(s, i)
		if i < len(s) && s[i] != ',' {
			return HMACHeader{}, hdrError(i, name, "',' expected after the value")
		}
	}
	if !seen[1] {
		return HMACHeader{}, hdrError(len(s), "username", "username missing")
	}
	if !seen[2] {
		return HMACHeader{}, hdrError(len(s), "mac", "mac missing")
	}
	return h, nil
}

// String returns the header value, as Format does, or "" when h cannot be
// written.
func (h HMACHeader) String() string {
	s, _ := h.Format()
	return s
}

// Format returns the header value: algorithm (when set), the username
// quoted (with '"' and '\' escaped) and the mac. A value that Parse would
// refuse (an algorithm that is not a token, a username with control
// characters or invalid UTF-8, a mac that is not Base64, an empty
// username or mac) is refused with an error matching ErrMalformedHeader.
// Format(Parse(x)) is a fixpoint: parsing its output gives the same value.
func (h HMACHeader) Format() (string, error) {
	var b strings.Builder
	if h.Algorithm != "" {
		if !hdrIsToken(h.Algorithm) {
			return "", pkg.Errorf("algorithm %s is not a token: %w", hdrQuote(h.Algorithm), ErrMalformedHeader)
		}
		b.WriteString("algorithm=")
		b.WriteString(h.Algorithm)
		b.WriteString(", ")
	}
	if h.Username == "" || !utf8.ValidString(h.Username) {
		return "", pkg.Errorf("username is empty or not UTF-8: %w", ErrMalformedHeader)
	}
	b.WriteString(`username="`)
	for i := 0; i < len(h.Username); i++ {
		c := h.Username[i]
		if hdrCTL(c) {
			return "", pkg.Errorf("username holds a control character: %w", ErrMalformedHeader)
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteString(`", mac=`)
	if _, j, err := hdrBase64(h.MAC, 0, "mac"); err != nil || j != len(h.MAC) {
		return "", pkg.Errorf("mac is not Base64: %w", ErrMalformedHeader)
	}
	b.WriteString(h.MAC)
	return b.String(), nil
}

// computeHMAC returns the mac of body for the sender with key and nonce:
// B64(H(B64(key):nonce:B64(H(body)))), H being MD5 and body the raw bytes
// of the message as sent.
func computeHMACB64(key Key, nonce, body []byte) string {
	d := computeHMAC(key, nonce, body)
	return base64.StdEncoding.EncodeToString(d[:])
}

func computeHMAC(key Key, nonce, body []byte) [md5.Size]byte {
	return hmacOf(key, nonce, hmacBody(body))
}

// hmacBody returns B64(H(body)), the part of the mac that only the body
// makes.
func hmacBody(body []byte) [24]byte {
	bh := md5.Sum(body)
	var bb [24]byte
	base64.StdEncoding.Encode(bb[:], bh[:])
	return bb
}

// hmacOf returns H(B64(key):nonce:bb), bb being hmacBody of the body.
func hmacOf(key Key, nonce []byte, bb [24]byte) [md5.Size]byte {
	h := md5.New()
	h.Write(key.b64())
	h.Write([]byte{':'})
	h.Write(nonce)
	h.Write([]byte{':'})
	h.Write(bb[:])
	var d [md5.Size]byte
	h.Sum(d[:0])
	return d
}

// newHMACHeader returns the header a sender with username and password
// puts on body for nonce (the last NextNonce it received).
func newHMACHeader(username, password string, nonce, body []byte) HMACHeader {
	return HMACHeader{Algorithm: hmacMD5, Username: username, MAC: computeHMACB64(KeyOf(username, password), nonce, body)}
}

// verifyHMAC checks h against body, the nonce the verifier issued, or
// prev when not nil (a device's first nonce of the previous window, see
// AuthInput.FirstNonce), and creds. An algorithm other than MD5 matches
// ErrUnsupportedAuth; a mac that is not the Base64 of 16 bytes (padding
// may be left out) matches ErrMalformedCredentials; a wrong mac, an
// unknown user or a nil nonce matches ErrInvalidCredentials, its text
// saying which (nonceRefusal). The comparison takes constant time.
func verifyHMAC(ctx context.Context, h HMACHeader, nonce, prev, body []byte, creds Users) error {
	if h.Algorithm != "" && !strings.EqualFold(h.Algorithm, hmacMD5) {
		return pkg.Errorf("hmac: algorithm %s: %w", hdrQuote(h.Algorithm), ErrUnsupportedAuth)
	}
	got, err := decodeMAC(h.MAC)
	if err != nil {
		return err
	}
	key, err := authLookup(ctx, creds, h.Username)
	if err != nil {
		return err
	}
	bb := hmacBody(body)
	want := hmacOf(key.key, nonce, bb)
	ok := subtle.ConstantTimeCompare(got, want[:])
	if prev != nil {
		want = hmacOf(key.key, prev, bb)
		ok |= subtle.ConstantTimeCompare(got, want[:])
	}
	return nonceRefusal("hmac", "mac", h.Username, nonce, prev != nil, key.found, ok == 1)
}

// decodeMAC reads a mac with or without padding.
func decodeMAC(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if !strings.HasSuffix(s, "=") {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil || len(b) != md5.Size {
		return nil, pkg.Errorf("hmac: mac is not the Base64 of an MD5 digest: %w", ErrMalformedCredentials)
	}
	return b, nil
}

func hdrSkipOWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// hdrTokenChar reports an RFC 2616 token character.
func hdrTokenChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune("()<>@,;:\\\"/[]?={}", rune(c))
}

func hdrIsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !hdrTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// hdrCTL reports a control character (HT is allowed in quoted text).
func hdrCTL(c byte) bool { return (c < ' ' && c != '\t') || c == 0x7f }

func hdrToken(s string, i int, param string) (string, int, error) {
	start := i
	for i < len(s) && hdrTokenChar(s[i]) {
		i++
	}
	if i == start {
		return "", i, hdrError(i, param, "token expected")
	}
	return s[start:i], i, nil
}

func hdrQuoted(s string, i int, param string) (string, int, error) {
	start := i
	i++ // opening quote
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			v := b.String()
			if v == "" {
				return "", i, hdrError(start, param, "empty quoted-string")
			}
			if !utf8.ValidString(v) {
				return "", i, hdrError(start, param, "quoted-string is not UTF-8")
			}
			return v, i + 1, nil
		case c == '\\':
			if i+1 == len(s) || hdrCTL(s[i+1]) || s[i+1] >= 0x80 {
				return "", i, hdrError(i, param, "bad quoted-pair")
			}
			b.WriteByte(s[i+1])
			i += 2
		case hdrCTL(c):
			return "", i, hdrError(i, param, "control character in quoted-string")
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", i, hdrError(start, param, "unterminated quoted-string")
}

// hdrBase64 reads 1*(ALPHA / DIGIT / "+" / "/") *2"=" at i.
func hdrBase64(s string, i int, param string) (string, int, error) {
	start := i
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9' || s[i] == '+' || s[i] == '/') {
		i++
	}
	if i == start {
		return "", i, hdrError(i, param, "Base64 value expected")
	}
	for n := 0; n < 2 && i < len(s) && s[i] == '='; n++ {
		i++
	}
	return s[start:i], i, nil
}

// hdrQuote shows untrusted text in a message, bounded.
func hdrQuote(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strconv.Quote(s)
}
