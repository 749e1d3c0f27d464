package ddf

// Limits bound what Parse spends on one DDF. A zero field takes its
// default; the defaults accept every DDF of Microsoft's bundle, the Policy
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
}

// Default values of Limits.
const (
	DefaultMaxBytes = 64 << 20
	DefaultMaxDepth = 256
	DefaultMaxNodes = 200_000
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
	return l
}
