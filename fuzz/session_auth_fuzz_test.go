package fuzz

import (
	"context"
	"errors"
	"net/http"
	"strings"
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
// a valid credential), never with an error of its own. A Client that
// checks the server's HMAC (ServerCheck) given the text as the header of
// the server's first message never fails HandleInbound: it takes the
// message, or refuses it with ErrMissingCredentials (no header) or
// ErrInvalidCredentials (malformed, too long, another algorithm, a wrong
// MAC), its last message a 407 or 401 for the SyncHdr (see
// checkServerHMAC).
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
	// the server's HMAC of its first message, and of another algorithm
	srvRaw, err := syncml.Marshal(serverHMACMessage())
	if err != nil {
		f.Fatal(err)
	}
	signed := http.Header{}
	if err := (&session.ClientAuth{Type: session.AuthHMAC, Username: "srv", Password: "pw", Nonce: []byte("n")}).Sign(ctx, nil, srvRaw, signed); err != nil {
		f.Fatal(err)
	}
	f.Add(signed.Get(session.HMACHeaderName))
	f.Add(strings.Replace(signed.Get(session.HMACHeaderName), "MD5", "SHA-256", 1))
	f.Add(signed.Get(session.HMACHeaderName) + ", x=" + strings.Repeat("a", session.DefaultMaxHMACHeaderBytes))
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
		checkServerHMAC(t, srvRaw, s)
	})
}

// serverHMACMessage is server S's first message to device D: the Status
// of package 1's SyncHdr, Final.
func serverHMACMessage() *syncml.Message {
	return &syncml.Message{Header: serverHeader(), Body: syncml.Body{Final: true, Commands: []syncml.Command{
		&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}}}}
}

// checkServerHMAC hands a Client that checks the server's HMAC (name
// srv, password pw, nonce n) the server message raw with v as its
// x-syncml-hmac header. HandleInbound never fails; a message it takes
// has a header that reads, of the server's name; one it refuses is
// refused as missing credentials exactly when the header is blank, as
// invalid otherwise, and the device's last message answers the SyncHdr
// 407 or 401 so.
func checkServerHMAC(t *testing.T, raw []byte, v string) {
	t.Helper()
	ctx := context.Background()
	c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: session.Accept,
		ServerAuth: &session.ServerCheck{Type: session.AuthHMAC, Name: "srv", Password: "pw", Nonce: []byte("n")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	hdr := http.Header{}
	hdr.Set(session.HMACHeaderName, v)
	x, err := c.HandleInbound(ctx, &session.Inbound{Raw: raw, Header: hdr})
	if err != nil {
		t.Fatalf("the server's HMAC header %q: HandleInbound: %v", v, err)
	}
	if x.Refused == nil {
		if h, err := session.ParseHMACHeader(v); err != nil || h.Username != "srv" {
			t.Fatalf("the server's HMAC header %q taken: %+v, %v", v, h, err)
		}
		return
	}
	blank := strings.TrimSpace(v) == ""
	if !errors.Is(x.Refused, session.ErrMissingCredentials) && !errors.Is(x.Refused, session.ErrInvalidCredentials) ||
		blank != errors.Is(x.Refused, session.ErrMissingCredentials) {
		t.Fatalf("the server's HMAC header %q refused with %v", v, x.Refused)
	}
	if !x.Done || x.Reply == nil || len(x.Reply.Body.Commands) == 0 {
		t.Fatalf("the server's HMAC header %q refused (%v) without a last message: %+v", v, x.Refused, x)
	}
	st, ok := x.Reply.Body.Commands[0].(*syncml.Status)
	if !ok {
		t.Fatalf("the server's HMAC header %q refused (%v): the device's first command is %s", v, x.Refused, x.Reply.Body.Commands[0].ElementName())
	}
	want := syncml.StatusInvalidCredentials
	if blank {
		want = syncml.StatusMissingCredentials
	}
	if code, err := st.Code(); st.CmdRef != "0" || err != nil || code != want {
		t.Fatalf("the server's HMAC header %q refused (%v): the device's first command is %+v", v, x.Refused, x.Reply.Body.Commands[0])
	}
}
