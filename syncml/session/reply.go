package session

import (
	"context"
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// A responder executes the commands of one received message through a
// Handler and collects the Statuses (and Results) that answer them, in
// the order of the commands they answer.
type responder struct {
	ctx    context.Context
	h      Handler
	id     Identity
	hdr    *syncml.Header
	msgRef string
	out    []syncml.Command
	// sessionAlerts makes the responder answer the session alerts (1200,
	// 1201, 1222, 1223) itself, 200, instead of the handler, noting 1223
	// in abort and 1222 in more.
	sessionAlerts bool
	// cutObject is set when a command cut the partial object (Alert
	// 1225): the message did not go on with it.
	cutObject   bool
	abort, more bool
	// nest counts the Sequences the command being answered is in: a
	// session start (1200, 1201) counts only at the top of the body.
	nest int
	// lo is the session's partial large object (nil: none), maxObj the
	// bound of a received object's data and maxChunks, when above 0, of
	// its chunks (Config.MaxObjectChunks, ClientConfig.MaxObjectChunks).
	lo        **largeObject
	maxObj    int
	maxChunks int
	// srv, on a Server's session, is the Server, which keeps the data of
	// a received object in segments in its Store (largeobj_segs.go), for
	// the device id names: segs once made (without srv the state keeps
	// it all).
	srv  *Server
	segs *segStore
	// prior is the object the state held before the message (nil: none).
	// Its segments are under the names a next object's take, and stay
	// named by the state in the Store until the one after the message is
	// saved: another object's data is not moved to segments in the same
	// message (see responder.flush).
	prior *largeObject
	// maxResults, when above 0, bounds the data of an Item of the
	// Results a handler gives: a larger one is not sent, its command
	// fails (500) and the Outcome in unsent says why. On the server side
	// it is Config.maxQueuedObject, so that no state the session saves
	// holds an Item it would not load again; on a Client (peerResults),
	// the server's MaxObjSize.
	maxResults  int
	peerResults bool
	unsent      []Outcome
	// joinResults (the server side) buffers Results sent in chunks (213
	// each) and joins them; corr then holds the received Statuses and
	// Results to correlate, in order, a chunked Results once whole.
	joinResults bool
	corr        []syncml.Command
	// dropped notes the Results objects dropped (refused or cut) while
	// the message was answered, for their commands' Outcomes (see
	// fillDropped).
	dropped []droppedResults
	// corrHint, when above 0, is the room corr is allocated with: the
	// Statuses and Results of the message's body.
	corrHint int
	// slab holds the Statuses of out, allocated a few at a time.
	slab statusSlab
	// reqs are Requests not yet handed to the handler, reqHint (when
	// above 0) the number of commands the message has to answer (see
	// newRequest).
	reqs    []Request
	reqHint int
}

// correlate appends c to corr, allocated at first with the room of
// corrHint.
func (r *responder) correlate(c syncml.Command) {
	if r.corr == nil && r.corrHint > 0 {
		r.corr = make([]syncml.Command, 0, r.corrHint)
	}
	r.corr = append(r.corr, c)
}

// commands answers cmds, the top level or the inside of a Sequence.
func (r *responder) commands(cmds []syncml.Command) {
	for _, c := range cmds {
		r.command(c)
	}
}

func (r *responder) command(c syncml.Command) {
	switch c := c.(type) {
	case *syncml.Results:
		// Results are correlated, not answered, unless they come in chunks.
		if !r.joinResults {
			r.correlate(c)
		} else if whole := r.resultsChunk(c); whole != nil {
			r.correlate(whole)
		}
		return
	case *syncml.Status:
		r.correlate(c)
		return
	case *syncml.Unknown, nil:
		// An unknown element has no CmdID a Status could name.
		return
	case *syncml.Atomic:
		if r.lo != nil && *r.lo != nil {
			r.cut()
		}
		r.atomic(c)
		return
	case *syncml.Sequence:
		r.status(c, syncml.StatusOK, c.NoResp)
		r.nest++
		r.commands(c.Commands)
		r.nest--
		return
	}
	if r.lo != nil && r.chunk(c) {
		return
	}
	resp := r.serve(c, false)
	r.answer(c, resp)
}

// serve asks the handler (or the session, for session alerts). An Alert
// 1200 or 1201 inside a Sequence or an Atomic starts no session (see
// startsSession): it is refused, 400, rather than answered as if it had.
func (r *responder) serve(c syncml.Command, inAtomic bool) Response {
	if a, ok := c.(*syncml.Alert); ok && r.sessionAlerts {
		if code, err := a.Code(); err == nil {
			if isSessionAlert(code) {
				switch code {
				case syncml.AlertServerInitiated, syncml.AlertClientInitiated:
					if inAtomic || r.nest > 0 {
						return Response{Code: syncml.StatusBadRequest}
					}
				case syncml.AlertSessionAbort:
					r.abort = true
				case syncml.AlertNextMessage:
					r.more = true
				}
				return Response{Code: syncml.StatusOK}
			}
		} else {
			return Response{Code: syncml.StatusBadRequest}
		}
	}
	if r.h == nil {
		return Response{}
	}
	req := r.newRequest()
	req.Identity, req.Header, req.Command, req.Atomic = r.id, r.hdr, c, inAtomic
	return r.h.ServeCommand(r.ctx, req)
}

// isSessionAlert reports whether an Alert of code is one the session
// answers itself (start, next message, abort) rather than its handler.
func isSessionAlert(code syncml.AlertCode) bool {
	switch code {
	case syncml.AlertServerInitiated, syncml.AlertClientInitiated,
		syncml.AlertNextMessage, syncml.AlertSessionAbort:
		return true
	}
	return false
}

// newRequest returns a zero Request for the handler. The first call
// allocates as many as the message has commands to answer (reqHint, when
// set), the later ones take them in turn: one allocation for a message
// rather than one for each command. Each goes to one call, so a handler
// may keep it.
func (r *responder) newRequest() *Request {
	if len(r.reqs) == 0 {
		r.reqs = make([]Request, max(r.reqHint, 1))
		r.reqHint = 0
	}
	q := &r.reqs[0]
	r.reqs = r.reqs[1:]
	return q
}

// answer appends the Status(es) for c with resp, then its Results.
func (r *responder) answer(c syncml.Command, resp Response) {
	if r.maxResults > 0 && len(resp.Results) > 0 {
		resp = r.fitResults(c, resp)
	}
	items := c.ItemList()
	if !noResp(c) {
		n := len(r.out)
		if perItem(resp, len(items)) {
			for i := range items {
				r.out = append(r.out, r.slab.newStatus(r.msgRef, c, resp.code(i), items[i:i+1]))
			}
		} else {
			// One Status: the items' code when they agree (an unset item
			// code is Code), else the command's.
			code := resp.code(-1)
			if len(items) > 0 && len(resp.ItemCodes) > 0 {
				code = resp.code(0)
			}
			r.out = append(r.out, r.slab.newStatus(r.msgRef, c, code, items))
		}
		if resp.OriginalError != "" {
			for _, x := range r.out[n:] {
				if st := x.(*syncml.Status); st.Data != nil {
					if code, err := st.Code(); err == nil && !code.Success() {
						st.Data.OriginalError = resp.OriginalError
					}
				}
			}
		}
	}
	if len(resp.Results) > 0 {
		res := &syncml.Results{MsgRef: r.msgRef, CmdRef: c.ID(), Items: resp.Results}
		if g, ok := c.(*syncml.Get); ok && g.Meta != nil {
			m := *g.Meta
			res.Meta = &m
		}
		r.out = append(r.out, res)
	}
}

// fitResults returns resp without its Results, failed (500), when an
// Item of them has more than maxResults bytes of data, noting in unsent
// the Results not sent with a *LimitError (of MaxObjectSize on the server
// side, of MaxObjSize on a Client); resp as it is otherwise.
func (r *responder) fitResults(c syncml.Command, resp Response) Response {
	for k := range resp.Results {
		d := resp.Results[k].Data
		if d == nil || len(d.Value) <= r.maxResults {
			continue
		}
		res := &syncml.Results{MsgRef: r.msgRef, CmdRef: c.ID(), Items: resp.Results}
		where := "Results for " + c.ElementName() + " " + c.ID()
		err := objectError("Handler", where, k+1, len(d.Value), r.maxResults)
		if r.peerResults {
			err = peerObjError("Handler: "+where, k+1, len(d.Value), r.maxResults)
		}
		r.unsent = append(r.unsent, Outcome{Command: res, Err: err})
		resp.Results, resp.ItemCodes, resp.Code = nil, nil, syncml.StatusCommandFailed
		return resp
	}
	return resp
}

// atomic runs the commands of a until one fails (a chunk, MoreData, fails
// with 400: an Atomic fits in one message; an Atomic or a Get inside it,
// at any depth, fails with 500, being not legal there, and the handler
// never sees it; so does, 500, a command whose handler gave Results too
// large to send, see fitResults); then it undoes the ones that succeeded and answers: 507
// for the Atomic, the failing command's own code, 216 for the rolled back
// (516 when rollback failed) and 215 for those not executed; a Sequence
// inside it is answered too, then its commands. A session alert in a
// failed Atomic (1222, 1223) is rolled back with it: neither asks for
// more nor aborts.
func (r *responder) atomic(a *syncml.Atomic) {
	var cmds []syncml.Command
	flatten(a.Commands, &cmds)
	resps := make([]Response, len(cmds))
	failed := -1
	// a session alert (1222, 1223) in it takes effect only when the
	// Atomic does: rolled back, it is as if never received
	abort, more := r.abort, r.more
	if r.lo != nil {
		// The rest of the object a chunk in it begins (the last one's:
		// a chunk ends its message) is refused as the chunk is, 400,
		// never taken for a whole command (see largeObject.Refused).
		for _, c := range slices.Backward(cmds) {
			if items := c.ItemList(); len(items) > 0 && items[len(items)-1].MoreData {
				*r.lo = refusedObject(c, syncml.StatusBadRequest)
				break
			}
		}
	}
	for i, c := range cmds {
		switch c.(type) {
		case *syncml.Status, *syncml.Results, *syncml.Unknown, *syncml.Sequence:
			continue
		case *syncml.Atomic, *syncml.Get:
			// An Atomic or a Get in an Atomic is not legal: it fails,
			// before the handler sees it, and its parent with it (OMA
			// DM 1.2.1, 4.1.6.3; Windows answers so)
			resps[i] = Response{Code: syncml.StatusCommandFailed}
		default:
			if r.lo != nil && chunked(c) {
				// An Atomic fits in one message: a chunk in it cannot be
				// completed, and is refused as a chunk of a command of
				// several items is, before the handler sees it.
				resps[i] = Response{Code: syncml.StatusBadRequest}
			} else {
				resps[i] = r.serve(c, true)
			}
		}
		if r.maxResults > 0 && len(resps[i].Results) > 0 {
			// Results too large to send fail their command (500) here,
			// before the Atomic is answered: it fails with it, and what
			// ran before is rolled back.
			resps[i] = r.fitResults(c, resps[i])
		}
		if resps[i].failed() {
			failed = i
			break
		}
	}
	if failed < 0 {
		r.status(a, syncml.StatusOK, a.NoResp)
		for i, c := range cmds {
			r.nested(c, resps[i])
		}
		return
	}
	r.abort, r.more = abort, more
	// Undo newest first, the failing command too (some of its items may
	// have succeeded); each command before it is answered by how its own
	// rollback went (216 or 516), a Sequence by the worst of its commands.
	notUndone := make([]bool, failed+1)
	for i := failed; i >= 0; i-- {
		if u := resps[i].Undo; u != nil && u(r.ctx) != nil {
			notUndone[i] = true
		}
	}
	// notUndoneTo[k] counts the commands of cmds[:k] whose rollback
	// failed: those nested in a Sequence follow it in cmds (flatten), so
	// that it holds one when the count grows over them, found in one
	// subtraction (a search of them for each Sequence took a time
	// quadratic in a wide one's commands)
	notUndoneTo := make([]int, failed+1)
	for i := range failed {
		notUndoneTo[i+1] = notUndoneTo[i]
		if notUndone[i] {
			notUndoneTo[i+1]++
		}
	}
	r.status(a, syncml.StatusAtomicFailed, a.NoResp)
	for i, c := range cmds {
		switch {
		case i < failed:
			code := syncml.StatusAtomicRollbackOK
			if notUndone[i] || nests(c) && notUndoneTo[min(flatEnd(c, i), failed)] > notUndoneTo[i+1] {
				code = syncml.StatusAtomicRollbackFailed
			}
			r.nested(c, Response{Code: code})
		case i == failed:
			resps[i].Results = nil
			r.nested(c, resps[i])
		default:
			r.nested(c, Response{Code: syncml.StatusNotExecuted})
		}
	}
}

// chunked reports whether an item of c is a chunk of a large object
// (MoreData).
func chunked(c syncml.Command) bool {
	for _, it := range c.ItemList() {
		if it.MoreData {
			return true
		}
	}
	return false
}

// flatEnd returns the index, in the list flatten makes, after the
// commands nested in c (a Sequence or an Atomic) at index i, at any depth:
// they follow it there, in document order.
func flatEnd(c syncml.Command, i int) int {
	i++
	if nests(c) {
		for _, n := range c.Nested() {
			i = flatEnd(n, i)
		}
	}
	return i
}

// nested answers a command found inside an Atomic (a Sequence inside one
// is answered with resp's code itself, its commands being in the
// flattened list; so is an Atomic, which fails there).
func (r *responder) nested(c syncml.Command, resp Response) {
	code := syncml.StatusOK
	if resp.Code != 0 {
		code = resp.Code
	}
	switch c := c.(type) {
	case *syncml.Status, *syncml.Results, *syncml.Unknown:
		return
	case *syncml.Sequence:
		r.status(c, code, c.NoResp)
		return
	case *syncml.Atomic:
		r.status(c, code, c.NoResp)
		return
	}
	r.answer(c, resp)
}

// nests reports whether c is a Sequence or an Atomic: a command whose
// own commands an Atomic runs with it.
func nests(c syncml.Command) bool {
	switch c.(type) {
	case *syncml.Sequence, *syncml.Atomic:
		return true
	}
	return false
}

// flatten lists cmds with the commands of nested Sequences and Atomics
// after their Sequence or Atomic, in document order.
func flatten(cmds []syncml.Command, out *[]syncml.Command) {
	for _, c := range cmds {
		*out = append(*out, c)
		if nests(c) {
			flatten(c.Nested(), out)
		}
	}
}

func (r *responder) status(c syncml.Command, code syncml.StatusCode, noResp bool) {
	if !noResp {
		r.out = append(r.out, r.slab.newStatus(r.msgRef, c, code, nil))
	}
}

// perItem reports whether resp's item codes differ.
func perItem(resp Response, n int) bool {
	if n < 2 || len(resp.ItemCodes) == 0 {
		return false
	}
	first := resp.code(0)
	for i := 1; i < n; i++ {
		if resp.code(i) != first {
			return true
		}
	}
	return false
}

// newStatus builds the Status answering c (CmdID left for numbering).
func (a *statusSlab) newStatus(msgRef string, c syncml.Command, code syncml.StatusCode, items []syncml.Item) *syncml.Status {
	s := a.status(code)
	s.MsgRef, s.CmdRef, s.Cmd = msgRef, c.ID(), c.ElementName()
	nt, ns := 0, 0
	for _, it := range items {
		if it.Target != nil && it.Target.LocURI != "" {
			nt++
		}
		if it.Source != nil && it.Source.LocURI != "" {
			ns++
		}
	}
	if nt+ns == 0 {
		return s
	}
	refs := a.strings(nt + ns) // TargetRef then SourceRef, in one array
	for _, it := range items {
		if it.Target != nil && it.Target.LocURI != "" {
			refs = append(refs, it.Target.LocURI)
		}
	}
	for _, it := range items {
		if it.Source != nil && it.Source.LocURI != "" {
			refs = append(refs, it.Source.LocURI)
		}
	}
	if nt > 0 {
		s.TargetRef = refs[:nt:nt]
	}
	if ns > 0 {
		s.SourceRef = refs[nt:]
	}
	return s
}

// A statusSlab hands out the Statuses of one reply and their reference
// lists from arrays allocated a few at a time, not one by one.
type statusSlab struct {
	sd   []statusData
	refs []string
	// hint, when above 0, is how many Statuses the first allocation
	// holds: the commands of the message answered.
	hint int
}

// slabStatuses is how many Statuses a statusSlab allocates at once when
// it has no hint.
const slabStatuses = 4

// status returns a new Status whose Data is code.
func (a *statusSlab) status(code syncml.StatusCode) *syncml.Status {
	if len(a.sd) == 0 {
		n := slabStatuses
		if a.hint > 0 {
			n, a.hint = a.hint, 0
		}
		a.sd = make([]statusData, n)
	}
	sd := &a.sd[0]
	a.sd = a.sd[1:]
	sd.d.Kind = syncml.DataText
	sd.d.Value = codeText(code)
	sd.s.Data = &sd.d
	return &sd.s
}

// strings returns an empty slice with room for n strings, which the
// caller appends to and owns (its capacity is exactly n).
func (a *statusSlab) strings(n int) []string {
	if len(a.refs) < n {
		a.refs = make([]string, max(n, 2*slabStatuses))
	}
	p := a.refs[:0:n]
	a.refs = a.refs[n:]
	return p
}

// statusData is a Status with its Data, allocated together.
type statusData struct {
	s syncml.Status
	d syncml.Data
}

// codeTexts are the decimal texts of the codes 100 to 599.
var codeTexts = func() (t [500]string) {
	for i := range t {
		t[i] = strconv.Itoa(100 + i)
	}
	return t
}()

// codeText returns the decimal text of code.
func codeText(code syncml.StatusCode) string {
	if code >= 100 && code < 600 {
		return codeTexts[code-100]
	}
	return strconv.Itoa(int(code))
}

// headerStatus builds the Status answering the SyncHdr h.
func headerStatus(h *syncml.Header, code syncml.StatusCode, chal *syncml.Chal) *syncml.Status {
	return new(hdrStatus).set(h, code, chal)
}

// hdrStatus is a Status for a SyncHdr, its Data and its references in
// one allocation.
type hdrStatus struct {
	statusData
	refs [2]string
}

// set makes hs the Status of headerStatus and returns it.
func (hs *hdrStatus) set(h *syncml.Header, code syncml.StatusCode, chal *syncml.Chal) *syncml.Status {
	s := &hs.s
	hs.d.Kind, hs.d.Value = syncml.DataText, codeText(code)
	s.Data = &hs.d
	s.MsgRef, s.CmdRef, s.Cmd, s.Chal = h.MsgID, "0", "SyncHdr", chal
	refs := hs.refs[:0]
	if h.Target.LocURI != "" {
		refs = append(refs, h.Target.LocURI)
		s.TargetRef = refs[:1:1]
	}
	if h.Source.LocURI != "" {
		refs = append(refs, h.Source.LocURI)
		s.SourceRef = refs[len(refs)-1:]
	}
	return s
}

// noResp reports whether c asked for no Status.
func noResp(c syncml.Command) bool {
	switch c := c.(type) {
	case *syncml.Add:
		return c.NoResp
	case *syncml.Alert:
		return c.NoResp
	case *syncml.Atomic:
		return c.NoResp
	case *syncml.Copy:
		return c.NoResp
	case *syncml.Delete:
		return c.NoResp
	case *syncml.Exec:
		return c.NoResp
	case *syncml.Get:
		return c.NoResp
	case *syncml.Replace:
		return c.NoResp
	case *syncml.Sequence:
		return c.NoResp
	case *syncml.Status, *syncml.Results, *syncml.Unknown:
		return true
	}
	return false
}
