package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
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

	mu      sync.Mutex
	devices map[string]*managed // by device ID
	faults  []error             // protocol problems the server saw
}

// managed is what the server knows and wants for one device.
type managed struct {
	devInfo     map[string]string
	enrollState dmclient.EnrollStatus
	linking     bool // the linked enrollment was started
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
	// askedResults is set when the server asked for the results of a
	// drifted version.
	askedResults bool
}

func newServer(log *narrator, base string) *server {
	return &server{
		log:      log,
		base:     base,
		provider: dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"},
		devices:  map[string]*managed{},
	}
}

// handler serves discovery and the two OMA-DM endpoints. Each endpoint is
// a session.Server: it keeps every device's session (SessionID, MsgIDs,
// CmdIDs, the commands sent and waiting for their Status), answers each
// command with a Status, and hands back every command sent with its
// Status and Results; the server only decides what to send next.
func (s *server) handler() (http.Handler, error) {
	devInfo := session.NewMux()
	devInfo.NotFound = session.Accept
	if err := devInfo.HandleSubtree("Replace", "./DevInfo", session.HandlerFunc(s.devInfo)); err != nil {
		return nil, err
	}
	endpoint := func(next func(*managed, *session.Session, *syncml.Message, *session.Exchange) error) http.Handler {
		return session.NewServer(session.ServerConfig{Session: session.Config{
			Handler: devInfo,
			BeforeReply: func(_ context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
				s.mu.Lock()
				defer s.mu.Unlock()
				for _, u := range x.Unmatched {
					s.fault(fmt.Errorf("the device's %s %s answers nothing the server sent", u.ElementName(), u.ID()))
				}
				if err := next(s.device(x.Identity.Device), ss, m, x); err != nil {
					s.fault(err)
				}
				if ss.Queued() == 0 {
					s.log.printf("  [server] nothing more to send: the reply carries only Status, which ends the session\n")
				}
			},
		}})
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+pathDiscovery, &discovery.Handler{
		Discover: s.discover,
		URLs:     discovery.URLPolicy{AllowLoopbackHTTP: true},
		Logger:   slog.New(slog.DiscardHandler),
	})
	mux.Handle("POST "+pathPrimary, endpoint(s.primary))
	mux.Handle("POST "+pathWinDC, endpoint(s.winDC))
	return mux, nil
}

// device returns what the server knows of a device. s.mu is held.
func (s *server) device(id string) *managed {
	dev := s.devices[id]
	if dev == nil {
		dev = &managed{devInfo: map[string]string{}}
		s.devices[id] = dev
	}
	return dev
}

// devInfo keeps the DevInfo nodes a device sends in package 1.
func (s *server) devInfo(_ context.Context, r *session.Request) session.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.device(r.Identity.Device)
	for _, it := range r.Command.ItemList() {
		if it.Source != nil && it.Data != nil {
			dev.devInfo[it.Source.LocURI] = it.Data.Value
		}
	}
	return session.Response{}
}

// fault records a protocol problem. s.mu is held.
func (s *server) fault(err error) {
	s.faults = append(s.faults, err)
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

// primary runs the parent enrollment's sessions: on check-in, point the
// device at the discovery endpoint, start the linked enrollment and read
// its state; then read what each command returned.
func (s *server) primary(dev *managed, ss *session.Session, _ *syncml.Message, x *session.Exchange) error {
	for _, o := range x.Outcomes {
		what := o.Command.ElementName() + " " + lastSegments(target(o.Command), 2)
		if o.Status == nil {
			return fmt.Errorf("primary: %s was not answered", what)
		}
		if err := dmclient.ReadStatus(o.Status); err != nil {
			var de *dmclient.DeviceError
			if errors.As(err, &de) {
				s.log.printf("  [server] %-40s failed: %v (HRESULT %v)\n", what, de.Code, de.HRESULT)
			}
			return fmt.Errorf("primary: %s: %w", what, err)
		}
		s.log.printf("  [server] %-40s ok\n", what)
		if len(o.Results) == 0 {
			continue
		}
		switch r := o.Results[0]; {
		case strings.HasSuffix(target(o.Command), "/EnrollStatus"):
			es, err := dmclient.ReadEnrollStatus(r)
			if err != nil {
				return err
			}
			dev.enrollState = es
			s.log.printf("  [server]   EnrollStatus = %d %v (final: %v, failed: %v)\n", int(es), es, es.IsFinal(), es.Failed())
		case strings.HasSuffix(target(o.Command), "/LastError"):
			h, err := dmclient.ReadLastError(r)
			if err != nil {
				return err
			}
			s.log.printf("  [server]   LastError = %v\n", h)
		}
	}
	if dev.linking {
		return nil
	}
	dev.linking = true
	le := s.provider
	s.log.printf("  [server] %s checked in: %s %s, DM client %s\n", dev.devInfo["./DevInfo/DevId"],
		dev.devInfo["./DevInfo/Man"], dev.devInfo["./DevInfo/Mod"], dev.devInfo["./DevInfo/DmV"])
	s.log.printf("  [server] starting the linked enrollment of provider %q: set DiscoveryEndpoint, Exec Enroll, read EnrollStatus and LastError\n", le.ProviderID)
	return ss.Queue(
		le.ReplaceDiscoveryEndpoint(s.base+pathDiscovery+"?api-version=1.0"),
		le.ExecEnroll(),
		le.GetEnrollStatus(),
		le.GetLastError(),
	)
}

// winDC runs a session of the linked enrollment: evaluate what the device
// reports about each declared document (its 1224 summary, and the Status
// and Results of what the server sent), then queue what brings it to the
// desired state.
func (s *server) winDC(dev *managed, ss *session.Session, m *syncml.Message, x *session.Exchange) error {
	reply, err := declaredconfig.ReadReply(m)
	if err != nil {
		return fmt.Errorf("WinDC: %w", err)
	}
	if reply.Summary == nil {
		return errors.New("WinDC: the device's message has no 1224 DeclaredConfigurations alert")
	}
	if dev.docs == nil {
		dev.docs = []*declared{newDeclared()}
	}
	// Every command the device answered, with its Status and Results:
	// Evaluate reads the documents' ones, told which Add or Replace carried
	// each document; RefreshInterval is read here.
	sent := make([]declaredconfig.Sent, 0, len(x.Outcomes))
	for _, o := range x.Outcomes {
		sent = append(sent, declaredconfig.Sent{MsgID: o.MsgID, Command: o.Command})
		if target(o.Command) != declaredconfig.RefreshIntervalURI || o.Status == nil {
			continue
		}
		code, _ := o.Status.Code()
		s.log.printf("  [server] %s RefreshInterval → %v\n", o.Command.ElementName(), code)
		if len(o.Results) == 1 && len(o.Results[0].Items) == 1 && o.Results[0].Items[0].Data != nil {
			dev.refreshShown = o.Results[0].Items[0].Data.Value
			s.log.printf("  [server]   the device's RefreshInterval is %s minutes\n", dev.refreshShown)
		}
	}
	desired := make([]declaredconfig.Desired, len(dev.docs))
	for i, d := range dev.docs {
		desired[i] = declaredconfig.Desired{URI: d.uri, Checksum: d.doc.Checksum, LastResultChecksum: d.inSyncRC}
		desired[i].SentBy(sent)
	}
	ev := reply.Evaluate(desired, sent)
	if len(ev.Unmatched) > 0 {
		u := ev.Unmatched[0]
		return fmt.Errorf("WinDC: %d part(s) of the device's message answer nothing the server sent; the first, %s %s: %s",
			len(ev.Unmatched), u.Command.ElementName(), u.Command.ID(), u.Reason)
	}
	for i, st := range ev.Documents {
		d := dev.docs[i]
		d.last = st
		s.printStatus(d, st)
		var declare func(declaredconfig.URI, *declaredconfig.Document, syncml.DataKind) (syncml.Command, error)
		switch st.Condition {
		case declaredconfig.InSync:
			d.inSyncRC = st.ResultChecksum
		case declaredconfig.Pending:
			switch {
			case !st.Reported:
				s.log.printf("  [server] declaring document %s (checksum %s):\n", d.doc.ID, d.doc.Checksum)
				x, _ := d.doc.MarshalText()
				s.log.printf("             %s\n", x)
				declare = addDocument
			case st.Checksum != d.doc.Checksum:
				declare = replaceDocument
			}
			// Otherwise the device is still working on it: ask again
			// next session.
		case declaredconfig.Drifted:
			if st.Settings == nil && !d.askedResults {
				s.log.printf("  [server] asking for the results to see which settings drifted\n")
				d.askedResults = true
				if err := queueGetResults(ss, d); err != nil {
					return err
				}
				break
			}
			d.version++
			d.askedResults = false
			d.doc.Checksum = fmt.Sprintf("A%d", d.version)
			s.log.printf("  [server] re-declaring the document as version %s so that the device reapplies it\n", d.doc.Checksum)
			declare = replaceDocument
		}
		if declare != nil {
			c, err := declare(d.uri, d.doc, syncml.DataCDATA)
			if err == nil {
				err = ss.Queue(c)
			}
			if err == nil {
				err = queueGetResults(ss, d)
			}
			if err != nil {
				return err
			}
		}
	}
	if dev.refreshInterval != 0 {
		s.log.printf("  [server] setting RefreshInterval to %d minutes and reading it back\n", dev.refreshInterval)
		r, err := declaredconfig.ReplaceRefreshInterval(dev.refreshInterval)
		if err != nil {
			return err
		}
		dev.refreshInterval = 0
		return ss.Queue(r, declaredconfig.GetRefreshInterval())
	}
	return nil
}

func addDocument(u declaredconfig.URI, d *declaredconfig.Document, k syncml.DataKind) (syncml.Command, error) {
	return declaredconfig.AddDocument(u, d, k)
}

func replaceDocument(u declaredconfig.URI, d *declaredconfig.Document, k syncml.DataKind) (syncml.Command, error) {
	return declaredconfig.ReplaceDocument(u, d, k)
}

// queueGetResults asks for the results of a declared document.
func queueGetResults(ss *session.Session, d *declared) error {
	g, err := declaredconfig.GetResults(declaredconfig.ResultsURI(d.uri.Scope, d.uri.Host, d.doc.ID))
	if err != nil {
		return err
	}
	return ss.Queue(g)
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
