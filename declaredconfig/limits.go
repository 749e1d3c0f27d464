package declaredconfig

import "encoding"

// Limits bound what decoding one document may spend. A zero field takes
// its default; set a field to raise (or lower) one limit. Exceeding a
// limit is a *LimitError naming the field. A limit that means the same in
// syncml has the same name, type and counting there (syncml.Limits; this
// package's MaxDepth is what syncml counts as MaxDataDepth inside a Data).
//
// The defaults are chosen so that a document accepted with them, once
// written by MarshalText, can be carried as markup in a syncml.Data and
// passes syncml's default limits in any message that is otherwise within
// them (syncml counts the nesting and the namespace declarations of a
// Data's content from the Data element, as they are counted here from the
// root; its MaxTokenBytes and MaxBytes hold even when every character of
// the input needs a longer escape in the output). Documents accepted under
// raised limits may need raised syncml.Limits too.
type Limits struct {
	// MaxBytes caps the input: the bytes given, byte order mark and
	// prolog included. Default 1 MiB.
	MaxBytes int64
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
	// MaxTotalAttrs caps the attributes of the document in all, counted
	// as MaxAttrs counts them, those inside kept markup and markup values
	// included. Each takes some tens of bytes of memory while the
	// document is read, whatever its size: MaxAttrs per element alone
	// would let a text of short attributes take some 9 times its bytes.
	// Default 8 times MaxElements (524,288 with the default MaxElements);
	// documents, results and summaries hold 2 to 6 on an element.
	MaxTotalAttrs int
	// MaxNamespaces caps the namespace declarations in scope at any point
	// of the document (those around a document read from a syncml.Data
	// are not counted). Default 64.
	MaxNamespaces int
}

// Default values of Limits.
const (
	DefaultMaxBytes      = 1 << 20
	DefaultMaxDepth      = 24
	DefaultMaxAttrs      = 32
	DefaultMaxTokenBytes = 512 << 10
	DefaultMaxElements   = 1 << 16
	DefaultMaxNamespaces = 64
)

// attrsPerElement is the default of Limits.MaxTotalAttrs per element of
// MaxElements.
const attrsPerElement = 8

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
	if l.MaxNamespaces <= 0 {
		l.MaxNamespaces = DefaultMaxNamespaces
	}
	if l.MaxTotalAttrs <= 0 {
		l.MaxTotalAttrs = attrsPerElement * min(l.MaxElements, maxInt/attrsPerElement)
	}
	return l
}

// defaultLimits are the limits of UnmarshalText.
var defaultLimits = DefaultLimits()

// noLimits is used to check markup while writing: the writer does not
// enforce the decoding limits.
var noLimits = Limits{MaxBytes: 1<<63 - 1, MaxDepth: 1 << 30, MaxAttrs: 1 << 30, MaxTokenBytes: 1 << 30,
	MaxElements: 1 << 30, MaxNamespaces: 1 << 30, MaxTotalAttrs: 1 << 30}

// A Decodable is a value this package reads from XML: *Document, *Result,
// *Summary or *InstanceBlob. The interface is sealed; no other type
// implements it.
type Decodable interface {
	encoding.TextUnmarshaler
	unmarshal(text string, lim Limits, scope ...nsBinding) error
}

// UnmarshalLimits decodes text into v under the limits lim (zero fields
// take their defaults), as syncml.UnmarshalLimits and ddf.ParseLimits take
// theirs. v.UnmarshalText is UnmarshalLimits with the zero Limits.
func UnmarshalLimits(text []byte, v Decodable, lim Limits) error {
	isNil := false
	switch x := v.(type) {
	case nil:
		isNil = true
	case *Document:
		isNil = x == nil
	case *Result:
		isNil = x == nil
	case *Summary:
		isNil = x == nil
	case *InstanceBlob:
		isNil = x == nil
	}
	if isNil {
		return errorf("%w: UnmarshalLimits into a nil %T", ErrValue, v)
	}
	return v.unmarshal(string(text), lim.withDefaults())
}
