package reconcile_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// nu46Alternate posts each message to the next of the servers in turn, as a
// load balancer without affinity would.
type nu46Alternate struct {
	urls []string
	n    int
}

func (a *nu46Alternate) RoundTrip(r *http.Request) (*http.Response, error) {
	u := a.urls[a.n%len(a.urls)]
	a.n++
	r = r.Clone(r.Context())
	r2, err := http.NewRequestWithContext(r.Context(), r.Method, u+r.URL.Path, r.Body)
	if err != nil {
		return nil, err
	}
	r2.Header = r.Header
	r2.ContentLength = r.ContentLength
	return http.DefaultTransport.RoundTrip(r2)
}

// Two server instances share the reconciler's Store and the sessions'
// Store; the device's messages go to either; each instance declares,
// changes and removes documents. Both instances' Status agree with the
// device, and each event is told once, by one of them.
func TestTwoServersSharedStoreNu46(t *testing.T) {
	ctx := context.Background()
	recStore, sessStore := session.NewMemoryStore(), session.NewMemoryStore()
	ev := &nu46Events{}
	var recs [2]*reconcile.Reconciler
	var urls []string
	for i := range recs {
		recs[i] = reconcile.New(reconcile.Config{Store: recStore, OnEvent: ev.add})
		srv := session.NewServer(session.ServerConfig{Store: sessStore, Session: session.Config{BeforeReply: recs[i].BeforeReply}})
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		urls = append(urls, hs.URL)
	}
	const dev = "urn:uuid:nu46-two"
	d := newNu46Device(t, urls[0], dev)
	hc := &http.Client{Transport: &nu46Alternate{urls: urls}}
	run := func() {
		t.Helper()
		if _, err := d.checkInVia(hc); err != nil {
			t.Fatal(err)
		}
	}
	// Each instance reads the state once, so that both cache it.
	for _, r := range recs {
		if _, err := r.Status(ctx, dev); err != nil {
			t.Fatal(err)
		}
	}
	if err := recs[0].Declare(ctx, dev, nu46Doc(nu46A, "A1", "Config/Camera/AllowCamera", "0")); err != nil {
		t.Fatal(err)
	}
	if err := recs[1].Declare(ctx, dev, nu46Doc(nu46B, "B1", "Config/Bluetooth/AllowDiscoverableMode", "1")); err != nil {
		t.Fatal(err)
	}
	run()
	run()
	if err := recs[1].Declare(ctx, dev, nu46Doc(nu46A, "A2", "Config/Camera/AllowCamera", "1")); err != nil {
		t.Fatal(err)
	}
	if err := recs[0].Remove(ctx, dev, nu46B); err != nil {
		t.Fatal(err)
	}
	run()
	run()
	run()
	for i, r := range recs {
		st, err := r.Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Docs) != 1 || st.Docs[0].Checksum != "A2" || st.Docs[0].Condition != reconcile.InSync {
			var got []string
			for _, x := range st.Docs {
				got = append(got, x.URI.DocID+" "+x.Checksum+" "+x.Condition.String()+" ("+x.Reason+")")
			}
			t.Errorf("instance %d: Status %v, want A2 InSync alone", i, got)
		}
	}
	if v, _, _ := d.surface.Get(ctx, "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"); v != "1" {
		t.Errorf("AllowCamera = %q, want 1", v)
	}
	counts := map[string]int{}
	for _, e := range ev.take() {
		if e.Kind == reconcile.RefreshIntervalRead {
			continue // package 1 of a device without documents carries no summary
		}
		if e.Kind == reconcile.Problem || e.Status.URI.DocID == "" {
			t.Errorf("event %v %q: %v", e.Kind, e.RefreshInterval, e.Err)
			continue
		}
		counts[e.Kind.String()+" "+e.Status.URI.DocID[:2]+" "+e.Status.Checksum]++
	}
	for _, want := range []string{"Applied 11 A1", "Applied 66 B1", "Applied 11 A2", "Removed 66 B1"} {
		if counts[want] != 1 {
			t.Errorf("event %q told %d times, want once (all: %v)", want, counts[want], counts)
		}
	}
	if len(counts) != 4 {
		t.Errorf("events %v", counts)
	}
}
