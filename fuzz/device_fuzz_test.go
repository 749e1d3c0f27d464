package fuzz

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/dmclient/device"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// discoveryAnswer answers every discovery request with a valid response,
// without a network.
type discoveryAnswer struct{}

func (discoveryAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{"EnrollmentServiceUrl":"https://e.example/E","EnrollmentPolicyServiceUrl":"https://e.example/P",` +
		`"AuthenticationServiceUrl":"https://e.example/A","AuthPolicy":"Federated"}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// A fuzzRenewer is the Enroller and Renewer of FuzzDeviceLinkedEnrollment:
// Enroll fails when the endpoint asks it to, Renew when fail is set; it
// keeps the endpoints it was given.
type fuzzRenewer struct {
	fail      bool
	endpoints []string
}

func (f *fuzzRenewer) Enroll(_ context.Context, r *device.EnrollRequest) (*device.Enrollment, error) {
	f.endpoints = append(f.endpoints, r.Endpoint)
	if strings.Contains(r.Endpoint, "fail") {
		return nil, io.ErrUnexpectedEOF
	}
	return &device.Enrollment{ManagementURL: "https://m.example/", Data: []byte("enrolled")}, nil
}

func (f *fuzzRenewer) Renew(_ context.Context, e *device.Enrollment) (*device.Enrollment, error) {
	if f.fail {
		return nil, io.ErrUnexpectedEOF
	}
	return &device.Enrollment{Data: append(slices.Clip(e.Data), "+renewed"...)}, nil
}

// checkRenew renews h, whose state is st and which runs nothing: without
// an enrollment, Renew is refused with ErrNotEnrolled; a renewal that
// fails leaves the state as it was; one that works changes the
// Enrollment's Data only, the fields the Renewer left empty kept.
func checkRenew(t *testing.T, h *device.Handler, st device.State, fail bool) {
	t.Helper()
	err := h.Renew(context.Background())
	after := h.State()
	switch {
	case st.Enrollment == nil:
		if !errors.Is(err, device.ErrNotEnrolled) {
			t.Fatalf("Renew without an enrollment: %v, want ErrNotEnrolled", err)
		}
		if !reflect.DeepEqual(after, st) {
			t.Fatalf("a refused Renew changed the state:\n%+v\nwas\n%+v", after, st)
		}
	case fail:
		if err == nil {
			t.Fatal("Renew through a failing Renewer returned no error")
		}
		if !reflect.DeepEqual(after, st) {
			t.Fatalf("a failed Renew changed the state:\n%+v\nwas\n%+v", after, st)
		}
	default:
		if err != nil {
			t.Fatalf("Renew: %v", err)
		}
		want := *st.Enrollment
		want.Data = append(slices.Clip(want.Data), "+renewed"...)
		if after.Enrollment == nil || !reflect.DeepEqual(*after.Enrollment, want) {
			t.Fatalf("renewed Enrollment %+v, want %+v", after.Enrollment, want)
		}
		a, b := after, st
		a.Enrollment, b.Enrollment, a.Changed, b.Changed = nil, nil, time.Time{}, time.Time{}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Renew changed more than the Enrollment:\n%+v\nwas\n%+v", after, st)
		}
	}
}

// FuzzDeviceLinkedEnrollment feeds an arbitrary server message (its
// CmdIDs renumbered when the session would refuse them, see
// renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage) to a device whose Mux holds the LinkedEnrollment handler (discovery answered
// in memory, an Enroller that succeeds unless the endpoint asks it to
// fail, and an Unenroller), asynchronous when the input's length is odd.
// No input may make the device panic; a reply,
// when there is one, encodes and has unique CmdIDs; the handler's state
// stays coherent: EnrollStatus is a documented value, LastError and its
// Reason are set together, an Enrollment exists exactly when EnrollStatus
// says enrolled (4) or unenrollment failed (7), the Enroller gets the
// endpoint without XML spaces around it and discovery never fails at a
// good endpoint written with them, a Renew afterwards keeps to
// checkRenew, and the EnrollStatus and LastError Results the device sent
// read back with the dmclient readers.
func FuzzDeviceLinkedEnrollment(f *testing.F) {
	hdr := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>`
	le := `./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/`
	f.Add([]byte(hdr + `<Replace><CmdID>2</CmdID><Item><Target><LocURI>` + le + `DiscoveryEndpoint</LocURI></Target><Data>https://d.example/x</Data></Item></Replace>` +
		`<Exec><CmdID>3</CmdID><Item><Target><LocURI>` + le + `Enroll</LocURI></Target></Item></Exec>` +
		`<Get><CmdID>4</CmdID><Item><Target><LocURI>` + le + `EnrollStatus</LocURI></Target></Item><Item><Target><LocURI>` + le + `LastError</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Exec><CmdID>2</CmdID><Item><Target><LocURI>` + le + `Enroll</LocURI></Target></Item></Exec>` +
		`<Exec><CmdID>3</CmdID><Item><Target><LocURI>` + le + `Unenroll</LocURI></Target></Item></Exec>` +
		`<Get><CmdID>4</CmdID><Item><Target><LocURI>` + le + `LastError</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID><Item><Target><LocURI>` + le + `Priority</LocURI></Target><Meta><Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item></Add>` +
		`<Replace><CmdID>4</CmdID><Item><Target><LocURI>` + le + `EnrollStatus</LocURI></Target><Data>4</Data></Item></Replace></Atomic>` +
		`<Delete><CmdID>5</CmdID><Item><Target><LocURI>` + le + `DiscoveryEndpoint</LocURI></Target></Item></Delete>` +
		`<Get><CmdID>6</CmdID><Item><Target><LocURI>./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`))
	// The endpoint on lines of its own, then enrolled and asked for
	// (lengths of both parities and of a multiple of 3: synchronous and
	// asynchronous, the renewal failing or not).
	for _, pad := range []string{"", " ", "  "} {
		f.Add([]byte(hdr + `<Replace><CmdID>2</CmdID><Item><Target><LocURI>` + le + `DiscoveryEndpoint</LocURI></Target><Data>
   https://d.example/x
 </Data></Item></Replace>` + pad +
			`<Exec><CmdID>3</CmdID><Item><Target><LocURI>` + le + `Enroll</LocURI></Target></Item></Exec><Final/></SyncBody></SyncML>`))
	}
	gen := &genConfig{uris: []string{le + "DiscoveryEndpoint", le + "Enroll", le + "Unenroll", le + "EnrollStatus", le + "LastError", le + "Priority",
		strings.TrimSuffix(le, "/"), ""}, data: []string{"https://d.example/x", "https://fail.example/x", "1", "4", "", "\n https://d.example/x\t\n"}, types: []string{"", "int", "chr"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			g, ok := generatedMessage(data, serverHeader(), gen)
			if !ok {
				return
			}
			m = *g
		}
		renumberCmdIDs(t, &m, data)
		ctx := context.Background()
		enroller := &fuzzRenewer{fail: len(data)%3 == 0}
		h, err := device.New(ctx, device.Config{
			ProviderID: "MS DM SERVER",
			Discovery:  discovery.Client{HTTPClient: &http.Client{Transport: discoveryAnswer{}}},
			Request:    discovery.Request{OSVersion: "10.0.26100.1301"},
			Enroller:   enroller,
			Unenroller: device.UnenrollerFunc(func(_ context.Context, e *device.Enrollment) error { return nil }),
			Async:      len(data)%2 == 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		mux := session.NewMux()
		if err := h.Register(mux); err != nil {
			t.Fatal(err)
		}
		c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, MaxObjectSize: 4096})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, &m)
		if err := h.Wait(); err != nil {
			t.Fatal(err) // a MemoryStore does not fail
		}
		st := h.State()
		if !st.Status.Known() {
			t.Fatalf("EnrollStatus %d", st.Status)
		}
		if (st.LastError == 0) != (st.Reason == "") {
			t.Fatalf("LastError %v with Reason %q", st.LastError, st.Reason)
		}
		enrolled := st.Status == dmclient.StatusEnrollmentSucceeded || st.Status == dmclient.StatusUnenrollmentFailed
		if (st.Enrollment != nil) != enrolled {
			t.Fatalf("EnrollStatus %v with Enrollment %+v", st.Status, st.Enrollment)
		}
		for _, e := range enroller.endpoints {
			if strings.Trim(e, " \t\r\n") != e {
				t.Fatalf("the Enroller got the endpoint %q, XML spaces around it", e)
			}
		}
		// Discovery is answered for every URL: it fails only for an
		// endpoint that is no URL, never for one of the input's good ones
		// written with XML spaces around them.
		if _, after, ok := strings.Cut(st.Reason, "discovery at "); ok {
			if strings.HasPrefix(after, "https://d.example/x") || strings.HasPrefix(after, "https://fail.example/x") ||
				strings.TrimLeft(after, " \t\r\n") != after {
				t.Fatalf("discovery failed at a good endpoint: %s", st.Reason)
			}
		}
		checkRenew(t, h, st, enroller.fail)
		if err != nil || x.Reply == nil {
			return
		}
		checkReplyIDs(t, x)
		for _, cmd := range x.Reply.Body.Commands {
			r, ok := cmd.(*syncml.Results)
			if !ok || len(r.Items) != 1 || r.Items[0].Source == nil {
				continue
			}
			switch {
			case strings.HasSuffix(r.Items[0].Source.LocURI, "/EnrollStatus"):
				if _, err := dmclient.ReadEnrollStatus(r); err != nil {
					t.Fatalf("EnrollStatus sent does not read: %v", err)
				}
			case strings.HasSuffix(r.Items[0].Source.LocURI, "/LastError"):
				if _, err := dmclient.ReadLastError(r); err != nil {
					t.Fatalf("LastError sent does not read: %v", err)
				}
			}
		}
	})
}
