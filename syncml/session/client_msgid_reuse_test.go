package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientAllowMsgIDReuse: a server that numbers every message 1 is
// refused (a *MsgIDError) from its second message on by default; with
// ClientConfig.AllowMsgIDReuse each of its messages is handled and
// answered, the SyncHdr Status of each reply naming MsgID 1. So are
// MsgIDs that go down. A MsgID that is not a decimal number is refused
// either way. Without the option's check in checkMsgID the reuse cases
// fail.
func TestClientAllowMsgIDReuse(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		ids   []string // the server's MsgIDs, in order
		allow bool
		taken int // how many are handled before one is refused (len(ids): all)
	}{
		{name: "always 1, strict", ids: []string{"1", "1", "1"}, taken: 1},
		{name: "always 1, reuse allowed", ids: []string{"1", "1", "1"}, allow: true, taken: 3},
		{name: "going down, reuse allowed", ids: []string{"3", "2", "1"}, allow: true, taken: 3},
		{name: "going down, strict", ids: []string{"3", "2", "1"}, taken: 1},
		{name: "not decimal, reuse allowed", ids: []string{"1", "x"}, allow: true, taken: 1},
		{name: "signed, reuse allowed", ids: []string{"1", "+1"}, allow: true, taken: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ran := 0
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: mux, AllowMsgIDReuse: tc.allow})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Start(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			for i, id := range tc.ids {
				ran = 0
				// the device's message i+1 answers the server's i-th
				x, err := c.Handle(ctx, msgIDMsg(id, strconv.Itoa(i+1)))
				if i >= tc.taken {
					var me *MsgIDError
					if !errors.As(err, &me) || !errors.Is(err, ErrProtocol) || me.MsgID != id {
						t.Fatalf("message %d (MsgID %q): %v; want a *MsgIDError", i+1, id, err)
					}
					if ran != 0 {
						t.Errorf("message %d: the Handler ran %d times", i+1, ran)
					}
					return
				}
				if err != nil || ran != 1 || x.Reply == nil {
					t.Fatalf("message %d (MsgID %q): %v, Handler ran %d times", i+1, id, err, ran)
				}
				hs, ok := x.Reply.Body.Commands[0].(*syncml.Status)
				if !ok || hs.CmdRef != "0" || hs.MsgRef != id {
					t.Fatalf("message %d: reply starts with %#v; want the SyncHdr Status for MsgID %s", i+1, x.Reply.Body.Commands[0], id)
				}
				if x.Reply.Header.MsgID != strconv.Itoa(i+2) {
					t.Errorf("reply MsgID %s, want %d", x.Reply.Header.MsgID, i+2)
				}
			}
			if tc.taken != len(tc.ids) {
				t.Fatalf("all %d messages taken; want a refusal after %d", len(tc.ids), tc.taken)
			}
		})
	}
}

// TestClientRunMsgIDRestartsAfterChallenge: over HTTP, a server that
// challenges package 1 (401, MsgID 1) and answers the package 1 sent
// again with MsgID 1 once more fails Run with a *MsgIDError by default;
// with AllowMsgIDReuse the session runs to its end, the server's Get
// answered once.
func TestClientRunMsgIDRestartsAfterChallenge(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run("reuse allowed "+strconv.FormatBool(allow), func(t *testing.T) {
			posts := 0
			srv := scriptedServer(t, func(m *syncml.Message) *syncml.Message {
				posts++
				h := m.Header
				reply := &syncml.Message{XMLNS: syncml.NamespaceSyncML12, Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2",
					SessionID: h.SessionID, MsgID: "1", Target: h.Source, Source: h.Target}, Body: syncml.Body{Final: true}}
				hdr := &syncml.Status{CmdID: "1", MsgRef: h.MsgID, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusAuthenticationAccepted.Data()}
				switch posts {
				case 1:
					if h.Cred != nil {
						t.Errorf("package 1 has a Cred before the challenge")
					}
					hdr.Data = syncml.StatusInvalidCredentials.Data()
					hdr.Chal = &syncml.Chal{Meta: &syncml.Meta{Type: string(AuthBasic), Format: "b64"}}
					reply.Body.Commands = []syncml.Command{hdr}
				case 2:
					if h.Cred == nil {
						t.Errorf("package 1 sent again without a Cred")
					}
					reply.Body.Commands = []syncml.Command{hdr,
						&syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./A"}}}}}
				default:
					hdr.Data = syncml.StatusOK.Data()
					reply.Body.Commands = []syncml.Command{hdr}
				}
				return reply
			})
			ran := 0
			mux := NewMux()
			mux.Handle("", HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} }))
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: mux,
				Credentials: &ClientAuth{Username: "dev", Password: "pw"}, AllowMsgIDReuse: allow})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Run(context.Background(), srv.Client(), srv.URL, "1")
			if !allow {
				var me *MsgIDError
				if !errors.As(err, &me) || me.MsgID != "1" || me.Last != "1" {
					t.Fatalf("Run: %v; want a *MsgIDError for MsgID 1 after 1", err)
				}
				if posts != 2 || ran != 0 {
					t.Errorf("%d posts, Handler ran %d times; want 2 and 0", posts, ran)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if posts != 3 || ran != 1 {
				t.Errorf("%d posts, Handler ran %d times; want 3 and 1", posts, ran)
			}
		})
	}
}

// TestClientMsgIDWhiteSpace: a server MsgID with XML white space around
// its digits is not taken, with AllowMsgIDReuse or without: it is read
// as written, as the Server reads the device's MsgIDs and both sides
// read MsgRefs. The *MsgIDError says what is wrong with it (before, only
// that it was no decimal number); the Client is as it was, and the same
// number without the white space is answered next.
func TestClientMsgIDWhiteSpace(t *testing.T) {
	ctx := context.Background()
	for _, allow := range []bool{false, true} {
		for _, id := range []string{" 2", "2\n", "\t2 ", "\r\n  2\r\n"} {
			c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", Handler: Accept, AllowMsgIDReuse: allow})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Start(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Handle(ctx, msgIDMsg("1", "1")); err != nil {
				t.Fatal(err)
			}
			_, err = c.Handle(ctx, msgIDMsg(id, "2"))
			var me *MsgIDError
			if !errors.As(err, &me) || me.MsgID != id || !strings.Contains(err.Error(), "white space") {
				t.Errorf("reuse %v, MsgID %q: %v; want a *MsgIDError naming the white space", allow, id, err)
			}
			if x, err := c.Handle(ctx, msgIDMsg("2", "2")); err != nil || x.Reply == nil {
				t.Errorf("reuse %v: then MsgID 2: %v", allow, err)
			}
		}
	}
	// a MsgID with other characters says only that it is no number
	e := &MsgIDError{SessionID: "1", MsgID: " 2x "}
	if strings.Contains(e.Error(), "white space") {
		t.Errorf("%q: %s", e.MsgID, e.Error())
	}
}

// scriptedServer is a loopback HTTP server that decodes each posted
// message and answers what reply returns for it.
func scriptedServer(t *testing.T, reply func(m *syncml.Message) *syncml.Message) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var m syncml.Message
		if err := syncml.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		raw, err := syncml.Marshal(reply(&m))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	return srv
}
