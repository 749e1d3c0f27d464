package declaredconfig

import (
	"strings"

	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/syncml"
)

// SummaryType is the Meta Type of the 1224 alert item that carries a
// Summary, as Windows writes it (IsSummaryType says which others name it).
const SummaryType = "com.microsoft.mdm.declaredconfigurationdocuments"

// rdnNamespace is the URN namespace identifier that OMA DM puts before a
// reverse domain name in the Meta Type of an alert item; Windows writes
// it before some of its 1224 types (DMClient's requestpending).
const rdnNamespace = "Reversed-Domain-Name:"

// IsSummaryType reports whether t, the Meta Type of a 1224 alert item,
// names a Summary: SummaryType with white space around it, in any case
// of its ASCII letters (it is a reverse domain name, and domain names
// compare without regard to case; no other byte folds), and with or
// without the namespace identifier "Reversed-Domain-Name:" before it
// (compared the same way, white space allowed after it), which OMA DM's
// alert types carry.
func IsSummaryType(t string) bool {
	if t == SummaryType {
		return true // the common case, compared a word at a time
	}
	t = strings.TrimSpace(t)
	if len(t) > len(rdnNamespace) && equalFoldASCII(t[:len(rdnNamespace)], rdnNamespace) {
		t = strings.TrimSpace(t[len(rdnNamespace):])
	}
	return equalFoldASCII(t, SummaryType)
}

// A Summary is the DeclaredConfigurations element a device sends in a 1224
// alert with every message: one entry per document it is processing or has
// processed.
type Summary struct {
	Schema    string // "1.0"
	Attrs     []Attr
	Documents []SummaryEntry
	Unknown   []string
}

// A SummaryEntry is one DeclaredConfiguration element of a Summary.
type SummaryEntry struct {
	Context        string
	ID             string
	Checksum       string // the document version the device holds
	ResultChecksum string // changes when the outcome changes
	State          string // a State, in decimal
	Attrs          []Attr
	Unknown        []string // child elements, which the docs do not show
}

// ParsedState returns e.State read as ParseState reads it, and whether it
// reads: 0 and false when the state attribute is absent or is no decimal
// number (a summary keeps what the device wrote). Whether the State is
// one the CSP defines is State.Known.
func (e SummaryEntry) ParsedState() (State, bool) {
	st, err := ParseState(e.State)
	return st, err == nil
}

var (
	summaryAttrs = []string{"schema"}
	entryAttrs   = []string{"context", "id", "checksum", "result_checksum", "state"}
)

// MarshalText implements encoding.TextMarshaler.
func (s *Summary) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// AppendText appends the canonical XML of the summary to b.
func (s *Summary) AppendText(b []byte) ([]byte, error) {
	w := writer{b: b}
	w.start("DeclaredConfigurations", s.Attrs, "schema", s.Schema)
	if len(s.Documents) == 0 && len(s.Unknown) == 0 {
		w.close()
		return w.b, w.err
	}
	w.gt()
	for _, e := range s.Documents {
		w.start("DeclaredConfiguration", e.Attrs, "context", e.Context, "id", e.ID,
			"checksum", e.Checksum, "result_checksum", e.ResultChecksum, "state", e.State)
		if len(e.Unknown) == 0 {
			w.close()
			continue
		}
		w.gt()
		w.unknown("DeclaredConfiguration", e.Unknown)
		w.end("DeclaredConfiguration")
	}
	w.unknown("DeclaredConfigurations", s.Unknown, "DeclaredConfiguration")
	w.end("DeclaredConfigurations")
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// Document.UnmarshalText accepts around a DeclaredConfigurations element.
func (s *Summary) UnmarshalText(text []byte) error { return s.unmarshal(string(text), defaultLimits) }

func (s *Summary) unmarshal(text string, lim Limits, scope ...nsBinding) error {
	t, err := parse(text, lim, scope...)
	if err != nil {
		return err
	}
	root := t.root
	if root.name != "DeclaredConfigurations" {
		return t.structure(root, "/"+root.name, "root element is <%s>, want <DeclaredConfigurations>", shownName(root.name))
	}
	if err := t.structural(root, "/DeclaredConfigurations"); err != nil {
		return err
	}
	var sum Summary
	sum.Attrs = splitAttrs(root.attrs, summaryAttrs, &sum.Schema)
	sum.Documents = makeFor[SummaryEntry](root, "DeclaredConfiguration")
	for _, c := range root.children {
		if c.name != "DeclaredConfiguration" {
			sum.Unknown = append(sum.Unknown, c.raw)
			continue
		}
		if err := t.structural(c, "/DeclaredConfigurations/DeclaredConfiguration"); err != nil {
			return err
		}
		var e SummaryEntry
		e.Attrs = splitAttrs(c.attrs, entryAttrs, &e.Context, &e.ID, &e.Checksum, &e.ResultChecksum, &e.State)
		for _, k := range c.children {
			e.Unknown = append(e.Unknown, k.raw)
		}
		sum.Documents = append(sum.Documents, e)
	}
	*s = sum
	return nil
}

// Entry returns the first entry for the document id (compared by
// EqualDocID) in either scope, or nil (also for a nil Summary). The same
// DocID may name a Device and a User document: EntryIn tells them apart.
func (s *Summary) Entry(id string) *SummaryEntry {
	if s == nil {
		return nil
	}
	for i := range s.Documents {
		if EqualDocID(s.Documents[i].ID, id) {
			return &s.Documents[i]
		}
	}
	return nil
}

// EntryIn returns the first entry for the document id (compared by
// EqualDocID) whose Scope is sc, or nil (also for a nil Summary).
func (s *Summary) EntryIn(sc Scope, id string) *SummaryEntry {
	if s == nil {
		return nil
	}
	for i := range s.Documents {
		if e := &s.Documents[i]; EqualDocID(e.ID, id) && e.Scope() == sc {
			return e
		}
	}
	return nil
}

// Scope returns the scope of the entry's document, read from its
// context: User when it is "user" in any case (white space around it
// aside), Device otherwise, as devices write "Device", "device" or
// nothing for device documents.
func (e *SummaryEntry) Scope() Scope {
	if strings.EqualFold(strings.TrimSpace(e.Context), "user") {
		return User
	}
	return Device
}

// ReadSummary finds the 1224 alert whose item has a Meta Type that names
// a Summary (IsSummaryType) in a device's message, looking inside Atomic
// and Sequence too, and reads its Summary. It returns an error matching
// ErrNoSummary if there is none.
//
// Changed: the Meta Type is matched as IsSummaryType says (any case, an
// optional "Reversed-Domain-Name:"); it was matched exactly, but for
// white space around it.
func ReadSummary(m *syncml.Message) (*Summary, error) { return readSummary(m, defaultLimits) }

// ReadSummaryLimits is ReadSummary with the summary read under the limits
// lim (zero fields take their defaults), as UnmarshalLimits reads it: a
// server bounds there what it keeps of a device's summary.
func ReadSummaryLimits(m *syncml.Message, lim Limits) (*Summary, error) {
	return readSummary(m, lim.withDefaults())
}

func readSummary(m *syncml.Message, lim Limits) (*Summary, error) {
	var d *syncml.Data
	if m != nil {
		d = findSummaryData(m.Body.Commands)
	}
	if d == nil {
		return nil, errorf("%w", ErrNoSummary)
	}
	var s Summary
	if err := s.unmarshal(d.Value, lim, dataScope(d)...); err != nil {
		return nil, errorf("1224 alert: %w", err)
	}
	return &s, nil
}

func findSummaryData(cmds []syncml.Command) *syncml.Data {
	return findSummaryIn(cmds, map[syncml.Command]bool{})
}

// findSummaryIn looks through cmds and the groups in them, in document
// order; seen holds the groups entered so far, so that one that contains
// itself (or stands in many places) is read once. The walk keeps its own
// stack (cmdwalk): a tree of any depth takes no goroutine stack.
func findSummaryIn(cmds []syncml.Command, seen map[syncml.Command]bool) *syncml.Data {
	w := cmdwalk.New(cmds)
	for c, ok := w.Next(); ok; c, ok = w.Next() {
		switch c := c.(type) {
		case nil:
		case *syncml.Alert:
			if c == nil {
				continue
			}
			if code, err := c.Code(); err != nil || code != syncml.AlertClientEvent {
				continue
			}
			for _, it := range c.Items {
				if it.Meta != nil && IsSummaryType(it.Meta.Type) && it.Data != nil {
					return it.Data
				}
			}
		default:
			if seen[c] {
				continue
			}
			seen[c] = true
			w.Enter(c.Nested())
		}
	}
	return nil
}
