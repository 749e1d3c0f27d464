package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPeerValuesShownBounded: a value of 100 KiB a peer sends (a
// SessionID, a MsgID, a device LocURI, a user name, a Cred's type or
// format) shows in the records a Server logs, and in the errors a
// Client's HandleInbound returns, cut to a few hundred bytes: none of
// them is over 4 KiB.
func TestPeerValuesShownBounded(t *testing.T) {
	const limit = 4 << 10
	long := strings.Repeat("x", 100<<10)
	longNum := "1" + strings.Repeat("0", 100<<10)
	msg := func(sessionID, msgID, device, cred string) []byte {
		return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>` + sessionID + `</SessionID><MsgID>` + msgID + `</MsgID>` +
			`<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
			`<Source><LocURI>` + device + `</LocURI></Source>` + cred + `</SyncHdr><SyncBody>` + alert1201 + `<Final/></SyncBody></SyncML>`)
	}
	cred := func(typ, format, user string) string {
		return `<Cred><Meta><Format xmlns="syncml:metinf">` + format + `</Format><Type xmlns="syncml:metinf">` + typ + `</Type></Meta>` +
			`<Data>` + base64.StdEncoding.EncodeToString([]byte(user+":pw")) + `</Data></Cred>`
	}
	basic := cred("syncml:auth-basic", "b64", "alice")
	for _, tc := range []struct {
		name string
		raw  []byte
		code int
	}{
		{"SessionID", msg(long, "1", "DEV1", basic), 200},
		{"MsgID", msg("1", long, "DEV1", basic), 200},
		{"decimal MsgID", msg("1", longNum, "DEV1", basic), 200},
		{"device LocURI", msg("1", "1", "urn:dev:"+long, basic), 0},
		{"user name", msg("1", "1", "DEV1", cred("syncml:auth-basic", "b64", long)), 200},
		{"Cred type", msg("1", "1", "DEV1", cred(long, "b64", "alice")), 200},
		{"Cred format", msg("1", "1", "DEV1", cred("syncml:auth-basic", long, "alice")), 200},
	} {
		t.Run("Server/"+tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			users := &MemoryUsers{}
			users.Set("alice", "alice-pw")
			srv := httptest.NewServer(NewServer(ServerConfig{
				Session: Config{Authenticator: &CredAuthenticator{Type: AuthBasic, Users: users}},
				Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
			defer srv.Close()
			code, body, _ := doPost(t, srv.URL, ContentType, tc.raw)
			if tc.code != 0 && code != tc.code {
				t.Fatalf("HTTP %d, want %d: %.200s", code, tc.code, body)
			}
			if !strings.Contains(logs.String(), " bytes)…") {
				t.Errorf("no record shows the value cut: %.600s", logs.String())
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) == 0 || lines[0] == "" {
				t.Fatal("no log record")
			}
			for _, l := range lines {
				if len(l) > limit {
					t.Errorf("a log record of %d bytes: %.300s…", len(l), l)
				}
			}
		})
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name            string
		sessionID, msgs []string
	}{
		{"SessionID", []string{long}, []string{"1"}},
		{"MsgID", []string{"1"}, []string{long}},
		{"decimal MsgID", []string{"1", "1"}, []string{longNum, "2"}},
	} {
		t.Run("Client/"+tc.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S",
				Handler: HandlerFunc(func(context.Context, *Request) Response { return Response{} })})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.Start(ctx, "1")
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range tc.msgs {
				raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>` + tc.sessionID[i] + `</SessionID>` +
					`<MsgID>` + id + `</MsgID><Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` +
					`<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status></SyncBody></SyncML>`
				cx, err := c.HandleInbound(ctx, &Inbound{Raw: []byte(raw)})
				if err == nil {
					if i == len(tc.msgs)-1 {
						t.Fatal("no error")
					}
					m = cx.Reply
					continue
				}
				if i != len(tc.msgs)-1 {
					t.Fatalf("message %d: %.300s", i, err)
				}
				if !strings.Contains(err.Error(), " bytes)…") {
					t.Errorf("the error does not show the value cut: %.600s", err)
				}
				if n := len(err.Error()); n > limit {
					t.Errorf("an error of %d bytes: %.300s…", n, err)
				}
			}
		})
	}
}

// TestRespURIErrorBounded: a RespURI that does not parse, of 100 KiB,
// shows cut in the error; a short one shows as url.Parse says it.
func TestRespURIErrorBounded(t *testing.T) {
	c := &Client{}
	for _, tc := range []struct{ uri, want string }{
		{"http://h/\x7f", `session: protocol violation: RespURI: parse "http://h/\x7f": net/url: invalid control character in URL`},
		{"http://h:" + strings.Repeat("9", 100<<10) + "x/", ""},
		{"http://h/" + strings.Repeat("a", 100<<10) + "\x7f", ""},
	} {
		_, err := c.nextURL("https://s/", tc.uri)
		if err == nil || !errors.Is(err, ErrProtocol) {
			t.Fatalf("nextURL(%.40q): %v", tc.uri, err)
		}
		if tc.want != "" && err.Error() != tc.want {
			t.Errorf("nextURL(%q):\n%s, want\n%s", tc.uri, err, tc.want)
		}
		if n := len(err.Error()); n > 4<<10 {
			t.Errorf("an error of %d bytes: %.300s…", n, err)
		}
	}
}
