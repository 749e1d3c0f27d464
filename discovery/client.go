package discovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/windc-go/windc/internal/httpredirect"
)

// Defaults for Client limits.
const (
	// DefaultMaxRetryAfter is the longest Retry-After delay a Client
	// waits for by default.
	DefaultMaxRetryAfter = 60 * time.Second
	// DefaultMaxRetries is how many times by default a Client repeats a
	// request the server throttled.
	DefaultMaxRetries = 3
	// DefaultMinRetryDelay is the shortest wait by default before a
	// Client repeats a throttled request, also when the server's
	// Retry-After is 0 or a date in the past.
	DefaultMinRetryDelay = time.Second
)

// Client posts discovery requests for a device. The zero value is not
// usable: URL must be set.
type Client struct {
	// URL is the discovery endpoint. It must meet URLs.
	URL string
	// HTTPClient sends the requests; nil means http.DefaultClient, which
	// has no timeout: the context given to Discover then bounds the
	// exchange (and any wait for Retry-After), so give it a deadline.
	// Redirects are followed only to URLs that meet URLs, at most 10
	// unless HTTPClient.CheckRedirect is set, which then decides, and
	// only when they keep the POST and its body (307, 308): Changed: a
	// 301, 302 or 303, which net/http follows with a GET without the
	// request, is refused; its answer was taken for the answer to the
	// request, which the server never saw.
	HTTPClient *http.Client
	// UPN is the enrolled account's user principal name. When the
	// server answers UPNRequired to a request without a upn, Discover
	// repeats the request once with this UPN.
	UPN string
	// URLs is the policy for the endpoint, redirects, and the URLs in
	// the response.
	URLs URLPolicy
	// MaxBytes limits the response body, counted as it came over the
	// wire; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxRetryAfter is the longest Retry-After delay Discover waits
	// for; 0 means DefaultMaxRetryAfter and a negative value never
	// waits. A longer delay ends Discover with a *ServerError that gives
	// the Retry-After value as sent and this bound.
	MaxRetryAfter time.Duration
	// MinRetryDelay is the shortest wait before Discover repeats a
	// throttled request: a shorter Retry-After, 0 or a date in the past
	// is waited as this long (but no longer than MaxRetryAfter), so that
	// a server cannot have a device post MaxRetries times in no time.
	// 0 means DefaultMinRetryDelay and a negative value waits the
	// server's delay as given, none for 0.
	MinRetryDelay time.Duration
	// MaxRetries limits the repeats of throttled requests; 0 means
	// DefaultMaxRetries and a negative value never repeats.
	MaxRetries int
}

// Discover validates req, posts it with the headers in h, and returns
// the server's validated Response, which also passes ValidatePair with
// the request that obtained it.
//
// A 429 or 503 answer with a Retry-After header (seconds or an HTTP date)
// is retried after that delay, but not sooner than MinRetryDelay, up to
// MaxRetries times, when the delay is within MaxRetryAfter; ctx bounds
// the waiting. Changed: a Retry-After of 0 or a past date was retried at
// once; it now waits MinRetryDelay (1 s by default). When Discover
// stops repeating, the *ServerError says why: the server's delay over
// MaxRetryAfter (quoting the Retry-After value as sent) or MaxRetries
// reached. A context that ends while Discover waits gives an error that
// matches both the context's error and the *ServerError of the answer
// that asked for the wait (Changed: it matched the context's only).
//
// An answer of UPNRequired to a request without a upn is repeated once
// with c.UPN. Any other answer without a usable Response is a
// *ServerError. A successful answer whose Content-Type is not
// application/json, or names a charset other than UTF-8 (the body is read
// as UTF-8), or that has two Content-Type fields (Changed: the first was
// read), fails with ErrContentType; an error answer of that kind is a
// *ServerError without its errorCode and message.
//
// A nil req fails as Validate fails it, and a nil *Client as one without
// a URL, both before anything is sent.
func (c *Client) Discover(ctx context.Context, req *Request, h Headers) (*Response, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, &inError{"endpoint", fmt.Errorf("%w: nil *Client has no URL", ErrURL)}
	}
	if err := c.URLs.Check(c.URL); err != nil {
		return nil, &inError{"endpoint", err}
	}
	maxRetries := c.MaxRetries
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	maxWait := c.MaxRetryAfter
	if maxWait == 0 {
		maxWait = DefaultMaxRetryAfter
	}
	minWait := c.MinRetryDelay
	if minWait == 0 {
		minWait = DefaultMinRetryDelay
	}
	minWait = min(minWait, maxWait)
	cur := *req
	askedUPN := false
	for retries := 0; ; {
		resp, err := c.post(ctx, &cur, h)
		var se *ServerError
		switch {
		case err == nil:
		case errors.As(err, &se) && errors.Is(se, ErrUPNRequired):
			if askedUPN || cur.UPN != "" || c.UPN == "" {
				return nil, err
			}
			askedUPN = true
			cur.UPN = c.UPN
			continue
		case errors.As(err, &se) && se.retryable:
			if se.RetryAfter > maxWait {
				se.stopped = "not waited for: over the Client's MaxRetryAfter of " + maxWait.String()
				if maxWait < 0 {
					se.stopped = "not waited for: the Client's MaxRetryAfter is negative"
				}
				return nil, se
			}
			if retries >= maxRetries {
				se.stopped = fmt.Sprintf("not repeated: the Client's MaxRetries of %d reached", maxRetries)
				if maxRetries < 0 {
					se.stopped = "not repeated: the Client's MaxRetries is negative"
				}
				return nil, se
			}
			retries++
			if err := wait(ctx, max(se.RetryAfter, minWait), se); err != nil {
				return nil, err
			}
			continue
		default:
			return nil, err
		}
		if err := resp.ValidateWith(c.URLs); err != nil {
			return nil, err
		}
		if err := ValidatePair(&cur, resp); err != nil {
			return nil, err
		}
		return resp, nil
	}
}

// wait waits d before repeating the request se answered, or until ctx
// ends: then it returns a *waitError. A context that already ended stops
// a wait of 0 too.
func wait(ctx context.Context, d time.Duration, se *ServerError) error {
	if d <= 0 {
		if err := ctx.Err(); err != nil {
			return &waitError{ctx: err, answer: se}
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return &waitError{d: d, ctx: ctx.Err(), answer: se}
	case <-t.C:
		return nil
	}
}

// waitError reports a context that ended while Discover waited d to
// repeat a request: it matches both the context's error and the answer
// that asked for the wait (errors.As finds the *ServerError), and its
// text gives both.
type waitError struct {
	d      time.Duration
	ctx    error
	answer *ServerError
}

func (e *waitError) Error() string {
	what := "before repeating the request"
	if e.d > 0 {
		what = "waiting " + e.d.String() + " to repeat the request"
	}
	return pkg.Prefix() + what + ": " + e.ctx.Error() + " (the request was answered: " + detail(e.answer) + ")"
}

func (e *waitError) Unwrap() []error { return []error{e.ctx, e.answer} }

// post sends one request and decodes a 200 answer. Every other outcome
// is an error; a throttled answer is a *ServerError with retryable set.
func (c *Client) post(ctx context.Context, req *Request, h Headers) (*Response, error) {
	body, err := req.MarshalJSON()
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("discovery: building request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	// Set directly to keep the schema's spelling on the wire.
	if h.CorrelationVector != "" {
		hreq.Header[headerCorrelationVector] = []string{h.CorrelationVector}
	}
	if h.ClientRequestID != "" {
		hreq.Header[headerClientRequestID] = []string{h.ClientRequestID}
	}
	hresp, err := c.httpClient().Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("discovery: posting request: %w", err)
	}
	defer hresp.Body.Close()

	limit := c.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if hresp.StatusCode != http.StatusOK {
		se := &ServerError{StatusCode: hresp.StatusCode}
		// The body of a failure is informative only: keep what decodes.
		if ct, err := oneContentType(hresp.Header); err == nil && checkMediaType(ct) == nil {
			if r, err := ReadResponse(hresp.Body, limit); err == nil {
				se.ErrorCode, se.Message = r.ErrorCode, r.Message
			}
		}
		if hresp.StatusCode == http.StatusTooManyRequests || hresp.StatusCode == http.StatusServiceUnavailable {
			v := hresp.Header.Get("Retry-After")
			if v != "" {
				// quoted now, cut, so that the error does not hold a
				// header of up to the transport's limit (10 MB)
				se.retryAfterQuoted = quote(v)
			}
			if d, ok := parseRetryAfter(v, time.Now()); ok {
				se.RetryAfter, se.retryable = d, true
			}
		}
		return nil, se
	}
	ct, err := oneContentType(hresp.Header)
	if err == nil {
		err = checkMediaType(ct)
	}
	if err != nil {
		return nil, err
	}
	resp, err := ReadResponse(hresp.Body, limit)
	if err != nil {
		return nil, err
	}
	if resp.ErrorCode != "" {
		return nil, &ServerError{StatusCode: hresp.StatusCode, ErrorCode: resp.ErrorCode, Message: resp.Message}
	}
	return resp, nil
}

// httpClient returns a copy of the configured client whose redirect
// check also applies the URL policy and refuses a redirect that does not
// resend the POST.
func (c *Client) httpClient() *http.Client {
	hc := httpredirect.Client(c.HTTPClient, func(u string) error {
		if err := c.URLs.Check(u); err != nil {
			return &inError{"redirect", err}
		}
		return nil
	}, errTooManyRedirects)
	next := hc.CheckRedirect
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if err := next(r, via); err != nil {
			return err // the URL policy's refusal, or the caller's check
		}
		if r.Method != http.MethodPost {
			status := 0
			if r.Response != nil {
				status = r.Response.StatusCode
			}
			return fmt.Errorf("%w: a %d to %s would send a %s without the request; a discovery endpoint that moved must answer 307 or 308",
				errRedirectMethod, status, quote(redactURL(r.URL.String())), r.Method)
		}
		return nil
	}
	return hc
}

// errRedirectMethod stops a redirect that would not resend the POST.
var errRedirectMethod = errors.New("discovery: redirect refused")

// errTooManyRedirects stops a redirect chain when the caller's client
// has no CheckRedirect of its own.
var errTooManyRedirects = errors.New("discovery: stopped after 10 redirects")

// checkMediaType accepts application/json with any parameters but a
// charset other than UTF-8 (see isUTF8Charset): the
// body is read as UTF-8, so text in another charset would be misread
// rather than refused.
func checkMediaType(v string) error {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: %s", ErrContentType, quote(v))
	}
	if cs, ok := params["charset"]; ok && !isUTF8Charset(cs) {
		return fmt.Errorf("%w: %s, the body must be UTF-8", ErrContentType, quote(v))
	}
	return nil
}

// maxRetryAfterSeconds caps parsed delays so they cannot overflow.
const maxRetryAfterSeconds = 1 << 31

// parseRetryAfter reads a Retry-After value: a number of seconds or an
// HTTP date, a past date meaning no delay; either is held to at most
// maxRetryAfterSeconds.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > maxRetryAfterSeconds {
			n = maxRetryAfterSeconds
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// held to the bound of delta-seconds, as a number would be (a date
	// centuries ahead gave time.Duration's most, 2562047h47m16.85s)
	return min(max(t.Sub(now), 0), maxRetryAfterSeconds*time.Second), true
}
