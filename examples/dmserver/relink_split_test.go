package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device that reads EnrollStatus 1 (not started) in a later session is
// linked again in that session once, and one that reads 1 after the Exec
// of its first session is not linked again in it, also when the device's MaxMsgSize
// spreads the linked enrollment's commands over two replies: the Replace
// and the Exec in one, the Gets of EnrollStatus and LastError in the next
// (the device asks for it with Alert 1222). The device answers each reply
// as it comes, so the Exec's Status and the EnrollStatus it reads back
// arrive in different exchanges; relink, which skipped only an
// EnrollStatus read in the exchange of the Exec's Status, started the
// enrollment again on every such read: the device, still at 1, got Exec
// Enroll again and again until its Run gave up (MaxMessages).
func TestRelinkOnceWhenSpread(t *testing.T) {
	for _, max := range []int{900, 1000, 1100, 1200, 1400, 1600, 65536} {
		var logs bytes.Buffer
		srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil))
		url := srv.URL + Path
		var enrollStatus string // what the device answers for EnrollStatus
		mux := session.NewMux()
		mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			var items []syncml.Item
			for _, it := range r.Command.ItemList() {
				v := "value of " + it.Target.LocURI
				if it.Target.LocURI == string(linkedProvider.EnrollStatus()) {
					v = enrollStatus
				}
				items = append(items, syncml.Item{Source: it.Target, Meta: &syncml.Meta{Format: "int"}, Data: syncml.Text(v)})
			}
			return session.Response{Results: items}
		}))
		c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV-SPREAD", ServerURI: url, Handler: mux, MaxMsgSize: max, MaxMessages: 40,
			DevInfo: session.DevInfo{DevID: "DEV-SPREAD", Lang: "en-US"}})
		if err != nil {
			t.Fatal(err)
		}
		// the first session links the device, which reads 3, then 1
		// (sessions 2 and 3: linked again, once) and 1 in a first session
		// of another ID (linked once: its first session does it)
		for _, sess := range []struct{ device, sid, status string }{
			{"DEV-SPREAD", "1", "3"}, {"DEV-SPREAD", "2", "1"}, {"DEV-SPREAD", "3", "1"}, {"DEV-SPREAD-NEW", "1", "1"},
		} {
			c := c
			if sess.device != "DEV-SPREAD" {
				if c, err = session.NewClient(session.ClientConfig{DeviceID: sess.device, ServerURI: url, Handler: mux, MaxMsgSize: max, MaxMessages: 40,
					DevInfo: session.DevInfo{DevID: sess.device, Lang: "en-US"}}); err != nil {
					t.Fatal(err)
				}
			}
			enrollStatus = sess.status
			logs.Reset()
			_, err := c.Run(context.Background(), srv.Client(), url, sess.sid)
			execs := strings.Count(logs.String(), "cmd=Exec targets=["+string(linkedProvider.Enroll())+"]")
			if err != nil || execs != 1 {
				t.Errorf("MaxMsgSize %d: %s session %s reading %s: %d Exec Enroll answered (want 1), Run: %v", max, sess.device, sess.sid, sess.status, execs, err)
			}
		}
		srv.Close()
	}
}
