package session

import (
	"context"

	"github.com/windc-go/windc/syncml"
)

// A Request is one received command handed to a Handler.
type Request struct {
	Identity Identity       // who sent it
	Header   *syncml.Header // the header of the message that carried it
	Command  syncml.Command // the command (never a Status, Results, Atomic or Sequence)
	// Atomic is true when the command is inside an Atomic: the handler
	// should return an Undo when it changed something. It is never true
	// for a Get: a Get inside an Atomic is not legal and fails (500)
	// before the handler sees it.
	Atomic bool
}

// A Response is a Handler's answer to one command.
type Response struct {
	// Code is the status of the whole command; zero means 200.
	Code syncml.StatusCode
	// ItemCodes, when set, holds one code per item of the command, in
	// item order (a missing one is Code). When they differ the reply
	// carries one Status per item, otherwise one for the command.
	ItemCodes []syncml.StatusCode
	// Results are the items of the Results answering a Get (each with a
	// Source naming the node and its Data); none means no Results. On a
	// Session, Results with an Item of more data than Config.MaxObjectSize
	// (or DefaultMaxObjectSize when larger) are not sent: the command
	// fails (500) and an Outcome of the Exchange says why; on a Client,
	// so do those with an Item over the MaxObjSize the server announced.
	// Inside an Atomic that failure fails the Atomic as any other does
	// (507, the commands before it rolled back).
	Results []syncml.Item
	// OriginalError, when set, is the msft:originalerror attribute of
	// the Data of every failed Status of the command: the HRESULT that
	// Windows gives as the cause of a failure, such as "0x80070002".
	OriginalError string
	// Undo reverts what the command did; it is called, newest first,
	// when it or a later command of the same Atomic fails. A nil Undo means
	// there is nothing to revert.
	Undo func(ctx context.Context) error
}

// code returns the response code for item i (-1: the command).
func (r Response) code(i int) syncml.StatusCode {
	if i >= 0 && i < len(r.ItemCodes) && r.ItemCodes[i] != 0 {
		return r.ItemCodes[i]
	}
	if r.Code == 0 {
		return syncml.StatusOK
	}
	return r.Code
}

// failed reports whether the command or any of its items failed.
func (r Response) failed() bool {
	if !r.code(-1).Success() {
		return true
	}
	for i := range r.ItemCodes {
		if !r.code(i).Success() {
			return true
		}
	}
	return false
}

// A Handler decides the answer to each received command.
type Handler interface {
	ServeCommand(ctx context.Context, r *Request) Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, r *Request) Response

// ServeCommand calls f.
func (f HandlerFunc) ServeCommand(ctx context.Context, r *Request) Response { return f(ctx, r) }

// Accept is a Handler that answers 200 to every command.
var Accept Handler = HandlerFunc(func(context.Context, *Request) Response { return Response{} })
