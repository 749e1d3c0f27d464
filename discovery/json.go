package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxBytes is the default limit on the size of a request or
// response body. Discovery bodies are a few hundred bytes.
const DefaultMaxBytes = 64 << 10

// DefaultMaxBodyBytes is DefaultMaxBytes under its former name.
//
// Deprecated: use DefaultMaxBytes, the name the module's limits share.
const DefaultMaxBodyBytes = DefaultMaxBytes

// MarshalJSON encodes r compactly, members in the schema's order, empty
// strings omitted except a present enrollmentType. It fails only when a
// field is not valid UTF-8.
//
// The receiver is a value so that json.Marshal of a Request value, or of
// a struct holding one, uses the schema's names. Go therefore cannot call
// it through a nil *Request (that panics, as for any value method); use
// json.Marshal for a pointer that may be nil: it writes null.
func (r Request) MarshalJSON() ([]byte, error) {
	vals := [...]string{r.UserDomain, r.UPN, r.TenantID, r.EMMDeviceID, "", r.OSVersion}
	var present [len(vals)]bool
	for i, v := range vals {
		present[i] = v != ""
	}
	if r.EnrollmentType != nil {
		vals[enrollmentTypeIndex] = string(*r.EnrollmentType)
		present[enrollmentTypeIndex] = true
	}
	return encodeObject(requestFields, vals[:], present[:])
}

// MarshalJSON encodes r compactly, members in the schema's order, empty
// strings omitted. It fails only when a field is not valid UTF-8. As with
// Request.MarshalJSON, json.Marshal of a nil *Response writes null where
// a direct call panics.
func (r Response) MarshalJSON() ([]byte, error) {
	vals := [...]string{
		r.EnrollmentServiceURL, r.EnrollmentVersion, r.EnrollmentPolicyServiceURL,
		r.AuthenticationServiceURL, r.ManagementResource, r.TouURL, string(r.AuthPolicy),
		r.ErrorCode, r.Message,
	}
	var present [len(vals)]bool
	for i, v := range vals {
		present[i] = v != ""
	}
	return encodeObject(responseFields, vals[:], present[:])
}

// UnmarshalJSON decodes a request body strictly; see ReadRequest. The
// body may be at most DefaultMaxBytes long. Offsets in errors count
// from the start of data. A nil r is refused before data is read, with
// the *json.InvalidUnmarshalError json.Unmarshal gives a nil pointer.
func (r *Request) UnmarshalJSON(data []byte) error {
	if r == nil {
		return nilUnmarshal(r)
	}
	return r.unmarshal(data, DefaultMaxBytes)
}

// UnmarshalJSON decodes a response body strictly; see ReadResponse. The
// body may be at most DefaultMaxBytes long. Offsets in errors count
// from the start of data. A nil r is refused as Request.UnmarshalJSON
// refuses one.
func (r *Response) UnmarshalJSON(data []byte) error {
	if r == nil {
		return nilUnmarshal(r)
	}
	return r.unmarshal(data, DefaultMaxBytes)
}

// nilUnmarshal is the error of UnmarshalJSON called on the nil pointer
// v: the one encoding/json uses for a nil pointer, under this package's
// prefix.
func nilUnmarshal(v any) error {
	return fmt.Errorf("discovery: %w", &json.InvalidUnmarshalError{Type: reflect.TypeOf(v)})
}

func (r *Request) unmarshal(data []byte, limit int64) error {
	vals, present, err := decodeObject(data, limit, requestFields)
	if err != nil {
		return err
	}
	*r = Request{
		UserDomain:  vals[0],
		UPN:         vals[1],
		TenantID:    vals[2],
		EMMDeviceID: vals[3],
		OSVersion:   vals[5],
	}
	if present[enrollmentTypeIndex] {
		t := EnrollmentType(vals[enrollmentTypeIndex])
		r.EnrollmentType = &t
	}
	return nil
}

func (r *Response) unmarshal(data []byte, limit int64) error {
	vals, _, err := decodeObject(data, limit, responseFields)
	if err != nil {
		return err
	}
	*r = Response{
		EnrollmentServiceURL:       vals[0],
		EnrollmentVersion:          vals[1],
		EnrollmentPolicyServiceURL: vals[2],
		AuthenticationServiceURL:   vals[3],
		ManagementResource:         vals[4],
		TouURL:                     vals[5],
		AuthPolicy:                 AuthPolicy(vals[6]),
		ErrorCode:                  vals[7],
		Message:                    vals[8],
	}
	return nil
}

// ReadRequest reads a request body from rd and decodes it strictly: the
// body must be one JSON object whose members are all schema fields with
// string values, spelled exactly, each at most once, in valid UTF-8, with
// nothing but white space after it. A body longer than maxBytes (0 means
// DefaultMaxBytes) gives a *LimitError; other rejections are a
// *DecodeError with the byte offset. ReadRequest does not call Validate.
// A nil rd is an error.
func ReadRequest(rd io.Reader, maxBytes int64) (*Request, error) {
	data, limit, err := readBody(rd, maxBytes)
	if err != nil {
		return nil, err
	}
	var r Request
	if err := r.unmarshal(data, limit); err != nil {
		return nil, err
	}
	return &r, nil
}

// ReadResponse is ReadRequest for a response body.
func ReadResponse(rd io.Reader, maxBytes int64) (*Response, error) {
	data, limit, err := readBody(rd, maxBytes)
	if err != nil {
		return nil, err
	}
	var r Response
	if err := r.unmarshal(data, limit); err != nil {
		return nil, err
	}
	return &r, nil
}

// errNilReader is the error of ReadRequest and ReadResponse for a nil
// io.Reader.
var errNilReader = errors.New("discovery: reading body: nil io.Reader")

func readBody(rd io.Reader, maxBytes int64) ([]byte, int64, error) {
	if rd == nil {
		return nil, 0, errNilReader
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	// one byte past the limit tells a body at the limit from a longer one;
	// at math.MaxInt64 no body can be longer, and maxBytes+1 would overflow
	data, err := io.ReadAll(io.LimitReader(rd, maxBytes+min(1, math.MaxInt64-maxBytes)))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, maxBytes, limitError(mbe.Limit)
		}
		return nil, maxBytes, fmt.Errorf("discovery: reading body: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, maxBytes, limitError(maxBytes)
	}
	return data, maxBytes, nil
}

// decodeObject decodes a flat JSON object whose members are the strings
// named in names. It returns each member's value and whether it was
// present.
func decodeObject(data []byte, limit int64, names []string) ([]string, []bool, error) {
	if limit > 0 && int64(len(data)) > limit {
		return nil, nil, limitError(limit)
	}
	if !utf8.Valid(data) {
		return nil, nil, decodeError(data, firstInvalidUTF8(data), "", ErrInvalidString)
	}
	vals := make([]string, len(names))
	present := make([]bool, len(names))
	dec := json.NewDecoder(bytes.NewReader(data))

	start := skipSpace(data, 0, "")
	tok, err := dec.Token()
	if isNumberRange(err) {
		tok, err = json.Number(""), nil // a number, too large for float64
	}
	if err != nil {
		return nil, nil, syntaxError(err, data)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, decodeError(data, start, "", fmt.Errorf("%w: body is not a JSON object", ErrType))
	}
	for dec.More() {
		keyStart := skipSpace(data, int(dec.InputOffset()), ",")
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, syntaxError(err, data)
		}
		key, _ := tok.(string) // Token only returns strings in key position.
		i := indexOf(names, key)
		if i < 0 {
			cause := ErrUnknownField
			for _, n := range names {
				if strings.EqualFold(n, key) {
					cause = fmt.Errorf("%w (schema name %q)", ErrCaseMismatch, n)
					break
				}
			}
			return nil, nil, decodeError(data, keyStart, pointer(key), cause)
		}
		if present[i] {
			return nil, nil, decodeError(data, keyStart, pointer(key), ErrDuplicateField)
		}
		valStart := skipSpace(data, int(dec.InputOffset()), ":")
		tok, err = dec.Token()
		if isNumberRange(err) {
			tok, err = json.Number(""), nil // a number, too large for float64
		}
		if err != nil {
			return nil, nil, syntaxError(err, data)
		}
		s, ok := tok.(string)
		if !ok {
			return nil, nil, decodeError(data, valStart, pointer(key), fmt.Errorf("%w: value is not a string", ErrType))
		}
		if bad := unpairedSurrogate(data[valStart:dec.InputOffset()]); bad >= 0 {
			return nil, nil, decodeError(data, valStart+bad, pointer(key), fmt.Errorf("%w: unpaired surrogate escape", ErrInvalidString))
		}
		vals[i] = s
		present[i] = true
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, syntaxError(err, data)
	}
	if end := skipSpace(data, int(dec.InputOffset()), ""); end < len(data) {
		return nil, nil, decodeError(data, end, "", ErrTrailingData)
	}
	return vals, present, nil
}

func indexOf(names []string, key string) int {
	for i, n := range names {
		if n == key {
			return i
		}
	}
	return -1
}

// skipSpace returns the offset of the first byte at or after i that is
// neither JSON white space nor one of the separators in extra.
func skipSpace(data []byte, i int, extra string) int {
	for i < len(data) {
		switch c := data[i]; c {
		case ' ', '\t', '\r', '\n':
		default:
			if strings.IndexByte(extra, c) < 0 {
				return i
			}
		}
		i++
	}
	return i
}

// isNumberRange reports whether err is json.Decoder.Token's refusal of a
// number that float64 cannot hold: the input is well-formed there.
func isNumberRange(err error) bool {
	_, ok := errors.AsType[*json.UnmarshalTypeError](err)
	return ok
}

// syntaxError returns the DecodeError for a body json.Decoder.Token
// refused, at the byte at fault. Token's SyntaxError counts its offset
// from before that byte in some places and from after it in others, so
// the body is scanned again with json.Unmarshal, whose SyntaxError
// counts every fault's byte: Offset-1 is its offset.
func syntaxError(err error, data []byte) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		off := int(se.Offset)
		var raw json.RawMessage
		if again, ok := errors.AsType[*json.SyntaxError](json.Unmarshal(data, &raw)); ok && again.Offset > 0 {
			se, off = again, int(again.Offset)-1
		}
		if bytes.HasPrefix(data[min(off, len(data)):], utf8BOM) {
			return decodeError(data, off, "", fmt.Errorf("%w: a byte order mark, which JSON does not take", ErrSyntax))
		}
		return decodeError(data, off, "", fmt.Errorf("%w: %s", ErrSyntax, se.Error()))
	}
	// json.Decoder reports a body that ends early as io.EOF.
	return decodeError(data, len(data), "", fmt.Errorf("%w: %w", ErrSyntax, io.ErrUnexpectedEOF))
}

// utf8BOM is the byte order mark in UTF-8.
var utf8BOM = []byte("\ufeff")

// decodeError returns the DecodeError for a problem at offset off of data,
// about the member at path (a JSON Pointer, "" for the body as a whole).
func decodeError(data []byte, off int, path string, cause error) error {
	off = max(0, min(off, len(data)))
	line, col := 1, 1
	for i := 0; i < off; i++ {
		switch data[i] {
		case '\r':
			if i+1 < off && data[i+1] == '\n' {
				i++
			}
			line, col = line+1, 1
		case '\n':
			line, col = line+1, 1
		default:
			col++
		}
	}
	return pkg.Decode(int64(off), line, col, path, cause)
}

// pointer returns the JSON Pointer (RFC 6901) to the body's member named
// key: "/" and key with "~" and "/" escaped, so "/" for a member named "".
func pointer(key string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// limitError returns the LimitError for a body longer than max bytes.
func limitError(max int64) error {
	return pkg.Limit("MaxBytes", max, max, "")
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// unpairedSurrogate returns the offset within lit, a JSON string literal
// that json.Decoder has accepted, of the first \u escape that is a
// surrogate not forming a pair, or -1. encoding/json would turn such an
// escape into U+FFFD, which would not round-trip.
func unpairedSurrogate(lit []byte) int {
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		if i+1 < len(lit) && lit[i+1] != 'u' {
			i++ // skip the escaped character
			continue
		}
		r := hex4(lit, i+2)
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return i
		case r >= 0xD800 && r <= 0xDBFF:
			if i+11 < len(lit) && lit[i+6] == '\\' && lit[i+7] == 'u' {
				if lo := hex4(lit, i+8); lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return i
		}
		i += 5
	}
	return -1
}

func hex4(b []byte, i int) rune {
	if i+4 > len(b) {
		return -1
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	if err != nil {
		return -1
	}
	return rune(v)
}

// encodeObject writes the present members as one compact JSON object.
// Strings are escaped as encoding/json's Marshal would escape them, so
// json.Marshal of a Request or Response yields exactly these bytes.
func encodeObject(names, vals []string, present []bool) ([]byte, error) {
	n := 2
	for i, v := range vals {
		if present[i] {
			n += len(names[i]) + len(v) + 6
		}
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	first := true
	for i, v := range vals {
		if !present[i] {
			continue
		}
		if !utf8.ValidString(v) {
			return nil, &FieldError{Field: names[i], Err: ErrInvalidString}
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, names[i])
		b = append(b, ':')
		b = appendString(b, v)
	}
	return append(b, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s, valid UTF-8, as a JSON string literal.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i, r := range s {
		var esc string
		switch {
		case r == '"':
			esc = `\"`
		case r == '\\':
			esc = `\\`
		case r == '\n':
			esc = `\n`
		case r == '\r':
			esc = `\r`
		case r == '\t':
			esc = `\t`
		case r < 0x20, r == '<', r == '>', r == '&', r == '\u2028', r == '\u2029':
			esc = `\u` + string([]byte{hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF]})
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + utf8.RuneLen(r)
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
