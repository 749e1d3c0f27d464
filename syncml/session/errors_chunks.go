package session

import (
	"errors"
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// A ResultsChunksError is the Err of the Outcome of a command a Session
// sent (a Get, mostly) whose Results the device sent in chunks that were
// not joined: this side refused a chunk of them (413, 424 or 400), or the
// device cut the object, sending another command before its last chunk.
// The Outcome holds the device's Status and the Results that came whole,
// if any: none of the chunks of the object dropped. When the command's
// Status came in an earlier message (its Outcome then had the Status
// alone), an Outcome with the Status and this error comes again; when
// the Status has not come yet (Results before it), the Outcome the Status
// brings later has no such error. Test with errors.As; for 413,
// errors.Is(err, ErrLimit) holds and errors.As finds the *LimitError
// too. Changed: when several Results objects of the command are dropped
// in one message, the Outcome's Err joins one *ResultsChunksError per
// object, in the order they came (errors.Join): errors.As finds the
// first, errors.Is(err, ErrLimit) holds when one of them is a 413, and
// [ResultsChunksErrors] lists them all (a type assertion of Err to
// *ResultsChunksError then fails; before, Err named the last one only).
type ResultsChunksError struct {
	// MsgID, Cmd and CmdID name the command: the MsgID of the message
	// this side sent it in, its element name and its CmdID.
	MsgID, Cmd, CmdID string
	// Code is what this side answered the chunk that ended the object:
	// 413 when it went over a bound (Limit says which), 424 when its
	// data did not add up to the size its first chunk announced, 400 when
	// its first chunk announced no size or the Results held several
	// Items. 0 when no chunk was refused: the device cut the object (this
	// side sent Alert 1225), or it was dropped for a reason this side did
	// not note in that message (Received and Chunks are then 0).
	Code syncml.StatusCode
	// Limit, for 413, is the bound the object went over: MaxObjectSize
	// (Count is the bytes it would have reached, or the size its first
	// chunk announced when that chunk was refused) or MaxObjectChunks
	// (Count is the chunk refused: one more than the bound). Nil for the
	// other codes.
	Limit *LimitError
	// Size is the size the object's first chunk announced, -1 when it
	// announced none or one that does not read as a size. Received is
	// the bytes of the chunks taken before the object was dropped, and
	// Chunks how many they were (the last one, refused, not counted; for
	// 424 the last one is counted: it was taken, and the total did not
	// match).
	Size, Received, Chunks int
}

// Error says which command, why its Results were not joined and how far
// the object had come.
func (e *ResultsChunksError) Error() string {
	if e == nil {
		return "results not joined (nil *ResultsChunksError)"
	}
	b := make([]byte, 0, 160)
	b = append(b, pkg.Prefix()...)
	// this side's own command: no text of the peer's
	b = append(b, e.Cmd...)
	b = append(b, ' ')
	b = append(b, e.CmdID...)
	b = append(b, " of message "...)
	b = append(b, e.MsgID...)
	b = append(b, ": its Results came in chunks that were not joined: "...)
	switch e.Code {
	case 0:
		b = append(b, "the device cut the object"...)
	case syncml.StatusRequestEntityTooLarge:
		b = append(b, "refused (413)"...)
		if e.Limit != nil {
			b = append(b, ": "...)
			b = append(b, strings.TrimPrefix(e.Limit.Error(), pkg.Prefix())...)
		}
	case syncml.StatusSizeMismatch:
		b = append(b, "refused (424): not of the size announced"...)
	default:
		b = append(b, "refused ("...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
		b = append(b, "): no size announced, or several items"...)
	}
	b = append(b, " ("...)
	b = strconv.AppendInt(b, int64(e.Chunks), 10)
	b = append(b, " chunks, "...)
	b = strconv.AppendInt(b, int64(e.Received), 10)
	b = append(b, " bytes taken"...)
	if e.Size >= 0 {
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(e.Size), 10)
		b = append(b, " announced"...)
	}
	return string(append(b, ')'))
}

// Unwrap returns Limit (nil but for 413), so that a refusal over a bound
// matches ErrLimit.
func (e *ResultsChunksError) Unwrap() error {
	if e == nil || e.Limit == nil {
		return nil
	}
	return e.Limit
}

// notJoined returns the error of the Outcome of s, a command whose
// Results came in chunks that were dropped, before fillDropped says why.
func notJoined(s *sentCmd) *ResultsChunksError {
	return &ResultsChunksError{MsgID: s.MsgID, Cmd: s.Cmd.ElementName(), CmdID: s.Cmd.ID(), Size: -1}
}

// A droppedResults is a Results object the responder dropped while a
// message was answered: the command it answers (key) and why (err, its
// MsgID, Cmd and CmdID not set).
type droppedResults struct {
	key sentKey
	err ResultsChunksError
}

// noteDropped notes, when c is a chunk of Results, that its object ends
// unjoined: answered code (0 when cut). lo is the object being received
// that c belongs to, nil when c is a first chunk refused.
func (r *responder) noteDropped(c syncml.Command, lo *largeObject, code syncml.StatusCode) {
	res, ok := c.(*syncml.Results)
	if !ok || !r.joinResults || len(res.Items) == 0 {
		return
	}
	d := droppedResults{key: sentKey{res.MsgRef, res.CmdRef}, err: ResultsChunksError{Code: code, Size: -1}}
	if d.key.msg == "" {
		d.key.msg = "1" // MS-MDM: a Results without MsgRef refers to message 1
	}
	it := res.Items[len(res.Items)-1]
	if !lo.receiving() {
		// a first chunk: refused for the size it announces, or for none
		if size, ok := firstSize(c, it); ok && size >= 0 {
			d.err.Size = size
			if code == syncml.StatusRequestEntityTooLarge {
				d.err.Limit = pkg.LimitCount("MaxObjectSize", int64(r.maxObj), int64(size), "")
			}
		}
		r.dropped = append(r.dropped, d)
		return
	}
	d.err.Size, d.err.Received, d.err.Chunks = max(lo.Size, -1), lo.received(), lo.Chunks
	if code == syncml.StatusRequestEntityTooLarge {
		// addChunk refused it: first for the count, then for the bytes
		if r.maxChunks > 0 && lo.Chunks >= r.maxChunks {
			d.err.Limit = pkg.LimitCount("MaxObjectChunks", int64(r.maxChunks), int64(lo.Chunks+1), "")
		} else {
			n := lo.received() // its segments in the Store included
			if it.Data != nil {
				n += len(it.Data.Value)
			}
			d.err.Limit = pkg.LimitCount("MaxObjectSize", int64(r.maxObj), int64(n), "")
		}
	}
	r.dropped = append(r.dropped, d)
}

// fillDropped says in outs, the Outcomes receive returned for a message,
// why the Results of their commands noted in dropped were not joined:
// the Outcome of such a command gets a *ResultsChunksError. A command
// whose Status had arrived before, and which gets no Outcome in outs (its
// object was refused at its first chunk, in a later message than the
// Status), gets an Outcome again, its Status with the error, as an
// Outcome is delivered again for Results that come after the Status. A
// command whose Status has not come yet gets none: its Outcome, when the
// Status comes, does not say that Results were dropped.
func (c *correlator) fillDropped(outs []Outcome, dropped []droppedResults) []Outcome {
	// filled are the Outcomes given errors here, with them: a command
	// several of whose objects were dropped gets them all, joined
	var filled []filledOutcome
	fill := func(i int, e *ResultsChunksError) {
		for k := range filled {
			if filled[k].at == i {
				filled[k].errs = append(filled[k].errs, e)
				outs[i].Err = errors.Join(filled[k].errs...)
				return
			}
		}
		filled = append(filled, filledOutcome{at: i, errs: []error{e}})
		outs[i].Err = e
	}
next:
	for _, d := range dropped {
		for i := range outs {
			o := &outs[i]
			if o.MsgID != d.key.msg || o.Command == nil || o.Command.ID() != d.key.cmd {
				continue
			}
			if o.Err != nil && !isFilled(filled, i) {
				if _, ok := o.Err.(*ResultsChunksError); !ok {
					continue next // an error of its own stands
				}
			}
			e := d.err
			e.MsgID, e.Cmd, e.CmdID = o.MsgID, o.Command.ElementName(), o.Command.ID()
			fill(i, &e)
			continue next
		}
		s := c.lookup(d.key.msg, d.key.cmd)
		if s == nil || s.Internal || s.Status == nil || s.Held {
			continue
		}
		e := d.err
		e.MsgID, e.Cmd, e.CmdID = s.MsgID, s.Cmd.ElementName(), s.Cmd.ID()
		outs = append(outs, Outcome{MsgID: s.MsgID, Command: s.Cmd, Status: s.Status})
		fill(len(outs)-1, &e)
	}
	return outs
}

// filledOutcome is an Outcome fillDropped gave errors: its index in outs
// and the errors, in the order the objects were dropped.
type filledOutcome struct {
	at   int
	errs []error
}

// isFilled reports whether fillDropped gave the Outcome at index i an
// error already.
func isFilled(filled []filledOutcome, i int) bool {
	for _, f := range filled {
		if f.at == i {
			return true
		}
	}
	return false
}

// ResultsChunksErrors returns every *ResultsChunksError in err's tree (as
// errors.As walks it), in order: the Err of an Outcome whose command had
// several Results objects dropped in one message joins one per object.
// Nil when err holds none.
func ResultsChunksErrors(err error) []*ResultsChunksError {
	switch e := err.(type) {
	case *ResultsChunksError:
		return []*ResultsChunksError{e}
	case interface{ Unwrap() []error }:
		var all []*ResultsChunksError
		for _, x := range e.Unwrap() {
			all = append(all, ResultsChunksErrors(x)...)
		}
		return all
	case interface{ Unwrap() error }:
		return ResultsChunksErrors(e.Unwrap())
	}
	return nil
}
