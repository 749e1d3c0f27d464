package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestBrk2ServerCheckHostile: a device that checks its server
// (ClientConfig.ServerAuth) against servers that send no credential, a
// Cred of another type, a Cred of 1 MiB, or an x-syncml-hmac header
// that is malformed, of an algorithm other than MD5 or 64 KiB long: Run
// stops the session with an error matching ErrMissingCredentials or
// ErrInvalidCredentials (the long header also a *LimitError, ErrLimit),
// after posting its refusal, cut in what it shows, and no goroutine is
// left.
func TestBrk2ServerCheckHostile(t *testing.T) {
	withCred := func(t *testing.T, ref string, cred *syncml.Cred) []byte {
		raw := brk2Reply(t, "1", "1", ref, true)
		var m syncml.Message
		if err := syncml.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m.Header.Cred = cred
		raw, err := syncml.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	big := strings.Repeat("QUFB", 1<<18)
	cases := []struct {
		name   string
		typ    AuthType
		header string
		cred   *syncml.Cred
		want   error
	}{
		{"basic, none", AuthBasic, "", nil, ErrMissingCredentials},
		{"basic, MD5 Cred", AuthBasic, "", &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthMD5), Format: "b64"}, Data: syncml.Text("QUFB")}, ErrInvalidCredentials},
		{"basic, 1 MiB Cred", AuthBasic, "", &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}, Data: syncml.Text(big)}, ErrInvalidCredentials},
		{"MD5, Cred not Base64", AuthMD5, "", &syncml.Cred{Meta: &syncml.Meta{Type: string(AuthMD5), Format: "b64"}, Data: syncml.Text("!!")}, ErrInvalidCredentials},
		{"HMAC, none", AuthHMAC, "", nil, ErrMissingCredentials},
		{"HMAC, malformed", AuthHMAC, "algorithm=MD5, username", nil, ErrInvalidCredentials},
		{"HMAC, 64 KiB", AuthHMAC, "algorithm=MD5, username=\"srv\", mac=" + strings.Repeat("A", 64<<10), nil, ErrInvalidCredentials},
		{"HMAC, SHA-256", AuthHMAC, "algorithm=SHA-256, username=\"srv\", mac=" + strings.Repeat("A", 22), nil, ErrInvalidCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := posts.Add(1)
				ref := brk2MsgID(t, r)
				if n > 1 {
					w.WriteHeader(500) // the device's refusal needs no answer
					return
				}
				w.Header().Set("Content-Type", ContentType)
				if tc.header != "" {
					w.Header().Set(HMACHeaderName, tc.header)
				}
				_, _ = w.Write(withCred(t, ref, tc.cred))
			}))
			defer srv.Close()
			hc := srv.Client()
			brk2NoLeak(t, hc)
			c := brk2Device(t, ClientConfig{ServerAuth: &ServerCheck{Type: tc.typ, Name: "srv", Password: "pw"}})
			_, err := c.Run(context.Background(), hc, srv.URL, "1")
			if !errors.Is(err, tc.want) {
				t.Errorf("Run: %.300v; want %v", err, tc.want)
			}
			if err != nil && len(err.Error()) > 2048 {
				t.Errorf("Run's error is %d bytes long: what the server sent is not cut", len(err.Error()))
			}
			if n := posts.Load(); n != 2 {
				t.Errorf("%d posts, want 2 (the device's message and its refusal)", n)
			}
			if strings.Contains(tc.name, "64 KiB") && !errors.Is(err, ErrLimit) {
				t.Errorf("Run: %.300v; want it to say the header is over its bound (ErrLimit)", err)
			}
		})
	}
}
