package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

// device is a simulated Windows device: an OMA-DM client with an
// in-memory DM tree, two management accounts (the primary enrollment and,
// once linked, the WinDC one) and a declared configuration agent.
type device struct {
	log    *narrator
	id     string
	http   *http.Client
	tree   map[string]string // DM tree: canonical LocURI → value
	agent  *agent
	nextID int // last SessionID used, per device

	primaryURL string // the primary enrollment's management URL
	winDCURL   string // the WinDC management URL, once enrolled
	// enroll stands in for the MS-MDE2 enrollment against the URLs
	// discovery returned, which this module does not implement: it
	// returns the WinDC management URL.
	enroll func(*discovery.Response) (string, error)
}

func newDevice(log *narrator, c *http.Client, primaryURL string) *device {
	d := &device{
		log:        log,
		id:         "urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809",
		http:       c,
		primaryURL: primaryURL,
		tree:       map[string]string{},
	}
	d.agent = &agent{dev: d, docs: map[string]*agentDoc{}}
	for k, v := range map[string]string{
		"./DevInfo/DevId": d.id,
		"./DevInfo/Man":   "Contoso Devices",
		"./DevInfo/Mod":   "Surface-ish 9",
		"./DevInfo/DmV":   "1.3",
		"./DevInfo/Lang":  "en-US",
	} {
		d.tree[k] = v
	}
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	d.set(string(le.EnrollStatus()), strconv.Itoa(int(dmclient.StatusEnrollmentNotStarted)))
	d.set(string(le.LastError()), "0")
	return d
}

// key normalises a LocURI for the tree: device scope made explicit.
func key(uri string) (string, bool) {
	u, err := syncml.ParseLocURI(uri)
	if err != nil {
		return "", false
	}
	if u.Scope == syncml.ScopeDefault && (len(u.Segments) == 0 || u.Segments[0] != "DevInfo") {
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
// and returns when the server's message asks for nothing more.
func (d *device) session(url string, winDC bool) error {
	d.nextID++
	sid := fmt.Sprintf("%X", d.nextID)
	var msgs, cmds counter
	num := func(c syncml.Command) syncml.Command { return number(c, cmds.next()) }

	// Package 1: the session alert and the device information.
	out := []syncml.Command{
		num(&syncml.Alert{Data: syncml.AlertClientInitiated.Data()}),
		num(d.devInfo()),
	}
	for {
		if winDC {
			// The WinDC client adds its summary to every message.
			a, err := d.agent.summaryAlert()
			if err != nil {
				return err
			}
			out = append(out, num(a))
		}
		m := &syncml.Message{
			XMLNS: syncml.NamespaceSyncML12,
			Header: syncml.Header{
				VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sid, MsgID: msgs.next(),
				Target: syncml.Location{LocURI: url},
				Source: syncml.Location{LocURI: d.id},
				Meta:   &syncml.Meta{MaxMsgSize: "512000"},
			},
			Body: syncml.Body{Commands: out, Final: true},
		}
		reply, size, err := post(d.http, url, m)
		if err != nil {
			return err
		}
		d.log.message("SyncML", reply, size)
		if err := d.checkReply(m, reply); err != nil {
			return err
		}
		var more bool
		out, more = d.process(reply, num)
		if !more {
			d.log.printf("  [device] the server sent only Status: session %s ends\n", sid)
			return nil
		}
	}
}

// devInfo is the Replace of package 1: DevInfo nodes named by Source.
func (d *device) devInfo() *syncml.Replace {
	r := &syncml.Replace{}
	for _, n := range []string{"DevId", "Man", "Mod", "DmV", "Lang"} {
		uri := "./DevInfo/" + n
		v, _ := d.get(uri)
		r.Items = append(r.Items, syncml.Item{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text(v)})
	}
	return r
}

// checkReply checks the server's message against the device's: same
// session, the next MsgID, and a successful Status for the header.
func (d *device) checkReply(sent, reply *syncml.Message) error {
	h := reply.Header
	if h.SessionID != sent.Header.SessionID || h.MsgID != sent.Header.MsgID {
		return fmt.Errorf("device: reply is session %s message %s, want session %s message %s",
			h.SessionID, h.MsgID, sent.Header.SessionID, sent.Header.MsgID)
	}
	st := findStatus(reply, sent.Header.MsgID, "0")
	if st == nil {
		return fmt.Errorf("device: no Status for the SyncHdr of message %s", sent.Header.MsgID)
	}
	if err := dmclient.ReadStatus(st); err != nil {
		return fmt.Errorf("device: the server refused the header: %w", err)
	}
	for _, c := range sent.Body.Commands {
		switch c.(type) {
		case *syncml.Status, *syncml.Results:
			continue
		}
		st := findStatus(reply, sent.Header.MsgID, c.ID())
		if st == nil {
			return fmt.Errorf("device: no Status for %s %s", c.ElementName(), c.ID())
		}
		if err := dmclient.ReadStatus(st); err != nil {
			return fmt.Errorf("device: %w", err)
		}
	}
	return nil
}

// process carries out the server's commands and returns the device's
// answer: Status for the header and every command, Results for Gets.
// more is false when the server sent nothing but Status.
func (d *device) process(in *syncml.Message, num func(syncml.Command) syncml.Command) (out []syncml.Command, more bool) {
	ref := in.Header.MsgID
	out = append(out, num(status(ref, "0", "SyncHdr", syncml.StatusOK)))
	for _, c := range in.Body.Commands {
		if _, ok := c.(*syncml.Status); ok {
			continue
		}
		more = true
		switch c := c.(type) {
		case *syncml.Add:
			out = append(out, num(d.write(ref, c, c.Items, true)))
		case *syncml.Replace:
			out = append(out, num(d.write(ref, c, c.Items, false)))
		case *syncml.Exec:
			out = append(out, num(d.exec(ref, c)))
		case *syncml.Get:
			st, res := d.read(ref, c)
			out = append(out, num(st))
			if res != nil {
				out = append(out, num(res))
			}
		default:
			out = append(out, num(status(ref, c.ID(), c.ElementName(), syncml.StatusCommandNotImplemented)))
		}
	}
	return out, more
}

// write carries out an Add or Replace.
func (d *device) write(ref string, c syncml.Command, items []syncml.Item, isAdd bool) *syncml.Status {
	code := syncml.StatusOK
	for _, it := range items {
		v := ""
		if it.Data != nil {
			v = it.Data.Value
		}
		var c syncml.StatusCode
		switch u, err := declaredconfig.ParseURI(it.Target.LocURI); {
		case err == nil && u.Node == declaredconfig.NodeDocument:
			c = d.agent.apply(u, v, isAdd)
		case err == nil && u.Node == declaredconfig.NodeRefreshInterval:
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
			if err != nil || n < declaredconfig.MinRefreshInterval {
				c = syncml.StatusBadRequest
				break
			}
			d.set(it.Target.LocURI, strconv.FormatUint(n, 10))
			d.log.printf("  [device] RefreshInterval set: the agent checks for drift every %d minutes\n", n)
			c = syncml.StatusOK
		default:
			if _, exists := d.get(it.Target.LocURI); exists && isAdd {
				c = syncml.StatusAlreadyExists
			} else if d.set(it.Target.LocURI, v) {
				c = syncml.StatusOK
				d.log.printf("  [device] %s ← %q\n", lastSegments(it.Target.LocURI, 2), v)
			} else {
				c = syncml.StatusBadRequest
			}
		}
		if !c.Success() {
			code = c
		}
	}
	return status(ref, c.ID(), c.ElementName(), code)
}

// exec carries out an Exec: LinkedEnrollment/Enroll runs discovery and the
// linked enrollment.
func (d *device) exec(ref string, c *syncml.Exec) *syncml.Status {
	uri := c.Items[0].Target.LocURI
	if !strings.HasSuffix(uri, "/LinkedEnrollment/Enroll") {
		return status(ref, c.CmdID, "Exec", syncml.StatusNotFound)
	}
	prefix := strings.TrimSuffix(uri, "/Enroll")
	if err := d.linkedEnroll(prefix); err != nil {
		d.log.printf("  [device] linked enrollment failed: %v\n", err)
		d.set(prefix+"/EnrollStatus", strconv.Itoa(int(dmclient.StatusEnrollmentFailed)))
		d.set(prefix+"/LastError", fmt.Sprint(uint32(dmclient.ErrorFileNotFound)))
		st := status(ref, c.CmdID, "Exec", syncml.StatusCommandFailed)
		st.Data.OriginalError = fmt.Sprintf("0x%08X", uint32(dmclient.ErrorFileNotFound))
		return st
	}
	return status(ref, c.CmdID, "Exec", syncml.StatusOK)
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

// read carries out a Get.
func (d *device) read(ref string, c *syncml.Get) (*syncml.Status, *syncml.Results) {
	res := &syncml.Results{MsgRef: ref, CmdRef: c.CmdID}
	for _, it := range c.Items {
		uri := it.Target.LocURI
		var item syncml.Item
		switch u, err := declaredconfig.ParseURI(uri); {
		case err == nil && u.Node == declaredconfig.NodeResults:
			r := d.agent.result(u)
			if r == nil {
				return status(ref, c.CmdID, "Get", syncml.StatusNotFound), nil
			}
			x, err := r.MarshalText()
			if err != nil {
				return status(ref, c.CmdID, "Get", syncml.StatusCommandFailed), nil
			}
			item = syncml.Item{Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text(string(x))}
		default:
			v, ok := d.get(uri)
			if !ok {
				return status(ref, c.CmdID, "Get", syncml.StatusNotFound), nil
			}
			format := "chr"
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				format = "int"
			}
			item = syncml.Item{Meta: &syncml.Meta{Format: format}, Data: syncml.Text(v)}
		}
		item.Source = &syncml.Location{LocURI: uri}
		res.Items = append(res.Items, item)
	}
	return status(ref, c.CmdID, "Get", syncml.StatusOK), res
}

// nodes lists the tree nodes under prefix with their values, sorted.
func (d *device) nodes(prefix string) []string {
	var out []string
	for k, v := range d.tree {
		if strings.HasPrefix(k, prefix) {
			out = append(out, fmt.Sprintf("%s = %s", k, v))
		}
	}
	slices.Sort(out)
	return out
}
