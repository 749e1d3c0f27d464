package session

import (
	"context"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A refused package 1 of a new session records the MsgIDs its refusals
// used, so that the session's replies stay unique once it is accepted. A
// refused message of the session still open, which anyone may post,
// must not overwrite that record: before, it did, and the new session's
// first accepted reply took MsgID 1 again.
func TestRefusalKeepsNewSessionMsgIDs(t *testing.T) {
	refuse := 0
	s := NewSession(&Config{Authenticator: AuthenticatorFunc(func(context.Context, *AuthInput) (AuthDecision, error) {
		if refuse > 0 {
			refuse--
			return AuthDecision{Code: syncml.StatusMissingCredentials}, nil
		}
		return AuthDecision{}, nil
	})})
	if x := handle(t, s, sizedMsg("1", "1", 5000, alert1201, true)); x.Reply.Header.MsgID != "1" {
		t.Fatalf("session 1: reply %s", x.Reply.Header.MsgID)
	}
	refuse = 1
	if x := handle(t, s, sizedMsg("2", "1", 5000, alert1201, true)); x.Refused == nil || x.Reply.Header.MsgID != "1" {
		t.Fatalf("session 2's package 1: refused %v, reply %s", x.Refused, x.Reply.Header.MsgID)
	}
	refuse = 1
	if x := handle(t, s, sizedMsg("1", "2", 5000, hdrStatus200, true)); x.Refused == nil {
		t.Fatal("session 1's message 2 was not refused")
	}
	x := handle(t, s, sizedMsg("2", "2", 5000, alert1201, true))
	if x.Refused != nil || x.Reply.Header.MsgID != "2" {
		t.Errorf("session 2 accepted: refused %v, reply MsgID %s; want 2 (1 answered its refused package 1)", x.Refused, x.Reply.Header.MsgID)
	}
}
