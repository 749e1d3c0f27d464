package declaredconfig

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// A Reply is what a device's message says about declared configuration:
// the Status of each command, the Results of Gets on Results nodes, and the
// 1224 summary.
type Reply struct {
	Summary  *Summary         // nil when the message has no summary alert
	Statuses []*syncml.Status // every Status, in message order
	Results  []ResultItem     // every Results item whose Source is a Results node
}

// A ResultItem is one Results item read from a device's message.
type ResultItem struct {
	URI    URI     // the Results node it came from
	CmdRef string  // the CmdID of the Get it answers
	Result *Result // nil when Err is set
	Err    error   // the item's Data could not be read as a Result
}

// ReadReply reads a device's message. Statuses and results are always
// collected; a Results item that cannot be read records its error in its
// ResultItem. The error is non-nil only when a summary alert is present but
// cannot be read (the Reply is still returned, without Summary).
func ReadReply(m *syncml.Message) (*Reply, error) {
	r := &Reply{}
	r.collect(m.Body.Commands)
	var err error
	if d := findSummaryData(m.Body.Commands); d != nil {
		var s Summary
		if e := s.unmarshal([]byte(d.Value), defaultLimits, dataScope(d)...); e != nil {
			err = errorf("1224 alert: %w", e)
		} else {
			r.Summary = &s
		}
	}
	return r, err
}

func (r *Reply) collect(cmds []syncml.Command) {
	for _, c := range cmds {
		switch c := c.(type) {
		case *syncml.Status:
			r.Statuses = append(r.Statuses, c)
		case *syncml.Results:
			for _, it := range c.Items {
				if it.Source == nil {
					continue
				}
				u, err := ParseURI(it.Source.LocURI)
				if err != nil || u.Node != NodeResults {
					continue
				}
				ri := ResultItem{URI: u, CmdRef: c.CmdRef}
				if it.Data == nil {
					ri.Err = errorf("%w: Results item for %s has no Data", ErrStructure, u)
				} else {
					var res Result
					if err := res.unmarshal([]byte(it.Data.Value), defaultLimits, dataScope(it.Data)...); err != nil {
						ri.Err = err
					} else {
						ri.Result = &res
					}
				}
				r.Results = append(r.Results, ri)
			}
		case *syncml.Atomic:
			r.collect(c.Commands)
		case *syncml.Sequence:
			r.collect(c.Commands)
		}
	}
}

// Desired is what the server sent for one document, which Evaluate compares
// with what the device reports.
type Desired struct {
	URI      URI    // the Document node the document was sent to
	Checksum string // the checksum of the version sent
	// CmdID is the CmdID of the Add or Replace that sent it in the message
	// this reply answers; "" if it was sent earlier.
	CmdID     string
	Abandoned bool // the server has set Properties/Abandoned to 1
	// LastResultChecksum is the result_checksum the device reported when
	// the server last found the document in sync; "" if never.
	LastResultChecksum string
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
	// Settings are read from a Result of the same version in the reply;
	// nil when there is none.
	Settings []SettingStatus
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
// first, in document order.
func (r *Result) Settings() []SettingStatus {
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

// Evaluate returns the status of each desired document, in the order given.
// It matches DocIDs without regard to case.
func (r *Reply) Evaluate(desired []Desired) []DocumentStatus {
	out := make([]DocumentStatus, 0, len(desired))
	for _, d := range desired {
		out = append(out, r.evaluate(d))
	}
	return out
}

func (r *Reply) evaluate(d Desired) DocumentStatus {
	ds := DocumentStatus{DocID: d.URI.DocID}
	if d.CmdID != "" {
		for _, s := range r.Statuses {
			if s.CmdRef == d.CmdID && (s.Cmd == "Add" || s.Cmd == "Replace" || s.Cmd == "") {
				if code, err := s.Code(); err == nil {
					ds.Command = code
				}
			}
		}
	}
	for _, ri := range r.Results {
		if ri.Result == nil || ri.URI.Host != d.URI.Host || ri.URI.Scope != d.URI.Scope ||
			!strings.EqualFold(ri.URI.DocID, d.URI.DocID) {
			continue
		}
		if ri.Result.Checksum == "" || ri.Result.Checksum == d.Checksum {
			ds.Settings = ri.Result.Settings()
		}
	}
	var e *SummaryEntry
	if r.Summary != nil {
		for i := range r.Summary.Documents {
			if strings.EqualFold(r.Summary.Documents[i].ID, d.URI.DocID) {
				e = &r.Summary.Documents[i]
			}
		}
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
		ds.Condition, ds.Reason = Pending, "the device holds checksum "+strconv.Quote(e.Checksum)
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
				ds.Condition, ds.Reason = Failed, "setting "+s.Provider+" "+s.Name+" failed"
				break
			}
		}
	default:
		ds.Condition, ds.Reason = Pending, ds.State.String()
	}
	return ds
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
