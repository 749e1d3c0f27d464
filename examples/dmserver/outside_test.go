package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// TestOutsideStalledConnectionsEnd: a connection whose request body
// stops coming, and a keep-alive connection left idle after its
// exchange, are closed by the server after a bound, so that their
// goroutines do not outlive them. With ReadHeaderTimeout alone (how run
// served before), both were held open for as long as the client kept
// them: checked from outside, a body stalled after 8 bytes and a
// connection idle after a check-in were both still open 25 s later.
func TestOutsideStalledConnectionsEnd(t *testing.T) {
	srv := newHTTPServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("ReadHeaderTimeout %v, ReadTimeout %v, IdleTimeout %v: a stalled body or an idle keep-alive connection is held forever",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
	// What the bounds do, at a scale the test can wait for: the
	// exchange whose body stalls ends (the handler's read fails and the
	// connection is closed), and so does the idle connection.
	srv.ReadTimeout, srv.IdleTimeout = 100*time.Millisecond, 100*time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	addr := ln.Addr().String()
	body := checkIn("DEV-STALL")
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		Path, addr, session.ContentType, len(body), body[:8])
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		Path, addr, session.ContentType, len(body), body)
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("check-in: HTTP %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name string
		c    net.Conn
		r    io.Reader
	}{{"stalled body", stalled, stalled}, {"idle keep-alive", idle, br}} {
		_ = tc.c.SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := io.Copy(io.Discard, tc.r); err != nil { // nil: EOF, the server closed it
			t.Errorf("%s: still open a minute on: %v", tc.name, err)
		}
	}
}
