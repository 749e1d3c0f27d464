package session

import (
	"unsafe"

	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// While an object of this side's goes out in chunks, the state holds the
// whole object: the chunks not sent yet in the rest of the package (Cont)
// and the chunks sent among the sent commands (kept to rejoin the object
// when the session is given up, see rejoinObject). Saved as SyncML, as
// other commands are, every message would escape the object again
// (MarshalBinary) and parse it again (UnmarshalBinary): work growing with
// the square of the object's size. A state of format 8 keeps these two
// lists of commands without the text of their Items (their skeleton, a
// few hundred bytes of SyncML each), followed by the texts as they are,
// neither escaped nor parsed: a message then costs a copy of the object,
// not its encoding and decoding.

// pulledText reports whether the Data of the Item it of c is kept apart
// from c's SyncML in a state of format 8: an Item of a command that may
// be chunked, whose Data is text or CDATA and nothing else.
func pulledText(c syncml.Command, it syncml.Item) bool {
	d := it.Data
	return chunkable(c) && d != nil && (d.Kind == syncml.DataText || d.Kind == syncml.DataCDATA) &&
		d.Value != "" && d.OriginalError == "" && len(d.Namespaces) == 0
}

// piecesHeld reports whether st holds pieces of an object: a chunk (an
// Item with MoreData) in the rest of the package or among the sent
// commands saved as their body. Its state is then saved in format 8
// (see stateWriter.split); any other state as before.
func (st *state) piecesHeld() bool {
	for _, c := range st.Cont {
		if isChunk(c) {
			return true
		}
	}
	if st.sentEncoded() != nil {
		return false // saved as a span of the reply, or a copy of it
	}
	for _, e := range st.Sent.sent {
		if isChunk(e.Cmd) {
			return true
		}
	}
	return false
}

// A pulled is a text of a state of format 8: the Data of the Item it
// names by the index of its command in the list and its own in the
// command.
type pulled struct {
	cmd, item int
	data      syncml.Data
}

// split writes cmds as a state of format 8 keeps them: the field commands
// writes of their skeleton (each command without the Data of its Items
// pulled, see pulledText), then the number of texts pulled and, for each,
// in order, the index of its command in cmds, of its Item in the command,
// its Kind and its Value. The skeletons are made together (see
// skeletons), not one by one: while an object goes out in chunks, every
// message saves the records of all its chunks.
func (w *stateWriter) split(cmds []syncml.Command) error {
	// first the number of commands with texts, their Items and texts
	pulling, nItems, nTexts := 0, 0, 0
	for _, c := range cmds {
		if !chunkable(c) {
			continue
		}
		items, n := c.ItemList(), 0
		for _, it := range items {
			if pulledText(c, it) {
				n++
			}
		}
		if n > 0 {
			pulling++
			nItems += len(items)
			nTexts += n
		}
	}
	if pulling == 0 {
		if err := w.commands(cmds); err != nil {
			return err
		}
		w.uint(0) // no texts
		return nil
	}
	skeleton := make([]syncml.Command, len(cmds))
	texts := make([]textAt, 0, nTexts)
	k := skeletons{items: make([]syncml.Item, 0, nItems), n: pulling}
	for i, c := range cmds {
		skeleton[i] = c
		var items []syncml.Item // a copy, once an Item is pulled
		for j, it := range c.ItemList() {
			if !pulledText(c, it) {
				continue
			}
			if items == nil {
				items = k.copyItems(c.ItemList())
			}
			items[j].Data = nil
			texts = append(texts, textAt{i, j})
		}
		if items != nil {
			skeleton[i] = k.of(c, items)
		}
	}
	if err := w.commands(skeleton); err != nil {
		return err
	}
	w.uint(uint64(len(texts)))
	for _, p := range texts {
		d := cmds[p.cmd].ItemList()[p.item].Data
		w.uint(uint64(p.cmd))
		w.uint(uint64(p.item))
		w.uint(uint64(d.Kind))
		w.string(d.Value)
	}
	return nil
}

// textAt names a text split pulls: the index of its command in the list
// and of its Item in the command.
type textAt struct{ cmd, item int }

// skeletons makes the skeletons of one stateWriter.split: copies of
// commands that may be chunked with other Items, allocated together (an
// array per type of command, of n, the number of skeletons, and one of
// Items) rather than two allocations per command.
type skeletons struct {
	n       int
	items   []syncml.Item
	adds    []syncml.Add
	repls   []syncml.Replace
	copies  []syncml.Copy
	execs   []syncml.Exec
	results []syncml.Results
}

// copyItems returns a copy of items, in k's array of Items (made with
// room for all of them: it never grows).
func (k *skeletons) copyItems(items []syncml.Item) []syncml.Item {
	at := len(k.items)
	k.items = append(k.items, items...)
	return k.items[at:len(k.items):len(k.items)]
}

// of returns a shallow copy of c, a command that may be chunked, holding
// items, as withItems does, in k's array of its type.
func (k *skeletons) of(c syncml.Command, items []syncml.Item) syncml.Command {
	switch c := c.(type) {
	case *syncml.Add:
		x := skeletonIn(&k.adds, k.n, c)
		x.Items = items
		return x
	case *syncml.Replace:
		x := skeletonIn(&k.repls, k.n, c)
		x.Items = items
		return x
	case *syncml.Copy:
		x := skeletonIn(&k.copies, k.n, c)
		x.Items = items
		return x
	case *syncml.Exec:
		x := skeletonIn(&k.execs, k.n, c)
		x.Items = items
		return x
	case *syncml.Results:
		x := skeletonIn(&k.results, k.n, c)
		x.Items = items
		return x
	}
	return withItems(c, items) // not a command split pulls texts of
}

// skeletonIn appends a copy of *c to *arr (made with room for n at the
// first, so that it never grows and moves) and returns it.
func skeletonIn[T any](arr *[]T, n int, c *T) *T {
	if *arr == nil {
		*arr = make([]T, 0, n)
	}
	*arr = append(*arr, *c)
	return &(*arr)[len(*arr)-1]
}

// texts reads the texts that follow a skeleton in a state of format 8
// (see stateWriter.split), each of at most data bytes
// (Config.maxStoredData).
func (r *stateReader) texts(data int) []pulled {
	n := r.int()
	if r.err == nil && n > len(r.b)/4 { // four bytes at least each
		r.err = errorf("decode state: %d texts in %d bytes", n, len(r.b))
	}
	if r.err != nil || n == 0 {
		return nil
	}
	texts := make([]pulled, n)
	for i := range texts {
		t := &texts[i]
		t.cmd, t.item = r.int(), r.int()
		t.data.Kind = syncml.DataKind(r.uint())
		t.data.Value = r.shared()
		if n := len(t.data.Value); n > data && r.err == nil {
			r.err = errorf("decode state: text of %d bytes, over the %d a state holds (Config.MaxObjectSize, or DefaultMaxObjectSize when larger)", n, data)
		}
	}
	return texts
}

// shared reads a field as a string that shares the state's memory, as the
// strings of its commands do (decodeCommands): the state never changes
// (see unmarshalState), and a text is not copied at every message.
func (r *stateReader) shared() string {
	p := r.bytes()
	if len(p) == 0 {
		return ""
	}
	return unsafe.String(&p[0], len(p))
}

// putTexts puts texts back into cmds, the skeleton they follow (see
// stateWriter.split): each into the Item it names, which must be one
// without Data of a command that may be chunked, in the order split
// writes them. Each text must be XML text, as it must be in the SyncML
// of the earlier formats to load; when checked is set (a state a Server
// saved from its own session in a MemoryStore, see memEntry.own) that is
// taken as known and not looked at again: the framing is still checked.
func putTexts(cmds []syncml.Command, texts []pulled, checked bool) error {
	prevCmd, prevItem := -1, -1
	for i := range texts {
		t := &texts[i]
		if t.cmd < prevCmd || t.cmd == prevCmd && t.item <= prevItem {
			return errorf("text %d for item %d of command %d, out of order", i, t.item, t.cmd)
		}
		prevCmd, prevItem = t.cmd, t.item
		if t.cmd >= len(cmds) {
			return errorf("text %d for command %d of %d", i, t.cmd, len(cmds))
		}
		c := cmds[t.cmd]
		items := c.ItemList()
		switch {
		case !chunkable(c):
			return errorf("text %d for a %s", i, c.ElementName())
		case t.item >= len(items):
			return errorf("text %d for item %d of %d", i, t.item, len(items))
		case items[t.item].Data != nil:
			return errorf("text %d for an item with Data", i)
		case t.data.Kind != syncml.DataText && t.data.Kind != syncml.DataCDATA || t.data.Value == "":
			return errorf("text %d of kind %d and %d bytes", i, t.data.Kind, len(t.data.Value))
		case !checked && !xmlscan.ValidText(t.data.Value):
			// what the SyncML of the earlier formats would not load: taken,
			// it would fail every reply that carries it instead
			return errorf("text %d is not XML text (bad UTF-8 or a character XML does not allow)", i)
		}
		items[t.item].Data = &t.data // ItemList is the command's own slice
	}
	return nil
}

// heldText returns the length of the texts a state of format 8 keeps
// apart (see stateWriter.split), or more (those of the sent commands
// saved as a span of the reply are counted too), with room for the
// skeletons of their commands.
func (st *state) heldText() int {
	n := 256 * (len(st.Cont) + len(st.Sent.sent))
	count := func(c syncml.Command) {
		for _, it := range c.ItemList() {
			if it.Data != nil {
				n += len(it.Data.Value)
			}
		}
	}
	for _, c := range st.Cont {
		count(c)
	}
	for _, e := range st.Sent.sent {
		count(e.Cmd)
		for _, r := range e.Results {
			count(r)
		}
	}
	return n
}
