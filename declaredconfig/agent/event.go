package agent

import (
	"fmt"
	"time"
)

// An EventKind says what happened.
type EventKind uint8

// The kinds of Event. Package reconcile tells what the server learns of
// some of these under names of its own: EventDeleted there is Removed,
// EventDrifted is DriftedEvent, EventAbandoned is AbandonedEvent, and
// EventError has the role of its Problem. Two names it shares mean
// another thing there: EventApplied is told whatever the outcome (State
// says it), reconcile's Applied only for a version in sync; EventRepaired
// is one setting a refresh here set back, reconcile's Repaired a document
// the server declared anew after drift that is in sync again.
const (
	// EventAccepted: a document passed the syntax check and waits for the
	// worker.
	EventAccepted EventKind = iota + 1
	// EventApplied: the worker applied a document (State says how it went).
	EventApplied
	// EventWaiting: a bulk template waits for its instance data.
	EventWaiting
	// EventRepaired: a refresh found a setting drifted and set it again.
	EventRepaired
	// EventDrifted: a refresh found drift it could not repair; the
	// document is now ConfigCompletedError with a new result_checksum.
	// Told when the setting's status changes, and when the error of
	// setting it again changes while its status does not (Detail says
	// "its error changed"; compared with numbers folded, at most 3
	// times until the status changes: see Agent.Refresh), not at every
	// refresh that finds it failing alike.
	EventDrifted
	// EventRecovered: a refresh found a failed document whole again.
	EventRecovered
	// EventDeleted: the server deleted a document (its settings stay).
	EventDeleted
	// EventAbandoned and EventUnabandoned: the server set Abandoned.
	EventAbandoned
	EventUnabandoned
	// EventRefreshed: a refresh pass ended.
	EventRefreshed
	// EventError: the worker could not do something, a state could not
	// be saved (told once while the store fails alike), or a document or
	// instance data was refused with 400 or 413 (Err says what, with the
	// place in the document when it does not read, or the limit).
	EventError
)

var eventNames = [...]string{"", "Accepted", "Applied", "Waiting", "Repaired", "Drifted", "Recovered",
	"Deleted", "Abandoned", "Unabandoned", "Refreshed", "Error"}

// String returns the kind's name, such as "Repaired".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && k > 0 {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// An Event is one thing the agent did.
type Event struct {
	Time  time.Time // when, by the agent's Clock
	Kind  EventKind // what
	DocID string    // the document, "" for a whole refresh
	// URI is the setting's node for Repaired and Drifted, the document's
	// node otherwise.
	URI    string
	State  string // the document's state after it, in decimal, when it has one
	Detail string // a few words more
	Err    error  // for EventError
}

// String returns a one-line account, such as
// "Repaired 8A1D… ./Device/Vendor/MSFT/VPNv2/P/AlwaysOn: was \"false\"".
func (e Event) String() string {
	s := e.Kind.String()
	if e.DocID != "" {
		s += " " + e.DocID
	}
	if e.URI != "" {
		s += " " + e.URI
	}
	if e.State != "" {
		s += " state " + e.State
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}
