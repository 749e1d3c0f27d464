package session

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// nonceDevice makes the messages of device DEV1, user "dev" (password
// "secret"), with credentials of typ over the nonce it last received.
type nonceDevice struct {
	t     *testing.T
	typ   AuthType
	nonce []byte
}

// msg returns the message and its HTTP headers, with credentials when
// cred is set.
func (d *nonceDevice) msg(sessionID, msgID, body string, cred bool) ([]byte, http.Header) {
	d.t.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(devMsg(sessionID, msgID, body), &m); err != nil {
		d.t.Fatal(err)
	}
	m.Header.Source.LocName = "dev"
	if cred && d.typ == AuthMD5 {
		m.Header.Cred = md5Cred("dev", "secret", d.nonce)
	}
	raw, err := syncml.Marshal(&m)
	if err != nil {
		d.t.Fatal(err)
	}
	hdr := http.Header{}
	if cred && d.typ == AuthHMAC {
		hdr.Set(HMACHeaderName, newHMACHeader("dev", "secret", d.nonce, raw).String())
	}
	return raw, hdr
}

// take returns the code of the SyncHdr Status of reply and keeps the
// NextNonce of its Chal, if any.
func (d *nonceDevice) take(reply *syncml.Message) syncml.StatusCode {
	d.t.Helper()
	st := reply.Body.Commands[0].(*syncml.Status)
	if st.Chal != nil && st.Chal.Meta != nil && st.Chal.Meta.NextNonce != "" {
		n, err := decodeNonce(st.Chal.Meta.NextNonce)
		if err != nil {
			d.t.Fatal(err)
		}
		d.nonce = n
	}
	code, _ := st.Code()
	return code
}

// A reply that fails (ServerAuth cannot sign it) sends nothing, so not
// the nonce the Authenticator issued with it either: the device's retry,
// with the credentials of the nonce it has, is accepted, as it is by a
// Server (which saves nothing on an error). Kept, the new nonce refused
// the retry once (401 and a challenge). So for a refusal whose reply
// fails: the device's next message with the nonce it has is accepted.
func TestFailedReplyPutsNonceBack(t *testing.T) {
	ctx := context.Background()
	accepted := map[AuthType]syncml.StatusCode{AuthMD5: syncml.StatusAuthenticationAccepted, AuthHMAC: syncml.StatusOK}
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		for _, refused := range []bool{false, true} {
			name := string(typ)
			if refused {
				name += ", refusal fails"
			}
			t.Run(name, func(t *testing.T) {
				signer := "srv"
				s := signFailing(&signer)
				s.cfg.Authenticator = authServer(typ)
				d := &nonceDevice{t: t, typ: typ}
				handleIn := func(raw []byte, hdr http.Header) (*Exchange, error) {
					return s.Handle(ctx, &Inbound{Raw: raw, Header: hdr})
				}
				// session 1: challenged, then accepted
				raw, hdr := d.msg("1", "1", alert1201, false)
				x, err := handleIn(raw, hdr)
				if err != nil || d.take(x.Reply) != syncml.StatusMissingCredentials {
					t.Fatalf("message without credentials: %v", err)
				}
				raw, hdr = d.msg("1", "2", alert1201, true)
				x, err = handleIn(raw, hdr)
				if err != nil || d.take(x.Reply) != accepted[typ] {
					t.Fatalf("message with credentials: %v %v", err, summary(x.Reply))
				}
				// session 2: the first try's reply fails
				signer = "!"
				raw, hdr = d.msg("2", "1", alert1201, !refused)
				if _, err := handleIn(raw, hdr); err == nil {
					t.Fatal("the reply did not fail")
				}
				signer = "srv"
				raw, hdr = d.msg("2", "1", alert1201, true)
				x, err = handleIn(raw, hdr)
				if err != nil {
					t.Fatal(err)
				}
				if code := d.take(x.Reply); code != accepted[typ] {
					t.Errorf("the device's retry with the nonce it has: %d, want %d", code, accepted[typ])
				}
			})
		}
	}
}

// TestServerFailedReplyKeepsNonce is TestFailedReplyPutsNonceBack over
// HTTP: a Server saves nothing when the reply fails (500), so the
// device's retry finds the nonce it has.
func TestServerFailedReplyKeepsNonce(t *testing.T) {
	for _, typ := range []AuthType{AuthMD5, AuthHMAC} {
		t.Run(string(typ), func(t *testing.T) {
			signer := "srv"
			cfg := signFailing(&signer).cfg
			cfg.Authenticator = authServer(typ)
			srv := httptest.NewServer(NewServer(ServerConfig{Session: *cfg}))
			defer srv.Close()
			d := &nonceDevice{t: t, typ: typ}
			post := func(raw []byte, hdr http.Header) (int, *syncml.Message) {
				t.Helper()
				req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				req.Header = hdr
				req.Header.Set("Content-Type", ContentType)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != 200 {
					return resp.StatusCode, nil
				}
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				var m syncml.Message
				if err := syncml.Unmarshal(body, &m); err != nil {
					t.Fatal(err)
				}
				return 200, &m
			}
			want := map[AuthType]syncml.StatusCode{AuthMD5: syncml.StatusAuthenticationAccepted, AuthHMAC: syncml.StatusOK}[typ]
			if code, m := post(d.msg("1", "1", alert1201, false)); code != 200 || d.take(m) != syncml.StatusMissingCredentials {
				t.Fatalf("message without credentials: HTTP %d", code)
			}
			if code, m := post(d.msg("1", "2", alert1201, true)); code != 200 || d.take(m) != want {
				t.Fatalf("message with credentials: HTTP %d", code)
			}
			signer = "!"
			if code, _ := post(d.msg("2", "1", alert1201, true)); code != 500 {
				t.Fatalf("failing reply: HTTP %d, want 500", code)
			}
			signer = "srv"
			code, m := post(d.msg("2", "1", alert1201, true))
			if code != 200 {
				t.Fatalf("retry: HTTP %d", code)
			}
			if got := d.take(m); got != want {
				t.Errorf("the device's retry with the nonce it has: %d, want %d", got, want)
			}
		})
	}
}
