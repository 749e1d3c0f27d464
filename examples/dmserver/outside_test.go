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
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
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

// corpusDir returns the folder of the conformance messages, found by
// walking up from the package; the test is skipped without it.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for d := dir; filepath.Dir(d) != d; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "conformance", "syncml")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
	}
	t.Skip("no conformance corpus")
	return ""
}

// wantStatuses returns, in order, the CmdIDs of the commands of cmds
// (nested ones after their Atomic or Sequence) that a Status answers:
// every command but a Status, a Results (answered 200: none), one with
// NoResp, and an element the model does not know.
func wantStatuses(cmds []syncml.Command) []string {
	var out []string
	for _, c := range cmds {
		switch c.(type) {
		case *syncml.Status, *syncml.Results, *syncml.Unknown:
			continue
		}
		if f := reflect.ValueOf(c).Elem().FieldByName("NoResp"); !f.IsValid() || !f.Bool() {
			out = append(out, c.ID())
		}
		out = append(out, wantStatuses(c.Nested())...)
	}
	return out
}

// TestOutsideCorpus posts every message of the conformance corpus, as it
// is, to a dmserver of its own over HTTP and checks the reply against
// the rules of issue 10: a message the codec refuses is answered 400
// (never 5xx); any other one is answered in its dialect (root namespace,
// VerDTD, VerProto), with its SessionID as sent, Target and Source
// swapped, the SyncHdr's Status first (CmdRef 0, MsgRef the message's
// MsgID, TargetRef and SourceRef the header's), then one Status per
// command that needs one, in command order, each with the right MsgRef
// and Cmd; CmdIDs from 1, none "0", none twice; a valid message within
// the device's MaxMsgSize; Final when the message was Final (a first
// session's commands go out), else an Alert 1222 and no Final.
func TestOutsideCorpus(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus %s: %d files, %v", dir, len(files), err)
	}
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	accepted := 0
	for _, f := range files {
		name := filepath.Base(f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// every file is its own device, so that no two share a session
		dev := strings.TrimSuffix(name, ".xml")
		var in syncml.Message
		inErr := syncml.Unmarshal(raw, &in)
		if inErr == nil && in.Header.Source.LocURI != "" {
			raw = bytes.Replace(raw, []byte(">"+in.Header.Source.LocURI+"<"), []byte(">"+dev+"<"), 1)
			if err := syncml.Unmarshal(raw, &in); err != nil || in.Header.Source.LocURI != dev {
				t.Fatalf("%s: Source not replaced: %v", name, err)
			}
		}
		code, b := postRaw(t, srv.URL+Path, windowsContentType, raw)
		h := &in.Header
		if inErr != nil || in.NoHeader || h.SessionID == "" || h.MsgID == "" || h.Source.LocURI == "" || h.Target.LocURI == "" {
			if code != http.StatusBadRequest {
				t.Errorf("%s: not a message the session can run (%v), HTTP %d, want 400", name, inErr, code)
			}
			continue
		}
		if code != http.StatusOK {
			t.Errorf("%s: HTTP %d: %s", name, code, b)
			continue
		}
		accepted++
		var out syncml.Message
		if err := syncml.Unmarshal(b, &out); err != nil {
			t.Errorf("%s: reply: %v", name, err)
			continue
		}
		if err := out.Validate(); err != nil {
			t.Errorf("%s: reply does not validate: %v", name, err)
		}
		o := &out.Header
		if out.XMLNS != in.XMLNS || o.VerDTD != h.VerDTD || o.VerProto != h.VerProto {
			t.Errorf("%s: dialect %q %q %q, want %q %q %q", name, out.XMLNS, o.VerDTD, o.VerProto, in.XMLNS, h.VerDTD, h.VerProto)
		}
		if o.SessionID != h.SessionID || o.MsgID != "1" {
			t.Errorf("%s: SessionID %q MsgID %q, want %q 1", name, o.SessionID, o.MsgID, h.SessionID)
		}
		if o.Target.LocURI != h.Source.LocURI || o.Source.LocURI != h.Target.LocURI {
			t.Errorf("%s: Target %q Source %q, want them swapped from %q %q", name, o.Target.LocURI, o.Source.LocURI, h.Target.LocURI, h.Source.LocURI)
		}
		if mm := h.Meta; mm != nil && mm.MaxMsgSize != "" {
			if n, err := strconv.Atoi(mm.MaxMsgSize); err == nil && len(b) > n {
				t.Errorf("%s: reply of %d bytes over the device's MaxMsgSize %d", name, len(b), n)
			}
		}
		seen := map[string]bool{}
		var got []string
		var others []syncml.Command
		for i, c := range out.Body.Commands {
			if id := c.ID(); id == "" || id == "0" || seen[id] || id != strconv.Itoa(i+1) {
				t.Errorf("%s: command %d has CmdID %q", name, i+1, id)
			}
			seen[c.ID()] = true
			st, ok := c.(*syncml.Status)
			if !ok {
				others = append(others, c)
				continue
			}
			if len(others) > 0 {
				t.Errorf("%s: Status %s after a command", name, st.CmdID)
			}
			if st.MsgRef != h.MsgID {
				t.Errorf("%s: Status %s MsgRef %q, want %q", name, st.CmdID, st.MsgRef, h.MsgID)
			}
			if i == 0 {
				if st.CmdRef != "0" || st.Cmd != "SyncHdr" || len(st.TargetRef) != 1 || st.TargetRef[0] != h.Target.LocURI ||
					len(st.SourceRef) != 1 || st.SourceRef[0] != h.Source.LocURI {
					t.Errorf("%s: first Status %+v, want the SyncHdr's", name, st)
				}
				continue
			}
			got = append(got, st.CmdRef)
		}
		if len(out.Body.Commands) == 0 || out.Body.Commands[0].ElementName() != "Status" {
			t.Errorf("%s: no SyncHdr Status first", name)
		}
		want := wantStatuses(in.Body.Commands)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: Statuses for CmdIDs %v, want %v", name, got, want)
		}
		for _, st := range out.Body.Commands {
			if st, ok := st.(*syncml.Status); ok && st.CmdRef != "0" {
				if c := findCmd(in.Body.Commands, st.CmdRef); c == nil || c.ElementName() != st.Cmd {
					t.Errorf("%s: Status for %s names Cmd %q", name, st.CmdRef, st.Cmd)
				}
			}
		}
		switch {
		case in.Body.Final && !out.Body.Final:
			t.Errorf("%s: Final message answered without Final", name)
		case in.Body.Final && len(others) == 0 && !aborts(&in):
			t.Errorf("%s: no command on the device's first session", name)
		case !in.Body.Final && (out.Body.Final || len(others) != 1 || others[0].ElementName() != "Alert"):
			t.Errorf("%s: a message without Final answered with Final %v and %d commands, want Alert 1222 alone", name, out.Body.Final, len(others))
		}
	}
	if accepted < 30 {
		t.Errorf("%d messages accepted: the corpus checks little", accepted)
	}
}

// findCmd returns the command of cmds (nested ones included) whose
// CmdID is id.
func findCmd(cmds []syncml.Command, id string) syncml.Command {
	for _, c := range cmds {
		if c.ID() == id {
			return c
		}
		if n := findCmd(c.Nested(), id); n != nil {
			return n
		}
	}
	return nil
}

// aborts reports whether m holds an Alert 1223 (session abort).
func aborts(m *syncml.Message) bool {
	for _, c := range m.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok && a.Data != nil && a.Data.Value == "1223" {
			return true
		}
	}
	return false
}

// TestOutsideSessionIDAsSent: the SessionID is an opaque string, kept
// byte for byte: "0", white space around it or inside, an escaped
// character and non-ASCII text come back as the device wrote them, in
// every reply of the session, and the device's next message under that
// same SessionID continues the session (MsgID 2, its Statuses matched)
// instead of starting another.
func TestOutsideSessionIDAsSent(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil)))
	defer srv.Close()
	url := srv.URL + Path
	for i, sid := range []string{"0", " 1 ", "\t7\n", "a&amp;b", "ÄÖ-ß", "00"} {
		dev := fmt.Sprintf("DEV-SID%d", i)
		msg := func(msgID, body string) []byte {
			return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
				`<SessionID>` + sid + `</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
				`<Source><LocURI>` + dev + `</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
		}
		logs.Reset()
		code, b := postRaw(t, url, session.ContentType, msg("1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`))
		want := "<SessionID>" + sid + "</SessionID><MsgID>1</MsgID>"
		if code != http.StatusOK || !bytes.Contains(b, []byte(want)) {
			t.Errorf("SessionID %q: HTTP %d, reply lacks %q: %.200s", sid, code, want, b)
			continue
		}
		var out syncml.Message
		if err := syncml.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		// Answer every command 200 (the Gets with Results): the session
		// goes on under the same SessionID.
		body := `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
		id := 2
		for _, c := range out.Body.Commands {
			if _, ok := c.(*syncml.Status); ok {
				continue
			}
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>200</Data></Status>`, id, c.ID(), c.ElementName())
			id++
			if _, ok := c.(*syncml.Get); ok {
				body += fmt.Sprintf(`<Results><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>v</Data></Item></Results>`,
					id, c.ID(), syncml.Targets(c)[0])
				id++
			}
		}
		code, b = postRaw(t, url, session.ContentType, msg("2", body))
		want = "<SessionID>" + sid + "</SessionID><MsgID>2</MsgID>"
		if code != http.StatusOK || !bytes.Contains(b, []byte(want)) {
			t.Errorf("SessionID %q, message 2: HTTP %d, reply lacks %q: %.200s", sid, code, want, b)
		}
		if n, w := strings.Count(logs.String(), `msg="session start"`), strings.Count(logs.String(), "status=200"); n != 1 || w < len(firstSessionGets) {
			t.Errorf("SessionID %q: %d session starts (want 1), %d commands answered 200:\n%s", sid, n, w, logs.String())
		}
		if strings.Contains(logs.String(), "answer matches no command") {
			t.Errorf("SessionID %q: answers unmatched:\n%s", sid, logs.String())
		}
	}
}

// TestOutsideNoGoroutineLeak posts 10,000 requests, most of them bad (not
// XML, empty, a second root, a root that is not SyncML, cut short, no
// Source, WBXML, text/xml, over the size bound, GET) and some good
// check-ins, over keep-alive connections, and checks that once the client
// has closed its connections the process runs no more goroutines than
// before: no exchange, good or refused, leaves one behind.
func TestOutsideNoGoroutineLeak(t *testing.T) {
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	url := srv.URL + Path
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	hc := &http.Client{Transport: tr}
	good := checkIn("DEV-LEAK")
	big := append(bytes.Repeat([]byte(" "), int(session.DefaultMaxBytes)), good...)
	type req struct {
		method, ct string
		body       []byte
		code       int
	}
	bad := []req{
		{http.MethodPost, session.ContentType, []byte("hello"), 400},
		{http.MethodPost, session.ContentType, nil, 400},
		{http.MethodPost, session.ContentType, append(append([]byte(nil), good...), good...), 400},
		{http.MethodPost, session.ContentType, []byte("<Foo/>"), 400},
		{http.MethodPost, session.ContentType, good[:len(good)/2], 400},
		{http.MethodPost, session.ContentType, hdrMsg("1", `<Target><LocURI>x</LocURI></Target>`, ""), 400},
		{http.MethodPost, "application/vnd.syncml.dm+wbxml", good, 415},
		{http.MethodPost, "text/xml", good, 415},
		{http.MethodGet, "", nil, 405},
		{http.MethodPost, windowsContentType, good, 200},
	}
	do := func(r req) {
		hr, err := http.NewRequest(r.method, url, bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if r.ct != "" {
			hr.Header.Set("Content-Type", r.ct)
		}
		resp, err := hc.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != r.code {
			t.Fatalf("%s %s %.40q: HTTP %d, want %d", r.method, r.ct, r.body, resp.StatusCode, r.code)
		}
	}
	for _, r := range bad { // warm up: whatever the server starts once is counted in before
		do(r)
	}
	tr.CloseIdleConnections()
	before := settledGoroutines(0)
	for i := range 10000 {
		do(bad[i%len(bad)])
		if i%1000 == 0 {
			do(req{http.MethodPost, session.ContentType, big, 413})
		}
	}
	tr.CloseIdleConnections()
	if after := settledGoroutines(before); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after 10,000 requests:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

// settledGoroutines returns the number of goroutines once it is at most
// want (0: once it stops changing), waiting at most a minute for the
// connections' goroutines to see their connection closed.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if want > 0 && m <= want || want == 0 && m == n {
			return m
		}
		n = m
	}
	return n
}

// TestOutsideRefusedCommandLogged: a command the session does not send
// (its object over the device's MaxObjSize; no message within its
// MaxMsgSize carrying it) is surfaced in dmserver's log with the reason,
// not as a command "abandoned=false" with no word of why.
func TestOutsideRefusedCommandLogged(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil)))
	defer srv.Close()
	for _, tc := range []struct{ meta, why string }{
		{`<MaxObjSize xmlns="syncml:metinf">10</MaxObjSize>`, "MaxObjSize"},
		{`<MaxMsgSize xmlns="syncml:metinf">700</MaxMsgSize>`, "MaxMsgSize"},
	} {
		logs.Reset()
		raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
			`<Source><LocURI>DEV-REFUSED` + strconv.Itoa(len(tc.meta)) + `</LocURI></Source><Meta>` + tc.meta + `</Meta></SyncHdr><SyncBody>` +
			`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>`)
		for i := 2; i < 20 && !strings.Contains(logs.String(), "cmd=Replace"); i++ {
			code, b := postRaw(t, srv.URL+Path, session.ContentType, raw)
			if code != http.StatusOK {
				t.Fatalf("%s: HTTP %d: %s", tc.why, code, b)
			}
			// ask for the next message of the package, answering nothing
			raw = bytes.Replace(raw, []byte(fmt.Sprintf("<MsgID>%d</MsgID>", i-1)), []byte(fmt.Sprintf("<MsgID>%d</MsgID>", i)), 1)
			raw = bytes.Replace(raw, []byte(`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/>`), []byte(`<Alert><CmdID>1</CmdID><Data>1222</Data></Alert>`), 1)
		}
		var line string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "command answered") && strings.Contains(l, "cmd=Replace") {
				line = l
			}
		}
		if !strings.Contains(line, tc.why) {
			t.Errorf("%s: the Replace not sent is logged as %q, without the reason:\n%s", tc.why, line, logs.String())
		}
	}
}
