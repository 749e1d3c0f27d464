package httpredirect

import "net/http"

// MaxRedirects is how many requests a client made by Client sends for
// one call, redirects included, when the caller's client has no
// CheckRedirect of its own (net/http's default).
const MaxRedirects = 10

// Client returns a copy of base (http.DefaultClient when base is nil)
// whose CheckRedirect first checks each redirect's URL with check and
// returns its error, which stops the redirect; a URL that passes is left
// to base.CheckRedirect when set, else followed until MaxRedirects
// requests were sent, then stopped with tooMany. base is not changed.
func Client(base *http.Client, check func(url string) error, tooMany error) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	hc := *base
	next := base.CheckRedirect
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if err := check(r.URL.String()); err != nil {
			return err
		}
		if next != nil {
			return next(r, via)
		}
		if len(via) >= MaxRedirects {
			return tooMany
		}
		return nil
	}
	return &hc
}

// NoFollow returns a copy of base (http.DefaultClient when base is nil)
// that follows no redirect, whatever base.CheckRedirect says: a 3xx is
// returned as the response, its body open and its Location header set. It
// is for requests no redirect may move, such as a SyncML post, whose
// body would go again to wherever the server points (a 307 or 308) or
// be dropped for a GET (a 301, 302 or 303). base is not changed.
func NoFollow(base *http.Client) *http.Client {
	if base == nil {
		base = http.DefaultClient
	}
	hc := *base
	hc.CheckRedirect = useLastResponse
	return &hc
}

// useLastResponse is the CheckRedirect of NoFollow's clients.
func useLastResponse(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
