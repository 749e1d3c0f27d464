package syncml

import (
	"cmp"
	"slices"
	"strings"
)

// A slab hands out pointers into a shared backing array, so that many
// small values cost one allocation. A message's first slabs are sized
// from its tags (allocFirst); when one is used up, the next is sized
// from how many values the part read so far took (see more), or, for a
// stream, doubles; no slab holds more than max(maxSlab, first) values.
type slab[T any] struct {
	buf   []T // the last slab; buf[i:] is free
	i     int
	total int // values in every slab so far
	first int // size of the first slab (default 4)
	used  int // values of buf reserved by the last reserve and kept

	// sl is the slabs this one is part of, for a whole message (nil for
	// a stream)
	sl *slabs
}

const maxSlab = 64

func (s *slab[T]) grow() {
	if sl := s.sl; sl != nil && sl.src != "" {
		sl.allocFirst()
		if s.i < len(s.buf) {
			return
		}
	}
	n := len(s.buf)
	switch {
	case n == 0:
		n = cmp.Or(s.first, 4)
	case s.sl != nil && s.sl.more(s.total) > 0:
		n = min(s.sl.more(s.total), max(maxSlab, s.first))
	default:
		n = min(2*n, max(maxSlab, s.first))
	}
	s.total += n
	s.buf, s.i = make([]T, n), 0
}

func (s *slab[T]) get() *T {
	if s.i == len(s.buf) {
		s.grow()
	}
	p := &s.buf[s.i]
	s.i++
	return p
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

	// src is what is left of the message to read, kept from sizeFirst
	// until allocFirst sizes the first slabs from it
	src string

	// for more: the length of the message, the offset of its body, and
	// where the reader is (the start of the last command it read, which
	// the scanner keeps)
	whole, body int
	at          *int
}

// more returns how many values of a kind the rest of the message is
// likely to take, when one slab of that kind is used up after handed
// values: as many per byte as the body read so far took. It returns 0
// (double the slab) while too little of the body is read to tell.
func (s *slabs) more(handed int) int {
	if s.at == nil {
		return 0
	}
	return s.likely(handed, s.body, *s.at)
}

// likely returns how many values the rest of the message after offset
// at is likely to take when s[from:at] took handed, or 0 while less than
// a sixteenth of the body is read.
func (s *slabs) likely(handed, from, at int) int {
	read, left := at-from, s.whole-at
	if s.whole == 0 || read <= 0 || read < (s.whole-s.body)/16 {
		return 0
	}
	return max(handed*left/read+1, 4)
}

// addCommand appends c to cmds, the commands of a body: the first
// takes the room of the first slabs, and when that is full it grows by
// what the rest of the message is likely to hold (see more: at most
// fifteen times as many again, as a sixteenth of the body is read), or
// doubles.
func (s *slabs) addCommand(cmds []Command, c Command) []Command {
	if len(cmds) == cap(cmds) {
		cmds = s.growCommands(cmds)
	}
	return append(cmds, c)
}

func (s *slabs) growCommands(cmds []Command) []Command {
	if cmds == nil {
		if s.src != "" {
			s.allocFirst()
		}
		if c := s.cmds; c != nil {
			s.cmds = nil
			return c
		}
		return make([]Command, 0, 8)
	}
	if n := s.more(len(cmds)); n > 0 {
		return slices.Grow(cmds, n)
	}
	return cmds
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

// sizeFirst prepares the slabs for the whole message src ("" when
// unknown, as for a stream), which the reader reads up to *at (see
// more). Nothing is allocated until the decoder asks for a value (markup
// that Marshal only checks asks for none): the slabs of the larger,
// rarer commands start with one value, those of Location, Data, Item,
// Meta, Alert, Replace and the body's commands are sized by allocFirst.
func (s *slabs) sizeFirst(src string, at *int) {
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
	s.src, s.whole, s.body, s.at = src, len(src), 0, at
	s.loc.sl, s.data.sl, s.meta.sl, s.item.sl = s, s, s, s
	s.add.sl, s.alert.sl, s.copy.sl, s.delete.sl, s.exec.sl = s, s, s, s, s
	s.get.sl, s.replace.sl, s.results.sl, s.status.sl = s, s, s, s
	s.atomic.sl, s.sequence.sl = s, s
}

// rest tells the slabs that the header is read, and r is the body and
// what follows it.
func (s *slabs) rest(r string) {
	s.body = s.whole - len(r)
	if s.src != "" {
		s.src = r
	}
}

// allocFirst sizes the first slabs from the tags of what is left to
// read, and takes those of Location, Data, Item, Meta, Alert, Replace
// and the body's commands in one allocation when the tags are few.
func (s *slabs) allocFirst() {
	src := s.src
	s.src = ""
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
	s.loc.total, s.data.total, s.item.total, s.meta.total = len(s.loc.buf), len(s.data.buf), len(s.item.buf), len(s.meta.buf)
	s.alert.total, s.replace.total = len(s.alert.buf), len(s.replace.buf)
}

func (sc *scanner) newLocation() *Location { return sc.slabs.loc.get() }
func (sc *scanner) newData() *Data         { return sc.slabs.data.get() }
func (sc *scanner) newMeta() *Meta         { return sc.slabs.meta.get() }

// appendItem appends it to items, the Items of the command being read,
// whose end is at offset end: the first item reserves the rest of the
// item slab for the command's items, which endItems closes. Past that,
// the items grow by what the command's items read so far took per byte
// (at most four times as many again, as the rest of the message may be
// other commands), or double.
func (sc *scanner) appendItem(items []Item, it Item, end int) []Item {
	if len(items) == cap(items) {
		items = sc.moreItems(items, end)
	}
	items = append(items, it)
	sc.slabs.item.keep(items)
	return items
}

// itemPlace is appendItem for a reader that reads the item into its
// place: it returns items with one more, zero Item at the end (values a
// slab hands out were never written to), whose start is at offset start,
// for keep once it is read.
func (sc *scanner) itemPlace(items []Item, start int) []Item {
	if len(items) == cap(items) {
		items = sc.itemRoom(items, start)
	}
	return items[:len(items)+1]
}

// itemRoom is itemPlace's room for one more item.
func (sc *scanner) itemRoom(items []Item, start int) []Item {
	if items = sc.moreItems(items, start); len(items) == cap(items) {
		items = slices.Grow(items, 1) // as append grows it
	}
	return items
}

// moreItems is appendItem's room for one more item.
func (sc *scanner) moreItems(items []Item, end int) []Item {
	if items == nil {
		return sc.slabs.item.reserve()
	}
	if sc.slabs.at != nil {
		if n := sc.slabs.likely(len(items), *sc.slabs.at, end); n > 0 {
			return slices.Grow(items, min(n, 4*len(items)))
		}
	}
	return items
}

// endItems closes the Items of a command read: their capacity ends at
// their length, so that a caller appending to them never writes over
// values handed out later.
func endItems(items []Item) []Item { return items[:len(items):len(items)] }
