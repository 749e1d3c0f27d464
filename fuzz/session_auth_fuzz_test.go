package fuzz

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzSessionAuthHeader feeds arbitrary text to the authentication
// readers: as an x-syncml-hmac header value, as Cred Data of every type
// and as a NextNonce. Nothing may panic; a refused header is a
// *syncml.DecodeError (cause ErrMalformedHeader) or a *syncml.LimitError;
// an accepted one formats without error, and parsing that output gives
// the same header and formats to the same text (a fixpoint). A server
// checking the text as its credential answers 401 or 407 (or 200/212 if
// the text is a valid credential), never with an error of its own.
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
	creds := &session.MemoryCredentials{}
	creds.Set("dev", "secret")
	creds.Set("Bruce2", "OhBehave")
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
			if err != nil || h2 != h {
				t.Fatalf("Parse(Format(Parse(%q))) = %+v, %v; want %+v", s, h2, err, h)
			}
			if out2, err := h2.Format(); err != nil || out2 != out {
				t.Fatalf("not a fixpoint: %q then %q (%v)", out, out2, err)
			}
			_ = session.VerifyHMAC(ctx, h, []byte(s), []byte(s), creds)
		}
		_, _ = session.DecodeNonce(s)
		for _, typ := range []session.AuthType{session.AuthBasic, session.AuthMD5, session.AuthHMAC} {
			srv := &session.ServerAuth{Type: typ, Credentials: creds}
			c := &syncml.Cred{Meta: &syncml.Meta{Type: string(typ), Format: session.FormatB64}, Data: syncml.Text(s)}
			d, err := srv.Check(ctx, session.AuthAttempt{Cred: c, Username: "dev", Nonce: []byte("n"), HMAC: s, Body: []byte(s)})
			if err != nil {
				t.Fatalf("%s: Check(%q): %v", typ, s, err)
			}
			switch d.Code {
			case 401, 407, 200, 212:
			default:
				t.Fatalf("%s: Check(%q): code %d", typ, s, d.Code)
			}
		}
	})
}
