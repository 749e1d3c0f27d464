package fuzz

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzSessionAuthHeader feeds arbitrary text to the authentication
// readers: as an x-syncml-hmac header value and as Cred Data of every
// type. Nothing may panic; a refused header is a *syncml.DecodeError
// (cause ErrMalformedHeader) or a *syncml.LimitError; an accepted one
// formats without error, and parsing that output gives the same header
// and formats to the same text (a fixpoint), or a *syncml.LimitError when
// the canonical form is longer than the bound. A CredAuthenticator checking
// the text as its credential answers 401 or 407 (or 200/212 if the text is
// a valid credential), never with an error of its own.
func FuzzSessionAuthHeader(f *testing.F) {
	f.Add(`algorithm=MD5, username="Robert Jordan", mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk`)
	f.Add(`username="dev", mac=urdCeS3JUmjFgi8SX3webw==`)
	f.Add(`mac=AB+/cd==,username="a\"b\\c"`)
	f.Add(" \tUserName = bob ,, MAC=QQ== , ")
	f.Add(`username="a", mac=QQ==, username="b"`)
	f.Add(`username="a, mac=QQ==`)
	f.Add("QnJ1Y2UyOk9oQmVoYXZl")
	f.Add("Zz6EivR3yeaaENcRN6lpAQ==")
	ctx := context.Background()
	users := &session.MemoryUsers{}
	users.Set("dev", "secret")
	users.Set("Bruce2", "OhBehave")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := session.ParseHMACHeader(s)
		if err != nil {
			var de *syncml.DecodeError
			var le *syncml.LimitError
			if !(errors.As(err, &de) && errors.Is(err, session.ErrMalformedHeader)) && !errors.As(err, &le) {
				t.Fatalf("Parse(%q): untyped error %v", s, err)
			}
		} else {
			out, err := h.Format()
			if err != nil {
				t.Fatalf("Format(Parse(%q)) = %v", s, err)
			}
			h2, err := session.ParseHMACHeader(out)
			var le *syncml.LimitError
			switch {
			case len(out) > session.DefaultMaxHMACHeaderBytes:
				// The canonical form (quotes, ", ") may outgrow the bound
				// that the compact input kept.
				if !errors.As(err, &le) {
					t.Fatalf("Parse(Format(Parse(%q))) over the bound: %v", s, err)
				}
			case err != nil || h2 != h:
				t.Fatalf("Parse(Format(Parse(%q))) = %+v, %v; want %+v", s, h2, err, h)
			default:
				if out2, err := h2.Format(); err != nil || out2 != out {
					t.Fatalf("not a fixpoint: %q then %q (%v)", out, out2, err)
				}
			}
		}
		// The text as every kind of credential, checked by the
		// Authenticator a server uses.
		for _, typ := range []session.AuthType{session.AuthBasic, session.AuthMD5, session.AuthHMAC} {
			a := &session.CredAuthenticator{Type: typ, Users: users}
			m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: "1", Source: syncml.Location{LocURI: "D", LocName: "dev"}}}
			if typ != session.AuthHMAC {
				m.Header.Cred = &syncml.Cred{Meta: &syncml.Meta{Type: string(typ), Format: "b64"}, Data: syncml.Text(s)}
			}
			hdr := http.Header{}
			hdr.Set(session.HMACHeaderName, s)
			d, err := a.Authenticate(ctx, &session.AuthInput{Message: m, Raw: []byte(s), Header: hdr, Nonce: []byte("n")})
			if err != nil {
				t.Fatalf("%s: Authenticate(%q): %v", typ, s, err)
			}
			switch d.Code {
			case 401, 407, 200, 212:
			default:
				t.Fatalf("%s: Authenticate(%q): code %d", typ, s, d.Code)
			}
		}
	})
}
