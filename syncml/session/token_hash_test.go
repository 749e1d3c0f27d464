package session

import (
	"net/url"
	"testing"
)

// The replay hash covers the session token a URL carries, however its
// key is spelled (tokenIn reads keys as url.Query does, so must the
// hash): a message posted again with another token, or none, is no
// replay, and one posted again at the same URL is.
func TestRequestHashToken(t *testing.T) {
	raw := []byte("<SyncML/>")
	u := func(q string) *url.URL { return &url.URL{Scheme: "https", Host: "dm.test", Path: "/mdm", RawQuery: q} }
	plain := requestHash(raw, nil, u(""))
	if requestHash(raw, nil, nil) != plain || requestHash(raw, nil, u("a=1")) != plain {
		t.Error("a URL without a token changes the hash")
	}
	for _, q := range []string{SessionTokenParam + "=T", "windc%2Dsession=T", "a=1&" + SessionTokenParam + "=T"} {
		h := requestHash(raw, nil, u(q))
		if h == plain {
			t.Errorf("%q: the token is not in the hash", q)
		}
		if !tokenIn(u(q), "T") {
			t.Errorf("%q: tokenIn does not find the token", q)
		}
		if h != requestHash(raw, nil, u(SessionTokenParam+"=T")) {
			t.Errorf("%q: another hash than the same token's", q)
		}
	}
	if requestHash(raw, nil, u(SessionTokenParam+"=T")) == requestHash(raw, nil, u(SessionTokenParam+"=U")) {
		t.Error("two tokens, one hash")
	}
}
