package session

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxAuthRetries is the default of ClientConfig.MaxAuthRetries.
const DefaultMaxAuthRetries = 3

// Credentials authenticate a client: the Cred of its package 1 and the
// headers computed over each message it posts. In both calls chal is the
// server's last challenge (the Chal of its last SyncHdr Status that had
// one, kept across the sessions of a Client; nil before any). [ClientAuth]
// implements it with a user name and password.
//
// Credentials that also implement [ChallengeChecker] (ClientAuth does)
// have each challenge checked as it arrives, whatever its status: one
// they refuse fails the Handle (or Run) that brought it, and the Client
// keeps the challenge it had, so the next session's package 1 goes with
// it and the server can challenge again. A challenge is kept by a
// Handle that succeeds, and by one that gives the session up on
// authentication when the Credentials are a ChallengeChecker (which
// passed it). Other Credentials see a challenge first in Cred (or Sign):
// when Cred fails on the challenge that came with a message (a type they
// do not know, say), the call fails and the Client keeps the challenge
// it had; a session given up on authentication keeps the challenge it
// had too, as nothing checked the new one. (Changed: a challenge the
// Credentials refused was kept, and every later Start failed on it.)
type Credentials interface {
	// Cred returns the credential to put in the SyncHdr of package 1; a
	// nil Cred sends none.
	Cred(ctx context.Context, chal *syncml.Chal) (*syncml.Cred, error)
	// Sign is called by Run for every message it posts, with the exact
	// body bytes and the request's headers, to add headers computed over
	// the body (such as x-syncml-hmac).
	Sign(ctx context.Context, chal *syncml.Chal, body []byte, h http.Header) error
}

// A ChallengeChecker is Credentials that tell, changing nothing, whether
// they can follow a server's challenge (a type they know, a NextNonce
// they can use). The Client calls CheckChallenge with each challenge as
// it arrives (the Chal of a SyncHdr Status, whatever its code): an error
// fails the call that brought it (Handle, HandleInbound, Run), its error
// wrapping CheckChallenge's, and the challenge is not kept (see
// Credentials). Custom Credentials that follow OMA DM's types can apply
// ClientAuth's rules with a ClientAuth's CheckChallenge.
type ChallengeChecker interface {
	CheckChallenge(chal *syncml.Chal) error
}

// ClientConfig configures the device side of a session.
type ClientConfig struct {
	// DeviceID is the SyncHdr Source LocURI (required). A server message
	// whose SyncHdr Target LocURI is not DeviceID, exactly, is refused.
	DeviceID string
	// LocName, when set, is the SyncHdr Source LocName: the user name
	// under which MD5 and HMAC credentials are checked. Empty, with
	// Credentials a *ClientAuth, it is the ClientAuth's Username.
	LocName string
	// ServerURI is the SyncHdr Target LocURI (required).
	ServerURI string
	// Handler answers the server's commands; nil answers 404 to all
	// (an empty Mux). A Mux routes them by command and CSP subtree.
	Handler Handler
	// DevInfo, when DevID is set, is sent in package 1. The Client does
	// not answer Gets of ./DevInfo itself: mount DevInfo.Handler in the
	// Handler's Mux for that.
	DevInfo DevInfo
	// Credentials, when set, gives the Cred of package 1 and answers a
	// challenge (401 or 407) by sending the refused message again: package
	// 1 at the start of a session, the same commands in a new message
	// later on (an HMAC refused mid-session), with the new credentials.
	// A device keeps a ClientAuth's Type and Nonce across restarts: a
	// Client that starts with them sends package 1 with the credential
	// the server expects, and spares a challenge and a message.
	Credentials Credentials
	// MaxAuthRetries bounds the messages resent after challenges in one
	// session; zero means DefaultMaxAuthRetries. One refusal more (any,
	// without Credentials) gives the session up: Handle fails with an
	// error matching ErrAuthGaveUp, and the next Start sends the refused
	// message's commands again.
	MaxAuthRetries int
	// XMLNS, VerDTD and VerProto are the dialect; empty means SyncML 1.2
	// (NamespaceSyncML12, "1.2", "DM/1.2"). XMLNS is none or a SyncML
	// namespace (SyncML 1.0 to 1.2, any case).
	XMLNS, VerDTD, VerProto string
	// MaxQueue bounds the commands queued and not yet sent, and the
	// Abandoned Outcomes of sessions given up kept until a message is
	// answered (the oldest are dropped: see Client.DroppedAbandoned);
	// zero means DefaultMaxQueue. It also bounds the device's own
	// commands waiting in the rest of its package (those its messages
	// could not carry, whatever queued them: Queue, BeforeReply or
	// EachMessage): while that many wait, a server message that brings
	// commands is refused as for MaxPendingAnswers (its error holding a
	// *LimitError of MaxQueue), and the commands EachMessage gives past
	// the bound are not sent (an Outcome each, its Err a *LimitError of
	// MaxQueue). The rest of the package may still hold more than
	// MaxQueue of them (BeforeReply queues up to MaxQueue while fewer
	// wait): Changed: when the server aborts the session and they go back
	// to the front of the queue, the queue keeps MaxQueue all the same:
	// the first MaxQueue stay queued, in order, and each command past them
	// (the last queued) is dropped from the queue, reported in the
	// abort's Exchange by an Outcome whose Err is a *LimitError of
	// MaxQueue.
	MaxQueue int
	// MaxObjectSize bounds an object the server sends in chunks
	// (MoreData); zero means DefaultMaxObjectSize. A larger one is
	// answered 413 and dropped, and so is every chunk of it that follows.
	// Above syncml.DefaultMaxTokenBytes it also raises the bound of one
	// text run of a server message decoded, so that an object that large
	// can come whole.
	MaxObjectSize int
	// MaxObjectChunks bounds the chunks (messages) of one object the
	// server sends: the chunk over the bound and every later chunk of
	// that object are answered 413 (as an object over MaxObjectSize),
	// nothing of it is joined nor given to the Handler, and the session
	// goes on. Without it a server slicing an object thinly, or sending
	// empty chunks, keeps the device answering 213 for as long as it
	// likes (Run's MaxMessages aside). Zero means the larger of
	// DefaultMaxObjectChunks and, when MaxMsgSize is set, the chunks of
	// half that size an object of MaxObjectSize (or its default) takes,
	// MaxObjectSize / (MaxMsgSize/2) + 1, as Config.MaxObjectChunks on
	// the server side; below zero, no bound.
	MaxObjectChunks int
	// MaxObjSize, when set, is announced in package 1: the server sends
	// no object larger.
	MaxObjSize int
	// ServerMaxMsgSize stands for the server's MaxMsgSize until the
	// server's first message says what it is: package 1, and any message
	// built before a server message was handled (since NewClient, or
	// since the server last aborted a session), is kept within it, an
	// object too large for it cut into chunks (MoreData), the rest of
	// the package sent when the server asks for it (Alert 1222). Zero
	// means DefaultServerMaxMsgSize; a negative value none (package 1
	// goes whole, however large). Once a server message was handled, the
	// MaxMsgSize it announced stands, or none when it announced none.
	ServerMaxMsgSize int
	// MaxMsgSize, when set, is announced in package 1 (SyncHdr Meta): the
	// server keeps each of its messages within it. A server message
	// larger (its bytes as they came) is not decoded: Run, and
	// HandleInbound given its bytes, fail with an error matching
	// ErrProtocol and holding a *LimitError (Limit "MaxMsgSize").
	MaxMsgSize int
	// ServerAuth, when set, makes Run check the server's credentials
	// (basic or MD5 in the SyncHdr Cred of its first message of each
	// session, HMAC over every message) and stop a session whose server
	// fails.
	ServerAuth *ServerCheck
	// MaxBytes bounds a server reply read by Run, and one HandleInbound
	// decodes from its bytes; zero means DefaultMaxBytes. Server messages
	// are decoded within it (and within MaxMsgSize when smaller), not
	// within syncml's default limits (see syncml.Limits).
	MaxBytes int64
	// MaxMessages bounds the messages Run sends in one session; zero
	// means DefaultMaxMessages.
	MaxMessages int
	// MaxRedirects is how many HTTP redirects Run follows for one post;
	// zero, the default, follows none (see Run). A redirect is followed
	// only when it is a 307 or 308 (which post the same message, its
	// x-syncml-hmac header with it, again) from https to https, and
	// when the CheckRedirect of Run's http.Client, if set, allows it;
	// the answer to it is the server's reply. Any other redirect (a 301,
	// 302 or 303, one to or from plain http, one past MaxRedirects) fails
	// Run as when none is followed. A redirect names a URL for that post
	// only: the next message goes where it would have gone without it.
	MaxRedirects int
	// AllowMsgIDReuse, when true, takes a server message whose MsgID is a
	// decimal number at or below the last one handled in the session, for
	// a server that breaks the numbering (every message MsgID 1, or 1
	// again after a challenge). False, the default, refuses it with a
	// *MsgIDError. The risk: the Client can no longer tell a message it
	// is handed twice (a retry, a copy) from a new one, so the second
	// copy runs again: its commands are applied and answered twice. Two
	// server commands with one MsgID and CmdID are also answered under
	// the same MsgRef and CmdRef, which only the server can tell apart.
	// The Client knows the server's Gets by that pair too, so it takes a
	// reused MsgID only when none of its answers to an earlier server
	// message with that MsgID still waits to go: a message that brings
	// commands (anything but Statuses, Results and one Alert 1222 or
	// 1223) while some do is refused, before anything of it runs, with a
	// *MsgIDError whose Open is true; the server may send it again once
	// it has asked for the rest of the device's package (Alert 1222).
	// A MsgID that is not a decimal number is refused either way.
	AllowMsgIDReuse bool
	// MaxPendingAnswers bounds the answers (Statuses and Results) the
	// device owes the server that wait for a later message of its
	// package, not having fit in the ones sent: a server message that
	// brings commands to answer (anything but Statuses, Results and one
	// Alert 1222 or 1223) while that many wait is refused before anything
	// of it runs, with an error holding a *LimitError (Limit
	// "MaxPendingAnswers"). So the answers held stay within it and the
	// answers of one server message. Zero means DefaultMaxPendingAnswers.
	MaxPendingAnswers int
	// BeforeReply, when set, is called when the device answers a server
	// message that carries commands (not only Statuses and Results), once
	// the Handler has answered them and x.Outcomes holds what came back
	// for the device's earlier commands, before the reply is composed:
	// commands it queues on c go out in this reply. A device that reports
	// its state in every message (the WinDC 1224 summary, for example)
	// queues it here, after the server's commands were applied. m is the
	// server's message. It is not called for an aborted session or while
	// the server's package goes on. What the reply cannot carry waits in
	// the rest of the device's package, under MaxQueue (see MaxQueue).
	BeforeReply func(ctx context.Context, c *Client, m *syncml.Message, x *Exchange)
	// OnExchange, when set, is called by Run with every Exchange of the
	// session once HandleInbound returned it, before its reply is
	// posted: Run returns only the Outcomes, and this is where a device
	// sees the rest, the Statuses and Results that answer none of its
	// commands (Exchange.Unmatched: a second Status for one command, one
	// for an unknown CmdRef) and the server's events. A caller of Handle
	// or HandleInbound has the Exchange already: it is not called there.
	OnExchange func(ctx context.Context, x *Exchange)
	// EachMessage, when set, is called for every message the Client
	// builds except the Statuses that answer an abort and a message that
	// continues an object of the device's (the object's chunks go one
	// after another, nothing between them): the commands it returns go
	// first in that message (a nil command, or an Atomic holding a Get
	// or an Atomic, is an error, as in Queue). As queued commands, one
	// with an Item over the MaxObjSize the server announced in the
	// session is not sent: the Exchange of the message reports it in an
	// Outcome whose Err is a *LimitError of MaxObjSize; so is one past
	// MaxQueue counted with the device's own commands waiting in the rest
	// of its package (a *LimitError of MaxQueue: see MaxQueue). A command
	// it gave that its message could not carry waits in the rest of the
	// package, as does one whose message was not run (a refusal, a post
	// that failed); when the session ends before it went (the server
	// aborts it, or the next Start gives it up), it is not queued again, the
	// next messages having EachMessage's own: it comes back in an
	// Outcome without MsgID whose Err says it was not sent (Changed: it
	// went back to the queue, and the next package 1 carried it after
	// the fresh ones).
	EachMessage func(ctx context.Context) ([]syncml.Command, error)
	// Unmarshal, when set, decodes each server reply Run reads (and each
	// message HandleInbound is given as bytes only) instead of the
	// Client's own decoding (syncml.UnmarshalLimits within MaxBytes,
	// MaxMsgSize and MaxObjectSize: see MaxBytes), which it must equal on
	// the message it gives. It decodes under limits of its own, but is
	// never given a message larger than the MaxMsgSize announced. A
	// handler that reads what the Data of commands carry can read it
	// while the message is decoded (declaredconfig/agent's Agent.Unmarshal
	// builds their documents in the same pass).
	Unmarshal func(data []byte, m *syncml.Message) error
}

// A Client is the device side of a session: it builds package 1, answers
// each server message through its Handler (Statuses, and Results for
// Get), sends what the device queued, and matches the server's Statuses
// to what it sent. A Client runs one session at a time and is not safe for
// concurrent use.
type Client struct {
	cfg       ClientConfig
	sessionID string
	outMsgID  int
	inMsgID   string
	sent      correlator
	queue     []syncml.Command
	pkg1      []syncml.Command // package 1 as asked, resent after a challenge
	pkg1Own   int              // how many of pkg1 Start made: Alert 1201, its alerts, the DevInfo
	chal      *syncml.Chal
	retries   int
	ended     bool
	lastRaw   []byte // encoding of the last message built
	lo        *largeObject
	peerMax   int // the server's MaxMsgSize, 0 when unknown
	// peerObj is the MaxObjSize the server announced in this session, 0
	// for none: the Results of a larger Item are not sent (the command
	// fails, 500, and an Outcome says why), nor a command holding one,
	// queued, given by EachMessage, in the rest of the package not
	// begun or in a refused message sent again (its Outcome says why:
	// fitPeerObj, fitPeerObjCont, fitPeerObjResend); Results made
	// before it was announced, in the rest of the package or in a
	// refused message sent again, fail their Get the same way while its
	// Status is still to go and none of its Results is in flight; once
	// the server has its Status or a chunk of its Results, the Get keeps
	// its code and only the Results over the bound are left out
	// (fitPeerResults).
	peerObj int
	cont    []syncml.Command // the rest of the device's package
	// rest is the array c.cont lives in between messages (see restBuf).
	rest restBuf
	// flatRest, set only in tests, builds every message as before
	// restBuf: its candidates in a new list, all walked, the rest counted
	// and searched for Alerts 1222 anew, one of them waiting at its end
	// replaced by a new one (the oracle of TestRestSameAsBefore).
	flatRest bool
	// peerSeen is true once a server message was handled (in this
	// session or an earlier one, since the last abort): from then on
	// peerMax is what the server announced, 0 for none, and
	// ServerMaxMsgSize no longer stands for it (see packMax).
	peerSeen bool
	// lastSent and lastFinal are the commands of the last message built
	// (after its SyncHdr Status) and whether it closed the package, and
	// lastPkg1 whether it was package 1: a message the server refuses is
	// sent again (package 1 rebuilt, any other with the same commands).
	lastSent  []syncml.Command
	lastFinal bool
	lastPkg1  bool
	// nextEach are the EachMessage commands at the start of the commands
	// of the message being built, and lastEach counts those of the last
	// one.
	nextEach []syncml.Command
	lastEach int
	// eachLeft are the EachMessage commands the session's messages were
	// given (see noteEachLeft): those of them that wait in the rest of the
	// device's package when the session is given up (their message did
	// not carry them, or was not run) are not queued again (see giveUp).
	// Nil or empty before the session's first message.
	eachLeft map[syncml.Command]bool
	// pieces are the chunks chunkCommands made of the session's commands
	// but the last of each object (which is the command itself, cut): a
	// session given up queues the command again whole, not these (see
	// restToQueue). Nil or empty before the session cuts one.
	pieces map[syncml.Command]bool
	// lastCont is true when the first command of the last message after
	// its Statuses continued an object; again while that message is built
	// once more.
	lastCont, again bool
	// srvOK is true once the server's credentials passed in this session
	// (ServerAuth), and srvNext the device's next Status for its SyncHdr.
	srvOK   bool
	srvNext *srvStatus
	// cuts are the commands the session's messages cut into chunks
	// (chunkCommands, pack's forced cut), with their Items before, in the
	// order cut: package 1 sent again after a challenge, and a session
	// given up before it ended, put them back (see uncutSession).
	cuts []uncut
	// answered is the buffer in which Handle notes the records it
	// changes (see clientMark).
	answered []was
	// abandoned are the Outcomes of the sessions Start gave up (see
	// giveUp), handed out in the next Exchange that answers a message.
	abandoned []Outcome
	// refused is the code (401 or 407) with which the server refused the
	// last message built when the session gave up on authentication (the
	// Handle failed, and changed nothing else); 0 otherwise. The next
	// Start counts that message as not sent (see unsend).
	refused syncml.StatusCode
	// unsent is true when Run failed to post the last message built
	// before any of it was written (see Run), or NotSent said it was not
	// sent: the next Start counts it as not sent, as after a refusal (see
	// unsend).
	unsent bool
	// dropped counts the Abandoned Outcomes dropped to keep abandoned
	// within MaxQueue (see DroppedAbandoned).
	dropped int
	// replied is true when the last Handle answered the last message
	// built and built none after it (the session ended): see NotSent.
	replied bool
	// eachUnsent are the Outcomes of the commands EachMessage gave the
	// message being built that were not sent, over the server's
	// MaxObjSize (see eachMessage): the Exchange that carries the
	// message reports them.
	eachUnsent []Outcome
	// splitGets are the server's Gets of the session whose per-item
	// Statuses a message cut in two (see noteSplitGet): once the server
	// has some of them, the Get keeps its codes (see fitPeerResults).
	// Only the Gets with answers still to go or in the last message are
	// kept, which bounds them (see noteSplitGet).
	splitGets []splitGet
}

// NewClient returns a Client for cfg (copied).
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.DeviceID == "" || cfg.ServerURI == "" {
		return nil, errorf("NewClient: DeviceID and ServerURI are required")
	}
	if cfg.Handler == nil {
		cfg.Handler = NewMux()
	}
	if cfg.XMLNS == "" && cfg.VerDTD == "" && cfg.VerProto == "" {
		cfg.XMLNS, cfg.VerDTD, cfg.VerProto = syncml.NamespaceSyncML12, "1.2", "DM/1.2"
	}
	if !syncMLNamespace(cfg.XMLNS) {
		return nil, errorf("NewClient: XMLNS %q is not a SyncML namespace", cfg.XMLNS)
	}
	if cfg.MaxAuthRetries <= 0 {
		cfg.MaxAuthRetries = DefaultMaxAuthRetries
	}
	if a, ok := cfg.Credentials.(*ClientAuth); ok && a != nil && cfg.LocName == "" {
		cfg.LocName = a.Username // the user an MD5 Cred is checked under
	}
	return &Client{cfg: cfg}, nil
}

// Queue appends commands (client alerts, for example) to send in the next
// message of the session, in order. It refuses a nil command, an Atomic
// holding a Get or another Atomic at any depth (the server fails it: 500,
// the Atomic 507) and a command that names no node (as Session.Queue
// does), with an error matching syncml.ErrInvalid; so
// does Start among its alerts, and a message is not built when
// EachMessage returns such an Atomic or a nil command.
func (c *Client) Queue(cmds ...syncml.Command) error {
	max := c.maxQueue()
	if len(c.queue)+len(cmds) > max {
		return pkg.LimitCount("MaxQueue", int64(max), int64(len(c.queue)+len(cmds)), "")
	}
	for _, x := range cmds {
		if isNil(x) {
			return errorf("Queue: nil command")
		}
	}
	if err := notInAtomic("Queue", cmds); err != nil {
		return err
	}
	if err := addressed("Queue", cmds); err != nil {
		return err
	}
	if _, err := syncml.Marshal(&syncml.Message{Body: syncml.Body{Commands: cmds}}); err != nil {
		return errorf("Queue: %w", err)
	}
	c.queue = append(c.queue, cmds...)
	for _, x := range cmds {
		delete(c.eachLeft, x) // the caller's now: queued again if given up
	}
	return nil
}

// Start begins a session with sessionID (kept as given) and returns
// package 1. Give each session a new sessionID (a counter the device
// keeps across restarts, for example): a Server answers a message
// byte-identical to the last one it answered with the same reply, without
// running it, so a package 1 sent again under the same sessionID gets the
// last session's answer replayed. Package 1 is Alert 1201, then alerts
// (client events such as
// NewClientEvent(…LoginStatus…)), then the DevInfo Replace, then what was
// queued. A previous session that had not ended (given up: the caller
// stopped after a network error, say) leaves the rest of the device's
// package, the commands not sent yet, at the front of the queue, in
// order, so that they go first in this package 1, after the DevInfo: as
// a Server does with its own package, and as a Client does when the
// server aborts a session. What Start made for a package 1 the server's
// MaxMsgSize cut is not among it (Changed: it was, and the next package
// 1 carried a second DevInfo Replace and the old alerts after its own):
// the DevInfo is made anew, and each alert given to Start left for a
// later message that never went comes back with an Err, once, without
// MsgID, and is not sent again; so does a command EachMessage gave a
// message that could not carry it (Changed: it was queued again). An
// object of it cut into chunks
// goes whole again, to be cut anew; its chunks sent are forgotten. What
// the previous session sent and the server never answered is given up:
// Start has no Outcomes to return, so those come as Abandoned Outcomes
// (see AbandonedGets), with the SessionID of the session they were sent
// in, first in Exchange.Outcomes of the next message the Client answers
// (Handle, HandleInbound; Run returns them with the session's), before
// that message's own. A session the server ended (Exchange.Done after
// its last message, the device having nothing left to send) reports
// those in that last Exchange instead, after its own Outcomes, and Run
// returns them: none is left for the next session (Changed: they waited
// for the next session's first answered message, and were lost to a
// device that restarted first). A previous session that gave up on authentication
// (see Handle) did not send the message the server refused, which ran
// none of it: the device's commands in it (not a package 1's Alert 1201,
// alerts and DevInfo, which each Start is given or makes anew, nor the
// answers to the server and the alerts the session sends of itself) go
// back to the front of the queue, in order, before the rest of the
// package, and none is Abandoned; those EachMessage gave it, and the
// alerts of a refused package 1 (the first message of it, or a later one
// when the server's MaxMsgSize cut it), come with an Err, as after any
// refusal, once (a caller gives the next Start those that still hold).
// A previous session whose last message Run could not post, nothing of
// it written (see Run), or that NotSent said was not sent, did not send
// it either: its commands are put back the same way, but none of that
// message is reported, not even Start's own, except the alerts given to
// Start in a later message of a package 1 the server's MaxMsgSize cut
// (the server answered those of its first message), and those left for
// a message after it: each comes with an Err, once, without MsgID, and
// is not sent again.
// Abandoned Outcomes kept for the next Exchange are bounded by MaxQueue,
// the oldest dropped (see DroppedAbandoned).
// Anything else of the previous session is forgotten. A Start that fails
// changes nothing: what was queued stays
// queued, whole (an object cut into chunks for the server's MaxMsgSize
// gets its Items back), and so do the previous session's rest
// and records.
func (c *Client) Start(ctx context.Context, sessionID string, alerts ...syncml.Command) (*syncml.Message, error) {
	if sessionID == "" {
		return nil, errorf("Start: empty SessionID")
	}
	for _, a := range alerts {
		if isNil(a) {
			return nil, errorf("Start: nil command")
		}
	}
	if err := notInAtomic("Start", alerts); err != nil {
		return nil, err
	}
	// A Start that fails changes nothing: the queue stays queued, whole.
	var u clientMark
	u.mark(c)
	if c.sessionID != "" {
		// the rest of a package given up goes first in this one; what
		// was sent and not answered is Abandoned
		if outs := c.giveUp(&u); len(outs) > 0 {
			c.abandoned = append(c.abandoned[:len(c.abandoned):len(c.abandoned)], outs...)
		}
	}
	// package 1 continues no message: none of the last session's
	// commands counts as cut already (finish)
	c.cuts, c.lastSent = nil, nil
	c.sessionID, c.outMsgID, c.inMsgID = sessionID, 0, ""
	c.retries, c.ended, c.lo, c.cont = 0, false, nil, nil
	// no EachMessage command of this session yet (the rest is gone: see
	// giveUp); the last session's notes come back if this Start fails,
	// which changes nothing
	lastLeft, lastPieces := c.eachLeft, c.pieces
	c.eachLeft, c.pieces = nil, nil
	c.rest.reset() // the last session's commands are not held on to
	// the server's MaxObjSize holds for the session it was announced in
	// (OMA DM, large objects): this one has heard none yet
	c.srvOK, c.srvNext, c.peerObj = false, nil, 0
	c.splitGets = nil
	c.pkg1 = append([]syncml.Command{NewAlert(syncml.AlertClientInitiated)}, alerts...)
	if c.cfg.DevInfo.DevID != "" {
		c.pkg1 = append(c.pkg1, c.cfg.DevInfo.Replace())
	}
	c.pkg1Own = len(c.pkg1)
	c.pkg1 = append(c.pkg1, c.queue...)
	c.queue = nil
	m, _, err := c.package1(ctx, 0) // nothing is announced before it: all goes
	if err != nil {
		u.put(c)
		c.eachLeft, c.pieces = lastLeft, lastPieces
		return nil, err
	}
	c.boundAbandoned()
	u.drop(c)
	c.replied = false
	return m, nil
}

// package1 builds (or rebuilds, after a challenge) package 1, held to
// maxObj, the MaxObjSize the server announced in the session (0 for
// none): Start passes 0, whatever c.peerObj still holds, since no server
// message of the session came before package 1; a rebuild after a
// refusal that announced one passes it. With maxObj set, it leaves out
// the commands queued for package 1 with an Item over that bound, and
// EachMessage's (see eachMessage), and returns their Outcomes (see
// fitPeerObj).
func (c *Client) package1(ctx context.Context, maxObj int) (*syncml.Message, []Outcome, error) {
	m := c.message(nil)
	if c.cfg.Credentials != nil {
		cred, err := c.cfg.Credentials.Cred(ctx, c.chal)
		if err != nil {
			return nil, nil, errorf("credentials: %w", err)
		}
		m.Header.Cred = cred
	}
	if c.cfg.MaxMsgSize > 0 || c.cfg.MaxObjSize > 0 {
		m.Header.Meta = &syncml.Meta{}
		if c.cfg.MaxMsgSize > 0 {
			m.Header.Meta.MaxMsgSize = strconv.Itoa(c.cfg.MaxMsgSize)
		}
		if c.cfg.MaxObjSize > 0 {
			m.Header.Meta.MaxObjSize = strconv.Itoa(c.cfg.MaxObjSize)
		}
	}
	var unsent []Outcome
	if own := min(c.pkg1Own, len(c.pkg1)); maxObj > 0 && own < len(c.pkg1) {
		// Rebuilt after a refusal whose message announced the server's
		// MaxObjSize: the commands queued for it are held to it, as the
		// rest of the package is (fitPeerObjCont). Those left out leave
		// package 1 for good (a new array: a call that fails puts the
		// one before back).
		kept, out := fitPeerObj(c.pkg1[own:], maxObj)
		if out != nil {
			c.pkg1 = append(c.pkg1[:own:own], kept...)
			unsent = out
		}
	}
	// EachMessage's commands follow Alert 1201 in package 1.
	extra, err := c.eachMessage(ctx, maxObj)
	if err != nil {
		return nil, nil, err
	}
	m, err = c.finish(m, slices.Concat(c.pkg1[:1], extra, c.pkg1[1:]), true)
	c.lastPkg1 = err == nil
	if err != nil {
		return nil, nil, err
	}
	return m, unsent, nil
}

// resend rebuilds the last message, which the server refused (h is the
// header of the refusal), with the same commands in a new message of the
// session (EachMessage's anew), with the Cred of the server's challenge:
// the server executed nothing of it. Those commands and the rest of the
// package are held to the server's MaxObjSize (see fitPeerObjResend): it
// returns the Outcomes of the commands left out. What it changes that
// mark does not is noted in u.
func (c *Client) resend(ctx context.Context, h *syncml.Header, u *clientMark) (*syncml.Message, []Outcome, error) {
	refused := strconv.Itoa(c.outMsgID)
	m := c.message(h)
	if c.cfg.Credentials != nil {
		cred, err := c.cfg.Credentials.Cred(ctx, c.chal)
		if err != nil {
			return nil, nil, errorf("credentials: %w", err)
		}
		m.Header.Cred = cred
	}
	cands, unsent := c.fitPeerObjResend(c.lastSent[min(c.lastEach, len(c.lastSent)):], u)
	c.again = true // from here, the message built is the refused one again
	// the server has none of the Statuses the refused message carried
	c.forgetSplitGets(refused)
	extra, err := c.eachMessage(ctx, c.peerObj)
	if err != nil {
		c.again = false
		return nil, nil, err
	}
	cands = slices.Concat(extra, cands)
	if m, err = c.finish(m, cands, c.lastFinal); err != nil {
		return nil, nil, err
	}
	// the refused message's records, once the new one holds its commands
	c.sent.forget(refused)
	return m, unsent, nil
}

// message starts the next message of the session, with a Status for hdr
// first when hdr is not nil.
func (c *Client) message(hdr *syncml.Header) *syncml.Message {
	m := &syncml.Message{
		XMLNS: c.cfg.XMLNS,
		Header: syncml.Header{
			VerDTD: c.cfg.VerDTD, VerProto: c.cfg.VerProto, SessionID: c.sessionID,
			Target: syncml.Location{LocURI: c.cfg.ServerURI},
			Source: syncml.Location{LocURI: c.cfg.DeviceID, LocName: c.cfg.LocName},
		},
		Body: syncml.Body{Final: true},
	}
	if hdr != nil && !hdr.NoResp {
		m.Body.Commands = append(m.Body.Commands, c.serverStatus(hdr))
	}
	return m
}

// finish numbers m, fills it with as many of cands as fit in the
// server's MaxMsgSize (the rest waits in c.cont, and Final is cleared),
// records what it sends and encodes it. The objects too large for one
// message are cut into chunks, each command the last of its own (see
// chunkCommands, and pack's forced cut); when the message fails they get
// their Items back, and nothing of c changed: the commands go out whole
// in the next message built.
func (c *Client) finish(m *syncml.Message, cands []syncml.Command, final bool) (*syncml.Message, error) {
	return c.finishParts(m, cands, nil, nil, final)
}

// finishParts is finish of the candidates front, mid and back, in that
// order, mid being the end of the rest of the package (c.cont, see
// contSuffix) or nil: mid was cut before and is neither walked nor
// copied (see restBuf), so that the message costs what front and back
// (its new commands) hold and what it carries, not what waits.
func (c *Client) finishParts(m *syncml.Message, front, mid, back []syncml.Command, final bool) (*syncml.Message, error) {
	again := c.again // m is the last message built once more
	c.again = false
	if c.flatRest || !contSuffix(c.cont, mid) {
		// not the rest as it is: all of it is walked, as new
		front, mid, back = slices.Concat(front, mid, back), nil, nil
	}
	contNow := c.continuesObject(again)
	var broken *brokenObject // the object in flight the message does not continue
	if contNow {
		if x := firstCommand(front, mid, back); x != nil && c.nextPiece(x, again) == nil {
			// another command: the object is not continued, and goes
			// out again whole (see breakInFlight)
			contNow = false
			front, mid, back = slices.Concat(front, mid, back), nil, nil
			front, broken = c.breakInFlight(front, c.flightFor(again), c.refusedMsgID(again))
		}
	}
	// What is too large for the server's MaxMsgSize (a Results, most
	// often) goes in chunks; the rest of the package and the commands
	// sent again were cut before (mid is of the rest).
	max, assumed := c.packMax()
	var done map[syncml.Command]bool
	before := c.cont[:len(c.cont)-len(mid)] // the rest but mid: front may hold it
	if max > 0 && len(before)+len(c.lastSent) > 0 {
		done = make(map[syncml.Command]bool, len(before)+len(c.lastSent))
		for _, x := range before {
			done[x] = true
		}
		for _, x := range c.lastSent {
			done[x] = true
		}
		if broken != nil {
			delete(done, broken.was.cmd) // whole again: cut anew
		}
	}
	isDone := func(x syncml.Command) bool { return done[x] }
	front0, back0 := front, back
	front, _, cut, err := chunkCommands(front, max, 0, &m.Header, isDone)
	if err == nil && len(back) > 0 {
		var more []uncut
		back, _, more, err = chunkCommands(back, max, 0, &m.Header, isDone)
		if err != nil {
			undoCuts(cut) // more is undone already
		}
		cut = append(cut, more...)
	}
	if err == nil && len(cut) > 0 {
		c.notePieces(front0, front)
		c.notePieces(back0, back)
	}
	if err != nil {
		broken.undo()
		return nil, errorf("chunk: %w", err) // nothing stays cut
	}
	cands := c.rest.join(front, mid, back)
	var cont syncml.Command // the piece of the object in flight that goes on
	if contNow {
		cont = firstCommand(cands)
	}
	c.outMsgID++
	m.Header.MsgID = strconv.Itoa(c.outMsgID)
	var whole uncut // the command a forced message may cut, as it was
	whole.note(cands)
	raw, sent, rest, err := pack(nil, m, cands, max, true, final, cont)
	if err != nil {
		// put back, last first, what pack and chunkCommands cut
		whole.undo()
		undoCuts(cut)
		broken.undo()
		c.outMsgID--
		switch {
		case assumed && errors.Is(err, ErrLimit):
			// the device's own guess at the server's bound
			err = errorf("ServerMaxMsgSize %d, assumed for the server until it announces its MaxMsgSize, is too small for the message: %w", max, err)
		case max > 0 && errors.Is(err, ErrLimit):
			// the server's own bound (the only one pack has), which no
			// message fits in: its fault, as a device's is on a Server
			err = errorf("%w: the server's MaxMsgSize %d is too small for the message (%w)", ErrProtocol, max, err)
		}
		return nil, err
	}
	c.cont = rest
	c.rest.keep(sent, rest)
	c.noteSplitGet(m.Header.MsgID, sent, rest)
	if broken != nil {
		// the object's chunks sent and its cut are forgotten: it went
		// again whole
		c.sent.sent, c.sent.index, c.sent.next = broken.sent, nil, 0
		c.cuts = broken.cuts
	}
	if len(cut) > 0 {
		c.cuts = append(c.cuts, cut...)
	}
	if whole.cmd != nil && !sameItems(whole.cmd.ItemList(), whole.items) {
		c.cuts = append(c.cuts, whole) // pack's forced cut, after those
		c.noteForcedPieces(whole.cmd, sent, rest)
	}
	c.lastRaw = raw
	c.lastCont = contNow
	// a copy: the next message's commands take the place of sent in
	// the array of the rest (see restBuf)
	c.lastSent, c.lastFinal, c.lastPkg1 = slices.Clone(sent), final, false
	c.noteEachLeft()
	c.lastEach, c.nextEach = len(c.nextEach), nil
	// the records of the message's commands (not its Statuses), made
	// together; those of commands nested in them one by one (add)
	n := 0
	for _, x := range m.Body.Commands {
		if _, ok := x.(*syncml.Status); !ok {
			n++
		}
	}
	recs := make([]sentCmd, n)
	for _, x := range m.Body.Commands {
		if _, ok := x.(*syncml.Status); ok {
			continue
		}
		r := &recs[0]
		recs = recs[1:]
		switch x := x.(type) {
		case *syncml.Results:
			// A Status for it (213 for a chunk, an error for an object
			// refused) is matched and reported to no one.
			r.MsgID, r.Cmd, r.Internal = m.Header.MsgID, x, true
			c.sent.addOne(r)
			continue
		case *syncml.Alert:
			if code, _ := x.Code(); code == syncml.AlertNextMessage || code == syncml.AlertNoEndOfData {
				r.MsgID, r.Cmd, r.NoResp, r.Internal = m.Header.MsgID, x, noResp(x), true
				c.sent.addOne(r)
				continue
			}
		}
		if isChunk(x) {
			// A chunk followed by more: its Status (213, or the refusal
			// that ends its object: dropRefused) is no Outcome; the last
			// chunk, the command itself, has it.
			r.MsgID, r.Cmd, r.NoResp, r.Internal = m.Header.MsgID, x, noResp(x), true
			c.sent.addOne(r)
			continue
		}
		c.sent.addTo(r, m.Header.MsgID, x)
	}
	return m, nil
}

// nextPiece returns x, the first command after the Statuses of the
// message being built when that message continues an object (see
// continuesObject), when x is a piece of that object: the same command
// for the same node as the last chunk the device sent of it (before the
// refused message, when again: the message is that one once more). It
// returns nil when x is another command: the message does not continue
// the object, and x is not cut as the continuation of one (its first
// chunk, if it is cut, carries the Size of its own object); the object
// goes out again whole (see breakInFlight). The Client
// puts the pieces of an object right after the Statuses (see
// answersThenRest), so this is a check of that, which no input is known
// to fail.
func (c *Client) nextPiece(x syncml.Command, again bool) syncml.Command {
	flight := c.flightFor(again)
	if flight == nil || !samePiece(flight, x) {
		return nil
	}
	return x
}

// flightFor returns the last chunk the device sent of its object in
// flight (see chunkInFlight) for the message being built: when again, as
// it was before the refused message that message is once more.
func (c *Client) flightFor(again bool) syncml.Command {
	return c.chunkInFlightBefore(c.refusedMsgID(again))
}

// refusedMsgID returns the MsgID of the last message built when again
// (the message being built is that one once more, the server having
// refused it), "" otherwise.
func (c *Client) refusedMsgID(again bool) string {
	if !again {
		return ""
	}
	return strconv.Itoa(c.outMsgID)
}

// Handle takes a message from the server and returns the device's reply
// (Exchange.Reply and its encoding Raw), with the Outcomes of what the
// device sent before. Exchange.Done is true when the session is over:
// either the server sent nothing that needs an answer (Reply is nil) or
// it aborted the session (Reply holds the Statuses to send, the last
// message). When the server ended it with commands of the device's
// unanswered, those come Abandoned in that Exchange's Outcomes, last
// (Changed: in the next session's first; see Start). A refused credential (401 or 407) is answered by the
// refused message again (package 1 when it was package 1), with new
// credentials, up to MaxAuthRetries times in a session; the commands
// EachMessage gave the refused message, which it gives anew, come back
// in the Exchange's Outcomes with an Err (see Outcome.Err); Statuses the
// refusal gives the refused message's commands are no Outcome (the
// server ran none of them), and a refusal that carries commands of the
// server's is refused with an error matching ErrProtocol (they would go
// without running and without a Status). One refusal
// more (the first, without Credentials) gives the session up: Handle
// fails with an error matching ErrAuthGaveUp and ErrInvalidCredentials
// (401) or ErrMissingCredentials (407), and the next Start sends the
// refused message's commands again, first (see Start). A reply that
// cannot be kept within the server's MaxMsgSize (not even its SyncHdr and
// Statuses fit) is not made: the error matches ErrLimit, and ErrProtocol
// (the bound is the server's). A message for another session or device,
// or one whose Statuses or Results answer a message the device did not
// send in this session (a MsgRef that is none of its MsgIDs; none at all
// is the last message for a Status, the first for a Results), is refused
// with an error matching ErrProtocol, before anything of it runs. So is a
// message whose MsgID is not a decimal number greater than the MsgID of
// the last server message handled in the session (a gap is taken): the
// error is a *MsgIDError. So a message handled is refused when handed
// again (its answer is the Reply of the first Exchange), not run twice;
// one whose Handle failed is taken again (see below).
// ClientConfig.AllowMsgIDReuse takes any decimal MsgID, at that risk,
// but one of a message whose answers still wait to go (see there). A
// message that brings commands while ClientConfig.MaxPendingAnswers
// answers of the device wait to go is refused too, before anything of
// it runs, with an error holding a *LimitError of that name.
//
// A Handle that fails changes nothing of the Client but, when it gives
// the session up on authentication, that the last message was refused
// and (with Credentials that are a ChallengeChecker, as ClientAuth is:
// see Credentials) the server's new challenge: the commands queued
// stay queued, whole (an object cut into chunks for the reply gets its
// Items back), and so do
// the rest of the device's package, the server's MaxMsgSize, the records
// of what the device sent (the Statuses matched go unmatched again) and
// the object the server is sending in chunks. The same message handled
// again is answered as the failed call would have answered it: the
// Handler and the hooks run again, and what BeforeReply queued in the
// failed call went with it (it queues it again).
//
// When ClientConfig.ServerAuth is set, the server's credentials are
// checked first, as Run does: basic and MD5 from the message's SyncHdr;
// HMAC needs the message's bytes and HTTP headers, which Handle does not
// have (it returns an error matching ErrState: use HandleInbound). A
// server that fails the check gets no answer but the device's last
// message of the session: Exchange.Refused says why (an error matching
// ErrMissingCredentials or ErrInvalidCredentials), Reply holds the 401 or
// 407 with a new nonce, to send without waiting for an answer, and Done
// is true.
func (c *Client) Handle(ctx context.Context, m *syncml.Message) (*Exchange, error) {
	return c.handle(ctx, m, nil, nil, false)
}

// HandleInbound is Handle for a server message as it arrived: in.Raw its
// exact bytes (parsed when in.Message is nil, as Run does: see
// ClientConfig.MaxBytes and Unmarshal; refused, parsed or not, when
// larger than the MaxMsgSize announced) and in.Header the HTTP
// response's headers, from which ClientConfig.ServerAuth checks an HMAC
// (in.TLS is not used). Run hands every reply to it.
func (c *Client) HandleInbound(ctx context.Context, in *Inbound) (*Exchange, error) {
	if in != nil && in.Raw != nil {
		if in.Message != nil {
			if err := c.checkReplySize(len(in.Raw)); err != nil {
				return nil, err
			}
		} else {
			m := new(syncml.Message)
			if err := c.decodeReply(in.Raw, m); err != nil {
				return nil, errorf("received message: %w", err)
			}
			cp := *in
			cp.Message = m
			in = &cp
		}
	}
	m, raw, err := parseInbound(in)
	if err != nil {
		return nil, err
	}
	return c.handle(ctx, m, raw, in.Header, true)
}

// handle is Handle; transport is true when raw and hdr are the message's
// bytes and HTTP headers.
func (c *Client) handle(ctx context.Context, m *syncml.Message, raw []byte, hdr http.Header, transport bool) (*Exchange, error) {
	if c.sessionID == "" {
		return nil, errorf("%w: Handle before Start", ErrState)
	}
	if m == nil || m.NoHeader {
		return nil, errorf("%w: server message has no SyncHdr", ErrProtocol)
	}
	h := &m.Header
	if h.SessionID != c.sessionID {
		return nil, errorf("%w: server message for SessionID %s in session %q", ErrProtocol, shown(h.SessionID), c.sessionID)
	}
	if h.Target.LocURI != c.cfg.DeviceID {
		// the server answers the device's Source LocURI, as sent
		return nil, errorf("%w: server message for device %s, not %q", ErrProtocol, shown(h.Target.LocURI), c.cfg.DeviceID)
	}
	if h.MsgID == "" {
		return nil, errorf("%w: server message has no MsgID", ErrProtocol)
	}
	if err := c.checkMsgID(h.MsgID); err != nil {
		return nil, err
	}
	if err := m.ValidateCmdIDs(); err != nil {
		return nil, errorf("%w: server message: %w", ErrProtocol, err)
	}
	if err := c.checkMsgRefs(m); err != nil {
		return nil, err
	}
	if err := c.checkPending(m); err != nil {
		return nil, err
	}
	x := &Exchange{Identity: Identity{Device: h.Source.LocURI}}
	if sc := c.cfg.ServerAuth; sc != nil {
		if sc.Type == AuthHMAC && !transport {
			return nil, errorf("%w: ServerCheck %s needs the message's bytes and HTTP headers: use HandleInbound", ErrState, string(sc.Type))
		}
		if err := c.checkServer(ctx, m, raw, hdr); err != nil {
			if !errors.Is(err, ErrMissingCredentials) && !errors.Is(err, ErrInvalidCredentials) {
				return nil, err
			}
			// The device's last message: 401 or 407 and a new nonce.
			reply, last, merr := c.refuseServer(h)
			if merr != nil {
				return nil, merr
			}
			x.Refused, x.Reply, x.Raw, x.Done = err, reply, last, true
			c.refused, c.unsent = 0, false // the last message built is the device's refusal
			c.replied = false
			return x, nil
		}
	}
	// A reply that fails changes nothing (see clientMark).
	var u clientMark
	u.mark(c)
	x, err := c.answer(ctx, m, x, &u)
	if err != nil {
		chal := c.chal
		u.put(c)
		// a session given up on authentication: the next Start counts
		// the refused message as not sent
		c.refused = u.gaveUp
		if _, checked := c.cfg.Credentials.(ChallengeChecker); checked && u.gaveUp != 0 {
			// and its package 1 goes with the server's latest challenge,
			// which the Credentials checked as it came (a server that
			// makes a nonce per challenge refuses the one before)
			c.chal = chal
		}
		return nil, err
	}
	u.drop(c)
	c.replied = x.Reply == nil
	return x, nil
}

// answer is the rest of handle: it answers m, noting in u what it changes
// that mark does not (the records receive changes, package 1 made whole
// again).
func (c *Client) answer(ctx context.Context, m *syncml.Message, x *Exchange, u *clientMark) (*Exchange, error) {
	h := &m.Header
	c.inMsgID = h.MsgID
	c.refused, c.unsent = 0, false
	c.peerSeen = true
	if n := parseSize(h.Meta); n > 0 {
		c.peerMax = n
	}
	if h.Meta != nil && h.Meta.MaxObjSize != "" { // (Atoi's error for "" allocates)
		if n, err := strconv.Atoi(h.Meta.MaxObjSize); err == nil && n > 0 {
			c.peerObj = n // until the session ends, or the server announces another
		}
	}
	outs, unmatched, hdrs := c.sent.receive(m.Body.Commands, strconv.Itoa(c.outMsgID), sentKey{}, &u.answered)
	inSession(outs, c.sessionID)
	x.Outcomes, x.Unmatched = outs, unmatched
	if n := len(c.abandoned); n > 0 {
		// those of the sessions given up before this one's Start first
		x.Outcomes = append(c.abandoned[:n:n], outs...)
		c.abandoned = nil
	}
	for _, s := range hdrs {
		code, err := s.Code()
		if err != nil {
			return nil, errorf("%w: SyncHdr Status: %w", ErrProtocol, err)
		}
		if s.Chal != nil {
			// A challenge the Credentials cannot follow is not kept: the
			// message fails, and the next session's package 1 goes with
			// the last one they took (the server may challenge again).
			if ck, ok := c.cfg.Credentials.(ChallengeChecker); ok {
				if err := ck.CheckChallenge(s.Chal); err != nil {
					return nil, errorf("credentials: %w", err)
				}
			}
			c.chal = s.Chal
		}
		if code == syncml.StatusInvalidCredentials || code == syncml.StatusMissingCredentials {
			if c.cfg.Credentials == nil || c.retries >= c.cfg.MaxAuthRetries {
				// the session is given up: the failed call leaves the
				// Client as it was, but for this (see handle)
				u.gaveUp = code
				return nil, c.authGaveUp(code)
			}
			if err := refusalCommands(m); err != nil {
				return nil, err
			}
			c.retries++
			// The server ran none of the refused message: the Statuses
			// it gave its commands (an authentication failure may
			// answer each) are no Outcome. Those sent again get theirs
			// from the message the server runs, EachMessage's the one
			// of the refusal (below). The last piece of an object in
			// flight it carried goes again as it is, not whole.
			ran := notOfMsg(outs, strconv.Itoa(c.outMsgID))
			c.wholeAgain(ran, u)
			x.Outcomes = append(x.Outcomes[:len(x.Outcomes)-len(outs)], ran...)
			// EachMessage gives the message sent again commands of its
			// own: those of the refused one end here
			refused := c.refusedEach(code)
			var reply *syncml.Message
			var unsent []Outcome // commands over the server's MaxObjSize, not sent
			var err error
			if c.lastPkg1 {
				c.sent.reset()
				c.again1(u)
				reply, unsent, err = c.package1(ctx, c.peerObj)
			} else {
				// Refused in the middle of the session (HMAC is checked
				// on every message): the same message again, not package
				// 1, which would start the session over and lose what
				// the server sent. Its commands and the rest of the
				// package are held to a MaxObjSize the refusal
				// announced, as in any other answer (see below).
				reply, unsent, err = c.resend(ctx, h, u)
			}
			if err != nil {
				return nil, err
			}
			x.Outcomes = append(append(append(x.Outcomes, refused...), unsent...), c.eachUnsent...)
			x.Reply, x.Raw = reply, c.lastRaw
			return x, nil
		}
	}
	if c.cfg.AllowMsgIDReuse {
		// The server took the last message built: the notes of Gets none
		// of whose answers waits in the rest of the package are read no
		// more (see noteSplitGet), and a Get of this message with the
		// same MsgID and CmdID (see checkPending) must not be taken for
		// one of them. Without reuse no Get of a later message has the
		// pair of an earlier one, and the notes are dropped as they are
		// (see noteSplitGet).
		c.splitGets = liveSplitGets(c.splitGets, nil, c.cont)
	}
	c.wholeAgain(outs, u) // an object sent in chunks is reported whole
	if rc := c.sent.refusedChunk(); rc != nil {
		// The server refused the device's object in flight (413, most
		// often): no chunk of it goes out any more.
		if o, ok := c.dropRefused(rc, u); ok {
			x.Outcomes = append(x.Outcomes, inSession([]Outcome{o}, c.sessionID)...)
		}
	}
	if c.peerObj > 0 && len(c.cont) > 0 {
		// the rest of the package, cut before the server said what it
		// takes: what it would not take is not sent (Outcome.Err)
		var unsent []Outcome
		c.cont, unsent = c.fitPeerObjCont(u)
		x.Outcomes = append(x.Outcomes, unsent...)
	}
	maxObj := c.cfg.MaxObjectSize
	if maxObj <= 0 {
		maxObj = DefaultMaxObjectSize
	}
	r := &responder{ctx: ctx, h: c.cfg.Handler, id: x.Identity, hdr: h, msgRef: h.MsgID,
		lo: &c.lo, maxObj: maxObj, maxChunks: c.maxChunks(maxObj), maxResults: c.peerObj, peerResults: true, sessionAlerts: true}
	inFlight := c.lo.receiving()
	r.commands(m.Body.Commands)
	x.Outcomes = append(x.Outcomes, r.unsent...) // none, mostly
	x.Continued = inFlight && !r.cutObject
	if m.Body.Final && c.lo != nil && c.lo.Refused != 0 {
		// the chunks of a refused object go in one package, which ends
		c.lo = nil
	}
	abort := r.abort
	needsAnswer := false
	for _, cmd := range m.Body.Commands {
		switch cmd.(type) {
		case *syncml.Status, *syncml.Results:
		default:
			needsAnswer = true
		}
	}
	if !m.Body.Final && !abort && !(nextMessageResponse(m) && len(c.cont) > 0) {
		// The server's package goes on: ask for its next message.
		reply := c.message(h)
		// One Alert 1222, after the rest of the device's package: one
		// already waiting there stands.
		// (When the rest ends with the only one, that one stays: the
		// same list, and the rest goes on in place, see restBuf.)
		var back []syncml.Command
		cont := c.cont
		if !c.endsWithOnlyNextMessage() {
			cont = c.withoutNextMessage()
			back = []syncml.Command{NewAlert(syncml.AlertNextMessage)}
		}
		front, mid := c.answersThenRest(r.out, cont)
		extra, err := c.eachMessage(ctx, c.peerObj)
		if err != nil {
			return nil, err
		}
		x.Outcomes = append(x.Outcomes, c.eachUnsent...)
		// No Final while the server's package is open (OMA DM, multiple
		// messages in a package).
		reply, err = c.finishParts(reply, slices.Concat(extra, front), mid, back, false)
		if err != nil {
			return nil, err
		}
		x.Reply, x.Raw = reply, c.lastRaw
		return x, nil
	}
	if needsAnswer && !abort && !c.ended && c.cfg.BeforeReply != nil {
		c.cfg.BeforeReply(ctx, c, m, x)
	}
	if c.ended || (!needsAnswer && len(c.queue) == 0 && len(c.cont) == 0) {
		c.ended = true
		x.Done = true
		if len(c.cont) == 0 && slices.ContainsFunc(c.sent.sent, (*sentCmd).unanswered) {
			// The session is over: what the device sent and the server
			// never answered (a breach: every command is answered unless
			// NoResp) is Abandoned now, in this Exchange, not in the
			// next session's (see Start).
			x.Outcomes = append(x.Outcomes, c.giveUp(u)...)
		}
		return x, nil
	}
	reply := c.message(h)
	var cands, midCands, back []syncml.Command // see finishParts
	if abort {
		// An aborted session is answered with Statuses only, in one message.
		// The rest of the device's package goes back to the front of the
		// queue, whole (see giveUp); a command Abandoned may be queued
		// again.
		x.Outcomes = append(x.Outcomes, c.giveUp(u)...)
		x.Outcomes = append(x.Outcomes, c.overQueue()...)
		c.ended = true
		x.Done = true
		c.peerMax = 0
		cands = r.out
	} else {
		// The answers to this message first (they are short: the rest
		// of the package does not pile up behind them), then the rest of
		// the device's package, then what the device queued.
		// An Alert 1222 still waiting asked for a package now over.
		cont := c.cont
		if m.Body.Final {
			cont = c.withoutNextMessage()
		}
		queue := c.queue
		if c.peerObj > 0 {
			// what the server would not take is not sent (Outcome.Err)
			var unsent []Outcome
			queue, unsent = fitPeerObj(queue, c.peerObj)
			x.Outcomes = append(x.Outcomes, unsent...)
		}
		front, mid := c.answersThenRest(r.out, cont)
		c.queue = nil
		extra, err := c.eachMessage(ctx, c.peerObj)
		if err != nil {
			return nil, err
		}
		x.Outcomes = append(x.Outcomes, c.eachUnsent...)
		cands, midCands, back = slices.Concat(extra, front), mid, queue
	}
	reply, err := c.finishParts(reply, cands, midCands, back, true)
	if err != nil {
		return nil, err
	}
	if abort {
		// the server's bound is forgotten with its session: the next
		// package 1 is kept within ServerMaxMsgSize again
		c.peerSeen = false
	}
	x.Reply, x.Raw = reply, c.lastRaw
	return x, nil
}

// refusalCommands returns an error matching ErrProtocol when m, a server
// message refusing the device's last one at its SyncHdr, carries a
// command of the server's: a refusal answers with Statuses (and the
// device sends its message again), so such a command would go without
// running and without a Status.
func refusalCommands(m *syncml.Message) error {
	for _, x := range m.Body.Commands {
		if isAnswer(x) {
			continue
		}
		return errorf("%w: server message %s refuses the device's credentials and carries %s %s, which a refusal may not: only Statuses answer a refused message",
			ErrProtocol, cut(m.Header.MsgID), x.ElementName(), cut(x.ID()))
	}
	return nil
}

// notOfMsg returns outs without the Outcomes of the commands of the
// device's message msgID, in a new array (outs itself when it holds none
// of them).
func notOfMsg(outs []Outcome, msgID string) []Outcome {
	if !slices.ContainsFunc(outs, func(o Outcome) bool { return o.MsgID == msgID }) {
		return outs
	}
	kept := make([]Outcome, 0, len(outs))
	for _, o := range outs {
		if o.MsgID != msgID {
			kept = append(kept, o)
		}
	}
	return kept
}

// again1 readies package 1 to be built again, as it was asked: the
// objects its first build cut get their Items back, to be cut anew, and
// its chunks and the rest of it are forgotten (the server executed none
// of it).
func (c *Client) again1(u *clientMark) {
	c.uncutSession(u)
	c.cont, c.lastSent = nil, nil
}

// uncutSession puts back the objects the session cut into chunks as they
// were queued, and forgets the cuts. The Items they had cut are noted in
// u, put back when the call fails.
func (c *Client) uncutSession(u *clientMark) {
	for _, x := range c.cuts {
		u.recut = append(u.recut, uncut{cmd: x.cmd, items: x.cmd.ItemList()})
	}
	undoCuts(c.cuts)
	c.cuts = nil
}

// sameItems reports whether a and b are the same Items (not copies).
func sameItems(a, b []syncml.Item) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// answersThenRest returns the device's answers to a server message
// followed by the rest of its package, cont, in two parts: the list
// starts with front, new, and goes on with mid, the end of cont as it
// is. When an object of the device's is in flight (see chunkInFlight:
// messages of Statuses alone may have gone since its last chunk), the
// rest of that object goes right after the Statuses, those left in cont
// with it, before any Results: nothing new goes between the chunks of an
// object (OMA DM, large objects).
func (c *Client) answersThenRest(out, cont []syncml.Command) (front, mid []syncml.Command) {
	j := 0 // the Statuses left in front of the rest of the object
	for j < len(cont) {
		if _, ok := cont[j].(*syncml.Status); !ok {
			break
		}
		j++
	}
	flight := c.chunkInFlight()
	if flight == nil || j == len(cont) || !samePiece(flight, cont[j]) {
		return out, cont
	}
	lead := 0
	for lead < len(out) {
		if _, ok := out[lead].(*syncml.Status); !ok {
			break
		}
		lead++
	}
	if lead == len(out) {
		return out, cont // nothing goes between
	}
	k := j + objectEnd(cont[j:])
	front = make([]syncml.Command, 0, len(out)+k)
	front = append(append(append(front, out[:lead]...), cont[:k]...), out[lead:]...)
	return front, cont[k:]
}

// endsWithOnlyNextMessage reports whether the only Alert 1222 of the
// rest of the package (c.cont) is its last command.
func (c *Client) endsWithOnlyNextMessage() bool {
	n := len(c.cont)
	return n > 0 && !c.flatRest && isNextMessageAlert(c.cont[n-1]) && c.rest.countsOf(c.cont).next == 1
}

// withoutNextMessage returns the rest of the package (c.cont) without
// its Alerts 1222 (c.cont itself when it has none, known without walking
// it while it is the rest the last message left, see restBuf).
func (c *Client) withoutNextMessage() []syncml.Command {
	if !c.flatRest && c.rest.countsOf(c.cont).next == 0 {
		return c.cont
	}
	return withoutNextMessage(c.cont)
}

// withoutNextMessage returns cmds without their Alerts 1222 (cmds itself
// when it has none).
func withoutNextMessage(cmds []syncml.Command) []syncml.Command {
	if !slices.ContainsFunc(cmds, isNextMessageAlert) {
		return cmds
	}
	return slices.DeleteFunc(slices.Clone(cmds), isNextMessageAlert)
}

// isNextMessageAlert reports whether c is an Alert 1222.
func isNextMessageAlert(c syncml.Command) bool {
	a, ok := c.(*syncml.Alert)
	if !ok {
		return false
	}
	code, err := a.Code()
	return err == nil && code == syncml.AlertNextMessage
}

// dropRefused ends the device's object in flight the server refused with
// the Status of its chunk s (see refusedChunk): its chunks sent are
// forgotten, the rest of it leaves the rest of the package, and what
// follows goes on. It returns the Outcome of the object's command, with
// the Items it was queued with and the refusal; none (false) for a
// Results, which answers the server's Get and has no Outcome. What it
// changes is noted in u (the Items given back in recut).
func (c *Client) dropRefused(s *sentCmd, u *clientMark) (Outcome, bool) {
	// the object's last chunk sent, before its records go: messages of
	// Statuses alone may have gone out since (see chunkInFlight)
	flight := c.chunkInFlight()
	i := len(c.sent.sent)
	for i > 0 && (isChunk(c.sent.sent[i-1].Cmd) || isNextMessage(c.sent.sent[i-1])) {
		i--
	}
	// a copy: the call that fails puts the list as it was back (u.sent)
	c.sent.sent, c.sent.index, c.sent.next = slices.Clone(c.sent.sent[:i]), nil, 0
	cmd := s.Cmd
	if n := len(c.lastSent); n > 0 && isChunk(c.lastSent[n-1]) {
		c.lastSent = c.lastSent[: n-1 : n-1] // the next message continues no object
	}
	j := 0 // the Statuses left in front of the rest of the object
	for j < len(c.cont) {
		if _, ok := c.cont[j].(*syncml.Status); !ok {
			break
		}
		j++
	}
	if flight != nil && j < len(c.cont) && samePiece(flight, c.cont[j]) {
		k := j + objectEnd(c.cont[j:])
		cmd = c.cont[k-1]
		// a new array: the call that fails puts the one before back
		if c.cont = slices.Concat(c.cont[:j], c.cont[k:]); len(c.cont) == 0 {
			c.cont = nil
		}
		for _, x := range c.cuts {
			if x.cmd == cmd {
				u.recut = append(u.recut, uncut{cmd: cmd, items: cmd.ItemList()})
				setItems(cmd, x.items)
				break
			}
		}
	}
	if _, ok := cmd.(*syncml.Results); ok {
		return Outcome{}, false
	}
	return Outcome{MsgID: s.MsgID, Command: cmd, Status: s.Status}, true
}
