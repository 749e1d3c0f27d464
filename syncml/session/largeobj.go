package session

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxObjectSize is the default bound of a large object received in
// chunks (Config.MaxObjectSize, ClientConfig.MaxObjectSize).
const DefaultMaxObjectSize = 4 << 20

// A largeObject is the one partial object of a session: the chunks of an
// item sent with MoreData, buffered until the last chunk.
type largeObject struct {
	Cmd  syncml.Command // the first chunk's command
	URI  string         // its item's Target (or Source) LocURI
	Size int            // the announced size, -1 when none
	Data []byte         // the chunks so far
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
		if len(items) == 1 && c.ElementName() == lo.Cmd.ElementName() && itemURI(items[0]) == lo.URI {
			lo.Data = appendData(lo.Data, items[0].Data)
			if len(lo.Data) > r.maxObj {
				*r.lo = nil
				r.answer(c, Response{Code: syncml.StatusRequestEntityTooLarge})
				return true
			}
			if more {
				r.answer(c, Response{Code: syncml.StatusChunkedItemAccepted})
				return true
			}
			*r.lo = nil
			if lo.Size >= 0 && lo.Size != len(lo.Data) {
				r.answer(c, Response{Code: syncml.StatusSizeMismatch})
				return true
			}
			whole := withItems(c, []syncml.Item{joined(items[0], lo)})
			r.answer(c, r.serve(whole, false))
			return true
		}
		r.cut()
	}
	if !more {
		return false
	}
	if len(items) != 1 {
		// Only a command of one item can be chunked.
		r.answer(c, Response{Code: syncml.StatusBadRequest})
		return true
	}
	size := -1
	if m := items[0].Meta; m != nil && m.Size != "" {
		size = atoiSize(m.Size)
	} else if m := metaOf(c); m != nil && m.Size != "" {
		size = atoiSize(m.Size)
	}
	if size > r.maxObj {
		r.answer(c, Response{Code: syncml.StatusRequestEntityTooLarge})
		return true
	}
	*r.lo = &largeObject{Cmd: c, URI: itemURI(items[0]), Size: size, Data: appendData(nil, items[0].Data)}
	r.answer(c, Response{Code: syncml.StatusChunkedItemAccepted})
	return true
}

// dataLen returns the length of the data received so far, 0 when lo is
// nil.
func (lo *largeObject) dataLen() int {
	if lo == nil {
		return 0
	}
	return len(lo.Data)
}

// resultsOf names the command a partial Results answers (zero when lo is
// nil or not a Results).
func (lo *largeObject) resultsOf() sentKey {
	if lo == nil {
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
// items).
func (r *responder) resultsChunk(c *syncml.Results) *syncml.Results {
	items := c.Items
	more := len(items) > 0 && items[len(items)-1].MoreData
	if lo := *r.lo; lo != nil {
		if prev, ok := lo.Cmd.(*syncml.Results); ok && len(items) == 1 &&
			prev.MsgRef == c.MsgRef && prev.CmdRef == c.CmdRef && itemURI(items[0]) == lo.URI {
			lo.Data = appendData(lo.Data, items[0].Data)
			if len(lo.Data) > r.maxObj {
				*r.lo = nil
				r.resultsStatus(c, syncml.StatusRequestEntityTooLarge)
				return nil
			}
			if more {
				r.resultsStatus(c, syncml.StatusChunkedItemAccepted)
				return nil
			}
			*r.lo = nil
			if lo.Size >= 0 && lo.Size != len(lo.Data) {
				r.resultsStatus(c, syncml.StatusSizeMismatch)
				return nil
			}
			whole := *c
			whole.Items = []syncml.Item{joined(items[0], lo)}
			return &whole
		}
		r.cut()
	}
	if !more {
		return c
	}
	if len(items) != 1 {
		r.resultsStatus(c, syncml.StatusBadRequest)
		return nil
	}
	size := -1
	if m := items[0].Meta; m != nil && m.Size != "" {
		size = atoiSize(m.Size)
	} else if c.Meta != nil && c.Meta.Size != "" {
		size = atoiSize(c.Meta.Size)
	}
	if size > r.maxObj {
		r.resultsStatus(c, syncml.StatusRequestEntityTooLarge)
		return nil
	}
	*r.lo = &largeObject{Cmd: c, URI: itemURI(items[0]), Size: size, Data: appendData(nil, items[0].Data)}
	r.resultsStatus(c, syncml.StatusChunkedItemAccepted)
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

// joined returns the last chunk's item carrying the whole object.
func joined(last syncml.Item, lo *largeObject) syncml.Item {
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
	it.Data = &syncml.Data{Kind: kind, Value: string(lo.Data)}
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
