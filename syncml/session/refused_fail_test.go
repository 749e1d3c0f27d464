package session

import (
	"bytes"
	"context"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A refusal (401) whose reply cannot be signed leaves the state as it
// was: the device's retry of the message gets the reply the first try
// would have (same MsgID), and the session goes on as one whose
// refusal never failed.
func TestFailedRefusalReplyRestoresState(t *testing.T) {
	type step struct {
		raw    []byte
		refuse bool
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"refused in mid-session, then accepted", []step{
			{sizedMsg("1", "1", 5000, alert1201, true), false},
			{sizedMsg("1", "2", 5000, hdrStatus200, true), true},
			{sizedMsg("1", "3", 5000, hdrStatus200, true), false},
		}},
		{"refused twice in mid-session", []step{
			{sizedMsg("1", "1", 5000, alert1201, true), false},
			{sizedMsg("1", "2", 5000, hdrStatus200, true), true},
			{sizedMsg("1", "3", 5000, hdrStatus200, true), true},
			{sizedMsg("1", "4", 5000, hdrStatus200, true), false},
		}},
		{"refused in mid-session, new session refused, then accepted", []step{
			{sizedMsg("1", "1", 5000, alert1201, true), false},
			{sizedMsg("1", "2", 5000, hdrStatus200, true), true},
			{sizedMsg("2", "1", 5000, alert1201, true), true},
			{sizedMsg("2", "2", 5000, alert1201, true), false},
		}},
		{"package 1 refused, then accepted", []step{
			{sizedMsg("1", "1", 5000, alert1201, true), true},
			{sizedMsg("1", "2", 5000, alert1201, true), false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			mk := func(name *string, refuse *bool) *Session {
				s := signFailing(name)
				s.cfg.Authenticator = AuthenticatorFunc(func(context.Context, *AuthInput) (AuthDecision, error) {
					if *refuse {
						return AuthDecision{Code: syncml.StatusInvalidCredentials}, nil
					}
					return AuthDecision{}, nil
				})
				if err := s.Queue(get("./A"), get("./B")); err != nil {
					t.Fatal(err)
				}
				return s
			}
			nameA, nameB, refuse := "srv", "srv", false
			a, b := mk(&nameA, &refuse), mk(&nameB, &refuse)
			for i, st := range tc.steps {
				refuse = st.refuse
				xa, err := a.Handle(ctx, &Inbound{Raw: st.raw})
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				nameB = "!"
				if _, err := b.Handle(ctx, &Inbound{Raw: st.raw}); err == nil {
					t.Fatalf("step %d: the reply signed without a secret did not fail", i)
				}
				nameB = "srv"
				xb, err := b.Handle(ctx, &Inbound{Raw: st.raw})
				if err != nil {
					t.Fatalf("step %d, retry: %v", i, err)
				}
				if !bytes.Equal(xa.Raw, xb.Raw) {
					t.Errorf("step %d: the retry's reply differs from the first try's:\nfirst %s\nretry %s", i, xa.Raw, xb.Raw)
				}
				sa, sb := stateSummary(a), stateSummary(b)
				if sa != sb {
					t.Errorf("step %d: the state differs:\nno failure %s\nfailure    %s", i, sa, sb)
				}
			}
		})
	}
}
