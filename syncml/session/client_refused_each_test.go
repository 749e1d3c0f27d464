package session

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// badSign is a ClientAuth that signs one message (the n-th it signs, from
// 1) with a wrong password: the server refuses it in the middle of the
// session (401), and the Client sends it again.
type badSign struct {
	*ClientAuth
	n, signed int
}

func (b *badSign) Sign(ctx context.Context, chal *syncml.Chal, body []byte, h http.Header) error {
	if b.signed++; b.signed != b.n {
		return b.ClientAuth.Sign(ctx, chal, body, h)
	}
	good := b.Password
	b.Password = "wrong"
	defer func() { b.Password = good }()
	return b.ClientAuth.Sign(ctx, chal, body, h)
}

// Every command EachMessage gives gets an Outcome, also those of a
// message the server refused (401 or 407), for which EachMessage gives
// new commands when the message is sent again: an Outcome with the
// refused message's MsgID and an Err matching the refusal (the server
// ran none of it). Before, they got none: the refused package 1's record
// was reset, the refused reply's forgotten.
func TestClientRefusedEachMessageOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		typ     AuthType
		badSign int // the signature refused mid-session, 0 for none
		refused []error
	}{
		{"md5 package 1", AuthMD5, 0, []error{ErrMissingCredentials}},
		{"hmac package 1 and a reply", AuthHMAC, 3, []error{ErrMissingCredentials, ErrInvalidCredentials}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newAuthPeers(t, tc.typ)
			ca := &ClientAuth{Username: "dev", Password: "secret"}
			var creds Credentials = ca
			if tc.badSign > 0 {
				creds = &badSign{ClientAuth: ca, n: tc.badSign}
			}
			var made []syncml.Command
			c, err := NewClient(ClientConfig{DeviceID: "DEV", LocName: "dev", ServerURI: p.ts.URL, Handler: deviceMux(), Credentials: creds,
				EachMessage: func(context.Context) ([]syncml.Command, error) {
					a := NewClientEvent(syncml.AlertClientEvent, "com.example/state", strconv.Itoa(len(made)+1))
					made = append(made, a)
					return []syncml.Command{a}, nil
				}})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
				t.Fatal(err)
			}
			outs, err := c.Run(context.Background(), p.ts.Client(), p.ts.URL, "1")
			if err != nil {
				t.Fatal(err)
			}
			codes, _, _, _, _, _ := p.take()
			var refusals int
			for _, code := range codes {
				if !code.Success() {
					refusals++
				}
			}
			if refusals != len(tc.refused) {
				t.Fatalf("codes %v, want %d refusals", codes, len(tc.refused))
			}
			var errs []error
			for i, a := range made {
				var got []Outcome
				for _, o := range outs {
					if o.Command == a {
						got = append(got, o)
					}
				}
				if len(got) != 1 {
					t.Errorf("EachMessage command %d: %d Outcomes, want 1", i+1, len(got))
					continue
				}
				o := got[0]
				switch {
				case o.Err != nil:
					if o.MsgID == "" || o.SessionID != "1" || o.Status != nil || o.Abandoned {
						t.Errorf("EachMessage command %d: Outcome %+v of a refused message, want its MsgID, SessionID 1, no Status, not Abandoned", i+1, o)
					}
					errs = append(errs, o.Err)
				case o.Status == nil:
					t.Errorf("EachMessage command %d: no Status (Abandoned %v)", i+1, o.Abandoned)
				}
			}
			if len(errs) != len(tc.refused) {
				t.Fatalf("%d Outcomes of refused messages (%v), want %d", len(errs), errs, len(tc.refused))
			}
			for i, want := range tc.refused {
				if !errors.Is(errs[i], want) {
					t.Errorf("refused message %d: Err %v, want one matching %v", i+1, errs[i], want)
				}
			}
		})
	}
}
