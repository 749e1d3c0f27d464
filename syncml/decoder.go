package syncml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlscan"
)

// A Decoder reads one SyncML message from a stream: Header first, then Next
// until io.EOF, then Final. It holds in memory only the command being
// decoded (plus read-ahead), so its memory is bounded by the largest
// top-level command, not by the message.
//
// Values returned by Header and Next share memory with the input read so
// far but not with the Decoder's buffer: they stay valid after later calls.
//
// A reader that returns no bytes and no error 100 times in a row ends the
// decode with an error wrapping io.ErrNoProgress, whatever the encoding.
//
// A Decoder accepts and refuses exactly what Unmarshal does and, for input
// with one fault, reports the same error. For input with several faults it
// reports the first it meets while reading, whereas Unmarshal checks the
// whole input's size (MaxBytes) and encoding before its structure: when
// such a fault lies beyond a syntax fault by more than the read-ahead, the
// two name different faults.
//
// A Decoder is not safe for concurrent use: one goroutine at a time.
type Decoder struct {
	r    io.Reader  // &wire, or a transcoder reading from it
	wire wireReader // the caller's reader
	lim  Limits

	buf  []byte // buffered input; buf[pos:] is unconsumed
	win  string // string(buf), rebuilt after each read
	pos  int
	off  int64 // stream offset of buf[0]
	skip int   // bytes of byte-order mark before a transcoder's input
	line int   // line of buf[pos]
	col  int   // column of buf[pos]
	eof  bool

	sc    scanner
	state decState
	hdr   Header
	noHdr bool // the message has no SyncHdr
	xmlns string
	final bool
	err   error // sticky error

	spanStart, spanEnd int64
}

type decState uint8

const (
	stStart decState = iota
	stBodyStart
	stBody
	stDone
)

// minRead is the least the decoder asks of its reader at a time.
const minRead = 32 << 10

// NewDecoder returns a Decoder reading from r with the default limits.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{wire: wireReader{r: r}, lim: DefaultLimits(), line: 1, col: 1}
	d.r = &d.wire
	d.sc.Init("", scanLimits(d.lim), &d.sc)
	d.sc.slabs.sizeFirst("", nil)
	d.sc.plainDecls = -1
	return d
}

// SetLimits replaces the decoder's limits (zero fields take their
// defaults). Call it before the first Header, Next or Decode; for a
// Decoder, Limits.MaxBytes bounds the whole stream, counted as it comes
// from the reader (before any transcoding).
func (d *Decoder) SetLimits(l Limits) {
	d.lim = l.withDefaults()
}

// Header reads the message through </SyncHdr> and returns the header. Once
// it has succeeded, later calls return the same header, even after Next
// has failed; an error in the header itself is returned again by every
// later call. A message without a SyncHdr element gives an empty header,
// and NoHeader then reports true. Each call returns a copy of its own
// (its Cred and Meta included): changing it, as when building a reply
// from it, changes nothing the Decoder returns later.
func (d *Decoder) Header() (*Header, error) {
	if d.state != stStart {
		return cloneHeader(&d.hdr), nil
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := d.begin(); err != nil {
		return nil, d.fail(err)
	}
	var h Header
	var xmlns string
	var present bool
	err := d.unit(func(sc *scanner) (int, error) {
		h = Header{}
		pos, err := sc.prolog(0)
		if err != nil {
			return 0, err
		}
		xmlns, pos, err = sc.root(pos)
		if err != nil {
			return 0, err
		}
		pos, present, err = sc.header(pos, &h)
		return pos, err
	})
	if err != nil {
		return nil, d.fail(err)
	}
	d.hdr, d.noHdr, d.xmlns = h, !present, xmlns
	d.state = stBodyStart
	return cloneHeader(&d.hdr), nil
}

// cloneHeader returns a copy of h that shares no memory it may change
// with h (strings aside, which cannot change).
func cloneHeader(h *Header) *Header {
	c := *h
	c.Meta = cloneMeta(h.Meta)
	if h.Cred != nil {
		c.Cred = &Cred{Meta: cloneMeta(h.Cred.Meta)}
		if h.Cred.Data != nil {
			dc := *h.Cred.Data
			dc.Namespaces = slices.Clone(dc.Namespaces)
			c.Cred.Data = &dc
		}
	}
	return &c
}

// cloneMeta returns a copy of m (nil for nil) that shares no memory it
// may change with m.
func cloneMeta(m *Meta) *Meta {
	if m == nil {
		return nil
	}
	c := *m
	if m.Anchor != nil {
		a := *m.Anchor
		c.Anchor = &a
	}
	if m.Mem != nil {
		mm := *m.Mem
		c.Mem = &mm
	}
	c.EMI = slices.Clone(m.EMI)
	return &c
}

// NoHeader reports, once Header has returned, whether the message has no
// SyncHdr element (Message.NoHeader of the same input).
func (d *Decoder) NoHeader() bool { return d.noHdr }

// Namespace returns the default namespace of the SyncML root element, once
// Header has returned.
func (d *Decoder) Namespace() string { return d.xmlns }

// Next returns the next command of the body: Atomic and Sequence come
// whole. After the last command it reads the rest of the message and
// returns io.EOF. It calls Header first if that has not been done.
func (d *Decoder) Next() (Command, error) {
	if d.state == stStart {
		if _, err := d.Header(); err != nil {
			return nil, err
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.state == stDone {
		return nil, io.EOF
	}
	if d.state == stBodyStart {
		err := d.unit(func(sc *scanner) (int, error) { return sc.bodyStart(0) })
		if err == errEmptyBody {
			if err := d.unit(func(sc *scanner) (int, error) { return sc.rootEnd(0) }); err != nil {
				return nil, d.fail(err)
			}
			d.state = stDone
			return nil, io.EOF
		}
		if err != nil {
			return nil, d.fail(err)
		}
		d.state = stBody
	}
	var cmd Command
	var done bool
	final := d.final
	err := d.unit(func(sc *scanner) (int, error) {
		f := final
		c, end, dn, err := sc.bodyItem(0, &f)
		if err == nil {
			cmd, done, d.final = c, dn, f
		}
		return end, err
	})
	if err != nil {
		return nil, d.fail(err)
	}
	if done {
		d.state = stDone
		return nil, io.EOF
	}
	return cmd, nil
}

// Decode reads the whole message into m: the header, every command of the
// body, Final and the root namespace, the same value Unmarshal gives for
// the same bytes. It may follow Header, but not Next: once Next has
// returned a command, Decode reports ErrState. After the message has been
// read (by Decode or by Next up to io.EOF) it returns io.EOF. On error m
// is left unchanged; errors are sticky, as for Next.
func (d *Decoder) Decode(m *Message) error {
	switch {
	case m == nil:
		return nilMessage("Decode")
	case d.err != nil:
		return d.err
	case d.state == stDone:
		return io.EOF
	case d.state == stBody:
		return fmt.Errorf("syncml: Decode after Next: %w", ErrState)
	}
	h, err := d.Header()
	if err != nil {
		return err
	}
	out := Message{XMLNS: d.xmlns, Header: *h, NoHeader: d.noHdr}
	for {
		c, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		out.Body.Commands = append(out.Body.Commands, c)
	}
	out.Body.Final = d.final
	*m = out
	return nil
}

// Final reports whether the body held <Final/>. It is meaningful once Next
// has returned io.EOF.
func (d *Decoder) Final() bool { return d.final }

// InputSpan returns the byte offsets [start, end) of the element the last
// Header or Next call returned (the SyncHdr, or the command), in the input
// after transcoding to UTF-8 (the raw input when it was UTF-8 without a
// byte-order mark), so the original bytes can be logged, proxied or
// checked.
func (d *Decoder) InputSpan() (start, end int64) { return d.spanStart, d.spanEnd }

func (d *Decoder) fail(err error) error {
	if d.err == nil {
		d.err = err
	}
	return d.err
}

// begin reads the first bytes, detects the encoding and, if needed, puts a
// transcoder between the reader and the scanner.
func (d *Decoder) begin() error {
	if d.wire.r == nil {
		return errorf("NewDecoder was given a nil io.Reader")
	}
	if err := d.fill(); err != nil {
		return err
	}
	enc, err := xmlcharset.Sniff(d.buf[:min(len(d.buf), xmlcharset.HeadBytes)])
	if err != nil {
		return pkg.Decode(0, 1, 1, "", err)
	}
	rest := d.buf[enc.Skip:]
	if enc.Label == "" {
		d.buf = rest
		d.win = string(d.buf)
		return nil
	}
	var src io.Reader = bytes.NewReader(append([]byte(nil), rest...))
	if !d.eof {
		src = io.MultiReader(src, &d.wire)
	}
	tr, err := xmlcharset.NewReader(src, enc.Label)
	if err != nil {
		return pkg.Decode(0, 1, 1, "", err)
	}
	d.r, d.buf, d.win, d.eof, d.skip = tr, d.buf[:0], "", false, enc.Skip
	return d.fill()
}

// fill reads more input: at least minRead bytes, and at least as much as
// is unconsumed, so that retried units cost amortised linear time.
func (d *Decoder) fill() error {
	if d.eof {
		return nil
	}
	if d.pos > 0 {
		// drop consumed bytes
		n := copy(d.buf, d.buf[d.pos:])
		d.off += int64(d.pos)
		d.buf = d.buf[:n]
		d.pos = 0
	}
	want := len(d.buf) + max(len(d.buf), minRead)
	if cap(d.buf) < want {
		nb := make([]byte, len(d.buf), want)
		copy(nb, d.buf)
		d.buf = nb
	}
	for len(d.buf) < want {
		n, err := d.r.Read(d.buf[len(d.buf):want])
		d.buf = d.buf[:len(d.buf)+n]
		if d.wire.n > d.lim.MaxBytes {
			return pkg.Limit("MaxBytes", d.lim.MaxBytes, d.lim.MaxBytes, "")
		}
		if err == io.EOF {
			d.eof = true
			break
		}
		if errors.Is(err, ErrEncoding) {
			return d.encodingError(err)
		}
		if err != nil {
			return fmt.Errorf("syncml: read: %w", err)
		}
	}
	d.win = string(d.buf)
	return nil
}

// encodingError reports err, the transcoder's, as Unmarshal does: at the
// offset of the bad bytes in the stream and at the line and column that
// the text before them, all in buf, ends at.
func (d *Decoder) encodingError(err error) error {
	line, col := xmlscan.Advance(d.line, d.col, string(d.buf[d.pos:]))
	return pkg.Decode(int64(d.skip+xmlcharset.ErrorOffset(err)), line, col, "", err)
}

// unit runs parse over the unconsumed input. When the input runs out
// before the unit is complete, it restores the scanner, reads more and
// tries again. On success it consumes the unit and records its span.
func (d *Decoder) unit(parse func(sc *scanner) (int, error)) error {
	sc := &d.sc
	sc.lim = d.lim
	sc.SetLimits(scanLimits(d.lim))
	for {
		cp := sc.Checkpoint()
		sc.SetInput(d.win[d.pos:], !d.eof)
		sc.base = d.off + int64(d.pos)
		sc.baseLine, sc.baseCol = d.line, d.col
		sc.lastStart = 0
		end, err := parse(sc)
		if err == errNeedMore {
			sc.Rewind(cp)
			if d.eof {
				return errors.New("syncml: internal error: scanner wants more input at end of stream")
			}
			if err := d.fill(); err != nil {
				return err
			}
			continue
		}
		if err != nil && err != errEmptyBody {
			return err
		}
		d.spanStart = sc.base + int64(sc.lastStart)
		d.spanEnd = sc.base + int64(end)
		d.advance(end)
		return err
	}
}

// advance consumes n bytes, keeping line and column current.
func (d *Decoder) advance(n int) {
	d.line, d.col = xmlscan.Advance(d.line, d.col, d.win[d.pos:d.pos+n])
	d.pos += n
}

// maxEmptyReads is how many reads in a row may return no bytes and no
// error before the Decoder gives up with io.ErrNoProgress.
const maxEmptyReads = 100

// wireReader is the Decoder's view of the caller's reader: it counts the
// bytes that came over the wire (what MaxBytes bounds, whatever the
// encoding) and turns a run of empty reads into io.ErrNoProgress, so that
// a stalled reader ends the decode on every path, transcoded or not.
type wireReader struct {
	r io.Reader
	n int64 // bytes read
}

func (w *wireReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for range maxEmptyReads {
		n, err := w.r.Read(p)
		if n < 0 || n > len(p) {
			return 0, fmt.Errorf("reader returned %d for a buffer of %d bytes", n, len(p))
		}
		w.n += int64(n)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}
