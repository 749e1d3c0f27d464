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
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Paths the MDM server serves.
const (
	pathPrimary    = "/ManagementServer/MDM.svc"        // the primary (parent) enrollment's OMA-DM endpoint
	pathDiscovery  = "/EnrollmentConfiguration"         // the WinDC discovery endpoint
	pathPolicy     = "/EnrollmentServer/Policy.svc"     // MS-XCEP GetPolicies
	pathEnrollment = "/EnrollmentServer/Enrollment.svc" // MS-WSTEP RequestSecurityToken
	pathWinDC      = "/ManagementServer/WinDC.svc"      // the linked (WinDC) enrollment's OMA-DM endpoint
)

// server is the MDM service: the primary management endpoint that starts
// the linked enrollment, the discovery endpoint, and the WinDC management
// endpoint that declares documents and reads their state.
type server struct {
	log      *narrator
	base     string // https://127.0.0.1:port
	provider dmclient.LinkedEnrollment
	// enroll is the MS-MDE2 policy and enrollment service of linked
	// enrollments: Federated, the device token checked by entra; its
	// certificates are issued by the demo's CA, and its provisioning
	// document points the device's WinDC account at pathWinDC.
	enroll *mde2.Server
	entra  *entra
	// winDCAuth authenticates the WinDC endpoint's sessions:
	// session.ClientCertificate, the device is the common name of the
	// certificate MS-MDE2 issued.
	winDCAuth session.Authenticator
	// rec keeps the documents declared to each device and brings the
	// device to them in each WinDC session.
	rec *reconcile.Reconciler

	mu      sync.Mutex
	devices map[string]*managed // by device ID
	faults  []error             // protocol problems the server saw
}

// managed is what the server knows and wants for one device; what it
// wants and knows of the device's WinDC documents is kept by the
// reconciler.
type managed struct {
	devInfo     map[string]string
	enrollState dmclient.EnrollStatus
	linking     bool // the linked enrollment was started
	// unenroll asks for the linked enrollment to be removed at the
	// device's next primary session; unenrolling is set once asked.
	unenroll, unenrolling bool
	// refreshInterval, when not zero, is a RefreshInterval the
	// administrator wants set; it is handed to the reconciler.
	refreshInterval uint32
}

func newServer(log *narrator, base string, ca *mde2.CA) *server {
	s := &server{
		log:       log,
		base:      base,
		provider:  dmclient.LinkedEnrollment{ProviderID: providerID},
		devices:   map[string]*managed{},
		entra:     &entra{log: log},
		winDCAuth: session.ClientCertificate,
	}
	s.enroll = &mde2.Server{
		PolicyURL:     base + pathPolicy,
		EnrollmentURL: base + pathEnrollment,
		AuthPolicy:    mde2.Federated,
		Token:         s.entra.validate,
		Issuer:        ca,
		Account:       mde2.Account{ProviderID: "Contoso WinDC", Address: base + pathWinDC},
		Approve: func(_ context.Context, r *mde2.EnrollmentRequest) error {
			s.log.printf("  [enrollment service] RequestSecurityToken: %s CSR from %s (DeviceType %s, EnrollmentType %s), signature verified; issuing\n",
				r.CSR.PublicKeyAlgorithm, r.Device.DeviceID, r.Device.DeviceType, r.Device.EnrollmentType)
			return nil
		},
	}
	s.rec = reconcile.New(reconcile.Config{
		OnEvent:  s.event,
		DataKind: syncml.DataCDATA,
		// The demo numbers the versions of its document A0, A1, …
		NextChecksum: func(_ *declaredconfig.Document, n int) string { return fmt.Sprintf("A%d", n) },
	})
	return s
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
	endpoint := func(auth session.Authenticator, next func(*managed, *session.Session, *syncml.Message, *session.Exchange) error) http.Handler {
		return session.NewServer(session.ServerConfig{Session: session.Config{
			Authenticator: auth,
			Handler:       devInfo,
			OnStart: func(ctx context.Context, _ *session.Session, id session.Identity, _ bool) {
				if id.Method == "tls" {
					s.log.printf("  [server] session of %s, identified by its client certificate\n", id.Device)
				}
				// Every device is to hold the administrator's document
				// (declaring it again changes nothing).
				if err := s.rec.Declare(ctx, id.Device, declaredDoc()); err != nil {
					s.mu.Lock()
					s.fault(err)
					s.mu.Unlock()
				}
			},
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
		Logger:   slog.New(slog.DiscardHandler),
	})
	mux.Handle("POST "+pathPolicy, s.enroll.PolicyHandler())
	mux.Handle("POST "+pathEnrollment, s.enroll.EnrollmentHandler())
	// The primary enrollment authenticates in ways outside this demo;
	// the WinDC sessions are identified by their client certificate.
	mux.Handle("POST "+pathPrimary, endpoint(nil, s.primary))
	mux.Handle("POST "+pathWinDC, endpoint(s.winDCAuth, s.winDC))
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
		EnrollmentServiceURL:       s.enroll.EnrollmentURL,
		EnrollmentPolicyServiceURL: s.enroll.PolicyURL,
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
				s.log.printf("  [server] %-40s failed: %v\n", what, de)
			}
			return fmt.Errorf("primary: %s: %w", what, err)
		}
		s.log.printf("  [server] %-40s ok\n", what)
		if len(o.Results) == 0 {
			continue
		}
		switch r := o.Results[0]; {
		case strings.HasSuffix(target(o.Command), "/EnrollStatus"):
			es, err := s.provider.ReadEnrollStatus(r)
			if err != nil {
				return err
			}
			dev.enrollState = es
			s.log.printf("  [server]   EnrollStatus = %d %v (final: %v, failed: %v)\n", int(es), es, es.IsFinal(), es.Failed())
		case strings.HasSuffix(target(o.Command), "/LastError"):
			h, err := s.provider.ReadLastError(r)
			if err != nil {
				return err
			}
			s.log.printf("  [server]   LastError = %v\n", h)
		}
	}
	if dev.unenroll && !dev.unenrolling {
		dev.unenrolling = true
		s.log.printf("  [server] removing the linked enrollment: Exec Unenroll, read EnrollStatus and LastError\n")
		return ss.Queue(s.provider.ExecUnenroll(), s.provider.GetEnrollStatus(), s.provider.GetLastError())
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

// winDC runs a session of the linked enrollment: the reconciler reads
// what the device reports about each declared document (its 1224 summary,
// and the Status and Results of what the server sent) and queues what
// brings it to the desired state; the server narrates.
func (s *server) winDC(dev *managed, ss *session.Session, m *syncml.Message, x *session.Exchange) error {
	ctx := context.Background()
	if dev.refreshInterval != 0 {
		if err := s.rec.SetRefreshInterval(ctx, x.Identity.Device, dev.refreshInterval); err != nil {
			return err
		}
		dev.refreshInterval = 0
	}
	for _, o := range x.Outcomes {
		if target(o.Command) == declaredconfig.RefreshIntervalURI && o.Status != nil {
			code, _ := o.Status.Code()
			s.log.printf("  [server] %s RefreshInterval → %v\n", o.Command.ElementName(), code)
		}
	}
	before := ss.Queued()
	st, err := s.rec.Reconcile(ctx, ss, m, x)
	if err != nil {
		return fmt.Errorf("WinDC: %w", err)
	}
	for _, d := range st.Docs {
		s.printStatus(d)
	}
	if n := ss.Queued() - before; n > 0 {
		s.log.printf("  [server] the reconciler queued %d command(s) toward the desired state\n", n)
	}
	return nil
}

// event narrates what the reconciler reports. It runs inside a
// BeforeReply, where s.mu is held.
func (s *server) event(_ context.Context, e reconcile.Event) {
	switch e.Kind {
	case reconcile.RefreshIntervalRead:
		s.log.printf("  [server]   the device's RefreshInterval is %s minutes\n", e.RefreshInterval)
		return
	case reconcile.Problem:
		s.fault(e.Err)
		return
	}
	d := e.Status
	s.log.printf("  [server] event %v: document %s version %s: %v — %s\n", e.Kind, d.URI.DocID, d.Checksum, d.Condition, d.Reason)
	for _, set := range d.Settings() {
		mark := "ok     "
		if set.Failed() {
			mark = "FAILED "
		}
		s.log.printf("  [server]   %s%s/%s (%s): %v, %v\n", mark, set.Provider, set.Name, set.Type, set.Status, set.State)
	}
	if e.Kind == reconcile.DriftedEvent {
		s.log.printf("  [server] re-declaring the document as version A%d so that the device reapplies it\n", d.Redeclared+1)
	}
}

func (s *server) printStatus(d reconcile.DocStatus) {
	extra := ""
	if d.Reported {
		extra = fmt.Sprintf(", device holds %s, result_checksum %.12s…", d.DeviceChecksum, d.ResultChecksum)
	}
	s.log.printf("  [server] document %s version %s: %v — %s%s\n", d.URI.DocID, d.Checksum, d.Condition, d.Reason, extra)
}

// declaredID is the DocID of the document the administrator declares.
const declaredID = "5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305"

// declaredDoc is the document the administrator declares: an always-on
// device VPN profile through the VPNv2 CSP.
func declaredDoc() reconcile.Doc {
	return reconcile.Doc{
		Scope: declaredconfig.Device, Host: declaredconfig.Complete,
		Document: &declaredconfig.Document{
			Schema: "1.0", Context: "Device", ID: declaredID, Checksum: "A0",
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
