// Package sim simulates Windows devices against an OMA-DM server: a test
// client for server authors and a load generator.
//
// A [Device] is one simulated device: a session.Client that answers Gets
// of ./DevInfo and ./DevDetail, the declared configuration agent
// (package declaredconfig/agent) on an in-memory surface, and, when
// configured, the LinkedEnrollment handler of package dmclient/device on
// the primary account. [Device.CheckIn] runs what a device does when it
// checks in: a session with the server, the documents it declared applied,
// and the sessions the agent asks for to report them, the 1224 summary in
// every message. [Device.InjectDrift] changes a setting behind the agent's
// back and runs its refresh: repairable drift is set back without a
// session; unrepairable drift turns the document to ConfigCompletedError
// with a new result_checksum and the device reports it at its next
// [Device.RunRequested].
//
// [RunFleet] runs many devices with bounded concurrency, each created,
// checked in, drifted when chosen, counted and dropped, and returns a
// [Report] whose String is one summary line: devices, sessions, messages,
// errors, documents in sync, devices drifted, p50 and p99 session time.
// The command examples/simdevice is its wiring.
//
// With a LinkedEnrollment, Exec Unenroll runs the agent's Unenroll: what
// the documents set is deleted from the surface and the documents dropped.
// When the enrollment carries a client certificate (device.MDE2 keeps the
// one MS-MDE2 issued), the device's sessions with the WinDC server
// present it over TLS, as Windows does, so that a server that identifies
// devices by their certificate (session.ClientCertificate) accepts them.
package sim
