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
