package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// device is a simulated Windows device: an OMA-DM client with an
// in-memory DM tree for the DMClient CSP, two management accounts (the
// primary enrollment and, once linked, the WinDC one) and the declared
// configuration agent (declaredconfig/agent) with an in-memory
// configuration surface.
type device struct {
	log     *narrator
	id      string
	http    *http.Client
	info    session.DevInfo   // what package 1 says of the device
	tree    map[string]string // DMClient nodes: canonical LocURI → value
	surface *agent.MemorySurface
	agent   *agent.Agent
	asked   []string      // why the agent asked for a session, since the last one
	events  []agent.Event // what the agent did, since the last refresh
	mux     *session.Mux  // the handlers of the device's CSPs
	nextID  int           // last SessionID used, per device

	primaryURL string // the primary enrollment's management URL
	winDCURL   string // the WinDC management URL, once enrolled
	// enroll stands in for the MS-MDE2 enrollment against the URLs
	// discovery returned, which this module does not implement: it
	// returns the WinDC management URL.
	enroll func(*discovery.Response) (string, error)
}

func newDevice(log *narrator, c *http.Client, primaryURL string) (*device, error) {
	const id = "urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"
	d := &device{
		log:        log,
		id:         id,
		info:       session.DevInfo{DevID: id, Man: "Contoso Devices", Mod: "Surface-ish 9", DmV: "1.3", Lang: "en-US"},
		http:       c,
		primaryURL: primaryURL,
		tree:       map[string]string{},
	}
	d.surface = &agent.MemorySurface{}
	a, err := agent.New(context.Background(), agent.Config{
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
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	d.set(string(le.EnrollStatus()), strconv.Itoa(int(dmclient.StatusEnrollmentNotStarted)))
	d.set(string(le.LastError()), "0")
	d.mux = session.NewMux()
	if err := d.mux.HandleSubtree("", "./Vendor/MSFT/DMClient", session.HandlerFunc(d.dmClient)); err != nil {
		return nil, err
	}
	if err := d.agent.Register(d.mux); err != nil {
		return nil, err
	}
	return d, nil
}

// key normalises a LocURI for the tree: device scope made explicit.
func key(uri string) (string, bool) {
	u, err := syncml.ParseLocURI(uri)
	if err != nil {
		return "", false
	}
	if u.Scope == syncml.ScopeDefault {
		u.Scope = syncml.ScopeDevice
	}
	return u.String(), true
}

func (d *device) get(uri string) (string, bool) {
	k, ok := key(uri)
	if !ok {
		return "", false
	}
	v, ok := d.tree[k]
	return v, ok
}

func (d *device) set(uri, v string) bool {
	k, ok := key(uri)
	if ok {
		d.tree[k] = v
	}
	return ok
}

// session runs one client-initiated OMA-DM session with the server at url
// (session.Client.Run) and returns when the server's message asks for
// nothing more. On the WinDC account the agent's 1224 summary goes in
// every message (ClientConfig.EachMessage), written after the server's
// commands in it were handled.
func (d *device) session(url string, winDC bool) error {
	d.nextID++
	d.asked = nil
	sid := fmt.Sprintf("%X", d.nextID)
	cfg := session.ClientConfig{
		DeviceID: d.id, ServerURI: url, Handler: d.mux, DevInfo: d.info, MaxMsgSize: 512000,
	}
	if winDC {
		cfg.EachMessage = d.agent.EachMessage
	}
	c, err := session.NewClient(cfg)
	if err != nil {
		return err
	}
	outs, err := c.Run(context.Background(), d.http, url, sid)
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

// dmClient answers the commands for the DMClient CSP: Replace and Get of
// its nodes, and Exec of LinkedEnrollment/Enroll.
func (d *device) dmClient(_ context.Context, r *session.Request) session.Response {
	switch c := r.Command.(type) {
	case *syncml.Exec:
		return d.exec(c)
	case *syncml.Get:
		return d.read(c.Items)
	case *syncml.Add:
		return d.write(c.Items, true)
	case *syncml.Replace:
		return d.write(c.Items, false)
	}
	return session.Response{Code: syncml.StatusCommandNotImplemented}
}

// write carries out an Add or Replace, with a code per item.
func (d *device) write(items []syncml.Item, isAdd bool) session.Response {
	var resp session.Response
	for _, it := range items {
		v := ""
		if it.Data != nil {
			v = it.Data.Value
		}
		var c syncml.StatusCode
		if it.Target == nil {
			resp.ItemCodes = append(resp.ItemCodes, syncml.StatusBadRequest)
			continue
		}
		if _, exists := d.get(it.Target.LocURI); exists && isAdd {
			c = syncml.StatusAlreadyExists
		} else if d.set(it.Target.LocURI, v) {
			c = syncml.StatusOK
			d.log.printf("  [device] %s ← %q\n", lastSegments(it.Target.LocURI, 2), v)
		} else {
			c = syncml.StatusBadRequest
		}
		resp.ItemCodes = append(resp.ItemCodes, c)
	}
	return resp
}

// exec carries out an Exec: LinkedEnrollment/Enroll runs discovery and the
// linked enrollment. A failure is answered 500 with the HRESULT in
// msft:originalerror, as Windows does.
func (d *device) exec(c *syncml.Exec) session.Response {
	if len(c.Items) != 1 || c.Items[0].Target == nil {
		return session.Response{Code: syncml.StatusBadRequest}
	}
	uri := c.Items[0].Target.LocURI
	if !strings.HasSuffix(uri, "/LinkedEnrollment/Enroll") {
		return session.Response{Code: syncml.StatusNotFound}
	}
	prefix := strings.TrimSuffix(uri, "/Enroll")
	if err := d.linkedEnroll(prefix); err != nil {
		d.log.printf("  [device] linked enrollment failed: %v\n", err)
		d.set(prefix+"/EnrollStatus", strconv.Itoa(int(dmclient.StatusEnrollmentFailed)))
		d.set(prefix+"/LastError", fmt.Sprint(uint32(dmclient.ErrorFileNotFound)))
		return session.Response{Code: syncml.StatusCommandFailed,
			OriginalError: fmt.Sprintf("0x%08X", uint32(dmclient.ErrorFileNotFound))}
	}
	return session.Response{}
}

func (d *device) linkedEnroll(prefix string) error {
	ep, ok := d.get(prefix + "/DiscoveryEndpoint")
	if !ok || ep == "" {
		return fmt.Errorf("DiscoveryEndpoint is not set")
	}
	d.set(prefix+"/EnrollStatus", strconv.Itoa(int(dmclient.StatusEnrollmentInProgress)))
	d.log.printf("  [device] Exec LinkedEnrollment/Enroll: discovery at %s\n", ep)
	c := &discovery.Client{URL: ep, HTTPClient: d.http, UPN: "johndoe@contoso.example",
		URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}}
	req := &discovery.Request{
		UserDomain:     "contoso.example",
		TenantID:       "00000000-0000-0000-0000-000000000000",
		EMMDeviceID:    strings.TrimPrefix(d.id, "urn:uuid:"),
		EnrollmentType: new(discovery.EnrollmentTypeDevice),
		OSVersion:      "10.0.26100.1301",
	}
	resp, err := c.Discover(context.Background(), req, discovery.Headers{CorrelationVector: "windc-demo.1"})
	if err != nil {
		return err
	}
	body, _ := resp.MarshalJSON()
	d.log.printf("  [device] discovery answered %s\n", body)
	url, err := d.enroll(resp)
	if err != nil {
		return err
	}
	d.winDCURL = url
	d.log.printf("  [device] enrolled with the WinDC service (AuthPolicy %s); its management URL is %s\n", resp.AuthPolicy, url)
	d.set(prefix+"/EnrollStatus", strconv.Itoa(int(dmclient.StatusEnrollmentSucceeded)))
	d.set(prefix+"/LastError", "0")
	return nil
}

// read carries out a Get: the Results items name their node in Source.
func (d *device) read(items []syncml.Item) session.Response {
	var resp session.Response
	for _, it := range items {
		if it.Target == nil {
			return session.Response{Code: syncml.StatusBadRequest}
		}
		uri := it.Target.LocURI
		v, ok := d.get(uri)
		if !ok {
			return session.Response{Code: syncml.StatusNotFound}
		}
		format := "chr"
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			format = "int"
		}
		item := syncml.Item{Meta: &syncml.Meta{Format: format}, Data: syncml.Text(v)}
		item.Source = &syncml.Location{LocURI: uri}
		resp.Results = append(resp.Results, item)
	}
	return resp
}

// sessionIfAsked runs a WinDC session if the agent asked for one.
func (d *device) sessionIfAsked() error {
	if len(d.asked) == 0 {
		return nil
	}
	d.log.printf("  [device] the agent asks for a session (%s)\n", strings.Join(d.asked, "; "))
	return d.session(d.winDCURL, true)
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
