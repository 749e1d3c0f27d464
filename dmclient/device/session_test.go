package device

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml/session"
)

// TestOverSyncML drives the handler only through SyncML: a session.Server
// queues the commands of the enrollment page (and the Gets a server polls
// with), a session.Client with the handler on its Mux answers them over
// loopback HTTP, and the server reads the answers with the dmclient
// readers.
func TestOverSyncML(t *testing.T) {
	ds := discoveryServer(t, nil)
	h := newHandler(t, config(ds, &fakeEnroller{}))
	mux := session.NewMux()
	if err := h.Register(mux); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		outcomes []session.Outcome
	)
	srv := session.NewServer(session.ServerConfig{OnExchange: func(_ context.Context, x *session.Exchange) {
		mu.Lock()
		outcomes = append(outcomes, x.Outcomes...)
		mu.Unlock()
	}})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const dev = "urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809"
	ctx := context.Background()
	if err := srv.Queue(ctx, dev,
		le.ExecEnroll(), // no endpoint yet
		le.ReplaceDiscoveryEndpoint(ds.URL+"/EnrollmentConfiguration?api-version=1.0"),
		le.ExecEnroll(),
		le.GetEnrollStatus(), le.GetLastError(), le.GetDiscoveryEndpoint(),
		le.ExecUnenroll(),
		le.GetEnrollStatus(),
	); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: dev, ServerURI: hs.URL, Handler: mux})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, hs.Client(), hs.URL, "1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, o := range outcomes {
		if o.Command.ElementName() == "Alert" || o.Command.ElementName() == "Get" && len(o.Results) == 0 {
			continue
		}
		got = append(got, describe(o))
	}
	want := []string{
		"Exec: dmclient: Exec \"1\" failed: 500 Command failed (0x80070002 ERROR_FILE_NOT_FOUND)",
		"Replace: ok",
		"Exec: ok",
		"Get EnrollStatus: EnrollmentSucceeded",
		"Get LastError: 0x00000000 S_OK",
		"Get DiscoveryEndpoint: " + ds.URL + "/EnrollmentConfiguration?api-version=1.0",
		"Exec: ok",
		"Get EnrollStatus: UnenrollmentSucceeded",
	}
	if len(got) != len(want) {
		t.Fatalf("outcomes:\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("outcome %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// describe reads an Outcome the way a server would.
func describe(o session.Outcome) string {
	name := o.Command.ElementName()
	if name != "Get" {
		if err := dmclient.ReadStatus(o.Status); err != nil {
			var de *dmclient.DeviceError
			if errors.As(err, &de) {
				de.CmdRef = "1" // CmdIDs depend on the session's numbering
			}
			return name + ": " + err.Error()
		}
		return name + ": ok"
	}
	r := o.Results[0]
	u := r.Items[0].Source.LocURI
	switch u {
	case string(le.EnrollStatus()):
		s, err := dmclient.ReadEnrollStatus(r)
		return "Get EnrollStatus: " + s.String() + errText(err)
	case string(le.LastError()):
		h, err := dmclient.ReadLastError(r)
		return "Get LastError: " + h.String() + errText(err)
	case string(le.DiscoveryEndpoint()):
		v, err := dmclient.ReadDiscoveryEndpoint(r)
		return "Get DiscoveryEndpoint: " + v + errText(err)
	}
	return "Get " + u
}

func errText(err error) string {
	if err != nil {
		return " " + err.Error()
	}
	return ""
}
