package sim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// windcServer is a small WinDC service for the tests: on a device's first
// session it declares one VPN document, and it keeps the last summary
// each device reported.
type windcServer struct {
	srv *session.Server
	URL string

	mu      sync.Mutex
	last    map[string]declaredconfig.SummaryEntry // device → its document's entry
	cond    map[string]declaredconfig.Condition    // device → Evaluate's view of its document
	inSync  map[string]string                      // device → result_checksum when last in sync
	alerts  int
	queueFn func(device string) []syncml.Command
}

func docID(device string) string {
	// A GUID per device: the device index is the last group of its ID.
	return "0C1A55E5-0000-4000-8000-" + device[len(device)-12:]
}

func docURI(device string) declaredconfig.URI {
	return declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, docID(device))
}

func declare(device string) []syncml.Command {
	id := docID(device)
	add, err := declaredconfig.AddDocument(docURI(device), &declaredconfig.Document{
		Schema: "1.0", Context: "Device", ID: id, Checksum: "1", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
			{Path: "Contoso/AlwaysOn", Type: "bool", Value: "true"},
			{Path: "Contoso/Servers", Type: "chr", Value: "vpn.contoso.example"}}}},
	}, syncml.DataText)
	if err != nil {
		panic(err)
	}
	return []syncml.Command{add}
}

func newWinDCServer(t testing.TB) *windcServer {
	ws := &windcServer{last: map[string]declaredconfig.SummaryEntry{}, queueFn: declare}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.mu.Lock()
		srv := ws.srv
		ws.mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	ws.URL = hs.URL
	ws.reset()
	return ws
}

// reset forgets every device: a new session.Server and no summaries.
func (ws *windcServer) reset() {
	srv := session.NewServer(session.ServerConfig{Session: session.Config{
		OnStart: func(_ context.Context, s *session.Session, id session.Identity, first bool) {
			if first {
				_ = s.Queue(ws.queueFn(id.Device)...)
			}
		},
		Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			a, ok := r.Command.(*syncml.Alert)
			if !ok {
				return session.Response{}
			}
			m := &syncml.Message{Header: *r.Header, Body: syncml.Body{Commands: []syncml.Command{a}}}
			sum, err := declaredconfig.ReadSummary(m)
			if err != nil {
				return session.Response{}
			}
			reply, err := declaredconfig.ReadReply(m)
			if err != nil {
				return session.Response{Code: syncml.StatusBadRequest}
			}
			dev := r.Identity.Device
			ws.mu.Lock()
			defer ws.mu.Unlock()
			ws.alerts++
			for _, e := range sum.Documents {
				ws.last[dev] = e
			}
			// The server's reading of the drift contract: Evaluate with
			// the result_checksum seen when the document was in sync.
			ev := reply.Evaluate([]declaredconfig.Desired{{URI: docURI(dev), Checksum: "1", LastResultChecksum: ws.inSync[dev]}}, nil)
			st := ev.Documents[0]
			ws.cond[dev] = st.Condition
			if st.Condition == declaredconfig.InSync {
				ws.inSync[dev] = st.ResultChecksum
			}
			return session.Response{}
		}),
	}})
	ws.mu.Lock()
	ws.srv = srv
	ws.last = map[string]declaredconfig.SummaryEntry{}
	ws.cond = map[string]declaredconfig.Condition{}
	ws.inSync = map[string]string{}
	ws.mu.Unlock()
}

// states counts the devices by the state of their document in the last
// summary they sent.
func (ws *windcServer) states() map[string]int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := map[string]int{}
	for _, e := range ws.last {
		out[e.State]++
	}
	return out
}

// conditions counts the devices by Evaluate's view of their document.
func (ws *windcServer) conditions() map[string]int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	out := map[string]int{}
	for _, c := range ws.cond {
		out[c.String()]++
	}
	return out
}
