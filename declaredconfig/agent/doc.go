// Package agent is the device side of Windows declared configuration
// (WinDC): the engine that takes the documents a server sends to the
// DeclaredConfiguration CSP, applies them to the device's configuration,
// keeps them applied, and reports.
//
// An [Agent] is a [session.Handler] for the CSP's subtrees (Register puts
// it on a [session.Mux]), answering Add, Replace, Delete and Get on every
// node with the status codes a Windows device returns (see
// [Agent.ServeCommand]). A document is checked at once (syntax, the CSP's
// rules: declaredconfig.Document.Validate, which also holds a defined
// scenario to its Host, and that every setting names a
// node that syncml.ParseLocURI reads, with no empty, . or .. segment, also
// percent-encoded, and no "?" (a property or listing query, not a node),
// outside the DeclaredConfiguration CSP itself, in the scope of the
// document's context, DSC elements
// only in Device context, and no two settings name one node) and refused in the same reply when it fails
// (400; 413 when it is beyond Config.Limits or Config.MaxSettings); an
// accepted one is applied later by the worker ([Agent.Run], or
// [Agent.ApplyPending] to apply now), which honours its context. [Agent.EachMessage], as the session.ClientConfig.EachMessage
// of the Client that talks to the WinDC service, puts the 1224 summary
// alert in every message the device sends while it holds any document
// (always, with Config.EmptySummary; but a message that goes on with an object sent in chunks, which
// carries nothing between the chunks: see session.Exchange.Continued);
// [Agent.Unmarshal], as its session.ClientConfig.Unmarshal, reads the
// documents of each server message while the message is decoded, so that
// their bytes are lexed once (declaredconfig.ReadMessage).
// Example_wiring shows the plain wiring of both sides over HTTP: a
// session.Server that runs a reconcile.Reconciler before each reply, and
// an Agent behind a session.Client (its Handler a session.Mux the agent
// is registered on, its EachMessage and Unmarshal the agent's), which
// applies what each session brought (ApplyPending) and reports it in the
// next session. Leave out EachMessage and the server does not learn
// what the device holds: it sends the documents again in every session.
//
// # States and results
//
// A document moves through the documented DCCSPURIState values: accepted,
// ConfigRequest (1); while the worker applies it, ConfigInprogress (2); a
// bulk template waiting for its instance data, ConfigInProgressAsyncPending
// (3); applied, ConfigCompletedSuccess (60) or ConfigCompletedError (61)
// when a setting failed; ConfigInfraError (62) when the agent cannot plan
// it (its saved instance data does not read), or when a document loaded
// from the Store fails the checks a document passes when it arrives (an
// older build accepted it; a newer one checks more): it is kept, told as
// an EventError, and no longer applied or refreshed until the server
// replaces it; Unenroll still removes its settings ([New]). An inventory moves through
// GetRequest (20), GetInprogress (21) and GetCompletedSuccess (80) or
// GetCompletedError (81, GetInfraError 82), with the values read. The result document at the
// Results node gives each setting's status (200; 404 for a node the
// Surface does not have or instance data that is missing; 400 for
// instance data that would put more or less than one node name where a
// path has a variable, or make two instances name one node; 405 for a node the Surface refuses, and for
// an inventory's node whose value came from instance data the agent
// dropped (Config.KeepInstanceData), which it does not read back; 409 for a
// conflict; 500 otherwise) and state. Its
// result_checksum is the SHA-256 of the result without result_checksum and
// result_timestamp, so it changes exactly when the outcome changes, and
// the timestamp changes with it.
//
// # Drift
//
// Every RefreshInterval (240 minutes unless the server sets it, at least
// 30) the worker compares the Surface with every document it keeps ([Agent.Refresh]).
// A node is in sync when it reads back the value the agent set. The agent
// sets a setting of type int or bool in the form a Windows node of that
// format reads back: an int (as declaredconfig.ParseInt reads "030",
// "0x1E" or " 30 ") in decimal ("30"), a bool ("True") as true or false;
// and it takes any form of that int or bool read back for the value.
// Changed: before, it set the value as written, and a node that read back
// "30" for "030" drifted at every refresh. A value that does not read as
// its type is set and compared as written.
// The DCCSPURIState enum has no "drifted" value, so the agent shows drift
// through what the protocol carries:
//
//   - drift it repairs (sets the value again) leaves the document at 60
//     with the same result and result_checksum; it is told as an
//     [EventRepaired] and needs no session;
//   - drift it cannot repair (a value that came from instance data it no
//     longer has, a node the Surface refuses to set) turns the document
//     into ConfigCompletedError (61) with a new result, whose failing
//     settings carry their status, and so a new result_checksum; the agent
//     asks for a session through Config.RequestSession and tells it as an
//     [EventDrifted], once: a refresh that finds the setting failing with
//     the same status tells nothing, as nothing changed (unless the error
//     of setting it changed: told again, a bounded number of times, see
//     [Agent.Refresh]);
//   - a node the Surface fails to read is not drift: nothing changes, an
//     [EventError] tells of it (once while it fails alike) and the next
//     refresh reads it again.
//
// A server reads exactly that: the summary's checksum is the version it
// declared, the state is 61, the result_checksum differs from the one it
// saw when the document was in sync; it then gets the Results for the
// failing settings. declaredconfig.Reply.Evaluate calls such a document
// Drifted when given that earlier result_checksum
// (declaredconfig.Desired.LastResultChecksum); the cure is to declare it
// again with a new checksum (and, for a bulk template, to send the
// instance data again).
//
// # Properties, delete, conflicts
//
// Abandoned set to 1 stops keeping a document (its settings stay; refresh
// skips it); set back to 0 it is applied again at once. A new version of
// an abandoned document is applied once, and stays abandoned. Delete of a
// document drops it and its result; the settings it made stay, as on
// Windows. The apply of a new version deletes the nodes the earlier one
// set that it does not set (unless another document names them), as the
// VPNv2 example of a new version replacing its profile does. When two
// documents set one node to different values, the older one wins while
// ConflictResolution is 0 or unset and the newer one when it is 1; the
// loser's setting fails with 409. Nodes are compared as syncml.ParseLocURI
// reads them: Contoso/Always%4Fn is Contoso/AlwaysOn.
//
// [Agent.Unenroll] rolls back what the documents applied (deleting their
// nodes from the Surface, with those that applies cancelled or overtaken
// by a new version or an Undo set, which the record keeps in
// DocumentRecord.Leftover) and forgets everything, for the LinkedEnrollment
// Unenroll of a device.
//
// # Surface, store, clock
//
// The configuration is a [Surface]: set, get and delete per node URI
// ([declaredconfig.SettingURI] for a CSP setting, [DSCURI] for a DSC
// parameter), the shape of the MI providers of the extensibility
// documents; [MemorySurface] is one in memory; each call is bounded by Config.SurfaceTimeout, so that a
// Surface that blocks does not hold the agent. State goes to a [Store]
// after every change, before the command that made it is answered (the
// applies of an ApplyPending batch are saved once, when it ends: one a
// restart interrupted is pending again and applied again; the nodes an
// apply or a refresh is about to set that no record holds as set are
// saved before the first Set, in DocumentRecord.Leftover, so that what a
// crash leaves on the device is known to Unenroll and the next version;
// one save covers every document pending in the batch, each node with
// the value its Set writes (DocumentRecord.Intents): until the outcome
// is recorded, Unenroll, the next version's apply and an Undo delete such
// a node only when the Surface holds that value, so that a crash before
// a Set, or before the apply of a document of the batch started, leaves
// the value the device had; the batch reads the nodes first, and one that
// already holds the value its Set writes is not recorded, as it keeps the
// device's value whatever becomes of the Set, nor after an apply whose
// outcome is not recorded, ended by ctx or by a new version):
// [MemoryStore], or [FileStore], which writes atomically (temporary file,
// sync, rename), removes what a crash in a Save left, and refuses a torn
// or altered file (ErrCorrupt) instead of applying it; a stored document
// that does not read is ErrCorrupt too, and so is a stored setting that
// names a node its document does not make (for a version not applied yet,
// which keeps the settings of the last apply: a node the version applied
// last, which its record holds, does not make; a record an earlier build
// saved without that version loses such settings, with an EventError):
// New checks what any Store gives back, so that
// refresh and Unenroll touch only the nodes documents name (the nodes of
// DocumentRecord.Leftover, whose versions are not kept, are only held to the
// scope of the document's context and to the nodes a document may set:
// none of the DeclaredConfiguration CSP). A stored
// document that reads and fails today's checks, or is beyond
// Config.Limits lowered since, is not ErrCorrupt (ConfigInfraError,
// above).
// The state keeps a value of instance data the agent dropped (a
// password) only as its hash, keyed: HMAC-SHA256 under the state's own
// random key (Snapshot.HashKey; see SettingRecord.Hash), so that one
// value hashes differently in every state; the key is in the state, so
// whoever holds the whole state can still test guesses against it,
// unless Config.HashKey keeps the key elsewhere (DPAPI, a TPM).
// Time comes from a
// [Clock], so that tests move it by hand. A save of the worker's that
// fails is tried again after 1 minute, then twice the wait before, at
// most RefreshInterval ([Agent.Run]): meanwhile the outcome of the apply
// or refresh is kept in memory (the summary tells it), its events held
// until it is saved (at most Config.MaxHeldEvents; beyond, counted in an
// EventError); the tries save, they do not set the Surface again.
//
// The 1224 alert goes in every message (but those that go on with an
// object in chunks), and the session never cuts an
// Alert into chunks: Config.MaxSummaryBytes bounds it (a document that
// would take it beyond is refused with 420 when it is added).
package agent
