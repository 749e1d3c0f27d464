package httpredirect

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// keepBodyServers are a TLS server and a plain-http one on loopback. Both
// answer /end with 200, its method, body and X-Sig header echoed in the
// response headers, and count the requests to it; /hop/… is a 307 to one
// more /hop, /to/<code>/<where> a redirect of that code to /end on this
// server ("self") or the other ("other").
func keepBodyServers(t *testing.T) (tlsSrv, plainSrv *httptest.Server, ends map[*httptest.Server]*atomic.Int32) {
	ends = map[*httptest.Server]*atomic.Int32{}
	var other func(self *httptest.Server) string
	handler := func(self **httptest.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
			switch parts[0] {
			case "end":
				ends[*self].Add(1)
				w.Header().Set("X-Got", r.Method+" "+string(body)+" "+r.Header.Get("X-Sig"))
				w.WriteHeader(http.StatusOK)
			case "hop":
				http.Redirect(w, r, r.URL.Path+"/hop", http.StatusTemporaryRedirect)
			case "to":
				code, _ := strconv.Atoi(parts[1])
				where := "/end"
				if parts[2] == "other" {
					where = other(*self) + "/end"
				}
				http.Redirect(w, r, where, code)
			}
		})
	}
	tlsSrv = httptest.NewUnstartedServer(handler(&tlsSrv))
	plainSrv = httptest.NewUnstartedServer(handler(&plainSrv))
	other = func(self *httptest.Server) string {
		if self == tlsSrv {
			return plainSrv.URL
		}
		return tlsSrv.URL
	}
	ends[tlsSrv], ends[plainSrv] = &atomic.Int32{}, &atomic.Int32{}
	tlsSrv.StartTLS()
	plainSrv.Start()
	t.Cleanup(tlsSrv.Close)
	t.Cleanup(plainSrv.Close)
	return tlsSrv, plainSrv, ends
}

// TestKeepBody: a client made by KeepBody follows a 307 or 308 from
// https to https, the method, body and headers kept, up to max of them,
// each passed to the caller's CheckRedirect; it returns as the response a
// 301, 302 or 303, a redirect to or from plain http, and the one past
// max, never requesting its Location.
func TestKeepBody(t *testing.T) {
	tlsSrv, plainSrv, ends := keepBodyServers(t)
	post := func(hc *http.Client, url string) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("msg"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Sig", "sig")
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	base := tlsSrv.Client() // trusts the loopback certificate
	hc := KeepBody(base, 2)
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		ends[tlsSrv].Store(0)
		resp, err := post(hc, tlsSrv.URL+"/to/"+strconv.Itoa(code)+"/self")
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("X-Got") != "POST msg sig" || ends[tlsSrv].Load() != 1 {
			t.Errorf("%d https to https: %v, %v; want 200 with POST msg sig, once", code, err, resp)
		}
	}
	refused := []struct {
		name string
		srv  *httptest.Server
		path string
		code int
	}{
		{"301", tlsSrv, "/to/301/self", 301},
		{"302", tlsSrv, "/to/302/self", 302},
		{"303", tlsSrv, "/to/303/self", 303},
		{"307 https to http", tlsSrv, "/to/307/other", 307},
		{"308 https to http", tlsSrv, "/to/308/other", 308},
		{"307 http to http", plainSrv, "/to/307/self", 307},
		{"307 http to https", plainSrv, "/to/307/other", 307},
	}
	for _, tc := range refused {
		ends[tlsSrv].Store(0)
		ends[plainSrv].Store(0)
		resp, err := post(hc, tc.srv.URL+tc.path)
		if err != nil || resp.StatusCode != tc.code {
			t.Errorf("%s: %v, %v; want the %d as the response", tc.name, err, resp, tc.code)
		}
		if n := ends[tlsSrv].Load() + ends[plainSrv].Load(); n != 0 {
			t.Errorf("%s: the Location was requested %d times", tc.name, n)
		}
	}

	// At most max redirects: the one past it is the response.
	resp, err := post(hc, tlsSrv.URL+"/hop")
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "/hop/hop/hop/hop" {
		t.Errorf("endless 307s, max 2: %v, %v; want the third 307 (to /hop/hop/hop/hop)", err, resp)
	}

	// The caller's CheckRedirect decides on the redirects that pass, and
	// never sees the others; max 0 follows none.
	own := errors.New("the caller's check")
	var seen []string
	base.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		seen = append(seen, r.URL.Path)
		if len(via) >= 2 {
			return own
		}
		return nil
	}
	if _, err := post(KeepBody(base, 5), tlsSrv.URL+"/hop"); !errors.Is(err, own) || strings.Join(seen, " ") != "/hop/hop /hop/hop/hop" {
		t.Errorf("the caller's CheckRedirect: %v, saw %v; want %v after /hop/hop /hop/hop/hop", err, seen, own)
	}
	seen = nil
	if resp, err := post(KeepBody(base, 5), tlsSrv.URL+"/to/302/self"); err != nil || resp.StatusCode != 302 || len(seen) != 0 {
		t.Errorf("a 302 with the caller's CheckRedirect: %v, %v, it saw %v; want the 302, unseen", err, resp, seen)
	}
	if resp, err := post(KeepBody(base, 0), tlsSrv.URL+"/to/307/self"); err != nil || resp.StatusCode != 307 || len(seen) != 0 {
		t.Errorf("max 0: %v, %v, the caller's check saw %v; want the 307, unseen", err, resp, seen)
	}
}
