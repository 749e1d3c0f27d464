package reconcile

import (
	"fmt"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
)

// A DocCondition is the reconciler's view of one document on one device,
// kept across messages and sessions (DocStatus.Condition). It is made
// from declaredconfig.Condition, what Reply.Evaluate reads of one message,
// and from what the reconciler sent and remembers: Evaluate's Pending is
// Unknown here while the reconciler is sending the declared version (the
// device does not list it, or lists another version or the version
// deleted) and Pending once the device has it; its Deleted is Unknown
// (the document is sent again); Removing and Stray are documents no
// longer or never declared, which Evaluate does not look at. The values
// of the two types differ: compare names, not numbers.
type DocCondition uint8

// The conditions of a document.
const (
	// Unknown: the device does not list the document (or lists another
	// version); the reconciler is sending the declared one.
	Unknown DocCondition = iota
	// Pending: the device has the declared version and has not reported
	// a final outcome yet, or its results are being read.
	Pending
	// InSync: the device applied the declared version and no setting
	// failed.
	InSync
	// Failed: the device refused the document, or applying it (or one of
	// its settings) failed, and it was never in sync at this version.
	// The reconciler does not send it again until it is declared anew
	// (a refusal that may pass is Pending while it is tried again, see
	// Config.RetryRefused).
	Failed
	// Drifted: the declared version was in sync and the device now
	// reports a failure it could not repair; the reconciler re-declares
	// it under a new checksum.
	Drifted
	// Abandoned: the server abandoned the document; the device keeps its
	// settings but no longer maintains them.
	Abandoned
	// Removing: the document is no longer desired and the device still
	// lists it; the reconciler deletes it.
	Removing
	// Stray: the device lists a document the reconciler never declared
	// to it. It is reported, and deleted only when the caller removes it
	// (Reconciler.Remove): it may be another server's, or one the Store
	// lost.
	Stray
)

// String returns the condition's name, such as "InSync".
func (c DocCondition) String() string {
	switch c {
	case Unknown:
		return "Unknown"
	case Pending:
		return "Pending"
	case InSync:
		return "InSync"
	case Failed:
		return "Failed"
	case Drifted:
		return "Drifted"
	case Abandoned:
		return "Abandoned"
	case Removing:
		return "Removing"
	case Stray:
		return "Stray"
	}
	return fmt.Sprintf("DocCondition(%d)", uint8(c))
}

// A DocStatus is where one document stands on one device.
type DocStatus struct {
	// URI is the document's Document node (Scope, Host, DocID); a Stray
	// document has Host zero.
	URI declaredconfig.URI
	// Checksum is the version declared now: the caller's, or the one the
	// reconciler made when it re-declared a drifted document.
	Checksum string
	// Redeclared counts the re-declarations of the caller's version.
	Redeclared int
	Condition  DocCondition
	Reason     string // why, in a few words

	// What the device's last summary said: whether it lists the
	// document, and its state, checksum and result_checksum.
	Reported       bool
	State          declaredconfig.State
	DeviceChecksum string
	ResultChecksum string
	// Refused is the Status code with which the device refused the
	// command RefusedCmd names, the last of that kind sent for the
	// document, while the refusal counts (0 and 0 when none does): the
	// Add or Replace of the declared version, the Replace of its
	// Abandoned property with the value declared, that of its
	// BulkVariables for the declared version, the Delete of a
	// document being removed while the device lists the version it
	// listed then, or the Get of the results of the declared version
	// with the result_checksum the device lists. Such a command is sent
	// again only as Config.RetryRefused allows, until what was refused
	// changes (the Get: until the device answers it, or lists another
	// result_checksum). When more than one counts, the first of that list
	// is told (a Problem event told each).
	Refused    syncml.StatusCode
	RefusedCmd DocCommand

	// result is the last result read (see Result), or resultRaw its
	// stored form when it was loaded from the Store.
	result    *declaredconfig.Result
	resultRaw string
}

// Result returns the last result read for the declared version (for an
// Inventory document, the values it reports); nil when none was read. A
// result loaded from the Store is kept as stored and read by each call
// (a new copy each time): when it does not read, the error matches
// ErrStoredState. The result is shared otherwise: it must not be
// changed.
func (s *DocStatus) Result() (*declaredconfig.Result, error) {
	if s.result != nil || s.resultRaw == "" {
		return s.result, nil
	}
	return decodeResult(s.resultRaw)
}

// Settings returns the per-setting outcome of Result; nil when there is
// no result or it does not read (Result says why).
func (s *DocStatus) Settings() []declaredconfig.SettingStatus {
	res, _ := s.Result()
	return res.Settings()
}

// FailedSettings returns the settings of Result that failed, with their
// status codes and states; nil when there is no result or it does not
// read (Result says why).
func (s *DocStatus) FailedSettings() []declaredconfig.SettingStatus {
	var out []declaredconfig.SettingStatus
	for _, st := range s.Settings() {
		if st.Failed() {
			out = append(out, st)
		}
	}
	return out
}

// A DocCommand names a command the reconciler sends for a document, one
// the device refused (DocStatus.RefusedCmd).
type DocCommand uint8

// The commands of a document that a device may refuse.
const (
	// SendDocument: the Add or Replace of the declared version.
	SendDocument DocCommand = iota + 1
	// SetAbandoned: the Replace of its Properties/Abandoned (abandoning
	// it, or taking that back).
	SetAbandoned
	// ReplaceBulkVariables: the Replace of a bulk template's
	// BulkVariables.
	ReplaceBulkVariables
	// DeleteDocument: the Delete of a document no longer desired.
	DeleteDocument
	// GetResults: the Get of the Results of the declared version, for
	// the result_checksum the device lists.
	GetResults
)

// String returns the command's name, such as "DeleteDocument".
func (c DocCommand) String() string {
	switch c {
	case SendDocument:
		return "SendDocument"
	case SetAbandoned:
		return "SetAbandoned"
	case ReplaceBulkVariables:
		return "ReplaceBulkVariables"
	case DeleteDocument:
		return "DeleteDocument"
	case GetResults:
		return "GetResults"
	}
	return fmt.Sprintf("DocCommand(%d)", uint8(c))
}

// A DeviceStatus is where every document of one device stands.
type DeviceStatus struct {
	Device string
	// Docs holds the desired documents in the order declared, then those
	// being removed, then the stray ones.
	Docs []DocStatus
	// RefreshInterval is the device's RefreshInterval as last read back,
	// in minutes as the device wrote it; "" if never read. A value
	// that is no number of minutes is not kept (a Problem says so).
	RefreshInterval string
	// Queued is the number of commands the last Reconcile queued.
	Queued int
	// SummaryRefused is the Status code (a 5xx or a 4xx, but 404, 405,
	// 406, 501 and 505) with which the device refused the Get that asks
	// for its summary, in a message without one, and SummaryRefusals
	// the sessions in a row that refused it so; 0 and 0 when no such
	// refusal counts (the device has sent a summary or answered that
	// Get since, or refused it with a status that says the node or the
	// command is not there, which is final at once). Changed: a 4xx
	// but 404, 405 and 406 (such as 425 permission denied) counts; it
	// was final at once, and made each document the device held lost. While
	// SummaryRefusals is at most Config.RetryRefused nothing is decided
	// of the device's documents and the summary is asked again in a
	// later session; beyond it the refusal is final: the device was
	// taken as holding no document. A Problem event tells each refusal.
	SummaryRefused  syncml.StatusCode
	SummaryRefusals int
}

// Doc returns the status of the document id (compared by
// declaredconfig.EqualDocID), or nil. A DocID may stand for more than one
// document: one of each scope, and one being removed under another Host
// than the one desired; Doc returns the first in Docs (a desired one
// before one being removed, before a stray). Look through Docs, by
// URI.Scope and URI.Host, to tell them apart.
func (d *DeviceStatus) Doc(id string) *DocStatus {
	if d == nil {
		return nil
	}
	for i := range d.Docs {
		if declaredconfig.EqualDocID(d.Docs[i].URI.DocID, id) {
			return &d.Docs[i]
		}
	}
	return nil
}

// An EventKind says what happened to a document.
type EventKind uint8

// The kinds of Event. Package agent, on the device's side, tells some of
// the same things under names of its own: Removed there is EventDeleted,
// DriftedEvent is EventDrifted, AbandonedEvent is EventAbandoned, and
// Problem has the role of its EventError. Two names it shares mean another
// thing there: its EventApplied is told whatever the outcome, Applied here
// only for a version in sync; its EventRepaired is one setting its
// refresh set back, Repaired here a document declared anew after drift
// that is in sync again.
const (
	// Applied: the device applied the declared version; it is in sync.
	Applied EventKind = iota + 1
	// FailedEvent: the device refused or failed the declared version, or
	// its stored declaration no longer validates and it is not sent;
	// Status.FailedSettings lists the failing settings when the results
	// were read.
	FailedEvent
	// DriftedEvent: a version that was in sync failed on the device (drift
	// it could not repair); the reconciler re-declares it.
	DriftedEvent
	// Repaired: a re-declared document is in sync again.
	Repaired
	// Removed: a document no longer desired is gone from the device.
	Removed
	// AbandonedEvent: the device accepted the abandonment of a document.
	AbandonedEvent
	// InventoryRead: new results of an Inventory document were read.
	InventoryRead
	// RefreshIntervalRead: the device's RefreshInterval was read back.
	RefreshIntervalRead
	// Lost: the device no longer holds a document it held at the
	// declared version (it was wiped or enrolled again: its summary does
	// not list it, or it sends none); the reconciler sends it again.
	Lost
	// Problem: something of the device's message could not be used, the
	// device refused a command other than the Add or Replace of a
	// document (once for each thing refused and status; see
	// Config.RetryRefused), a desired version cannot be sent (its stored
	// declaration does not validate: once per version), or the
	// reconciler failed (Err says what). Status names the document when
	// the Problem is of one.
	Problem
	// Forgotten: the device asked to be unenrolled, and the reconciler
	// forgot it (Config.ForgetOnUnenroll): its documents and all it knew
	// of it are dropped, and the rest of that session is not reconciled.
	// Status is zero.
	Forgotten
)

// String returns the kind's name, such as "Applied".
func (k EventKind) String() string {
	switch k {
	case Applied:
		return "Applied"
	case FailedEvent:
		return "Failed"
	case DriftedEvent:
		return "Drifted"
	case Repaired:
		return "Repaired"
	case Removed:
		return "Removed"
	case AbandonedEvent:
		return "Abandoned"
	case InventoryRead:
		return "InventoryRead"
	case RefreshIntervalRead:
		return "RefreshIntervalRead"
	case Lost:
		return "Lost"
	case Problem:
		return "Problem"
	case Forgotten:
		return "Forgotten"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// An Event is something the caller may want to act on, given to
// Config.OnEvent once the device's state is saved.
type Event struct {
	Kind   EventKind
	Device string
	// Status is the document's status after the event (zero for
	// RefreshIntervalRead and for a Problem of the message as a whole).
	Status DocStatus
	// RefreshInterval is the value read back (RefreshIntervalRead).
	RefreshInterval string
	// Err says what went wrong (Problem).
	Err error
}
