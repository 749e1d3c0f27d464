package session

import (
	"context"

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
	// alert is called for session alerts (1200, 1201, 1222, 1223) instead
	// of the handler; it returns the code to answer.
	alert func(code syncml.AlertCode) syncml.StatusCode
	// lo is the session's partial large object (nil: none), and maxObj
	// the bound of a received object.
	lo     **largeObject
	maxObj int
}

// commands answers cmds, the top level or the inside of a Sequence.
func (r *responder) commands(cmds []syncml.Command) {
	for _, c := range cmds {
		r.command(c)
	}
}

func (r *responder) command(c syncml.Command) {
	switch c := c.(type) {
	case *syncml.Status, *syncml.Results, *syncml.Unknown, nil:
		// Statuses and Results are correlated, not answered; an unknown
		// element has no CmdID a Status could name.
		return
	case *syncml.Atomic:
		if r.lo != nil && *r.lo != nil {
			r.cut()
		}
		r.atomic(c)
		return
	case *syncml.Sequence:
		r.status(c, syncml.StatusOK, c.NoResp)
		r.commands(c.Commands)
		return
	}
	if r.lo != nil && r.chunk(c) {
		return
	}
	resp := r.serve(c, false)
	r.answer(c, resp)
}

// serve asks the handler (or the session, for session alerts).
func (r *responder) serve(c syncml.Command, inAtomic bool) Response {
	if a, ok := c.(*syncml.Alert); ok && r.alert != nil {
		if code, err := a.Code(); err == nil {
			switch code {
			case syncml.AlertServerInitiated, syncml.AlertClientInitiated,
				syncml.AlertNextMessage, syncml.AlertSessionAbort:
				return Response{Code: r.alert(code)}
			}
		} else {
			return Response{Code: syncml.StatusBadRequest}
		}
	}
	if r.h == nil {
		return Response{}
	}
	return r.h.ServeCommand(r.ctx, &Request{Identity: r.id, Header: r.hdr, Command: c, Atomic: inAtomic})
}

// answer appends the Status(es) for c with resp, then its Results.
func (r *responder) answer(c syncml.Command, resp Response) {
	items := c.ItemList()
	if !noResp(c) {
		n := len(r.out)
		if perItem(resp, len(items)) {
			for i := range items {
				r.out = append(r.out, newStatus(r.msgRef, c, resp.code(i), items[i:i+1]))
			}
		} else {
			// One Status: the items' code when they agree (an unset item
			// code is Code), else the command's.
			code := resp.code(-1)
			if len(items) > 0 && len(resp.ItemCodes) > 0 {
				code = resp.code(0)
			}
			r.out = append(r.out, newStatus(r.msgRef, c, code, items))
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

// atomic runs the commands of a until one fails; then it undoes the ones
// that succeeded and answers: 507 for the Atomic, the failing command's
// own code, 216 for the rolled back (516 when rollback failed) and 215
// for those not executed.
func (r *responder) atomic(a *syncml.Atomic) {
	var cmds []syncml.Command
	flatten(a.Commands, &cmds)
	resps := make([]Response, len(cmds))
	failed := -1
	for i, c := range cmds {
		switch c.(type) {
		case *syncml.Status, *syncml.Results, *syncml.Unknown, *syncml.Sequence:
			continue
		}
		resps[i] = r.serve(c, true)
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
	rollback := syncml.StatusAtomicRollbackOK
	for i := failed; i >= 0; i-- { // the failing command too: some of its items may have succeeded
		if u := resps[i].Undo; u != nil {
			if err := u(r.ctx); err != nil {
				rollback = syncml.StatusAtomicRollbackFailed
			}
		}
	}
	r.status(a, syncml.StatusAtomicFailed, a.NoResp)
	for i, c := range cmds {
		switch {
		case i < failed:
			r.nested(c, Response{Code: rollback})
		case i == failed:
			resps[i].Results = nil
			r.nested(c, resps[i])
		default:
			r.nested(c, Response{Code: syncml.StatusNotExecuted})
		}
	}
}

// nested answers a command found inside an Atomic (a Sequence inside one
// is answered 200 itself; its commands are in the flattened list).
func (r *responder) nested(c syncml.Command, resp Response) {
	switch c := c.(type) {
	case *syncml.Status, *syncml.Results, *syncml.Unknown:
		return
	case *syncml.Sequence:
		code := syncml.StatusOK
		if resp.Code != 0 {
			code = resp.Code
		}
		r.status(c, code, c.NoResp)
		return
	}
	r.answer(c, resp)
}

// flatten lists cmds with the commands of nested Sequences after their
// Sequence, in document order.
func flatten(cmds []syncml.Command, out *[]syncml.Command) {
	for _, c := range cmds {
		*out = append(*out, c)
		if s, ok := c.(*syncml.Sequence); ok {
			flatten(s.Commands, out)
		}
	}
}

func (r *responder) status(c syncml.Command, code syncml.StatusCode, noResp bool) {
	if !noResp {
		r.out = append(r.out, newStatus(r.msgRef, c, code, nil))
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
func newStatus(msgRef string, c syncml.Command, code syncml.StatusCode, items []syncml.Item) *syncml.Status {
	s := &syncml.Status{MsgRef: msgRef, CmdRef: c.ID(), Cmd: c.ElementName(), Data: code.Data()}
	for _, it := range items {
		if it.Target != nil && it.Target.LocURI != "" {
			s.TargetRef = append(s.TargetRef, it.Target.LocURI)
		}
		if it.Source != nil && it.Source.LocURI != "" {
			s.SourceRef = append(s.SourceRef, it.Source.LocURI)
		}
	}
	return s
}

// headerStatus builds the Status answering the SyncHdr h.
func headerStatus(h *syncml.Header, code syncml.StatusCode, chal *syncml.Chal) *syncml.Status {
	s := &syncml.Status{MsgRef: h.MsgID, CmdRef: "0", Cmd: "SyncHdr", Data: code.Data(), Chal: chal}
	if h.Target.LocURI != "" {
		s.TargetRef = []string{h.Target.LocURI}
	}
	if h.Source.LocURI != "" {
		s.SourceRef = []string{h.Source.LocURI}
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
