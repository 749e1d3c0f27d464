package session

import "github.com/windc-go/windc/syncml"

// A clientMark is what Start or Handle may change of a Client, noted
// before the call changes it, for a call that fails to put back (put): a
// failed call leaves the Client as it was. That is the session's
// counters, the server's MaxMsgSize (and whether it was heard), the
// queue (taken into the message, and what the hooks queued while it was
// built), the rest of the device's package, package 1, the partial
// object the server is sending, the records of the commands sent (a
// slice that a reset or an abort drops, and the records whose Statuses
// and Results the message carried: answered), the Outcomes of sessions
// given up not handed out yet (abandoned: a failed call leaves them to
// the next one), whether the session gave up on authentication (refused)
// or Run failed to post the last message (unsent), and the device's
// Status for the server's SyncHdr with the nonce it gives (ServerAuth).
// What finish cut for the failed message it puts back itself; the
// objects a call made whole again (uncutSession: package 1 sent again, a
// session given up) are cut again (recut). The server's challenge (Chal)
// is kept: the server gave it.
//
// Noting costs a few words and no allocation: answered is the Client's
// buffer, reused.
type clientMark struct {
	sessionID, inMsgID             string
	outMsgID, retries, peerMax     int
	nextEach                       []syncml.Command
	peerObj                        int
	ended, lastPkg1, srvOK, unsent bool
	peerSeen                       bool
	pkg1Own                        int
	refused                        syncml.StatusCode
	srvNext                        *srvStatus
	srvNonce                       []byte
	chal                           *syncml.Chal
	queue, cont, pkg1, lastSent    []syncml.Command
	cuts                           []uncut
	splitGets                      []splitGet
	abandoned                      []Outcome
	lo                             *largeObject
	loLen                          int
	sent                           []*sentCmd
	next                           int
	// answered are the records receive changed, as they were (see
	// correlator.receive's save).
	answered []was
	// recut are the commands the call made whole again (uncutSession),
	// with the Items they had cut.
	recut []uncut
	// gaveUp is not put back but set by the call: the code of the
	// refusal with which the session gave up on authentication (see
	// Client.refused), 0 when it did not.
	gaveUp syncml.StatusCode
}

// mark notes what c is now.
func (u *clientMark) mark(c *Client) {
	u.sessionID, u.inMsgID = c.sessionID, c.inMsgID
	u.outMsgID, u.retries, u.peerMax, u.nextEach = c.outMsgID, c.retries, c.peerMax, c.nextEach
	u.ended, u.lastPkg1, u.srvOK, u.srvNext = c.ended, c.lastPkg1, c.srvOK, c.srvNext
	u.pkg1Own, u.refused, u.unsent = c.pkg1Own, c.refused, c.unsent
	u.peerSeen, u.peerObj, u.chal = c.peerSeen, c.peerObj, c.chal
	if c.cfg.ServerAuth != nil {
		u.srvNonce = c.cfg.ServerAuth.Nonce
	}
	u.queue, u.cont, u.pkg1, u.lastSent, u.cuts = c.queue, c.cont, c.pkg1, c.lastSent, c.cuts
	u.abandoned, u.splitGets = c.abandoned, c.splitGets
	u.lo, u.loLen = c.lo, c.lo.dataLen()
	u.sent, u.next = c.sent.sent, c.sent.next
	u.answered = c.answered[:0]
}

// put puts c back as mark found it, after a failed call.
func (u *clientMark) put(c *Client) {
	putAnswered(u.answered)
	undoCuts(u.recut)
	c.sessionID, c.inMsgID = u.sessionID, u.inMsgID
	c.outMsgID, c.retries, c.peerMax, c.nextEach = u.outMsgID, u.retries, u.peerMax, u.nextEach
	c.ended, c.lastPkg1, c.srvOK, c.srvNext = u.ended, u.lastPkg1, u.srvOK, u.srvNext
	c.pkg1Own, c.refused, c.unsent = u.pkg1Own, u.refused, u.unsent
	c.peerSeen, c.peerObj, c.chal = u.peerSeen, u.peerObj, u.chal
	if c.cfg.ServerAuth != nil {
		c.cfg.ServerAuth.Nonce = u.srvNonce
	}
	// What the hooks queued while the message was handled goes with it:
	// they run again when a message is handled again.
	clear(u.queue[len(u.queue):cap(u.queue)])
	c.queue, c.cont, c.pkg1, c.lastSent, c.cuts = u.queue, u.cont, u.pkg1, u.lastSent, u.cuts
	c.abandoned, c.splitGets = u.abandoned, u.splitGets
	if c.lo = u.lo; u.lo != nil {
		u.lo.Data = u.lo.Data[:u.loLen]
	}
	c.sent.sent, c.sent.index, c.sent.next = u.sent, nil, u.next
	u.drop(c)
}

// drop forgets what mark noted, after the call: the records of answered
// are not held on to until the next message.
func (u *clientMark) drop(c *Client) {
	clear(u.answered)
	c.answered = u.answered[:0]
}
