package session_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestChallengeAnnouncesMaxMsgSize: a Server's challenge (401 to package
// 1) carries Config.AnnounceMaxMsgSize as every reply does, so that a
// Client, which takes the MaxMsgSize of the last server message it
// handled (none when it says none), sends package 1 again with its
// credentials within it. Before, the challenge said nothing and package 1
// went again whole (20,603 bytes to a server announcing 4,000).
func TestChallengeAnnouncesMaxMsgSize(t *testing.T) {
	users := &session.MemoryUsers{}
	users.Set("dev1", "secret")
	srv := session.NewServer(session.ServerConfig{Session: session.Config{
		Authenticator:      &session.CredAuthenticator{Type: session.AuthMD5, Users: users},
		AnnounceMaxMsgSize: 4000,
	}})
	var posts []int
	var replies []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		posts = append(posts, len(b))
		r.Body = io.NopCloser(bytes.NewReader(b))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		replies = append(replies, rec.Body.String())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer ts.Close()
	c, err := session.NewClient(session.ClientConfig{DeviceID: "dev1", ServerURI: ts.URL, ServerMaxMsgSize: 4000,
		Credentials: &session.ClientAuth{Username: "dev1", Password: "secret", Type: session.AuthMD5}})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Queue(&syncml.Replace{Items: []syncml.Item{{Source: &syncml.Location{LocURI: "./Vendor/Up"}, Data: syncml.Text(strings.Repeat("y", 20000))}}})
	if _, err := c.Run(context.Background(), ts.Client(), ts.URL, "1"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(replies[0], "<MaxMsgSize") {
		t.Errorf("the challenge announces no MaxMsgSize: %s", replies[0])
	}
	for i, n := range posts {
		if n > 4000 {
			t.Errorf("post %d is %d bytes, over the 4000 announced", i+1, n)
		}
	}
}
