package reconcile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A Doc is a document the server wants on a device.
type Doc struct {
	Scope declaredconfig.Scope
	// Host is Complete, Inventory or BulkTemplate, as fits the
	// document's kind: a document of an inventory scenario
	// (declaredconfig.ScenarioInventory, ScenarioMIProviderInventory)
	// goes under Inventory, one of another defined scenario under
	// Complete or BulkTemplate (Declare refuses it otherwise, with a
	// *declaredconfig.HostError, as a device does; such a declaration
	// stored by an earlier build is not sent, see Reconcile).
	Host declaredconfig.Host
	// Document is the document; its ID is the DocID and its Checksum the
	// version. A new version needs a new checksum.
	Document *declaredconfig.Document
	// Variables is the instance data of a BulkTemplate document, sent to
	// its BulkVariables node after the document; nil for none.
	Variables *declaredconfig.InstanceBlob
	// Abandoned abandons the document (Complete documents only): the
	// device keeps its settings but stops maintaining them. A document
	// the device does not list (never sent, or deleted) is not sent, and
	// nothing is abandoned on the device until it lists it.
	Abandoned bool
}

// URI returns the document's Document node.
func (d Doc) URI() declaredconfig.URI {
	id := ""
	if d.Document != nil {
		id = d.Document.ID
	}
	return declaredconfig.DocumentURI(d.Scope, d.Host, id)
}

// Config configures a Reconciler. The zero Config keeps the state in
// memory.
type Config struct {
	// Store keeps the desired state and what the reconciler knows of each
	// device, under the device's ID, with compare-and-swap updates so that
	// several server instances can share it; nil means a new store in
	// memory (a VersionedStore). It must not be the Store of the sessions
	// (both key by device ID).
	Store session.Store
	// MaxRetries bounds the compare-and-swap attempts of one update;
	// zero means session.DefaultMaxRetries.
	MaxRetries int
	// OnEvent, when set, is called with each event once the state that
	// records it is saved, by the goroutine that called Reconcile and
	// before Reconcile returns (inside the session's BeforeReply).
	OnEvent func(context.Context, Event)
	// DataKind is how documents and instance data are carried in a
	// syncml.Data; the zero value is escaped text.
	DataKind syncml.DataKind
	// MaxDocuments bounds the documents desired on one device (those
	// being removed count too); zero means DefaultMaxDocuments. Declare
	// beyond it fails with a *LimitError. It also bounds the stray
	// documents kept of a device's summary (each scope and DocID once);
	// a device that lists more gets a Problem event, once.
	MaxDocuments int
	// MaxCachedDevices bounds the devices whose decoded state the
	// Reconciler keeps between messages (a cache checked against the
	// Store's version), with the last summary each sent; zero means
	// DefaultMaxCachedDevices. The devices served least recently are let
	// go first.
	MaxCachedDevices int
	// MaxCachedBytes bounds the memory that the decoded states and last
	// summaries kept between messages (see MaxCachedDevices) take, as
	// counted of each device: its state as stored, its documents and
	// strays, and its last summary read, parsed and as text (a device
	// whose summary is large counts some 3 to 5 times its text). Zero
	// means DefaultMaxCachedBytes. The devices served least recently are
	// let go first, until both bounds hold; a device that counts more
	// alone is not kept.
	MaxCachedBytes int
	// MaxResultBytes bounds the text of one result document the device
	// sends (what is kept of each document); zero means
	// DefaultMaxResultBytes. A larger one is not read: a Problem event
	// says so and the document is judged by the summary alone. One within
	// it is read whatever its size, elements and longest value, also when
	// it is over declaredconfig.DefaultLimits (what bounds the device's
	// message before, the session's request body and syncml limits,
	// still applies). Its elements are bounded apart, by
	// MaxResultElements, which raising MaxResultBytes leaves as it is.
	// Declare refuses a document whose result cannot fit it (see
	// Declare; Changed: it was taken, its result never read).
	MaxResultBytes int
	// MaxResultElements bounds the elements of one result document the
	// device sends; zero means DefaultMaxResultElements. One with more is
	// not read: a Problem event says so (its error a *LimitError of
	// MaxResultElements) and the document is judged by the summary alone.
	// While a result is read, each element takes some 250 bytes of
	// memory whatever its size, so a text of small elements ("<a/>")
	// takes some 65 times its bytes: at the default the read of one
	// result stays within some 17 MB, whatever MaxResultBytes is. A
	// device reports about one element per setting of the document.
	// Its attributes are bounded apart, by MaxResultAttrs. Declare
	// refuses a document of more settings and CSP elements than it
	// (Changed: it was taken, its result never read).
	MaxResultElements int
	// MaxResultAttrs bounds the attributes of one result document the
	// device sends, in all (up to MaxResultElementAttrs on each element;
	// a result element holds 2 to 8); zero means 8 times MaxResultElements
	// (DefaultMaxResultAttrs with the default MaxResultElements). A text
	// of short ones (' b=""') takes some 9 times its bytes while read:
	// at the default it stops at some 22 MB whatever MaxResultBytes is
	// (2.4 MB for the default MaxResultBytes: BenchmarkResultManyAttrs).
	// One with more is not read: a Problem event says so (its error a
	// *LimitError of MaxResultAttrs) and the document is judged by the
	// summary alone.
	//
	// Changed: such a LimitError named declaredconfig's MaxTotalAttrs
	// before this field was added.
	MaxResultAttrs int
	// MaxResultDepth bounds the nesting of one result document the
	// device sends, counting its root as 1 (declaredconfig.Limits'
	// MaxDepth; a result holds 3 levels, markup it carries more); zero
	// means declaredconfig.DefaultMaxDepth. One nested deeper is not
	// read: a Problem event says so (its error a *LimitError of
	// MaxResultDepth) and the document is judged by the summary alone.
	MaxResultDepth int
	// MaxResultElementAttrs bounds the attributes of one element of a
	// result document the device sends, namespace declarations included
	// (declaredconfig.Limits' MaxAttrs); zero means
	// declaredconfig.DefaultMaxAttrs. One with more is not read, as one
	// over MaxResultDepth (a *LimitError of MaxResultElementAttrs).
	MaxResultElementAttrs int
	// MaxResultNamespaces bounds the namespace declarations in scope at
	// any point of a result document the device sends
	// (declaredconfig.Limits' MaxNamespaces); zero means
	// declaredconfig.DefaultMaxNamespaces. One with more is not read, as
	// one over MaxResultDepth (a *LimitError of MaxResultNamespaces).
	//
	// Changed: the LimitErrors of these three named declaredconfig's
	// MaxDepth, MaxAttrs and MaxNamespaces, whose defaults held, before
	// these fields were added.
	MaxResultNamespaces int
	// MaxSummaryBytes bounds the text of the summary a device sends
	// (its 1224 alert's DeclaredConfigurations), which is kept with the
	// device's state, in memory and in the Store; zero means
	// DefaultMaxSummaryBytes, room for twice DefaultMaxDocuments entries
	// as devices write them (some 220 bytes each, checksums of 64
	// digits). A longer one is not read: Reconcile returns a *LimitError
	// and decides nothing of the documents, as for a summary that does
	// not read. Read, a summary takes some 4 times its text in memory
	// (8 times for entries without attributes) and twice in the Store.
	// Its elements are bounded apart, by MaxSummaryElements, which
	// raising MaxSummaryBytes leaves as it is.
	MaxSummaryBytes int
	// MaxSummaryElements bounds the elements of the summary a device
	// sends (one per document it lists, and the root); zero means
	// DefaultMaxSummaryElements. One with more is not read, as one over
	// MaxSummaryBytes (a *LimitError of MaxSummaryElements). As for a
	// result (MaxResultElements), each element takes some 250 bytes while
	// the summary is read: at the default a summary of small elements
	// stays within some 17 MB, whatever MaxSummaryBytes is. A summary
	// within the default MaxSummaryBytes holds far fewer entries (some
	// 15,000 of the shortest). Its attributes are bounded apart, by
	// MaxSummaryAttrs.
	MaxSummaryElements int
	// MaxSummaryAttrs bounds the attributes of the summary a device
	// sends, in all (an entry holds 4 to 6); zero means 8 times
	// MaxSummaryElements (DefaultMaxSummaryAttrs with the default
	// MaxSummaryElements). A summary of short attributes takes some 8
	// times its text while read: at the default it stops at some 22 MB.
	// One with more is not read, as one over MaxSummaryBytes (a
	// *LimitError of MaxSummaryAttrs).
	//
	// Changed: such a LimitError named declaredconfig's MaxTotalAttrs
	// before this field was added.
	MaxSummaryAttrs int
	// MaxSummaryDepth bounds the nesting of the summary a device sends,
	// counting its root as 1 (declaredconfig.Limits' MaxDepth; a summary
	// holds 2 levels); zero means declaredconfig.DefaultMaxDepth. One
	// nested deeper is not read, as one over MaxSummaryBytes (a
	// *LimitError of MaxSummaryDepth).
	MaxSummaryDepth int
	// MaxSummaryElementAttrs bounds the attributes of one element of the
	// summary a device sends, namespace declarations included
	// (declaredconfig.Limits' MaxAttrs; an entry holds 4 to 6); zero
	// means declaredconfig.DefaultMaxAttrs. One with more is not read, as
	// one over MaxSummaryBytes (a *LimitError of MaxSummaryElementAttrs).
	MaxSummaryElementAttrs int
	// MaxSummaryNamespaces bounds the namespace declarations in scope at
	// any point of the summary a device sends (declaredconfig.Limits'
	// MaxNamespaces; those of the SyncML message around a summary sent
	// as markup are not counted); zero means
	// declaredconfig.DefaultMaxNamespaces. One with more is not read, as
	// one over MaxSummaryBytes (a *LimitError of MaxSummaryNamespaces).
	//
	// Changed: the LimitErrors of these three named declaredconfig's
	// MaxDepth, MaxAttrs and MaxNamespaces, whose defaults held, before
	// these fields were added.
	MaxSummaryNamespaces int
	// MaxProblems bounds the Problem events that one message gives
	// about what the device sent (Statuses and Results that answer
	// nothing sent, or do not read; results over MaxResultBytes; summary
	// entries not read as sent, see SummaryError); zero
	// means DefaultMaxProblems. Beyond it, one more Problem with a
	// *LimitError says how many there were: a device cannot make an
	// event of each of the thousands of Statuses a message holds.
	MaxProblems int
	// RetryRefused is how many times a document the device refused with
	// a status that may pass (a 5xx other than 501 and 505) is sent again,
	// each time in a later session; zero means DefaultRetryRefused, a
	// negative value never. A refusal with any other status, or one more,
	// makes it Failed until it is declared anew. It bounds as well the
	// later sessions in which a version the device acknowledged and does
	// not report is sent again (a device that takes a document and never
	// applies it); Failed then says so, until the device reports it. The
	// other commands of a document (the Replace of Abandoned or of
	// BulkVariables, the Delete of a document no longer desired, the Get
	// of its results) that the device refuses are sent again the same
	// way, until what was refused changes; a Problem event says so once.
	// So is the Get that asks a device for its summary (see Reconcile).
	//
	// Changed: the Get of a document's results refused with a 5xx (but
	// 501 and 505) is asked again so; it was not asked again for that
	// result_checksum.
	RetryRefused int
	// NextChecksum returns the checksum under which a drifted document
	// is re-declared for the n-th time (n ≥ 1); d is the caller's
	// version. It must differ from every earlier one. Nil means
	// DefaultNextChecksum. It runs inside an update of the device's
	// state: a call it makes to the Reconciler for the same device waits
	// up to 50 ms for that update's turn, then goes on without it.
	NextChecksum func(d *declaredconfig.Document, n int) string
	// ForgetOnUnenroll makes a device that asks to be unenrolled (the
	// generic alert 1226 of Meta Type
	// com.microsoft:mdm.unenrollment.userrequest, which Windows sends in
	// the first package of a session when its user unenrolls, also
	// inside an Atomic or a Sequence) forgotten as Forget does, with the
	// event Forgotten, in place of reconciled; the rest of that session
	// is not reconciled (see Reconcile). Off by default: forgetting drops
	// the documents declared to the device, which a server that declares
	// them once (not at each session start) would not get back when the
	// device enrolls again under the same ID. The mark it keeps of that
	// session is not read by Reconcilers of earlier versions (see
	// Reconcile): set it once every instance sharing the Store runs
	// this version.
	ForgetOnUnenroll bool
}

// DefaultNextChecksum returns the SHA-256, in 64 lower-case hexadecimal
// digits, of the document's canonical XML with "#" and n appended (the hash
// covers both; neither shows in the result): a checksum that differs for
// every n and every version.
func DefaultNextChecksum(d *declaredconfig.Document, n int) string {
	b, _ := d.MarshalText()
	h := sha256.New()
	h.Write(b)
	h.Write([]byte("#" + strconv.Itoa(n)))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// A Reconciler brings the declared configuration of devices to the state
// the server desires. It is safe for concurrent use: its state is in the
// Store.
type Reconciler struct {
	cfg   Config
	store session.Store

	// locks are the turns of updates per device (lockIndex, takeTurn),
	// each made when first needed (see turnOf).
	locks [64]atomic.Pointer[turnSem]

	// mu guards the cache of what was decoded and read of the devices
	// served last (see cache.go).
	mu    sync.Mutex
	cache deviceCache

	// eager makes a load read every document in full, none kept as
	// stored (tests only: they compare both ways).
	eager bool
}

// New returns a Reconciler for cfg (copied).
func New(cfg Config) *Reconciler {
	r := &Reconciler{cfg: cfg, store: cfg.Store}
	if r.store == nil {
		r.store = newMemStore()
	}
	return r
}

// Defaults of Config.
const (
	DefaultMaxCachedDevices = 4096
	DefaultMaxDocuments     = 1024
	DefaultRetryRefused     = 2
	DefaultMaxResultBytes   = 256 << 10
	// DefaultMaxResultElements is declaredconfig.DefaultMaxElements.
	DefaultMaxResultElements = declaredconfig.DefaultMaxElements
	DefaultMaxProblems       = 16
	DefaultMaxSummaryBytes   = 512 << 10
	// DefaultMaxSummaryElements is declaredconfig.DefaultMaxElements.
	DefaultMaxSummaryElements = declaredconfig.DefaultMaxElements
	// DefaultMaxResultAttrs is 8 times DefaultMaxResultElements, as
	// declaredconfig bounds the attributes of a document by default.
	DefaultMaxResultAttrs = attrsPerElement * DefaultMaxResultElements
	// DefaultMaxSummaryAttrs is 8 times DefaultMaxSummaryElements.
	DefaultMaxSummaryAttrs = attrsPerElement * DefaultMaxSummaryElements
	DefaultMaxCachedBytes  = 256 << 20
)

// orDefault returns v when set (above 0), else def: a limit of Config
// and its default.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (r *Reconciler) maxResultBytes() int {
	return orDefault(r.cfg.MaxResultBytes, DefaultMaxResultBytes)
}

func (r *Reconciler) maxResultElements() int {
	return orDefault(r.cfg.MaxResultElements, DefaultMaxResultElements)
}

// attrsPerElement is the attributes in all that a result or summary may
// hold per element of its bound, when Config leaves MaxResultAttrs or
// MaxSummaryAttrs zero: declaredconfig's default (Limits.MaxTotalAttrs).
const attrsPerElement = 8

// attrsFor returns a Config limit of attributes in all, v, when set
// (above 0), else attrsPerElement times elements (not beyond the
// largest int).
func attrsFor(v, elements int) int {
	if v > 0 {
		return v
	}
	return attrsPerElement * min(elements, math.MaxInt/attrsPerElement)
}

func (r *Reconciler) maxResultAttrs() int {
	return attrsFor(r.cfg.MaxResultAttrs, r.maxResultElements())
}

func (r *Reconciler) maxSummaryAttrs() int {
	return attrsFor(r.cfg.MaxSummaryAttrs, r.maxSummaryElements())
}

// resultLimits are the limits a result the device sends is read under.
func (r *Reconciler) resultLimits() declaredconfig.Limits {
	lim := readLimits(r.maxResultBytes(), r.maxResultElements(), r.maxResultAttrs())
	shapeLimits(&lim, r.cfg.MaxResultDepth, r.cfg.MaxResultElementAttrs, r.cfg.MaxResultNamespaces)
	return lim
}

// summaryLimits are the limits the summary a device sends is read under.
func (r *Reconciler) summaryLimits() declaredconfig.Limits {
	lim := readLimits(r.maxSummaryBytes(), r.maxSummaryElements(), r.maxSummaryAttrs())
	shapeLimits(&lim, r.cfg.MaxSummaryDepth, r.cfg.MaxSummaryElementAttrs, r.cfg.MaxSummaryNamespaces)
	return lim
}

func (r *Reconciler) maxSummaryBytes() int {
	return orDefault(r.cfg.MaxSummaryBytes, DefaultMaxSummaryBytes)
}

func (r *Reconciler) maxSummaryElements() int {
	return orDefault(r.cfg.MaxSummaryElements, DefaultMaxSummaryElements)
}

func (r *Reconciler) maxProblems() int { return orDefault(r.cfg.MaxProblems, DefaultMaxProblems) }

func (r *Reconciler) retryRefused() int {
	switch {
	case r.cfg.RetryRefused > 0:
		return r.cfg.RetryRefused
	case r.cfg.RetryRefused < 0:
		return 0
	}
	return DefaultRetryRefused
}

func (r *Reconciler) maxDocuments() int { return orDefault(r.cfg.MaxDocuments, DefaultMaxDocuments) }

func (r *Reconciler) maxCached() int {
	return orDefault(r.cfg.MaxCachedDevices, DefaultMaxCachedDevices)
}

func (r *Reconciler) maxCachedBytes() int {
	return orDefault(r.cfg.MaxCachedBytes, DefaultMaxCachedBytes)
}

func (r *Reconciler) maxRetries() int { return orDefault(r.cfg.MaxRetries, session.DefaultMaxRetries) }

func (r *Reconciler) nextChecksum(d *declaredconfig.Document, n int) string {
	if r.cfg.NextChecksum != nil {
		return r.cfg.NextChecksum(d, n)
	}
	return DefaultNextChecksum(d, n)
}

// check reports why d cannot be declared.
func (d Doc) check() error {
	if d.Document == nil {
		return errorf("Declare: a Doc without a Document: %w", ErrInvalid)
	}
	u := d.URI()
	if d.Host != declaredconfig.Complete && d.Host != declaredconfig.Inventory && d.Host != declaredconfig.BulkTemplate {
		return errorf("Declare: document %s: host %v is none of %v, %v, %v: %w", d.Document.ID, d.Host,
			declaredconfig.Complete, declaredconfig.Inventory, declaredconfig.BulkTemplate, ErrInvalid)
	}
	if err := d.Document.Validate(u); err != nil {
		return errorf("Declare: %w: %w", ErrInvalid, err)
	}
	if d.Variables != nil && d.Host != declaredconfig.BulkTemplate {
		return errorf("Declare: document %s: Variables need Host BulkTemplate: %w", d.Document.ID, ErrInvalid)
	}
	if d.Abandoned && d.Host != declaredconfig.Complete {
		return errorf("Declare: document %s: only Complete documents can be abandoned: %w", d.Document.ID, ErrInvalid)
	}
	return nil
}

// Declare makes docs desired on device, in addition to those already
// desired: a document with the DocID, Scope and Host of a desired one
// replaces it. A document with the caller's checksum of the desired one
// must be the same document (a change needs a new checksum); its
// Variables and Abandoned may change. Declaring a document that is being
// removed takes it back. Declare is idempotent. A document must pass
// declaredconfig.Document.Validate for its node (an error matching
// ErrInvalid otherwise), which holds its scenario to its Host, and read
// back within declaredconfig.DefaultLimits, as a device reads it (its
// canonical text at most 1 MiB, among others): a larger one fails with
// an error matching both ErrInvalid and ErrLimit. So does a new version
// whose result cannot fit Config.MaxResultBytes or MaxResultElements,
// judged by the least a device that reports each of its settings writes
// (each setting's path, status, state and type: 5000 settings of short
// paths take some 300 KB, over the default 256 KiB); its *LimitError
// names the bound to raise. Such a result would never be read. Declare
// changes nothing when it fails.
//
// Changed: a document whose result cannot fit MaxResultBytes or
// MaxResultElements was taken; its result was not read, one Problem
// each time the device sent it, the document judged by its summary alone.
//
// Changed: a document of the Scope and DocID of a desired one under
// another Host is refused (ErrInvalid): a device's summary names a
// document by its scope and DocID alone, so the two could not be told
// apart, and each would be sent over the other in every session. To move
// a document to another Host, Remove it first.
func (r *Reconciler) Declare(ctx context.Context, device string, docs ...Doc) error {
	var (
		texts = make([][]byte, len(docs))
		err   error
	)
	for i, d := range docs {
		if err := d.check(); err != nil {
			return err
		}
		if texts[i], err = d.Document.MarshalText(); err != nil {
			return errorf("Declare: %w", err)
		}
	}
	_, err = r.update(ctx, device, func(st *deviceState) (bool, error) {
		for i, d := range docs {
			if err := st.declare(d, texts[i], r.resultFits); err != nil {
				return false, err
			}
		}
		if n := len(st.Docs) + len(st.Removed); n > r.maxDocuments() {
			return false, pkg.LimitCount("MaxDocuments", int64(r.maxDocuments()), int64(n), "")
		}
		return false, nil
	})
	return err
}

// clone returns a copy of d made through its canonical text.
func cloneDoc(text []byte) (*declaredconfig.Document, error) {
	var c declaredconfig.Document
	if err := c.UnmarshalText(text); err != nil {
		return nil, err
	}
	return &c, nil
}

func cloneBlob(b *declaredconfig.InstanceBlob) *declaredconfig.InstanceBlob {
	if b == nil {
		return nil
	}
	text, err := b.MarshalText()
	if err != nil {
		return nil
	}
	var c declaredconfig.InstanceBlob
	if c.UnmarshalText(text) != nil {
		return nil
	}
	return &c
}

func sameBlob(a, b *declaredconfig.InstanceBlob) bool {
	if a == nil || b == nil {
		return a == b
	}
	ta, err1 := a.MarshalText()
	tb, err2 := b.MarshalText()
	return err1 == nil && err2 == nil && bytes.Equal(ta, tb)
}

func (st *deviceState) declare(d Doc, text []byte, fits func(Doc) error) error {
	id := d.Document.ID
	if j := slices.IndexFunc(st.Docs, func(x *docState) bool { return x.is(d.Scope, 0, id) && x.Host != d.Host }); j >= 0 {
		// The device's summary names a document by its context and
		// DocID alone: its one entry would be read for both, and each
		// would be sent in turn, in every session.
		return errorf("Declare: %v document %s is desired under host %v already, not %v (a device's summary does not tell them apart; Remove it first): %w",
			d.Scope, shown(id), st.Docs[j].Host, d.Host, ErrInvalid)
	}
	st.Removed = slices.DeleteFunc(st.Removed, func(x *docState) bool {
		// A stray being deleted may be probed under any Host.
		return x.is(d.Scope, d.Host, id) || x.StrayHost && x.is(d.Scope, 0, id)
	})
	st.Stray = slices.DeleteFunc(st.Stray, func(x stray) bool { return x.Scope == d.Scope && declaredconfig.EqualDocID(x.ID, id) })
	i := slices.IndexFunc(st.Docs, func(x *docState) bool { return x.is(d.Scope, d.Host, id) })
	if i >= 0 {
		if _, err := st.materialize(st.Docs[i]); err != nil {
			return errorf("Declare: %w", err)
		}
	}
	if i >= 0 && st.Docs[i].Base == d.Document.Checksum {
		x := st.Docs[i]
		base, err := x.baseDoc()
		if err != nil {
			return errorf("Declare: document %s: %w", id, err)
		}
		old, err := base.MarshalText()
		if err != nil || !bytes.Equal(old, text) {
			return errorf("Declare: document %s changed without a new checksum (%q): %w", id, d.Document.Checksum, ErrInvalid)
		}
		if x.Abandoned != d.Abandoned {
			// Abandoned, or taken back, anew: tried again.
			x.Abandoned = d.Abandoned
			x.setCmdRefusal(kAbandon, cmdRefusal{})
		}
		if !sameBlob(x.Vars, d.Variables) {
			x.Vars = cloneBlob(d.Variables)
			x.VarsSent = ""
			x.setCmdRefusal(kVars, cmdRefusal{})
		}
		return nil
	}
	doc, err := cloneDoc(text)
	if err != nil { // over declaredconfig.DefaultLimits, which a device reads it with
		return errorf("Declare: document %s does not read back: %w: %w", id, ErrInvalid, err)
	}
	if err := fits(d); err != nil {
		return err
	}
	x := &docState{Scope: d.Scope, Host: d.Host, Doc: doc, Abandoned: d.Abandoned,
		Last:    lastSeen{Condition: Unknown, Reason: "declared; the device has not reported since"},
		docTail: &docTail{Base: doc.Checksum, Vars: cloneBlob(d.Variables)}}
	if i >= 0 {
		// A new version: what the device did with the old one no longer
		// counts, but what is in flight still does.
		old := st.Docs[i]
		x.Await, x.AbandonSet, x.Hint = old.Await, old.AbandonSet, old.Hint
		x.Last = lastSeen{Condition: Unknown, Reason: "declared; the device has not reported since",
			Reported: old.Last.Reported, State: old.Last.State, DevCS: old.Last.DevCS, DevRC: old.Last.DevRC}
		st.Docs[i] = x
		return nil
	}
	st.Docs = append(st.Docs, x)
	return nil
}

// Remove makes the documents ids (compared by declaredconfig.EqualDocID,
// in any scope and host) no longer desired on device: the reconciler
// deletes them from the device while it lists them. It deletes the Stray
// documents of those ids too (the device's last summary listed them; the
// reconciler never deletes one on its own: it may be another server's,
// or the Store may have lost it); the summary does not say their Host,
// so a Delete answered 404 is tried under Complete, Inventory and
// BulkTemplate in turn. A stray whose id is not a GUID cannot be named
// by a Delete: Remove then fails (ErrInvalid) and changes nothing.
// Unknown ids are ignored. A Delete already queued
// on a session cannot be taken back: a document declared again before it
// goes out is deleted, then sent again in the same session.
func (r *Reconciler) Remove(ctx context.Context, device string, ids ...string) error {
	return r.remove(ctx, "Remove", device, func(declaredconfig.Scope) bool { return true }, ids)
}

// RemoveIn is Remove for the documents of one scope: documents of ids in
// the other scope (declared or stray) stay as they are. A scope that is
// neither declaredconfig.Device nor declaredconfig.User is an error
// matching ErrInvalid, and nothing changes.
func (r *Reconciler) RemoveIn(ctx context.Context, device string, scope declaredconfig.Scope, ids ...string) error {
	if scope != declaredconfig.Device && scope != declaredconfig.User {
		return errorf("RemoveIn: device %s: scope %v is neither %v nor %v: %w", shown(device), scope,
			declaredconfig.Device, declaredconfig.User, ErrInvalid)
	}
	return r.remove(ctx, "RemoveIn", device, func(s declaredconfig.Scope) bool { return s == scope }, ids)
}

// remove is Remove and RemoveIn (op): it removes the documents of ids in
// the scopes in takes.
func (r *Reconciler) remove(ctx context.Context, op, device string, in func(declaredconfig.Scope) bool, ids []string) error {
	named := func(s declaredconfig.Scope, id string) bool {
		return in(s) && slices.ContainsFunc(ids, func(x string) bool { return declaredconfig.EqualDocID(id, x) })
	}
	_, err := r.update(ctx, device, func(st *deviceState) (bool, error) {
		for _, x := range st.Docs {
			if named(x.Scope, x.docID()) {
				if _, err := st.materialize(x); err != nil {
					return false, errorf("%s: device %s: %w", op, shown(device), err)
				}
			}
		}
		for _, x := range st.Stray {
			// A stray's id is the device's: a Delete names a GUID only.
			if named(x.Scope, x.ID) {
				if err := declaredconfig.CheckDocID(x.ID); err != nil {
					return false, errorf("%s: device %s: the device lists a document %s that no Delete can name: %w: %w", op, shown(device), shown(x.ID), ErrInvalid, err)
				}
			}
		}
		st.Stray = slices.DeleteFunc(st.Stray, func(x stray) bool {
			if !named(x.Scope, x.ID) ||
				slices.ContainsFunc(st.Removed, func(d *docState) bool { return d.is(x.Scope, 0, x.ID) }) {
				return false
			}
			st.Removed = append(st.Removed, &docState{Scope: x.Scope, Host: declaredconfig.Complete,
				Doc: &declaredconfig.Document{ID: x.ID, Checksum: x.Checksum}, StrayHost: true,
				Last: lastSeen{Condition: Removing, Reason: "never declared; deleting it", Reported: true,
					State: uint32(stateOf(x.State)), DevCS: x.Checksum, DevRC: x.RC},
				docTail: &docTail{Base: x.Checksum}})
			return true
		})
		if len(st.Stray) == 0 {
			st.Stray = nil
		}
		st.Docs = slices.DeleteFunc(st.Docs, func(x *docState) bool {
			if !named(x.Scope, x.docID()) {
				return false
			}
			x.Last.Condition, x.Last.Reason = Removing, "no longer desired"
			x.Tried = [nKinds]string{}
			// What the device refused of the document no longer counts;
			// its Delete is tried.
			x.Refused, x.RefusedCode, x.RefusedTries, x.CmdRefused = "", 0, 0, nil
			st.Removed = append(st.Removed, x)
			return true
		})
		return false, nil
	})
	return err
}

// SetRefreshInterval sets the RefreshInterval the server wants on
// device, in minutes (at least declaredconfig.MinRefreshInterval); 0
// leaves the device's as it is. The reconciler sets it and reads it back.
// Changed: a value read later that is neither the one set nor the one
// read back after the set (the device wiped, or changed on it) is set
// again; a device that holds another value than the one it took (its own
// bound) is not sent it again for that. A refused Replace is told in one
// Problem and sent again as a refused document is (5xx, up to
// Config.RetryRefused later sessions), then not until the value changes;
// before, it was silent and sent in every session.
func (r *Reconciler) SetRefreshInterval(ctx context.Context, device string, minutes uint32) error {
	if minutes != 0 && minutes < declaredconfig.MinRefreshInterval {
		return errorf("SetRefreshInterval: %d minutes is below the minimum of %d: %w",
			minutes, declaredconfig.MinRefreshInterval, ErrInvalid)
	}
	_, err := r.update(ctx, device, func(st *deviceState) (bool, error) {
		if st.Refresh != minutes {
			st.Refresh, st.RefreshTried = minutes, ""
		}
		return false, nil
	})
	return err
}

// Status returns where every document of device stands, as of the last
// Reconcile.
func (r *Reconciler) Status(ctx context.Context, device string) (*DeviceStatus, error) {
	st, err := r.load(ctx, device)
	if err != nil {
		return nil, err
	}
	return st.status(device), nil
}

// Desired returns the documents desired on device, in the order
// declared, each with the caller's checksum.
func (r *Reconciler) Desired(ctx context.Context, device string) ([]Doc, error) {
	st, err := r.load(ctx, device)
	if err != nil {
		return nil, err
	}
	if err := st.materializeAll(); err != nil {
		return nil, errorf("device %s: %w", shown(device), err)
	}
	var out []Doc
	for _, x := range st.Docs {
		d, err := x.baseDoc()
		if err != nil {
			return nil, errorf("device %s: document %s: %w", shown(device), x.docID(), err)
		}
		out = append(out, Doc{Scope: x.Scope, Host: x.Host, Document: d, Variables: x.Vars, Abandoned: x.Abandoned})
	}
	return out, nil
}
