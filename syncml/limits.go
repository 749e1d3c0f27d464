package syncml

// Limits bound the resources a decoder spends on one input. A zero or
// negative field takes its default (there is no "no limit"); raise a
// field to accept bigger input. Exceeding a
// limit is a *LimitError naming the field. A limit that means the same in
// another package of the module has the same name, type and counting there
// (declaredconfig.Limits, ddf.Limits).
//
// The content of a Data element that holds XML (and of an Unknown element)
// is a nested document and is bounded as that document alone is: its
// nesting by MaxDataDepth, not MaxDepth, and its namespace declarations by
// MaxNamespaces counted from the Data element, apart from the message's.
// So a document that declaredconfig accepts with its default Limits is
// accepted as Data in any message that is otherwise within these defaults.
type Limits struct {
	// MaxBytes caps the message (for a Decoder: the whole stream) in the
	// bytes that came over the wire, byte-order mark included, before any
	// transcoding; the UTF-8 text scanned can be up to three times as long
	// (a single-byte encoding's € is three bytes of UTF-8). Default 8 MiB.
	MaxBytes int64
	// MaxDepth caps element nesting, counting SyncML as 1 and not counting
	// the content of Data and Unknown elements (see MaxDataDepth).
	// Default 32; a value above 65536 is taken as 65536 (the decoder
	// recurses once per nested Atomic or Sequence, and a goroutine's stack
	// is bounded: its overflow is a fatal error, not a panic).
	MaxDepth int
	// MaxTokens caps the number of elements, text runs, comments and
	// processing instructions. Default 1,048,576.
	MaxTokens int
	// MaxTokenBytes caps one name, attribute value, text run, comment or
	// processing instruction. Default 4 MiB.
	MaxTokenBytes int
	// MaxAttrs caps the attributes (namespace declarations included) of
	// one element. Default 32.
	MaxAttrs int
	// MaxDataDepth caps element nesting inside one Data element (and inside
	// an Unknown element), counting its outermost elements as 1. Default 24,
	// declaredconfig's DefaultMaxDepth.
	MaxDataDepth int
	// MaxNamespaces caps the namespace declarations in scope at any point;
	// inside the content of a Data or Unknown element, those declared in
	// that content (see above). Default 64.
	MaxNamespaces int
}

// Default values of Limits.
const (
	DefaultMaxBytes      = 8 << 20
	DefaultMaxDepth      = 32
	DefaultMaxTokens     = 1 << 20
	DefaultMaxTokenBytes = 4 << 20
	DefaultMaxAttrs      = 32
	DefaultMaxDataDepth  = 24
	DefaultMaxNamespaces = 64
)

// maxSetDepth is the largest MaxDepth a decoder or an Encoder takes: both
// recurse once per group, and a goroutine's stack is bounded.
const maxSetDepth = 1 << 16

// DefaultLimits returns the limits Unmarshal and NewDecoder use.
func DefaultLimits() Limits {
	return Limits{}.withDefaults()
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxSetDepth)
	if l.MaxTokens <= 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	if l.MaxTokenBytes <= 0 {
		l.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if l.MaxAttrs <= 0 {
		l.MaxAttrs = DefaultMaxAttrs
	}
	if l.MaxDataDepth <= 0 {
		l.MaxDataDepth = DefaultMaxDataDepth
	}
	if l.MaxNamespaces <= 0 {
		l.MaxNamespaces = DefaultMaxNamespaces
	}
	return l
}
