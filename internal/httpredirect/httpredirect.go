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

// KeepBody returns a copy of base (http.DefaultClient when base is nil)
// that follows at most max redirects of one request whose method and
// body must reach their end unchanged and never in the clear, such as a
// SyncML post and its x-syncml-hmac header: a redirect is followed only
// when it is a 307 or 308 (which keep the method and resend the body),
// from an https URL to an https URL, and when base.CheckRedirect, if
// set, returns nil for it (its error stops the request). Any other
// redirect, and the one past max, is not followed: it is returned as the
// response, as NoFollow does. max 0 or less is NoFollow(base). base is
// not changed.
func KeepBody(base *http.Client, max int) *http.Client {
	if max <= 0 {
		return NoFollow(base)
	}
	if base == nil {
		base = http.DefaultClient
	}
	hc := *base
	next := base.CheckRedirect
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > max || !keepsBody(r) || r.URL.Scheme != "https" || via[len(via)-1].URL.Scheme != "https" {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(r, via)
		}
		return nil
	}
	return &hc
}

// keepsBody reports whether r follows a 307 or 308, which resend the
// request as it was.
func keepsBody(r *http.Request) bool {
	if r.Response == nil {
		return false
	}
	code := r.Response.StatusCode
	return code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect
}
