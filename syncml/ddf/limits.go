package ddf

// Limits bound what Parse spends on one DDF. A zero or negative field
// takes its default (there is no "no limit"); the defaults accept every DDF of Microsoft's bundle, the Policy
// CSP included. Exceeding a limit is a *LimitError naming the field. A
// limit that means the same in syncml or declaredconfig has the same name,
// type and counting there.
type Limits struct {
	// MaxBytes caps the input: the bytes given, byte order mark included.
	// Default 64 MiB.
	MaxBytes int64
	// MaxDepth caps XML element nesting, counting MgmtTree as 1. Default
	// 256; a value above 65536 is taken as 65536 (the parser recurses
	// once per nested Node, and a goroutine's stack is bounded: its
	// overflow is a fatal error, not a panic).
	MaxDepth int
	// MaxNodes caps the number of Node elements. Default 200,000.
	MaxNodes int
	// MaxRegExCost caps what compiling the RegEx expressions of
	// AllowedValues may cost, all of the DDF's together: 200 for each
	// expression, one for each of its bytes, 1,000 for each Unicode class
	// escape (\pL, \p{Greek}, \PN: each a table of hundreds of ranges,
	// built anew each time it is written), and for each of the two
	// programs it compiles to (as written and anchored) one for each
	// instruction, a character class counting its ranges and x{100} its
	// x 100 times. Counting is cheap and done before the costly step: the
	// escapes before an expression is parsed, the instructions before it
	// is compiled. Compiling costs far more than reading: 120 KB of
	// Unicode classes held 80 MB and took seconds, and 7 KB of a{1000}
	// 44 MB. Default 1,000,000: at most some 25 MB held (90 MB
	// allocated) and a quarter of a second, measured over DDFs of one
	// kind of expression made to fill it. A GUID expression costs some
	// 560, Defender's list of IPv4 and IPv6 address forms some 3,250.
	MaxRegExCost int
}

// Default values of Limits.
const (
	DefaultMaxBytes     = 64 << 20
	DefaultMaxDepth     = 256
	DefaultMaxNodes     = 200_000
	DefaultMaxRegExCost = 1_000_000
)

// maxSetDepth is the largest MaxDepth the parser takes: it recurses once
// per nested Node, and a goroutine's stack is bounded.
const maxSetDepth = 1 << 16

// DefaultLimits returns the limits Parse uses.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	l.MaxDepth = min(l.MaxDepth, maxSetDepth)
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	if l.MaxRegExCost <= 0 {
		l.MaxRegExCost = DefaultMaxRegExCost
	}
	return l
}
