package fuzz

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzSessionToken feeds a session closed by Config.SessionToken (basic
// credentials, accepted with 212 by its first message) an arbitrary
// second message (its CmdIDs renumbered when the session would refuse
// them, see renumberCmdIDs) posted to an arbitrary URL, with an arbitrary RespURI
// hook result. Nothing may panic. A message that carries no credentials
// and arrives at a URL without the session's token is never taken as the
// device: its reply's SyncHdr Status is a challenge (401 or 407) and holds
// no command queued for the device. A reply that accepts the session
// carries the token in its RespURI.
func FuzzSessionToken(f *testing.F) {
	hdr := func(msgID, cred string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>` + msgID +
			`</MsgID><Target><LocURI>S</LocURI></Target><Source><LocURI>D</LocURI></Source>` + cred + `</SyncHdr><SyncBody>`
	}
	cred := `<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type><Format xmlns="syncml:metinf">b64</Format></Meta><Data>` +
		base64.StdEncoding.EncodeToString([]byte("dev:secret")) + `</Data></Cred>`
	status := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>212</Data></Status>`
	f.Add(hdr("2", "")+status+`<Final/></SyncBody></SyncML>`, "http://127.0.0.1/dm", "")
	f.Add(hdr("2", "")+status+`<Final/></SyncBody></SyncML>`, "http://127.0.0.1/dm?windc-session=AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add(hdr("2", cred)+status+`<Final/></SyncBody></SyncML>`, "http://127.0.0.1/dm", "https://127.0.0.1/x?a=1&windc-session=z#f")
	f.Add(hdr("2", "")+`<Alert><CmdID>1</CmdID><Data>1223</Data></Alert><Final/></SyncBody></SyncML>`, "http://127.0.0.1/dm?windc-session=%zz", "%zz")
	f.Add(hdr("1", "")+`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`, "//x", "mailto:a")
	pkg1 := []byte(hdr("1", cred) + `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
	users := &session.MemoryUsers{}
	users.Set("dev", "secret")
	base, _ := url.Parse("http://127.0.0.1/dm")
	f.Fuzz(func(t *testing.T, msg, at, respURI string) {
		msg = string(renumberedRaw(t, []byte(msg)))
		ctx := context.Background()
		cfg := &session.Config{Authenticator: &session.CredAuthenticator{Type: session.AuthBasic, Users: users}, SessionToken: true}
		if respURI != "" {
			cfg.RespURI = func(context.Context, session.Identity, *syncml.Message) string { return respURI }
		}
		s := session.NewSession(cfg)
		get := &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/Secret"}}}}
		if err := s.Queue(get); err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &session.Inbound{Raw: pkg1, URL: base})
		if err != nil {
			return // the hook's RespURI is no URL: refused, nothing sent
		}
		token := ""
		if u, err := url.Parse(x.Reply.Header.RespURI); err == nil {
			token = u.Query().Get(session.SessionTokenParam)
		}
		if len(token) < 22 {
			t.Fatalf("the 212 reply's RespURI %q carries no token", x.Reply.Header.RespURI)
		}
		u, err := url.Parse(at)
		if err != nil {
			u = nil
		}
		x, err = s.Handle(ctx, &session.Inbound{Raw: []byte(msg), URL: u})
		if err != nil || x.Replayed {
			return
		}
		var m syncml.Message
		if syncml.Unmarshal([]byte(msg), &m) != nil || m.Header.Cred != nil {
			return
		}
		if u != nil && u.Query().Get(session.SessionTokenParam) == token {
			return
		}
		code, _ := x.Reply.Body.Commands[0].(*syncml.Status).Code()
		if code != syncml.StatusInvalidCredentials && code != syncml.StatusMissingCredentials {
			t.Fatalf("a message without credentials at %q (the token is %q) answered %d", at, token, code)
		}
		if bytes.Contains(x.Raw, []byte("./Vendor/Secret")) && !strings.Contains(msg, "./Vendor/Secret") {
			t.Fatalf("a message without credentials at %q got the queued Get", at)
		}
	})
}
