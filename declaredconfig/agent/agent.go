package agent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Defaults of the Config limits.
const (
	DefaultMaxDocuments = 1000  // Config.MaxDocuments
	DefaultMaxSettings  = 10000 // Config.MaxSettings
	// DefaultMaxSummaryBytes (Config.MaxSummaryBytes) leaves room for the
	// SyncHdr and the Statuses in a message of 64 KiB, the MaxMsgSize
	// Windows devices announce.
	DefaultMaxSummaryBytes = 48 << 10
	DefaultMaxHeldEvents   = 1000 // Config.MaxHeldEvents
	// DefaultMaxLeftover (Config.MaxLeftover) is twice DefaultMaxSettings:
	// room for a version that sets none of the nodes of the one before.
	DefaultMaxLeftover = 2 * DefaultMaxSettings
)

// Config configures an Agent.
type Config struct {
	// Surface is the configuration the agent applies documents to
	// (required).
	Surface Surface
	// Store keeps the state across restarts; nil means a new MemoryStore.
	Store Store
	// Clock tells the time and wakes the worker; nil means the system's (package time).
	Clock Clock
	// RequestSession, when set, is called when the agent wants the device
	// to start a session with the server: documents it finished
	// applying (one call per ApplyPending batch), or a refresh that changed what the summary says (drift it
	// could not repair, or a failure it did repair). reason says why. It
	// is called after the state that asks for it is saved (an apply or
	// a refresh whose save failed asks when a later save keeps its
	// outcome), without the agent's lock held, from the goroutine that
	// did the work (for an apply or a refresh whose save failed, the one
	// whose save kept it, or the next to tell events); it should only
	// signal (a session started from it must not wait for that goroutine).
	RequestSession func(reason string)
	// OnEvent, when set, is told what the agent does, as it happens, in
	// the order the changes they tell were saved (the events of an
	// ApplyPending batch with the first save after them: the batch's own,
	// or that of a command or a refresh made meanwhile, before that
	// command's events; the events of a batch or a refresh whose save
	// failed with the first save that succeeds after it, the worker's
	// next try or a command's, while an EventError tells the failure at
	// once (once while the store fails alike: see Run); beyond
	// MaxHeldEvents such events held, the rest are dropped and counted in an
	// EventError): an EventAccepted comes before the EventApplied of
	// its document, an EventApplied before the EventDeleted of a Delete
	// that came after the apply. It is called without the agent's
	// lock held; calls never overlap. The goroutine that did the work calls it, or, when
	// another is calling it at that moment, that other one does, after
	// the events it is telling (the first returns without waiting). It
	// should return soon, as RequestSession. A panic of OnEvent stops no
	// event: that goroutine tells the rest, then panics with it.
	OnEvent func(Event)
	// KeepInstanceData keeps the instance data of a bulk template after
	// it was applied. By default it is dropped, as Windows does not keep
	// secrets such as PFX passwords: a setting made from it that drifts
	// cannot be repaired until the server sends the instance data again,
	// and an inventory that names its node does not read it back (the
	// setting is reported 405, with no value).
	KeepInstanceData bool
	// HashKey, when set, is the key of the hashes of the values the
	// state keeps (the values of instance data dropped, such as
	// passwords: SettingRecord.Hash), kept out of the state: 32 bytes,
	// the same at every start (from DPAPI, a TPM, a key store; New
	// copies it, the caller may then clear its slice). Any other length
	// fails New (ErrConfig). Without it the key is in the state
	// (Snapshot.HashKey), so whoever holds the state file can test
	// guesses of a value against its hash; with it, the state holds no
	// key and the hashes tell which key made them.
	//
	// A state that holds a key (saved before HashKey was set) loads: the
	// hashes of the values kept are made again under HashKey; those of
	// values not kept are checked with the state's key as long as the
	// agent lives, and a refresh that finds a node holding its value
	// hashes it under HashKey; the state saved no longer holds that key.
	// A hash under a key the agent does not hold (HashKey changed, or
	// the state's key was not known when it was set: an agent restarted
	// before its refresh re-keyed the hash) is not taken as drift: for a
	// setting in sync, the next refresh takes the value the node holds
	// as the setting's, and hashes it (a setting then in sync; an absent
	// node drifted), and New tells how many with an EventError. So the
	// one refresh after a key change does not detect drift of such values
	// that came before it. A setting found drifted before stays so (its
	// value cannot be checked) until the server applies it again.
	// A node of DocumentRecord.Intents whose hash is under a key not held
	// is taken as holding another value: left as it is, and forgotten.
	// Unset after being set, the agent makes a key for the state again
	// and treats the hashes under HashKey so.
	HashKey []byte
	// Limits bound the reading of each document and instance blob; zero
	// fields take declaredconfig's defaults. A Document or BulkVariables
	// Add or Replace beyond them is answered 413 (request entity too
	// large), as one beyond MaxSettings, and changes nothing.
	Limits declaredconfig.Limits
	// MaxDocuments bounds the documents held; an Add or Replace beyond it
	// is answered 420 (device full). Zero means DefaultMaxDocuments.
	MaxDocuments int
	// MaxSummaryBytes bounds the encoded 1224 alert that carries the
	// summary, which goes in every message the device sends (but those
	// that go on with an object in chunks). The
	// session cuts only Add, Replace, Copy, Exec and Results into large
	// objects (as OMA DM does), never an Alert, and sends a command
	// larger than the server's MaxMsgSize alone, over the bound: so the
	// agent keeps the summary small enough instead. An Add (or Replace
	// with a longer checksum) of a document whose entry, counted with
	// the longest result_checksum and state it can have, would take
	// the alert beyond it is answered 420, as beyond MaxDocuments. Set
	// it below the server's MaxMsgSize, with room for the header and
	// the Statuses. Zero means DefaultMaxSummaryBytes (about 200
	// documents).
	MaxSummaryBytes int
	// MaxSettings bounds the settings of one document, a bulk template
	// expanded for every instance of its instance data (each instance
	// repeats the template's settings). A Document or BulkVariables Add
	// or Replace beyond it is answered 413 and changes nothing. Zero
	// means DefaultMaxSettings.
	MaxSettings int
	// EmptySummary sends the summary alert also while the agent holds no
	// document (an empty DeclaredConfigurations element). The CSP page
	// has the alert sent when any request is in process or completed;
	// some servers look for it in the first session too.
	EmptySummary bool
	// SurfaceTimeout bounds each call of the Surface (Set, Get, Delete),
	// so that a Surface that ignores its context and blocks does not
	// hold Run, ApplyPending, Refresh, Unenroll and Undo for ever: the
	// call's context ends at the bound, and a call that has not returned
	// by then fails with ErrSurfaceTimeout (a setting: status 500, an
	// EventError; a read on refresh: an EventError, checked again next
	// time). The call goes on on its own goroutine until the Surface
	// returns; what it does then is not looked at. The calls of one
	// refresh, of one ApplyPending batch (its reads, Sets and Deletes),
	// of one Unenroll and of one Undo are made one at a time on one
	// goroutine, with one timer (another goroutine only after a call
	// that timed out): Changed: the context of such a call ends when the
	// calls of its refresh, batch, Unenroll or Undo end, not when the
	// call returns; it was a goroutine, a timer and a context per call
	// (so far for an apply's Sets and Deletes, an Unenroll's and an
	// Undo's).
	// Zero means DefaultSurfaceTimeout; a negative value, no bound
	// (calls are made on the caller's goroutine).
	SurfaceTimeout time.Duration
	// StrictScenario refuses documents whose osdefinedscenario is not
	// one the documentation lists (declaredconfig.StrictScenario).
	StrictScenario bool
	// MaxHeldEvents bounds the events kept in memory, for OnEvent, of
	// the applies and refreshes whose state could not be saved, until a
	// save succeeds: a batch's own events count too once its save
	// failed (while the batch runs, its events wait for its save, as
	// many as the documents it applies make). Beyond it, the oldest are
	// kept and the rest dropped, and an EventError told with the next
	// save that succeeds says how many. Zero means DefaultMaxHeldEvents.
	MaxHeldEvents int
	// MaxLeftover bounds the nodes one record holds as set: those of its
	// settings that succeeded and its Leftover (DocumentRecord), so the
	// Leftover too. Before an apply sets a node its record does not hold
	// yet, the agent adds it to the Leftover and saves the state; an apply
	// that would take the record beyond the bound sets nothing: the
	// document goes to ConfigInfraError (62) and an EventError tells the
	// limit (a *LimitError named MaxLeftover, matching declaredconfig.ErrLimit). Nodes
	// held are never dropped for the bound, and a record over it (a
	// bound lowered) still applies a version that sets no new node.
	// Zero means DefaultMaxLeftover, or twice MaxSettings when that is
	// more.
	MaxLeftover int
}

// An Agent is the declared configuration engine of a device: a
// session.Handler for the DeclaredConfiguration CSP, a worker that applies
// documents and refreshes them, and the 1224 summary for every message.
// Its methods are safe for concurrent use.
type Agent struct {
	cfg Config
	// work is held by whatever calls the Surface for the documents
	// (an apply, a refresh, Unenroll), so that they do not interleave:
	// an Unenroll waits for the apply under way instead of clearing
	// the state while the apply goes on setting nodes. Taken before mu.
	work sync.Mutex
	mu   sync.Mutex
	st   *Snapshot
	// hashes makes and checks the hashes of values under st.HashKey
	// (made by New; the key does not change while the agent lives).
	hashes *keyedHash
	docs   map[string]*declaredconfig.Document // parsed documents, by record key
	// legacy holds, by record key as docs, why the arrival checks refuse
	// the document docs holds for the key, for the records loaded from
	// the store whose document they refuse (an older build accepted it):
	// kept in ConfigInfraError, never applied or refreshed (see New).
	// Whatever replaces or drops docs[k] drops legacy[k]. Under mu.
	legacy map[string]error
	wake   chan struct{}
	uris   map[string]declaredconfig.URI // parse's memory
	// entryLens and emptyAlert are entryLen's memory.
	entryLens  map[string]int
	emptyAlert int
	// unenrolls counts the Unenrolls whose save succeeded (mu held): an
	// Undo of a command made before the last one has nothing left to put
	// back.
	unenrolls uint64
	// read holds the documents Unmarshal read with their message.
	read readDocs
	// told holds the events made (under mu, in the order the agent did
	// things) and not yet given to OnEvent; telling says a goroutine is
	// giving them, so that OnEvent calls never overlap. Both under mu.
	told    []Event
	telling bool
	// unsaved holds the events of ApplyPending's batches made and not
	// yet saved, in the order made, with the batch that made them: the
	// next save of the state, whoever makes it, keeps their changes, so
	// it queues them, before the events of its own change. It holds too
	// the events of a batch or a refresh whose save failed (by nil), at
	// most Config.MaxHeldEvents; dropped counts those left out. Under mu.
	unsaved []heldEvent
	// intents holds, by record (key), the nodes an ApplyPending batch
	// added to the record's Leftover before any Set (intents), until
	// the record's apply is committed or the batch ends. Under mu.
	intents map[string][]string
	// before holds, by node (nodeKey), what the nodes an ApplyPending
	// batch was about to record (intents) held before the batch set
	// anything (readBefore), until the batch ends or another caller of
	// the Surface (unintendRest) comes between its documents. Under mu.
	before map[string]getResult
	// plans holds the plans of the last applyNext's records while it
	// reads the Surface first (planKept). Under mu.
	plans   map[string]planned
	dropped int
	// dirty says the state in memory is ahead of the store: the outcome
	// of a batch or a refresh whose save failed, kept, its events in unsaved and the
	// sessions it asks for in asks, until a save succeeds; then they go
	// to asked, for the next flush. Under mu.
	dirty bool
	asks  []string
	asked []string
	// retryWait is the wait before the worker tries again a save that
	// failed, from retryAt: 0 after a save that succeeded. Under mu.
	retryWait time.Duration
	retryAt   time.Time
	// readErrs holds, by record key and setting URI (joined by NUL), the
	// failure of the last refresh's read of a setting that failed: a
	// read failure is told when it starts or its error changes.
	// Each refresh makes it anew (reads that work drop out). Under mu.
	readErrs map[string]failure
	// driftErrs holds, keyed as readErrs, the failure of the last set of
	// a drifted setting that a refresh could not set again; made anew by
	// each refresh (a setting it did not read keeps its entry). Under mu.
	driftErrs map[string]failure
	// saveErr is the failure of the saves (the worker's or a command's)
	// since the last that succeeded, nil after one that succeeded: a
	// failure is told only when it starts or its error changes
	// (storeFailed). Under mu.
	saveErr *failure
	// skipped holds the keys of the documents whose repair the last
	// refresh skipped (skippedRepairs), told when their skip started;
	// repairWait is the wait before the refresh tries them again, from
	// repairAt (0 when none is skipped). Under mu.
	skipped    map[string]bool
	repairWait time.Duration
	repairAt   time.Time
}

// The waits of the worker between the tries of a save that failed: the
// first, then twice the one before, at most the refresh interval.
const firstRetryWait = time.Minute

// A heldEvent is an event of a batch (by) waiting for a save.
type heldEvent struct {
	e  Event
	by *notes
}

// New returns an agent with the state cfg.Store holds. A Store that
// cannot load (ErrCorrupt among others) makes New fail: the agent never
// starts from state it cannot trust; so does a stored document that does
// not read, or whose id, context or checksum do not name the document its
// record's URI names, or a stored setting that names a node its document
// does not make (ErrCorrupt). A version not applied (pending, or in
// ConfigInfraError) keeps the settings of the last apply, which may be an
// earlier version's (another CSP): the record then holds that version too
// (DocumentRecord.Applied), and its settings are held to it. A record of
// a version not applied that holds no Applied (a build before the field
// saved it so) keeps only the settings its own version makes: the others
// are dropped, not trusted, with an EventError that says how many (their
// nodes stay on the device: neither Unenroll nor the apply of the new
// version, which deletes the earlier version's nodes it does not set,
// deletes them). So is, in any record, a setting whose node no document
// of its context may set (outside the context's scope, of the
// DeclaredConfiguration CSP, a "?" query, not a LocURI), which only a
// version that an earlier build's more lenient checks took (see below),
// or a tampered store, can hold.
//
// A stored document that reads but that the checks a document passes when
// it arrives now refuse (an older build, or a Config with StrictScenario
// off, accepted it; a newer build checks more) is not corruption: New
// keeps it, in ConfigInfraError (62; GetInfraError, 82, for an inventory),
// which the summary reports, with an EventError telling why (told at the
// agent's first event). Such a document is no longer applied (a pending
// one, or one set pending again by Abandoned or BulkVariables, goes to 62
// instead), refreshed, or counted in conflicts; its settings as last
// applied stay recorded, so Unenroll removes them, and its last result
// stays. A new version that passes the checks (Replace) replaces it and is
// applied as any; Delete drops it, its settings staying, as any document's.
// So is a stored document beyond Config.Limits (lowered since it was
// accepted): kept in 62, its EventError's Err matching
// declaredconfig.ErrLimit. Raising the limits again does not apply it:
// it stays in 62 until the server sends it again.
//
// The other bounds are not checked on load: every stored document is
// loaded, beyond MaxDocuments or MaxSummaryBytes too (Adds are answered
// 420 until there is room again); a document with more settings than
// MaxSettings is kept and refreshed as applied, and goes to 62 with an
// EventError only when it is to be applied again (pending, unabandoned,
// new instance data), as its plan is then refused.
func New(ctx context.Context, cfg Config) (*Agent, error) {
	if cfg.Surface == nil {
		return nil, errorf("%w: Config.Surface is required", ErrConfig)
	}
	if cfg.Store == nil {
		cfg.Store = &MemoryStore{}
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.MaxDocuments <= 0 {
		cfg.MaxDocuments = DefaultMaxDocuments
	}
	if cfg.MaxSettings <= 0 {
		cfg.MaxSettings = DefaultMaxSettings
	}
	if cfg.MaxSummaryBytes <= 0 {
		cfg.MaxSummaryBytes = DefaultMaxSummaryBytes
	}
	if cfg.MaxHeldEvents <= 0 {
		cfg.MaxHeldEvents = DefaultMaxHeldEvents
	}
	if cfg.MaxLeftover <= 0 {
		cfg.MaxLeftover = max(DefaultMaxLeftover, 2*cfg.MaxSettings)
	}
	a := &Agent{cfg: cfg, docs: map[string]*declaredconfig.Document{}, wake: make(chan struct{}, 1),
		uris: map[string]declaredconfig.URI{}, entryLens: map[string]int{}, legacy: map[string]error{},
		intents: map[string][]string{}, before: map[string]getResult{}, plans: map[string]planned{}}
	if cfg.HashKey != nil {
		var err error
		if a.hashes, err = configKeyedHash(cfg.HashKey); err != nil {
			return nil, errorf("New: %w", err)
		}
		a.cfg.HashKey = nil // the agent's copy is in a.hashes: the caller may clear its own
	}
	st, err := cfg.Store.Load(ctx)
	if err != nil {
		return nil, errorf("New: %w", err)
	}
	if st == nil {
		st = &Snapshot{}
	}
	lost := 0 // hashes under a key the agent does not hold
	switch {
	case a.hashes != nil: // Config.HashKey
		if st.HashKey != "" {
			// The state's own key, from before Config.HashKey: its
			// hashes are checked with it while the agent lives; the
			// state saved no longer holds it.
			if a.hashes.old, err = newKeyedHash(st.HashKey); err != nil {
				return nil, errorf("New: %w: %w", ErrCorrupt, err)
			}
			st.HashKey = ""
		}
		lost = a.hashes.rekey(st)
	case st.HashKey == "":
		// A new state, or one saved by a build before the key.
		st.HashKey = newHashKey()
		if a.hashes, err = newKeyedHash(st.HashKey); err != nil {
			return nil, errorf("New: %w", err)
		}
		lost = a.hashes.rekey(st)
	default:
		if a.hashes, err = newKeyedHash(st.HashKey); err != nil {
			return nil, errorf("New: %w: %w", ErrCorrupt, err)
		}
		for _, r := range st.Documents {
			for _, s := range r.Settings {
				if !a.hashes.known(&s) && a.hashes.lost(s.Hash) {
					lost++
				}
			}
		}
	}
	if lost > 0 {
		a.told = append(a.told, Event{Time: cfg.Clock.Now(), Kind: EventError,
			Detail: "stored hashes of values the agent does not keep are under a key it does not hold (Config.HashKey changed or dropped): the next refresh takes the value each node holds as the setting's",
			Err:    errorf("%d stored hashes under a key not held", lost)})
	}
	if m := uint64(st.RefreshInterval); m != 0 && (m < declaredconfig.MinRefreshInterval || m > maxRefreshMinutes) {
		return nil, errorf("New: %w: RefreshInterval %d", ErrCorrupt, m)
	}
	if c := st.ConflictResolution; c != "" && c != "0" && c != "1" {
		return nil, errorf("New: %w: ConflictResolution %s", ErrCorrupt, shown(c))
	}
	for i := range st.Documents {
		r := &st.Documents[i]
		u, err := declaredconfig.ParseURI(r.URI)
		if err != nil || u.Node != declaredconfig.NodeDocument {
			return nil, errorf("New: %w: document %d has URI %s", ErrCorrupt, i, shown(r.URI))
		}
		d, refused, err := a.loadDocument(u, r.Document)
		if err != nil {
			return nil, errorf("New: %w: document %s: %w", ErrCorrupt, r.URI, err)
		}
		if !r.State.Known() {
			return nil, errorf("New: %w: document %s has state %d", ErrCorrupt, r.URI, uint32(r.State))
		}
		if a.docs[key(u)] != nil {
			return nil, errorf("New: %w: document %s is there twice", ErrCorrupt, r.URI)
		}
		dropped, err := checkSettings(u, r, d)
		if err != nil {
			return nil, errorf("New: %w: document %s: %w", ErrCorrupt, r.URI, err)
		}
		if dropped > 0 {
			a.told = append(a.told, Event{Time: cfg.Clock.Now(), Kind: EventError, DocID: d.ID, URI: r.URI, State: stateText(r.State),
				Detail: "stored settings of a version applied before this one that the record does not hold (an earlier build saved it), or of nodes a document of its scope may not set: dropped; Unenroll does not delete their nodes",
				Err:    errorf("%d stored settings dropped", dropped)})
		}
		if gone := checkLeft(u, r, d); gone > 0 {
			a.told = append(a.told, Event{Time: cfg.Clock.Now(), Kind: EventError, DocID: d.ID, URI: r.URI, State: stateText(r.State),
				Detail: "stored nodes set for the document that are not nodes of its scope a document may set (or an inventory's): dropped; Unenroll does not delete them",
				Err:    errorf("%d stored nodes not of the document's scope", gone)})
		}
		a.docs[key(u)] = d
		switch {
		case refused != nil:
			a.legacy[key(u)] = refused
			r.State, r.Pending = infraError(u.Host), false
			a.told = append(a.told, Event{Time: cfg.Clock.Now(), Kind: EventError, DocID: d.ID, URI: r.URI, State: stateText(r.State),
				Detail: "a stored document the checks now refuse: kept, no longer applied", Err: refused})
		case (r.State == declaredconfig.StateConfigInprogress || r.State == declaredconfig.StateGetInprogress) && !r.Pending:
			// An apply the process did not finish: again.
			r.State, r.Pending = requested(u.Host), true
		}
	}
	a.st = st
	return a, nil
}

// ownNode reports whether s, a stored setting of d (s.DSC within d's DSC
// elements; csps holds the names of d's CSP elements), names the node that
// d makes of it: the node of a CSP of d and
// the setting's path, or of its DSC element, keys and parameter. A Store
// that gives back another node would have refresh set it, and Unenroll
// delete it, though no document names it. A DSC node is also taken as
// builds before DSCURI escaped the key separators wrote it.
func ownNode(d *declaredconfig.Document, csps map[string]bool, s *SettingRecord) bool {
	if s.DSC > 0 {
		x := d.DSCs[s.DSC-1]
		x.Keys = dscKeys(&d.DSCs[s.DSC-1], s)
		if s.URI == DSCURI(&x, s.Path) {
			return true
		}
		var keys []string
		for _, k := range x.Keys {
			keys = append(keys, k.Name+"="+k.Value)
		}
		return s.URI == dscRoot+url.PathEscape(x.Namespace)+"/"+url.PathEscape(x.ClassName)+"/"+
			url.PathEscape(strings.Join(keys, ","))+"/"+url.PathEscape(s.Path)
	}
	return csps[s.CSP] && s.URI == declaredconfig.SettingURI(d.Context, s.CSP, s.Path)
}

// checkSettings checks the stored settings of the record r of u, whose
// document is d: each must name the node that the version whose apply
// made them makes of it (ownNode). That version is d, or for a version
// not applied yet (pending, its apply under way, or in ConfigInfraError
// after its plan failed) the one r.Applied holds, when a Replace came
// after an apply. A Store that gives back another node would have refresh
// set it, and Unenroll delete it, though no document names it. A version
// not applied whose record holds no Applied may hold the settings of an
// earlier version that a build before Applied saved: the well-formed
// settings d does not make are dropped from r, not trusted, and counted.
// So are the settings of the version that made them whose node is not
// one a document of d's context may set (settable): that version was
// taken by an earlier build, whose checks were more lenient (its record
// is in ConfigInfraError now, see New), or the store was tampered with.
func checkSettings(u declaredconfig.URI, r *DocumentRecord, d *declaredconfig.Document) (dropped int, err error) {
	notApplied := r.Pending || r.State.Transient() || r.State == infraError(u.Host)
	made := d // the version whose apply made r.Settings
	if r.Applied != "" {
		if !notApplied {
			return 0, errorf("the record holds an earlier version (applied) though it is applied itself")
		}
		made = &declaredconfig.Document{}
		if err := declaredconfig.UnmarshalLimits([]byte(r.Applied), made, textLimits(len(r.Applied))); err != nil {
			return 0, errorf("the version applied before: %w", err)
		}
		if !declaredconfig.EqualDocID(made.ID, u.DocID) || !strings.EqualFold(made.Context, d.Context) {
			return 0, errorf("the version applied before has id %s and context %s, not the document's", quote(made.ID), quote(made.Context))
		}
	}
	// settings maybe of an unnamed earlier version (no Applied: a build
	// before it saved the record)
	older := notApplied && r.Applied == ""
	csps := make(map[string]bool, len(made.CSPs))
	for _, c := range made.CSPs {
		csps[c.Name] = true
	}
	kept := r.Settings[:0:0]
	for _, s := range r.Settings {
		if s.DSC < 0 || s.URI == "" || s.Group < 0 {
			return 0, errorf("setting %s is not its own", shown(s.Path))
		}
		if s.DSC <= len(made.DSCs) && ownNode(made, csps, &s) {
			if settable(d.Context, s.URI) {
				kept = append(kept, s)
			} else {
				dropped++
			}
			continue
		}
		if !older {
			return 0, errorf("setting %s is not its own", shown(s.Path))
		}
		dropped++
	}
	if dropped > 0 {
		r.Settings = kept
	}
	return dropped, nil
}

// infraError is the state of a document the agent holds and cannot
// apply: GetInfraError (82) for an inventory, ConfigInfraError (62)
// otherwise.
func infraError(h declaredconfig.Host) declaredconfig.State {
	if h == declaredconfig.Inventory {
		return declaredconfig.StateGetInfraError
	}
	return declaredconfig.StateConfigInfraError
}

// loadDocument reads a stored document of u: err when it does not read,
// or its id, context or checksum (what the summary says of it) do not name
// the document u names, which no build accepts (the store is damaged);
// refused when it reads and the arrival checks refuse it (an older build
// accepted it: New).
//
// A document beyond Config.Limits (lowered since it was accepted) is read
// under limits as large as its text, which bound nothing the text does
// not (the Store is the agent's own), and refused with the LimitError:
// kept in 62, as one the checks refuse, so that lowering the limits does
// not stop the agent from starting on a device that holds one.
func (a *Agent) loadDocument(u declaredconfig.URI, text string) (d *declaredconfig.Document, refused, err error) {
	d = &declaredconfig.Document{}
	if err := declaredconfig.UnmarshalLimits([]byte(text), d, a.cfg.Limits); err != nil {
		if !errors.Is(err, declaredconfig.ErrLimit) {
			return nil, nil, err
		}
		refused = errorf("the document is beyond Config.Limits: %w", err)
		*d = declaredconfig.Document{}
		if err := declaredconfig.UnmarshalLimits([]byte(text), d, textLimits(len(text))); err != nil {
			return nil, nil, err
		}
	}
	if !declaredconfig.EqualDocID(d.ID, u.DocID) || !strings.EqualFold(d.Context, u.Scope.String()) || d.Checksum == "" {
		return nil, nil, errorf("the document's id %s, context %s and checksum %s do not name the document %s",
			quote(d.ID), quote(d.Context), quote(d.Checksum), u)
	}
	if refused != nil {
		return d, refused, nil
	}
	if _, err := a.checkDocument(u, d); err != nil {
		return d, err, nil
	}
	return d, nil, nil
}

// textLimits returns limits that no text of n bytes exceeds: every
// element, attribute, token, nesting level and namespace declaration
// takes at least one byte of it.
func textLimits(n int) declaredconfig.Limits {
	m := n + 1
	return declaredconfig.Limits{MaxBytes: int64(m), MaxDepth: m, MaxAttrs: m, MaxTokenBytes: m, MaxElements: m, MaxNamespaces: m,
		MaxTotalAttrs: m}
}

// refusedDoc returns why the arrival checks refuse the stored document of
// the record uri names; nil for one that passes (a.mu held).
func (a *Agent) refusedDoc(uri string) error {
	if len(a.legacy) == 0 {
		return nil
	}
	u, err := a.parse(uri)
	if err != nil {
		return nil
	}
	return a.legacy[key(u)]
}

// Register routes the DeclaredConfiguration subtrees of both scopes
// (./Device/Vendor/MSFT/DeclaredConfiguration, ./User/…) of m to a.
func (a *Agent) Register(m *session.Mux) error {
	for _, p := range []string{"./Device/Vendor/MSFT/DeclaredConfiguration", "./User/Vendor/MSFT/DeclaredConfiguration"} {
		if err := m.HandleSubtree("", p, a); err != nil {
			return errorf("Register: %w", err)
		}
	}
	return nil
}

// Snapshot returns a copy of the agent's state. Without Config.HashKey
// the copy holds the state's HashKey next to the hashes it keys: a
// snapshot logged or sent elsewhere should leave it out, as the state
// file's own protection is then no longer all that guards the hashed
// values.
func (a *Agent) Snapshot() *Snapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.clone()
}

// RefreshInterval returns the time between refreshes.
func (a *Agent) RefreshInterval() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.interval()
}

// maxRefreshMinutes is the longest RefreshInterval a time.Duration holds
// (about 292 years); a Replace beyond it is refused.
const maxRefreshMinutes = math.MaxInt64 / uint64(time.Minute)

func (a *Agent) interval() time.Duration {
	m := uint64(a.st.RefreshInterval)
	if m == 0 {
		m = declaredconfig.DefaultRefreshInterval
	}
	return time.Duration(min(m, maxRefreshMinutes)) * time.Minute
}

// key is the identity of a document: scope, host and DocID (compared as
// declaredconfig.EqualDocID does).
func key(u declaredconfig.URI) string {
	return u.Scope.String() + "/" + u.Host.String() + "/" + strings.ToUpper(u.DocID)
}

// doc returns the parsed document of the record u names; nil when it
// cannot be read (which New and restore prevent).
func (a *Agent) doc(u declaredconfig.URI) *declaredconfig.Document { return a.docs[key(u)] }

// find returns the index of the record of the document u names, -1 if none.
func (a *Agent) find(u declaredconfig.URI) int {
	k := key(u)
	for i := range a.st.Documents {
		if ru, err := a.parse(a.st.Documents[i].URI); err == nil && key(ru) == k {
			return i
		}
	}
	return -1
}

// parse is declaredconfig.ParseURI for the URIs of the records, which
// the agent reads again and again: it keeps what it read (a.mu held).
func (a *Agent) parse(uri string) (declaredconfig.URI, error) {
	if u, ok := a.uris[uri]; ok {
		return u, nil
	}
	u, err := declaredconfig.ParseURI(uri)
	if err != nil {
		return u, err
	}
	if len(a.uris) > 2*len(a.st.Documents)+64 {
		clear(a.uris) // URIs of documents gone
	}
	a.uris[uri] = u
	return u, nil
}

// inventory reports whether a record's URI is under Host/Inventory.
func (a *Agent) inventory(uri string) bool {
	u, err := a.parse(uri)
	return err == nil && u.Host == declaredconfig.Inventory
}

// parseDocument reads and checks a document sent to u.
func (a *Agent) parseDocument(u declaredconfig.URI, text string) (*declaredconfig.Document, error) {
	var d declaredconfig.Document
	if err := declaredconfig.UnmarshalLimits([]byte(text), &d, a.cfg.Limits); err != nil {
		return nil, err
	}
	return a.checkDocument(u, &d)
}

// checkDocument checks a document sent to u.
func (a *Agent) checkDocument(u declaredconfig.URI, d *declaredconfig.Document) (*declaredconfig.Document, error) {
	var opts []declaredconfig.ValidateOption
	if a.cfg.StrictScenario {
		opts = append(opts, declaredconfig.StrictScenario)
	}
	if err := d.Validate(u, opts...); err != nil {
		return nil, err
	}
	// The node of each setting, to refuse a document that names one
	// twice: the node would hold the last value while both were reported
	// set, and every refresh would set it back and forth.
	type place struct{ csp, dsc, i int } // a setting, or a DSC parameter (dsc > 0)
	what := func(p place) string {
		if p.dsc > 0 {
			x := &d.DSCs[p.dsc-1]
			return fmt.Sprintf("parameter %s of DSC %d (%s)", shown(x.Values[p.i].Name), p.dsc, shown(x.ClassName))
		}
		return fmt.Sprintf("setting %s of CSP %s", shown(d.CSPs[p.csp].Settings[p.i].Path), shown(d.CSPs[p.csp].Name))
	}
	nodes := map[string]place{}
	twice := func(k, uri string, p place) error {
		if first, ok := nodes[k]; ok {
			return errorf("%w: %s names the node %s, as %s does", declaredconfig.ErrInvalid, what(p), shown(uri), what(first))
		}
		nodes[k] = p
		return nil
	}
	for ci, c := range d.CSPs {
		// A placeholder is filled only in a bulk template's setting
		// paths: anywhere else "@#" would be set as part of a node name.
		if strings.Contains(c.Name, "@#") {
			return nil, errorf("%w: CSP name %s holds a bulk template placeholder (@#), which only setting paths may", declaredconfig.ErrInvalid, shown(c.Name))
		}
		for si, s := range c.Settings {
			uri := declaredconfig.SettingURI(d.Context, c.Name, s.Path)
			k, err := settingNode(d.Context, c.Name, s.Path)
			if err != nil {
				return nil, errorf("%w", err) // a *declaredconfig.SettingError, matching ErrInvalid
			}
			if u.Host != declaredconfig.BulkTemplate && strings.Contains(s.Path, "@#") {
				return nil, errorf("%w: setting %s of CSP %s holds a bulk template placeholder (@#) in a document that is not a bulk template", declaredconfig.ErrInvalid, shown(s.Path), shown(c.Name))
			}
			if err := twice(k, uri, place{csp: ci, i: si}); err != nil {
				return nil, err
			}
		}
	}
	for i := range d.DSCs {
		x := &d.DSCs[i]
		for vi, p := range x.Values {
			uri := DSCURI(x, p.Name)
			if err := twice(nodeKey(uri), uri, place{dsc: i + 1, i: vi}); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// nodeKey returns the identity of a setting's node: its LocURI as
// syncml.ParseLocURI reads it (escapes decoded, the scope written out),
// so that two spellings of one node are one; uri itself when it does not
// read.
func nodeKey(uri string) string {
	if plainURI(uri) {
		// What ParseLocURI and String would give, without their
		// allocations: the scope written out, the rest as written.
		k, err := canonical(uri)
		if err != nil {
			return uri
		}
		return k
	}
	l, err := syncml.ParseLocURI(uri)
	if err != nil {
		return uri
	}
	if l.Scope == syncml.ScopeDefault {
		l.Scope = syncml.ScopeDevice
	}
	return l.String()
}

// plainURI reports whether uri holds no byte that syncml.LocURI.String
// writes otherwise than as read: no escape, space, control, non-ASCII,
// '?' or '#'.
func plainURI(uri string) bool {
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= ' ' || c >= 0x7F || c == '%' || c == '?' || c == '#' {
			return false
		}
	}
	return true
}

// settingNode returns the identity (nodeKey) of the node that setting
// path of the CSP csp sets in a document of context, or why the document
// may not set it: declaredconfig.SettingNode, the rule Validate holds
// each setting to (a node that reads as every LocURI is read, so that no
// setting reaches outside its CSP; in the scope of the context; no "?",
// nothing in the DeclaredConfiguration CSP). Validate has checked the
// nodes a document names; this checks them again, and those a bulk
// template's instance data makes.
func settingNode(context, csp, path string) (string, error) {
	l, err := declaredconfig.SettingNode(context, csp, path)
	if err != nil {
		return "", err
	}
	return l.String(), nil
}

// save writes the state; on failure it puts back old (the state before
// the change) so that memory and store agree (a refresh's outcome held
// before stays: see dirty).
func (a *Agent) save(ctx context.Context, old *Snapshot) error {
	if err := a.cfg.Store.Save(ctx, a.st); err != nil {
		if old != nil {
			a.restore(old)
		}
		return errorf("save state: %w", err)
	}
	a.saved()
	return nil
}

// failedSave records that a save of the worker's work failed at now and
// returns the wait before the worker tries again: firstRetryWait after a
// save that succeeded, then twice the last wait, at most the refresh
// interval. a.mu held.
func (a *Agent) failedSave(now time.Time) time.Duration {
	w := firstRetryWait
	if a.retryWait > 0 {
		w = 2 * a.retryWait
	}
	a.retryWait = min(w, a.interval())
	a.retryAt = now.Add(a.retryWait)
	return a.retryWait
}

// storeFailed records that a save (the worker's or a command's) failed
// with err and reports whether to tell it: the first failure since a save
// succeeded, or one whose error differs from the last one's (a failure:
// compared with numbers folded, such as the random name of FileStore's
// temporary file, at most maxFailureChanges times); note ends the Detail
// of the event that tells the last change told. A store that fails for
// good is told once, whoever tries it. a.mu held.
func (a *Agent) storeFailed(err error) (tell bool, note string) {
	if a.saveErr == nil {
		f := newFailure(err)
		a.saveErr = &f
		return true, ""
	}
	return a.saveErr.goOn(err)
}

// retryIn returns how long before the worker tries again a save that
// failed: 0 or less when it is due, or no save failed since the last
// that succeeded. Never more than the wait itself, when the clock went
// back.
func (a *Agent) retryIn(now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.retryWait == 0 {
		return 0
	}
	return min(a.retryAt.Sub(now), a.retryWait)
}

// holdUnsaved keeps the outcome of an apply batch or a refresh whose
// save failed (n's): the state is ahead of the store, its events and the
// sessions it asks for wait for a save; a.mu held.
func (a *Agent) holdUnsaved(n *notes) {
	a.dirty = true
	for _, r := range n.session {
		if !slices.Contains(a.asks, r) {
			a.asks = append(a.asks, r)
		}
	}
	n.session = nil
	// The batch's events held so far are now the next save's, as those
	// of earlier failed saves: together with n's, at most MaxHeldEvents
	// of them are kept, the oldest. The events of another batch still
	// running wait for its own save, uncounted.
	held, kept := 0, a.unsaved[:0]
	for _, h := range a.unsaved {
		if h.by == n || h.by == nil {
			if held >= a.cfg.MaxHeldEvents {
				a.dropped++
				continue
			}
			held++
			h.by = nil // no longer the batch's: the next save's
		}
		kept = append(kept, h)
	}
	clear(a.unsaved[len(kept):])
	a.unsaved = kept
	if a.cfg.OnEvent != nil {
		for _, e := range n.events {
			if held >= a.cfg.MaxHeldEvents {
				a.dropped++
				continue
			}
			held++
			a.unsaved = append(a.unsaved, heldEvent{e, nil})
		}
	}
	n.events = n.events[:0]
}

// restore makes old the state again, with its parsed documents (those
// the arrival checks refuse marked as New marks them).
func (a *Agent) restore(old *Snapshot) {
	a.st = old
	docs := map[string]*declaredconfig.Document{}
	legacy := map[string]error{}
	for _, r := range old.Documents {
		u, err := declaredconfig.ParseURI(r.URI)
		if err != nil {
			continue
		}
		k := key(u)
		d := a.docs[k]
		refused := a.legacy[k]
		if d == nil || !r.holds(d) {
			if d, refused, err = a.loadDocument(u, r.Document); err != nil {
				continue
			}
		}
		if refused != nil {
			legacy[k] = refused
		}
		docs[k] = d
	}
	a.docs, a.legacy = docs, legacy
}

// holds reports whether the record's document is d: its canonical XML,
// not only its checksum, so that a version with the checksum of another
// (put back by an Undo or a failed save) is read again, and checked.
func (r *DocumentRecord) holds(d *declaredconfig.Document) bool {
	text, err := d.MarshalText()
	return err == nil && string(text) == r.Document
}

// signal wakes the worker.
func (a *Agent) signal() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// notes collects what to tell outside the lock.
type notes struct {
	events  []Event
	session []string
}

func (n *notes) event(e Event) { n.events = append(n.events, e) }

// queue moves the events of n to the agent's queue, in the order they
// are told; a.mu held. Called where the change they tell is made (saved)
// under the same lock, so that an event of a later change (the worker's
// apply of a document just accepted) is never told before it.
func (a *Agent) queue(n *notes) {
	a.told = append(a.told, n.events...)
	n.events = n.events[:0]
}

// hold moves the events of n, a batch's, to a.unsaved until a save;
// a.mu held.
func (a *Agent) hold(n *notes) {
	if a.cfg.OnEvent != nil {
		for _, e := range n.events {
			a.unsaved = append(a.unsaved, heldEvent{e, n})
		}
	}
	n.events = n.events[:0]
}

// saved queues the held events, whose changes the save just made keeps,
// and the sessions held with them (asked, for the next flush); a.mu held,
// after every save of a.st that succeeded. The state is in the store:
// nothing is left to try again.
func (a *Agent) saved() {
	for _, h := range a.unsaved {
		a.told = append(a.told, h.e)
	}
	if a.dropped > 0 {
		a.told = append(a.told, Event{Time: a.cfg.Clock.Now(), Kind: EventError,
			Detail: strconv.Itoa(a.dropped) + " later events of applies and refreshes whose state could not be saved were dropped (more than " +
				strconv.Itoa(a.cfg.MaxHeldEvents) + " held)"})
		a.dropped = 0
	}
	clear(a.unsaved)
	a.unsaved = a.unsaved[:0]
	a.asked = append(a.asked, a.asks...)
	a.asks = nil
	a.dirty = false
	a.retryWait = 0
	a.saveErr = nil
}

// unhold takes the events of batch n, which has nothing to save, out of
// a.unsaved and queues them; a.mu held.
func (a *Agent) unhold(n *notes) {
	kept := a.unsaved[:0]
	for _, h := range a.unsaved {
		if h.by == n {
			a.told = append(a.told, h.e)
		} else {
			kept = append(kept, h)
		}
	}
	clear(a.unsaved[len(kept):])
	a.unsaved = kept
}

// flush tells what n holds; called without the lock. Events go to
// OnEvent in the order they were queued, one call at a time: the
// goroutine that finds no other telling gives them all, its own and those
// queued meanwhile, until none is left; one that finds another telling
// leaves its events to it and returns. RequestSession is called by the
// goroutine that did the work. An OnEvent that panics does not stop the
// events after it: they are told all the same, RequestSession is called,
// and then the first panic goes on to the caller.
func (a *Agent) flush(n *notes) {
	var p any // the first panic of OnEvent
	a.mu.Lock()
	a.queue(n) // events not queued under the lock of their change
	if a.cfg.OnEvent == nil {
		a.told = a.told[:0]
	}
	if !a.telling && len(a.told) > 0 {
		a.telling = true
		for len(a.told) > 0 {
			events := a.told
			a.told = nil
			a.mu.Unlock()
			if q := a.tell(events); p == nil {
				p = q
			}
			a.mu.Lock()
		}
		a.telling = false
	}
	session := n.session
	if len(a.asked) > 0 {
		session = append(a.asked, n.session...)
		a.asked = nil
	}
	a.mu.Unlock()
	if a.cfg.RequestSession != nil && len(session) > 0 {
		a.cfg.RequestSession(strings.Join(session, "; "))
	}
	if p != nil {
		panic(p)
	}
}

// tell gives events to OnEvent; a.telling set, a.mu not held. It returns
// the first panic of OnEvent, having told the events after it. An OnEvent
// that ends its goroutine (runtime.Goexit) puts the events not told back
// at the head of the queue and telling unset, for the next flush.
func (a *Agent) tell(events []Event) (p any) {
	i := 0
	defer func() {
		if i < len(events) { // runtime.Goexit
			a.mu.Lock()
			a.told = append(events[i+1:len(events):len(events)], a.told...)
			a.telling = false
			a.mu.Unlock()
		}
	}()
	for ; i < len(events); i++ {
		if q := a.tellOne(events[i]); p == nil {
			p = q
		}
	}
	return p
}

// tellOne calls OnEvent and returns its panic, if any.
func (a *Agent) tellOne(e Event) (p any) {
	defer func() {
		if q := recover(); q != nil {
			p = q
		}
	}()
	a.cfg.OnEvent(e)
	return nil
}
