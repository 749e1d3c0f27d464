package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/syncmltest"
)

func TestLoopbackOnly(t *testing.T) {
	for _, a := range []string{"127.0.0.1:0", "[::1]:8080", "localhost:1"} {
		if err := loopback(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"0.0.0.0:80", ":8080", "10.0.0.1:80", "example.com:80", "nonsense"} {
		if err := loopback(a); err == nil {
			t.Errorf("%s accepted", a)
		}
	}
}

func TestDeviceSession(t *testing.T) {
	var logs bytes.Buffer
	// at Debug, the Server's record of each exchange shows how many there were
	srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), nil))
	defer srv.Close()
	url := srv.URL + Path

	enrollStatus := "" // what the device answers for EnrollStatus
	mux := session.NewMux()
	mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			v := "value of " + it.Target.LocURI
			if it.Target.LocURI == string(linkedProvider.EnrollStatus()) && enrollStatus != "" {
				v = enrollStatus
			}
			items = append(items, syncml.Item{Source: it.Target, Meta: &syncml.Meta{Format: "int"}, Data: syncml.Text(v)})
		}
		return session.Response{Results: items}
	}))
	c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV-A", ServerURI: url, Handler: mux, DevInfo: session.DevInfo{DevID: "DEV-A", Lang: "en-US"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), srv.Client(), url, "1"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"session start", "first=true", "value=\"value of ./DevDetail/HwV\"", "value=\"value of ./DevInfo/DevId\"", "status=200"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	// One Info record for the session, however many exchanges it took;
	// the exchanges' own records are Debug.
	if n, x := strings.Count(logs.String(), "level=INFO msg=\"session start\""), strings.Count(logs.String(), "level=DEBUG msg=\"session exchange\""); n != 1 || x < 2 {
		t.Errorf("first session: %d session records, %d exchange records (want 1, at least 2):\n%s", n, x, logs.String())
	}
	if strings.Contains(logs.String(), "level=INFO msg=\"session exchange\"") {
		t.Errorf("an exchange logged at Info:\n%s", logs.String())
	}
	// The second session of the device reads EnrollStatus only; this
	// device's answer is no EnrollStatus, so nothing follows.
	logs.Reset()
	if _, err := c.Run(context.Background(), srv.Client(), url, "2"); err != nil {
		t.Fatal(err)
	}
	if strings.Count(logs.String(), "command answered") != 1 || !strings.Contains(logs.String(), "targets=["+string(linkedProvider.EnrollStatus())+"]") ||
		!strings.Contains(logs.String(), "first=false") {
		t.Errorf("second session:\n%s", logs.String())
	}
	// A device whose EnrollStatus reads 1 (not started) is linked again
	// in the same session.
	enrollStatus = "1"
	logs.Reset()
	if _, err := c.Run(context.Background(), srv.Client(), url, "3"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cmd=Replace targets=[" + string(linkedProvider.DiscoveryEndpoint()) + "]", "cmd=Exec targets=[" + string(linkedProvider.Enroll()) + "]"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("third session lacks %q:\n%s", want, logs.String())
		}
	}
	// The device still reads 1 after the Exec: it is not asked again.
	if n := strings.Count(logs.String(), "cmd=Exec"); n != 1 {
		t.Errorf("third session: %d Execs, want 1", n)
	}
}

// TestLogsEachSession: dmserver logs each session with slog, one Info
// record when it starts (device, user, auth, first), however many
// exchanges it takes; the exchanges themselves write nothing at Info.
func TestLogsEachSession(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil))
	defer srv.Close()
	url := srv.URL + Path
	mux := session.NewMux()
	mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			items = append(items, syncml.Item{Source: it.Target, Data: syncml.Text("v")})
		}
		return session.Response{Results: items}
	}))
	var want []string
	for _, dev := range []string{"DEV-L1", "DEV-L2"} {
		c, err := session.NewClient(session.ClientConfig{DeviceID: dev, ServerURI: url, Handler: mux})
		if err != nil {
			t.Fatal(err)
		}
		for i, first := range []string{"true", "false"} {
			if _, err := c.Run(context.Background(), srv.Client(), url, string(rune('1'+i))); err != nil {
				t.Fatal(err)
			}
			want = append(want, `level=INFO msg="session start" device=`+dev+` user="" auth=none first=`+first)
		}
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if i := strings.Index(line, "level=INFO"); i >= 0 && strings.Contains(line, "session") {
			got = append(got, line[i:])
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("session records:\n%s\nwant:\n%s\nlog:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), logs.String())
	}
	if n := strings.Count(logs.String(), "command answered"); n < 10 {
		t.Errorf("%d commands answered: the first sessions took one exchange each?\n%s", n, logs.String())
	}
}

// restartBeforeAnswering has device check in to dmserver twice, the
// second a new session that answers nothing of the first, and returns
// what dmserver logged (text records, with opts).
func restartBeforeAnswering(t *testing.T, opts *slog.HandlerOptions, device string) string {
	t.Helper()
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, opts)), nil)))
	defer srv.Close()
	for _, sid := range []string{"1", "2"} {
		if code, b := postRaw(t, srv.URL+Path, session.ContentType, syncmltest.WindowsCheckIn(device, sid)); code != http.StatusOK {
			t.Fatalf("session %s: HTTP %d: %s", sid, code, b)
		}
	}
	return logs.String()
}

// A device that starts a new session before answering its first one gives
// up all of that session's commands at once: one record names those given
// up (the linked enrollment's), one at Info the Gets asked again, not one
// record (and a warning for each linked-enrollment node) per command.
func TestLogsAbandonedOnce(t *testing.T) {
	l := restartBeforeAnswering(t, nil, "DEV-AB")
	want := len(linkedProvider.Start("http://127.0.0.1/"))
	if strings.Count(l, `msg="commands abandoned"`) != 1 || !strings.Contains(l, fmt.Sprintf("device=DEV-AB count=%d targets=", want)) ||
		!strings.Contains(l, string(linkedProvider.EnrollStatus())) || strings.Contains(l, "abandoned=true") {
		t.Errorf("want one record of %d commands abandoned:\n%s", want, l)
	}
	if strings.Count(l, `level=INFO msg="commands asked again"`) != 1 || !strings.Contains(l, fmt.Sprintf("device=DEV-AB count=%d targets=", len(firstSessionGets))) {
		t.Errorf("want one record of %d Gets asked again:\n%s", len(firstSessionGets), l)
	}
}

// With Info records off, the linked-enrollment nodes a restart gave up
// are still told at Warn, as they were before the abandoned commands went
// into one record: that record is a warning when it holds them.
func TestLogsAbandonedLinkedAtWarn(t *testing.T) {
	l := restartBeforeAnswering(t, &slog.HandlerOptions{Level: slog.LevelWarn}, "DEV-AW")
	want := len(linkedProvider.Start("http://127.0.0.1/"))
	if strings.Count(l, `level=WARN msg="commands abandoned"`) != 1 || !strings.Contains(l, fmt.Sprintf("device=DEV-AW count=%d targets=", want)) ||
		!strings.Contains(l, string(linkedProvider.EnrollStatus())) {
		t.Errorf("want one warning of %d commands abandoned, the linked enrollment's among them:\n%s", want, l)
	}
}

// A command whose Results came back without its Status before the device
// restarted is abandoned with those Results: its value is logged, not
// folded into the record of the commands given up without an answer.
func TestLogsAbandonedWithResults(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil)))
	defer srv.Close()
	post := func(body []byte) *syncml.Message {
		t.Helper()
		code, b := postRaw(t, srv.URL+Path, session.ContentType, body)
		var m syncml.Message
		if code != http.StatusOK || syncml.Unmarshal(b, &m) != nil {
			t.Fatalf("HTTP %d: %s", code, b)
		}
		return &m
	}
	reply := post(syncmltest.WindowsCheckIn("DEV-AR", "1"))
	cmdRef := ""
	for _, c := range reply.Body.Commands {
		if t := syncml.Targets(c); len(t) == 1 && t[0] == "./DevDetail/OEM" {
			cmdRef = c.ID()
		}
	}
	if cmdRef == "" {
		t.Fatalf("no Get of ./DevDetail/OEM in the first reply")
	}
	// the Results of that Get, its Status not yet
	post([]byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>` +
		`<Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>DEV-AR</LocURI></Source></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>` + cmdRef + `</CmdRef><Item><Source><LocURI>./DevDetail/OEM</LocURI></Source><Data>Contoso-OEM</Data></Item></Results>` +
		`<Final/></SyncBody></SyncML>`))
	post(syncmltest.WindowsCheckIn("DEV-AR", "2"))
	if l := logs.String(); !strings.Contains(l, "targets=[./DevDetail/OEM] abandoned=true value=Contoso-OEM") ||
		!strings.Contains(l, `msg="commands asked again" device=DEV-AR count=5 `) || !strings.Contains(l, `msg="commands abandoned" device=DEV-AR count=4 `) {
		t.Errorf("the value of the abandoned Get is not logged:\n%s", l)
	}
}

func TestWindowsPackage1(t *testing.T) {
	dir, _ := filepath.Abs(".")
	var raw []byte
	for d := dir; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "shared", "conformance", "syncml", "055-marcosd4h-readme-L409.xml")); err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		t.Skip("no conformance corpus")
	}
	// With -auth md5 the same message, which carries no Cred, is answered
	// 407 with an MD5 challenge and nothing queued goes out.
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("dev:secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	auth, err := authenticator("md5", users, false)
	if err != nil {
		t.Fatal(err)
	}
	authSrv := httptest.NewServer(newMux(slog.New(slog.DiscardHandler), auth))
	defer authSrv.Close()
	resp, err := http.Post(authSrv.URL+Path, windowsContentType, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ch syncml.Message
	if err := syncml.Unmarshal(b, &ch); err != nil {
		t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	if st, ok := ch.Body.Commands[0].(*syncml.Status); !ok || len(ch.Body.Commands) != 1 || st.Chal == nil ||
		st.Chal.Meta.Type != "syncml:auth-md5" || st.Chal.Meta.NextNonce == "" || st.Data.Value != "407" {
		t.Errorf("-auth md5 reply: %s", b)
	}

	srv := httptest.NewServer(newMux(slog.New(slog.DiscardHandler), nil))
	defer srv.Close()
	resp, err = http.Post(srv.URL+Path, windowsContentType, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	var m syncml.Message
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	if err := syncml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The first session's Gets, and the start of the linked enrollment:
	// DiscoveryEndpoint set to dmserver's own /windc/discovery, Exec
	// Enroll, Gets of EnrollStatus and LastError.
	gets, endpoint, enroll := 0, "", ""
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Get:
			gets++
		case *syncml.Replace:
			if c.Items[0].Target.LocURI == string(linkedProvider.DiscoveryEndpoint()) {
				endpoint = c.Items[0].Data.Value
			}
		case *syncml.Exec:
			enroll = c.Items[0].Target.LocURI
		}
	}
	if gets != len(firstSessionGets)+2 || m.Header.SessionID != "1" || m.Header.Target.LocURI != "1E08C6E95D8BB843B1278FF45BC60CC6" {
		t.Errorf("reply: %d Gets, header %+v", gets, m.Header)
	}
	if endpoint != srv.URL+PathWinDCDiscovery || enroll != "./Device/Vendor/MSFT/DMClient/Provider/WinDC-dmserver/LinkedEnrollment/Enroll" {
		t.Errorf("linked enrollment: DiscoveryEndpoint %q, Exec %q", endpoint, enroll)
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
	// Not the XML type: 415; GET: 405.
	resp, err = http.Post(srv.URL+Path, "application/vnd.syncml.dm+wbxml", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("wbxml: %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + Path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

// -auth basic, md5 and hmac with -users: the right password opens a
// session (logged with the user), a wrong one is refused and logged; with
// no -auth any Cred is accepted.
func TestAuthFlags(t *testing.T) {
	file := usersFile(t, "# devices\ndev:secret\n\nother:pa:ss\n")
	run := func(auth session.Authenticator, password string, typ session.AuthType) (string, error) {
		var logs bytes.Buffer
		srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, nil)), auth))
		defer srv.Close()
		url := srv.URL + Path
		c, err := session.NewClient(session.ClientConfig{DeviceID: "DEV-A", LocName: "dev", ServerURI: url,
			Credentials: &session.ClientAuth{Username: "dev", Password: password, Type: typ}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Run(context.Background(), srv.Client(), url, "1")
		return logs.String(), err
	}
	for _, kind := range []string{"basic", "md5", "hmac"} {
		auth, err := authenticator(kind, file, false)
		if err != nil {
			t.Fatal(err)
		}
		logs, err := run(auth, "secret", "")
		if err != nil || !strings.Contains(logs, "user=dev auth="+kind) || !strings.Contains(logs, "command answered") {
			t.Errorf("%s, right password: %v\n%s", kind, err, logs)
		}
		logs, err = run(auth, "wrong", "")
		if err == nil || !strings.Contains(logs, "credentials refused") || strings.Contains(logs, "session start") {
			t.Errorf("%s, wrong password: %v\n%s", kind, err, logs)
		}
	}
	auth, err := authenticator("", "", false)
	if err != nil || auth != nil {
		t.Fatalf("no -auth: %v, %v", auth, err)
	}
	if logs, err := run(auth, "anything", session.AuthBasic); err != nil || !strings.Contains(logs, "command answered") {
		t.Errorf("no -auth, any Cred: %v\n%s", err, logs)
	}
	if logs, err := run(auth, "anything", session.AuthMD5); err != nil || !strings.Contains(logs, "command answered") {
		t.Errorf("no -auth, any MD5 Cred: %v\n%s", err, logs)
	}
	// A password may hold a colon: only the first one separates.
	users, err := readUsers(strings.NewReader("other:pa:ss\n"))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := users.Key(context.Background(), "other"); err != nil || !k.Equal(session.KeyOf("other", "pa:ss")) {
		t.Errorf("colon in password: %v", err)
	}
}

// -auth md5 -bind-users with two users: a device is bound to the first
// user accepted for it, and the other user's valid credentials are
// refused for it (logged as such), the device's own user still accepted.
// Without -bind-users, the other user is accepted.
func TestAuthDeviceOwner(t *testing.T) {
	file := usersFile(t, "alice:alice-pw\nbob:bob-pw\n")
	auth, err := authenticator("md5", file, true)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, nil)), auth))
	defer srv.Close()
	url := srv.URL + Path
	run := func(user, device, sessionID string) error {
		c, err := session.NewClient(session.ClientConfig{DeviceID: device, LocName: user, ServerURI: url,
			Credentials: &session.ClientAuth{Username: user, Password: user + "-pw"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Run(context.Background(), srv.Client(), url, sessionID)
		return err
	}
	if err := run("alice", "DEV-A", "1"); err != nil {
		t.Fatal(err)
	}
	if err := run("bob", "DEV-B", "1"); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	if err := run("alice", "DEV-B", "2"); err == nil {
		t.Error("alice as bob's DEV-B: session ran")
	}
	if l := logs.String(); !strings.Contains(l, `msg="credentials refused" device=DEV-B`) || !strings.Contains(l, `user \"alice\" may not speak for device \"DEV-B\"`) ||
		strings.Contains(l, "session start") {
		t.Errorf("alice as DEV-B:\n%s", l)
	}
	if err := run("bob", "DEV-B", "3"); err != nil {
		t.Errorf("bob as DEV-B: %v", err)
	}

	// without -bind-users
	if auth, err = authenticator("md5", file, false); err != nil {
		t.Fatal(err)
	}
	free := httptest.NewServer(newMux(slog.New(slog.DiscardHandler), auth))
	defer free.Close()
	url = free.URL + Path
	for i, user := range []string{"bob", "alice"} {
		if err := run(user, "DEV-B", strconv.Itoa(i+1)); err != nil {
			t.Errorf("%s as DEV-B without -bind-users: %v", user, err)
		}
	}
}

func TestAuthFlagErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "dev:secret\n")
	for _, tt := range []struct{ kind, file string }{
		{"sha", good},
		{"md5", ""},
		{"md5", filepath.Join(dir, "missing")},
		{"md5", write("empty", "# nobody\n\n")},
		{"md5", write("nocolon", "dev\n")},
		{"md5", write("noname", ":secret\n")},
	} {
		if a, err := authenticator(tt.kind, tt.file, false); err == nil || a != nil {
			t.Errorf("-auth %q -users %q: %v, %v", tt.kind, tt.file, a, err)
		}
	}
	// -bind-users without -auth would bind nothing: no credentials are
	// checked at all
	for _, file := range []string{"", good} {
		if a, err := authenticator("", file, true); err == nil || a != nil {
			t.Errorf("-bind-users without -auth (-users %q): %v, %v", file, a, err)
		}
	}
}

// windowsContentType is the content type Windows posts, with a parameter.
const windowsContentType = `application/vnd.syncml.dm+xml; charset="utf-8"`

// TestCheckInsFirst checks that the handler run serves answers as mux
// does: check-ins go to the DM server, anything else to mux's routes.
func TestCheckInsFirst(t *testing.T) {
	h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil))
	for _, tc := range []struct {
		method, target string
		code           int
		header, want   string // a header that must be set; a text the body holds
	}{
		{http.MethodPost, Path, http.StatusOK, "Content-Type", "<SyncML"},
		{http.MethodPost, Path + "?mode=full", http.StatusOK, "Content-Type", "<SyncML"},
		{http.MethodGet, Path, http.StatusMethodNotAllowed, "Allow", ""},
		{http.MethodPut, Path, http.StatusMethodNotAllowed, "Allow", ""},
		{http.MethodPost, Path + "/", http.StatusNotFound, "", ""},
		{http.MethodPost, "/ManagementServer//MDM.svc", http.StatusTemporaryRedirect, "Location", ""},
		{http.MethodPost, "/ManagementServer/MDM%2Esvc", http.StatusOK, "Content-Type", "<SyncML"},
	} {
		req := httptest.NewRequest(tc.method, tc.target, bytes.NewReader(checkIn("DEV-"+tc.method)))
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.code {
			t.Errorf("%s %s: HTTP %d, want %d", tc.method, tc.target, rec.Code, tc.code)
			continue
		}
		if tc.header != "" && rec.Header().Get(tc.header) == "" {
			t.Errorf("%s %s: no %s header", tc.method, tc.target, tc.header)
		}
		if !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s %s: body %.80q lacks %q", tc.method, tc.target, rec.Body.String(), tc.want)
		}
	}
}

// usersFile writes lines, a -users file, into the test's directory and
// returns its path.
func usersFile(t *testing.T, lines string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
