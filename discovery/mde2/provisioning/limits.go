package provisioning

// Limits bound what decoding one document may spend, and what writing
// one may produce (MarshalLimits; Marshal keeps to the defaults, so that
// Unmarshal reads back what it writes). A zero field takes its default;
// exceeding a limit is a *LimitError naming the field. The
// names, types and counting are those of syncml.Limits and
// declaredconfig.Limits.
type Limits struct {
	// MaxBytes caps the input: the bytes given, byte order mark and
	// prolog included. Default 1 MiB (a document with a certificate chain
	// is a few KiB).
	MaxBytes int64
	// MaxDepth caps element nesting, counting the root as 1. Default 32;
	// a value above 65536 is taken as 65536, by the reader and the writer
	// alike (the writer recurses once per level).
	MaxDepth int
	// MaxElements caps the elements of the document, the root included.
	// Default 16,384.
	MaxElements int
	// MaxAttrs caps the attributes of one element, namespace declarations
	// included. Default 32.
	MaxAttrs int
}

// Default values of Limits.
const (
	DefaultMaxBytes    = 1 << 20
	DefaultMaxDepth    = 32
	DefaultMaxElements = 1 << 14
	DefaultMaxAttrs    = 32
)

// DefaultLimits returns the limits Unmarshal and UnmarshalText use.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

// withDefaults returns l with its zero fields set to their defaults and
// MaxDepth capped at maxDepth.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxDepth)
	if l.MaxElements <= 0 {
		l.MaxElements = DefaultMaxElements
	}
	if l.MaxAttrs <= 0 {
		l.MaxAttrs = DefaultMaxAttrs
	}
	return l
}
