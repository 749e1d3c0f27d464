package session

import (
	"strings"

	"github.com/windc-go/windc/syncml"
)

// An Outcome is a command this side sent, handed back with what the peer
// answered: its Status and the Results that name it.
type Outcome struct {
	// MsgID is the MsgID of the message that carried the command.
	MsgID string
	// SessionID is the SessionID of that message: MsgIDs start at 1 in
	// every session, and the Outcomes of commands a session left
	// unanswered (Abandoned) come with those of the next session, whose
	// MsgIDs they share. Empty, as MsgID, for a command never sent.
	SessionID string
	// Command is the command as sent, with its CmdID. For an object
	// sent in chunks it is the command queued, whole again (answered,
	// refused part way or Abandoned), so that it can be queued again: on
	// a Client with the Items it was queued with; on a Session with its
	// object rejoined from the pieces sent (its Data as text, the Meta
	// without Size), in the very command queued while the Session stays
	// in memory, in a copy decoded from the state under a Server.
	Command syncml.Command
	// Status is the peer's Status for the command; nil when Abandoned.
	// It is as the peer sent it: its code is not checked (a "0", a
	// "99999999999", a 213 for a whole command reach it as sent), so
	// read it with Status.Code and treat an error or an unknown code as
	// the command's failure.
	Status *syncml.Status
	// Results are the Results for the command that arrived with or
	// before the Status (a Results sent in chunks: once whole, the
	// Outcome waiting for it); an Outcome delivered again for Results
	// that arrive after the Status holds only those.
	Results []*syncml.Results
	// Abandoned is true when the session restarted or was aborted before
	// the command's Status arrived.
	Abandoned bool
	// Err, when set, says why the command was not carried out: it was
	// not sent at all (its object is larger than the device's MaxObjSize,
	// or no message within the device's MaxMsgSize can carry it: an error
	// matching ErrLimit; on a Session, the Results a Handler gave for a
	// command, one of whose Items has more data than a state keeps,
	// Config.MaxObjectSize or DefaultMaxObjectSize when larger: a
	// *LimitError of MaxObjectSize, and the command failed, 500; on a
	// Client, those with an Item over the MaxObjSize the server announced
	// in the session, and a command holding one, queued, given by
	// EachMessage, left in the rest of the package (an object cut into
	// chunks none of which went out before the announcement) or queued
	// for package 1 when a refusal (401 or 407) that announced it has it
	// built again (the Outcome comes with the rebuilt package): a
	// *LimitError of MaxObjSize; or, given by EachMessage past MaxQueue
	// with the device's own commands waiting in the rest of its package:
	// a *LimitError of MaxQueue), or, on a Client, it
	// came from EachMessage in a
	// message the server refused (401 or 407), which the server ran none
	// of, or was one of the alerts given to Start in a package 1 refused
	// until the session was given up (ErrAuthGaveUp): an error matching
	// ErrInvalidCredentials or ErrMissingCredentials, and MsgID is the
	// refused message's; or, on a Client, it was one of the alerts given
	// to Start left in or after a later message of package 1 that was
	// never posted (see Client.Start), and MsgID is empty. On a Session,
	// Err is also set for a command the device answered whose Results
	// came in chunks that this side refused (413: over MaxObjectSize or
	// MaxObjectChunks; 424: not of the size announced; 400) or the device
	// cut: a *ResultsChunksError saying which (several joined when
	// several of its objects were dropped in one message: see
	// ResultsChunksErrors); Status is the device's, and Results those
	// that came whole, if any (none of the objects' chunks).
	Err error
}

// Code returns the status code of the Outcome (an error when there is no
// Status or it holds no code).
func (o Outcome) Code() (syncml.StatusCode, error) {
	if o.Err != nil {
		return 0, o.Err
	}
	if o.Status == nil {
		return 0, errorf("%s %s of message %s has no Status", o.Command.ElementName(), o.Command.ID(), o.MsgID)
	}
	return o.Status.Code()
}

// sentCmd is one command sent in this session, waiting for or holding its
// Status.
type sentCmd struct {
	MsgID   string
	Cmd     syncml.Command
	Status  *syncml.Status
	Results []*syncml.Results // held until the Status arrives
	// touch is, while receive runs, 1 + the index of the command in its
	// list of commands named by the body, 0 when not named; not kept
	// (int32, with the flags below, keeps a record at 72 bytes).
	touch  int32
	NoResp bool
	// Internal marks a command the session sent of itself (Alert 1222,
	// 1225): its Status is matched but reported to no one and nothing
	// waits for it.
	Internal bool
	// Held is true while the Status has arrived but the command's Results
	// is still coming in chunks: the Outcome waits for the whole object.
	Held bool
}

type sentKey struct{ msg, cmd string }

// indexAbove is the number of sent commands above which lookups go
// through a map; below it a scan is cheaper than building the map.
const indexAbove = 48

// correlator matches Status and Results to sent commands by MsgRef and
// CmdRef together, across the messages of a session.
type correlator struct {
	sent  []*sentCmd
	index map[sentKey]*sentCmd // built on the first lookup past indexAbove
	// next is where the last lookup found its command, plus one: answers
	// mostly come in the order of the commands, so it is tried first.
	next int
}

func (c *correlator) reset() {
	c.sent = nil
	c.index = nil
}

// addAll records cmds, sent in message msgID, and the commands nested in
// them; the records of the top-level commands are allocated together, or
// taken from xs when it has room for them (a Server's exchange).
func (c *correlator) addAll(msgID string, cmds []syncml.Command, xs *exchSpace) {
	var recs []sentCmd
	if xs != nil && len(cmds) <= len(xs.recs) {
		recs = xs.recs[:len(cmds):len(cmds)]
		if c.sent == nil {
			c.sent = xs.sent[:0]
		}
	} else {
		recs = make([]sentCmd, len(cmds))
	}
	if c.sent == nil {
		c.sent = make([]*sentCmd, 0, len(cmds))
	}
	for i, cmd := range cmds {
		// recs are zero (new, or xs's, used by one Handle): the fields
		// set one by one, not as a struct, whose copy takes a write
		// barrier for each of its pointer words, nil or not, while the
		// garbage collector marks
		r := &recs[i]
		r.MsgID, r.Cmd, r.NoResp = msgID, cmd, noResp(cmd)
		c.addOne(r)
		if n := cmd.Nested(); n != nil {
			var flat []syncml.Command
			flattenAll(n, &flat)
			for _, x := range flat {
				c.addOne(&sentCmd{MsgID: msgID, Cmd: x, NoResp: noResp(x)})
			}
		}
	}
}

// add records cmd, sent in message msgID, and the commands nested in it.
func (c *correlator) add(msgID string, cmd syncml.Command) { c.addTo(&sentCmd{}, msgID, cmd) }

// addTo is add with the record of cmd in s, which is zero (one of a
// batch, say); the records of the commands nested in cmd are made one by
// one.
func (c *correlator) addTo(s *sentCmd, msgID string, cmd syncml.Command) {
	s.MsgID, s.Cmd, s.NoResp = msgID, cmd, noResp(cmd)
	c.addOne(s)
	if n := cmd.Nested(); n != nil {
		var flat []syncml.Command
		flattenAll(n, &flat)
		for _, x := range flat {
			c.addOne(&sentCmd{MsgID: msgID, Cmd: x, NoResp: noResp(x)})
		}
	}
}

// addInternal records a command the session sent of itself.
func (c *correlator) addInternal(msgID string, cmd syncml.Command) {
	c.addOne(&sentCmd{MsgID: msgID, Cmd: cmd, NoResp: noResp(cmd), Internal: true})
}

func (c *correlator) addOne(s *sentCmd) {
	c.sent = append(c.sent, s)
	if c.index != nil {
		c.index[sentKey{s.MsgID, s.Cmd.ID()}] = s
	}
}

func (c *correlator) lookup(msg, cmd string) *sentCmd {
	// (MsgID, CmdID) is unique among the sent commands: CmdIDs are unique
	// in a message and every command is recorded once.
	for _, i := range [2]int{c.next, c.next - 1} {
		if i >= 0 && i < len(c.sent) {
			if s := c.sent[i]; s.MsgID == msg && s.Cmd.ID() == cmd {
				c.next = i + 1
				return s
			}
		}
	}
	if c.index == nil {
		if len(c.sent) <= indexAbove {
			// the last command of a key wins, as in the map
			for i := len(c.sent) - 1; i >= 0; i-- {
				if s := c.sent[i]; s.MsgID == msg && s.Cmd.ID() == cmd {
					c.next = i + 1
					return s
				}
			}
			return nil
		}
		c.index = make(map[sentKey]*sentCmd, len(c.sent))
		for _, s := range c.sent {
			c.index[sentKey{s.MsgID, s.Cmd.ID()}] = s
		}
	}
	return c.index[sentKey{msg, cmd}]
}

// forget drops the commands sent in message msgID (the peer refused it
// and executed nothing of it).
func (c *correlator) forget(msgID string) {
	keep := c.sent[:0]
	for _, s := range c.sent {
		if s.MsgID != msgID {
			keep = append(keep, s)
		}
	}
	clear(c.sent[len(keep):])
	c.sent = keep
	c.index = nil
}

// flattenAll lists the commands nested in Atomic and Sequence, depth first.
func flattenAll(cmds []syncml.Command, out *[]syncml.Command) {
	for _, c := range cmds {
		*out = append(*out, c)
		if n := c.Nested(); n != nil {
			flattenAll(n, out)
		}
	}
}

// pending counts the sent commands whose Status is outstanding.
func (c *correlator) pending() int {
	n := 0
	for _, s := range c.sent {
		if s.Status == nil && !s.NoResp && !s.Internal {
			n++
		}
	}
	return n
}

// continued returns the first of cands when the last command sent, but
// for the Alerts that asked for the peer's next message, was a chunk (its
// object goes on with it), nil otherwise.
func (c *correlator) continued(cands []syncml.Command) syncml.Command {
	if len(cands) == 0 {
		return nil
	}
	for i := len(c.sent) - 1; i >= 0; i-- {
		if a, ok := c.sent[i].Cmd.(*syncml.Alert); ok && c.sent[i].Internal {
			if code, err := a.Code(); err == nil && code == syncml.AlertNextMessage {
				continue
			}
		}
		if isChunk(c.sent[i].Cmd) {
			return cands[0]
		}
		break
	}
	return nil
}

// A nestedSet holds the commands nested in groups sent (or reported in
// Outcomes): by pointer, and by the MsgID of their message and their
// CmdID, unique in it. The records of a Server's session, decoded from its
// Store, hold each nested command apart from its group's copy: only the
// MsgID and CmdID tell that they are one.
type nestedSet struct {
	ptr map[syncml.Command]bool
	id  map[[2]string]bool
}

// put puts c, of message msgID, in the set; it reports whether c (that
// pointer) was not in it yet.
func (n *nestedSet) put(msgID string, c syncml.Command) bool {
	if n.ptr == nil {
		n.ptr, n.id = make(map[syncml.Command]bool), make(map[[2]string]bool)
	}
	if n.ptr[c] {
		return false
	}
	n.ptr[c] = true
	if id := c.ID(); id != "" {
		n.id[[2]string{msgID, id}] = true
	}
	return true
}

// has reports whether c, of message msgID, is in the set.
func (n *nestedSet) has(msgID string, c syncml.Command) bool {
	if n.ptr == nil {
		return false
	}
	if n.ptr[c] {
		return true
	}
	id := c.ID()
	return id != "" && n.id[[2]string{msgID, id}]
}

// abandon returns an abandoned Outcome for every command still waiting
// for its Status and forgets the session's commands.
func (c *correlator) abandon() []Outcome {
	out := unansweredOf(c.sent)
	c.reset()
	return out
}

// inSession sets the SessionID of outs to sid and returns outs.
func inSession(outs []Outcome, sid string) []Outcome {
	for i := range outs {
		outs[i].SessionID = sid
	}
	return outs
}

// unansweredOf returns an abandoned Outcome for every command of sent
// still waiting for its Status, and the Status alone of one whose chunked
// Results never completed.
func unansweredOf(sent []*sentCmd) []Outcome {
	n := 0
	for _, s := range sent {
		if s.unanswered() {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Outcome, 0, n)
	for _, s := range sent {
		switch {
		case s.Held:
			// answered, its chunked Results never completed
			out = append(out, Outcome{MsgID: s.MsgID, Command: s.Cmd, Status: s.Status, Results: s.Results})
		case s.Status == nil && !s.NoResp && !s.Internal:
			out = append(out, Outcome{MsgID: s.MsgID, Command: s.Cmd, Results: s.Results, Abandoned: true})
		}
	}
	return out
}

// unanswered reports whether unansweredOf gives s an Outcome: still
// waiting for its Status, or for the rest of its chunked Results.
func (s *sentCmd) unanswered() bool {
	return s.Held || s.Status == nil && !s.NoResp && !s.Internal
}

// touched is a sent command named by a received body: the Results that
// arrived for it in that body and whether its Status did.
type touched struct {
	s         *sentCmd
	fresh     []*syncml.Results
	statusNow bool
}

// receive matches the Statuses and Results of a received body. lastOut is
// the MsgID of the last message this side sent (the MsgRef of a Status
// without one). It returns the Outcomes completed, the commands that
// matched nothing, and the Statuses for this side's SyncHdr.
//
// hold names the command whose Results is coming in chunks (zero: none):
// its Status is held, with the Results so far, until the object is whole;
// a command held before and no longer named by hold (its object arrived
// whole, or was refused or cut) gets its Outcome now.
//
// save, when not nil, gets each record receive changes as it was before
// (a record changed twice, twice: the first is the one before), for a
// reply that fails to put back (see restore.put).
func (c *correlator) receive(cmds []syncml.Command, lastOut string, hold sentKey, save *[]was) (outcomes []Outcome, unmatched []syncml.Command, hdr []*syncml.Status) {
	var list []touched
	// res holds the first Results of each command, in one array sized at
	// the first Results for those left in cmds: a command's fresh is
	// mostly one Results, a slice of it capped at its end.
	var res []*syncml.Results
	// touch returns the entry of s in list, added on first use.
	touch := func(s *sentCmd) *touched {
		if s.touch == 0 {
			if save != nil {
				*save = append(*save, was{s, s.Status, s.Results, s.Held})
			}
			if list == nil {
				list = make([]touched, 0, min(len(cmds), len(c.sent))) // each at most once
			}
			list = append(list, touched{s: s})
			s.touch = int32(len(list))
		}
		return &list[s.touch-1]
	}
	for i, cmd := range cmds {
		switch x := cmd.(type) {
		case *syncml.Status:
			ref := x.MsgRef
			if ref == "" {
				ref = lastOut
			}
			if x.CmdRef == "0" {
				hdr = append(hdr, x)
				continue
			}
			s := c.lookup(ref, x.CmdRef)
			if s == nil || s.Status != nil || s.NoResp || !answersCmd(x, s.Cmd) {
				unmatched = append(unmatched, x)
				continue
			}
			t := touch(s) // first: it saves the record as it was
			s.Status, t.statusNow = x, true
		case *syncml.Results:
			ref := x.MsgRef
			if ref == "" {
				ref = "1" // MS-MDM: a Results without MsgRef refers to message 1
			}
			s := c.lookup(ref, x.CmdRef)
			if s == nil {
				unmatched = append(unmatched, x)
				continue
			}
			t := touch(s)
			if len(t.fresh) > 0 {
				t.fresh = append(t.fresh, x)
				continue
			}
			if res == nil {
				res = make([]*syncml.Results, 0, countResults(cmds[i:]))
			}
			res = append(res, x)
			t.fresh = res[len(res)-1 : len(res) : len(res)]
		}
	}
	held := func(s *sentCmd) bool { return hold.cmd != "" && s.MsgID == hold.msg && s.Cmd.ID() == hold.cmd }
	for _, t := range list {
		s := t.s
		s.touch = 0
		switch {
		case s.Internal:
			s.Results = nil
		case s.Status != nil && held(s):
			s.Results = append(s.Results, t.fresh...)
			s.Held = true
		case s.Status != nil:
			// With its Status now, or Results after it (those alone then,
			// unless held for a chunked object).
			all := t.fresh // capped: appending to it copies
			if len(s.Results) > 0 {
				all = append(s.Results, t.fresh...)
			}
			s.Results, s.Held = nil, false
			if outcomes == nil {
				outcomes = make([]Outcome, 0, len(list))
			}
			outcomes = append(outcomes, Outcome{MsgID: s.MsgID, Command: s.Cmd, Status: s.Status, Results: all})
		default:
			s.Results = append(s.Results, t.fresh...)
		}
	}
	for _, s := range c.sent {
		if s.Held && !held(s) {
			if save != nil {
				*save = append(*save, was{s, s.Status, s.Results, s.Held})
			}
			// Its object was refused or cut: the Status goes out with the
			// chunks kept (none of a refused one), and an error, as no
			// whole Results came.
			outcomes = append(outcomes, Outcome{MsgID: s.MsgID, Command: s.Cmd, Status: s.Status, Results: s.Results,
				Err: notJoined(s)}) // why: see fillDropped
			s.Results, s.Held = nil, false
		}
	}
	return outcomes, unmatched, hdr
}

// answersCmd reports whether st, matched to cmd by MsgRef and CmdRef, names
// cmd's element in its Cmd (XML white space around it aside). A Status
// that names another command answers something the peer took for another
// message's or was never sent: it is surfaced as unmatched rather than
// taken as cmd's. A Status without Cmd, which the DTD requires, is taken.
func answersCmd(st *syncml.Status, cmd syncml.Command) bool {
	return st.Cmd == "" || strings.Trim(st.Cmd, " \t\r\n") == cmd.ElementName()
}

// countResults returns the number of Results in cmds.
func countResults(cmds []syncml.Command) int {
	n := 0
	for _, c := range cmds {
		if _, ok := c.(*syncml.Results); ok {
			n++
		}
	}
	return n
}

// keptAsks is the most Alerts 1222 this side sent of itself that a
// session keeps unanswered (see dropAsks).
const keptAsks = 4

// dropAsks forgets the Alerts 1222 this side sent of itself that are
// answered, and those unanswered but the last keptAsks (a peer may hold
// a Status back a message or two; one that never answers them does not
// make the list grow): nothing waits for them, and a long package (an
// object received in many chunks, a message each) would otherwise keep
// one more in every message's state.
func (c *correlator) dropAsks() {
	ask := func(s *sentCmd) bool {
		a, ok := s.Cmd.(*syncml.Alert)
		if !ok || !s.Internal {
			return false
		}
		code, err := a.Code()
		return err == nil && code == syncml.AlertNextMessage
	}
	unanswered := 0
	for _, s := range c.sent {
		if ask(s) && s.Status == nil {
			unanswered++
		}
	}
	keep := c.sent[:0]
	for _, s := range c.sent {
		if ask(s) {
			if s.Status != nil {
				continue
			}
			if unanswered > keptAsks {
				unanswered--
				continue
			}
		}
		keep = append(keep, s)
	}
	if len(keep) == len(c.sent) {
		return
	}
	clear(c.sent[len(keep):])
	c.sent = keep
	c.index, c.next = nil, 0
}

// prune forgets the commands whose Status has arrived (at the end of a
// session, when no late Results can come), but those held for a Results
// coming in chunks.
func (c *correlator) prune() {
	keep := c.sent[:0]
	for _, s := range c.sent {
		if s.Status == nil && !s.NoResp && !s.Internal || s.Held {
			keep = append(keep, s)
		}
	}
	c.sent = keep
	c.index = nil
}
