package mde2

// Limits bound what a decoder accepts; a zero field takes its default.
// Enrollment messages are small (the largest, a response carrying a
// provisioning document with two certificates, is a few kilobytes), so the
// defaults are generous for real traffic and small for an attacker.
type Limits struct {
	// MaxBytes bounds the message as received, in bytes (default
	// DefaultMaxBytes).
	MaxBytes int64
	// MaxDepth bounds element nesting (default DefaultMaxDepth).
	MaxDepth int
	// MaxTokens bounds the number of XML tokens (start and end tags,
	// text, comments, processing instructions; default
	// DefaultMaxTokens).
	MaxTokens int
}

// The defaults of Limits.
const (
	DefaultMaxBytes  = 1 << 20
	DefaultMaxDepth  = 32
	DefaultMaxTokens = 50000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTokens <= 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	return l
}
