package syncml

import (
	"strings"
	"unsafe"
)

// makeNoZero returns an empty slice with room for at least n bytes whose
// memory is not cleared first. Marshal writes a large message straight
// into it: clearing a megabyte only to write over it cost about a tenth
// of the time of an escaped 1 MB message. strings.Builder.Grow is the
// one way the standard library offers to such memory (it allocates
// without clearing, since a builder writes its bytes before it reads
// them); the builder is dropped at once, so no string ever shares the
// bytes. The caller must hand on only bytes it wrote, with no capacity
// beyond them (marshalLarge does), or stale heap contents would show.
func makeNoZero(n int) []byte {
	var sb strings.Builder
	sb.Grow(n)
	sb.WriteByte(0) // the string is not empty, so its data pointer is defined
	return unsafe.Slice(unsafe.StringData(sb.String()), sb.Cap())[:0]
}
