package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// unreadableStates returns the state of a device bound to alice with a
// Get queued, its queue's SyncML broken (its fields read: its owner does)
// and, broken in its framing (a byte after its end: its owner does not
// read), the same state.
func unreadableStates(t *testing.T) (badSyncML, badFields []byte) {
	t.Helper()
	s := NewSession(nil)
	s.SetOwner("alice")
	if err := s.Queue(get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	good, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	badSyncML = bytes.Replace(good, []byte("</Get>"), []byte("</Gex>"), 1)
	if bytes.Equal(badSyncML, good) {
		t.Fatal("no Get in the state")
	}
	badFields = append(bytes.Clone(good), 0)
	for _, b := range [][]byte{badSyncML, badFields} {
		if err := NewSession(nil).UnmarshalBinary(b); !errors.Is(err, ErrStoredState) {
			t.Fatalf("broken state loads: %v", err)
		}
	}
	return badSyncML, badFields
}

// unreadableServer is a Server of cfg whose MemoryStore holds state for
// DEV1, and its log.
func unreadableServer(t *testing.T, cfg ServerConfig, state []byte) (*Server, *MemoryStore, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	ms := NewMemoryStore()
	if _, err := ms.CompareAndSwap(context.Background(), "DEV1", 0, state); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Logger = ms, slog.New(slog.NewTextHandler(&logs, nil))
	return NewServer(cfg), ms, &logs
}

// postTo posts raw to srv and returns the HTTP status.
func postTo(srv *Server, raw []byte) int {
	code, _ := postBody(srv, raw)
	return code
}

// postBody posts raw to srv and returns the HTTP status and the body.
func postBody(srv *Server, raw []byte) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// By default a device whose state does not read is answered 500 at every
// message, its package 1 too, and its state stays as it is.
func TestUnreadableStateDefault(t *testing.T) {
	bad, _ := unreadableStates(t)
	srv, ms, logs := unreadableServer(t, ServerConfig{}, bad)
	for i := range 2 {
		if code := postTo(srv, devMsg("1", "1", alert1201)); code != http.StatusInternalServerError {
			t.Errorf("package 1, try %d: HTTP %d, want 500", i+1, code)
		}
	}
	if got, _, _ := ms.Load(context.Background(), "DEV1"); !bytes.Equal(got, bad) {
		t.Error("the unreadable state was replaced")
	}
	if !strings.Contains(logs.String(), "stored state does not read") || strings.Contains(logs.String(), "starts over") {
		t.Errorf("log:\n%s", logs)
	}
}

// With ServerConfig.ReplaceUnreadableState, a message that starts a
// session runs on a fresh state bound to the unreadable one's owner,
// which replaces it (logged at Error); a message that starts none is
// answered 500 as before; and a state whose owner does not read is never
// replaced.
func TestUnreadableStateReplaced(t *testing.T) {
	badSyncML, badFields := unreadableStates(t)
	ctx := context.Background()
	srv, ms, logs := unreadableServer(t, ServerConfig{ReplaceUnreadableState: true}, badSyncML)
	// no session start: 500, the state stays
	status := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	if code := postTo(srv, devMsg("1", "2", status)); code != http.StatusInternalServerError {
		t.Errorf("a message that starts no session: HTTP %d, want 500", code)
	}
	if got, _, _ := ms.Load(ctx, "DEV1"); !bytes.Equal(got, badSyncML) {
		t.Fatal("replaced by a message that starts no session")
	}
	if code := postTo(srv, devMsg("1", "1", alert1201)); code != http.StatusOK {
		t.Fatalf("package 1: HTTP %d, want 200\n%s", code, logs)
	}
	got, _, _ := ms.Load(ctx, "DEV1")
	s := NewSession(nil)
	if err := s.UnmarshalBinary(got); err != nil {
		t.Fatalf("state saved: %v", err)
	}
	if s.Owner() != "alice" || s.Queued() != 0 || s.st.SessionID != "1" {
		t.Errorf("state saved: owner %q, %d queued, session %q; want alice, 0, 1", s.Owner(), s.Queued(), s.st.SessionID)
	}
	l := logs.String()
	if !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "starts over") || !strings.Contains(l, "device=DEV1") || !strings.Contains(l, "Gex") {
		t.Errorf("log:\n%s", l)
	}
	// the next message of the session runs on the state saved
	if code := postTo(srv, devMsg("1", "2", status)); code != http.StatusOK {
		t.Errorf("message 2: HTTP %d, want 200", code)
	}

	// Its owner does not read: never replaced.
	srv, ms, logs = unreadableServer(t, ServerConfig{ReplaceUnreadableState: true}, badFields)
	if code := postTo(srv, devMsg("1", "1", alert1201)); code != http.StatusInternalServerError {
		t.Errorf("owner unread, package 1: HTTP %d, want 500", code)
	}
	if got, _, _ := ms.Load(ctx, "DEV1"); !bytes.Equal(got, badFields) {
		t.Error("a state whose owner does not read was replaced")
	}
	if !strings.Contains(logs.String(), "nor does its owner") {
		t.Errorf("log:\n%s", logs)
	}
}

// The fresh state keeps the owner: another user's valid credentials do
// not take the device because its state became unreadable, and the
// refused message saves nothing (the unreadable state stays); the
// owner's own credentials start over.
func TestUnreadableStateOwnerKept(t *testing.T) {
	badSyncML, _ := unreadableStates(t)
	users := &MemoryUsers{}
	users.Set("alice", "alice-pw")
	users.Set("bob", "bob-pw")
	srv, ms, _ := unreadableServer(t, ServerConfig{ReplaceUnreadableState: true,
		Session: Config{Authenticator: &CredAuthenticator{Type: AuthBasic, Users: users}}}, badSyncML)
	basic := func(user, pw string) []byte {
		return []byte(strings.Replace(string(devMsg("1", "1", alert1201)), "</Source>", "</Source><Cred><Meta>"+
			`<Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-basic</Type></Meta>`+
			"<Data>"+base64.StdEncoding.EncodeToString([]byte(user+":"+pw))+"</Data></Cred>", 1))
	}
	hdrStatus := func(body string) string {
		i := strings.Index(body, "<Cmd>SyncHdr</Cmd>")
		j := strings.Index(body[max(i, 0):], "<Data>")
		if i < 0 || j < 0 {
			return body
		}
		return body[i+j+len("<Data>"):][:3]
	}
	if code, body := postBody(srv, basic("bob", "bob-pw")); code != http.StatusOK || hdrStatus(body) != "401" {
		t.Fatalf("bob: HTTP %d, SyncHdr Status %s; want 200 and 401", code, hdrStatus(body))
	}
	got, _, _ := ms.Load(context.Background(), "DEV1")
	if s := NewSession(nil); s.UnmarshalBinary(got) == nil && s.Owner() != "alice" {
		t.Fatalf("bob took the device: owner %q", s.Owner())
	}
	if !bytes.Equal(got, badSyncML) {
		s := NewSession(nil)
		if err := s.UnmarshalBinary(got); err != nil || s.st.Auth != nil {
			t.Fatalf("bob's refused message saved a state accepting him: %v", err)
		}
	}
	if code, body := postBody(srv, basic("alice", "alice-pw")); code != http.StatusOK || hdrStatus(body) != "212" {
		t.Fatalf("alice: HTTP %d, SyncHdr Status %s; want 200 and 212", code, hdrStatus(body))
	}
	got, _, _ = ms.Load(context.Background(), "DEV1")
	s := NewSession(nil)
	if err := s.UnmarshalBinary(got); err != nil || s.Owner() != "alice" {
		t.Fatalf("after alice: %v, owner %q", err, s.Owner())
	}
}
