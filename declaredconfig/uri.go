package declaredconfig

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// A Scope is the tree a URI starts in: ./Device or ./User.
type Scope uint8

// The scopes of the CSP.
const (
	Device Scope = iota // ./Device/Vendor/MSFT/DeclaredConfiguration
	User                // ./User/Vendor/MSFT/DeclaredConfiguration
)

// String returns "Device" or "User".
func (s Scope) String() string {
	switch s {
	case Device:
		return "Device"
	case User:
		return "User"
	}
	return fmt.Sprintf("Scope(%d)", uint8(s))
}

// A Host is the kind of request under Host: a complete configuration, an
// inventory, or a bulk template whose variables come separately.
type Host uint8

// The hosts of the CSP.
const (
	Complete     Host = iota + 1 // Host/Complete
	Inventory                    // Host/Inventory
	BulkTemplate                 // Host/BulkTemplate
)

// String returns the node name, such as "Complete".
func (h Host) String() string {
	switch h {
	case Complete:
		return "Complete"
	case Inventory:
		return "Inventory"
	case BulkTemplate:
		return "BulkTemplate"
	}
	return fmt.Sprintf("Host(%d)", uint8(h))
}

// A Node is the leaf a URI addresses.
type Node uint8

// The leaves of the CSP.
const (
	// NodeDocument is Host/{Host}/Documents/{DocID}/Document.
	NodeDocument Node = iota + 1
	// NodeResults is Host/{Host}/Results/{DocID}/Document.
	NodeResults
	// NodeAbandoned is Host/Complete/Documents/{DocID}/Properties/Abandoned.
	NodeAbandoned
	// NodeBulkVariables is Host/BulkTemplate/Documents/{DocID}/BulkVariables/Value.
	NodeBulkVariables
	// NodeRefreshInterval is ManagementServiceConfiguration/RefreshInterval.
	NodeRefreshInterval
	// NodeConflictResolution is ManagementServiceConfiguration/ConflictResolution.
	NodeConflictResolution
)

// String returns a short name of the node, such as "Document".
func (n Node) String() string {
	switch n {
	case NodeDocument:
		return "Document"
	case NodeResults:
		return "Results"
	case NodeAbandoned:
		return "Abandoned"
	case NodeBulkVariables:
		return "BulkVariables"
	case NodeRefreshInterval:
		return "RefreshInterval"
	case NodeConflictResolution:
		return "ConflictResolution"
	}
	return fmt.Sprintf("Node(%d)", uint8(n))
}

// A URI is one node of the DeclaredConfiguration CSP. Host and DocID are
// zero for the ManagementServiceConfiguration nodes.
type URI struct {
	Scope Scope
	Host  Host
	DocID string
	Node  Node
}

const (
	cspPath = "/Vendor/MSFT/DeclaredConfiguration/"
	mscPath = "ManagementServiceConfiguration/"
)

// RefreshIntervalURI is the node that sets the minutes between drift
// checks (default 240, at least 30).
const RefreshIntervalURI = "./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval"

// ConflictResolutionURI is the node that turns conflict resolution off (0)
// or on (1).
const ConflictResolutionURI = "./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/ConflictResolution"

// DocumentURI returns the Document node of a request.
func DocumentURI(s Scope, h Host, docID string) URI {
	return URI{Scope: s, Host: h, DocID: docID, Node: NodeDocument}
}

// ResultsURI returns the node that holds the results of a request.
func ResultsURI(s Scope, h Host, docID string) URI {
	return URI{Scope: s, Host: h, DocID: docID, Node: NodeResults}
}

// AbandonedURI returns the Properties/Abandoned node of a complete document.
func AbandonedURI(s Scope, docID string) URI {
	return URI{Scope: s, Host: Complete, DocID: docID, Node: NodeAbandoned}
}

// BulkVariablesURI returns the BulkVariables/Value node of a bulk template.
func BulkVariablesURI(s Scope, docID string) URI {
	return URI{Scope: s, Host: BulkTemplate, DocID: docID, Node: NodeBulkVariables}
}

// String returns the LocURI, such as
// ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/{DocID}/Document.
// It does not check u; see Check.
func (u URI) String() string {
	var b strings.Builder
	b.WriteString("./")
	b.WriteString(u.Scope.String())
	b.WriteString(cspPath)
	switch u.Node {
	case NodeRefreshInterval:
		b.WriteString(mscPath + "RefreshInterval")
		return b.String()
	case NodeConflictResolution:
		b.WriteString(mscPath + "ConflictResolution")
		return b.String()
	}
	b.WriteString("Host/")
	b.WriteString(u.Host.String())
	if u.Node == NodeResults {
		b.WriteString("/Results/")
	} else {
		b.WriteString("/Documents/")
	}
	b.WriteString(u.DocID)
	switch u.Node {
	case NodeAbandoned:
		b.WriteString("/Properties/Abandoned")
	case NodeBulkVariables:
		b.WriteString("/BulkVariables/Value")
	default:
		b.WriteString("/Document")
	}
	return b.String()
}

// Check reports whether u names a node the CSP has: a known scope, host
// and node, a GUID DocID, Abandoned only under Complete, BulkVariables only
// under BulkTemplate, and ManagementServiceConfiguration only in Device
// scope.
func (u URI) Check() error {
	if u.Scope != Device && u.Scope != User {
		return errorf("%w: unknown scope %v", ErrURI, u.Scope)
	}
	switch u.Node {
	case NodeRefreshInterval, NodeConflictResolution:
		if u.Scope != Device || u.Host != 0 || u.DocID != "" {
			return errorf("%w: %v is a Device node without host or DocID", ErrURI, u.Node)
		}
		return nil
	case NodeDocument, NodeResults:
	case NodeAbandoned:
		if u.Host != Complete {
			return errorf("%w: Properties/Abandoned exists only under Host/Complete", ErrURI)
		}
	case NodeBulkVariables:
		if u.Host != BulkTemplate {
			return errorf("%w: BulkVariables exists only under Host/BulkTemplate", ErrURI)
		}
	default:
		return errorf("%w: unknown node %v", ErrURI, u.Node)
	}
	if u.Host < Complete || u.Host > BulkTemplate {
		return errorf("%w: unknown host %v", ErrURI, u.Host)
	}
	return CheckDocID(u.DocID)
}

// ParseURI reads a LocURI of the CSP. It is read with syncml.ParseLocURI
// (so the rules for "./", percent-escapes, "..", and empty segments are
// the same as everywhere in the module), a LocURI without a scope is in
// Device scope, and the scope and the fixed segments match without regard
// to case (devices report "./user/vendor/msft/…"); the DocID is kept as
// written and must be a GUID.
func ParseURI(s string) (URI, error) {
	l, err := syncml.ParseLocURI(s)
	if err != nil {
		return URI{}, errorf("%w: %w", ErrURI, shownErr(err))
	}
	var u URI
	switch l.Scope {
	case syncml.ScopeUser:
		u.Scope = User
	default:
		u.Scope = Device
	}
	seg := l.Segments
	is := func(i int, names ...string) bool {
		if len(seg) != i+len(names) {
			return false
		}
		for k, n := range names {
			if !strings.EqualFold(seg[i+k], n) {
				return false
			}
		}
		return true
	}
	if len(seg) < 4 || !strings.EqualFold(seg[0], "Vendor") || !strings.EqualFold(seg[1], "MSFT") || !strings.EqualFold(seg[2], "DeclaredConfiguration") {
		return URI{}, errorf("%w: %s is not a DeclaredConfiguration node", ErrURI, shown(s))
	}
	switch {
	case is(3, "ManagementServiceConfiguration", "RefreshInterval"):
		u.Node = NodeRefreshInterval
	case is(3, "ManagementServiceConfiguration", "ConflictResolution"):
		u.Node = NodeConflictResolution
	case len(seg) >= 8 && strings.EqualFold(seg[3], "Host"):
		for _, h := range []Host{Complete, Inventory, BulkTemplate} {
			if strings.EqualFold(seg[4], h.String()) {
				u.Host = h
			}
		}
		u.DocID = seg[6]
		switch {
		case strings.EqualFold(seg[5], "Results") && is(7, "Document"):
			u.Node = NodeResults
		case !strings.EqualFold(seg[5], "Documents"):
		case is(7, "Document"):
			u.Node = NodeDocument
		case is(7, "Properties", "Abandoned"):
			u.Node = NodeAbandoned
		case is(7, "BulkVariables", "Value"):
			u.Node = NodeBulkVariables
		}
	}
	if u.Node == 0 || u.Node != NodeRefreshInterval && u.Node != NodeConflictResolution && u.Host == 0 {
		return URI{}, errorf("%w: %s", ErrURI, shown(s))
	}
	if err := u.Check(); err != nil {
		return URI{}, errorf("%s: %w", shown(s), err)
	}
	return u, nil
}

// CheckDocID reports whether id is a GUID in the form the CSP requires:
// 8-4-4-4-12 hexadecimal digits, either case, without braces.
func CheckDocID(id string) error {
	if len(id) != 36 {
		return errorf("%w: DocID %s is not a GUID", ErrInvalid, shown(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return errorf("%w: DocID %s is not a GUID", ErrInvalid, shown(id))
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return errorf("%w: DocID %s is not a GUID", ErrInvalid, shown(id))
			}
		}
	}
	return nil
}

// NewDocID returns a random (version 4) GUID in upper case, as the CSP's
// examples write DocIDs.
func NewDocID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0F | 0x40
	b[8] = b[8]&0x3F | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
