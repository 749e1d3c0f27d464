package declaredconfig

import "encoding"

// Limits bound what decoding one document may spend. A zero field takes
// its default; set a field to raise (or lower) one limit. Exceeding a
// limit is a *LimitError naming the field.
//
// The defaults are chosen so that a document accepted with them, once
// written by MarshalText, can be carried as markup in a syncml.Data and
// passes syncml's default limits (its MaxDataDepth and MaxAttrs, and its
// MaxTokenBytes and MaxBytes even when every character of the input needs
// a longer escape in the output). Documents accepted under raised limits
// may need raised syncml.Limits too.
type Limits struct {
	// MaxBytes caps the input, byte order mark and prolog included.
	// Default 1 MiB.
	MaxBytes int
	// MaxDepth caps element nesting, counting the root as 1 and elements
	// inside kept markup and markup values. Default 24.
	MaxDepth int
	// MaxAttrs caps the attributes of one element, namespace
	// declarations included. Default 32.
	MaxAttrs int
	// MaxTokenBytes caps one name, one attribute value (as written), one
	// comment or processing instruction, and one run of character data
	// (as written, from the end of one tag to the start of the next,
	// references, CDATA sections and comments included). Default 512 KiB.
	MaxTokenBytes int
	// MaxElements caps the elements of the document, those inside kept
	// markup and markup values included; it bounds the number of settings.
	// Default 65,536.
	MaxElements int
}

// Default values of Limits.
const (
	DefaultMaxBytes      = 1 << 20
	DefaultMaxDepth      = 24
	DefaultMaxAttrs      = 32
	DefaultMaxTokenBytes = 512 << 10
	DefaultMaxElements   = 1 << 16
)

// DefaultLimits returns the limits UnmarshalText uses.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxAttrs <= 0 {
		l.MaxAttrs = DefaultMaxAttrs
	}
	if l.MaxTokenBytes <= 0 {
		l.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultMaxElements
	}
	return l
}

// defaultLimits are the limits of UnmarshalText.
var defaultLimits = DefaultLimits()

// noLimits is used to check markup while writing: the writer does not
// enforce the decoding limits.
var noLimits = Limits{MaxBytes: int(^uint(0) >> 1), MaxDepth: 1 << 30, MaxAttrs: 1 << 30, MaxTokenBytes: 1 << 30, MaxElements: 1 << 30}

// Unmarshal decodes text into v, which must be a *Document, *Result,
// *Summary or *InstanceBlob, under the limits l (zero fields take their
// defaults). UnmarshalText is Unmarshal with the zero Limits. Other types
// of v are refused with an error matching ErrValue.
func (l Limits) Unmarshal(text []byte, v encoding.TextUnmarshaler) error {
	l = l.withDefaults()
	switch v := v.(type) {
	case *Document:
		return v.unmarshal(text, l)
	case *Result:
		return v.unmarshal(text, l)
	case *Summary:
		return v.unmarshal(text, l)
	case *InstanceBlob:
		return v.unmarshal(text, l)
	}
	return errorf("%w: Limits.Unmarshal into %T", ErrValue, v)
}
