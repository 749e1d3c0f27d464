package syncml

import (
	"fmt"
	"io"

	"github.com/windc-go/windc/internal/xmlscan"
)

// An Encoder writes one SyncML message to a stream: EncodeHeader, then
// EncodeCommand for each command, then EncodeEnd. The bytes equal Marshal's
// for the same message. Encode writes a whole message at once. It buffers
// what it writes (each command whole, so that a command it cannot write
// leaves nothing behind) in a buffer taken from a pool shared with Marshal
// and returned by EncodeEnd, and writes to w after a command once 32 KiB have gathered
// and at EncodeEnd; a bufio.Writer around w is not needed. An Encoder is
// not safe for concurrent use: one goroutine at a time. Out of order
// (EncodeCommand before EncodeHeader, anything after EncodeEnd) its
// methods return an error wrapping ErrState and write nothing.
type Encoder struct {
	w     io.Writer
	wr    writer
	buf   *[]byte // the pooled buffer wr.b came from, until EncodeEnd
	state encState
	err   error
}

type encState uint8

const (
	encStart encState = iota
	encBody
	encDone
)

// flushAt is the buffered size above which EncodeCommand writes through.
const flushAt = 32 << 10

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	e := &Encoder{w: w}
	e.wr.safeGroups = defaultSafeGroups
	return e
}

// SetIndent makes the encoder write like MarshalIndent, also with an
// empty prefix and indent (each element on a line of its own). Call it
// before writing anything.
func (e *Encoder) SetIndent(prefix, indent string) {
	e.wr.pretty, e.wr.prefix, e.wr.indent = true, prefix, indent
}

// SetMaxDepth sets the element depth the encoder does not exceed,
// counted as Limits.MaxDepth counts it, to n: a message it writes is read
// by a decoder whose MaxDepth is n or more. A command that would stand
// deeper is refused with a *LimitError for MaxDepth, and so are a header
// or a Final that would. n <= 0 restores the default, DefaultMaxDepth
// (which Marshal and AppendMessage keep to); n above 65536 is taken as
// 65536. Call it before writing anything.
func (e *Encoder) SetMaxDepth(n int) {
	e.wr.setMaxDepth(n)
}

// SetLimits makes the encoder write only what a decoder with the limits
// l reads (zero fields meaning their defaults, as for UnmarshalLimits):
// MaxDepth as SetMaxDepth, and the markup of XML Data and of Unknown
// elements within l's MaxAttrs, MaxDataDepth and MaxNamespaces, which
// Marshal keeps to their defaults. So a message decoded under raised
// limits can be written again, and one for a peer with lower limits is
// refused before it is sent; a value over a limit is refused with a
// *LimitError naming it. MaxBytes, MaxTokens and MaxTokenBytes are not
// checked. Call it before writing anything.
func (e *Encoder) SetLimits(l Limits) {
	l = l.withDefaults()
	m := marshalLimits
	m.MaxAttrs, m.MaxDataDepth, m.MaxNamespaces = l.MaxAttrs, l.MaxDataDepth, l.MaxNamespaces
	e.wr.markup = &m
	e.wr.setMaxDepth(l.MaxDepth)
}

// Encode writes the whole message m.
func (e *Encoder) Encode(m *Message) error {
	if m == nil {
		return nilMessage("Encode")
	}
	h, err := messageHeader(m)
	if err != nil {
		return err
	}
	if err := e.EncodeHeader(m.XMLNS, h); err != nil {
		return err
	}
	for _, c := range m.Body.Commands {
		if err := e.EncodeCommand(c); err != nil {
			return err
		}
	}
	return e.EncodeEnd(m.Body.Final)
}

// EncodeHeader writes the SyncML start tag with the namespace xmlns, the
// header, and the SyncBody start tag. A nil h writes no SyncHdr (see
// Message.NoHeader).
func (e *Encoder) EncodeHeader(xmlns string, h *Header) error {
	if e.err != nil {
		return e.err
	}
	if e.state != encStart {
		return fmt.Errorf("syncml: EncodeHeader: %w", ErrState)
	}
	if e.wr.pretty && (!xmlscan.IsAllSpace(e.wr.prefix) || !xmlscan.IsAllSpace(e.wr.indent)) {
		return errorf("EncodeHeader: prefix and indent must be XML white space")
	}
	if e.buf == nil {
		e.buf = getBuf()
		e.wr.b = *e.buf
	}
	if err := e.wr.start(xmlns, h); err != nil {
		e.wr.b, e.wr.depth, e.wr.started = e.wr.b[:0], 0, false
		return err
	}
	e.state = encBody
	return nil
}

// EncodeCommand writes one body command. A command that cannot be written
// leaves nothing behind and returns an error; the encoder stays usable.
func (e *Encoder) EncodeCommand(c Command) error {
	if e.err != nil {
		return e.err
	}
	if e.state != encBody {
		return fmt.Errorf("syncml: EncodeCommand: %w", ErrState)
	}
	n, depth, started := len(e.wr.b), e.wr.depth, e.wr.started
	if err := e.wr.command(c); err != nil {
		e.wr.b, e.wr.depth, e.wr.started = e.wr.b[:n], depth, started
		return inBody(c, err)
	}
	if len(e.wr.b) >= flushAt {
		return e.flush()
	}
	return nil
}

// EncodeEnd writes <Final/> when final is set, closes the body and the
// message, and flushes everything to the writer.
func (e *Encoder) EncodeEnd(final bool) error {
	if e.err != nil {
		return e.err
	}
	if e.state != encBody {
		return fmt.Errorf("syncml: EncodeEnd: %w", ErrState)
	}
	if err := e.wr.checkFinal(final); err != nil {
		return err
	}
	e.wr.end(final)
	e.state = encDone
	if err := e.flush(); err != nil {
		return err
	}
	// the buffer goes back to the pool only when nothing refers to it
	*e.buf = e.wr.b
	putBuf(e.buf)
	e.buf, e.wr.b = nil, nil
	return nil
}

func (e *Encoder) flush() error {
	if len(e.wr.b) == 0 {
		return nil
	}
	if _, err := e.w.Write(e.wr.b); err != nil {
		e.err = fmt.Errorf("syncml: write: %w", err)
		return e.err
	}
	e.wr.off += int64(len(e.wr.b))
	e.wr.b = e.wr.b[:0]
	return nil
}
