package fuzz

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// serverReceiveRun has a device send an object to a Server in three
// chunks, the second of 64 KiB, which the Server keeps in a segment of
// its Store: it returns the state saved after the second (of format 11,
// naming the segment and its generation, its own data only the first
// chunk's) and the device's third message, the last chunk.
func serverReceiveRun(tb testing.TB) (state, next []byte) {
	tb.Helper()
	store := session.NewMemoryStore()
	srv := session.NewServer(session.ServerConfig{Store: store})
	parts := []string{"ab", strings.Repeat("x", 64<<10), "cd"}
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	var msgs [][]byte
	for i, part := range parts {
		body, more, final, meta := "", "", "", ""
		if i == 0 {
			body = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`
			meta = `<Meta><Size xmlns="syncml:metinf">` + strconv.Itoa(size) + `</Size></Meta>`
		}
		if i < len(parts)-1 {
			more = `<MoreData/>`
		} else {
			final = `<Final/>`
		}
		body += `<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/MSFT/Big</LocURI></Target>` + meta +
			`<Data>` + part + `</Data>` + more + `</Item></Replace>`
		msgs = append(msgs, []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>`+
			`<SessionID>1</SessionID><MsgID>`+strconv.Itoa(i+1)+`</MsgID><Target><LocURI>S</LocURI></Target>`+
			`<Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody>`+body+final+`</SyncBody></SyncML>`))
	}
	for _, raw := range msgs[:2] {
		req := httptest.NewRequest(http.MethodPost, "http://dm.test/", bytes.NewReader(raw))
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			tb.Fatalf("HTTP %d", rec.Code)
		}
	}
	state, _, err := store.Load(context.Background(), "D")
	if err != nil || len(state) == 0 || state[0] != 11 {
		tb.Fatalf("state of the Server after the second chunk: %d bytes, %v", len(state), err)
	}
	return state, msgs[2]
}
