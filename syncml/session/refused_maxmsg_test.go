package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// refusedMaxMsgMessage is a device's package 1 without credentials that
// announces MaxMsgSize max (none when 0) in session sid.
func refusedMaxMsgMessage(sid string, max int) []byte {
	meta := ""
	if max > 0 {
		meta = `<Meta><MaxMsgSize xmlns="syncml:metinf">` + strconv.Itoa(max) + `</MaxMsgSize></Meta>`
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sid + `</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>DEV-REFUSED-MAXMSG</LocURI><LocName>dev</LocName></Source>` + meta +
		`</SyncHdr><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
}

// A refusal (407 or 401 with a challenge) is a reply like any other: it
// stays within the device's MaxMsgSize (and this side's Config.MaxMsgSize).
// One that cannot (the SyncHdr's Status and its Chal alone are larger) is
// not sent, as a reply whose Statuses do not fit is not: Handle's error
// matches ErrLimit, and ErrProtocol when the bound was the device's (a
// Server answers 400). Before, refuse never measured its reply: a device
// announcing MaxMsgSize 600 got a 407 of 667 bytes (MD5), found by
// posting to dmserver -auth md5 (basic: 598 bytes over 481).
func TestRefusalWithinMaxMsgSize(t *testing.T) {
	ctx := context.Background()
	for _, typ := range []AuthType{AuthBasic, AuthMD5, AuthHMAC} {
		t.Run(authShort(typ), func(t *testing.T) {
			users := &MemoryUsers{}
			users.Set("dev", "secret")
			auth := &CredAuthenticator{Type: typ, Users: users}
			// the size of the challenge when nothing bounds it
			s := NewSession(&Config{Authenticator: auth})
			x, err := s.Handle(ctx, &Inbound{Raw: refusedMaxMsgMessage("1", 0)})
			if err != nil || x.Refused == nil {
				t.Fatalf("unbounded: %v, refused %v", err, x.Refused)
			}
			size := len(x.Raw)
			for _, tc := range []struct {
				name          string
				device, own   int
				fits          bool
				protocolError bool
			}{
				{"device bound, room", size, 0, true, false},
				{"device bound, no room", size - 1, 0, false, true},
				{"own bound, no room", 0, size - 1, false, false},
				{"both, device's smaller", size - 2, size - 1, false, true},
			} {
				s := NewSession(&Config{Authenticator: auth, MaxMsgSize: tc.own})
				x, err := s.Handle(ctx, &Inbound{Raw: refusedMaxMsgMessage("1", tc.device)})
				if tc.fits {
					if err != nil || x.Refused == nil || len(x.Raw) > size {
						t.Errorf("%s: %v, refused %v", tc.name, err, x != nil && x.Refused != nil)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: a refusal of %d bytes went out over MaxMsgSize (device %d, own %d)", tc.name, len(x.Raw), tc.device, tc.own)
					continue
				}
				if !errors.Is(err, ErrLimit) || errors.Is(err, ErrProtocol) != tc.protocolError {
					t.Errorf("%s: error %v: ErrLimit %v, ErrProtocol %v (want %v)", tc.name, err, errors.Is(err, ErrLimit), errors.Is(err, ErrProtocol), tc.protocolError)
				}
			}
			// over HTTP: 400 and nothing saved, then the device with room
			// for the challenge gets it
			srv := NewServer(ServerConfig{Session: Config{Authenticator: auth}})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			post := func(body []byte) (int, []byte) {
				t.Helper()
				return postSyncML(t, ts.Client(), ts.URL, body, "")
			}
			if code, b := post(refusedMaxMsgMessage("1", size-1)); code != http.StatusBadRequest {
				t.Errorf("HTTP, MaxMsgSize %d: %d with %d bytes, want 400", size-1, code, len(b))
			}
			if raw, _, err := srv.cfg.Store.Load(ctx, "DEV-REFUSED-MAXMSG"); err != nil || len(raw) != 0 {
				t.Errorf("HTTP: state of %d bytes saved for the 400 (%v)", len(raw), err)
			}
			code, b := post(refusedMaxMsgMessage("1", size))
			var m syncml.Message
			if code != http.StatusOK || len(b) > size || syncml.Unmarshal(b, &m) != nil {
				t.Fatalf("HTTP, MaxMsgSize %d: %d with %d bytes", size, code, len(b))
			}
			if c, _ := m.Body.Commands[0].(*syncml.Status).Code(); c != syncml.StatusMissingCredentials {
				t.Errorf("HTTP, MaxMsgSize %d: SyncHdr Status %d, want 407", size, c)
			}
		})
	}
}
