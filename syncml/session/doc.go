// Package session runs the SyncML DM session for either side of the
// Windows device management protocol, so that a server author can say
// "send these commands to this device and tell me what each returned" and
// a device implementer "answer this server".
//
// The server side of one device is a [Session]: queue commands with
// [Session.Queue], hand it each received message with [Session.Handle],
// and send back [Exchange.Reply]. The Session keeps the SessionID byte for
// byte, numbers its messages 1, 2, 3… and the commands of each message
// from 1, answers in the peer's dialect, puts a Status for the SyncHdr
// first and one for every command that needs one, sends queued commands in
// queue order and only when no Status is outstanding, matches every Status
// and Results that comes back to the command sent (by MsgRef and CmdRef)
// and returns it as an [Outcome], reports what matches nothing in
// [Exchange.Unmatched], restarts on Alert 1200/1201, and answers a
// byte-identical re-sent message with the same reply without executing
// anything again. A [Handler] decides the code of each received command,
// an [Authenticator] who is talking.
//
// The package knows no CSP: it depends on package syncml only.
package session
