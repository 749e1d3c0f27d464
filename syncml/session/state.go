package session

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"

	"github.com/windc-go/windc/syncml"
)

// stateFormat is the first byte of MarshalBinary's output. Format 5 adds
// the span of the last reply that holds the sent commands (so that they
// are not kept twice), format 6 the device's owner (the last field, so
// that a state without owner is one of format 5 but for its first and
// last bytes, and a MemoryStore's differences of such states are as they
// were), format 7 the session's token (Config.SessionToken) after the
// owner. A state without token is saved in format 6, byte for byte as
// before: a server without SessionToken keeps states of the same size.
// UnmarshalBinary reads formats 4 and 5 too, as states without owner.
// Format 8 is format 7 (its token "" when there is none) with the rest
// of the package (Cont) and the sent commands kept apart from the text of
// their Items (see state_text.go). It is written only when they hold
// chunks, as they do while an object of this side's goes out in pieces;
// other states are as before. Format 9 is format 8 with the number of
// chunks of the partial object received (largeObject.Chunks) after its
// data; it replaces format 8, and is written too when the session
// receives an object in chunks, so that the count carries over from one
// message to the next.
const stateFormat = 9

// stateFormatSegs is format 9 with, after the count of chunks, the
// segments of the partial object a Server keeps in its Store
// (largeobj_segs.go): their number, their bytes and the marshaled state
// of their SHA-256. It is written only while a state names segments:
// other states are of the formats before it, which earlier versions read.
const stateFormatSegs = 10

// stateFormatSegGen is format 10 with, after the segments' hash, their
// generation (largeObject.SegGen). It is written only while a state names
// segments of a generation other than 0: other states are of the formats
// before it, which earlier versions read.
const stateFormatSegGen = 11

// stateFormatToken is the format of a state with token that holds no
// chunks (see state.piecesHeld).
const stateFormatToken = 7

// stateFormatNoToken is the format of a state without token that holds
// no chunks.
const stateFormatNoToken = 6

// The serialized state is a sequence of fields, each a uvarint or a
// uvarint length followed by bytes, in the order of stateWriter calls in
// MarshalBinary. Commands are kept as the canonical SyncML of a body
// without header: the queue, the rest of a package, and all sent commands
// in one body (each followed by its Status and held Results, counted in
// the per-command fields). When the sent commands are just those the last
// reply carried, without Status or Results, the state gives their span in
// that reply (offset + 1, length) and an empty body; otherwise a 0 and the
// body. The device's owner comes next (format 6), and the session's token
// last (formats 7 and 8). In format 8 the rest of the package and the
// body of the sent commands are each followed by the texts of their
// Items, which their SyncML leaves out (see stateWriter.split).

type stateWriter struct{ b []byte }

func (w *stateWriter) uint(v uint64)   { w.b = binary.AppendUvarint(w.b, v) }
func (w *stateWriter) bytes(p []byte)  { w.uint(uint64(len(p))); w.b = append(w.b, p...) }
func (w *stateWriter) string(s string) { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *stateWriter) bool(v bool) {
	if v {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

// flag is the encoding of v by stateWriter.bool: the one-byte varint of
// 1 or 0.
func flag(v bool) byte {
	if v {
		return 1
	}
	return 0
}

type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errorf("decode state: truncated or bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) bytes() []byte {
	n := r.uint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errorf("decode state: field of %d bytes, %d left", n, len(r.b))
		return nil
	}
	if n == 0 {
		return nil
	}
	p := r.b[:n:n] // r.b never changes (see unmarshalState)
	r.b = r.b[n:]
	return p
}

func (r *stateReader) string() string { return string(r.bytes()) }
func (r *stateReader) bool() bool     { return r.uint() != 0 }

func (r *stateReader) int() int {
	v := r.uint()
	if v > 1<<31 {
		r.err = errorf("decode state: number %d out of range", v)
		return 0
	}
	return int(v)
}

// scratch holds the buffers commands are encoded in before they are
// copied into a serialized state.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// encodeToTell reports why cmds cannot be encoded, nil when they can, by
// encoding them (for commands plainlyEncodable does not vouch for).
func encodeToTell(cmds []syncml.Command) error {
	p := scratch.Get().(*[]byte)
	b, err := syncml.AppendMessage((*p)[:0], &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
	putScratch(p, b)
	return err
}

// appendBody appends to dst the encoding of cmds in a body (without the
// body's own elements), or reports why they cannot be encoded.
func appendBody(dst []byte, cmds []syncml.Command) ([]byte, error) {
	p := scratch.Get().(*[]byte)
	b, err := syncml.AppendMessage((*p)[:0], &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
	if err == nil {
		dst = append(dst, b[len(bodyOpen):len(b)-len(bodyClose)]...)
	}
	putScratch(p, b)
	return dst, err
}

// queueEncoded returns the encoding of the queue kept in queueEnc, and
// whether it is that of the queue (an empty queue has an empty one).
func (st *state) queueEncoded() ([]byte, bool) {
	if len(st.Queue) == 0 {
		return nil, true
	}
	if st.queueEnc == nil || len(st.Queue) != len(st.queueFor) {
		return nil, false
	}
	for i, c := range st.Queue {
		if c != st.queueFor[i] {
			return nil, false
		}
	}
	return st.queueEnc, true
}

// body writes enc, the encoding of commands in a body, as a field such
// as commands writes.
func (w *stateWriter) body(enc []byte) {
	w.uint(uint64(len(bodyOpen) + len(enc) + len(bodyClose)))
	w.b = append(append(append(w.b, bodyOpen...), enc...), bodyClose...)
}

// commands writes cmds as one field: the canonical SyncML of a body
// without header, or nothing when there are none.
func (w *stateWriter) commands(cmds []syncml.Command) error {
	if len(cmds) == 0 {
		w.uint(0)
		return nil
	}
	p := scratch.Get().(*[]byte)
	b, err := syncml.AppendMessage((*p)[:0], &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: cmds}})
	if err == nil {
		w.bytes(b)
	}
	putScratch(p, b)
	return err
}

// stateLimits returns the limits under which a part of a state of n
// bytes (commands in a body, the last reply) is decoded, the texts of its
// Items being at most data bytes (Config.maxStoredData). The session
// wrote it, and whatever Queue accepts and the session saves must load
// again: its sizes are bounded by the part itself, not by syncml's
// defaults (a queued object of 5 MiB is one token over
// DefaultMaxTokenBytes, the rest of a package in chunks can exceed
// DefaultMaxBytes). One token is bounded by data too, as SyncML: escaped
// (at most escapeFactor bytes a byte), so that a part does not decode
// whatever its size; its size is bounded in turn by what Queue accepts
// (Config.MaxQueue commands) and by the Store. The bounds of structure
// (depth, attributes, namespaces) are syncml's defaults, which the
// encoder enforces too.
func stateLimits(n, data int) syncml.Limits {
	return syncml.Limits{MaxBytes: int64(max(n, syncml.DefaultMaxBytes)), MaxTokens: max(n, syncml.DefaultMaxTokens),
		MaxTokenBytes: min(max(n, syncml.DefaultMaxTokenBytes), escapeFactor*data+escapeFactor)}
}

// escapeFactor bounds how many bytes of SyncML a byte of text takes once
// escaped (a quote is &quot;).
const escapeFactor = 6

// maxStoredData returns the largest text of one Item a state holds: that
// of an Item Queue accepts (maxQueuedObject, at least
// DefaultMaxObjectSize), of an object the device sent in chunks (within
// MaxObjectSize), or of one token of a device's message (decoded within
// syncml's DefaultMaxTokenBytes). A state saved under a larger
// MaxObjectSize than the Config's, holding a larger object, does not
// load (ErrStoredState).
func (c *Config) maxStoredData() int {
	return max(c.maxQueuedObject(), syncml.DefaultMaxTokenBytes)
}

// decodeCommands returns the commands of b, an encoded body, a part of a
// state that never changes (see unmarshalState) or a copy of its own,
// the texts of its Items within data bytes (see stateLimits): their
// strings share b's memory (syncml.UnmarshalOwned).
func decodeCommands(b []byte, data int) ([]syncml.Command, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var m syncml.Message
	if err := syncml.UnmarshalOwned(b, &m, stateLimits(len(b), data)); err != nil {
		return nil, err
	}
	return m.Body.Commands, nil
}

// MarshalBinary returns the Session's state (identity counters, queue,
// sent commands waiting for their Status, nonce, last reply, the device's
// owner, the session's token), for a Store.
func (s *Session) MarshalBinary() ([]byte, error) {
	p := scratch.Get().(*[]byte)
	b, err := s.appendState((*p)[:0])
	var out []byte
	if err == nil {
		out = append([]byte(nil), b...) // one allocation of the exact size
	}
	putStateScratch(p, b)
	return out, err
}

// putScratch returns a buffer of scratch to the pool, b being its last
// contents; a very large one is left to the garbage collector.
func putScratch(p *[]byte, b []byte) {
	if cap(b) <= 1<<20 {
		*p = b[:0]
		scratch.Put(p)
	}
}

// bigScratch holds buffers over scratch's bound that states holding an
// object in chunks were built in (see roomForState): such a state is as
// large as the object at every message while it goes out, and a buffer
// made anew for each costs its allocation, its zeroing and the garbage
// collector's work. sync.Pool lets them go after a garbage collection or
// two without use.
var bigScratch sync.Pool

// maxBigScratch is the largest buffer bigScratch keeps. It is a constant
// rather than an option because it bounds no input and holds no memory
// for long: a state larger than it is built and saved as any other, in a
// buffer of its own that the garbage collector takes back (an allocation
// per save, speed only); sync.Pool lets the buffers it keeps go once
// they sit unused over a collection or two, so it keeps no more than
// the states of the busiest moment needed anyway. And bigScratch is one
// pool for every Session of the process, which a Config of one could not
// rightly set. 64 MiB, sixteen times DefaultMaxObjectSize, leaves room
// for the states of a Config whose object bounds are raised well past
// the defaults.
const maxBigScratch = 64 << 20

// putStateScratch is putScratch for b, a buffer a state was built in
// (by appendState), which nothing uses any longer: one over scratch's
// bound goes to bigScratch, up to maxBigScratch.
func putStateScratch(p *[]byte, b []byte) {
	if c := cap(b); c > 1<<20 && c <= maxBigScratch {
		*p = b[:0]
		bigScratch.Put(p)
		return
	}
	putScratch(p, b)
}

// roomForState returns b, or a copy of it, with room for n more bytes: a
// buffer of bigScratch when one is large enough, else b grown. The array
// of b is left as it is, to its owner (a reply may lie in it).
func roomForState(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	if p, _ := bigScratch.Get().(*[]byte); p != nil {
		if cap(*p) >= len(b)+n {
			return append((*p)[:0], b...)
		}
		bigScratch.Put(p) // for a smaller state
	}
	return slices.Grow(b, n)
}

// appendState appends the serialized state to dst (see MarshalBinary).
// It notes where the last reply's bytes are in the state (replyAt, from
// the state's first byte, not dst's).
func (s *Session) appendState(dst []byte) ([]byte, error) {
	return s.appendStateSplit(dst, s.st.piecesHeld() || s.st.LO.receiving())
}

// splitRoom is the room a state of format 8 takes at most (see
// heldText), with some to spare.
func (st *state) splitRoom() int { return len(st.Reply) + st.heldText() + 4<<10 }

// appendStateSplit is appendState in format 9 when split is set, else in
// the format of earlier versions (6, or 7 with a token), whatever st
// holds.
func (s *Session) appendStateSplit(dst []byte, split bool) ([]byte, error) {
	st := &s.st
	w := &stateWriter{b: dst}
	start := len(dst)
	token := ""
	if st.Auth != nil {
		token = st.Auth.Token
	}
	if split {
		// room for the texts, copied as they are, in one growth
		w.b = roomForState(w.b, st.splitRoom())
	}
	segs := st.LO != nil && st.LO.Segs > 0
	switch {
	case split && segs && st.LO.SegGen != 0:
		w.uint(stateFormatSegGen)
	case split && segs:
		w.uint(stateFormatSegs)
	case split:
		w.uint(stateFormat)
	case token == "":
		w.uint(stateFormatNoToken)
	default:
		w.uint(stateFormatToken)
	}
	w.string(st.SessionID)
	w.string(st.InMsgID)
	w.uint(uint64(st.OutMsgID))
	w.string(st.XMLNS)
	w.string(st.VerDTD)
	w.string(st.VerProto)
	w.bytes(st.ReqHash)
	w.uint(uint64(len(st.Reply)))
	st.replyAt = len(w.b) - start
	w.b = append(w.b, st.Reply...)
	w.bytes(st.Nonce)
	w.bool(st.Ended)
	w.uint(uint64(st.MaxMsgSize))
	w.bool(st.Started)
	w.uint(uint64(st.MaxObjSize))
	w.string(st.RefusedSession)
	w.uint(uint64(st.RefusedOut))
	w.bool(st.Auth != nil)
	if a := st.Auth; a != nil {
		w.string(a.Device)
		w.string(a.User)
		w.string(a.Method)
	}
	w.bytes(st.PeerNonce)
	w.bool(st.SrvAccepted)
	w.string(st.ReplyHMAC)
	w.bool(st.LO != nil)
	if lo := st.LO; lo != nil {
		if err := w.commands([]syncml.Command{lo.Cmd}); err != nil {
			return nil, errorf("encode state: partial object: %w", err)
		}
		w.string(lo.URI)
		if lo.Refused != 0 {
			w.uint(refusedSize + uint64(lo.Refused)) // see refusedSize
		} else {
			w.uint(uint64(lo.Size + 2))
		}
		w.bytes(lo.Data)
		if split {
			w.uint(uint64(lo.Chunks))
		}
		if split && segs {
			w.uint(uint64(lo.Segs))
			w.uint(uint64(lo.SegLen))
			w.bytes(lo.SegSum)
			if lo.SegGen != 0 {
				w.uint(lo.SegGen)
			}
		}
	}
	if enc, ok := st.queueEncoded(); ok && len(st.Queue) > 0 {
		w.body(enc)
	} else if err := w.commands(st.Queue); err != nil {
		return nil, errorf("encode state: queued commands: %w", err)
	}
	if split {
		if err := w.split(st.Cont); err != nil {
			return nil, errorf("encode state: package rest: %w", err)
		}
	} else if err := w.commands(st.Cont); err != nil {
		return nil, errorf("encode state: package rest: %w", err)
	}
	if err := w.sent(st, split); err != nil {
		return nil, err
	}
	w.string(st.Owner)
	if split || token != "" {
		w.string(token)
	}
	return w.b, nil
}

// sent writes the sent commands of st: their fields, then their span in
// the reply or their body, followed in a state of format 8 (split) by
// their texts (see stateWriter.split).
func (w *stateWriter) sent(st *state, split bool) error {
	if enc := st.sentEncoded(); enc != nil {
		w.uint(uint64(len(st.Sent.sent)))
		for _, e := range st.Sent.sent {
			w.string(e.MsgID)
			// NoResp, Internal, no Status, Held, no Results: the varints
			// of w.bool and w.uint(0), a byte each
			w.b = append(w.b, flag(e.NoResp), flag(e.Internal), 0, flag(e.Held), 0)
		}
		if off, ok := st.sentInReply(enc); ok {
			w.uint(uint64(off) + 1)
			w.uint(uint64(len(enc)))
			w.uint(0) // no body: the reply holds it
		} else {
			w.uint(0)
			w.body(enc)
		}
		if split {
			w.uint(0) // no texts apart
		}
		return nil
	}
	all := make([]syncml.Command, 0, 2*len(st.Sent.sent))
	w.uint(uint64(len(st.Sent.sent)))
	for _, e := range st.Sent.sent {
		w.string(e.MsgID)
		w.bool(e.NoResp)
		w.bool(e.Internal)
		w.bool(e.Status != nil)
		w.bool(e.Held)
		w.uint(uint64(len(e.Results)))
		all = append(all, e.Cmd)
		if e.Status != nil {
			all = append(all, e.Status)
		}
		for _, r := range e.Results {
			all = append(all, r)
		}
	}
	w.uint(0) // not a span of the reply
	var err error
	if split {
		err = w.split(all)
	} else {
		err = w.commands(all)
	}
	if err != nil {
		return errorf("encode state: sent commands: %w", err)
	}
	return nil
}

// sentInReply returns the offset in Reply of enc, the encoding of the
// sent commands, when enc is that part of Reply itself (not a copy).
func (st *state) sentInReply(enc []byte) (int, bool) {
	off := st.sentOff
	if len(enc) == 0 || off < 0 || off+len(enc) > len(st.Reply) || &st.Reply[off] != &enc[0] {
		return 0, false
	}
	return off, true
}

// bodyOpen and bodyClose surround the commands in the encoding of a
// message without header.
var bodyOpen, bodyClose = func() (string, string) {
	b, _ := syncml.Marshal(&syncml.Message{NoHeader: true})
	i := bytes.Index(b, []byte("</SyncBody>"))
	return string(b[:i]), string(b[i:])
}()

// encodedRun returns the bytes of out, an encoded message, that encode
// cmds, which close its body (but for Final), and their offset in out;
// nil when they cannot be told apart.
func encodedRun(out []byte, cmds []syncml.Command) ([]byte, int) {
	if len(cmds) == 0 {
		return nil, -1
	}
	end := len(out) - len("</SyncBody></SyncML>")
	if !bytes.HasSuffix(out, []byte("</SyncBody></SyncML>")) { // what Marshal writes
		end = bytes.LastIndex(out, []byte("</SyncBody>"))
	}
	if end < 0 {
		return nil, -1
	}
	body := bytes.TrimSuffix(out[:end], []byte("<Final/>"))
	// CmdIDs are unique in a message, and what comes before cmds are the
	// session's Statuses and alerts, without XML in their Data: the first
	// occurrence of the opening of the first command is that command. It
	// is looked for without its "<", the most frequent byte of the reply,
	// on which a search would stop at every tag.
	var buf [64]byte
	first := append(append(append(append(buf[:0], cmds[0].ElementName()...), "><CmdID>"...), cmds[0].ID()...), "</CmdID>"...)
	for from := 1; from < len(body); {
		i := bytes.Index(body[from:], first)
		if i < 0 {
			break
		}
		if start := from + i - 1; body[start] == '<' {
			return body[start:len(body):len(body)], start
		}
		from += i + 1
	}
	return nil, -1
}

// sentEncoded returns the encoding of the sent commands kept from the
// reply that carried them, nil when Sent is no longer just those commands
// without Status or Results.
func (st *state) sentEncoded() []byte {
	if st.sentEnc == nil || len(st.Sent.sent) != len(st.sentFor) {
		return nil
	}
	for i, e := range st.Sent.sent {
		if e.Cmd != st.sentFor[i] || e.Status != nil || len(e.Results) != 0 || e.Cmd.ID() == "" {
			return nil
		}
	}
	return st.sentEnc
}

// UnmarshalBinary replaces the Session's state with one from
// MarshalBinary. On error, which matches ErrStoredState, the state is
// unchanged.
func (s *Session) UnmarshalBinary(b []byte) error {
	return s.unmarshalState(append([]byte(nil), b...))
}

// head reads the state's format and the fields before its commands (the
// identity of the session, the last reply and what authenticated it) into
// st: all a replay needs (replayOf).
func (r *stateReader) head(st *state) (format uint64, err error) {
	f := r.uint()
	if r.err == nil && (f < 4 || f > stateFormatSegGen) {
		return 0, errorf("decode state: format %d, want 4 to %d", f, stateFormatSegGen)
	}
	st.SessionID = r.string()
	st.InMsgID = r.string()
	st.OutMsgID = r.int()
	st.XMLNS = r.string()
	st.VerDTD = r.string()
	st.VerProto = r.string()
	st.ReqHash = r.bytes()
	st.Reply = r.bytes()
	st.Nonce = r.bytes()
	st.Ended = r.bool()
	st.MaxMsgSize = r.int()
	st.Started = r.bool()
	st.MaxObjSize = r.int()
	st.RefusedSession = r.string()
	st.RefusedOut = r.int()
	if r.bool() {
		st.Auth = &acceptance{Identity: Identity{Device: r.string(), User: r.string(), Method: r.string()}}
	}
	st.PeerNonce = r.bytes()
	st.SrvAccepted = r.bool()
	st.ReplyHMAC = r.string()
	return f, r.err
}

// unmarshalState is UnmarshalBinary on b, which the state then shares:
// b must never change (the state's own copy, or a MemoryStore's). Every
// slice of b the state keeps is capped at its end, so that appending to
// it never writes into b.
func (s *Session) unmarshalState(b []byte) error { return s.unmarshalOwn(b, false) }

// unmarshalOwn is unmarshalState; own is set when b is a state a Server
// saved from its own session in a MemoryStore (memEntry.own), whose
// texts kept apart were checked when they came in: they are not checked
// again (see putTexts), a check that costs as much as the object at
// every message while it goes out in chunks.
func (s *Session) unmarshalOwn(b []byte, own bool) error {
	if err := s.decodeState(b, own); err != nil {
		return &storedStateError{err}
	}
	return nil
}

// storedStateError is the error of a state that does not decode: it
// matches ErrStoredState, and reads as the error it wraps.
type storedStateError struct{ err error }

func (e *storedStateError) Error() string        { return e.err.Error() }
func (e *storedStateError) Unwrap() error        { return e.err }
func (e *storedStateError) Is(target error) bool { return target == ErrStoredState }

// stateFields are the fields of a state as readFields reads them: st
// with its head, partial object (but its command), and owner; the other
// parts as they are stored.
type stateFields struct {
	st                       state
	loCmd, queue, cont, sent []byte
	contTexts, sentTexts     []pulled
	metas                    []sentMeta
	spanOff, spanLen         int // span+1 of the sent commands in Reply, 0: none
	token                    string
}

// sentMeta are the fields of a sent command in a state.
type sentMeta struct {
	msgID                          string
	noResp, internal, status, held bool
	results                        int
}

// readFields reads the fields of the state b, the texts of format 8
// within data bytes, without decoding its commands: what fails here is
// the state's framing, not its SyncML. b never changes (see
// unmarshalState): the MsgIDs of the sent commands share it, as their
// SyncML does, rather than an allocation each for every record (while an
// object goes out in chunks, one per chunk sent, at every message).
func readFields(b []byte, data int, fs *stateFields) error {
	r := &stateReader{b: b}
	st := &fs.st
	f, err := r.head(st)
	if err != nil {
		return err
	}
	if r.bool() {
		fs.loCmd = r.bytes()
		st.LO = &largeObject{URI: r.string(), Size: r.int() - 2, Data: r.bytes()}
		if f >= 9 {
			st.LO.Chunks = r.int()
		}
		if f >= stateFormatSegs {
			st.LO.Segs, st.LO.SegLen, st.LO.SegSum = r.int(), r.int(), r.bytes()
		}
		if f >= stateFormatSegGen {
			st.LO.SegGen = r.uint()
		}
		if v := st.LO.Size + 2; v >= refusedSize {
			st.LO.Size, st.LO.Refused = -1, syncml.StatusCode(v-refusedSize)
		}
		if fs.loCmd == nil && r.err == nil {
			return errorf("decode state: partial object without its command")
		}
	}
	fs.queue, fs.cont = r.bytes(), r.bytes()
	if f >= 8 {
		fs.contTexts = r.texts(data)
	}
	n := r.int()
	if r.err == nil && n > len(r.b) {
		return errorf("decode state: %d sent commands in %d bytes", n, len(r.b))
	}
	fs.metas = make([]sentMeta, 0, n)
	for range n {
		fs.metas = append(fs.metas, sentMeta{msgID: r.shared(), noResp: r.bool(), internal: r.bool(), status: r.bool(), held: r.bool(), results: r.int()})
	}
	if f >= 5 {
		if fs.spanOff = r.int(); fs.spanOff > 0 {
			fs.spanLen = r.int()
		}
	}
	fs.sent = r.bytes()
	if f >= 8 {
		fs.sentTexts = r.texts(data)
	}
	if f >= 6 {
		st.Owner = r.string()
	}
	if f >= 7 {
		fs.token = r.string()
	}
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return errorf("decode state: %d bytes after the end", len(r.b))
	}
	return nil
}

// decodeState is unmarshalOwn without its error's type.
func (s *Session) decodeState(b []byte, own bool) error {
	data := s.cfg.maxStoredData()
	var fs stateFields
	err := readFields(b, data, &fs)
	if err != nil {
		return err
	}
	st, loCmd, queue, cont, contTexts := &fs.st, fs.loCmd, fs.queue, fs.cont, fs.contTexts
	metas, spanOff, spanLen, sent, sentTexts, token := fs.metas, fs.spanOff, fs.spanLen, fs.sent, fs.sentTexts, fs.token
	if st.LO != nil && st.LO.received() > data {
		return errorf("decode state: partial object of %d bytes, over the %d a state holds (Config.MaxObjectSize, or DefaultMaxObjectSize when larger)", st.LO.received(), data)
	}
	if err := st.LO.checkSegs(); err != nil {
		return err
	}
	if token != "" {
		if st.Auth == nil {
			return errorf("decode state: a session token without an accepted identity")
		}
		st.Auth.Token = token
	}
	st.sentOff = -1
	if spanOff > 0 {
		off := spanOff - 1
		if sent != nil || spanLen == 0 || off+spanLen > len(st.Reply) {
			return errorf("decode state: sent commands at %d+%d of a reply of %d bytes", off, spanLen, len(st.Reply))
		}
		st.sentEnc, st.sentOff = st.Reply[off:off+spanLen:off+spanLen], off
		sent = make([]byte, 0, len(bodyOpen)+spanLen+len(bodyClose))
		sent = append(append(append(sent, bodyOpen...), st.sentEnc...), bodyClose...)
	}
	if st.LO != nil {
		cmds, err := decodeCommands(loCmd, data)
		if err != nil || len(cmds) != 1 {
			return errorf("decode state: partial object: %v", err)
		}
		st.LO.Cmd = cmds[0]
	}
	if st.Queue, err = decodeCommands(queue, data); err != nil {
		return errorf("decode state: queue: %w", err)
	}
	if len(st.Queue) > 0 && bytes.HasPrefix(queue, []byte(bodyOpen)) && bytes.HasSuffix(queue, []byte(bodyClose)) {
		// queue is this copy's own (r.b): kept to save the queue again
		st.queueEnc, st.queueFor = queue[len(bodyOpen):len(queue)-len(bodyClose)], st.Queue
	}
	if st.Cont, err = decodeCommands(cont, data); err != nil {
		return errorf("decode state: package rest: %w", err)
	}
	if err := putTexts(st.Cont, contTexts, own); err != nil {
		return errorf("decode state: package rest: %w", err)
	}
	all, err := decodeCommands(sent, data)
	if err != nil {
		return errorf("decode state: sent commands: %w", err)
	}
	if err := putTexts(all, sentTexts, own); err != nil {
		return errorf("decode state: sent commands: %w", err)
	}
	// the records allocated together, as addAll does
	recs := make([]sentCmd, len(metas))
	if len(metas) > 0 {
		st.Sent.sent = make([]*sentCmd, 0, len(metas))
	}
	for i, m := range metas {
		if len(all) == 0 {
			return errorf("decode state: fewer sent commands than listed")
		}
		e := &recs[i]
		*e = sentCmd{MsgID: m.msgID, Cmd: all[0], NoResp: m.noResp, Internal: m.internal, Held: m.held}
		all = all[1:]
		if m.status {
			var status *syncml.Status
			if len(all) > 0 {
				status, _ = all[0].(*syncml.Status)
			}
			if status == nil {
				return errorf("decode state: sent command without its Status")
			}
			e.Status, all = status, all[1:]
		}
		if m.results > len(all) {
			return errorf("decode state: sent command without its Results")
		}
		for _, c := range all[:m.results] {
			res, ok := c.(*syncml.Results)
			if !ok {
				return errorf("decode state: %s where Results belong", c.ElementName())
			}
			e.Results = append(e.Results, res)
		}
		all = all[m.results:]
		st.Sent.sent = append(st.Sent.sent, e)
	}
	if len(all) != 0 {
		return errorf("decode state: %d sent commands not listed", len(all))
	}
	if st.sentEnc != nil {
		// kept, so that saving the state again keeps the span
		st.sentFor = make([]syncml.Command, len(st.Sent.sent))
		for i, e := range st.Sent.sent {
			st.sentFor[i] = e.Cmd
		}
	}
	s.st = *st
	return nil
}
