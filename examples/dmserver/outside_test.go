package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml/session"
)

// The tests of this file check dmserver from outside, as a conformance
// harness does: real HTTP on loopback, bytes a device would post, and
// the rules of issue 10 checked on the bytes that come back.

// postRaw posts body to url with the content type ct and returns the
// HTTP status and the reply's bytes.
func postRaw(t *testing.T, url, ct string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// hdrMsg is a device's package 1 (Alert 1201) whose SyncHdr ends with
// target and source as given (either may be empty: left out).
func hdrMsg(sessionID, target, source string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sessionID + `</SessionID><MsgID>1</MsgID>` + target + source +
		`</SyncHdr><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
}

// TestOutsideHeaderNamesBothEnds: a SyncHdr without Source (or with an
// empty one) names no device, and one without Target leaves the reply
// without Source: the DTD requires both, and the server answers 400 as
// for a SyncHdr without SessionID, instead of opening a first session
// for the device "" that it keeps nowhere (its Gets could never be
// matched to what comes back).
func TestOutsideHeaderNamesBothEnds(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil)))
	defer srv.Close()
	url := srv.URL + Path
	const target, source = `<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>`, `<Source><LocURI>DEV-ENDS</LocURI></Source>`
	for _, tc := range []struct{ name, target, source string }{
		{"no Source", target, ""},
		{"empty Source LocURI", target, `<Source><LocURI></LocURI></Source>`},
		{"no Target", "", source},
	} {
		code, b := postRaw(t, url, session.ContentType, hdrMsg("1", tc.target, tc.source))
		if code != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400: %.300s", tc.name, code, b)
		}
	}
	if strings.Contains(logs.String(), `msg="session start" device=""`) {
		t.Errorf("a session started for no device:\n%s", logs.String())
	}
	if code, b := postRaw(t, url, session.ContentType, hdrMsg("1", target, source)); code != http.StatusOK {
		t.Errorf("whole SyncHdr: HTTP %d: %s", code, b)
	}
}
