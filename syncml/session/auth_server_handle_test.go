package session

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// converseChecked runs one session between a Session that authenticates
// itself with srvPass and a Client that checks it, message by message
// through Handle (viaHandle) or HandleInbound. It returns the device's
// last Exchange.
func converseChecked(t *testing.T, typ AuthType, srvPass string, viaHandle bool) (*Exchange, error) {
	t.Helper()
	s := NewSession(&Config{ServerAuth: &ServerAuth{Type: typ, Secret: func(context.Context, Identity) (string, string, error) {
		return "srv", srvPass, nil
	}}})
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "S", Handler: deviceMux(),
		ServerAuth: &ServerCheck{Type: typ, Name: "srv", Password: "srv-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		var cx *Exchange
		if viaHandle {
			var back syncml.Message
			if err := syncml.Unmarshal(x.Raw, &back); err != nil {
				t.Fatal(err)
			}
			cx, err = c.Handle(ctx, &back)
		} else {
			cx, err = c.HandleInbound(ctx, &Inbound{Raw: x.Raw, Header: x.Header})
		}
		if err != nil || cx.Done || cx.Refused != nil {
			return cx, err
		}
		m = cx.Reply
	}
	t.Fatal("session does not end")
	return nil, nil
}

// A device driven message by message checks the server's credentials as
// Run does: through HandleInbound for every type, through Handle for basic
// and MD5 (HMAC needs the transport, so Handle refuses to go on unchecked).
func TestServerCheckByHand(t *testing.T) {
	for _, tt := range []struct {
		typ       AuthType
		viaHandle bool
	}{
		{AuthBasic, true}, {AuthMD5, true},
		{AuthBasic, false}, {AuthMD5, false}, {AuthHMAC, false},
	} {
		name := authShort(tt.typ) + "/HandleInbound"
		if tt.viaHandle {
			name = authShort(tt.typ) + "/Handle"
		}
		t.Run(name, func(t *testing.T) {
			x, err := converseChecked(t, tt.typ, "srv-secret", tt.viaHandle)
			if err != nil || x.Refused != nil || !x.Done {
				t.Fatalf("right server password: %+v, %v", x, err)
			}
			x, err = converseChecked(t, tt.typ, "not-it", tt.viaHandle)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(x.Refused, ErrInvalidCredentials) || !x.Done || x.Reply == nil {
				t.Fatalf("wrong server password: Refused %v, Done %v", x.Refused, x.Done)
			}
			var last syncml.Message
			if err := syncml.Unmarshal(x.Raw, &last); err != nil {
				t.Fatal(err)
			}
			if len(last.Body.Commands) != 1 {
				t.Fatalf("last message: %s, want the SyncHdr Status alone", summary(&last))
			}
			st, ok := last.Body.Commands[0].(*syncml.Status)
			if code, _ := st.Code(); !ok || st.CmdRef != "0" || code != syncml.StatusInvalidCredentials {
				t.Errorf("last message: %s, want 401 for the SyncHdr", summary(&last))
			}
			if tt.typ != AuthBasic && st.Chal == nil {
				t.Errorf("refusal without a Chal")
			}
		})
	}
	t.Run("hmac/Handle", func(t *testing.T) {
		_, err := converseChecked(t, AuthHMAC, "srv-secret", true)
		if !errors.Is(err, ErrState) {
			t.Errorf("Handle under an HMAC ServerCheck: %v, want ErrState", err)
		}
	})
}
