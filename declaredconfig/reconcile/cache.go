package reconcile

import (
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
)

// deviceCache holds, per device served lately, its decoded state and the
// last summary it sent, each device as one entry in a list from the
// served most recently to the least: a device served (its state looked
// up or kept, its summary kept) goes to the front, and those at the back
// are let go while the cache holds more than Config.MaxCachedDevices
// devices or Config.MaxCachedBytes bytes. Its zero value is empty; the
// Reconciler's mu guards it.
type deviceCache struct {
	byDevice map[string]*cacheEntry
	// root is the list's sentinel: root.next the most recent entry,
	// root.prev the least.
	root  cacheEntry
	bytes int // the sum of the entries' bytes
	// free is an entry let go, cleared, for the next one added: a full
	// cache lets one go for each device it takes.
	free *cacheEntry
}

// A cacheEntry is what the cache holds of one device.
type cacheEntry struct {
	device string
	state  cachedState
	sum    cachedSummary
	// stored is what the state holds of its strings and parsed parts:
	// the length of the state as stored, whose strings are parts of it
	// (decoded true), or what Reconciler.update counted of a state it
	// saved, whose summary and its text are not counted in it.
	stored  int
	decoded bool
	// sized and sizes are the summaries last counted (see summaryBytes),
	// as they are never changed: a device that sends the same summary
	// again is not counted again.
	sized [2]*declaredconfig.Summary
	sizes [2]int
	bytes int // what the entry counts (see count)

	prev, next *cacheEntry
}

// cachedState is a decoded state of a device and its Store version.
type cachedState struct {
	ver uint64
	st  *deviceState
}

// entry returns the entry of device, nil if none, and moves it to the
// front unless peek.
func (c *deviceCache) entry(device string, peek bool) *cacheEntry {
	e := c.byDevice[device]
	if e != nil && !peek && c.root.next != e {
		e.unlink()
		c.pushFront(e)
	}
	return e
}

// add returns the entry of device, at the front: the one held, or a new
// one.
func (c *deviceCache) add(device string) *cacheEntry {
	if e := c.entry(device, false); e != nil {
		return e
	}
	return c.insert(device)
}

// insert returns a new entry of device, which the cache does not hold,
// at the front.
func (c *deviceCache) insert(device string) *cacheEntry {
	if c.byDevice == nil {
		c.byDevice = map[string]*cacheEntry{}
		c.root.next, c.root.prev = &c.root, &c.root
	}
	e := c.free
	if e != nil {
		c.free = nil
	} else {
		e = new(cacheEntry)
	}
	e.device = device
	c.byDevice[device] = e
	c.pushFront(e)
	return e
}

func (c *deviceCache) pushFront(e *cacheEntry) {
	e.prev, e.next = &c.root, c.root.next
	e.prev.next, e.next.prev = e, e
}

func (e *cacheEntry) unlink() {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

// remove lets go of the entry of device.
func (c *deviceCache) remove(device string) {
	if e := c.byDevice[device]; e != nil {
		e.unlink()
		delete(c.byDevice, device)
		c.bytes -= e.bytes
		*e = cacheEntry{} // holds on to nothing
		c.free = e
	}
}

// recount counts e anew, then lets go of the entries served least
// recently (e too, when it takes more than maxBytes alone) while the
// cache holds more than maxDevices devices or maxBytes bytes.
func (c *deviceCache) recount(e *cacheEntry, maxDevices, maxBytes int) {
	c.bytes -= e.bytes
	e.bytes = e.count()
	c.bytes += e.bytes
	for len(c.byDevice) > 0 && (len(c.byDevice) > maxDevices || c.bytes > maxBytes) {
		c.remove(c.root.prev.device)
	}
}

// The bytes counted of an entry besides what it holds: the entry, its
// map slot and the state's head.
const entryBytes = int(unsafe.Sizeof(cacheEntry{})+unsafe.Sizeof(deviceState{})) + 64

// docBytes is what a document of a state takes besides its strings: its
// head and tail, and its pointer.
const docBytes = int(unsafe.Sizeof(docState{})+unsafe.Sizeof(docTail{})) + 8

// count returns the bytes e holds: the strings and parsed parts of the
// state (see stored), its documents and strays, and the summaries,
// texts and classes of the state and of sum (those they share once).
func (e *cacheEntry) count() int {
	n := entryBytes + len(e.device)
	var stSum *declaredconfig.Summary
	var stText string
	var stCls *classes
	if st := e.state.st; st != nil {
		n += e.stored + (len(st.Docs)+len(st.Removed))*docBytes + len(st.Stray)*int(unsafe.Sizeof(stray{}))
		stSum, stText, stCls = st.Sum, st.SumText, st.cls
		n += classesBytes(stCls)
		if e.decoded {
			// Its summary's strings and text are parts of the state
			// as stored.
			n += summaryHeadBytes(stSum)
		} else {
			n += e.summarySize(stSum) + len(stText)
		}
	}
	if s := e.sum.s; s != nil && s != stSum {
		n += e.summarySize(s)
	}
	if t := e.sum.text; unsafe.StringData(t) != unsafe.StringData(stText) {
		n += len(t)
	}
	if e.sum.cls != stCls {
		n += classesBytes(e.sum.cls)
	}
	return n + len(e.sum.docs)*int(unsafe.Sizeof(docSig{}))
}

// summarySize returns summaryBytes(s), counted once for the last two
// summaries (see sized).
func (e *cacheEntry) summarySize(s *declaredconfig.Summary) int {
	if s == nil {
		return 0
	}
	for i, x := range e.sized {
		if x == s {
			return e.sizes[i]
		}
	}
	n := summaryBytes(s)
	e.sized[1], e.sizes[1] = e.sized[0], e.sizes[0]
	e.sized[0], e.sizes[0] = s, n
	return n
}

// summaryHeadBytes returns the bytes that s takes in memory but its
// strings: a summary decoded from a stored state, whose strings are
// parts of it.
func summaryHeadBytes(s *declaredconfig.Summary) int {
	if s == nil {
		return 0
	}
	n := int(unsafe.Sizeof(*s)) + cap(s.Attrs)*int(unsafe.Sizeof(declaredconfig.Attr{})) +
		cap(s.Documents)*int(unsafe.Sizeof(declaredconfig.SummaryEntry{})) + cap(s.Unknown)*int(unsafe.Sizeof(""))
	for i := range s.Documents {
		d := &s.Documents[i]
		n += cap(d.Attrs)*int(unsafe.Sizeof(declaredconfig.Attr{})) + cap(d.Unknown)*int(unsafe.Sizeof(""))
	}
	return n
}

// summaryBytes returns the bytes that s takes in memory: its entries,
// their strings and attributes. A summary read from a device takes some
// 4 to 8 times its text.
func summaryBytes(s *declaredconfig.Summary) int {
	const (
		strBytes   = int(unsafe.Sizeof(""))
		attrBytes  = int(unsafe.Sizeof(declaredconfig.Attr{}))
		entryBytes = int(unsafe.Sizeof(declaredconfig.SummaryEntry{}))
	)
	n := int(unsafe.Sizeof(*s)) + len(s.Schema) + cap(s.Attrs)*attrBytes + cap(s.Documents)*entryBytes + cap(s.Unknown)*strBytes
	for _, a := range s.Attrs {
		n += len(a.Name) + len(a.Value)
	}
	for _, u := range s.Unknown {
		n += len(u)
	}
	for i := range s.Documents {
		d := &s.Documents[i]
		n += len(d.Context) + len(d.ID) + len(d.Checksum) + len(d.ResultChecksum) + len(d.State) +
			cap(d.Attrs)*attrBytes + cap(d.Unknown)*strBytes
		for _, a := range d.Attrs {
			n += len(a.Name) + len(a.Value)
		}
		for _, u := range d.Unknown {
			n += len(u)
		}
	}
	return n
}

// classesBytes returns the bytes that c takes in memory.
func classesBytes(c *classes) int {
	if c == nil {
		return 0
	}
	return int(unsafe.Sizeof(*c)) + cap(c.scope) + 4*cap(c.class) + cap(c.first) + 4*cap(c.docEntry)
}

// cached returns the decoded state of device at version ver, if the
// Reconciler holds it; a version names one state of the device, so the
// copy is good whichever instance saved it. The caller must not change
// it.
func (r *Reconciler) cached(device string, ver uint64) *deviceState {
	if ver == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.cache.entry(device, false); e != nil && e.state.st != nil && e.state.ver == ver {
		return e.state.st
	}
	return nil
}

// remember keeps st, the state of device at version ver, which holds
// stored bytes of strings and parsed parts (see cacheEntry.stored):
// decoded, the length of its stored form; 0 for a state served from the
// cache, whose count stands.
func (r *Reconciler) remember(device string, ver uint64, st *deviceState, stored int, decoded bool) {
	if ver == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache.entry(device, false)
	if e != nil && e.state.st == st && e.state.ver == ver {
		return // served from the cache, and counted
	}
	if stored == 0 {
		// Served from the cache and let go since, or a device without
		// a state.
		return
	}
	if e == nil {
		e = r.cache.insert(device)
	}
	e.state, e.stored, e.decoded = cachedState{ver: ver, st: st}, stored, decoded
	r.cache.recount(e, r.maxCached(), r.maxCachedBytes())
}
