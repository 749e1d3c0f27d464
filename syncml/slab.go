package syncml

import (
	"cmp"
	"strings"
)

// A slab hands out pointers into a shared backing array, so that many
// small values cost one allocation. Slabs start small, so that small
// messages stay small, and double up to maxSlab.
type slab[T any] struct {
	buf   []T // buf[i:] is free
	i     int
	n     int
	first int // size of the first slab (default 4)
	used  int // values of buf reserved by the last reserve and kept

	// lazy is set, for the kinds of a message's first slabs, until
	// those are allocated (see sizeFirst): the first of them to be used
	// allocates them all
	lazy *slabs
}

const maxSlab = 64

func (s *slab[T]) grow() {
	if s.lazy != nil {
		s.lazy.allocFirst()
		if len(s.buf) > 0 {
			return
		}
	}
	if s.n == 0 {
		s.n = cmp.Or(s.first, 4)
	} else {
		s.n = min(2*s.n, max(maxSlab, s.first))
	}
	s.buf, s.i = make([]T, s.n), 0
}

func (s *slab[T]) get() *T {
	if i := s.i; i < len(s.buf) {
		s.i = i + 1
		return &s.buf[i]
	}
	return s.next()
}

// next is get for a full slab, kept out of line so that get inlines.
//
//go:noinline
func (s *slab[T]) next() *T {
	s.grow()
	s.i = 1
	return &s.buf[0]
}

// reserve returns an empty slice whose capacity is the rest of the slab
// (a new one when fewer than four values are left), for a run of
// appends: what the last reservation kept (see keep) is first taken out
// of the slab. A caller appending past the capacity gets its own array
// from append, as with any slice.
func (s *slab[T]) reserve() []T {
	s.i, s.used = s.i+s.used, 0
	if len(s.buf)-s.i < 4 {
		s.grow()
	}
	return s.buf[s.i:s.i:len(s.buf)]
}

// keep records that r, appended to from the last reservation, holds its
// values in the slab, so that the next reservation starts after them.
func (s *slab[T]) keep(r []T) {
	if len(r) > 0 && s.i < len(s.buf) && &r[0] == &s.buf[s.i] {
		s.used = len(r)
	}
}

// slabs holds one slab per model type the decoder creates often.
type slabs struct {
	loc      slab[Location]
	data     slab[Data]
	meta     slab[Meta]
	item     slab[Item]
	add      slab[Add]
	alert    slab[Alert]
	copy     slab[Copy]
	delete   slab[Delete]
	exec     slab[Exec]
	get      slab[Get]
	replace  slab[Replace]
	results  slab[Results]
	status   slab[Status]
	atomic   slab[Atomic]
	sequence slab[Sequence]

	cmds []Command // room for the body's commands, or nil

	// src is the whole message, kept from sizeFirst until allocFirst
	// sizes the first slabs from it
	src string
}

// commands returns an empty slice for the commands of a body.
func (s *slabs) commands() []Command {
	if s.src != "" {
		s.allocFirst()
	}
	if c := s.cmds; c != nil {
		s.cmds = nil
		return c
	}
	return make([]Command, 0, 8)
}

// A message's first slabs are sized from what it holds, not from its
// length: text, which takes most of the bytes of many messages, needs no
// model value, while each Location, Data and Item is an element, so
// takes two '<' or more. allocFirst counts the '<' ("tags") of what is
// left to read when the first value is asked for, which is the body when
// the header has no Meta. In the bodies of the corpus and the benchmarks
// that count is eight or more times the Data and ten or more times the
// Items and the Locations (a check-in: 99 tags; 12 Data, 10 Items, 9
// Locations, one Meta, two Alerts, one Replace). Counting costs a pass
// over the bytes, which only a message of up to countMax bytes pays;
// a larger one starts its slabs from its length, as bytes matter less
// beside its own.
const (
	tagsPerData = 8
	tagsPerItem = 10 // and per Location
	countMax    = 8 << 10
	// bytesPerValue is about the fewest bytes of a message that hold
	// one Location, Data or Item: a larger message of n bytes starts
	// those slabs with n/bytesPerValue values (at most maxSlab)
	bytesPerValue = 96
)

// tinySlabs and smallSlabs are the first slabs of a body of up to
// tinyTags and smallTags tags, taken in one allocation; a larger one
// takes a slab per kind as it needs one. smallSlabs holds a device's
// check-in with room for two more Items in 2,304 bytes (a size class of
// the allocator), tinySlabs a short message (a session's Alerts, a few
// Status, a Get) in 1,024.
type tinySlabs struct {
	loc   [4]Location
	data  [4]Data
	item  [4]Item
	meta  [1]Meta
	alert [2]Alert
	cmds  [4]Command
}

type smallSlabs struct {
	loc   [12]Location
	data  [14]Data
	item  [12]Item
	meta  [1]Meta
	alert [2]Alert
	repl  [1]Replace
	cmds  [8]Command
}

const (
	tinyTags  = 40
	smallTags = 120
)

// sizeFirst prepares the first slabs for the whole message src ("" when
// unknown, as for a stream). Nothing is allocated until the decoder asks
// for a value (markup that Marshal only checks asks for none): the
// slabs of the larger, rarer commands start with one value, those of
// Location, Data, Item, Meta, Alert, Replace and the body's commands are
// sized by allocFirst.
func (s *slabs) sizeFirst(src string) {
	s.cmds = nil
	// two Alerts (1201 and a client event such as 1224) open most
	// sessions
	s.add.first, s.alert.first, s.copy.first, s.delete.first, s.exec.first = 1, 2, 1, 1, 1
	s.get.first, s.replace.first, s.results.first, s.status.first = 1, 1, 1, 1
	s.atomic.first, s.sequence.first = 1, 1
	s.loc.first, s.data.first, s.item.first, s.meta.first = 4, 4, 4, 1
	if src == "" {
		return
	}
	s.src = src
	s.loc.lazy, s.data.lazy, s.item.lazy, s.meta.lazy = s, s, s, s
	s.alert.lazy, s.replace.lazy = s, s
}

// rest tells the slabs, while their first ones are not allocated, that
// only r is left to read: the header is read, and its values taken.
func (s *slabs) rest(r string) {
	if s.src != "" {
		s.src = r
	}
}

// allocFirst sizes the first slabs of the kinds sizeFirst left lazy from
// the tags of what is left to read, and takes them in one allocation
// when those are few.
func (s *slabs) allocFirst() {
	src := s.src
	s.src = ""
	s.loc.lazy, s.data.lazy, s.item.lazy, s.meta.lazy = nil, nil, nil, nil
	s.alert.lazy, s.replace.lazy = nil, nil
	if len(src) > countMax {
		k := min(len(src)/bytesPerValue, maxSlab)
		s.loc.first, s.data.first, s.item.first = k, k, k
		s.meta.first = k / 8
		return
	}
	tags := strings.Count(src, "<")
	switch {
	case tags <= tinyTags:
		a := new(tinySlabs)
		s.loc.buf, s.data.buf, s.item.buf, s.meta.buf = a.loc[:], a.data[:], a.item[:], a.meta[:]
		s.alert.buf = a.alert[:]
		s.cmds = a.cmds[:0]
	case tags <= smallTags:
		a := new(smallSlabs)
		s.loc.buf, s.data.buf, s.item.buf, s.meta.buf = a.loc[:], a.data[:], a.item[:], a.meta[:]
		s.alert.buf, s.replace.buf = a.alert[:], a.repl[:]
		s.cmds = a.cmds[:0]
	default:
		s.loc.first = min(tags/tagsPerItem, maxSlab)
		s.item.first = s.loc.first
		s.data.first = min(tags/tagsPerData, maxSlab)
		s.meta.first = max(s.data.first/8, 1)
		return
	}
	s.loc.n, s.data.n, s.item.n, s.meta.n = len(s.loc.buf), len(s.data.buf), len(s.item.buf), len(s.meta.buf)
	s.alert.n, s.replace.n = len(s.alert.buf), len(s.replace.buf)
}

func (sc *scanner) newLocation() *Location { return sc.slabs.loc.get() }
func (sc *scanner) newData() *Data         { return sc.slabs.data.get() }
func (sc *scanner) newMeta() *Meta         { return sc.slabs.meta.get() }

// appendItem appends it to items, the Items of the command being read:
// the first item reserves the rest of the item slab for the command's
// items, which endItems closes.
func (sc *scanner) appendItem(items []Item, it Item) []Item {
	s := &sc.slabs.item
	if items == nil {
		items = s.reserve()
	}
	items = append(items, it)
	s.keep(items)
	return items
}

// endItems closes the Items of a command read: their capacity ends at
// their length, so that a caller appending to them never writes over
// values handed out later.
func endItems(items []Item) []Item { return items[:len(items):len(items)] }
