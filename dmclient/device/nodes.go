package device

import (
	"context"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
	"github.com/windc-go/windc/syncml/session"
)

// node is one node of the LinkedEnrollment subtree.
type node int

const (
	nodeRoot node = iota // LinkedEnrollment itself (interior)
	nodeEndpoint
	nodeEnroll
	nodeEnrollStatus
	nodeLastError
	nodePriority
	nodeUnenroll
)

// children are the child nodes by name, in the order a Get of the
// interior node lists them.
var children = []struct {
	name string
	n    node
}{
	{"DiscoveryEndpoint", nodeEndpoint},
	{"Enroll", nodeEnroll},
	{"EnrollStatus", nodeEnrollStatus},
	{"LastError", nodeLastError},
	{"Priority", nodePriority},
	{"Unenroll", nodeUnenroll},
}

// childList is the Data of a Get of the interior node.
var childList = func() string {
	names := make([]string, len(children))
	for i, c := range children {
		names[i] = c.name
	}
	return strings.Join(names, "/")
}()

// providerSegment is the index of the ProviderID among the segments of
// Vendor/MSFT/DMClient/Provider/{ProviderID}/LinkedEnrollment.
const providerSegment = 4

// node returns the node an item's Target names, with 200, or the code to
// answer: 400 without a Target, 404 for a node that does not exist.
// Windows reads the names of its nodes without regard to letter case, as
// dmclient's readers do, so "./device/vendor/msft/dmclient/…/enrollstatus"
// names EnrollStatus; the ProviderID is compared exactly, as
// LinkedEnrollment.ReadEnrollStatus compares it.
func (h *Handler) node(it syncml.Item) (node, syncml.StatusCode) {
	if it.Target == nil || it.Target.LocURI == "" {
		return 0, syncml.StatusBadRequest
	}
	u, err := syncml.ParseLocURI(it.Target.LocURI)
	if err != nil || len(u.Segments) < len(h.base.Segments) {
		return 0, syncml.StatusNotFound
	}
	// same scope (Equal reads a LocURI without one as ./Device)
	if !(syncml.LocURI{Scope: u.Scope, Segments: h.base.Segments}).Equal(h.base) {
		return 0, syncml.StatusNotFound
	}
	for i, b := range h.base.Segments {
		if i == providerSegment && u.Segments[i] != b || !strings.EqualFold(u.Segments[i], b) {
			return 0, syncml.StatusNotFound
		}
	}
	rest := u.Segments[len(h.base.Segments):]
	switch len(rest) {
	case 0:
		return nodeRoot, syncml.StatusOK
	case 1:
		for _, c := range children {
			if strings.EqualFold(c.name, rest[0]) {
				return c.n, syncml.StatusOK
			}
		}
	}
	return 0, syncml.StatusNotFound
}

// resp joins per-item codes and Results into one Response.
func resp(codes []syncml.StatusCode, results []syncml.Item, undo []func(context.Context) error) session.Response {
	r := session.Response{ItemCodes: codes, Results: results}
	if len(undo) > 0 {
		r.Undo = func(ctx context.Context) error {
			var first error
			for i := len(undo) - 1; i >= 0; i-- {
				if err := undo[i](ctx); err != nil && first == nil {
					first = err
				}
			}
			return first
		}
	}
	return r
}

// get answers a Get: the value of each node, with its format.
func (h *Handler) get(items []syncml.Item) session.Response {
	st := h.State()
	codes := make([]syncml.StatusCode, len(items))
	var results []syncml.Item
	for i, it := range items {
		n, code := h.node(it)
		codes[i] = code
		if code != syncml.StatusOK {
			continue
		}
		format, value := "int", ""
		switch n {
		case nodeRoot:
			format, value = "node", childList
		case nodeEndpoint:
			format, value = "chr", st.DiscoveryEndpoint
		case nodeEnrollStatus:
			value = strconv.Itoa(int(st.Status))
		case nodeLastError:
			value = strconv.Itoa(int(int32(st.LastError)))
		case nodePriority:
			if st.Priority == nil {
				codes[i] = syncml.StatusNotFound
				continue
			}
			value = strconv.Itoa(int(*st.Priority))
		default: // Enroll, Unenroll: Exec only
			codes[i] = syncml.StatusCommandNotAllowed
			continue
		}
		meta := &syncml.Meta{Format: format, Type: "text/plain"}
		if n == nodeRoot {
			meta.Type = ""
		}
		results = append(results, syncml.Item{
			Source: &syncml.Location{LocURI: it.Target.LocURI},
			Meta:   meta,
			Data:   syncml.Text(value),
		})
	}
	return resp(codes, results, nil)
}

// value returns an item's text and the code refusing it: 415 for a
// format other than want (in the item's Meta, else the command's) or for
// XML Data. A Format is read as ddf.Check reads it (ddf.ItemFormat), but
// an item without one is taken as want.
func value(cmdMeta *syncml.Meta, it syncml.Item, want ddf.Format) (string, syncml.StatusCode) {
	if ddf.ItemFormat(it.Meta, cmdMeta, want) != want {
		return "", syncml.StatusUnsupportedMediaType
	}
	if it.Data == nil {
		return "", syncml.StatusOK
	}
	if it.Data.Kind == syncml.DataXML {
		return "", syncml.StatusUnsupportedMediaType
	}
	return it.Data.Value, syncml.StatusOK
}

// write answers Add (add true) or Replace of DiscoveryEndpoint and
// Priority: 418 for an Add of a value that is set, 405 for the other
// nodes, 415 for a wrong format, 413 for an endpoint over the limit, 400
// for an endpoint that is not UTF-8 made of characters XML allows and for
// a Priority that is not a 32-bit integer (in decimal, XML spaces around
// it ignored), 500 when the Store fails.
func (h *Handler) write(ctx context.Context, cmdMeta *syncml.Meta, items []syncml.Item, add, atomic bool) session.Response {
	codes := make([]syncml.StatusCode, len(items))
	var undo []func(context.Context) error
	for i, it := range items {
		n, code := h.node(it)
		if code == syncml.StatusOK {
			code = h.writeOne(ctx, cmdMeta, it, n, add, atomic, &undo)
		}
		codes[i] = code
	}
	return resp(codes, nil, undo)
}

func (h *Handler) writeOne(ctx context.Context, cmdMeta *syncml.Meta, it syncml.Item, n node, add, atomic bool, undo *[]func(context.Context) error) syncml.StatusCode {
	if n != nodeEndpoint && n != nodePriority {
		return syncml.StatusCommandNotAllowed
	}
	want := ddf.FormatChr
	if n == nodePriority {
		want = ddf.FormatInt
	}
	v, code := value(cmdMeta, it, want)
	if code != syncml.StatusOK {
		return code
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.st.clone()
	if n == nodeEndpoint {
		if add && st.DiscoveryEndpoint != "" {
			return syncml.StatusAlreadyExists
		}
		if len(v) > h.cfg.MaxEndpointBytes {
			return syncml.StatusRequestEntityTooLarge
		}
		if !xmlscan.ValidText(v) {
			// what a session could not send back in Results, nor a
			// FileStore keep (JSON would turn bad bytes to U+FFFD)
			return syncml.StatusBadRequest
		}
		st.DiscoveryEndpoint = v
	} else {
		if add && st.Priority != nil {
			return syncml.StatusAlreadyExists
		}
		// XML spaces around it only, as dmclient's Priority reader reads it
		p, err := strconv.ParseInt(xmlscan.TrimSpace(v), 10, 32)
		if err != nil {
			return syncml.StatusBadRequest
		}
		p32 := int32(p)
		st.Priority = &p32
	}
	return h.change(ctx, st, n, atomic, undo)
}

// change commits st, which differs from the current state in node n, and
// when atomic adds to undo the step that puts n's old value back. h.mu
// is held.
func (h *Handler) change(ctx context.Context, st State, n node, atomic bool, undo *[]func(context.Context) error) syncml.StatusCode {
	old := h.st.clone()
	if err := h.commit(ctx, st); err != nil {
		return syncml.StatusCommandFailed
	}
	if atomic {
		*undo = append(*undo, func(ctx context.Context) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			back := h.st.clone()
			if n == nodeEndpoint {
				back.DiscoveryEndpoint = old.DiscoveryEndpoint
			} else {
				back.Priority = old.Priority
			}
			return h.commit(ctx, back)
		})
	}
	return syncml.StatusOK
}

// delete answers a Delete of DiscoveryEndpoint or Priority: 404 when it
// is not set, 405 for the other nodes.
func (h *Handler) delete(ctx context.Context, items []syncml.Item, atomic bool) session.Response {
	codes := make([]syncml.StatusCode, len(items))
	var undo []func(context.Context) error
	for i, it := range items {
		n, code := h.node(it)
		if code == syncml.StatusOK {
			code = h.deleteOne(ctx, n, atomic, &undo)
		}
		codes[i] = code
	}
	return resp(codes, nil, undo)
}

func (h *Handler) deleteOne(ctx context.Context, n node, atomic bool, undo *[]func(context.Context) error) syncml.StatusCode {
	if n != nodeEndpoint && n != nodePriority {
		return syncml.StatusCommandNotAllowed
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.st.clone()
	switch {
	case n == nodeEndpoint && st.DiscoveryEndpoint == "", n == nodePriority && st.Priority == nil:
		return syncml.StatusNotFound
	case n == nodeEndpoint:
		st.DiscoveryEndpoint = ""
	default:
		st.Priority = nil
	}
	return h.change(ctx, st, n, atomic, undo)
}
