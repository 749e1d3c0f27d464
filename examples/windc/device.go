package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	dmdevice "github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/syncml/session"
)

// providerID is the primary enrollment's DMClient provider.
const providerID = "MS DM SERVER"

// device is a simulated Windows device: an OMA-DM client whose DMClient
// LinkedEnrollment nodes are served by package dmclient/device (discovery,
// then MS-MDE2 with package discovery/mde2), two management accounts (the
// primary enrollment and, once linked, the WinDC one, whose sessions
// present the certificate MS-MDE2 issued) and the declared configuration
// agent (declaredconfig/agent) on an in-memory configuration surface.
type device struct {
	log     *narrator
	id      string
	http    *http.Client    // primary sessions, discovery and MS-MDE2
	wire    *wire           // http's transport, when it is the demo's wire
	info    session.DevInfo // what package 1 says of the device
	linked  *dmdevice.Handler
	surface *agent.MemorySurface
	agent   *agent.Agent
	asked   []string      // why the agent asked for a session, since the last one
	events  []agent.Event // what the agent did, since the last refresh
	mux     *session.Mux  // the handlers of the device's CSPs
	nextID  int           // last SessionID used, per device

	primaryURL string // the primary enrollment's management URL
	// winDC sends the WinDC sessions: TLS with the client certificate
	// MS-MDE2 issued, trusting the roots its provisioning document
	// installed. Nil until enrolled.
	winDC *http.Client
	// deviceToken gets the Entra device token that the Federated policy
	// sends (in the demo, from the stand-in issuer).
	deviceToken func(deviceID string) ([]byte, error)
}

func newDevice(log *narrator, c *http.Client, primaryURL string, deviceToken func(string) ([]byte, error)) (*device, error) {
	const id = "urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"
	d := &device{
		log:         log,
		id:          id,
		info:        session.DevInfo{DevID: id, Man: "Contoso Devices", Mod: "Surface-ish 9", DmV: "1.3", Lang: "en-US"},
		http:        c,
		primaryURL:  primaryURL,
		deviceToken: deviceToken,
	}
	if c != nil {
		d.wire, _ = c.Transport.(*wire)
	}
	ctx := context.Background()
	d.surface = &agent.MemorySurface{}
	a, err := agent.New(ctx, agent.Config{
		Surface: d.surface,
		// The demo's server looks for the summary in every message of
		// the WinDC account, also before it declared anything.
		EmptySummary:   true,
		RequestSession: func(reason string) { d.asked = append(d.asked, reason) },
		OnEvent: func(e agent.Event) {
			d.events = append(d.events, e)
			d.log.printf("  [agent] %s\n", e)
		},
	})
	if err != nil {
		return nil, err
	}
	d.agent = a
	d.linked, err = dmdevice.New(ctx, dmdevice.Config{
		ProviderID: providerID,
		Discovery:  discovery.Client{HTTPClient: c, UPN: "johndoe@contoso.example"},
		Request: discovery.Request{
			UserDomain:     "contoso.example",
			TenantID:       "00000000-0000-0000-0000-000000000000",
			EMMDeviceID:    strings.TrimPrefix(id, "urn:uuid:"),
			EnrollmentType: new(discovery.EnrollmentTypeDevice),
			OSVersion:      "10.0.26100.1301",
		},
		Headers:    discovery.Headers{CorrelationVector: "windc-demo.1"},
		Enroller:   dmdevice.EnrollerFunc(d.enroll),
		Unenroller: dmdevice.UnenrollerFunc(d.unenroll),
		OnChange:   d.linkedChanged(),
	})
	if err != nil {
		return nil, err
	}
	d.mux = session.NewMux()
	if err := d.linked.Register(d.mux); err != nil {
		return nil, err
	}
	if err := d.agent.Register(d.mux); err != nil {
		return nil, err
	}
	return d, nil
}

// linkedChanged returns the LinkedEnrollment handler's OnChange: it
// tells what changed, the DiscoveryEndpoint or EnrollStatus.
func (d *device) linkedChanged() func(dmdevice.State) {
	last := dmdevice.State{Status: dmclient.StatusEnrollmentNotStarted}
	return func(s dmdevice.State) {
		if s.DiscoveryEndpoint != last.DiscoveryEndpoint {
			d.log.printf("  [device] LinkedEnrollment/DiscoveryEndpoint ← %q\n", s.DiscoveryEndpoint)
		}
		if s.Status != last.Status {
			d.log.printf("  [device] LinkedEnrollment/EnrollStatus → %d %v (LastError %v)\n", int(s.Status), s.Status, s.LastError)
		}
		last = s
	}
}

// enroll is the step after discovery: MS-MDE2 (GetPolicies, then
// RequestSecurityToken with a new key) by dmclient/device's MDE2, with
// the device token for the Federated policy.
func (d *device) enroll(ctx context.Context, r *dmdevice.EnrollRequest) (*dmdevice.Enrollment, error) {
	body, _ := r.Response.MarshalJSON()
	d.log.printf("  [device] discovery answered %s\n", body)
	d.log.printf("  [device] MS-MDE2 at the URLs discovery returned: GetPolicies, then RequestSecurityToken with a new key of the kind the policy asks for (RSA 2048 here, as Windows makes)\n")
	m := &dmdevice.MDE2{
		Client: &mde2.Client{HTTPClient: d.http},
		Device: mde2.Device{
			DeviceID: d.id, DeviceName: "CONTOSO-LAPTOP-7", OSVersion: "10.0.26100.1301",
			OSEdition: "4", ApplicationVersion: "10.0.26100.1301", EnrollmentType: "Device",
		},
		Credentials: d.credentials,
		OnResult:    d.provisioned,
	}
	return m.Enroll(ctx, r)
}

// credentials returns the credential of the AuthPolicy discovery chose.
// This device's parent enrollment is Entra joined: Federated, with a
// device token.
func (d *device) credentials(_ context.Context, p discovery.AuthPolicy) (mde2.Credentials, error) {
	if p != discovery.AuthPolicyFederated || d.deviceToken == nil {
		return mde2.Credentials{}, fmt.Errorf("the demo device has no credential for AuthPolicy %s", p)
	}
	tok, err := d.deviceToken(d.id)
	if err != nil {
		return mde2.Credentials{}, err
	}
	d.log.printf("  [device] AuthPolicy Federated: sending the device token the (stand-in) Entra ID gave it\n")
	return mde2.Credentials{Token: tok}, nil
}

// provisioned reads what MS-MDE2 returned and prepares the WinDC
// account's transport: TLS with the issued client certificate, trusting
// the roots the provisioning document installs.
func (d *device) provisioned(r *mde2.Result) {
	d.log.printf("  [device] certificate issued: subject CN=%s, issuer CN=%s, valid until %s\n",
		r.Certificate.Subject.CommonName, r.Certificate.Issuer.CommonName, r.Certificate.NotAfter.UTC().Format("2006-01-02"))
	d.log.printf("  [device] provisioning document: w7 APPLICATION %q, ADDR %s; %d root certificate(s) to install\n",
		r.ProviderID, r.Address, len(r.Roots))
	roots := x509.NewCertPool()
	for _, c := range r.Roots {
		roots.AddCert(c)
	}
	tr := &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{
		RootCAs:      roots,
		Certificates: []tls.Certificate{{Certificate: [][]byte{r.Certificate.Raw}, PrivateKey: r.Key, Leaf: r.Certificate}},
	}}
	var rt http.RoundTripper = tr
	if d.wire != nil {
		rt = d.wire.with(tr)
	}
	d.winDC = &http.Client{Timeout: d.http.Timeout, Transport: rt}
}

// unenroll rolls back what WinDC applied: the agent deletes every setting
// its documents set and forgets them; the WinDC account goes.
func (d *device) unenroll(ctx context.Context, e *dmdevice.Enrollment) error {
	d.log.printf("  [device] Exec LinkedEnrollment/Unenroll: the agent rolls back what WinDC applied\n")
	if err := d.agent.Unenroll(ctx); err != nil {
		return err
	}
	if d.winDC != nil {
		d.winDC.CloseIdleConnections()
	}
	d.winDC = nil
	d.log.printf("  [device] the WinDC account of %s is removed\n", e.ManagementURL)
	return nil
}

// winDCURL returns the WinDC management URL, once enrolled.
func (d *device) winDCURL() string {
	if e := d.linked.State().Enrollment; e != nil {
		return e.ManagementURL
	}
	return ""
}

// session runs one client-initiated OMA-DM session with the server at url
// (session.Client.Run) and returns when the server's message asks for
// nothing more. On the WinDC account the agent's 1224 summary goes in
// every message (ClientConfig.EachMessage), written after the server's
// commands in it were handled, and the session goes over the WinDC
// client, which presents the enrollment's certificate.
func (d *device) session(url string, winDC bool) error {
	d.nextID++
	d.asked = nil
	sid := fmt.Sprintf("%X", d.nextID)
	cfg := session.ClientConfig{
		DeviceID: d.id, ServerURI: url, Handler: d.mux, DevInfo: d.info, MaxMsgSize: 512000,
	}
	hc := d.http
	if winDC {
		cfg.EachMessage = d.agent.EachMessage
		cfg.Unmarshal = d.agent.Unmarshal // documents read with their message
		if hc = d.winDC; hc == nil {
			return errors.New("device: no WinDC enrollment")
		}
	}
	c, err := session.NewClient(cfg)
	if err != nil {
		return err
	}
	outs, err := c.Run(context.Background(), hc, url, sid)
	if err != nil {
		return err
	}
	// The server answered everything the device sent.
	for _, o := range outs {
		if o.Status == nil {
			return fmt.Errorf("device: %s %s was not answered", o.Command.ElementName(), o.Command.ID())
		}
		if err := dmclient.ReadStatus(o.Status); err != nil {
			return fmt.Errorf("device: %s %s: %w", o.Command.ElementName(), o.Command.ID(), err)
		}
	}
	d.log.printf("  [device] the server sent only Status: session %s ends\n", sid)
	return nil
}

// sessionIfAsked runs a WinDC session if the agent asked for one.
func (d *device) sessionIfAsked() error {
	if len(d.asked) == 0 {
		return nil
	}
	d.log.printf("  [device] the agent asks for a session (%s)\n", strings.Join(d.asked, "; "))
	return d.session(d.winDCURL(), true)
}

// refresh runs the agent's refresh task now, tells of each document
// that had no drift, and reports whether the agent asked for a session.
func (d *device) refresh() (wantSession bool, err error) {
	d.events, d.asked = nil, nil
	if err := d.agent.Refresh(context.Background()); err != nil {
		return false, err
	}
	for _, e := range d.agent.Summary().Documents {
		drift := false
		for _, ev := range d.events {
			if ev.DocID == e.ID && (ev.Kind == agent.EventRepaired || ev.Kind == agent.EventDrifted) {
				drift = true
			}
		}
		if !drift {
			d.log.printf("  [agent] %s version %s: no drift\n", e.ID, e.Checksum)
		}
	}
	return len(d.asked) > 0, nil
}

// nodes lists the configuration nodes under prefix with their values,
// sorted.
func (d *device) nodes(prefix string) []string {
	var out []string
	for k, v := range d.surface.Nodes(prefix) {
		out = append(out, fmt.Sprintf("%s = %s", k, v))
	}
	slices.Sort(out)
	return out
}
