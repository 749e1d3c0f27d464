package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

// Paths the MDM server serves.
const (
	pathPrimary   = "/ManagementServer/MDM.svc" // the primary (parent) enrollment's OMA-DM endpoint
	pathDiscovery = "/EnrollmentConfiguration"  // the WinDC discovery endpoint
	pathWinDC     = "/WinDC/MDM.svc"            // the linked (WinDC) enrollment's OMA-DM endpoint
)

// server is the MDM service: the primary management endpoint that starts
// the linked enrollment, the discovery endpoint, and the WinDC management
// endpoint that declares documents and reads their state.
type server struct {
	log      *narrator
	base     string // http://127.0.0.1:port
	provider dmclient.LinkedEnrollment

	mu       sync.Mutex
	sessions map[string]*session
	devices  map[string]*managed // by device ID
	faults   []error             // protocol problems the server saw
}

// managed is what the server knows and wants for one device.
type managed struct {
	devInfo     map[string]string
	enrollState dmclient.EnrollStatus
	docs        []*declared
	// refreshInterval, when not zero, is a RefreshInterval the
	// administrator wants set on the next WinDC session.
	refreshInterval uint32
	refreshShown    string // the value the device reported
}

// declared is one WinDC document the server declares, and its state.
type declared struct {
	uri      declaredconfig.URI
	doc      *declaredconfig.Document
	version  int    // 0 for checksum A0, 1 for A1, …
	inSyncRC string // result_checksum of the last in-sync report
	last     declaredconfig.DocumentStatus
}

// session is one OMA-DM session as the server keeps it.
type session struct {
	kind   string // "primary" or "WinDC"
	device string
	id     string // SessionID
	msgs   counter
	cmds   counter
	step   int
	// lastMsgID is the MsgID of the server's last message; sent the
	// commands it carried, by CmdID.
	lastMsgID string
	sent      map[string]syncml.Command
	// docCmd maps a DocID to the CmdID of the Add or Replace that carried
	// it in the last message; askedResults records the Gets of Results.
	docCmd       map[string]string
	askedResults map[string]bool
}

func newServer(log *narrator, base string) *server {
	return &server{
		log:      log,
		base:     base,
		provider: dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"},
		sessions: map[string]*session{},
		devices:  map[string]*managed{},
	}
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+pathDiscovery, &discovery.Handler{
		Discover: s.discover,
		URLs:     discovery.URLPolicy{AllowLoopbackHTTP: true},
		Logger:   slog.New(slog.DiscardHandler),
	})
	mux.HandleFunc("POST "+pathPrimary, s.serveSyncML("primary"))
	mux.HandleFunc("POST "+pathWinDC, s.serveSyncML("WinDC"))
	return mux
}

func (s *server) fault(err error) {
	s.mu.Lock()
	s.faults = append(s.faults, err)
	s.mu.Unlock()
	s.log.printf("  [server] PROBLEM: %v\n", err)
}

// discover answers the discovery request of a device whose parent
// enrollment is Entra joined (Federated) or registered (Certificate).
func (s *server) discover(_ context.Context, req *discovery.Request, h discovery.Headers) (*discovery.Response, error) {
	body, _ := req.MarshalJSON()
	s.log.printf("  [discovery service] request %s (MS-CV %s)\n", body, h.CorrelationVector)
	ok, err := discovery.Supported(req.OSVersion, req.Type())
	if err != nil {
		return nil, err
	}
	if !ok {
		return &discovery.Response{ErrorCode: "PlatformNotSupported", Message: "WinDC needs a newer Windows build"}, nil
	}
	return &discovery.Response{
		EnrollmentServiceURL:       s.base + "/EnrollmentServer/Enrollment.svc",
		EnrollmentPolicyServiceURL: s.base + "/EnrollmentServer/Policy.svc",
		AuthenticationServiceURL:   s.base + "/EnrollmentServer/Auth",
		ManagementResource:         "https://manage.contoso.example",
		AuthPolicy:                 req.RequiredAuthPolicy(),
	}, nil
}

// serveSyncML is the OMA-DM endpoint of one enrollment: it decodes the
// device's message with syncml.NewDecoder, validates it, runs the session
// one step and writes the reply with syncml.NewEncoder.
func (s *server) serveSyncML(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != contentType {
			http.Error(w, "want "+contentType, http.StatusUnsupportedMediaType)
			return
		}
		cr := &countingReader{r: io.LimitReader(r.Body, syncml.DefaultMaxBytes)}
		in, err := decode(cr)
		if err != nil {
			s.fault(fmt.Errorf("%s: decoding the device's message: %w", kind, err))
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.log.printf("  device → %s server\n", kind)
		s.log.message("SyncML", in, cr.n)
		if err := in.Validate(); err != nil {
			s.fault(fmt.Errorf("%s: the device's message breaks protocol rules: %w", kind, err))
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := s.step(kind, in)
		if err != nil {
			s.fault(err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := out.Validate(); err != nil {
			s.fault(fmt.Errorf("%s: the server's own message breaks protocol rules: %w", kind, err))
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := encode(&buf, out); err != nil {
			s.fault(err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(buf.Bytes())
	}
}

// step advances the session the message belongs to and builds the reply.
func (s *server) step(kind string, in *syncml.Message) (*syncml.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := in.Header
	key := kind + "|" + h.Source.LocURI + "|" + h.SessionID
	ss := s.sessions[key]
	switch {
	case h.MsgID == "1":
		ss = &session{kind: kind, device: h.Source.LocURI, id: h.SessionID,
			docCmd: map[string]string{}, askedResults: map[string]bool{}}
		s.sessions[key] = ss
	case ss == nil:
		return nil, fmt.Errorf("%s: message %s of unknown session %s", kind, h.MsgID, h.SessionID)
	default:
		// After the first message, the device must answer the server's
		// header.
		st := findStatus(in, ss.lastMsgID, "0")
		if st == nil || st.Cmd != "SyncHdr" {
			return nil, fmt.Errorf("%s: message %s has no Status for the server's SyncHdr of message %s", kind, h.MsgID, ss.lastMsgID)
		}
		// ... and every command the server sent, naming it.
		for _, id := range sortedIDs(ss.sent) {
			c := ss.sent[id]
			if st := findStatus(in, ss.lastMsgID, id); st == nil || st.Cmd != c.ElementName() {
				return nil, fmt.Errorf("%s: message %s has no Status for %s %s of message %s", kind, h.MsgID, c.ElementName(), id, ss.lastMsgID)
			}
		}
	}
	dev := s.devices[ss.device]
	if dev == nil {
		dev = &managed{devInfo: map[string]string{}}
		s.devices[ss.device] = dev
	}

	out := &syncml.Message{
		XMLNS: in.XMLNS,
		Header: syncml.Header{
			VerDTD: in.Header.VerDTD, VerProto: in.Header.VerProto,
			SessionID: ss.id, MsgID: ss.msgs.next(),
			Target: syncml.Location{LocURI: ss.device},
			Source: syncml.Location{LocURI: s.base + map[string]string{"primary": pathPrimary, "WinDC": pathWinDC}[kind]},
		},
		Body: syncml.Body{Final: true},
	}
	add := func(c syncml.Command) { out.Body.Commands = append(out.Body.Commands, c) }

	// Status for the device's header and for each of its commands other
	// than Status and Results (OMA-DM: no Status for a Results of 200).
	add(status(h.MsgID, "0", "SyncHdr", syncml.StatusOK))
	for _, c := range in.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status, *syncml.Results:
		case *syncml.Replace:
			for _, it := range c.Items {
				if it.Source != nil && it.Data != nil {
					dev.devInfo[it.Source.LocURI] = it.Data.Value
				}
			}
			add(status(h.MsgID, c.ID(), c.ElementName(), syncml.StatusOK))
		default:
			add(status(h.MsgID, c.ID(), c.ElementName(), syncml.StatusOK))
		}
	}

	var cmds []syncml.Command
	var err error
	if kind == "primary" {
		cmds, err = s.primary(ss, dev, in)
	} else {
		cmds, err = s.winDC(ss, dev, in)
	}
	if err != nil {
		return nil, err
	}
	for _, c := range cmds {
		add(c)
	}
	// The builders leave CmdID empty: the sender numbers the message, here
	// with CmdIDs that keep counting across the session.
	ss.cmds.n = syncml.NumberCommands(out.Body.Commands, ss.cmds.n+1) - 1
	ss.sent = map[string]syncml.Command{}
	for _, c := range cmds {
		ss.sent[c.ID()] = c
	}
	ss.noteDocCmds()
	ss.lastMsgID = out.Header.MsgID
	if len(cmds) == 0 {
		s.log.printf("  [server] nothing more to send: the reply carries only Status, which ends the session\n")
	}
	s.log.printf("  %s server → device\n", kind)
	return out, nil
}

// sortedIDs returns the keys of a CmdID map in numeric order.
func sortedIDs(m map[string]syncml.Command) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return ids
}

// primary runs the parent enrollment's session: point the device at the
// discovery endpoint, start the linked enrollment, and read its state.
func (s *server) primary(ss *session, dev *managed, in *syncml.Message) ([]syncml.Command, error) {
	le := s.provider
	switch ss.step {
	case 0:
		ss.step++
		s.log.printf("  [server] %s checked in: %s %s, DM client %s\n", ss.device,
			dev.devInfo["./DevInfo/Man"], dev.devInfo["./DevInfo/Mod"], dev.devInfo["./DevInfo/DmV"])
		s.log.printf("  [server] starting the linked enrollment of provider %q: set DiscoveryEndpoint, Exec Enroll, read EnrollStatus and LastError\n", le.ProviderID)
		return []syncml.Command{
			le.ReplaceDiscoveryEndpoint(s.base + pathDiscovery + "?api-version=1.0"),
			le.ExecEnroll(),
			le.GetEnrollStatus(),
			le.GetLastError(),
		}, nil
	case 1:
		ss.step++
		for _, id := range sortedIDs(ss.sent) {
			c := ss.sent[id]
			st := findStatus(in, ss.lastMsgID, id)
			if st == nil {
				return nil, fmt.Errorf("primary: no Status for %s %s", c.ElementName(), id)
			}
			what := c.ElementName() + " " + lastSegments(target(c), 2)
			if err := dmclient.ReadStatus(st); err != nil {
				var de *dmclient.DeviceError
				if errors.As(err, &de) {
					s.log.printf("  [server] %-40s failed: %v (HRESULT %v)\n", what, de.Code, de.HRESULT)
				}
				return nil, fmt.Errorf("primary: %s: %w", what, err)
			}
			s.log.printf("  [server] %-40s ok\n", what)
			r := findResults(in, ss.lastMsgID, id)
			switch {
			case r == nil:
			case strings.HasSuffix(target(c), "/EnrollStatus"):
				es, err := dmclient.ReadEnrollStatus(r)
				if err != nil {
					return nil, err
				}
				dev.enrollState = es
				s.log.printf("  [server]   EnrollStatus = %d %v (final: %v, failed: %v)\n", int(es), es, es.IsFinal(), es.Failed())
			case strings.HasSuffix(target(c), "/LastError"):
				h, err := dmclient.ReadLastError(r)
				if err != nil {
					return nil, err
				}
				s.log.printf("  [server]   LastError = %v\n", h)
			}
		}
		return nil, nil
	}
	return nil, nil
}

// winDC runs a session of the linked enrollment: evaluate what the device
// reports about each declared document, then send what brings it to the
// desired state.
func (s *server) winDC(ss *session, dev *managed, in *syncml.Message) ([]syncml.Command, error) {
	reply, err := declaredconfig.ReadReply(in)
	if err != nil {
		return nil, fmt.Errorf("WinDC: %w", err)
	}
	if reply.Summary == nil {
		return nil, errors.New("WinDC: the device's message has no 1224 DeclaredConfigurations alert")
	}
	if dev.docs == nil {
		dev.docs = []*declared{newDeclared()}
	}

	// Statuses and Results of what the server sent in its last message,
	// other than documents: RefreshInterval.
	for _, id := range sortedIDs(ss.sent) {
		c := ss.sent[id]
		if target(c) != declaredconfig.RefreshIntervalURI {
			continue
		}
		st := findStatus(in, ss.lastMsgID, id)
		if st == nil {
			return nil, fmt.Errorf("WinDC: no Status for %s %s", c.ElementName(), id)
		}
		code, _ := st.Code()
		s.log.printf("  [server] %s RefreshInterval → %v\n", c.ElementName(), code)
		if r := findResults(in, ss.lastMsgID, id); r != nil && len(r.Items) == 1 && r.Items[0].Data != nil {
			dev.refreshShown = r.Items[0].Data.Value
			s.log.printf("  [server]   the device's RefreshInterval is %s minutes\n", dev.refreshShown)
		}
	}

	desired := make([]declaredconfig.Desired, len(dev.docs))
	for i, d := range dev.docs {
		desired[i] = declaredconfig.Desired{URI: d.uri, Checksum: d.doc.Checksum,
			MsgID: ss.lastMsgID, CmdID: ss.docCmd[d.doc.ID], LastResultChecksum: d.inSyncRC}
	}
	// Evaluate reads each Status by MsgRef and CmdRef and each Results by
	// the Get it answers, so it is given every command of the server's
	// last message; what it cannot place is a protocol problem.
	sent := make([]declaredconfig.Sent, 0, len(ss.sent))
	for _, id := range sortedIDs(ss.sent) {
		sent = append(sent, declaredconfig.Sent{MsgID: ss.lastMsgID, Command: ss.sent[id]})
	}
	ev := reply.Evaluate(desired, sent)
	if len(ev.Unmatched) > 0 {
		u := ev.Unmatched[0]
		return nil, fmt.Errorf("WinDC: %d part(s) of the device's message answer nothing the server sent; the first, %s %s: %s",
			len(ev.Unmatched), u.Command.ElementName(), u.Command.ID(), u.Reason)
	}
	var cmds []syncml.Command
	for i, st := range ev.Documents {
		d := dev.docs[i]
		d.last = st
		s.printStatus(d, st)
		switch st.Condition {
		case declaredconfig.InSync:
			d.inSyncRC = st.ResultChecksum
		case declaredconfig.Pending:
			if st.Reported && st.Checksum == d.doc.Checksum {
				break // still working on it; ask again next session
			}
			var c syncml.Command
			if !st.Reported {
				s.log.printf("  [server] declaring document %s (checksum %s):\n", d.doc.ID, d.doc.Checksum)
				x, _ := d.doc.MarshalText()
				s.log.printf("             %s\n", x)
				c, err = declaredconfig.AddDocument(d.uri, d.doc, syncml.DataCDATA)
			} else {
				c, err = declaredconfig.ReplaceDocument(d.uri, d.doc, syncml.DataCDATA)
			}
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, c)
			g, err := declaredconfig.GetResults(declaredconfig.ResultsURI(d.uri.Scope, d.uri.Host, d.doc.ID))
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, g)
		case declaredconfig.Drifted:
			if st.Settings == nil && !ss.askedResults[d.doc.ID] {
				s.log.printf("  [server] asking for the results to see which settings drifted\n")
				ss.askedResults[d.doc.ID] = true
				g, err := declaredconfig.GetResults(declaredconfig.ResultsURI(d.uri.Scope, d.uri.Host, d.doc.ID))
				if err != nil {
					return nil, err
				}
				cmds = append(cmds, g)
				break
			}
			d.version++
			d.doc.Checksum = fmt.Sprintf("A%d", d.version)
			s.log.printf("  [server] re-declaring the document as version %s so that the device reapplies it\n", d.doc.Checksum)
			c, err := declaredconfig.ReplaceDocument(d.uri, d.doc, syncml.DataCDATA)
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, c)
			g, err := declaredconfig.GetResults(declaredconfig.ResultsURI(d.uri.Scope, d.uri.Host, d.doc.ID))
			if err != nil {
				return nil, err
			}
			cmds = append(cmds, g)
		}
	}
	if dev.refreshInterval != 0 {
		s.log.printf("  [server] setting RefreshInterval to %d minutes and reading it back\n", dev.refreshInterval)
		r, err := declaredconfig.ReplaceRefreshInterval(dev.refreshInterval)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, r, declaredconfig.GetRefreshInterval())
		dev.refreshInterval = 0
	}
	return cmds, nil
}

// noteDocCmds records, for each document the last message carried, the
// CmdID of its Add or Replace: Evaluate reads the Status of that command.
func (ss *session) noteDocCmds() {
	ss.docCmd = map[string]string{}
	for id, c := range ss.sent {
		if n := c.ElementName(); n != "Add" && n != "Replace" {
			continue
		}
		for _, t := range syncml.Targets(c) {
			if u, err := declaredconfig.ParseURI(t); err == nil && u.Node == declaredconfig.NodeDocument {
				ss.docCmd[u.DocID] = id
			}
		}
	}
}

func (s *server) printStatus(d *declared, st declaredconfig.DocumentStatus) {
	extra := ""
	if st.Reported {
		extra = fmt.Sprintf(", device holds %s, result_checksum %.12s…", st.Checksum, st.ResultChecksum)
	}
	if st.Command != 0 {
		extra += ", command " + st.Command.String()
	}
	s.log.printf("  [server] document %s version %s: %v — %s%s\n", d.doc.ID, d.doc.Checksum, st.Condition, st.Reason, extra)
	for _, set := range st.Settings {
		mark := "ok     "
		if set.Failed() {
			mark = "FAILED "
		}
		s.log.printf("  [server]   %s%s/%s (%s): %v, %v\n", mark, set.Provider, set.Name, set.Type, set.Status, set.State)
	}
}

// newDeclared is the document the administrator declares: an always-on
// device VPN profile through the VPNv2 CSP.
func newDeclared() *declared {
	const id = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"
	return &declared{
		uri: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, id),
		doc: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: id, Checksum: "A0",
			Scenario: declaredconfig.ScenarioVPN,
			CSPs: []declaredconfig.CSP{{
				Name: "./Vendor/MSFT/VPNv2",
				Settings: []declaredconfig.Setting{
					{Path: "ContosoVPN/NativeProfile/Servers", Type: "chr", Value: "vpn.contoso.example"},
					{Path: "ContosoVPN/NativeProfile/NativeProtocolType", Type: "chr", Value: "IKEv2"},
					{Path: "ContosoVPN/TrafficFilterList/0/Protocol", Type: "int", Value: "6"},
					{Path: "ContosoVPN/AlwaysOn", Type: "bool", Value: "true"},
				},
			}},
		},
	}
}

// target returns the Target LocURI of a command's first item.
func target(c syncml.Command) string {
	if t := syncml.Targets(c); len(t) > 0 {
		return t[0]
	}
	return ""
}

// lastSegments returns the last n segments of a LocURI.
func lastSegments(uri string, n int) string {
	parts := strings.Split(uri, "/")
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	return strings.Join(parts, "/")
}
