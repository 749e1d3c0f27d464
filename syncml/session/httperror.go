package session

import (
	"net/http"
	"strconv"
)

// An HTTPError is the error of a Client's Run (wrapped) when the server
// answered a message with another HTTP status than 200 OK: it got the
// message, but whether it ran any of it is unknown. Header holds the
// response's headers (Retry-After, for one, says when to try again).
type HTTPError struct {
	StatusCode int         // the HTTP status code, such as 503
	Header     http.Header // the response's headers
}

// Error returns the status, as "server answered 503 Service Unavailable"
// (the code alone when net/http has no text for it).
func (e *HTTPError) Error() string {
	s := "server answered " + strconv.Itoa(e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		s += " " + text
	}
	return s
}
