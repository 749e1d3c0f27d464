package session

import (
	"slices"

	"github.com/windc-go/windc/syncml"
)

// A restore is what a message changes of the state, noted before the
// change, for a reply that fails to put back (see Handle's keep): the
// counters, the partial object and the records of the commands whose
// Statuses and Results the message carried (their Outcomes come with the
// retry's reply); and what a restart or an abort of the session changes:
// the commands sent (given up), the rest of this side's package and the
// queue (requeued), the partial object (dropped or cut), an object of
// this side's in flight (rejoined) and the session's counters. The
// device's retry of the message, or its next message, then finds them as
// the first try did, and the commands given up are reported Abandoned by
// the exchange that gets a reply, once. A Server saves no state on an
// error and needs none of this; a bare Session does.
//
// Noting costs a few words when there is nothing to save: a fresh device
// restarts with no command sent, no package in flight and no object.
type restore struct {
	// headed is set by head, saved by note.
	headed, saved bool
	// answered are the records of Sent the message's Statuses and Results
	// changed (receive), as they were before, and next the correlator's
	// hint: the device's retry of the message matches them again, and
	// its Outcomes come with the retry's reply; its next session gives
	// them up (Abandoned).
	answered []was
	next     int
	// sent are Sent's records, recs their values (an abort's message
	// matches its Statuses to them before giving them up) and ids their
	// commands' CmdIDs (a command requeued is numbered anew in the reply).
	sent []*sentCmd
	recs []sentCmd
	ids  []string
	// cont is Cont before the message took its answers; queue, queueEnc
	// and queueFor the queue before the hooks ran.
	cont, queue, queueFor []syncml.Command
	queueEnc              []byte
	// lo is the partial object, loLen the length of its data and
	// loChunks its chunks.
	lo              *largeObject
	loLen, loChunks int
	// joined is the command of an object in flight that rejoinCont makes
	// whole, with its Items as they were.
	joined uncut
	// rejoined is what the objects sent in chunks made whole for their
	// Outcomes changed (see correlator.rejoinAnswered), in the order changed.
	rejoined []*rejoinUndo
	// the counters and the session's identity
	sessionID, inMsgID, xmlns, verDTD, verProto, refusedSession string
	outMsgID, refusedOut, maxMsgSize, maxObjSize                int
	ended, srvAccepted                                          bool
	// auth is the acceptance with its token: a new token issued with a
	// reply that fails never reached the device either.
	auth *acceptance
	// nonce is the nonce for the device's next credentials: the one the
	// Authenticator issued with a reply that fails never reached it.
	nonce []byte
}

// head records the fields of st that every message changes (or may), and
// Cont and the partial object, before the message is handled: a few words
// (the rest, only for a restart or an abort, is noted by note). They are
// put back after any failed reply: a chunk the message added to the
// partial object is sent again by the device's retry.
func (u *restore) head(st *state) {
	u.headed = true
	u.cont, u.lo, u.loLen = st.Cont, st.LO, st.LO.dataLen()
	if st.LO != nil {
		u.loChunks = st.LO.Chunks
	}
	u.sessionID, u.inMsgID, u.xmlns, u.verDTD, u.verProto = st.SessionID, st.InMsgID, st.XMLNS, st.VerDTD, st.VerProto
	u.refusedSession, u.refusedOut = st.RefusedSession, st.RefusedOut
	u.outMsgID, u.maxMsgSize, u.maxObjSize = st.OutMsgID, st.MaxMsgSize, st.MaxObjSize
	u.ended, u.srvAccepted, u.auth, u.nonce = st.Ended, st.SrvAccepted, st.Auth, st.Nonce
	u.next = st.Sent.next
}

// note records, once, what a restart or an abort changes of st beyond
// what head recorded: queue is the queue before the hooks ran, st.Cont is
// Cont without the answers Handle took from it. records is false when
// the message's Statuses and Results were matched already (receive): the
// records then hold them, and answered and rejoined put back what they
// changed, so only the list is noted (a refused object's end, which
// changes the list, not the records). Noting the records then would bring
// the matched Statuses back with a failed reply, and the device's retry
// would find its Statuses' commands answered.
func (u *restore) note(st *state, queue []syncml.Command, records bool) {
	if u.saved {
		return
	}
	u.saved = true
	if n := len(st.Sent.sent); n > 0 {
		// rejoinCont changes the list in place, an abort's receive the
		// records
		u.sent = slices.Clone(st.Sent.sent)
		if records {
			u.recs, u.ids = make([]sentCmd, n), make([]string, n)
			for i, e := range u.sent {
				u.recs[i], u.ids[i] = *e, e.Cmd.ID()
			}
		}
	}
	u.queue, u.queueEnc, u.queueFor = queue, st.queueEnc, st.queueFor
	if st.Sent.continued(st.Cont) != nil {
		c := st.Cont[objectEnd(st.Cont)-1]
		u.joined = uncut{cmd: c, items: c.ItemList()}
	}
}

// put puts back in st what head recorded, after any failed reply: the
// partial object, the counters (the last MsgID answered among them: the
// failed reply answered nothing), the nonce (the retry's credentials are
// of the one the device has) and the session's token (Config.SessionToken:
// the device has the one before); the records of the commands the message
// answered (answered); and what note recorded, if anything.
func (u *restore) put(st *state) {
	if !u.headed {
		return
	}
	putAnswered(u.answered)
	for _, r := range slices.Backward(u.rejoined) {
		r.put()
	}
	st.Sent.next = u.next
	if st.LO = u.lo; u.lo != nil {
		u.lo.Data, u.lo.Chunks = u.lo.Data[:u.loLen], u.loChunks
	}
	st.SessionID, st.InMsgID, st.XMLNS, st.VerDTD, st.VerProto = u.sessionID, u.inMsgID, u.xmlns, u.verDTD, u.verProto
	st.RefusedSession, st.RefusedOut = u.refusedSession, u.refusedOut
	st.OutMsgID, st.MaxMsgSize, st.MaxObjSize = u.outMsgID, u.maxMsgSize, u.maxObjSize
	st.Ended, st.SrvAccepted, st.Auth, st.Nonce = u.ended, u.srvAccepted, u.auth, u.nonce
	if !u.saved {
		return
	}
	for i, e := range u.recs {
		if *u.sent[i] = e; e.Cmd.ID() != u.ids[i] {
			e.Cmd.SetID(u.ids[i])
		}
	}
	st.Sent.sent, st.Sent.index, st.Sent.next = u.sent, nil, 0
	st.Cont = u.cont
	st.Queue, st.queueEnc, st.queueFor = u.queue, u.queueEnc, u.queueFor
	u.joined.undo()
}

// rejoin notes r, what rejoinAnswered or rejoinUnanswered changed (nil: nothing), to put back.
func (u *restore) rejoin(r *rejoinUndo) {
	if r != nil {
		u.rejoined = append(u.rejoined, r)
	}
}

// was is a record of Sent as receive found it: the fields it changes.
type was struct {
	s       *sentCmd
	status  *syncml.Status
	results []*syncml.Results
	held    bool
}

// putAnswered puts back the records receive changed, saved in answered,
// as they were before.
func putAnswered(answered []was) {
	for i := len(answered) - 1; i >= 0; i-- { // the first saved of a record last
		w := &answered[i]
		// capped: the retry's Results do not go into an array the failed
		// reply's Outcomes hold
		w.s.Status, w.s.Results, w.s.Held = w.status, w.results[:len(w.results):len(w.results)], w.held
	}
}
