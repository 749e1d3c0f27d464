package reconcile

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/windc-go/windc/declaredconfig"
)

// LastMessage returns the SessionID and MsgID of the last message
// reconciled for device, as its stored state says.
func LastMessage(r *Reconciler, device string) (session, msg string, err error) {
	st, err := r.load(context.Background(), device)
	if err != nil {
		return "", "", err
	}
	for i := len(st.LastMsg) - 1; i >= 0; i-- {
		if st.LastMsg[i] == '/' {
			return st.LastMsg[:i], st.LastMsg[i+1:], nil
		}
	}
	return st.LastMsg, "", nil
}

// Resolved returns ds with each result kept as stored read, so that
// statuses compare whether their results were loaded or not.
func Resolved(ds *DeviceStatus) (*DeviceStatus, error) {
	c := *ds
	c.Docs = append([]DocStatus(nil), ds.Docs...)
	for i := range c.Docs {
		res, err := c.Docs[i].Result()
		if err != nil {
			return nil, err
		}
		c.Docs[i].result, c.Docs[i].resultRaw = res, ""
	}
	return &c, nil
}

// Eager makes r read every document it loads in full, keeping none as
// stored, so that a test compares both ways.
func Eager(r *Reconciler) { r.eager = true }

// Kept returns how many documents of device r holds in its decoded state
// as stored, the state loaded anew.
func Kept(r *Reconciler, device string) (int, error) {
	st, err := r.load(context.Background(), device)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range st.Docs {
		if d.stored != "" {
			n++
		}
	}
	return n, nil
}

// Held returns how many documents of device r holds as stored in the
// state it keeps in memory.
func Held(r *Reconciler, device string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache.entry(device, true)
	n := 0
	if e != nil && e.state.st != nil {
		for _, d := range e.state.st.Docs {
			if d.stored != "" {
				n++
			}
		}
	}
	return n
}

// Forget lets go of what r holds of device in memory (its decoded state,
// its last summary and their classes), as if r had served many other
// devices since: the next update loads and decodes the stored state.
func Forget(r *Reconciler, device string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cache.remove(device)
}

// Cached reports whether r holds a decoded state of device in memory.
func Cached(r *Reconciler, device string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache.entry(device, true)
	return e != nil && e.state.st != nil
}

// CachedBytes returns what r counts of the devices it holds in memory.
func CachedBytes(r *Reconciler) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cache.bytes
}

// NoTailChanged reports whether something changed noTail, the tail that
// the documents a load keeps as stored share (a document must be
// materialized before anything of it changes).
func NoTailChanged() bool { return noTail != docTail{} }

// SummaryKept reports whether r, loading the state of device anew, keeps
// its summary unread (a steady device's, see deviceState.sumDocs).
func SummaryKept(r *Reconciler, device string) (bool, error) {
	st, err := r.load(context.Background(), device)
	if err != nil {
		return false, err
	}
	return st.Sum == nil && st.sumDocs != nil, nil
}

// Canonical reports whether state reads in full (every document and the
// summary) and writes back as the same bytes: a state a Reconciler could
// have saved, whose flags say what its fields do.
func Canonical(state []byte) bool {
	st, err := decodeStored(string(state))
	if err != nil || st.materializeAll() != nil {
		return false
	}
	st.summary()
	b, err := encodeState(st)
	return err == nil && bytes.Equal(b, state)
}

// AsFormat3 returns state (format 4) as format 3 stored it: the refusal
// of a Delete in RefusedCode, of a document being removed, and a Delete
// awaited or tried without what it was sent for (format 3 sent it for
// any version listed). A state that holds another refusal of a command,
// which format 3 could not store, is an error.
func AsFormat3(state []byte) ([]byte, error) {
	st, err := decodeStored(string(state))
	if err != nil {
		return nil, err
	}
	if err := st.materializeAll(); err != nil {
		return nil, err
	}
	st.summary()
	for _, d := range st.Removed {
		if a := d.Await[kDelete]; a != "" {
			d.Await[kDelete] = a[:len(a)-len(awaited(a))]
		}
		if t := d.Tried[kDelete]; t != "" {
			s, rest, _ := strings.Cut(t, "\x00")
			m, _, _ := strings.Cut(rest, "\x00")
			d.Tried[kDelete] = s + "\x00" + m + "\x00"
		}
	}
	for _, list := range [][]*docState{st.Docs, st.Removed} {
		for _, d := range list {
			if d.CmdRefused == nil {
				continue
			}
			r := d.cmdRefusal(kDelete)
			d.setCmdRefusal(kDelete, cmdRefusal{})
			if d.CmdRefused != nil || d.Refused != "" {
				return nil, errorf("document %s: a refusal format 3 cannot store", d.docID())
			}
			d.RefusedCode = r.Code
		}
	}
	b, err := encodeState(st)
	if err != nil {
		return nil, err
	}
	b[0] = 3
	return b, nil
}

// CachedInto returns the strings of what r holds of device in memory
// (its decoded state and its last summary, with their text) that point
// into one of bufs: what r keeps of a message that it should not keep
// alive.
func CachedInto(r *Reconciler, device string, bufs ...[]byte) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.cache.entry(device, true)
	if e == nil {
		return nil
	}
	in := func(p uintptr) bool {
		for _, b := range bufs {
			if lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))); len(b) > 0 && p >= lo && p < lo+uintptr(len(b)) {
				return true
			}
		}
		return false
	}
	var out []string
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); len(s) > 0 {
				if in(uintptr(unsafe.Pointer(unsafe.StringData(s)))) {
					out = append(out, path+" = "+strconv.Quote(s))
				}
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem(), path)
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), path+"["+strconv.Itoa(i)+"]")
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
	walk(reflect.ValueOf(e.state.st), "state")
	walk(reflect.ValueOf(&e.sum), "sum")
	return out
}

// SummaryMark returns what the stored state of device keeps of its last
// summary read: its text, or the mark of one read from markup.
func SummaryMark(r *Reconciler, device string) (string, error) {
	st, err := r.load(context.Background(), device)
	if err != nil {
		return "", err
	}
	return st.SumText, nil
}

// SetSummaryMark stores mark as the mark of the last summary of device
// read from markup, as an earlier build would have stored it.
func SetSummaryMark(r *Reconciler, device, mark string) error {
	_, err := r.update(context.Background(), device, func(st *deviceState) (bool, error) {
		st.SumText, st.Sum, st.sumDocs = mark, &declaredconfig.Summary{}, nil
		return true, nil
	})
	return err
}

// ResultLimits returns the limits a Reconciler of c reads a device's
// result under.
func ResultLimits(c Config) declaredconfig.Limits {
	r := New(c)
	return r.resultLimits()
}

// SummaryLimits returns the limits a Reconciler of c reads a device's
// summary under.
func SummaryLimits(c Config) declaredconfig.Limits {
	r := New(c)
	return r.summaryLimits()
}

// StoredDevices returns how many devices the default store of r holds
// an entry of.
func StoredDevices(r *Reconciler) int {
	ms := r.store.(*memStore)
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return len(ms.m)
}

// SetDocID rewrites the stored state of device, as a build before Declare
// refused a DocID under a second Host could have stored it: its i-th
// desired document gets DocID id, the rest unchanged. r lets go of what
// it holds of device.
func SetDocID(ctx context.Context, r *Reconciler, device string, i int, id string) error {
	raw, ver, err := r.loadStored(ctx, device)
	if err != nil {
		return err
	}
	st, err := decodeStored(raw) // as stored: not repaired
	if err != nil {
		return err
	}
	if err := st.materializeAll(); err != nil {
		return err
	}
	nd := *st.Docs[i].Doc
	nd.ID = id
	st.Docs[i].Doc = &nd
	b, err := encodeState(st)
	if err != nil {
		return err
	}
	if _, err := r.store.CompareAndSwap(ctx, device, ver, b); err != nil {
		return err
	}
	Forget(r, device)
	return nil
}
