// Package session runs the SyncML DM session for either side of the
// Windows device management protocol, so that a server author can say
// "send these commands to this device and tell me what each returned" and
// a device implementer "answer this server".
//
// The shortest wiring of both sides over HTTP is the example of [Server]:
// a server is [NewServer] given a [ServerConfig] (its Session, a [Config],
// holds what applies to every device's session: an Authenticator, a
// Handler for what devices send), and it is an http.Handler to mount on
// the management URL. [Server.Queue] queues commands for a device under
// its ID, exactly as written: the SyncHdr Source LocURI it sends
// (ClientConfig's DeviceID on a Client), or under [ClientCertificate] its
// certificate's common name. What the device answered comes back as
// Outcomes ([Outcome]), read in ServerConfig.OnExchange (once per
// exchange, after the state is saved) or in Config.BeforeReply (before the
// reply is made, to queue what follows from it in the same session; it may
// run again for one message). A device is a [Client] with a Handler (a
// [Mux]) for the server's commands, and [Client.Run] posts a whole
// session. State lives in a [Store] (ServerConfig.Store, a [MemoryStore]
// when nil); the package storetest checks one of your own against the
// Store's contract.
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
// [Exchange.Unmatched], restarts on Alert 1200/1201 at the top of a
// body (one inside a Sequence or an Atomic is refused, 400, as is a
// message whose CmdIDs break the rules of
// [syncml.Message.ValidateCmdIDs], which no Status could answer
// unambiguously; the commands a
// restart or an abort gives up unanswered come back as Abandoned Outcomes;
// [AbandonedGets] copies the Gets among them, which are always safe to
// ask again), and answers a byte-identical re-sent message with the same
// reply without executing anything again. A [Handler] decides the code of
// each received command, an [Authenticator] who is talking.
//
// The device side is a [Client]: [Client.Start] builds package 1 (Alert
// 1201, client events, DevInfo), [Client.Handle] answers each server
// message through a Handler (a [Mux] routes by command and CSP subtree),
// with one Status per command (one per item when the codes differ),
// Results for Get, and the Atomic rules (507 for the Atomic, 216 or 516 for
// what was rolled back, 215 for what did not run; a Get or an Atomic
// inside an Atomic, not legal there, fails with 500). [Client.Run] runs a
// whole session over HTTP. A device's session given up (Start called
// before it ended) or aborted keeps its rest for the next one, as a
// Server's does: its commands not sent go back to the front of the queue
// (not what Start made for package 1: each Start makes its own),
// and those sent and not answered come back as Abandoned Outcomes (after
// a Start, in the next Exchange that answers a message). A message Run
// could not post at all (the connection refused, a DNS or TLS handshake
// failure: nothing of it was written) counts as not sent: its commands go
// back to the queue and none is Abandoned. A reply addressed to another
// SessionID or another device (its SyncHdr Target LocURI is not the
// DeviceID) is refused with [ErrProtocol]; so is one whose MsgID is not a
// decimal number greater than that of the server's last message in the
// session (a [MsgIDError]: the same message again, another one under a
// MsgID already used, MsgIDs going down), and nothing of it runs, since
// the device knows the server's commands by MsgID and CmdID. Each server
// message answers one post of the device's, so the same one twice is the
// server's fault, or a caller's handing it over twice: a Client runs no
// server message twice, unless ClientConfig.AllowMsgIDReuse lets it talk
// to a server that reuses its MsgIDs. A server that answers another
// HTTP status than 200 fails Run with an [HTTPError].
//
// A device gives each session a new SessionID (a counter it keeps, for
// example): the Server answers a message byte-identical to one it
// answered last with the same reply, without running it again, so a
// device that starts every session with the same SessionID and the same
// package 1 gets its last check-in replayed: the server runs nothing and
// sends nothing it queued since. A Client keeps nothing on disk; a
// device keeps across restarts the SessionID counter, its [ClientAuth]'s
// Type and Nonce (the last NextNonce), without which its first message
// after a restart is refused and challenged once more, and the commands
// it queued, when they must survive a restart. Run waits
// as long as its context and http.Client let it: give it a context with a
// deadline or an http.Client with a Timeout, or a server that never
// answers holds the device for ever.
//
// Over HTTP, a [Server] is the http.Handler of a management server: it
// keeps each device's Session in a [Store] (a [MemoryStore] by default;
// compare-and-swap updates let several instances share one store), bounds
// the request size, and answers 400, 413 or 415 for what is not a SyncML
// message of type [ContentType]. Its hooks find the HTTP request they
// answer with [HTTPRequest].
//
// Messages stay within the peer's MaxMsgSize (measured on the encoder's
// bytes): what does not fit goes in the next messages of the package,
// asked for with Alert 1222, and Final is set only on a package's last
// message. An item too large for one message is sent in chunks (MoreData,
// Meta Size on the first) unless it exceeds the peer's MaxObjSize, when it
// is not sent and its Outcome carries the error (on a Client, whose
// package 1 goes before the server's announcement, an object of it none
// of whose chunks went out yet is held to it then; one begun goes on,
// the server having answered its first chunk; package 1 built again
// after a refusal that announced it is held to it whole, and so is a
// later message sent again after one, an object whose first chunk it
// carried taken as not begun); a device's
// Results goes in chunks the same way. The Outcome of an object sent in
// chunks holds the command queued, whole (see [Outcome].Command), with
// the Status of its last chunk. A Status other than 213 for a chunk ends its
// object: no other chunk of it is sent, the command's Outcome carries that
// Status (the command whole), and what follows goes on. Chunks received
// (Results from a device included) are answered 213, joined, checked
// against their Size (424), and cut with Alert 1225 when another command
// comes first; an object refused (413 over MaxObjectSize, or in more chunks
// than MaxObjectChunks, either side's; 400 for a chunk
// without the Meta Size a first chunk has, or in a command of several
// items) has the rest of its chunks answered with the same code, never
// served nor joined, up to its last chunk or the end of the peer's
// package. The Outcome of a Get whose Results comes in chunks waits for
// the joined object (its Status and a [ResultsChunksError] saying why
// when the object is cut or refused). Either side's
// Statuses that do not fit in one message go out in order over the next
// messages (without Final until the last; the peer asks for each with
// Alert 1222), followed by the commands that wait. A queued command that
// no message within the bound can carry (not even cut, after nothing but
// the Statuses a message must hold) is not sent: its Outcome's error
// matches ErrLimit and names MaxMsgSize, and the session goes on without
// it. A message that cannot be kept within the bound otherwise (not even
// its SyncHdr and first Status fit, or the rest of an object sent in
// part does not) is not sent: the error matches ErrLimit and names
// MaxMsgSize.
//
// Who is talking is decided by an [Authenticator]: it sees
// the parsed message, its raw bytes, the HTTP headers and the TLS state, and
// answers an [Identity] or a refusal with a challenge. [ClientCertificate]
// takes the identity from a verified TLS client certificate
// ([ClientCertificateFrom] only from one chaining to given roots, for a
// listener that trusts other authorities too), and a Server keeps each
// device's state under the identity decided, not under the LocURI the
// device writes; [CredAuthenticator] checks OMA DM credentials against
// [Users]: syncml:auth-basic and syncml:auth-md5 in the SyncHdr Cred
// (challenged with 407 or 401 and a Chal, accepted for the session with 212)
// and HMAC-MD5 over the raw body in the x-syncml-hmac header (checked on
// every message). Nonces come from crypto/rand, are replaced on every
// acceptance (212 for MD5, every accepted message for HMAC; a refusal
// repeats the device's current one) and are kept per device in the
// session state; under a Server, a device that has none yet is challenged
// with one derived from its ID, the time window and a key kept in the
// Store ([AuthInput.FirstNonce]), so that nothing is stored for a device
// before its credentials are accepted;
// secrets are compared in constant time and never shown in errors or logs.
// What a peer sent (a SessionID, a MsgID, a LocURI, a user name, a Cred's
// type or format, a nonce, a RespURI) shows in errors and in a Server's
// log records cut in its middle to about 256 bytes, so that a hostile
// peer cannot make them as long as its message. A
// device is bound, in its state and across its sessions, to the first user
// accepted for it (any Authenticator sees it as [AuthInput].Owner): a
// CredAuthenticator refuses with 401 another user's credentials, valid as
// they are, for it, so that a user cannot reach another device's session (its
// queued commands, its last reply) by writing that device's ID in the SyncHdr
// Source, unless its AnyDevice is set (users shared by devices).
// [Server.SetOwner] binds a device to the user an enrollment server
// provisioned before its first session, or to its new user when it is
// enrolled again; [Server.Forget] drops all the Server keeps for a device
// that has left (queued commands, session, owner). On the device side a [ClientAuth] gives the Client its Cred
// and signs each posted body, following the server's challenges; a message
// refused in the middle of a session is sent again, not package 1, and one
// still refused after ClientConfig.MaxAuthRetries gives the session up
// ([ErrAuthGaveUp]): its commands go first in the next session. The other
// way round, a server with a [ServerAuth] authenticates itself (a Cred in its
// SyncHdr, or an x-syncml-hmac header on every reply) and a Client with a
// [ServerCheck] checks it, stopping a session whose server fails (in Run,
// HandleInbound and Handle alike). A device that starts over with package 1
// after a refusal in the middle of a session gives up, as in any restart,
// the commands its refused message was answering (Abandoned): it may have
// run them, and a refused message may come from anyone who knows the
// device's ID; the application decides what to send again
// ([AbandonedGets] for reads).
//
// The package knows no CSP: it depends on package syncml only.
package session
