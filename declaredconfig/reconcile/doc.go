// Package reconcile is the server side of Windows declared configuration
// (WinDC) as a library: it keeps the documents a server wants on each
// device, reads what the device reports in every message of its WinDC
// session, and queues on the session the commands that bring the device
// to that state.
//
// # Use
//
// A server makes one Reconciler (New) with a Store of its own, and sets
// the session.Config.BeforeReply of its WinDC endpoint to
// Reconciler.BeforeReply (see Wiring, and Example_server). It says what
// each device is to hold with Declare (a changed document needs a new
// checksum), Remove or RemoveIn, and SetRefreshInterval, at any time:
// the device gets it in its next message. It learns what happened from
// Config.OnEvent (Applied, FailedEvent, DriftedEvent, Repaired, Lost,
// Removed, Problem, ...), each event once, and asks Status where each document
// stands (DocStatus.Condition and Reason, Result, FailedSettings).
// Forget lets go of a retired device; with Config.ForgetOnUnenroll, a
// device that asks to be unenrolled is forgotten in its session. Nothing a device sends is taken on
// trust: what cannot be used is a Problem event (its Err says why, a
// *LimitError beyond a limit of Config), never a panic.
//
// # Desired state
//
// A Reconciler keeps, per device, the desired documents (Doc: scope,
// Complete, Inventory or BulkTemplate host, the document with its DocID
// and checksum, the instance data of a bulk template, whether it is
// abandoned) and a desired RefreshInterval, with what it knows of the
// device, in a session.Store (in memory by default) updated by
// compare-and-swap, so several server instances can share it; the decoded
// state of the devices served last is kept, checked against the Store's
// version (a VersionedStore tells it without a read; see Stored state).
// Declare, Remove (RemoveIn for one scope) and
// SetRefreshInterval change what is desired (at most Config.MaxDocuments
// documents per device; a DocID in a scope under one Host only, as the
// device's summary names a document by its scope and DocID); Status says
// where each document stands; Forget lets go of a retired device.
// Declare takes only a document that passes
// declaredconfig.Document.Validate for its node, which holds a defined
// scenario to its Host; a declaration stored before a check it fails was
// added (an earlier build took a VPN document under Inventory, which a
// device refuses) stays desired but is not sent: it is Failed (the
// event Failed is reported once for it) and one Problem carries the
// validation error (errors.As finds the
// declaredconfig.HostError), until it is declared anew or removed. A
// device that took it before (declaredconfig/agent did) and has been
// upgraded since keeps it in an InfraError state (62, or 82 under
// Inventory), which reads as Failed too; the event Failed of a version
// whose declaration does not validate, refused or failed on the device,
// comes with that Problem as well; when an earlier build told that
// event already (without the Problem), the first run that loads the
// state tells the Problem alone, once, and saves the state so.
//
// # Each message
//
// Reconcile (or BeforeReply, plugged into session.Config.BeforeReply)
// reads the device's 1224 summary and, through the session's Outcomes,
// the Status and Results of what was sent; it matches them with
// declaredconfig.Reply.Evaluate and gives each document a DocCondition
// (the reconciler's view across sessions, made from Evaluate's
// declaredconfig.Condition of each message) with a reason: Unknown to the device (being sent), Pending, InSync, Failed
// (with the failing settings once the results are read), Drifted,
// Abandoned, Removing (no longer desired, being deleted) or Stray (listed
// by the device, never declared: reported, and deleted only when the
// caller removes it). The summary names a document's scope by its
// context, so a DocID declared in both scopes is two documents. Limits:
// Config.MaxDocuments (also what is kept of strays), MaxResultBytes,
// MaxResultElements and MaxResultAttrs (the text, the elements and the
// attributes in all of one result read), MaxResultDepth,
// MaxResultElementAttrs and MaxResultNamespaces (its nesting, the
// attributes of one of its elements, its namespaces), MaxSummaryBytes,
// MaxSummaryElements and MaxSummaryAttrs (the summary kept of a device),
// MaxSummaryDepth, MaxSummaryElementAttrs and MaxSummaryNamespaces (its
// nesting, the attributes of one of its elements, its namespaces),
// MaxProblems (the Problem events of one message about what the device
// sent), RetryRefused, MaxRetries, MaxCachedDevices and MaxCachedBytes (the devices, and the bytes, whose
// decoded state and last summary are kept between messages). It queues
// what the document needs, in an order that works: Deletes first, then
// per document the Abandoned
// property when it changes, the Add or Replace, the bulk variables and
// the Get of its Results, then RefreshInterval. Results are read only
// when a version was sent or the summary's result_checksum changed since
// they were last read (once per version and result_checksum, and in a
// session at most with the version sent and for one result_checksum: a
// later one is read in the next session). A device that applies a
// document after it answers the session (Windows, and
// declaredconfig/agent, apply it in the background) answers that first
// Get of Results 404: expected, not a failure; the results are read once
// the summary lists the version. Another error without Results is a
// Problem; the Get is asked again, in later sessions, as a refused
// version is sent again (a 5xx, in up to Config.RetryRefused sessions:
// DocStatus.Refused and RefusedCmd GetResults say so, and its Reason
// which try comes), and once that refusal is final (another status, or
// one more try) the results of that result_checksum are not asked for
// again (a new one is). A message without a summary
// (package 1) gets a Get that the device answers with one; a device that
// still sends none holds no document, unless it refused that Get with a
// status that does not say the node or the command is missing (a 5xx,
// or a 4xx but 404, 405 and 406: 425 permission denied, say): then
// nothing is decided of its documents, and the summary is asked for
// again in later sessions, as Config.RetryRefused allows. A summary that does not read says
// nothing of what the device holds: nothing is decided of its documents
// (Reconcile returns the error). One that reads but lists a scope and
// DocID more than once is read by the first of those entries, an entry
// whose state is no state the CSP defines is read as it reads (a word as
// NotDefined), and one without an id names no document (it is no
// stray): each is a Problem whose Err is a SummaryError (the entry, its
// path, what was read, the entry read instead) and whose Status is that
// of the entry's document (declared, removed or stray; zero for none),
// told for each summary that differs from the device's last one, not
// again while the device repeats it, whether it sends its summary as
// text or as XML markup (one sent as markup is told from the last by a
// SHA-256 digest of its entries that the state keeps: a state of an
// earlier build, which kept a shorter hash, reads it as changed once),
// within Config.MaxProblems.
//
// A result read of a declared document that cannot be true of it is told
// the same way, once for each result read (a result_checksum is asked
// for once), each fault a Problem with the document's Status: a CSP
// setting the document does not have (not checked for a bulk template),
// one listed twice, a setting status or state that is not a number, a
// state other than the summary entry's for the same result_checksum, or
// the result of another version while the summary lists the declared
// one. None of them changes the document's condition.
//
// A device that held the declared version and no longer lists it (it
// was wiped, or enrolled again under the same ID: it sends an empty
// summary, or none) has lost it: it is reported Lost and sent again, its
// results are read anew, and a RefreshInterval the reconciler set is set
// again. A device numbers its sessions itself and starts over when it is
// enrolled again, so a session is told by its start (a session alert, or
// another SessionID than the last message's), not by its SessionID
// alone.
//
// Drift follows the contract of the device side: a declared version that
// was in sync and is now reported failed (state 61) with a new
// result_checksum has drifted. Its results are read for the failing
// settings, and it is re-declared under a new checksum
// (Config.NextChecksum) so that the device applies it again; once in sync
// it is reported Repaired. A version that never was in sync is Failed and
// is not sent again until it is declared anew; so is one the device
// refused, but for a refusal that may pass (a 5xx), sent again in up to
// Config.RetryRefused later sessions, as is one the device acknowledged
// and does not report (until it reports it). A drift the device repairs
// itself keeps state 60 and its result_checksum, and needs nothing. The
// other commands of a document that the device refuses (the Replace of
// its Abandoned property or of its BulkVariables, the Delete of a
// document no longer desired) are not sent again either, but as
// Config.RetryRefused allows, until what was refused changes: the
// version declared, the Abandoned value or variables declared, or for a
// Delete the version the device lists. A Problem says so, once for each
// thing refused and status, and DocStatus.Refused and RefusedCmd say so
// while the refusal counts (as they do for a refused version).
//
// Events (Applied, FailedEvent, DriftedEvent, Repaired, Lost, Removed,
// AbandonedEvent, Forgotten, InventoryRead with the typed result of an Inventory document,
// RefreshIntervalRead, Problem) go to Config.OnEvent once the state that
// records them is saved, each once.
//
// Nothing is sent twice: a command is awaited until its Status comes back
// and not tried again in the same session for the same version and
// result_checksum, a replayed device message is answered by the session
// without running the reconciler, and running it again for the same
// message (a session Store retry) queues the same commands again without
// reporting any event twice.
//
// # Stored state
//
// The state of a device is stored in binary: its first byte names the
// format; documents and the device's last summary, with the classes of
// its entries against the documents, are stored field by field, so that
// loading it parses no XML and classifies nothing. A declared document's
// body is read only when it is sent, re-declared or returned, the last
// result of a document only when DocStatus.Result asks for it, and of a
// document in sync with nothing pending only what its status needs,
// until a message reports it otherwise; such a document is saved again
// as it was read. The binary and JSON formats of earlier versions still
// load, and a state that does not read is an error matching
// ErrStoredState (for a document's body, result or the rest of a
// document in sync, when it is needed). A state of an earlier build that
// desires one scope and DocID under two Hosts (which Declare refuses
// now: the device's summary does not tell them apart) is repaired when
// loaded: the document declared first is kept, the other is no longer
// desired (nor deleted from the device), and a Problem with its status
// says so once the state is saved so.
//
// # Wiring
//
// Over HTTP, the reconciler runs inside a session.Server: set the
// Server's session.Config.BeforeReply to Reconciler.BeforeReply, and give
// the Reconciler a Store of its own (the Server's keeps the sessions under
// the same device IDs; sharing one makes every message of the device fail
// with 500). Declare, Remove, RemoveIn and SetRefreshInterval may be called at any
// time; what they change goes out in the device's next message. To test
// a server, package dmclient/device/sim runs devices with the module's
// device side (declaredconfig/agent) against its URL: see Example_server.
// The same without sim, a session.Client and an agent.Agent wired by hand
// as a device implementer would, is package declaredconfig/agent's
// Example_wiring.
package reconcile
