package session

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// SessionTokenParam is the query parameter of the RespURI that carries a
// session's token when Config.SessionToken is set: a device that follows
// the RespURI posts the session's next messages to a URL carrying it.
const SessionTokenParam = "windc-session"

// sessionTokenBytes is the size of a session's token before its base64url
// encoding: 128 bits.
const sessionTokenBytes = 16

// newSessionToken returns a new session token: sessionTokenBytes from
// crypto/rand, base64url without padding (no character a URL escapes).
func newSessionToken() string {
	var b [sessionTokenBytes]byte
	_, _ = rand.Read(b[:]) // never fails: the program stops when the system's source does
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// An acceptance is the Identity accepted with 212 in a session (the
// state's Auth) and the session's token (Config.SessionToken), "" when
// none: the token lives and ends with the acceptance.
type acceptance struct {
	Identity
	Token string
}

// tokenIn reports whether u, the URL a message arrived at, carries token
// (not empty) in its SessionTokenParam, compared in constant time.
func tokenIn(u *url.URL, token string) bool {
	if token == "" {
		return false
	}
	got, _ := urlToken(u)
	return subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// urlToken returns the session token u carries (its first
// SessionTokenParam, keys read as url.Query reads them) and whether it
// carries one.
func urlToken(u *url.URL) (string, bool) {
	if u == nil || u.RawQuery == "" {
		return "", false
	}
	vs, ok := u.Query()[SessionTokenParam]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// absoluteURL reports whether u is an absolute http or https URL with a
// host: one a RespURI can be made of.
func absoluteURL(u *url.URL) bool {
	return u != nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// tokenRespURI returns the RespURI of a reply of a session with token:
// base (the Config.RespURI hook's result) or, when base is empty, in, the
// URL the message arrived at, with token as its SessionTokenParam in
// place of any it had, and no fragment; the rest of its query stays, in
// order.
func tokenRespURI(base string, in *url.URL, token string) (string, error) {
	var u url.URL
	switch {
	case base != "":
		p, err := url.Parse(base)
		if err != nil {
			return "", errorf("Config.SessionToken: RespURI %q: %w", base, err)
		}
		u = *p
	case absoluteURL(in):
		u = *in
	default:
		return "", errorf("Config.SessionToken: no URL to make the RespURI of: Config.RespURI gave none and Inbound.URL is not an absolute http(s) URL")
	}
	var q strings.Builder
	for kv := range strings.SplitSeq(u.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if kv == "" || k == SessionTokenParam {
			continue
		}
		if uk, err := url.QueryUnescape(k); err == nil && uk == SessionTokenParam {
			continue
		}
		q.WriteString(kv)
		q.WriteByte('&')
	}
	q.WriteString(SessionTokenParam + "=" + token)
	u.RawQuery, u.ForceQuery = q.String(), false
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// requestURL returns the URL of r as the server received it, absolute:
// the scheme from r.TLS, the host from r.Host, the path and query from
// r.URL.
func requestURL(r *http.Request) *url.URL {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
}
