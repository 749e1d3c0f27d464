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
// linked again in that session once, also when the device's MaxMsgSize
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
		enrollStatus := "3" // what the device answers for EnrollStatus
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
		if _, err := c.Run(context.Background(), srv.Client(), url, "1"); err != nil {
			t.Fatalf("MaxMsgSize %d: first session: %v", max, err)
		}
		// the next session reads 1: linked again, once
		enrollStatus = "1"
		logs.Reset()
		_, err = c.Run(context.Background(), srv.Client(), url, "2")
		execs := strings.Count(logs.String(), "cmd=Exec targets=["+string(linkedProvider.Enroll())+"]")
		if err != nil || execs != 1 {
			t.Errorf("MaxMsgSize %d: second session: %d Exec Enroll answered (want 1), Run: %v", max, execs, err)
		}
		srv.Close()
	}
}
