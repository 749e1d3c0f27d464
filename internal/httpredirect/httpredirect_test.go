package httpredirect

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// redirector answers /hop/… with a 308 to one more /hop, and /bad with a
// 308 to /forbidden; it counts the requests of each path's first part.
func redirector(t *testing.T, hits map[string]*atomic.Int32) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if c := hits[first]; c != nil {
			c.Add(1)
		}
		switch first {
		case "hop":
			http.Redirect(w, r, r.URL.Path+"/hop", http.StatusPermanentRedirect)
		case "bad":
			http.Redirect(w, r, "/forbidden", http.StatusPermanentRedirect)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestClient(t *testing.T) {
	hits := map[string]*atomic.Int32{"hop": {}, "bad": {}, "forbidden": {}}
	ts := redirector(t, hits)
	refused := errors.New("refused by the policy")
	tooMany := errors.New("too many redirects")
	check := func(u string) error {
		if strings.Contains(u, "forbidden") {
			return refused
		}
		return nil
	}

	// A URL the policy refuses is not requested; check's error is the
	// cause.
	hc := Client(nil, check, tooMany)
	if _, err := hc.Get(ts.URL + "/bad"); !errors.Is(err, refused) {
		t.Errorf("redirect to a refused URL: %v, want %v", err, refused)
	}
	if n := hits["forbidden"].Load(); n != 0 {
		t.Errorf("the refused URL was requested %d times", n)
	}

	// Without a CheckRedirect of the caller's, redirects are followed
	// until MaxRedirects requests were sent, then tooMany.
	if _, err := hc.Get(ts.URL + "/hop"); !errors.Is(err, tooMany) {
		t.Errorf("endless redirects: %v, want %v", err, tooMany)
	}
	if n := hits["hop"].Load(); n != MaxRedirects {
		t.Errorf("endless redirects: %d requests, want %d", n, MaxRedirects)
	}

	// The caller's CheckRedirect decides on the URLs the policy passes,
	// and never sees the others; the caller's client is not changed.
	own := errors.New("the caller's check")
	var seen []string
	base := &http.Client{CheckRedirect: func(r *http.Request, via []*http.Request) error {
		seen = append(seen, r.URL.Path)
		if len(via) >= 2 {
			return own
		}
		return nil
	}}
	hc = Client(base, check, tooMany)
	hits["hop"].Store(0)
	if _, err := hc.Get(ts.URL + "/hop"); !errors.Is(err, own) {
		t.Errorf("the caller's CheckRedirect: %v, want %v", err, own)
	}
	if want := []string{"/hop/hop", "/hop/hop/hop"}; strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("the caller's CheckRedirect saw %v, want %v", seen, want)
	}
	seen = nil
	if _, err := hc.Get(ts.URL + "/bad"); !errors.Is(err, refused) || len(seen) != 0 {
		t.Errorf("redirect to a refused URL: %v, the caller's check saw %v; want %v and nothing", err, seen, refused)
	}
	if _, err := base.Get(ts.URL + "/bad"); err != nil || hits["forbidden"].Load() != 1 {
		t.Errorf("the caller's client: %v, %d requests to the refused URL; want it unchanged (nil, 1)", err, hits["forbidden"].Load())
	}
}

// TestNoFollow: a client made by NoFollow returns the first redirect as
// the response, even when the caller's CheckRedirect would follow it, and
// leaves the caller's client as it was.
func TestNoFollow(t *testing.T) {
	hits := map[string]*atomic.Int32{"hop": {}, "forbidden": {}}
	ts := redirector(t, hits)
	base := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	for _, hc := range []*http.Client{NoFollow(nil), NoFollow(base)} {
		hits["hop"].Store(0)
		resp, err := hc.Post(ts.URL+"/hop", "text/plain", strings.NewReader("secret"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "/hop/hop" {
			t.Errorf("NoFollow: %d to %q, want the 308 to /hop/hop", resp.StatusCode, resp.Header.Get("Location"))
		}
		if n := hits["hop"].Load(); n != 1 {
			t.Errorf("NoFollow: %d requests, want 1", n)
		}
	}
	if base.CheckRedirect(nil, nil) != nil || http.DefaultClient.CheckRedirect != nil {
		t.Error("NoFollow changed the caller's client")
	}
}
