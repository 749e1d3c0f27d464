// Package device is the device side of the DMClient CSP's LinkedEnrollment
// nodes: the part of a Windows device that a management server drives to
// start and stop a Windows declared configuration (WinDC) enrollment.
//
// A [Handler] answers the commands for
// ./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/LinkedEnrollment/…
// of one provider inside a [session.Client] (register it on a session.Mux
// with [Handler.Register]):
//
//   - DiscoveryEndpoint (chr): Add, Replace, Get, Delete. Get of an unset
//     endpoint answers an empty string, as the CSP page says; Add of a set
//     one answers 418, Delete of an unset one 404.
//   - Enroll (Exec): posts the device's discovery request ([Config].Request)
//     to DiscoveryEndpoint (XML spaces around the value left out, as a
//     server that puts its Data on a line of its own sends them) through a
//     [discovery.Client], then hands the answer (the enrollment URLs and
//     the AuthPolicy) to the [Enroller], the MS-MDE2 step: [MDE2] runs it
//     with the client of package discovery/mde2. Without a
//     DiscoveryEndpoint (or one of spaces only) it fails at once with
//     ERROR_FILE_NOT_FOUND (0x80070002), as documented.
//   - Unenroll (Exec): hands the [Enrollment] to the [Unenroller], which
//     rolls back what declared configuration set up; with package
//     declaredconfig/agent that is UnenrollerFunc(func(ctx context.Context,
//     _ *Enrollment) error { return a.Unenroll(ctx) }).
//   - EnrollStatus and LastError (int, Get only).
//   - Priority (int): Add, Replace, Get, Delete. The node is documented for
//     WinDC but not in the February 2025 DDF, so its meaning is left to the
//     caller: the handler keeps the value; Get of an unset Priority
//     answers 404.
//   - LinkedEnrollment itself (node): Get lists the children.
//
// Node names are matched without regard to letter case, as Windows and
// dmclient's readers match them ("./device/…/linkedenrollment/enrollstatus"
// is EnrollStatus), by the Handler's ServeCommand; the ProviderID is
// compared exactly (Config.ProviderID). A [session.Mux] routes by the
// exact spelling of the route's path, the scope aside, so behind
// [Handler.Register] only the nodes below LinkedEnrollment are matched so
// ("…/LinkedEnrollment/enrollstatus" is EnrollStatus, while
// "…/dmclient/…" or "…/linkedenrollment/…" finds no route: 404).
// A command a node does not allow is answered 405, a node that does not
// exist 404, a value in another format than the node's 415, an Exec
// without exactly one Item 400, a DiscoveryEndpoint longer than
// Config.MaxEndpointBytes 413 and one that is not UTF-8 made of
// characters XML allows 400 (Changed: it was kept, and a FileStore saved
// its bad bytes as U+FFFD; the syncml decoder never yields such a value,
// a program calling ServeCommand can). Inside an Atomic, Add, Replace and Delete
// return an Undo that puts the old value back; Enroll and Unenroll are
// carried out and cannot be undone: when a later command of the Atomic
// fails, the rollback is answered 516 (roll back failed), which tells
// the server that the enrollment or unenrollment stands.
//
// # EnrollStatus and LastError
//
// EnrollStatus starts at 1 (enrollment not started). Exec Enroll moves it
// to 2 (in progress), then to 4 (succeeded) or 3 (failed); Exec Unenroll to
// 6, then 8 or 7. LastError is the HRESULT of the last enroll or unenroll
// that failed ([HRESULTOf] says which code each failure gets; an error of
// the Enroller with a method HRESULT() gives its own) and returns to 0
// after one that succeeds. An Exec that cannot start (no endpoint, already
// enrolled, not enrolled, busy) is answered 500 with the HRESULT in
// msft:originalerror and sets LastError; only the missing endpoint also
// sets EnrollStatus to 3. Status 5 (unenrollment not started) is never
// shown: an Unenroll starts when its Exec arrives.
//
// By default Enroll and Unenroll run inside the Exec, whose Status tells
// the outcome (200, or 500 with the HRESULT). With [Config].Async they run
// in the background, as on Windows: the Exec is answered 202 (accepted for
// processing, the code Windows documents for an asynchronous operation)
// and the server polls EnrollStatus. Either way an operation ends when
// [Config].Timeout passes (ERROR_TIMEOUT) or [Handler.Close] (or the end
// of the context given to [New]) cancels it (E_ABORT); Close and
// [Handler.Wait] return once it ended.
//
// The Enrollment's ManagementURL, where the device's sessions with the
// linked enrollment go, comes from the enrollment service: one that does
// not meet the discovery client's URL policy fails the enrollment
// (MENROLL_E_DEVICE_MESSAGE_FORMAT_ERROR).
//
// # Renewal
//
// Nothing on the LinkedEnrollment nodes renews the linked enrollment's
// client certificate: the device does, when the renewal schedule its
// enrollment set comes due, with [Handler.Renew]. It goes through the
// Enroller, which must be a [Renewer] ([MDE2] is: MS-MDE2 renewal at the
// enrollment service discovery named, which the Enrollment records), and
// saves the renewed Enrollment; OnChange gives it to the device's
// sessions. EnrollStatus and LastError do not change.
//
// # State
//
// The nodes' values and the Enrollment live in a [State], kept by a
// [Store] ([MemoryStore] by default; [FileStore] writes one checksummed
// file per provider atomically) and saved at every change, so they
// survive a restart; an operation cut short by a restart is reported
// failed with E_ABORT. A stored state the handler cannot have written (a
// torn file, an EnrollStatus outside 1 to 8, an enrollment the status
// contradicts) makes New fail with [ErrCorrupt]; a FileStore file that
// records another ProviderID (see [FileStore]) with [ErrConfig]. Printing an
// [Enrollment] leaves out its Data, which holds a private key after
// [MDE2]. The clock is [Config].Now.
//
// # Specifications
//
// Microsoft Learn: "DMClient CSP" (the LinkedEnrollment section),
// "Windows declared configuration enrollment" and "Windows declared
// configuration discovery".
package device
