// Package dmclient addresses the DMClient configuration service provider
// (CSP) of Windows MDM, and in particular the LinkedEnrollment nodes that
// start and stop a Windows declared configuration (WinDC) enrollment.
//
// # URIs
//
// [LinkedEnrollment] gives the typed URIs of
// ./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/LinkedEnrollment/…
// (Priority, Enroll, Unenroll, EnrollStatus, LastError, DiscoveryEndpoint),
// with the ProviderID percent-encoded as one URI segment, so the provider
// "MS DM SERVER" appears as "MS%20DM%20SERVER". Functions for every other
// node of the CSP, such as [DeviceProviderPollPollOnLogin], are generated
// from the CSP's DDF, DMClient.xml.
//
// # Commands
//
// The builders return syncml.Command values ready to place in a message:
// Replace or Add and Delete of DiscoveryEndpoint, Exec of Enroll and
// Unenroll, and Get of EnrollStatus, LastError, DiscoveryEndpoint and
// Priority; [LinkedEnrollment.Start] gives the four that start an
// enrollment (set DiscoveryEndpoint, Exec Enroll, Get EnrollStatus and
// LastError) at once. They leave CmdID empty for the sender to number (a
// session, or syncml.NumberCommands for a hand-built message).
// Every builder's output passes ddf.Check against DMClient.xml, except Get
// Priority: the February 2025 DDF does not list that node yet.
//
// # Reading the device's answers
//
// [ReadStatus] turns a Status into nil or a [*DeviceError] with the SyncML
// code and the HRESULT Windows puts in msft:originalerror.
// [LinkedEnrollment.ReadEnrollStatus], [LinkedEnrollment.ReadLastError],
// [LinkedEnrollment.ReadDiscoveryEndpoint] and
// [LinkedEnrollment.ReadPriority] turn Results into Go values, taking them
// only from the LinkedEnrollment's own provider (another provider's is an
// error wrapping [ErrOtherProvider]); the functions of the same names take
// them from any provider. A node given twice with different values is
// an error wrapping [ErrConflict], not a silent pick. The values are
// [EnrollStatus] (0 to 8, with helpers that tell enrollment from
// unenrollment and final states from transient ones) and [HRESULT],
// which names the codes the documentation
// lists, such as ERROR_FILE_NOT_FOUND (0x80070002), the failure of Enroll
// while DiscoveryEndpoint is unset.
//
// # Specifications
//
// Microsoft Learn: "DMClient CSP" (LinkedEnrollment section) and "Windows
// declared configuration enrollment"; the DMClient DDF v2 file.
package dmclient
