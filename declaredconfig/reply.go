package declaredconfig

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/syncml"
)

// A Reply is what a device's messages say about declared configuration:
// every Status, every Results item and the 1224 summary. A device may
// answer one server message over several of its own, so a Reply can be
// read from several messages; Evaluate matches what it holds to what the
// server sent.
type Reply struct {
	// Summary is read from the last message that carries a summary alert;
	// nil when none does.
	Summary  *Summary
	Statuses []*syncml.Status // every Status, in message order
	Results  []ResultItem     // every item of every Results, in message order
	// Limits bound each document and result Evaluate reads from a
	// Results item, as UnmarshalLimits takes them (zero fields take their
	// defaults); ReadReplyLimits sets it and reads the summary under it.
	Limits Limits
}

// A ResultItem is one item of a Results command of a device's message.
type ResultItem struct {
	// MsgRef is the MsgID of the server's message that carried the Get it
	// answers: the Results' MsgRef, or "1" when the Results has none, as
	// MS-MDM says (2.2.7.8).
	MsgRef  string
	CmdRef  string          // the CmdID of the Get it answers
	Results *syncml.Results // the Results command
	Index   int             // the item's index in Results.Items
}

// Item returns the item; a zero Item when Results is nil or has no item
// at Index.
func (ri ResultItem) Item() syncml.Item {
	if ri.Results == nil || ri.Index < 0 || ri.Index >= len(ri.Results.Items) {
		return syncml.Item{}
	}
	return ri.Results.Items[ri.Index]
}

// ReadReply reads a device's messages, in the order they came, looking
// inside Atomic and Sequence too. Statuses and Results items are always
// collected (nil commands and nil messages are skipped). The error is
// non-nil only when a summary alert is present but cannot be read; the
// Reply is still returned, with the last summary that could be read.
// Summaries are read under the default Limits, and Evaluate reads the
// Results' documents and results so: ReadReplyLimits sets others.
func ReadReply(msgs ...*syncml.Message) (*Reply, error) { return ReadReplyLimits(Limits{}, msgs...) }

// ReadReplyLimits is ReadReply with each summary read under the limits
// lim (zero fields take their defaults), as ReadSummaryLimits reads it;
// the Reply keeps lim for Evaluate, which reads the documents and
// results of Results items under it.
func ReadReplyLimits(lim Limits, msgs ...*syncml.Message) (*Reply, error) {
	r := &Reply{Limits: lim}
	lim = lim.withDefaults()
	var errs []error
	seen := map[syncml.Command]bool{}
	for _, m := range msgs {
		if m == nil {
			continue
		}
		r.collect(m.Body.Commands, seen)
		d := findSummaryData(m.Body.Commands)
		if d == nil {
			continue
		}
		var s Summary
		if err := s.unmarshal(d.Value, lim, dataScope(d)...); err != nil {
			where := "1224 alert"
			if len(msgs) > 1 {
				where = "message " + shown(m.Header.MsgID) + ": " + where
			}
			errs = append(errs, errorf("%s: %w", where, shownErr(err)))
		} else {
			r.Summary = &s
		}
	}
	return r, errors.Join(errs...)
}

// collect gathers the Statuses and Results of cmds; seen holds the
// groups entered so far, so that one that contains itself (or stands in
// many places) is read once. The walk keeps its own stack (cmdwalk): a
// tree of any depth a program builds takes no goroutine stack.
func (r *Reply) collect(cmds []syncml.Command, seen map[syncml.Command]bool) {
	w := cmdwalk.New(cmds)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		switch c := c.(type) {
		case nil:
		case *syncml.Status:
			if c != nil {
				r.Statuses = append(r.Statuses, c)
			}
		case *syncml.Results:
			if c == nil {
				continue
			}
			ref := c.MsgRef
			if idKey(ref) == "" {
				ref = "1"
			}
			for i := range c.Items {
				r.Results = append(r.Results, ResultItem{MsgRef: ref, CmdRef: c.CmdRef, Results: c, Index: i})
			}
		default:
			if !seen[c] {
				seen[c] = true
				w.Enter(c.Nested())
			}
		}
	}
}

// A Sent is a command the server sent, named the way a device's Status and
// Results refer to it. An Atomic or Sequence stands for the commands inside
// it too, which need not be listed on their own.
type Sent struct {
	MsgID   string         // the MsgID of the server's message that carried it
	Command syncml.Command // the command as sent, numbered (its CmdID set)
}

// Desired is what the server sent for one document, which Evaluate compares
// with what the device reports.
type Desired struct {
	URI      URI    // the Document node the document was sent to
	Checksum string // the checksum of the version sent
	// MsgID and CmdID name the Add or Replace that sent this version, in
	// a message the reply answers: the MsgID of the server's message and
	// the command's CmdID; both "" if it was sent earlier. An empty MsgID
	// with a CmdID is read as "1", the first message of a session.
	MsgID     string
	CmdID     string
	Abandoned bool // the server has set Properties/Abandoned to 1
	// LastResultChecksum is the result_checksum the device reported when
	// the server last found the document in sync; "" if never.
	LastResultChecksum string
}

// SentBy points d at the Add or Replace in sent that carries a document
// to d.URI's Document node: it sets d.MsgID and d.CmdID to name the last
// such command (looking inside Atomic and Sequence) and reports whether
// there is one; otherwise d is unchanged. A server whose session hands
// back each command sent with the MsgID of its message builds sent from
// them and so tells Evaluate which command sent each document.
func (d *Desired) SentBy(sent []Sent) bool {
	if len(sent) == 0 {
		return false
	}
	doc := d.URI
	doc.Node = NodeDocument
	node := doc.String()
	found := false
	seen := map[syncml.Command]bool{}
	// look checks c, if not seen before, and returns what it nests. Only
	// an Add or Replace may match, and it nests nothing: walking a group
	// before or after what it holds meets them in the same order.
	look := func(msgID string, c syncml.Command) []syncml.Command {
		if c == nil || seen[c] {
			return nil
		}
		seen[c] = true
		if n := c.ElementName(); (n == "Add" || n == "Replace") && c.ID() != "" {
			for _, t := range syncml.Targets(c) {
				if sameNode(t, node) {
					d.MsgID, d.CmdID, found = msgID, c.ID(), true
				}
			}
		}
		return c.Nested()
	}
	for _, s := range sent {
		cmdwalk.Each(look(s.MsgID, s.Command), func(c syncml.Command) []syncml.Command { return look(s.MsgID, c) })
	}
	return found
}

// A Condition is the server's view of one document.
type Condition uint8

// The conditions of a document.
const (
	// Pending: the device has not reported a final outcome for the version
	// sent (not listed yet, an older checksum, or a transient state).
	Pending Condition = iota
	// InSync: the device applied the version sent and every reported
	// setting succeeded.
	InSync
	// Failed: the device refused the document, or applying it (or one of
	// its settings) failed.
	Failed
	// Drifted: the document had been in sync, and the device now reports a
	// failed state with a new result checksum: it found drift it could not
	// repair (such as missing instance data).
	Drifted
	// Abandoned: the server abandoned the document; the device keeps its
	// settings but no longer maintains them.
	Abandoned
	// Deleted: the device reports the document deleted.
	Deleted
)

// String returns the condition's name, such as "InSync".
func (c Condition) String() string {
	switch c {
	case Pending:
		return "Pending"
	case InSync:
		return "InSync"
	case Failed:
		return "Failed"
	case Drifted:
		return "Drifted"
	case Abandoned:
		return "Abandoned"
	case Deleted:
		return "Deleted"
	}
	return fmt.Sprintf("Condition(%d)", uint8(c))
}

// A DocumentStatus is the outcome of Evaluate for one document.
type DocumentStatus struct {
	DocID     string
	Condition Condition
	Reason    string // why, in a few words

	Reported       bool   // the device's summary lists the document
	State          State  // the summary's state (StateNotDefined if not reported)
	Checksum       string // the version the device holds
	ResultChecksum string
	// Command is the Status code of the command that sent the document
	// (0 if Desired.CmdID is empty or no Status answered it).
	Command syncml.StatusCode
	// Result is the result of the version sent (or of no stated version),
	// read from a Results that answers a Get of the document's Results
	// node; nil when there is none.
	Result *Result
	// Settings are Result.Settings(); nil when Result is nil.
	Settings []SettingStatus
	// Document is the document as the device holds it, read from a
	// Results that answers a Get of its Document node; nil when there is
	// none.
	Document *Document
}

// An Evaluation is the outcome of Evaluate: one status per desired
// document, and what of the reply could not be used.
type Evaluation struct {
	Documents []DocumentStatus // one per Desired, in the order given
	// Unmatched lists, in reply order (Statuses first, then Results
	// items), every Status and Results item that answers neither a
	// Desired document nor a Sent command, and every one that answers
	// one but cannot be read. Statuses for the server's SyncHdr (CmdRef
	// "0") answer no command and are not listed.
	Unmatched []Unmatched
}

// An Unmatched is a Status or Results item of a reply that Evaluate could
// not attribute or could not read.
type Unmatched struct {
	Command syncml.Command // the *syncml.Status or *syncml.Results
	Item    int            // the index of the Results item; -1 for a Status
	Reason  string         // why, in a few words
	Err     error          // the error reading the code or Data, when that is why
}

// A SettingStatus is the outcome for one setting: a URI of a CSP, or a Key
// or Value of a DSC (which carry the DSC's status and state).
type SettingStatus struct {
	Provider string            // the CSP name, or the DSC className
	Name     string            // the URI path, or the DSC parameter name
	Type     string            // the URI type ("" for DSC parameters)
	Status   syncml.StatusCode // 0 when absent or not a number
	State    State             // StateNotDefined when absent or not a number
}

// Failed reports whether the setting's status is not 2xx or its state is
// a failed outcome.
func (s SettingStatus) Failed() bool {
	return s.Status != 0 && !s.Status.Success() || s.State.Failed()
}

// Settings returns the status of every setting the result reports, CSPs
// first, in document order; nil for a nil Result.
func (r *Result) Settings() []SettingStatus {
	if r == nil {
		return nil
	}
	var out []SettingStatus
	for _, c := range r.CSPs {
		for _, s := range c.Settings {
			out = append(out, SettingStatus{Provider: c.Name, Name: s.Path, Type: s.Type,
				Status: parseStatus(s.Status), State: stateOrZero(s.State)})
		}
	}
	for _, c := range r.DSCs {
		for _, ps := range [][]Param{c.Keys, c.Values} {
			for _, p := range ps {
				out = append(out, SettingStatus{Provider: c.ClassName, Name: p.Name,
					Status: parseStatus(c.Status), State: stateOrZero(c.State)})
			}
		}
	}
	return out
}

func parseStatus(s string) syncml.StatusCode {
	n, err := strconv.Atoi(trimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return syncml.StatusCode(n)
}

func stateOrZero(s string) State {
	st, _ := ParseState(s)
	return st
}

// Evaluate returns the status of each desired document, in the order
// given, and what of the reply it could not use.
//
// A Status is matched by MsgRef and CmdRef: to the Desired whose MsgID and
// CmdID name the command that sent the document, or to a Sent command. A
// Results item is matched by MsgRef and CmdRef to a Sent Get, and within
// it to the Get's item (its only one, or the one whose Target names the
// same node as the item's Source); what the Get's Target names decides what
// the item is, whatever its Source says (devices answer a Get of a
// Complete Results node with a BulkTemplate Source). An item that answers
// a Get of a desired document's Results node is read as its Result, one
// that answers a Get of its Document node as its Document (one whose id
// is another DocID, or whose context names the other scope, is that other
// document's: it is listed in Unmatched; so is a result of another
// version than the Desired's when the reply's summary lists the Desired's
// version, while one the summary does not contradict is only not used);
// items that
// answer Gets of other nodes are left to the caller. So sent should hold
// every Get whose answers the reply may carry (directly, or inside a sent
// Atomic or Sequence); other commands may be
// listed too, so that their Status is not reported as unmatched. An
// absent MsgRef or MsgID is read as "1"; IDs compare as numbers when they
// are decimal (white space around them and leading zeros aside); DocIDs
// compare by EqualDocID. nil Statuses and Results are skipped.
func (r *Reply) Evaluate(desired []Desired, sent []Sent) *Evaluation {
	if r == nil {
		r = &Reply{}
	}
	ev := &Evaluation{Documents: make([]DocumentStatus, len(desired))}
	for i, d := range desired {
		ev.Documents[i].DocID = d.URI.DocID
	}
	bySent := make(map[ref]syncml.Command, len(sent))
	seen := map[syncml.Command]bool{}
	// index indexes c, if not seen before, and returns what it nests.
	index := func(msgID string, c syncml.Command) []syncml.Command {
		if c == nil || seen[c] {
			return nil // nil, or a command already indexed (shared, or a cycle)
		}
		seen[c] = true
		if c.ID() != "" {
			bySent[refOf(msgID, c.ID())] = c
		}
		return c.Nested()
	}
	for _, s := range sent {
		clear(seen)
		cmdwalk.Each(index(s.MsgID, s.Command), func(c syncml.Command) []syncml.Command { return index(s.MsgID, c) })
	}
	for _, st := range r.Statuses {
		if st == nil {
			continue
		}
		k := refOf(st.MsgRef, st.CmdRef)
		if k.cmd == "0" {
			continue
		}
		_, used := bySent[k]
		for i, d := range desired {
			if d.CmdID == "" || refOf(d.MsgID, d.CmdID) != k {
				continue
			}
			used = true
			code, err := st.Code()
			if err != nil {
				ev.Unmatched = append(ev.Unmatched, Unmatched{Command: st, Item: -1,
					Reason: "the status code of " + shownName(st.Cmd) + " " + k.String() + " does not read", Err: err})
				break
			}
			ev.Documents[i].Command = code
		}
		if !used {
			ev.Unmatched = append(ev.Unmatched, Unmatched{Command: st, Item: -1,
				Reason: "answers " + shownName(st.Cmd) + " " + k.String() + ", which is neither a desired document's command nor a sent one"})
		}
	}
	answered := map[answer]ResultItem{} // the Get items already answered, and by what
	for _, ri := range r.Results {
		if ri.Results == nil || ri.Index < 0 || ri.Index >= len(ri.Results.Items) {
			continue
		}
		if u, ok := ev.result(ri, desired, bySent, answered, r.Summary, r.Limits.withDefaults()); !ok {
			ev.Unmatched = append(ev.Unmatched, u)
		}
	}
	for i, d := range desired {
		r.condition(&ev.Documents[i], d)
	}
	return ev
}

// An answer is a node of a desired document that a sent Get named.
type answer struct {
	get  ref
	doc  int
	node Node
}

// result attributes one Results item; it returns false and the Unmatched
// entry when it cannot. answered holds the Get items answered before it:
// a second answer to one is not used, so that the first one stands (the
// same item met again, a command shared by two places of the tree, is no
// second answer). It reads the item's document or result under lim.
func (ev *Evaluation) result(ri ResultItem, desired []Desired, bySent map[ref]syncml.Command, answered map[answer]ResultItem, sum *Summary, lim Limits) (Unmatched, bool) {
	k := refOf(ri.MsgRef, ri.CmdRef)
	um := func(err error, format string, args ...any) (Unmatched, bool) {
		return Unmatched{Command: ri.Results, Item: ri.Index, Reason: fmt.Sprintf(format, args...), Err: err}, false
	}
	item := ri.Item()
	src := ""
	if item.Source != nil {
		src = item.Source.LocURI
	}
	c, ok := bySent[k]
	if !ok {
		return um(nil, "answers command %s, which was not sent (Source %s)", k, shown(src))
	}
	if c.ElementName() != "Get" {
		return um(nil, "answers %s %s, not a Get", shownName(c.ElementName()), k)
	}
	target, ok := getTarget(c.ItemList(), item)
	if !ok {
		return um(nil, "Get %s names no node %s", k, shown(src))
	}
	u, err := ParseURI(target)
	if err != nil || u.Node != NodeResults && u.Node != NodeDocument {
		return Unmatched{}, true // a Get of another node: the caller's
	}
	i := slices.IndexFunc(desired, func(d Desired) bool {
		return d.URI.Scope == u.Scope && d.URI.Host == u.Host && EqualDocID(d.URI.DocID, u.DocID)
	})
	if i < 0 {
		return Unmatched{}, true // a document the caller did not ask about
	}
	a := answer{k, i, u.Node}
	if first, ok := answered[a]; ok && (first.Results != ri.Results || first.Index != ri.Index) {
		return um(nil, "a second answer to Get %s of %s (the first is kept)", k, shown(target))
	}
	answered[a] = ri
	if item.Data == nil {
		return um(nil, "the answer to Get %s of %s has no Data", k, shown(target))
	}
	ds := &ev.Documents[i]
	if u.Node == NodeDocument {
		var doc Document
		if err := doc.unmarshal(item.Data.Value, lim, dataScope(item.Data)...); err != nil {
			return um(err, "the answer to Get %s of %s does not read as a document", k, shown(target))
		}
		if !EqualDocID(doc.ID, u.DocID) {
			return um(nil, "the answer to Get %s of %s is document %s", k, shown(target), shown(doc.ID))
		}
		if otherContext(doc.Context, u.Scope) {
			return um(nil, "the answer to Get %s of %s is a document of context %s", k, shown(target), shown(doc.Context))
		}
		ds.Document = &doc
		return Unmatched{}, true
	}
	var res Result
	if err := res.unmarshal(item.Data.Value, lim, dataScope(item.Data)...); err != nil {
		return um(err, "the answer to Get %s of %s does not read as a result", k, shown(target))
	}
	if !EqualDocID(res.ID, u.DocID) {
		return um(nil, "the answer to Get %s of %s is the result of document %s", k, shown(target), shown(res.ID))
	}
	if otherContext(res.Context, u.Scope) {
		// The same DocID in the other scope is another document.
		return um(nil, "the answer to Get %s of %s is the result of a document of context %s", k, shown(target), shown(res.Context))
	}
	if res.Checksum == "" || res.Checksum == desired[i].Checksum {
		ds.Result = &res
		ds.Settings = res.Settings()
		return Unmatched{}, true
	}
	// Another version's result: the device's own when it holds that
	// version, or when it holds the desired one and has not finished it
	// (a Replace and the Get of its result in one message: the result is
	// still the old version's until the new one completes); a
	// contradiction when the reply's summary lists the desired version
	// completed.
	if sum != nil {
		if e := sum.EntryIn(u.Scope, u.DocID); e != nil && e.Checksum == desired[i].Checksum && entryCompleted(e) {
			return um(nil, "the answer to Get %s of %s is the result of version %s, while the summary lists version %s", k, shown(target), shown(res.Checksum), shown(e.Checksum))
		}
	}
	return Unmatched{}, true
}

// entryCompleted reports whether a summary entry's state is a completed
// one (60 and above): a result of the entry's version should exist.
func entryCompleted(e *SummaryEntry) bool {
	st, ok := e.ParsedState()
	return ok && st.Completed()
}

// otherContext reports whether context, as a document or result states
// it, names another scope than s (any case, XML spaces around it aside;
// an absent one names none).
func otherContext(context string, s Scope) bool {
	context = strings.Trim(context, " \t\r\n")
	return context != "" && !strings.EqualFold(context, s.String())
}

// getTarget returns the Target of the Get item that a Results item
// answers: the Get's only item, or the one naming the node of the
// Results item's Source.
func getTarget(items []syncml.Item, answer syncml.Item) (string, bool) {
	if len(items) == 1 {
		if items[0].Target == nil {
			return "", false
		}
		return items[0].Target.LocURI, true
	}
	if answer.Source == nil {
		return "", false
	}
	for _, it := range items {
		if it.Target != nil && sameNode(it.Target.LocURI, answer.Source.LocURI) {
			return it.Target.LocURI, true
		}
	}
	return "", false
}

// sameNode reports whether two LocURIs name the same node: as nodes of
// this CSP (fixed names in any case, DocIDs by EqualDocID) or else as
// syncml.LocURI values.
func sameNode(a, b string) bool {
	if ua, err := ParseURI(a); err == nil {
		ub, err := ParseURI(b)
		return err == nil && ua.Scope == ub.Scope && ua.Host == ub.Host && ua.Node == ub.Node && EqualDocID(ua.DocID, ub.DocID)
	}
	la, err := syncml.ParseLocURI(a)
	if err != nil {
		return false
	}
	lb, err := syncml.ParseLocURI(b)
	return err == nil && la.Equal(lb)
}

// A ref names a command of the server's: the MsgID of its message and its
// CmdID, normalised by idKey.
type ref struct{ msg, cmd string }

func refOf(msgID, cmdID string) ref {
	m := idKey(msgID)
	if m == "" {
		m = "1"
	}
	return ref{m, idKey(cmdID)}
}

// String returns `CmdID "2" of message "1"`.
func (k ref) String() string {
	return "CmdID " + shown(k.cmd) + " of message " + shown(k.msg)
}

// idKey normalises a MsgID, MsgRef, CmdID or CmdRef for comparison: XML
// white space around it is dropped and a decimal number loses its leading
// zeros.
func idKey(s string) string {
	k := strings.Trim(s, " \t\r\n")
	if k == "" || strings.Trim(k, "0123456789") != "" {
		return k
	}
	if k = strings.TrimLeft(k, "0"); k == "" {
		k = "0"
	}
	return k
}

// condition sets the summary fields, Condition and Reason of ds.
func (r *Reply) condition(ds *DocumentStatus, d Desired) {
	var e *SummaryEntry
	if r.Summary != nil {
		e = r.Summary.EntryIn(d.URI.Scope, d.URI.DocID)
	}
	if e != nil {
		ds.Reported = true
		ds.State = stateOrZero(e.State)
		ds.Checksum = e.Checksum
		ds.ResultChecksum = e.ResultChecksum
	}
	switch {
	case d.Abandoned:
		ds.Condition, ds.Reason = Abandoned, "abandoned by the server"
	case ds.Command != 0 && !ds.Command.Success():
		ds.Condition, ds.Reason = Failed, "the device refused the document: "+ds.Command.String()
	case e == nil:
		ds.Condition, ds.Reason = Pending, "not in the device's summary"
	case e.Checksum != d.Checksum:
		ds.Condition, ds.Reason = Pending, "the device holds checksum "+shown(e.Checksum)
	case ds.State.Deleted():
		ds.Condition, ds.Reason = Deleted, "deleted on the device"
	case ds.State.Failed():
		if d.LastResultChecksum != "" && e.ResultChecksum != d.LastResultChecksum {
			ds.Condition, ds.Reason = Drifted, "was in sync; now "+ds.State.String()
		} else {
			ds.Condition, ds.Reason = Failed, ds.State.String()
		}
	case ds.State.Succeeded():
		ds.Condition, ds.Reason = InSync, ds.State.String()
		for _, s := range ds.Settings {
			if s.Failed() {
				ds.Condition, ds.Reason = Failed, "setting "+shown(s.Provider)+" "+shown(s.Name)+" failed"
				break
			}
		}
	default:
		ds.Condition, ds.Reason = Pending, ds.State.String()
	}
}

// dataScope returns the prefixed namespace declarations that XML markup
// in d relies on, declared by the elements around the Data.
func dataScope(d *syncml.Data) []nsBinding {
	if d.Kind != syncml.DataXML {
		return nil
	}
	var ns []nsBinding
	for _, n := range d.Namespaces {
		if n.Prefix != "" {
			ns = append(ns, nsBinding{prefix: n.Prefix, uri: n.URI})
		}
	}
	return ns
}
