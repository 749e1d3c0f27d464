package session

import (
	"errors"
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxObjectSize is the default bound of a large object received in
// chunks (Config.MaxObjectSize, ClientConfig.MaxObjectSize). A Client's
// Run carries an object that large within DefaultMaxMessages at a
// MaxMsgSize of 64 KiB (see DefaultMaxMessages).
const DefaultMaxObjectSize = 4 << 20

// DefaultMaxObjectChunks is the default bound of the chunks (messages) of
// one object (Config.MaxObjectChunks). Every chunk a device sends costs
// the Server a message, its session's state saved among it: the bound
// keeps that work in line with the object, not with how thinly a device
// slices it. (A Server's state holds under ServerConfig.ObjectSegment,
// 64 KiB by default, of the object so far,
// the rest in records of its own in the Store, see Store; a bare
// Session's holds all of it.)
// Windows chunks at the MaxMsgSize it announces, 64 KiB, which carries an
// object of DefaultMaxObjectSize in some 70 chunks. At a MaxMsgSize of
// 5000 bytes, the smallest in the example messages of OMA DM (20000 in
// those of other DM tools), 1024 chunks fall just short of it: a Client
// sends such an object in about 1035 chunks of plain text, and in more
// when its text grows as it is escaped. A Server that announces its
// MaxMsgSize (Config.AnnounceMaxMsgSize) takes its default bound from it
// instead when that is larger, which carries the object as long as each
// chunk holds at least half that size (1678 chunks at 5000 bytes).
const DefaultMaxObjectChunks = 1024

// A largeObject is the one partial object of a session: the chunks of an
// item sent with MoreData, buffered until the last chunk.
type largeObject struct {
	Cmd  syncml.Command // the first chunk's command
	URI  string         // its item's Target (or Source) LocURI
	Size int            // the announced size (-1 for an object refused)
	// Data is the data received so far, but for what went to the Store
	// in segments (largeobj_segs.go).
	Data []byte
	// Segs is the number of segments of the object a Server keeps in its
	// Store, SegLen their bytes and SegSum the SHA-256 of those bytes, in
	// its marshaled state, which the next segment goes on from (no
	// segment: 0, 0 and nil; states of format 9 and earlier have none).
	Segs, SegLen int
	SegSum       []byte
	// SegGen is the generation of the object's segments: the version of
	// the state its first segment was made from, which each of its
	// segment records starts with (0: records without it, as an older
	// build wrote them; see largeobj_segs.go).
	SegGen uint64
	// pend are the segments made by the message being handled, to write
	// to the Store before the state naming them is saved (not saved).
	pend []segWrite
	// Chunks counts the chunks received so far, the first one included
	// (0 for an object of a state saved before they were counted, format
	// 8 and earlier: counted from there).
	Chunks int
	// Refused is the code the object was refused with (413 over the
	// bound, 400 for a chunk that starts no object, of a command of
	// several items or in an Atomic), 0 while it is
	// received: the rest of its chunks (same command, same LocURI, up
	// to the one without MoreData) are answered with it, never served
	// nor joined, nor taken for a new object.
	Refused syncml.StatusCode
}

// refusedSize is where the size of a partial object in a serialized state
// (its Size plus 2) gives way to the code of a refused object (plus
// refusedSize): above any object a Session takes (Config.maxObj bounds
// Config.MaxObjectSize under it), and under the largest number a state
// holds (1<<31).
const refusedSize = 1<<31 - 1<<10

// receiving reports whether lo is an object being received (not nil,
// not refused).
func (lo *largeObject) receiving() bool { return lo != nil && lo.Refused == 0 }

// refuse answers the chunk c with code and, when
// more chunks of its object follow, keeps the object as refused with code,
// so that they are answered the same.
func (r *responder) refuse(c syncml.Command, code syncml.StatusCode, more bool) {
	r.noteDropped(c, *r.lo, code)
	*r.lo = nil
	if more {
		*r.lo = refusedObject(c, code)
	}
	if res, ok := c.(*syncml.Results); ok {
		r.resultsStatus(res, code)
		return
	}
	r.answer(c, Response{Code: code})
}

// refusedObject returns the object of the chunk c refused with code: c
// without its data (kept in the session's state until the object's last
// chunk: its data would only weigh), named by c's last item.
func refusedObject(c syncml.Command, code syncml.StatusCode) *largeObject {
	items := c.ItemList()
	last := items[len(items)-1]
	return &largeObject{Cmd: withItems(c, []syncml.Item{{Target: last.Target, Source: last.Source}}),
		URI: itemURI(last), Size: -1, Refused: code}
}

// firstSize returns the object size the chunk c (its one item it)
// announces, and whether it announces one: in OMA DM 1.2.1, 2.2, the
// first chunk of an item, and only that one, carries the whole object's
// size in its Meta Size. A size that does not read is -2, which no length
// matches (424 on the last chunk).
func firstSize(c syncml.Command, it syncml.Item) (int, bool) {
	if m := it.Meta; m != nil && m.Size != "" {
		return atoiSize(m.Size), true
	}
	var m *syncml.Meta
	if res, ok := c.(*syncml.Results); ok {
		m = res.Meta
	} else {
		m = metaOf(c)
	}
	if m != nil && m.Size != "" {
		return atoiSize(m.Size), true
	}
	return -1, false
}

// refusedChunk answers c when it is a chunk of the refused object lo
// (matching is whether it names lo's command and item): with lo's code,
// ending the refused object on its last chunk. It reports whether c was
// answered; a chunk that announces a Size starts a new object (the sender
// sends the object again, OMA DM 1.2.1, 2.2) and is not.
func (r *responder) refusedChunk(c syncml.Command, lo *largeObject, matching, more bool) bool {
	if !matching {
		return false
	}
	if _, first := firstSize(c, c.ItemList()[0]); first && more {
		return false
	}
	if !more {
		*r.lo = nil
	}
	if res, ok := c.(*syncml.Results); ok {
		r.resultsStatus(res, lo.Refused)
	} else {
		r.answer(c, Response{Code: lo.Refused})
	}
	return true
}

// chunk handles c when it is a chunk of a large object or interrupts one.
// It reports whether c was answered (a chunk buffered with 213, or the
// last chunk joined and served); false means c is served as usual (after
// an Alert 1225 when it cut a partial object).
func (r *responder) chunk(c syncml.Command) bool {
	switch c.(type) {
	case *syncml.Alert, *syncml.Get, *syncml.Status, *syncml.Results, *syncml.Atomic, *syncml.Sequence, *syncml.Unknown:
		if r.lo != nil && *r.lo != nil {
			r.cut()
		}
		return false
	}
	items := c.ItemList()
	more := len(items) > 0 && items[len(items)-1].MoreData
	if lo := *r.lo; lo != nil {
		matching := len(items) == 1 && c.ElementName() == lo.Cmd.ElementName() && itemURI(items[0]) == lo.URI
		if lo.Refused != 0 && r.refusedChunk(c, lo, matching, more) {
			return true
		}
		if matching && lo.Refused == 0 {
			if !r.addChunk(lo, items[0]) {
				r.refuse(c, syncml.StatusRequestEntityTooLarge, more)
				return true
			}
			if more {
				r.answer(c, Response{Code: syncml.StatusChunkedItemAccepted})
				return true
			}
			*r.lo = nil
			data, code := r.whole(lo)
			if code != 0 {
				r.answer(c, Response{Code: code})
				return true
			}
			whole := withItems(c, []syncml.Item{joined(items[0], lo, data)})
			r.answer(c, r.serve(whole, false))
			return true
		}
		r.cut()
	}
	if !more {
		return false
	}
	return r.firstChunk(c, items)
}

// firstChunk handles c, a chunk (its last item has MoreData) when no
// object is being received: it starts one, answered 213, or is refused,
// and so is the rest of its object: 400 for a command of several items
// (only one item can be chunked) or without Meta Size (a chunk of an
// object whose start this side does not have: the first chunk announces
// the size, OMA DM 1.2.1, 2.2), 413 over the bound.
func (r *responder) firstChunk(c syncml.Command, items []syncml.Item) bool {
	last := items[len(items)-1]
	if len(items) != 1 {
		r.refuse(c, syncml.StatusBadRequest, true)
		return true
	}
	size, sized := firstSize(c, last)
	switch {
	case !sized:
		r.refuse(c, syncml.StatusBadRequest, true)
		return true
	case size > r.maxObj:
		r.refuse(c, syncml.StatusRequestEntityTooLarge, true)
		return true
	}
	*r.lo = &largeObject{Cmd: c, URI: itemURI(last), Size: size, Data: appendData(nil, last.Data), Chunks: 1}
	r.flush(*r.lo)
	if res, ok := c.(*syncml.Results); ok {
		r.resultsStatus(res, syncml.StatusChunkedItemAccepted)
	} else {
		r.answer(c, Response{Code: syncml.StatusChunkedItemAccepted})
	}
	return true
}

// addChunk adds the data of it, the next chunk of lo, to lo. It reports
// false, adding nothing, when the chunk is one more than maxChunks (when
// above 0) or its data takes lo over maxObj: the object is then refused
// (413, as an object too large to take: a device that slices it too
// thinly costs the server what a larger object would).
func (r *responder) addChunk(lo *largeObject, it syncml.Item) bool {
	if r.maxChunks > 0 && lo.Chunks >= r.maxChunks {
		return false
	}
	if it.Data != nil && lo.received()+len(it.Data.Value) > r.maxObj {
		return false
	}
	lo.Chunks++
	lo.Data = appendData(lo.Data, it.Data)
	if it.MoreData {
		r.flush(lo) // the last chunk's object is joined, not kept
	}
	return true
}

// received returns the length of the data received of lo, its segments
// in the Store included.
func (lo *largeObject) received() int { return lo.SegLen + len(lo.Data) }

// whole returns the data of lo, its last chunk added, or the code to
// refuse it with: 424 when its length is not the size its first chunk
// announced, or when a segment of it in the Store is missing or changed;
// 500 when loading one fails (the Store's error then fails Handle: see
// segStore.err).
func (r *responder) whole(lo *largeObject) ([]byte, syncml.StatusCode) {
	if lo.Size >= 0 && lo.Size != lo.received() {
		return nil, syncml.StatusSizeMismatch
	}
	data, err := r.segStore(lo.Segs > 0).whole(lo)
	switch {
	case err == nil:
		return data, 0
	case errors.Is(err, errSegment):
		return nil, syncml.StatusSizeMismatch
	}
	return nil, syncml.StatusCommandFailed
}

// dataLen returns the length of the data held in the state (not in
// segments), 0 when lo is nil.
func (lo *largeObject) dataLen() int {
	if lo == nil {
		return 0
	}
	return len(lo.Data)
}

// resultsOf names the command a partial Results answers (zero when lo is
// nil or not a Results).
func (lo *largeObject) resultsOf() sentKey {
	if !lo.receiving() {
		return sentKey{}
	}
	r, ok := lo.Cmd.(*syncml.Results)
	if !ok {
		return sentKey{}
	}
	msg := r.MsgRef
	if msg == "" {
		msg = "1" // MS-MDM: a Results without MsgRef refers to message 1
	}
	return sentKey{msg, r.CmdRef}
}

// resultsChunk handles a received Results that is a chunk of a large
// object or interrupts one: a chunk followed by more is buffered and
// answered 213, the last one joined. It returns the Results to correlate
// (c itself, or the joined object on the last chunk's command), nil when
// there is none yet or the object was refused (413 over the bound, 424
// when its Size does not match, 400 for a chunk in a Results of several
// items or without the Meta Size of a first chunk; the rest of a refused
// object's chunks get the same code: see largeObject.Refused).
func (r *responder) resultsChunk(c *syncml.Results) *syncml.Results {
	items := c.Items
	more := len(items) > 0 && items[len(items)-1].MoreData
	if lo := *r.lo; lo != nil {
		prev, ok := lo.Cmd.(*syncml.Results)
		matching := ok && len(items) == 1 && prev.MsgRef == c.MsgRef && prev.CmdRef == c.CmdRef && itemURI(items[0]) == lo.URI
		if lo.Refused != 0 && r.refusedChunk(c, lo, matching, more) {
			return nil
		}
		if matching && lo.Refused == 0 {
			if !r.addChunk(lo, items[0]) {
				r.refuse(c, syncml.StatusRequestEntityTooLarge, more)
				return nil
			}
			if more {
				r.resultsStatus(c, syncml.StatusChunkedItemAccepted)
				return nil
			}
			*r.lo = nil
			data, code := r.whole(lo)
			if code != 0 {
				r.noteDropped(c, lo, code)
				r.resultsStatus(c, code)
				return nil
			}
			whole := *c
			whole.Items = []syncml.Item{joined(items[0], lo, data)}
			return &whole
		}
		r.cut()
	}
	if !more {
		return c
	}
	r.firstChunk(c, items)
	return nil
}

// resultsStatus answers a Results with code: a chunk (213) or an object
// refused; a whole Results answered 200 gets no Status.
func (r *responder) resultsStatus(c *syncml.Results, code syncml.StatusCode) {
	r.out = append(r.out, r.slab.newStatus(r.msgRef, c, code, c.Items))
}

// cut drops the partial object and tells the peer with Alert 1225, naming
// the object's item.
func (r *responder) cut() {
	lo := *r.lo
	*r.lo = nil
	if lo.Refused != 0 {
		return // refused already: the peer was told
	}
	r.noteDropped(lo.Cmd, lo, 0)
	r.cutObject = true
	var it syncml.Item
	if items := lo.Cmd.ItemList(); len(items) > 0 {
		it.Target, it.Source = items[0].Target, items[0].Source
	}
	r.out = append(r.out, NewAlert(syncml.AlertNoEndOfData, it))
}

func atoiSize(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return -2 // matches no length: the object is refused with 424
	}
	return n
}

func appendData(b []byte, d *syncml.Data) []byte {
	if d == nil {
		return b
	}
	return append(b, d.Value...)
}

// joined returns the last chunk's item carrying the whole object, data.
func joined(last syncml.Item, lo *largeObject, data []byte) syncml.Item {
	it := last
	it.MoreData = false
	kind := syncml.DataText
	if first := lo.Cmd.ItemList(); len(first) > 0 && first[0].Data != nil {
		kind = first[0].Data.Kind
		if it.Meta == nil && first[0].Meta != nil {
			m := *first[0].Meta
			it.Meta = &m
		}
	}
	it.Data = &syncml.Data{Kind: kind, Value: string(data)}
	return it
}

// metaOf returns the command-level Meta of c, if any.
func metaOf(c syncml.Command) *syncml.Meta {
	switch c := c.(type) {
	case *syncml.Add:
		return c.Meta
	case *syncml.Replace:
		return c.Meta
	case *syncml.Copy:
		return c.Meta
	case *syncml.Delete:
		return c.Meta
	case *syncml.Exec:
		return c.Meta
	}
	return nil
}
