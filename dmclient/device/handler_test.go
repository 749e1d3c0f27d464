package device

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

const provider = "MS DM SERVER"

var (
	le    = dmclient.LinkedEnrollment{ProviderID: provider}
	t0    = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	winDC = "https://windc.example/ManagementServer/MDM.svc"
)

// fakeEnroller records what it is given and answers with enroll.
type fakeEnroller struct {
	mu     sync.Mutex
	got    []*EnrollRequest
	enroll func(ctx context.Context, r *EnrollRequest) (*Enrollment, error)
}

func (f *fakeEnroller) Enroll(ctx context.Context, r *EnrollRequest) (*Enrollment, error) {
	f.mu.Lock()
	f.got = append(f.got, r)
	f.mu.Unlock()
	if f.enroll != nil {
		return f.enroll(ctx, r)
	}
	return &Enrollment{ManagementURL: winDC, Data: []byte("provisioning")}, nil
}

// hresultError is an enrollment fault with its own HRESULT.
type hresultError dmclient.HRESULT

func (e hresultError) Error() string             { return "fault " + dmclient.HRESULT(e).String() }
func (e hresultError) HRESULT() dmclient.HRESULT { return dmclient.HRESULT(e) }

// discoveryServer is a loopback discovery service; answer decides its
// reply (nil: a valid response).
func discoveryServer(t testing.TB, answer http.HandlerFunc) *httptest.Server {
	t.Helper()
	var h http.Handler = &discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			return &discovery.Response{
				EnrollmentServiceURL:       "https://windc.example/EnrollmentServer/Enrollment.svc",
				EnrollmentPolicyServiceURL: "https://windc.example/EnrollmentServer/Policy.svc",
				AuthenticationServiceURL:   "https://windc.example/Auth",
				AuthPolicy:                 req.RequiredAuthPolicy(),
			}, nil
		},
	}
	if answer != nil {
		h = answer
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func config(ds *httptest.Server, e Enroller) Config {
	return Config{
		ProviderID: provider,
		Discovery:  discovery.Client{HTTPClient: ds.Client(), URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
		Request: discovery.Request{OSVersion: "10.0.26100.1301", EnrollmentType: new(discovery.EnrollmentTypeDevice),
			EMMDeviceID: "8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"},
		Enroller: e,
		Now:      func() time.Time { return t0 },
	}
}

func newHandler(t *testing.T, cfg Config) *Handler {
	t.Helper()
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

func serve(h *Handler, c syncml.Command) session.Response {
	return h.ServeCommand(context.Background(), &session.Request{Command: c})
}

// codes returns one code per item of c as the session would send them.
func codes(c syncml.Command, r session.Response) []syncml.StatusCode {
	n := max(len(c.ItemList()), 1)
	out := make([]syncml.StatusCode, n)
	for i := range out {
		switch {
		case i < len(r.ItemCodes):
			out[i] = r.ItemCodes[i]
		case r.Code != 0:
			out[i] = r.Code
		default:
			out[i] = syncml.StatusOK
		}
	}
	return out
}

func item(uri string, data *syncml.Data, format string) syncml.Item {
	it := syncml.Item{Target: &syncml.Location{LocURI: uri}, Data: data}
	if format != "" {
		it.Meta = &syncml.Meta{Format: format}
	}
	return it
}

func get(uris ...string) *syncml.Get {
	g := &syncml.Get{}
	for _, u := range uris {
		g.Items = append(g.Items, item(u, nil, ""))
	}
	return g
}

// base is the LinkedEnrollment node, spelled as Microsoft's sample does.
var base = string(le.URI())

func TestGet(t *testing.T) {
	ds := discoveryServer(t, nil)
	const lower = "./device/vendor/msft/dmclient/provider/MS%20DM%20SERVER/linkedenrollment/enrollstatus"
	tests := []struct {
		name    string
		setup   []syncml.Command
		get     *syncml.Get
		codes   []syncml.StatusCode
		results []syncml.Item
	}{
		{name: "interior node lists the children", get: get(base),
			codes: []syncml.StatusCode{200},
			results: []syncml.Item{{Source: &syncml.Location{LocURI: base}, Meta: &syncml.Meta{Format: "node"},
				Data: syncml.Text("DiscoveryEndpoint/Enroll/EnrollStatus/LastError/Priority/Unenroll")}}},
		{name: "unset DiscoveryEndpoint is empty with S_OK", get: get(string(le.DiscoveryEndpoint())),
			codes:   []syncml.StatusCode{200},
			results: []syncml.Item{result(le.DiscoveryEndpoint(), "chr", "")}},
		{name: "DiscoveryEndpoint after Replace", setup: []syncml.Command{le.ReplaceDiscoveryEndpoint("https://d.example/x?api-version=1.0")},
			get: get(string(le.DiscoveryEndpoint())), codes: []syncml.StatusCode{200},
			results: []syncml.Item{result(le.DiscoveryEndpoint(), "chr", "https://d.example/x?api-version=1.0")}},
		{name: "EnrollStatus starts not started", get: get(string(le.EnrollStatus())),
			codes: []syncml.StatusCode{200}, results: []syncml.Item{result(le.EnrollStatus(), "int", "1")}},
		{name: "LastError after Enroll without endpoint is ERROR_FILE_NOT_FOUND as an int",
			setup: []syncml.Command{le.ExecEnroll()}, get: get(string(le.LastError()), string(le.EnrollStatus())),
			codes:   []syncml.StatusCode{200, 200},
			results: []syncml.Item{result(le.LastError(), "int", "-2147024894"), result(le.EnrollStatus(), "int", "3")}},
		{name: "unset Priority", get: get(string(le.Priority())), codes: []syncml.StatusCode{404}},
		{name: "Priority", setup: []syncml.Command{&syncml.Replace{Items: []syncml.Item{item(string(le.Priority()), syncml.Text("2"), "int")}}},
			get: get(string(le.Priority())), codes: []syncml.StatusCode{200}, results: []syncml.Item{result(le.Priority(), "int", "2")}},
		{name: "Exec nodes refuse Get", get: get(string(le.Enroll()), string(le.Unenroll())), codes: []syncml.StatusCode{405, 405}},
		{name: "unknown child", get: get(base + "/Foo"), codes: []syncml.StatusCode{404}},
		{name: "below a leaf", get: get(string(le.EnrollStatus()) + "/x"), codes: []syncml.StatusCode{404}},
		{name: "another provider", get: get(string(dmclient.LinkedEnrollment{ProviderID: "Other"}.EnrollStatus())), codes: []syncml.StatusCode{404}},
		// ProviderIDs are compared exactly (Config.ProviderID).
		{name: "the provider in another case", get: get(string(dmclient.LinkedEnrollment{ProviderID: "ms dm server"}.EnrollStatus())), codes: []syncml.StatusCode{404}},
		// node names are read without regard to case, as dmclient's readers read them
		{name: "node names in another case", get: get(lower, "./DEVICE/VENDOR/MSFT/DMCLIENT/PROVIDER/MS%20DM%20SERVER/LINKEDENROLLMENT"),
			codes: []syncml.StatusCode{200, 200},
			results: []syncml.Item{{Source: &syncml.Location{LocURI: lower}, Meta: &syncml.Meta{Format: "int", Type: "text/plain"}, Data: syncml.Text("1")},
				{Source: &syncml.Location{LocURI: "./DEVICE/VENDOR/MSFT/DMCLIENT/PROVIDER/MS%20DM%20SERVER/LINKEDENROLLMENT"}, Meta: &syncml.Meta{Format: "node"},
					Data: syncml.Text("DiscoveryEndpoint/Enroll/EnrollStatus/LastError/Priority/Unenroll")}}},
		{name: "no Target", get: &syncml.Get{Items: []syncml.Item{{}}}, codes: []syncml.StatusCode{400}},
		{name: "no Item", get: &syncml.Get{}, codes: []syncml.StatusCode{400}},
		{name: "without ./Device and mixed", get: get("./Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus", base+"/Nope"),
			codes: []syncml.StatusCode{200, 404},
			results: []syncml.Item{{Source: &syncml.Location{LocURI: "./Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus"},
				Meta: &syncml.Meta{Format: "int", Type: "text/plain"}, Data: syncml.Text("1")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, config(ds, &fakeEnroller{}))
			for _, c := range tt.setup {
				serve(h, c)
			}
			r := serve(h, tt.get)
			if diff := cmp.Diff(tt.codes, codes(tt.get, r)); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.results, r.Results); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func result(u dmclient.URI, format, v string) syncml.Item {
	return syncml.Item{Source: &syncml.Location{LocURI: string(u)}, Meta: &syncml.Meta{Format: format, Type: "text/plain"}, Data: syncml.Text(v)}
}

func TestWriteAndDelete(t *testing.T) {
	ds := discoveryServer(t, nil)
	ep, prio := string(le.DiscoveryEndpoint()), string(le.Priority())
	add := func(u string, d *syncml.Data, f string) syncml.Command {
		return &syncml.Add{Items: []syncml.Item{item(u, d, f)}}
	}
	rep := func(u string, d *syncml.Data, f string) syncml.Command {
		return &syncml.Replace{Items: []syncml.Item{item(u, d, f)}}
	}
	del := func(u string) syncml.Command { return &syncml.Delete{Items: []syncml.Item{item(u, nil, "")}} }
	set := rep(ep, syncml.Text("https://a.example/"), "")
	tests := []struct {
		name     string
		setup    []syncml.Command
		cmd      syncml.Command
		codes    []syncml.StatusCode
		endpoint string
		priority *int32
	}{
		{name: "Add endpoint", cmd: le.AddDiscoveryEndpoint("https://a.example/"), codes: []syncml.StatusCode{200}, endpoint: "https://a.example/"},
		{name: "Add endpoint that is set", setup: []syncml.Command{set}, cmd: le.AddDiscoveryEndpoint("https://b.example/"),
			codes: []syncml.StatusCode{418}, endpoint: "https://a.example/"},
		{name: "Replace endpoint", setup: []syncml.Command{set}, cmd: rep(ep, syncml.CDATA("https://b.example/"), "chr"),
			codes: []syncml.StatusCode{200}, endpoint: "https://b.example/"},
		{name: "Replace endpoint as int", cmd: rep(ep, syncml.Text("5"), "int"), codes: []syncml.StatusCode{415}},
		{name: "Replace endpoint with command Meta int", cmd: &syncml.Replace{Meta: &syncml.Meta{Format: "int"}, Items: []syncml.Item{item(ep, syncml.Text("5"), "")}},
			codes: []syncml.StatusCode{415}},
		{name: "Replace endpoint with Format in spaces", setup: []syncml.Command{set}, cmd: rep(ep, syncml.Text("https://b.example/"), " chr\n"),
			codes: []syncml.StatusCode{200}, endpoint: "https://b.example/"},
		{name: "Replace endpoint with blank item Format, command Meta chr",
			cmd:   &syncml.Replace{Meta: &syncml.Meta{Format: "chr"}, Items: []syncml.Item{item(ep, syncml.Text("https://b.example/"), " ")}},
			codes: []syncml.StatusCode{200}, endpoint: "https://b.example/"},
		{name: "Replace Priority named in lower case", cmd: rep("./device/vendor/msft/dmclient/provider/MS%20DM%20SERVER/linkedenrollment/priority", syncml.Text("5"), "int"),
			codes: []syncml.StatusCode{200}, priority: new(int32(5))},
		{name: "Priority with Format in no-break spaces", cmd: rep(prio, syncml.Text("1"), "\u00a0int\u00a0"), codes: []syncml.StatusCode{415}},
		{name: "Replace endpoint with XML", cmd: rep(ep, syncml.XML("<a/>"), ""), codes: []syncml.StatusCode{415}},
		{name: "endpoint over the limit", cmd: rep(ep, syncml.Text("https://a.example/"+strings.Repeat("a", DefaultMaxEndpointBytes)), ""),
			codes: []syncml.StatusCode{413}},
		{name: "Delete endpoint", setup: []syncml.Command{set}, cmd: le.DeleteDiscoveryEndpoint(), codes: []syncml.StatusCode{200}},
		{name: "Delete unset endpoint", cmd: le.DeleteDiscoveryEndpoint(), codes: []syncml.StatusCode{404}},
		{name: "Replace EnrollStatus", cmd: rep(string(le.EnrollStatus()), syncml.Text("4"), "int"), codes: []syncml.StatusCode{405}},
		{name: "Add LastError", cmd: add(string(le.LastError()), syncml.Text("0"), "int"), codes: []syncml.StatusCode{405}},
		{name: "Replace Enroll", cmd: rep(string(le.Enroll()), nil, ""), codes: []syncml.StatusCode{405}},
		{name: "Replace interior node", cmd: rep(base, nil, "node"), codes: []syncml.StatusCode{405}},
		{name: "Delete Unenroll", cmd: del(string(le.Unenroll())), codes: []syncml.StatusCode{405}},
		{name: "Delete unknown", cmd: del(base + "/X"), codes: []syncml.StatusCode{404}},
		{name: "Replace Priority", cmd: rep(prio, syncml.Text(" -3 "), "int"), codes: []syncml.StatusCode{200}, priority: new(int32(-3))},
		// XML spaces around the value only, as dmclient's Priority reader
		// and the Format read them
		{name: "Replace Priority in no-break spaces", cmd: rep(prio, syncml.Text("\u00a05\u00a0"), "int"), codes: []syncml.StatusCode{400}},
		{name: "Replace Priority after a NEL", cmd: rep(prio, syncml.Text("\u00855"), "int"), codes: []syncml.StatusCode{400}},
		{name: "Add Priority that is set", setup: []syncml.Command{rep(prio, syncml.Text("1"), "")}, cmd: add(prio, syncml.Text("2"), ""),
			codes: []syncml.StatusCode{418}, priority: new(int32(1))},
		{name: "Priority not a number", cmd: rep(prio, syncml.Text("high"), ""), codes: []syncml.StatusCode{400}},
		{name: "Priority beyond 32 bits", cmd: rep(prio, syncml.Text("4294967296"), ""), codes: []syncml.StatusCode{400}},
		{name: "Priority as chr", cmd: rep(prio, syncml.Text("1"), "chr"), codes: []syncml.StatusCode{415}},
		{name: "Delete Priority", setup: []syncml.Command{rep(prio, syncml.Text("1"), "")}, cmd: del(prio), codes: []syncml.StatusCode{200}},
		{name: "Delete unset Priority", cmd: del(prio), codes: []syncml.StatusCode{404}},
		{name: "two items, one refused", setup: []syncml.Command{set},
			cmd:   &syncml.Replace{Items: []syncml.Item{item(prio, syncml.Text("7"), ""), item(string(le.LastError()), syncml.Text("0"), "")}},
			codes: []syncml.StatusCode{200, 405}, endpoint: "https://a.example/", priority: new(int32(7))},
		{name: "Replace without Item", cmd: &syncml.Replace{}, codes: []syncml.StatusCode{400}},
		{name: "Delete without Item", cmd: &syncml.Delete{}, codes: []syncml.StatusCode{400}},
		{name: "Copy", cmd: &syncml.Copy{Items: []syncml.Item{item(ep, nil, ""), item(base+"/X", nil, "")}}, codes: []syncml.StatusCode{405, 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, config(ds, &fakeEnroller{}))
			for _, c := range tt.setup {
				if r := serve(h, c); r.Code != 0 || len(r.ItemCodes) > 0 && r.ItemCodes[0] != 200 {
					t.Fatalf("setup %s: %+v", c.ElementName(), r)
				}
			}
			r := serve(h, tt.cmd)
			if diff := cmp.Diff(tt.codes, codes(tt.cmd, r)); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
			st := h.State()
			if st.DiscoveryEndpoint != tt.endpoint {
				t.Errorf("endpoint %q, want %q", st.DiscoveryEndpoint, tt.endpoint)
			}
			if diff := cmp.Diff(tt.priority, st.Priority); diff != "" {
				t.Errorf("priority (-want +got):\n%s", diff)
			}
			if r.Undo != nil {
				t.Error("Undo outside an Atomic")
			}
		})
	}
}

func TestAtomicUndo(t *testing.T) {
	h := newHandler(t, config(discoveryServer(t, nil), &fakeEnroller{}))
	serve(h, le.ReplaceDiscoveryEndpoint("https://old.example/"))
	r := h.ServeCommand(context.Background(), &session.Request{Atomic: true, Command: &syncml.Replace{Items: []syncml.Item{
		item(string(le.DiscoveryEndpoint()), syncml.Text("https://new.example/"), ""),
		item(string(le.Priority()), syncml.Text("3"), ""),
	}}})
	if r.Undo == nil {
		t.Fatal("no Undo in an Atomic")
	}
	if st := h.State(); st.DiscoveryEndpoint != "https://new.example/" || st.Priority == nil {
		t.Fatalf("before undo: %+v", st)
	}
	if err := r.Undo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := h.State(); st.DiscoveryEndpoint != "https://old.example/" || st.Priority != nil {
		t.Fatalf("after undo: %+v", st)
	}
	r = h.ServeCommand(context.Background(), &session.Request{Atomic: true, Command: le.DeleteDiscoveryEndpoint()})
	if err := r.Undo(context.Background()); err != nil || h.State().DiscoveryEndpoint != "https://old.example/" {
		t.Fatalf("undo of Delete: %v %+v", err, h.State())
	}
}

func TestExec(t *testing.T) {
	errFault := hresultError(dmclient.MenrollEDeviceAuthenticationError)
	var rolledBack *Enrollment
	tests := []struct {
		name      string
		discovery http.HandlerFunc
		enroll    func(context.Context, *EnrollRequest) (*Enrollment, error)
		unenroll  error
		setup     []syncml.Command
		cmd       syncml.Command
		code      syncml.StatusCode
		origErr   string
		status    dmclient.EnrollStatus
		lastError dmclient.HRESULT
		enrolled  bool
	}{
		{name: "Enroll without endpoint", cmd: le.ExecEnroll(), code: 500, origErr: "0x80070002",
			status: dmclient.StatusEnrollmentFailed, lastError: dmclient.ErrorFileNotFound},
		{name: "Enroll", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(), code: 200,
			status: dmclient.StatusEnrollmentSucceeded, enrolled: true},
		{name: "Enroll twice", setup: []syncml.Command{nil, le.ExecEnroll()}, cmd: le.ExecEnroll(), code: 500, origErr: "0x800700B7",
			status: dmclient.StatusEnrollmentSucceeded, lastError: ErrorAlreadyExists, enrolled: true},
		{name: "Enroller fault keeps its HRESULT", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(),
			enroll: func(context.Context, *EnrollRequest) (*Enrollment, error) { return nil, errFault },
			code:   500, origErr: "0x80180002", status: dmclient.StatusEnrollmentFailed, lastError: dmclient.MenrollEDeviceAuthenticationError},
		{name: "Enroller plain error", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(),
			enroll: func(context.Context, *EnrollRequest) (*Enrollment, error) { return nil, io.ErrUnexpectedEOF },
			code:   500, origErr: "0x80004005", status: dmclient.StatusEnrollmentFailed, lastError: EFail},
		{name: "Enroller returns nothing", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(),
			enroll: func(context.Context, *EnrollRequest) (*Enrollment, error) { return nil, nil },
			code:   500, origErr: "0x80004005", status: dmclient.StatusEnrollmentFailed, lastError: EFail},
		{name: "discovery service fails", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(),
			discovery: func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusInternalServerError) },
			code:      500, origErr: "0x80180006", status: dmclient.StatusEnrollmentFailed, lastError: dmclient.MenrollEDeviceInternalServiceError},
		{name: "discovery answer does not decode", setup: []syncml.Command{nil}, cmd: le.ExecEnroll(),
			discovery: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"EnrollmentServiceUrl": 3}`)
			},
			code: 500, origErr: "0x80180001", status: dmclient.StatusEnrollmentFailed, lastError: dmclient.MenrollEDeviceMessageFormatError},
		{name: "Unenroll without enrollment", cmd: le.ExecUnenroll(), code: 500, origErr: "0x80070490",
			status: dmclient.StatusEnrollmentNotStarted, lastError: ErrorNotFound},
		{name: "Unenroll", setup: []syncml.Command{nil, le.ExecEnroll()}, cmd: le.ExecUnenroll(), code: 200,
			status: dmclient.StatusUnenrollmentSucceeded},
		{name: "Unenroll fails and keeps the enrollment", setup: []syncml.Command{nil, le.ExecEnroll()}, cmd: le.ExecUnenroll(),
			unenroll: hresultError(0x87D1FDE8), code: 500, origErr: "0x87D1FDE8",
			status: dmclient.StatusUnenrollmentFailed, lastError: 0x87D1FDE8, enrolled: true},
		{name: "Enroll after Unenroll", setup: []syncml.Command{nil, le.ExecEnroll(), le.ExecUnenroll()}, cmd: le.ExecEnroll(), code: 200,
			status: dmclient.StatusEnrollmentSucceeded, enrolled: true},
		{name: "Exec with two items", cmd: &syncml.Exec{Items: []syncml.Item{item(string(le.Enroll()), nil, ""), item(string(le.Enroll()), nil, "")}},
			code: 400, status: dmclient.StatusEnrollmentNotStarted},
		{name: "Exec of EnrollStatus", cmd: &syncml.Exec{Items: []syncml.Item{item(string(le.EnrollStatus()), nil, "")}},
			code: 405, status: dmclient.StatusEnrollmentNotStarted},
		{name: "Exec of unknown node", cmd: &syncml.Exec{Items: []syncml.Item{item(base+"/Reenroll", nil, "")}},
			code: 404, status: dmclient.StatusEnrollmentNotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := discoveryServer(t, tt.discovery)
			fe := &fakeEnroller{enroll: tt.enroll}
			cfg := config(ds, fe)
			rolledBack = nil
			cfg.Unenroller = UnenrollerFunc(func(_ context.Context, e *Enrollment) error {
				rolledBack = e
				return tt.unenroll
			})
			h := newHandler(t, cfg)
			for _, c := range tt.setup {
				if c == nil {
					c = le.ReplaceDiscoveryEndpoint(ds.URL + "/EnrollmentConfiguration?api-version=1.0")
				}
				serve(h, c)
			}
			r := serve(h, tt.cmd)
			if got := codes(tt.cmd, r)[0]; got != tt.code || r.OriginalError != tt.origErr {
				t.Errorf("answer %d %q, want %d %q", got, r.OriginalError, tt.code, tt.origErr)
			}
			st := h.State()
			if st.Status != tt.status || st.LastError != tt.lastError {
				t.Errorf("EnrollStatus %v LastError %v, want %v %v", st.Status, st.LastError, tt.status, tt.lastError)
			}
			if (st.Enrollment != nil) != tt.enrolled {
				t.Errorf("enrollment %+v, want enrolled %v", st.Enrollment, tt.enrolled)
			}
			if (st.Reason == "") != (st.LastError == 0) {
				t.Errorf("Reason %q with LastError %v", st.Reason, st.LastError)
			}
			// A refused command changes nothing; the rest are stamped
			// by the injected clock.
			if want := t0; tt.code < 500 && tt.code != 200 && len(tt.setup) == 0 {
				if !st.Changed.IsZero() {
					t.Errorf("Changed %v by a refused command", st.Changed)
				}
			} else if !st.Changed.Equal(want) {
				t.Errorf("Changed %v, want the injected clock's %v", st.Changed, want)
			}
			if tt.cmd.ElementName() == "Exec" && tt.name == "Unenroll" {
				if rolledBack == nil || rolledBack.ManagementURL != winDC || string(rolledBack.Data) != "provisioning" {
					t.Errorf("Unenroller got %+v", rolledBack)
				}
			}
		})
	}
}

// TestEnrollInput checks what the Enroller is given: the discovery
// request as sent and the service's answer.
func TestEnrollInput(t *testing.T) {
	var posted *discovery.Request
	ds := discoveryServer(t, nil)
	ds.Config.Handler = &discovery.Handler{
		Logger: slog.New(slog.DiscardHandler),
		URLs:   discovery.URLPolicy{AllowLoopbackHTTP: true},
		Discover: func(_ context.Context, req *discovery.Request, _ discovery.Headers) (*discovery.Response, error) {
			posted = req
			return &discovery.Response{
				EnrollmentServiceURL:       "https://windc.example/E",
				EnrollmentPolicyServiceURL: "https://windc.example/P",
				AuthenticationServiceURL:   "https://windc.example/A",
				AuthPolicy:                 discovery.AuthPolicyCertificate,
			}, nil
		},
	}
	fe := &fakeEnroller{}
	cfg := config(ds, fe)
	cfg.Request.EnrollmentType = new(discovery.EnrollmentTypeUser)
	h := newHandler(t, cfg)
	ep := ds.URL + "/EnrollmentConfiguration?api-version=1.0"
	serve(h, le.ReplaceDiscoveryEndpoint(ep))
	if r := serve(h, le.ExecEnroll()); r.Code != 0 {
		t.Fatalf("Exec: %+v %+v", r, h.State())
	}
	if len(fe.got) != 1 {
		t.Fatalf("Enroller called %d times", len(fe.got))
	}
	got := fe.got[0]
	if got.ProviderID != provider || got.Endpoint != ep || got.Response.AuthPolicy != discovery.AuthPolicyCertificate ||
		got.Response.EnrollmentServiceURL != "https://windc.example/E" || got.Discovery.OSVersion != "10.0.26100.1301" {
		t.Errorf("Enroller got %+v / %+v", got, got.Response)
	}
	if posted == nil || posted.EMMDeviceID != cfg.Request.EMMDeviceID || posted.Type() != discovery.EnrollmentTypeUser {
		t.Errorf("discovery got %+v", posted)
	}
	if e := h.State().Enrollment; e.AuthPolicy != discovery.AuthPolicyCertificate || !e.Enrolled.Equal(t0) {
		t.Errorf("enrollment %+v", e)
	}
}

func TestAsync(t *testing.T) {
	ds := discoveryServer(t, nil)
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	fe := &fakeEnroller{enroll: func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
		started <- struct{}{}
		select {
		case <-release:
			return &Enrollment{ManagementURL: winDC}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}}
	cfg := config(ds, fe)
	cfg.Async = true
	var seen []dmclient.EnrollStatus
	cfg.OnChange = func(s State) { seen = append(seen, s.Status) }
	h := newHandler(t, cfg)
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	if r := serve(h, le.ExecEnroll()); r.Code != syncml.StatusAccepted {
		t.Fatalf("async Exec answered %+v, want 202", r)
	}
	within(t, started, "the Enroller runs")
	if st := h.State(); st.Status != dmclient.StatusEnrollmentInProgress {
		t.Fatalf("while running: %v", st.Status)
	}
	if r := serve(h, le.ExecUnenroll()); r.Code != 500 || r.OriginalError != "0x800700AA" {
		t.Errorf("Unenroll while busy: %+v", r)
	}
	close(release)
	if err := h.Wait(); err != nil {
		t.Fatal(err)
	}
	st := h.State()
	if st.Status != dmclient.StatusEnrollmentSucceeded || st.Enrollment == nil {
		t.Fatalf("after: %+v", st)
	}
	// OnChange saw: endpoint set (1), in progress (2), the busy refusal
	// (still 2), succeeded (4).
	if diff := cmp.Diff([]dmclient.EnrollStatus{1, 2, 2, 4}, seen); diff != "" {
		t.Errorf("OnChange (-want +got):\n%s", diff)
	}
}

func TestCloseCancels(t *testing.T) {
	ds := discoveryServer(t, nil)
	started := make(chan struct{}, 1)
	cfg := config(ds, &fakeEnroller{enroll: func(ctx context.Context, _ *EnrollRequest) (*Enrollment, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	cfg.Async = true
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	serve(h, le.ExecEnroll())
	within(t, started, "the Enroller runs")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if st := h.State(); st.Status != dmclient.StatusEnrollmentFailed || st.LastError != EAbort {
		t.Fatalf("after Close: %v %v", st.Status, st.LastError)
	}
	if r := serve(h, le.ExecEnroll()); r.Code != 500 || r.OriginalError != "0x80004004" {
		t.Errorf("Exec after Close: %+v", r)
	}
}

func TestNewRefuses(t *testing.T) {
	ds := discoveryServer(t, nil)
	good := config(ds, &fakeEnroller{})
	for name, mod := range map[string]func(*Config){
		"no ProviderID":   func(c *Config) { c.ProviderID = "" },
		"slash":           func(c *Config) { c.ProviderID = "a/b" },
		"no Enroller":     func(c *Config) { c.Enroller = nil },
		"no OS version":   func(c *Config) { c.Request.OSVersion = "" },
		"bad enroll type": func(c *Config) { c.Request.EnrollmentType = new(discovery.EnrollmentType("Robot")) },
	} {
		cfg := good
		mod(&cfg)
		if _, err := New(context.Background(), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// within returns what ch gives, and fails the test when it gives nothing
// in a minute (what says what was waited for): a wait that would hang
// until go test's timeout fails with a message instead.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Minute):
		t.Fatalf("%s: nothing in a minute", what)
		panic("unreachable")
	}
}

// TestEndpointSpaces: a server that writes the Data of its Replace on a
// line of its own sends the URL between XML spaces; discovery goes to the
// URL, the node keeps the value as written, and a value of spaces only
// is no endpoint (ERROR_FILE_NOT_FOUND).
func TestEndpointSpaces(t *testing.T) {
	ds := discoveryServer(t, nil)
	fe := &fakeEnroller{}
	h := newHandler(t, config(ds, fe))
	spaced := "\n\t\t" + ds.URL + "/EnrollmentConfiguration?api-version=1.0\r\n\t"
	serve(h, le.ReplaceDiscoveryEndpoint(spaced))
	if r := serve(h, le.ExecEnroll()); r.Code != 0 {
		t.Fatalf("Exec Enroll: %d %s; state %+v", r.Code, r.OriginalError, h.State())
	}
	if len(fe.got) != 1 || fe.got[0].Endpoint != ds.URL+"/EnrollmentConfiguration?api-version=1.0" {
		t.Errorf("Enroller got %+v", fe.got)
	}
	if st := h.State(); st.DiscoveryEndpoint != spaced || st.Status != dmclient.StatusEnrollmentSucceeded {
		t.Errorf("state %+v", st)
	}

	h = newHandler(t, config(ds, fe))
	serve(h, le.ReplaceDiscoveryEndpoint(" \n\t"))
	r := serve(h, le.ExecEnroll())
	if st := h.State(); r.OriginalError != "0x80070002" || st.LastError != dmclient.ErrorFileNotFound || st.Status != dmclient.StatusEnrollmentFailed {
		t.Errorf("Exec Enroll with an endpoint of spaces: %d %s; state %+v", r.Code, r.OriginalError, st)
	}
}

// TestRegisterCase pins what the package doc says of letter case behind
// a session.Mux: the route's path is matched as spelled (the scope aside),
// the nodes below LinkedEnrollment without regard to case. Should the
// Mux come to fold case, this fails and the doc is to be updated.
func TestRegisterCase(t *testing.T) {
	h := newHandler(t, config(discoveryServer(t, nil), &fakeEnroller{}))
	m := session.NewMux()
	if err := h.Register(m); err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]syncml.StatusCode{
		"./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/enrollstatus": 200,
		"./device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus": 200,
		"./Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus":        200,
		"./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/linkedenrollment/EnrollStatus": 404,
		"./Device/Vendor/MSFT/dmclient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus": 404,
	} {
		c := get(u)
		r := m.ServeCommand(context.Background(), &session.Request{Command: c})
		if got := codes(c, r)[0]; got != want {
			t.Errorf("Get %s through the Mux: %d, want %d", u, got, want)
		}
	}
	// The Handler itself folds the case of every node name.
	c := get("./device/vendor/msft/dmclient/provider/MS%20DM%20SERVER/linkedenrollment/enrollstatus")
	if got := codes(c, serve(h, c))[0]; got != 200 {
		t.Errorf("ServeCommand of a lower-case path: %d", got)
	}
}
