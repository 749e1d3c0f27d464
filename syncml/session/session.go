package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// DefaultMaxQueue is the default of Config.MaxQueue.
const DefaultMaxQueue = 4096

// Config configures the server side of sessions. The zero Config accepts
// every device, answers 200 to every command and sends what is queued.
type Config struct {
	// Handler answers the commands a device sends (Alert 1224 and 1226,
	// Replace of DevInfo…); nil answers 200 to all. The session alerts
	// 1200, 1201, 1222 and 1223 are answered by the session itself.
	Handler Handler
	// Authenticator decides who is talking; nil accepts every message
	// and takes the device from the SyncHdr Source.
	Authenticator Authenticator
	// MaxQueue bounds the commands queued for one device and not yet
	// sent; zero means DefaultMaxQueue.
	MaxQueue int
	// MaxMsgSize bounds each encoded reply, in bytes, when the device
	// announces no smaller MaxMsgSize; zero means no bound of this side.
	// Statuses and commands that do not fit go out, in order, in the
	// next messages of the package, which the device asks for with
	// Alert 1222.
	MaxMsgSize int
	// AnnounceMaxMsgSize, when set, is sent in the SyncHdr Meta of every
	// reply as this side's MaxMsgSize: the device keeps its messages
	// within it, spreading its answers over several messages.
	AnnounceMaxMsgSize int
	// AnnounceMaxObjSize, when set, is sent as this side's MaxObjSize in
	// the SyncHdr Meta of the reply that starts each session (the device
	// keeps to it until the session ends: it sends no larger object),
	// lowered to what the session accepts (MaxObjectSize, or
	// DefaultMaxObjectSize when unset). It is not sent by default: it
	// lengthens those replies, and a device that sends a larger object
	// has it refused (413) all the same.
	AnnounceMaxObjSize int
	// OnStart, when set, is called when a session of the device starts
	// (Alert 1200 or 1201, or a new SessionID) and the message is
	// accepted, before the reply is composed: commands it queues on s go
	// out in this reply. first is true for the first session of the
	// device that this state has seen. It may run again for the same
	// message when a Server retries after a Store conflict, and when the
	// device retries a message whose reply failed (Handle's error): what
	// it queued for the failed reply went with it, so it runs once per
	// session start that got a reply.
	OnStart func(ctx context.Context, s *Session, id Identity, first bool)
	// BeforeReply, when set, is called for every accepted message that is
	// not a replay, once its Statuses and Results are matched (x.Outcomes
	// and x.Unmatched are filled, with the commands a restart or an abort
	// of the session gave up) and the Handler has answered its commands,
	// before the reply is composed: commands it queues on s go out in this
	// reply when it may carry new commands (no Status outstanding, no
	// package in flight, no abort: after an Alert 1223 they wait for the
	// device's next session). So a server decides its next
	// commands from what the device just answered, in the same session.
	// m is the received message. It may run again for the same message
	// when a Server retries after a Store conflict, and when the device
	// retries a message whose reply failed (what it queued for that reply
	// went with it).
	BeforeReply func(ctx context.Context, s *Session, m *syncml.Message, x *Exchange)
	// RespURI, when set, is called for every reply that is not a refusal
	// with the received message m; a non-empty result is sent as the
	// reply's SyncHdr RespURI, where the device posts its answer to that
	// reply (a URL of this session, of one instance behind a balancer…).
	// The device goes back to its server URL for an answer to a reply
	// without RespURI.
	RespURI func(ctx context.Context, id Identity, m *syncml.Message) string
	// SessionToken, when set, closes a session accepted with credentials
	// (212, as syncml:auth-basic and syncml:auth-md5 do once per session)
	// to whoever knows the device's ID and guesses its SessionID: OMA DM
	// lets the device's later messages of the session come without
	// credentials, so anyone could otherwise post Statuses and Results in
	// it, abort it, and read the commands queued for the device in the
	// reply. Such a session gets a secret token (128 bits from
	// crypto/rand), and every reply of it a RespURI carrying the token as
	// its SessionTokenParam: the RespURI hook's URL when it gives one,
	// else the URL the message arrived at (Inbound.URL, which a Server
	// sets from the request's scheme, Host, path and query). A later
	// message of the session is taken as the accepted identity
	// (AuthInput.Accepted) only when it arrived at a URL carrying that
	// token; any other comes without an accepted identity, and the
	// Authenticator challenges it as a message without credentials (a
	// device that sends its credentials again goes on). The token ends
	// with the session's accepted identity (the session ends or starts
	// again); a new session gets a new one. Devices must follow RespURI,
	// as OMA DM says they do (Windows does, and so does Client). HMAC and
	// TLS client certificates, which prove every message, need none of
	// it. A Server behind a proxy that changes the scheme, host or path
	// sets RespURI to the URL devices reach. Handle returns an error when
	// neither gives an absolute http(s) URL (a bare Session's Inbound
	// without URL, and no RespURI): a token the device is never told
	// would only get every message of the session challenged. For a
	// request without a Host header (HTTP/1.0) the error matches
	// ErrProtocol: a Server answers it 400.
	SessionToken bool
	// ServerAuth, when set, is how this server authenticates itself to
	// devices that check it: a Cred in its SyncHdr or an x-syncml-hmac
	// header on its replies (Exchange.Header).
	ServerAuth *ServerAuth
	// MaxObjectSize bounds an object the device sends in chunks
	// (MoreData); zero means DefaultMaxObjectSize. A larger one is
	// answered 413 and dropped, and so is every chunk of it that follows.
	// It, or DefaultMaxObjectSize when that is larger, bounds the data of
	// each Item that Queue accepts too, and the parts of a stored state:
	// lowered below an object a device's state holds, that state no longer
	// loads (ErrStoredState; with ServerConfig.ReplaceUnreadableState it
	// is replaced at the device's next session start, its queue lost).
	MaxObjectSize int
	// MaxObjectChunks bounds the chunks (messages) of one object: one the
	// device sends in more is answered 413 from the chunk over the bound
	// on, and dropped, as an object too large; a queued command whose
	// object would take more at the device's MaxMsgSize is not sent (its
	// Outcome's Err says why), while the Results a Handler answers the
	// device's Get with go in as many chunks as they need (the Handler
	// decides their size). Each chunk costs a state of the session
	// holding the object so far, so that without it a device slicing an
	// object thinly (or announcing a tiny MaxMsgSize) makes the server
	// copy the object over and over. Zero means the larger of
	// DefaultMaxObjectChunks and, when AnnounceMaxMsgSize is set, the
	// chunks of half that size an object of MaxObjectSize (or its default)
	// takes, MaxObjectSize / (AnnounceMaxMsgSize/2) + 1; below zero, no
	// bound.
	//
	// The Handler never gets a command whose object was dropped (the
	// device has the 413). The Outcome of a Get whose Results were
	// dropped has an Err (see Outcome.Err) with the device's Status and
	// no Results: none of the refused chunks is kept. A Client reports
	// the 413 for its Results to no one.
	MaxObjectChunks int
}

// maxChunks returns the bound of the chunks of one object (see
// MaxObjectChunks), 0 for none.
func (c *Config) maxChunks() int {
	switch {
	case c == nil:
		return DefaultMaxObjectChunks
	case c.MaxObjectChunks > 0:
		return c.MaxObjectChunks
	case c.MaxObjectChunks < 0:
		return 0
	}
	n := DefaultMaxObjectChunks
	if half := c.AnnounceMaxMsgSize / 2; half > 0 {
		n = max(n, c.maxObj()/half+1)
	}
	return n
}

func (c *Config) maxObj() int {
	if c == nil || c.MaxObjectSize <= 0 {
		return DefaultMaxObjectSize
	}
	return min(c.MaxObjectSize, refusedSize-3) // see refusedSize
}

// announcedObj returns the MaxObjSize a session's first reply carries
// (see AnnounceMaxObjSize), 0 for none.
func (c *Config) announcedObj() int {
	if c == nil || c.AnnounceMaxObjSize <= 0 {
		return 0
	}
	return min(c.maxObj(), c.AnnounceMaxObjSize)
}

func (c *Config) maxMsgSize(peer int) int {
	own := 0
	if c != nil {
		own = c.MaxMsgSize
	}
	switch {
	case own <= 0:
		return peer
	case peer <= 0 || own < peer:
		return own
	}
	return peer
}

func (c *Config) maxQueue() int {
	if c == nil || c.MaxQueue <= 0 {
		return DefaultMaxQueue
	}
	return c.MaxQueue
}

// An Inbound is one message received from a device.
type Inbound struct {
	// Raw is the message exactly as it arrived. When nil, the canonical
	// encoding of Message stands for it.
	Raw []byte
	// Message is the parsed message; when nil, Raw is parsed (into
	// memory of its own). A Session may keep strings of Message after
	// Handle returns, for the Statuses and Results that answer it later:
	// a Message decoded with syncml.UnmarshalOwned keeps its buffer in
	// use for as long as the Session.
	Message *syncml.Message
	// Header and TLS are the HTTP request headers and TLS state, if any,
	// passed on to the Authenticator.
	Header http.Header
	TLS    *tls.ConnectionState
	// URL is the URL the message was posted to, absolute, with its
	// query; nil when unknown. Config.SessionToken reads the session's
	// token there and makes the reply's RespURI of it (a Server sets it
	// when SessionToken is set).
	URL *url.URL
}

// An Exchange is the result of handling one received message.
type Exchange struct {
	// Reply is the message to send back and Raw its encoding. Both are
	// read-only: a Server over a MemoryStore may hand out Raw from the
	// state it keeps, and a hook that changed it would change that state.
	Reply *syncml.Message
	Raw   []byte
	// Header holds the transport headers to send with Raw: the
	// x-syncml-hmac of a server that signs its replies (ServerAuth), nil
	// when none.
	Header http.Header
	// Replayed is true when the received message was a byte-identical
	// copy of the previous one: Reply is the reply sent then and nothing
	// was executed.
	Replayed bool
	// Identity is who sent the message.
	Identity Identity
	// Refused, when not nil, says why the Authenticator refused the
	// message (AuthDecision.Reason); Reply then holds the challenge alone.
	// On a Client, it says why the server failed ClientConfig.ServerAuth
	// (see Client.Handle).
	Refused error
	// Outcomes are the sent commands whose Status (or late Results)
	// arrived in this message, and those abandoned by a restart or abort.
	// On a Client, those of a session given up (see Client.Start) come
	// first in the next Exchange that answers a message.
	Outcomes []Outcome
	// Unmatched holds the received Statuses and Results that name no
	// command this side sent by MsgRef and CmdRef, a Status for one
	// already answered, a Status whose Cmd names another command than the
	// one its MsgRef and CmdRef name, and, on a Session, a Status for its
	// SyncHdr whose MsgRef names a message it did not send in the session
	// (which then counts for nothing).
	Unmatched []syncml.Command
	// Done is true when Reply carries no command but Statuses: the
	// device ends the session after it.
	Done bool
	// Continued is true when the message went on with an object the peer
	// began sending in an earlier message (its next chunk, the last one
	// included). Such a message carries the chunk and answers only: a
	// Client leaves ClientConfig.EachMessage's commands out of it, so a
	// server that reads a device's state from every message (the WinDC
	// summary) learns nothing of it from this one.
	Continued bool
}

// A Session is the server side of the sessions of one device: it keeps
// the identity counters, the commands queued for the device, the commands
// sent and waiting for their Status, and the last reply (for replays).
// A Session is not safe for concurrent use; the HTTP Server serializes
// access through its Store.
type Session struct {
	cfg *Config
	st  state
	// key, when keyed, is the device the state was loaded for (by a
	// Server): a message the Authenticator attributes to another device
	// is not handled on it (see keyError).
	key   string
	keyed bool
	// fresh, under a Server with an Authenticator, is set when the
	// device had no state: a refusal is then not saved (see
	// Server.exchange), and the replies of the device's first session
	// take its MsgIDs (see fromMsgID).
	fresh bool
	// saveQueue is set when the state is saved right after Queue (by
	// Server.Queue): Queue keeps the encoding of an empty queue's new
	// commands too, not only of a queue loaded with its encoding.
	saveQueue bool
	// replyBuf, when not nil, is where Handle encodes its reply (a
	// Server's pooled buffer): Exchange.Raw and the kept Reply are then
	// valid until the Server reuses it (see Server.exchange).
	replyBuf *[]byte
	// handleSpace, when not nil, is used by the next Handle (a Server's
	// session handles one message, and is allocated with it).
	handleSpace *handleSpace
	// exchSpace, when not nil, holds the first Statuses and sent-command
	// records of the next Handle: a Server's session handles one message
	// and is then dropped, so they need no allocation of their own. (A
	// Session that lives on keeps its records in allocations of their
	// own, so that they do not hold a whole exchange.)
	exchSpace *exchSpace
	// queueSpace, when not nil, is the array of the first commands queued
	// on an empty queue (a Server's session: allocated with it).
	queueSpace *[16]syncml.Command
}

// exchSpace is what a Server's exchange needs beyond handleSpace, up to a
// few Statuses and sent commands (a check-in's answers and queued Gets),
// and the array of the commands its hooks first queue (queueSpace). With
// the Session, handleSpace and the request's Inbound and Message it is
// one allocation per exchange (see Server.ServeHTTP), of 4,856 bytes: it
// stays within the 4,864-byte size class, or takes 512 bytes more
// (TestServerCheckInAllocs counts the bytes).
type exchSpace struct {
	sds   [3]statusData // a check-in's three commands: Alert 1201, Alert 1224, Replace
	refs  [12]string    // the Replace's SourceRefs (a check-in's has 5 to 9)
	recs  [16]sentCmd
	sent  [16]*sentCmd
	queue [16]syncml.Command
}

// handleSpace is what Handle allocates in one: the AuthInput, the
// Exchange, its Reply, the Status for the SyncHdr and the Reply's
// commands and answers (when few).
type handleSpace struct {
	ain   AuthInput
	x     Exchange
	reply syncml.Message
	hs    hdrStatus
	cmds  [40]syncml.Command
	outs  [8]syncml.Command
}

// keyError says that a message belongs to the state of another device
// than the one loaded: the Server loads that device's state and handles
// the message again.
type keyError struct{ device string }

func (e *keyError) Error() string {
	return "session: message of device " + shown(e.device) + " handled on the state of another"
}

// state is everything a Session keeps between messages.
type state struct {
	SessionID  string
	InMsgID    string // MsgID of the last message received
	OutMsgID   int    // MsgID of the last message sent
	XMLNS      string
	VerDTD     string
	VerProto   string
	Queue      []syncml.Command
	Sent       correlator
	ReqHash    []byte // SHA-256 of the last message received
	reqHash    [sha256.Size]byte
	Reply      []byte // the reply sent to it
	Nonce      []byte
	Ended      bool
	Started    bool             // a session of the device was accepted (next to Ended: one word for both)
	Cont       []syncml.Command // the rest of a package, sent on Alert 1222
	MaxMsgSize int              // the device's MaxMsgSize, 0 when unknown
	LO         *largeObject     // the partial object being received
	MaxObjSize int              // the device's MaxObjSize, 0 when unknown
	// RefusedSession and RefusedOut are the SessionID of messages refused
	// by the Authenticator in a session not started yet, and the last
	// MsgID answered in it, so that MsgIDs stay unique when it starts.
	RefusedSession string
	RefusedOut     int
	// Auth is the Identity accepted with 212 in this session, with the
	// session's token, nil when none: the rest of the session needs no
	// credentials (with Config.SessionToken, but the token). It never
	// changes: a new acceptance replaces it (a failed reply's restore
	// keeps the one before).
	Auth *acceptance
	// PeerNonce is the nonce the device last gave for the server's
	// credentials (ServerAuth), SrvAccepted whether the device accepted
	// them in this session, and ReplyHMAC the x-syncml-hmac of Reply.
	PeerNonce   []byte
	SrvAccepted bool
	ReplyHMAC   string
	// Owner is the user the device is bound to, "" when none yet (see
	// AuthInput.Owner); it outlives the sessions.
	Owner string
	// sentEnc, not kept, is the encoding of the commands sentFor within
	// Reply: while they are all that Sent holds, without Status or
	// Results, appendState copies it instead of encoding them again.
	sentEnc []byte
	sentFor []syncml.Command
	// sentOff is the offset of sentEnc in Reply, -1 when it is not in it.
	sentOff int
	// replyAt, not kept, is the offset of Reply in the state appendState
	// wrote last, 0 when it wrote none.
	replyAt int
	// queueEnc, not kept, is the encoding of the commands queueFor, kept
	// from the stored state and from Queue: while Queue is just those,
	// appendState copies it instead of encoding the queue again.
	queueEnc []byte
	queueFor []syncml.Command
}

// fromMsgID returns the MsgID counter a session of this side starts from
// with the device's message of MsgID in: 0, but for a fresh Session (a
// Server's, of a device that had no state) in-1. Such a Server saves no
// refusal, so no count of the MsgIDs its refusals used: they and the
// first accepted reply take the device's MsgID, which grows with each
// of its messages, and stay apart.
func (s *Session) fromMsgID(in string) int {
	if !s.fresh {
		return 0
	}
	n, err := strconv.Atoi(in)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0 // room for the session's MsgIDs to grow
	}
	return n - 1
}

// refuse answers a message the Authenticator refused: the header's Status
// (with the challenge) alone. Nothing of the session changes but the
// nonce and the MsgID counter, and not those when the reply fails; the
// reply is not kept for replay. A reply over the MaxMsgSize (the one the
// message announces, else its session's, and this side's) fails as any
// reply does: ErrLimit, and ErrProtocol when the bound is the device's.
func (s *Session) refuse(ctx context.Context, x *Exchange, m *syncml.Message, hdr http.Header, dec AuthDecision) (*Exchange, error) {
	st, h := &s.st, &m.Header
	// A reply that fails leaves the counters as they were: the device's
	// retry of the message is answered with the MsgID the first try had;
	// and the nonce, as the device never got the new one.
	outMsgID, refusedSession, refusedOut, nonce := st.OutMsgID, st.RefusedSession, st.RefusedOut, st.Nonce
	failed := func(err error) (*Exchange, error) {
		st.OutMsgID, st.RefusedSession, st.RefusedOut, st.Nonce = outMsgID, refusedSession, refusedOut, nonce
		return nil, err
	}
	if dec.NextNonce != nil {
		st.Nonce = dec.NextNonce
	}
	var out int
	switch h.SessionID {
	case st.SessionID:
		st.OutMsgID++
		out = st.OutMsgID
	case st.RefusedSession:
		st.RefusedOut++
		out = st.RefusedOut
	default:
		out = s.fromMsgID(h.MsgID) + 1
		st.RefusedSession, st.RefusedOut = h.SessionID, out
	}
	reply := &syncml.Message{
		XMLNS: m.XMLNS,
		Header: syncml.Header{
			VerDTD: h.VerDTD, VerProto: h.VerProto, SessionID: h.SessionID,
			MsgID: itoa(out), Target: h.Source, Source: h.Target,
		},
		Body: syncml.Body{Final: true},
	}
	if n := s.cfg.AnnounceMaxMsgSize; n > 0 {
		// as every reply: the device's next message, package 1 again with
		// its credentials, is held to it
		reply.Header.Meta = &syncml.Meta{MaxMsgSize: strconv.Itoa(n)}
	}
	if !h.NoResp {
		reply.Body.Commands = []syncml.Command{headerStatus(h, dec.Code, dec.Chal)}
	}
	number(reply.Body.Commands, new(int))
	var password string
	var srvType AuthType
	if a := s.cfg.ServerAuth; a != nil {
		srvType = a.typeFor(st, m, hdr)
		var err error
		if password, err = a.present(ctx, srvType, dec.Identity, st, reply); err != nil {
			return failed(err)
		}
	}
	raw, err := syncml.Marshal(reply)
	if err != nil {
		return failed(errorf("encode reply %s: %w", reply.Header.MsgID, err))
	}
	// within the bound of every reply: the MaxMsgSize the message
	// announces (or its session did) and this side's
	peer := parseSize(h.Meta)
	if peer == 0 && h.SessionID == st.SessionID {
		peer = st.MaxMsgSize
	}
	if max := s.cfg.maxMsgSize(peer); max > 0 && len(raw) > max {
		err := errorf("refusal %s of %d bytes: %w", reply.Header.MsgID, len(raw), pkg.LimitCount("MaxMsgSize", int64(max), int64(len(raw)), ""))
		if max == peer {
			err = errorf("%w: the device's MaxMsgSize %d is too small for the refusal (%w)", ErrProtocol, max, err)
		}
		return failed(err)
	}
	if a := s.cfg.ServerAuth; a != nil {
		v, err := a.sign(srvType, reply, password, st, raw)
		if err != nil {
			return failed(err)
		}
		x.Header = hmacHeader(v)
	}
	x.Reply, x.Raw, x.Done = reply, raw, true
	return x, nil
}

// hmacHeader returns the transport headers of a reply signed with v ("":
// none).
func hmacHeader(v string) http.Header {
	if v == "" {
		return nil
	}
	return http.Header{http.CanonicalHeaderKey(HMACHeaderName): {v}}
}

// answered reports whether the message of header h has the SessionID and
// MsgID of the one the state's last reply answered: a replay when its
// bytes are the same too (ReqHash).
func (st *state) answered(h *syncml.Header) bool {
	return st.Reply != nil && h.SessionID == st.SessionID && h.MsgID == st.InMsgID
}

// replay returns the Exchange of a replay of the message the state's last
// reply answered, sent as raw (that reply's bytes), without its Reply:
// device is who the state is of, the Identity unless the state holds the
// one that authenticated the session.
func (st *state) replay(device string, raw []byte) Exchange {
	id := Identity{Device: device}
	if st.Auth != nil {
		id = st.Auth.Identity
	}
	return Exchange{Raw: raw, Header: hmacHeader(st.ReplyHMAC), Replayed: true, Identity: id}
}

// NewSession returns the Session of one device with empty state. cfg may
// be nil; it is not copied and must not change while in use.
func NewSession(cfg *Config) *Session {
	if cfg == nil {
		cfg = &Config{}
	}
	return &Session{cfg: cfg}
}

// Queue appends commands to send to the device, in order; they go out in
// the next reply that may carry new commands. The Session takes ownership
// of them and sets their CmdIDs when it sends them. Commands are sent as
// given: wrap them in a syncml.Atomic to have them applied atomically. An
// Atomic may not hold a Get or another Atomic, at any depth (a device
// fails it: 500, the Atomic 507): Queue refuses one with an error matching
// syncml.ErrInvalid, as it refuses nil commands, Statuses and Results, and
// commands that name no node: an Add, Copy, Delete, Get or Replace
// without an Item, an Exec without exactly one, an Item without the
// LocURI its command needs (Target; Target or Source for Add and Replace;
// both for Copy), at any depth. An Item whose data exceeds
// Config.MaxObjectSize (or DefaultMaxObjectSize when that is larger), at
// any depth, is refused with a *LimitError of MaxObjectSize (ErrLimit).
func (s *Session) Queue(cmds ...syncml.Command) error {
	if len(s.st.Queue)+len(cmds) > s.cfg.maxQueue() {
		return pkg.LimitCount("MaxQueue", int64(s.cfg.maxQueue()), int64(len(s.st.Queue)+len(cmds)), "")
	}
	st := &s.st
	enc, ok := st.queueEncoded()
	later := !ok || (len(st.Queue) == 0 && !s.saveQueue) // encoded when sent or saved
	// commands plainlyEncodable vouches for are none of them nil, a
	// Status or a Results: they need no test of their own
	vouched := later && plainlyEncodable(cmds)
	if !vouched {
		if err := queueable(cmds); err != nil {
			return err
		}
	}
	if err := objectsFit("Queue", cmds, s.cfg.maxQueuedObject()); err != nil {
		return err
	}
	if later {
		// the queue is encoded again when saved, if it is not sent first
		if !vouched {
			if err := encodeToTell(cmds); err != nil {
				return errorf("Queue: %w", err)
			}
		}
		if cap(st.Queue) == 0 && s.queueSpace != nil && len(cmds) <= len(s.queueSpace) {
			st.Queue, s.queueSpace = s.queueSpace[:0], nil
		}
		st.Queue = appendQueue(st.Queue, cmds)
		return nil
	}
	// the new commands are encoded once, to check them and to save them
	enc, err := appendBody(enc[:len(enc):len(enc)], cmds) // never into the old array
	if err != nil {
		return errorf("Queue: %w", err)
	}
	st.Queue = append(st.Queue, cmds...)
	st.queueEnc, st.queueFor = enc, st.Queue
	return nil
}

// queueable reports why cmds cannot be queued: a nil command, an answer
// (Status, Results) in them, an Atomic holding a Get or an Atomic (see
// notInAtomic), or a command that names no node of the peer (see
// unaddressed).
func queueable(cmds []syncml.Command) error {
	for i, c := range cmds {
		if g, ok := c.(*syncml.Get); ok && g != nil {
			// what a server queues most, tested at once
			if why := unaddressed(g, ""); why != "" {
				return unaddressedError("Queue", c, i, why)
			}
			continue
		}
		if isNil(c) {
			return errorf("Queue: nil command")
		}
		switch c.(type) {
		case *syncml.Status, *syncml.Results:
			return errorf("Queue: %s is an answer, not a command to queue", c.ElementName())
		case *syncml.Atomic, *syncml.Sequence:
			// one walk for both: the first illegal command, else the
			// first that names no node
			var why string
			if path, name := illegalInAtomic(c, i, false, nil, &why); path != "" {
				return atomicError("Queue", path, name)
			}
			if why != "" {
				return unaddressedError("Queue", c, i, why)
			}
			continue
		}
		if why := unaddressed(c, ""); why != "" {
			return unaddressedError("Queue", c, i, why)
		}
	}
	return nil
}

// appendQueue appends cmds to q, growing it with room for a few more: a
// server mostly queues a session's commands in a few calls.
func appendQueue(q, cmds []syncml.Command) []syncml.Command {
	if n := len(q) + len(cmds); n > cap(q) {
		q = append(make([]syncml.Command, 0, max(n, 2*cap(q), 16)), q...)
	}
	return append(q, cmds...)
}

// Queued returns the number of commands not yet sent: those queued and,
// while a package or a large object goes out over several messages, the
// rest of it (each piece of an object cut in chunks counts once). Queued
// and Pending both zero means the session has nothing left to send or to
// hear of.
func (s *Session) Queued() int { return len(s.st.Queue) + len(s.st.Cont) }

// Pending returns the number of sent commands whose Status is outstanding.
func (s *Session) Pending() int { return s.st.Sent.pending() }

// Handle takes one received message and returns the reply with what came
// back for the commands sent before. A byte-identical copy of the message the
// last reply answered (same SessionID and MsgID: a device retrying after a
// lost reply), with the same x-syncml-hmac header when it had one, gets that
// reply again (Exchange.Replayed), before the Authenticator is asked, and
// nothing runs. A message of the session with a
// MsgID used before and other bytes, or a lower one, is no replay: it is
// handled as a message of its own.
//
// An error means no reply goes out. Either the message could not be handled
// at all (it is not SyncML, has no SessionID, MsgID, Source or Target, or the
// Authenticator failed), and the state is unchanged; or no reply could be
// made (not even its Statuses fit the MaxMsgSize, an error matching ErrLimit,
// and ErrProtocol too when the bound was the device's; ServerAuth failed; or
// a queued command no longer encodes, changed after Queue),
// and the commands queued before the message or waiting to go are kept, as
// they were queued, and so are the device's partial object (without a chunk
// the message carried: the retry sends it again), the last MsgID answered and
// the commands sent that the message answered, still waiting for its Statuses
// and Results: their Outcomes come with the reply to the device's retry of
// the message (or as Abandoned, with the device's next session, when it
// starts one instead); the commands queued while it was handled (by OnStart,
// the Handler, BeforeReply) go with the reply: the device's retry of the
// message runs those again (OnStart with first as the first try had it), and
// they queue them again, once. A message that restarts the session (Alert
// 1200 or 1201, or a new SessionID) or aborts it (Alert 1223) leaves the
// state as it was before it: the commands it gave up (and an abort's Statuses
// for them), the rest of the package, the partial object and the session's
// counters; the device's retry of the message, or its next message, gives
// them up again and reports them Abandoned, in the Exchange that has a reply,
// once. The nonce the Authenticator gave for the device's next credentials
// goes with the failed reply (the device's retry, with the nonce it has, is
// accepted); the device's owner stays. A Server saves no state on an error:
// the device's next try runs from the state before.
func (s *Session) Handle(ctx context.Context, in *Inbound) (*Exchange, error) {
	m, raw, err := parseInbound(in)
	if err != nil {
		return nil, err
	}
	if s.cfg.SessionToken && s.cfg.RespURI == nil && !absoluteURL(in.URL) {
		if u := in.URL; u != nil && u.Host == "" && (u.Scheme == "http" || u.Scheme == "https") {
			// the request's fault: HTTP/1.0 without a Host header
			return nil, errorf("Config.SessionToken: %w: the request names no host (no Host header) to make the RespURI of", ErrProtocol)
		}
		return nil, errorf("Config.SessionToken needs the URL of the message (Inbound.URL, absolute http or https) or Config.RespURI to make the RespURI of")
	}
	h := &m.Header
	sum := requestHash(raw, in.Header, in.URL)
	st := &s.st
	xr, xs := s.handleSpace, s.exchSpace
	s.handleSpace, s.exchSpace = nil, nil
	if xr == nil {
		xr = new(handleSpace)
	}
	if st.answered(h) && bytes.Equal(sum[:], st.ReqHash) {
		reply := &xr.reply
		if err := syncml.UnmarshalLimits(st.Reply, reply, stateLimits(len(st.Reply), s.cfg.maxStoredData())); err != nil {
			return nil, &storedStateError{errorf("replay: stored reply: %w", err)}
		}
		device := h.Source.LocURI
		if s.keyed {
			device = s.key
		}
		xr.x = st.replay(device, st.Reply)
		xr.x.Reply = reply
		return &xr.x, nil
	}
	// xr is new (a Server's handleSpace is used once): its fields are set
	// one by one, not as structs, whose copy takes a write barrier for
	// each of their pointer words, nil or not, while the garbage
	// collector marks
	ain := &xr.ain
	ain.Message, ain.Raw, ain.Header, ain.TLS, ain.Nonce, ain.Owner = m, raw, in.Header, in.TLS, st.Nonce, st.Owner
	starts := startsSession(m)
	if st.Auth != nil && h.SessionID == st.SessionID && !starts && (!s.cfg.SessionToken || tokenIn(in.URL, st.Auth.Token)) {
		id := st.Auth.Identity
		ain.Accepted = &id
	}
	dec, err := authenticate(ctx, s.cfg.Authenticator, ain)
	if err != nil {
		return nil, err
	}
	if s.keyed && dec.Accepted() && dec.Identity.Device != s.key {
		return nil, &keyError{device: dec.Identity.Device}
	}
	x := &xr.x
	x.Identity = dec.Identity // whole: a field added to Identity is not left out
	if !dec.Accepted() {
		x.Refused = dec.Reason
		if x.Refused == nil {
			x.Refused = errorf("refused with %d", int(dec.Code))
		}
		return s.refuse(ctx, x, m, in.Header, dec)
	}
	if st.Owner == "" && dec.Identity.User != "" {
		st.Owner = dec.Identity.User // bound for good (see AuthInput.Owner)
	}

	// What a restart or an abort changes is put back when the reply fails
	// (see keep): the fields the message changes anyway noted here. A
	// Server's session (keyed) needs none of it: no state is saved on an
	// error.
	var undo restore
	if !s.keyed {
		undo.head(st)
	}
	// the nonce for the device's next credentials, which goes out with
	// the reply: one that fails puts the nonce before back (undo)
	if dec.NextNonce != nil {
		st.Nonce = dec.NextNonce
	}
	// The answers of this side's last reply that did not fit in it go out
	// first; a session given up takes them with it.
	held := st.takeAnswers()
	// A session alert or another SessionID (re)starts the session.
	starting := starts || h.SessionID != st.SessionID
	if starting && !s.keyed {
		undo.note(st, st.Queue, true)
	}
	if starting {
		held = nil
		// What was sent and not answered is given up (Abandoned), also
		// after a refusal in the middle of the session: the device may
		// have run it (its answer was what was refused), and sending it
		// again would run an Exec or an Add twice. The application
		// decides what to send again (AbandonedGets for reads).
		st.rejoinCont()
		undo.rejoin(st.Sent.rejoinUnanswered(!s.keyed))
		x.Outcomes = append(x.Outcomes, inSession(st.Sent.abandon(), st.SessionID)...)
		st.requeue()
		st.LO = nil
		if h.SessionID != st.SessionID {
			st.OutMsgID = s.fromMsgID(h.MsgID)
			if h.SessionID == st.RefusedSession {
				st.OutMsgID = st.RefusedOut
			}
		}
		st.Ended = false
		st.SrvAccepted = false
	}
	st.RefusedSession, st.RefusedOut = "", 0
	if dec.Code == syncml.StatusAuthenticationAccepted {
		// new, not changed: a reply that fails puts the one before back
		// (undo), with its token, and the device has that one
		a := &acceptance{Identity: dec.Identity}
		switch {
		case !s.cfg.SessionToken:
		case starting || st.Auth == nil || st.Auth.Token == "":
			a.Token = newSessionToken()
		default:
			a.Token = st.Auth.Token // the session's, which the device has
		}
		st.Auth = a
	} else if starting {
		st.Auth = nil
	}
	st.SessionID, st.InMsgID = h.SessionID, h.MsgID
	st.XMLNS, st.VerDTD, st.VerProto = m.XMLNS, h.VerDTD, h.VerProto
	var hdrStatus *syncml.Status
	if !h.NoResp {
		hdrStatus = xr.hs.set(h, dec.Code, dec.Chal)
	}
	var cands []syncml.Command  // commands that may go out in this reply
	var queued []syncml.Command // the queue, when cands were taken from it
	var cut []uncut             // the queued commands cut into chunks, as they were
	var ask *syncml.Alert       // the Alert 1222 asking for the device's next message
	continuing := false         // the reply continues a multi-message package
	final := true               // false for a "next message" response
	if n := parseSize(h.Meta); n > 0 {
		st.MaxMsgSize = n
	}
	if h.Meta != nil {
		if n, err := strconv.Atoi(h.Meta.MaxObjSize); err == nil && n > 0 {
			st.MaxObjSize = n
		}
	}
	// What the hooks and the Handler queue from here goes with a reply
	// that fails (see keep): the retry queues it again.
	before, started := len(st.Queue), st.Started
	if starting && s.cfg.OnStart != nil {
		s.cfg.OnStart(ctx, s, dec.Identity, !st.Started)
	}
	st.Started = true
	r := &responder{ctx: ctx, h: s.cfg.Handler, id: dec.Identity, hdr: h, msgRef: h.MsgID,
		lo: &st.LO, maxObj: s.cfg.maxObj(), maxChunks: s.cfg.maxChunks(), maxResults: s.cfg.maxQueuedObject(), joinResults: true, sessionAlerts: true}
	if s.keyed && s.key != "" {
		r.srv = xr.ain.srv // for the segments of an object received, kept for r.id.Device, s.key
		r.prior = st.LO
	}
	sessionAlerts := 0 // top-level alerts the session answers itself: no Request
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status, *syncml.Results:
			r.corrHint++
		case *syncml.Alert:
			if code, err := c.Code(); err == nil && isSessionAlert(code) {
				sessionAlerts++
			}
		}
	}
	// the commands a Status answers, mostly: not the Statuses and Results
	// (but for a Results in chunks)
	answered := len(m.Body.Commands) - r.corrHint
	r.slab.hint, r.reqHint = answered, answered-sessionAlerts
	if xs != nil {
		r.slab.sd, r.slab.refs = xs.sds[:], xs.refs[:]
		r.slab.hint = max(0, r.slab.hint-len(xs.sds))
	}
	r.out = xr.outs[:0] // an answer each, mostly
	if answered > len(xr.outs) {
		r.out = make([]syncml.Command, 0, answered)
	}
	inFlight := st.LO.receiving()
	r.commands(m.Body.Commands)
	if r.segs != nil && r.segs.err != nil {
		// a segment of the object received did not load: nothing is
		// saved (a Server's session), the device's retry joins it
		return nil, r.segs.err
	}
	x.Outcomes = append(x.Outcomes, r.unsent...) // none, mostly
	x.Continued = inFlight && !r.cutObject
	abort, more := r.abort, r.more
	if abort && !s.keyed {
		// before receive matches the Statuses to the commands given up
		undo.note(st, st.Queue[:before], true)
	}
	// Statuses and Results, chunked Results joined, go to their commands.
	var save *[]was // a bare Session's records as they were (undo)
	if !s.keyed {
		if n := min(len(r.corr), len(st.Sent.sent)); n > 0 {
			undo.answered = make([]was, 0, n) // each record once, mostly
		}
		save = &undo.answered
	}
	outs, unmatched, hdrs := st.Sent.receive(r.corr, itoa(st.OutMsgID), st.LO.resultsOf(), save)
	outs = st.Sent.fillDropped(outs, r.dropped) // why Results in chunks were dropped
	// an object sent in chunks is reported whole
	undo.rejoin(st.Sent.rejoinAnswered(outs, !s.keyed))
	inSession(outs, h.SessionID)
	unmatched = st.noteDevice(hdrs, unmatched, s.cfg.ServerAuth.maxNonce())
	if len(x.Outcomes) == 0 {
		x.Outcomes = outs // receive's own: no copy
	} else {
		x.Outcomes = append(x.Outcomes, outs...)
	}
	x.Unmatched = unmatched
	if rc := st.Sent.refusedChunk(); rc != nil && !abort {
		// The device refused this side's object in flight (413, most
		// often): no chunk of it goes out any more; its Outcome says so.
		if !s.keyed {
			// after receive: the records hold the message's answers,
			// which answered puts back
			undo.note(st, st.Queue[:before], false)
		}
		x.Outcomes = append(x.Outcomes, inSession([]Outcome{st.dropRefused(rc)}, h.SessionID)...)
	}
	if abort {
		// The session ends here: what it sent and was not answered is
		// given up before BeforeReply, which sees it among x.Outcomes
		// (what it queues waits for the device's next session).
		st.rejoinCont()
		undo.rejoin(st.Sent.rejoinUnanswered(!s.keyed))
		x.Outcomes = append(x.Outcomes, inSession(st.Sent.abandon(), h.SessionID)...)
		n := len(st.Queue)
		st.requeue()
		// the rest of the package, now in front of the queue, is kept
		// when the reply fails, as the queue before the message is
		before += len(st.Queue) - n
		st.Ended = true
	}
	if s.cfg.BeforeReply != nil {
		s.cfg.BeforeReply(ctx, s, m, x)
	}
	// Room for the commands that may go out too, so that pack does not
	// grow it, and, after it, for the answers followed by those commands.
	room := 2 + len(held) + len(r.out) + len(st.Queue) + len(st.Cont)
	buf := xr.cmds[:0:min(2*room, len(xr.cmds))]
	if 2*room > cap(buf) {
		buf = make([]syncml.Command, 0, 2*room)
	}
	body := buf[:0:room]
	if hdrStatus != nil {
		body = append(body, hdrStatus)
	}
	if abort {
		// In one message, the last: Statuses only (an object in flight
		// goes with the session, without the Alert 1225 that cut it).
		for _, c := range r.out {
			if _, ok := c.(*syncml.Status); ok {
				body = append(body, c)
			}
		}
	}
	// A reply that fails sends nothing: the answers held and the commands
	// taken for it go back in front of the rest of the package (which a
	// restart requeues), not lost with the error: keep puts them back,
	// with what the message changed, on every error from here.
	answers := 0          // the answers at the head of cands (below)
	var refused []refusal // the commands this reply refused for MaxMsgSize
	var whole uncut       // the command a forced message may cut, as it was
	keep := func() {
		whole.undo()
		cmds := cands[answers:]
		if n := len(cmds); ask != nil && n > 0 && cmds[n-1] == ask {
			cmds = cmds[:n-1]
		}
		switch {
		case queued != nil:
			// Taken from the queue, they go back to it, the objects cut
			// with the Items they were queued with (the others refused
			// too: their Outcomes go with the reply), and go out when the
			// message is retried.
			undoCuts(cut)
			st.Queue, st.queueEnc, st.queueFor = queued, nil, nil
			cmds = nil
		case len(refused) > 0:
			// Their Outcomes go with the reply: they are refused again
			// when the message is, each where it was.
			cmds = slices.Clone(cmds)
			for i := len(refused) - 1; i >= 0; i-- {
				cmds = slices.Insert(cmds, refused[i].at-answers, refused[i].cmd)
			}
		}
		if len(held)+len(cmds) > 0 {
			st.Cont = append(append(append(make([]syncml.Command, 0, len(held)+len(cmds)+len(st.Cont)), held...), cmds...), st.Cont...)
		}
		// The commands queued while the message was handled (by OnStart,
		// the Handler, BeforeReply) go with the reply, as a Server's
		// state does: the device's retry runs the hooks again, and they
		// queue them again (OnStart with first as before), not twice.
		if len(st.Queue) > before {
			clear(st.Queue[before:])
			st.Queue, st.queueEnc, st.queueFor = st.Queue[:before], nil, nil
		}
		st.Started = started
		undo.put(st) // last: over what keep put back
	}
	// The device's package ends with its Final, but not while an object
	// of its is in flight: a chunk (MoreData) sent with Final is answered
	// as one sent without, asking for the next message (OMA DM: chunks go
	// in contiguous messages of one package).
	if m.Body.Final && st.LO != nil && st.LO.Refused != 0 {
		// the chunks of a refused object go in one package, which ends
		st.LO = nil
	}
	pkgEnd := m.Body.Final && st.LO == nil
	switch {
	case abort:
		// given up above, before BeforeReply
	case len(st.Cont) > 0 && (more || pkgEnd || nextMessageResponse(m)):
		// The rest of this side's package goes out when asked for (while
		// the device's package goes on, the next case asks for it).
		if more {
			cands, st.Cont, continuing = st.Cont, nil, true
		}
	case !pkgEnd && !nextMessageResponse(m) && st.Sent.continued(st.Cont) != nil:
		// The device's package goes on, and so does this side's object in
		// flight: its next chunk goes, which asks for the device's next
		// message (OMA DM: chunks go in contiguous messages), with no
		// Alert 1222 in front of it, which would cut it. The rest of the
		// package waits to be asked for.
		k := objectEnd(st.Cont)
		cands, st.Cont, continuing = st.Cont[:k:k], st.Cont[k:], true
		final = len(st.Cont) == 0
	case len(st.Cont) > 0 && !pkgEnd && st.LO == nil && st.Sent.pending() == 0:
		// The device answered all this side's package has sent so far,
		// with no object of its own in flight, and left out the Alert
		// 1222 (OMA DM allows it when Results go back): the package goes
		// on. Asking for the device's next message instead would be the
		// "Next Message" response, which is for after this side's Final.
		cands, st.Cont, continuing = st.Cont, nil, true
	case !pkgEnd && !nextMessageResponse(m):
		// The device's package goes on: ask for its next message, without
		// Final (OMA DM, multiple messages in a package).
		ask = NewAlert(syncml.AlertNextMessage)
		final = false
	case !st.Ended && st.Sent.pending() == 0 && len(st.Queue) > 0:
		queued = st.Queue
		var tooBig []syncml.Command // over the device's MaxObjSize
		var tooMany []manyChunks    // over MaxObjectChunks
		cands, tooBig, tooMany, cut, err = chunkBounded(st.Queue, s.cfg.maxMsgSize(st.MaxMsgSize), st.MaxObjSize, s.cfg.maxChunks(),
			&syncml.Header{VerDTD: h.VerDTD, VerProto: h.VerProto, SessionID: h.SessionID, Target: h.Source, Source: h.Target}, nil)
		if err != nil {
			// nothing stays cut (chunkCommands undid its cuts): the
			// queue, and what the message changed, are put back
			keep()
			return nil, errorf("chunk queued commands: %w", err)
		}
		st.Queue = nil
		for _, c := range tooBig {
			x.Outcomes = append(x.Outcomes, Outcome{Command: c,
				Err: errorf("%s not sent: its object is larger than the device's MaxObjSize %d", c.ElementName(), st.MaxObjSize)})
		}
		for _, c := range tooMany {
			x.Outcomes = append(x.Outcomes, Outcome{Command: c.cmd,
				Err: errorf("%s not sent: its object takes too many chunks at a MaxMsgSize of %d: %w", c.cmd.ElementName(),
					s.cfg.maxMsgSize(st.MaxMsgSize), pkg.LimitCount("MaxObjectChunks", int64(s.cfg.maxChunks()), int64(c.chunks), ""))})
		}
	}
	// The answers go first, in order, over as many messages as they need
	// when they do not fit in one (the device asks for the next with
	// Alert 1222), and then the commands that may go out.
	if !abort && len(held)+len(r.out) > 0 {
		answers = len(held) + len(r.out)
		all := buf[room:room]
		cands = append(append(append(all, held...), r.out...), cands...)
		continuing = continuing || (more && len(held) > 0)
		if ask != nil {
			cands = append(cands, ask) // after the answers, when they all fit
		}
	} else if ask != nil {
		body = append(body, ask)
	}
	st.OutMsgID++
	reply := &xr.reply // new, as ain: the fields one by one
	reply.XMLNS = m.XMLNS
	reply.Header.VerDTD, reply.Header.VerProto, reply.Header.SessionID = h.VerDTD, h.VerProto, h.SessionID
	reply.Header.MsgID = itoa(st.OutMsgID)
	reply.Header.Target, reply.Header.Source = h.Source, h.Target
	reply.Body.Commands, reply.Body.Final = body, true
	if n := s.cfg.AnnounceMaxMsgSize; n > 0 {
		reply.Header.Meta = &syncml.Meta{MaxMsgSize: strconv.Itoa(n)}
	}
	if n := s.cfg.announcedObj(); n > 0 && starting {
		// the session's MaxObjSize, in force until it ends
		if reply.Header.Meta == nil {
			reply.Header.Meta = &syncml.Meta{}
		}
		reply.Header.Meta.MaxObjSize = strconv.Itoa(n)
	}
	if s.cfg.RespURI != nil {
		reply.Header.RespURI = s.cfg.RespURI(ctx, dec.Identity, m)
	}
	if a := st.Auth; s.cfg.SessionToken && a != nil && a.Token != "" {
		if reply.Header.RespURI, err = tokenRespURI(reply.Header.RespURI, in.URL, a.Token); err != nil {
			st.OutMsgID--
			keep()
			return nil, err
		}
	}
	var password string
	var srvType AuthType
	if a := s.cfg.ServerAuth; a != nil {
		srvType = a.typeFor(st, m, in.Header)
		if password, err = a.present(ctx, srvType, dec.Identity, st, reply); err != nil {
			st.OutMsgID--
			keep()
			return nil, err
		}
	}
	max, cont := s.cfg.maxMsgSize(st.MaxMsgSize), st.Sent.continued(cands[answers:])
	if abort && max > 0 {
		fitAbort(reply, max, m)
	}
	// Answers held from the last reply (a device's message of more
	// commands than one reply carries): this one packs only what one
	// message can carry, not every answer still held (each message of the
	// spread encoded them all: work growing with the square of their number).
	packer := pack
	if len(held) > 0 {
		packer = func(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command) ([]byte, []syncml.Command, []syncml.Command, error) {
			return pack(buf, reply, cands, max, force, final, cont)
		}
	}
	if continuing {
		whole.note(cands)
	}
	out, send, rest, err := packer(s.replyBuf, reply, cands, max, continuing, final, cont)
	owned := false
	for {
		if err == nil && answers > 0 && ask != nil && len(rest) > 0 {
			// The answers go on in the next message: the Alert 1222 goes in
			// this one all the same, before them (and a command cut to fill
			// this message is cut anew).
			whole.undo()
			reply.Body.Commands = append(body, ask)
			out, send, rest, err = packer(s.replyBuf, reply, cands[:len(cands)-1], max, continuing, final, cont)
		}
		// A command that no message within the bound can carry is not
		// sent (unless an object it ends went out in part): its Outcome
		// says why, and the rest goes on without it.
		c := unfit(err)
		if c == nil || c == cont {
			break
		}
		k := answers + slices.Index(cands[answers:], c)
		if k < answers {
			break
		}
		end := k + 1
		if isChunk(c) {
			// The first chunk of an object none of which went out (cont
			// is the one in flight): the whole object is not sent.
			end = k + objectEnd(cands[k:])
			c = rejoin(cands[k:end])
		}
		x.Outcomes = append(x.Outcomes, Outcome{Command: c,
			Err: errorf("%s not sent: no message within the device's MaxMsgSize carries it: %w", c.ElementName(), err)})
		if !owned { // cands may share its array: a copy of its own
			cands, owned = slices.Clone(cands), true
		}
		refused = append(refused, refusal{at: k, cmd: c})
		cands = slices.Delete(cands, k, end)
		cont = st.Sent.continued(cands[answers:])
		reply.Body.Commands = body
		// The device's MaxMsgSize may leave every queued command unfit:
		// each refusal packs what one message can carry, not the queue.
		if continuing {
			whole.note(cands)
		}
		out, send, rest, err = pack(s.replyBuf, reply, cands, max, continuing, final, cont)
	}
	if err != nil {
		devices := st.MaxMsgSize > 0 && max == st.MaxMsgSize // before keep puts the last one back
		st.OutMsgID--
		keep()
		if devices && errors.Is(err, ErrLimit) {
			// the device's own bound, which no reply fits in: its fault,
			// not this side's (a Server answers 400, not 500)
			err = errorf("%w: the device's MaxMsgSize %d is too small for the reply (%w)", ErrProtocol, max, err)
		}
		return nil, err
	}
	send = send[min(answers, len(send)):] // the commands sent, which wait for their Status
	if ask != nil && len(send) > 0 && send[len(send)-1] == ask {
		send = send[:len(send)-1] // an Alert of the session's own (below)
	}
	signature := "" // the last reply's stays when this one fails
	if a := s.cfg.ServerAuth; a != nil {
		if signature, err = a.sign(srvType, reply, password, st, out); err != nil {
			st.OutMsgID--
			keep()
			return nil, err
		}
		x.Header = hmacHeader(signature)
	}
	st.ReplyHMAC = signature
	st.Cont = append(rest, st.Cont...) // kept when not asked for
	for _, c := range reply.Body.Commands[:len(reply.Body.Commands)-len(send)] {
		if a, ok := c.(*syncml.Alert); ok {
			st.Sent.addInternal(reply.Header.MsgID, a)
		}
	}
	if n := len(send); n > 0 && !isChunk(send[n-1]) {
		st.Sent.addAll(reply.Header.MsgID, send, xs) // a chunk is only ever last
	} else {
		for _, c := range send {
			if isChunk(c) {
				st.Sent.addInternal(reply.Header.MsgID, c)
			} else {
				st.Sent.add(reply.Header.MsgID, c)
			}
		}
	}
	if s.keyed {
		// a Server's session (a bare Session's failed reply puts the
		// records of the Statuses it matched back, in place)
		st.Sent.dropAsks()
	}
	st.sentEnc, st.sentOff = encodedRun(out, send)
	st.sentFor = send
	x.Done = reply.Body.Final
	for _, c := range reply.Body.Commands {
		if _, ok := c.(*syncml.Status); !ok {
			x.Done = false
		}
	}
	if x.Done && st.Sent.pending() == 0 {
		st.Sent.prune()
	}
	if x.Done {
		// The session is over: a message that goes on with its SessionID
		// (not a replay) is authenticated again, not taken as the user
		// accepted with 212 (AuthInput.Accepted), which anyone knowing the
		// device's ID and guessing the SessionID could otherwise claim
		// until the device's next session. Its token ends with it.
		st.Auth = nil
	}
	st.reqHash = sum // kept in the Session: no allocation of its own
	st.ReqHash, st.Reply = st.reqHash[:], out
	x.Reply, x.Raw = reply, out
	return x, nil
}

// A refusal is a command a reply refused for MaxMsgSize (an object
// rejoined) and where it was among the reply's candidates, for the reply
// that fails to put back (see Handle's keep).
type refusal struct {
	at  int
	cmd syncml.Command
}

// requeue puts the commands of an unfinished package back at the front of
// the queue: they were never sent.
func (st *state) requeue() {
	st.rejoinCont()
	if len(st.Cont) > 0 {
		st.Queue = append(st.Cont, st.Queue...)
		st.Cont = nil
	}
}

// hmacHeaderKey is HMACHeaderName as net/http keys it.
var hmacHeaderKey = http.CanonicalHeaderKey(HMACHeaderName)

// requestHash returns what tells a replay of a message (ReqHash): the
// SHA-256 of its bytes, of its x-syncml-hmac header (the first) when it
// has one, and of the session token its URL carries (SessionTokenParam)
// when it carries one. The header under HMAC, and the token under
// Config.SessionToken, are what authenticate a message whose bytes hold
// no secret: a replay is of them too, so that the bytes of a device's
// message posted again without them, or with others, are authenticated
// rather than answered with the kept reply (which carries the token). A
// message with neither hashes as before.
func requestHash(raw []byte, hdr http.Header, u *url.URL) [sha256.Size]byte {
	var v string
	if vs := hdr[hmacHeaderKey]; len(vs) > 0 {
		v = vs[0]
	}
	tok, hasTok := urlToken(u)
	if v == "" && !hasTok {
		return sha256.Sum256(raw)
	}
	h := sha256.New()
	h.Write(raw)
	if v != "" {
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	if hasTok {
		h.Write([]byte{1})
		h.Write([]byte(tok))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// parseInbound returns the message and its bytes.
func parseInbound(in *Inbound) (*syncml.Message, []byte, error) {
	if in == nil {
		return nil, nil, errorf("Handle: nil Inbound")
	}
	m, raw := in.Message, in.Raw
	if m == nil {
		if raw == nil {
			return nil, nil, errorf("Handle: Inbound has neither Raw nor Message")
		}
		m = new(syncml.Message)
		if err := syncml.Unmarshal(raw, m); err != nil {
			return nil, nil, errorf("received message: %w", err)
		}
	}
	if raw == nil {
		var err error
		if raw, err = syncml.Marshal(m); err != nil {
			return nil, nil, errorf("received message: %w", err)
		}
	}
	if m.NoHeader {
		return nil, nil, errorf("%w: received message has no SyncHdr", ErrProtocol)
	}
	if !syncMLNamespace(m.XMLNS) {
		return nil, nil, errorf("%w: received message's root is in namespace %s, not SyncML's", ErrProtocol, shown(m.XMLNS))
	}
	if m.Header.SessionID == "" {
		return nil, nil, errorf("%w: received message has no SessionID", ErrProtocol)
	}
	if m.Header.MsgID == "" {
		return nil, nil, errorf("%w: received message has no MsgID", ErrProtocol)
	}
	// The DTD requires both: without a Source the message names no
	// device, without a Target the reply would have no Source.
	if m.Header.Source.LocURI == "" {
		return nil, nil, errorf("%w: received message has no SyncHdr Source LocURI", ErrProtocol)
	}
	if m.Header.Target.LocURI == "" {
		return nil, nil, errorf("%w: received message has no SyncHdr Target LocURI", ErrProtocol)
	}
	// A Status or Results names what it answers by CmdID alone: commands
	// without one, with "0" (the SyncHdr's CmdRef) or with one used twice
	// could be answered only ambiguously, and MS-MDM 2.2.3.2 forbids them
	if err := m.ValidateCmdIDs(); err != nil {
		return nil, nil, errorf("%w: received message: %w", ErrProtocol, err)
	}
	return m, raw, nil
}

// startsSession reports whether m holds an Alert 1200 or 1201.
func startsSession(m *syncml.Message) bool {
	for _, c := range m.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && (code == syncml.AlertClientInitiated || code == syncml.AlertServerInitiated) {
				return true
			}
		}
	}
	return false
}

// number gives cmds, and the commands nested in them, the CmdIDs n+1, n+2…
func number(cmds []syncml.Command, n *int) {
	for _, c := range cmds {
		*n++
		// what a reply holds most, without the two method calls
		switch c := c.(type) {
		case *syncml.Status:
			if c != nil {
				c.CmdID = itoa(*n)
			}
			continue
		case *syncml.Get:
			if c != nil {
				c.CmdID = itoa(*n)
			}
			continue
		}
		c.SetID(itoa(*n))
		if nested := c.Nested(); nested != nil {
			number(nested, n)
		}
	}
}

// isNil reports whether c is nil or a nil pointer of a command type.
func isNil(c syncml.Command) bool {
	switch c := c.(type) {
	case nil:
		return true
	case *syncml.Add:
		return c == nil
	case *syncml.Alert:
		return c == nil
	case *syncml.Atomic:
		return c == nil
	case *syncml.Copy:
		return c == nil
	case *syncml.Delete:
		return c == nil
	case *syncml.Exec:
		return c == nil
	case *syncml.Get:
		return c == nil
	case *syncml.Replace:
		return c == nil
	case *syncml.Results:
		return c == nil
	case *syncml.Sequence:
		return c == nil
	case *syncml.Status:
		return c == nil
	case *syncml.Unknown:
		return c == nil
	}
	return false
}
