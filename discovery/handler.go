package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/windc-go/windc/internal/utf8cut"
)

// Headers carries the optional correlation headers of a discovery
// request.
type Headers struct {
	// CorrelationVector is the MS-CV header.
	CorrelationVector string
	// ClientRequestID is the client-request-id header.
	ClientRequestID string
}

// Header names as the discovery schema spells them.
const (
	headerCorrelationVector = "MS-CV"
	headerClientRequestID   = "client-request-id"
)

// DiscoverFunc answers one validated discovery request. It may return
// ErrUPNRequired to ask the device for a UPN, a *ThrottleError to have the
// device retry later, or another error for an internal failure.
type DiscoverFunc func(ctx context.Context, req *Request, h Headers) (*Response, error)

// Handler is an http.Handler for a discovery service endpoint. It accepts
// POST with one Content-Type field, application/json, only (Changed: a
// request with two was read by its first), reads at most
// MaxBytes, decodes the body strictly, validates it, and calls
// Discover. The response Discover returns must pass ValidateWith(URLs)
// and ValidatePair; otherwise the device gets 500 and the fault is
// logged, so a service cannot hand out a mismatched AuthPolicy.
//
// Answers: 200 with the Response; 200 with errorCode UPNRequired when
// RequireUPN is set or Discover returns ErrUPNRequired and the request
// has no upn; 400 (errorCode InvalidRequest) for a body that does not
// decode or validate; 405, 413 and 415 for method, size and content type;
// the ThrottleError's status (429 by default) with Retry-After; 500
// otherwise, also for a ThrottleError whose status is not 4xx or 5xx and
// for a nil *ThrottleError, and to every request when Discover is nil (the
// message then names the field).
// Error bodies are Responses with errorCode and message; the message is
// the error's text, cut after 256 bytes.
//
// Each request is logged once on Logger, when it is set, with its method,
// MS-CV and client-request-id, its enrollmentType and osVersion when the body
// decoded, each cut after MaxLoggedHeader bytes (the record then says so
// and gives the full length; enrollmentType is logged as sent, an empty
// one empty, and a request without one, the legacy form, is logged with
// enrollment_type_absent instead; Changed: it, and an empty one, were logged as
// enrollment_type=Device, the type they stand for), and the error, cut after MaxLoggedError
// bytes; the upn and other account fields are not logged. Discover gets
// the headers whole.
//
// The Handler reads a body until it ends or passes MaxBytes: a client
// that stops sending holds its request until the serving http.Server's
// ReadTimeout, which net/http leaves unset (set ReadHeaderTimeout too).
type Handler struct {
	// Discover answers requests. It must not be nil: a Handler without
	// it answers every request 500 (errorCode InternalError, the message
	// naming the field) and logs the fault on Logger.
	Discover DiscoverFunc
	// RequireUPN answers UPNRequired to every request without a upn,
	// without calling Discover.
	RequireUPN bool
	// MaxBytes limits the request body, counted as it came over the wire;
	// 0 means DefaultMaxBytes. (It is the MaxBytes of the module's other
	// decoders: same name, type and counting.)
	MaxBytes int64
	// URLs is the policy the URLs of Discover's responses must meet.
	URLs URLPolicy
	// Logger receives one record per request: Info for an answer, Warn
	// for a refused request, Error for a 500. Nil means no logging, as
	// for the module's other servers (session.ServerConfig.Logger).
	Logger *slog.Logger
	// MaxLoggedHeader is how many bytes of the MS-CV and
	// client-request-id headers a log record carries, and of the
	// request's method, enrollmentType and osVersion (Changed: the
	// method was logged whole, up to net/http's 1 MB header limit); 0 or less means
	// DefaultMaxLoggedHeader. A longer value is cut at a UTF-8
	// boundary, marked as cut, and its length logged beside it.
	MaxLoggedHeader int
	// MaxLoggedError is how many bytes of the error's text a log record
	// carries (it can quote a member's name or value from the body); 0
	// or less means DefaultMaxLoggedError. A longer text is cut as a
	// header value is.
	MaxLoggedError int
}

// DefaultMaxLoggedHeader is the Handler's default MaxLoggedHeader: real
// correlation vectors, request ids, enrollment types and Windows versions
// are well under it, while net/http admits header values up to its 1 MB
// header limit and a body field can be nearly MaxBytes long.
const DefaultMaxLoggedHeader = 128

// DefaultMaxLoggedError is the Handler's default MaxLoggedError: the
// errors of a well-meant request are far shorter.
const DefaultMaxLoggedError = 1024

// Error codes the Handler uses besides UPNRequired.
const (
	errorCodeInvalidRequest = "InvalidRequest"
	errorCodeInternal       = "InternalError"
	errorCodeThrottled      = "Throttled"
)

// Misconfigurations the Handler answers with 500: the device cannot fix
// them, and its operator reads the message or the log.
var (
	errNoDiscover = errors.New("discovery: Handler.Discover is not set")
	errNilHandler = errors.New("discovery: nil *Handler")
)

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h == nil {
		// No Logger to tell: the answer says it.
		writeError(w, http.StatusInternalServerError, errorCodeInternal, errNilHandler.Error())
		return
	}
	start := time.Now()
	hdr := Headers{
		CorrelationVector: r.Header.Get(headerCorrelationVector),
		ClientRequestID:   r.Header.Get(headerClientRequestID),
	}
	res, req, err := h.serve(w, r, hdr)
	logger := h.Logger
	if logger == nil {
		return
	}
	limit := h.MaxLoggedHeader
	if limit <= 0 {
		limit = DefaultMaxLoggedHeader
	}
	// the method is the client's too: net/http takes any token up to
	// its header limit (1 MB)
	attrs := appendHeaderAttr(make([]slog.Attr, 0, 12), "method", r.Method, limit)
	attrs = append(attrs,
		slog.Int("status", res.status),
		slog.Duration("duration", time.Since(start)),
	)
	attrs = appendHeaderAttr(attrs, "ms_cv", hdr.CorrelationVector, limit)
	attrs = appendHeaderAttr(attrs, "client_request_id", hdr.ClientRequestID, limit)
	if res.code != "" {
		attrs = append(attrs, slog.String("error_code", res.code))
	}
	if req != nil {
		// a request that failed Validate brings these as sent, up to
		// MaxBytes long: cut as the headers are
		if req.EnrollmentType != nil {
			attrs = appendHeaderAttr(attrs, "enrollment_type", string(*req.EnrollmentType), limit)
		} else {
			// the legacy form: logged as such, not as the Device it
			// stands for
			attrs = append(attrs, slog.Bool("enrollment_type_absent", true))
		}
		attrs = appendHeaderAttr(attrs, "os_version", req.OSVersion, limit)
	}
	level := slog.LevelInfo
	if err != nil {
		errLimit := h.MaxLoggedError
		if errLimit <= 0 {
			errLimit = DefaultMaxLoggedError
		}
		attrs = appendHeaderAttr(attrs, "error", err.Error(), errLimit)
		level = slog.LevelWarn
		if res.status >= 500 {
			level = slog.LevelError
		}
	}
	logger.LogAttrs(r.Context(), level, "discovery request", attrs...)
}

// result is what the Handler answered.
type result struct {
	status int
	code   string // errorCode of the body, if any
}

// serve handles one request and returns what it answered, the request
// when it was decoded, and the error to log.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, hdr Headers) (result, *Request, error) {
	if h.Discover == nil {
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, errNoDiscover.Error()), nil, errNoDiscover
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return writeError(w, http.StatusMethodNotAllowed, errorCodeInvalidRequest, "method must be POST"),
			nil, errors.New("discovery: method " + r.Method + " not allowed")
	}
	ct, err := oneContentType(r.Header)
	if err == nil {
		err = checkContentType(ct)
	}
	if err != nil {
		return writeError(w, http.StatusUnsupportedMediaType, errorCodeInvalidRequest, err.Error()), nil, err
	}
	limit := h.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if r.ContentLength > limit {
		err := limitError(limit)
		return writeError(w, http.StatusRequestEntityTooLarge, errorCodeInvalidRequest, err.Error()), nil, err
	}
	req, err := ReadRequest(http.MaxBytesReader(w, r.Body, limit), limit)
	if err != nil {
		if errors.Is(err, ErrLimit) {
			return writeError(w, http.StatusRequestEntityTooLarge, errorCodeInvalidRequest, err.Error()), nil, err
		}
		return writeError(w, http.StatusBadRequest, errorCodeInvalidRequest, err.Error()), nil, err
	}
	if err := req.Validate(); err != nil {
		return writeError(w, http.StatusBadRequest, errorCodeInvalidRequest, err.Error()), req, err
	}
	if h.RequireUPN && req.UPN == "" {
		return writeError(w, http.StatusOK, ErrorCodeUPNRequired, ""), req, nil
	}
	resp, err := h.Discover(r.Context(), req, hdr)
	if err != nil {
		if te, ok := errors.AsType[*ThrottleError](err); ok {
			if te == nil {
				return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req,
					errors.New("discovery: DiscoverFunc returned a nil *ThrottleError")
			}
			status := te.StatusCode
			if status == 0 {
				status = http.StatusTooManyRequests
			}
			if status < 400 || status > 599 {
				return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req,
					fmt.Errorf("discovery: ThrottleError status %d is not an HTTP error status (4xx or 5xx): %w", te.StatusCode, err)
			}
			w.Header().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(te.After), 10))
			return writeError(w, status, errorCodeThrottled, ""), req, err
		}
		if errors.Is(err, ErrUPNRequired) && req.UPN == "" {
			return writeError(w, http.StatusOK, ErrorCodeUPNRequired, ""), req, nil
		}
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req, err
	}
	if resp == nil {
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req,
			errors.New("discovery: DiscoverFunc returned no response")
	}
	if err := resp.ValidateWith(h.URLs); err != nil {
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req, err
	}
	if err := ValidatePair(req, resp); err != nil {
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req, err
	}
	body, err := resp.MarshalJSON()
	if err != nil {
		return writeError(w, http.StatusInternalServerError, errorCodeInternal, ""), req, err
	}
	writeJSON(w, http.StatusOK, body)
	return result{status: http.StatusOK}, req, nil
}

// retryAfterSeconds is d rounded up to whole seconds, 0 for d <= 0, and
// at most maxRetryAfterSeconds (2^31, the most a Client reads; RFC 9111
// section 1.2.2 uses the same bound for delta-seconds). It cannot
// overflow for any Duration.
func retryAfterSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	return min(secs, maxRetryAfterSeconds)
}

// checkContentType accepts application/json with at most a charset
// parameter naming UTF-8 ("utf-8" or "utf8", in any case, as the Client
// accepts; see isUTF8Charset). The error quotes the value and says what
// is wrong with it: the media type, a charset, or another parameter.
func checkContentType(v string) error {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != "application/json" {
		return fmt.Errorf("%w: %s", ErrContentType, quote(v))
	}
	for _, k := range slices.Sorted(maps.Keys(params)) { // the same text for the same value
		p := params[k]
		if k != "charset" {
			return fmt.Errorf("%w: %s has parameter %s, want none but charset", ErrContentType, quote(v), quote(k))
		}
		if !isUTF8Charset(p) {
			return fmt.Errorf("%w: %s, the body must be UTF-8", ErrContentType, quote(v))
		}
	}
	return nil
}

// oneContentType returns the Content-Type of h, "" when it has none, or
// an error matching ErrContentType when it has more than one field: a
// body has one media type, and net/http passes both on, leaving each
// reader (a proxy, this package) to pick its own.
func oneContentType(h http.Header) (string, error) {
	switch vs := h.Values("Content-Type"); len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	default:
		return "", fmt.Errorf("%w: %d Content-Type fields, %s first, want one", ErrContentType, len(vs), quote(vs[0]))
	}
}

// maxMessage bounds the message of an error answer: it comes from an
// error that may quote the request (a member's name or value), which JSON
// writes back with some characters as six bytes.
const maxMessage = 256

func writeError(w http.ResponseWriter, status int, code, msg string) result {
	if len(msg) > maxMessage {
		msg = utf8cut.Prefix(msg, maxMessage) + "…"
	}
	body, err := Response{ErrorCode: code, Message: msg}.MarshalJSON()
	if err != nil { // msg is produced by this package and is valid UTF-8
		body = []byte(`{"errorCode":"` + errorCodeInternal + `"}`)
	}
	writeJSON(w, status, body)
	return result{status: status, code: code}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// cutMarker ends a header value cut for the log.
const cutMarker = "…(cut)"

// appendHeaderAttr appends the header value v under key, cut after
// limit bytes at a UTF-8 boundary; a cut value ends in cutMarker and an
// attribute key+"_bytes" gives its full length.
func appendHeaderAttr(attrs []slog.Attr, key, v string, limit int) []slog.Attr {
	if len(v) <= limit {
		return append(attrs, slog.String(key, v))
	}
	return append(attrs, slog.String(key, utf8cut.Prefix(v, limit)+cutMarker), slog.Int(key+"_bytes", len(v)))
}
