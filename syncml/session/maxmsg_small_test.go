package session

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServerDeviceMaxMsgSizeTooSmall: a device announcing a MaxMsgSize
// that not even the reply's SyncHdr and Statuses fit in is refused as a
// bad request (400, logged as a refusal, not as a server error), and the
// server goes on serving it: the same device with a workable MaxMsgSize
// is answered. Handle's error says whose bound it was (ErrProtocol as
// well as ErrLimit). Before, it was HTTP 500, logged at Error as a
// failure of the server's. A server whose own Config.MaxMsgSize is the
// bound that nothing fits in still gets 500: that is its own setting.
func TestServerDeviceMaxMsgSizeTooSmall(t *testing.T) {
	for _, tc := range []struct {
		name       string
		own, peer  int
		wantCode   int
		wantErrLog bool
	}{
		{"device's bound", 0, 200, http.StatusBadRequest, false},
		{"device's bound under the server's", 5000, 300, http.StatusBadRequest, false},
		{"server's own bound", 200, 0, http.StatusInternalServerError, true},
		{"server's own bound under the device's", 200, 5000, http.StatusInternalServerError, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := NewServer(ServerConfig{Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Session: Config{MaxMsgSize: tc.own}})
			post := func(raw []byte) int {
				r := httptest.NewRequest(http.MethodPost, "/ManagementServer/MDM.svc", bytes.NewReader(raw))
				r.Header.Set("Content-Type", ContentType)
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				return w.Code
			}
			if got := post(sizedMsg("1", "1", tc.peer, alert1201, true)); got != tc.wantCode {
				t.Fatalf("HTTP %d, want %d; log:\n%s", got, tc.wantCode, logs.String())
			}
			if got := strings.Contains(logs.String(), "level=ERROR"); got != tc.wantErrLog {
				t.Errorf("logged at Error: %v, want %v; log:\n%s", got, tc.wantErrLog, logs.String())
			}
			if tc.own == 0 {
				if got := post(sizedMsg("2", "1", 5000, alert1201, true)); got != http.StatusOK {
					t.Errorf("then MaxMsgSize 5000: HTTP %d, want 200", got)
				}
			}
		})
	}
	s := NewSession(nil)
	_, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", 200, alert1201, true)})
	if !errors.Is(err, ErrLimit) || !errors.Is(err, ErrProtocol) {
		t.Errorf("Handle: %v, want an error matching ErrLimit and ErrProtocol", err)
	}
}
