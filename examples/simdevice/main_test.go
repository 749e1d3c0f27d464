package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/dmclient/device/sim"
	"github.com/windc-go/windc/syncml/session"
)

// TestAgainstDMServer builds examples/dmserver, starts it on a loopback
// port it picks, and runs simdevice against it: every device checks in,
// answers the six DevDetail and DevInfo Gets dmserver sends on a first
// session with 200, and the summary line says so. Without -linked the
// devices have no LinkedEnrollment nodes: the Gets of EnrollStatus and
// LastError that dmserver also sends are answered 404.
func TestAgainstDMServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/dmserver")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build dmserver")
	}
	bin := filepath.Join(t.TempDir(), "dmserver")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../dmserver").CombinedOutput(); err != nil {
		t.Fatalf("go build dmserver: %v\n%s", err, out)
	}
	srv := exec.Command(bin, "-addr", "127.0.0.1:0")
	logs, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	// dmserver logs with slog: the first record gives the address; each
	// answered command gives its status.
	addr := make(chan string, 1)
	statuses := make(chan map[string]int, 1)
	go func() {
		count := map[string]int{}
		sc := bufio.NewScanner(logs)
		addrRe := regexp.MustCompile(`msg="dmserver listening" addr=(\S+)`)
		statusRe := regexp.MustCompile(`msg="command answered" .*cmd=Get targets=\[\./(DevDetail|DevInfo|Device/Vendor/MSFT/DMClient)/.*status=(\d+)`)
		for sc.Scan() {
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
			if m := statusRe.FindStringSubmatch(sc.Text()); m != nil {
				count[m[1]+" "+m[2]]++
			}
		}
		close(addr)
		statuses <- count
	}()
	a := listening(t, addr)
	const n = 12
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-server", "http://" + a + "/ManagementServer/MDM.svc", "-devices", "12", "-concurrency", "3"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	line := stdout.String()
	if strings.Count(line, "\n") != 1 || !strings.HasPrefix(line, "devices=12 sessions=12 messages=24 errors=0 in_sync=0/0 drifted=0 p50=") {
		t.Errorf("summary %q", line)
	}
	stopDMServer(t, srv)
	// Read the whole log before Wait, which closes the pipe.
	got := <-statuses
	_ = srv.Wait()
	want := map[string]int{"DevDetail 200": 5 * n, "DevInfo 200": n, "Device/Vendor/MSFT/DMClient 404": 2 * n}
	if !maps.Equal(got, want) {
		t.Errorf("dmserver logged Get statuses %v, want %v", got, want)
	}
}

// TestArguments: bad arguments exit 2 with nothing on stdout, and the
// message names the flag that is wrong (each of them, when several are)
// and what it wants.
func TestArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // in stderr
	}{
		{nil, []string{"-server is required"}},
		{[]string{"-server", "http://mdm.example/x"}, []string{"-server:", "http:// to a loopback host only"}},
		{[]string{"-server", "http://10.0.0.1/x"}, []string{"-server:", "http:// to a loopback host only"}},
		{[]string{"-server", "ftp://127.0.0.1/x"}, []string{"-server:", "want https://"}},
		{[]string{"-server", "/relative"}, []string{"-server:", "not an absolute URL"}},
		{[]string{"-server", "http://127.0.0.1/x", "-devices", "0"}, []string{"-devices 0: want at least 1"}},
		{[]string{"-server", "http://127.0.0.1/x", "-concurrency", "-1"}, []string{"-concurrency -1: want at least 1"}},
		{[]string{"-server", "http://127.0.0.1/x", "-drift", "2"}, []string{"-drift 2: want a probability from 0 to 1"}},
		{[]string{"-server", "http://127.0.0.1/x", "-drift", "NaN"}, []string{"-drift NaN:"}},
		{[]string{"-server", "http://127.0.0.1/x", "-drift-mode", "maybe"}, []string{`-drift-mode "maybe": want repair or fail`}},
		{[]string{"-server", "http://127.0.0.1/x", "-key", "dsa"}, []string{`-key "dsa": want ecdsa or rsa`}},
		{[]string{"-server", "http://127.0.0.1/x", "-run", "65536"}, []string{"-run 65536: want 0 to 65535"}},
		{[]string{"-server", "http://127.0.0.1/x", "-devices", "0", "-drift", "1.5", "-drift-mode", "foo"},
			[]string{"-devices 0:", "-drift 1.5:", `-drift-mode "foo":`}},
		{[]string{"-server", "http://127.0.0.1/x", "-ca", "/nonexistent/root.pem"}, []string{"-ca:"}},
		{[]string{"-server", "http://127.0.0.1/x", "-ca", "/nonexistent/root.pem", "-ca-max-bytes", "0"}, []string{"-ca-max-bytes 0: want at least 1"}},
		{[]string{"-server", "http://127.0.0.1/x", "-ca-max-bytes", "4096"}, []string{"-ca-max-bytes: only with -ca"}},
		{[]string{"-server", "http://127.0.0.1/x", "-linked", "-token-url", "http://tokens.example/t"}, []string{"-token-url:"}},
		{[]string{"-server", "http://127.0.0.1/x", "-session-timeout", "0"}, []string{"-session-timeout 0s: want more than 0"}},
		{[]string{"-server", "http://127.0.0.1/x", "-session-timeout", "-1s"}, []string{"-session-timeout -1s: want more than 0"}},
		{[]string{"-server", "http://127.0.0.1/x", "-token", "T"}, []string{"-token: only with -linked"}},
		{[]string{"-server", "http://127.0.0.1/x", "-token-url", "http://127.0.0.1/t", "-key", "rsa", "-provider", "P"},
			[]string{"-token-url: only with -linked", "-key: only with -linked", "-provider: only with -linked"}},
		{[]string{"-server", "http://127.0.0.1/x", "-linked", "-token", "T", "-token-url", "http://127.0.0.1/t"}, []string{"-token and -token-url: give one"}},
		{[]string{"-server", "http://127.0.0.1:65536/x"}, []string{"-server:", "not 1 to 65535"}},
		{[]string{"-unknown"}, []string{"-unknown"}},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut)
		if code != 2 || out.Len() != 0 || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tc.args, code, out.String(), errOut.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("%q: stderr %q, want %q in it", tc.args, errOut.String(), w)
			}
		}
	}
	for _, u := range []string{"https://mdm.example/x", "http://localhost:1/x", "http://[::1]:8080/x"} {
		if err := checkURL(u); err != nil {
			t.Errorf("checkURL(%q) = %v", u, err)
		}
	}
}

// TestLinkedAgainstDMServer builds examples/dmserver and runs it with
// -tls and -declare, then runs simdevice -linked against its primary
// endpoint: each device's first session starts the linked enrollment
// (DiscoveryEndpoint /windc/discovery, Exec Enroll), the device runs
// discovery and MS-MDE2 (Federated, a token of dmserver's test issuer),
// then checks in on /ManagementServer/WinDC.svc presenting the issued
// certificate, gets the declared document, applies it and reports it in
// sync: the summary line says so, and dmserver logged it.
func TestLinkedAgainstDMServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds examples/dmserver")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build dmserver")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dmserver")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../dmserver").CombinedOutput(); err != nil {
		t.Fatalf("go build dmserver: %v\n%s", err, out)
	}
	docs := filepath.Join(dir, "docs.xml")
	doc := `<DeclaredConfiguration schema="1.0" context="Device" id="5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305" checksum="A0" osdefinedscenario="MSFTVPN">` +
		`<CSP name="./Vendor/MSFT/VPNv2"><URI path="P/AlwaysOn" type="bool">true</URI></CSP></DeclaredConfiguration>`
	if err := os.WriteFile(docs, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root.pem")
	srv := exec.Command(bin, "-addr", "127.0.0.1:0", "-tls", "-ca-out", root, "-declare", docs)
	logs, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	addr := make(chan string, 1)
	counts := make(chan map[string]int, 1)
	go func() {
		count := map[string]int{}
		sc := bufio.NewScanner(logs)
		addrRe := regexp.MustCompile(`msg="dmserver listening" addr=(\S+)`)
		for sc.Scan() {
			line := sc.Text()
			if m := addrRe.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
			for _, k := range []string{`enrollStatus=4`, `policy=Federated`, `msg="session start" endpoint=WinDC`, `auth=tls`, `event=Applied`, `level=WARN`, `level=ERROR`} {
				if strings.Contains(line, k) {
					count[k]++
				}
			}
		}
		close(addr)
		counts <- count
	}()
	a := listening(t, addr)
	const n = 4
	base := "https://" + a
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-server", base + "/ManagementServer/MDM.svc", "-linked",
		"-provider", "WinDC-dmserver", "-token-url", base + "/windc/test-token", "-ca", root,
		"-devices", strconv.Itoa(n), "-concurrency", "2"}, &stdout, &stderr)
	line := stdout.String()
	// Per device: the primary session (enrollment inside), then the
	// WinDC session that declares and the one that reports.
	if code != 0 || !strings.HasPrefix(line, fmt.Sprintf("devices=%d sessions=%d ", n, 3*n)) || !strings.Contains(line, fmt.Sprintf(" errors=0 in_sync=%d/%d ", n, n)) {
		t.Errorf("exit %d: %s%s", code, line, stderr.String())
	}
	stopDMServer(t, srv)
	// Read the whole log before Wait, which closes the pipe.
	got := <-counts
	_ = srv.Wait()
	// Each device: EnrollStatus 4 read back on the primary session, one
	// Federated enrollment, its WinDC sessions identified by the
	// certificate, the document applied.
	for k, want := range map[string]int{`enrollStatus=4`: n, `policy=Federated`: n, `event=Applied`: n, `level=WARN`: 0, `level=ERROR`: 0} {
		if got[k] != want {
			t.Errorf("dmserver logged %q %d times, want %d", k, got[k], want)
		}
	}
	if got[`auth=tls`] < n || got[`auth=tls`] != got[`msg="session start" endpoint=WinDC`] {
		t.Errorf("WinDC sessions: %d identified by certificate of %d", got[`auth=tls`], got[`msg="session start" endpoint=WinDC`])
	}
}

// listening returns the address dmserver's log gives on addr; the test
// fails when dmserver ends without one, or gives none in a minute.
func listening(t *testing.T, addr <-chan string) string {
	t.Helper()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("dmserver ended without listening")
		}
		return a
	case <-time.After(time.Minute):
		t.Fatal("dmserver did not listen in a minute")
	}
	return ""
}

// stopDMServer stops dmserver as an operator does, with an interrupt:
// it writes the log records it holds (it writes them in batches) and
// exits, closing its standard error. Where interrupts cannot be sent
// (Windows), it is killed, and its last records may be lost.
func stopDMServer(t *testing.T, srv *exec.Cmd) {
	t.Helper()
	if err := srv.Process.Signal(os.Interrupt); err == nil {
		return
	}
	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
}

// TestRunIDs: the device IDs are fixed by default (sim.DeviceID); -run N
// puts N in their second group, so that another run's devices are new to
// the server. The server here records the DevIDs it sees.
func TestRunIDs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{sim.DeviceID(0), sim.DeviceID(1), sim.DeviceID(2)}},
		{[]string{"-run", "0"}, []string{sim.DeviceID(0), sim.DeviceID(1), sim.DeviceID(2)}},
		{[]string{"-run", "7"}, []string{"urn:uuid:5D1C0DE5-0007-4000-8000-000000000000",
			"urn:uuid:5D1C0DE5-0007-4000-8000-000000000001", "urn:uuid:5D1C0DE5-0007-4000-8000-000000000002"}},
		{[]string{"-run", "65535"}, []string{"urn:uuid:5D1C0DE5-FFFF-4000-8000-000000000000",
			"urn:uuid:5D1C0DE5-FFFF-4000-8000-000000000001", "urn:uuid:5D1C0DE5-FFFF-4000-8000-000000000002"}},
	} {
		var mu sync.Mutex
		var seen []string
		srv := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{
			OnStart: func(_ context.Context, _ *session.Session, id session.Identity, _ bool) {
				mu.Lock()
				seen = append(seen, id.Device)
				mu.Unlock()
			},
		}}))
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"-server", srv.URL, "-devices", "3"}, tc.args...), &stdout, &stderr)
		srv.Close()
		slices.Sort(seen)
		if code != 0 || !slices.Equal(seen, tc.want) {
			t.Errorf("%q: exit %d, devices %q, want %q\n%s%s", tc.args, code, seen, tc.want, stdout.String(), stderr.String())
		}
	}
}

// TestDriftWithoutDocuments: -drift against a server that declares
// nothing makes every device drawn an error (it holds no setting to
// drift); a line on stderr says what the run lacks, beside first_error.
func TestDriftWithoutDocuments(t *testing.T) {
	srv := httptest.NewServer(session.NewServer(session.ServerConfig{}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-server", srv.URL, "-devices", "2", "-drift", "1"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "errors=2 ") ||
		!strings.Contains(stderr.String(), "-drift 1: a device drawn to drift held no applied setting (in_sync=0/0): does the server declare documents") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout.String(), stderr.String())
	}
}

// TestInterrupted: a run whose context ends (Ctrl-C) prints its summary
// line and says how far it got, not only "context canceled".
func TestInterrupted(t *testing.T) {
	srv := httptest.NewServer(session.NewServer(session.ServerConfig{}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-server", srv.URL, "-devices", "5"}, &stdout, &stderr)
	if code != 1 || !strings.HasPrefix(stdout.String(), "devices=0 ") ||
		!strings.Contains(stderr.String(), "simdevice: interrupted (context canceled) after 0 of 5 devices") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout.String(), stderr.String())
	}
}

// TestCABound: -ca reads at most -ca-max-bytes (1 MiB by default) of its
// file: a longer file, or one that never ends (/dev/zero), exits 2 with a
// line naming the file and the bound; a PEM root within the bound is
// read. Before, -ca read the whole file, whatever its size: /dev/zero
// never returned.
func TestCABound(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	srv.Close()
	root := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	dir := t.TempDir()
	small := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(small, root, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	// a valid root first, then comment lines past the default bound
	if err := os.WriteFile(big, append(root, bytes.Repeat([]byte("# padding\n"), defaultMaxCABytes/10+1)...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"over the default", []string{"-ca", big}, fmt.Sprintf("-ca: %s: more than %d bytes (-ca-max-bytes)", big, defaultMaxCABytes)},
		{"over a set bound", []string{"-ca", small, "-ca-max-bytes", strconv.Itoa(len(root) - 1)},
			fmt.Sprintf("-ca: %s: more than %d bytes (-ca-max-bytes)", small, len(root)-1)},
		{"never ends", []string{"-ca", "/dev/zero"}, fmt.Sprintf("-ca: /dev/zero: more than %d bytes (-ca-max-bytes)", defaultMaxCABytes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.args[1]); err != nil {
				t.Skip(err)
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"-server", "http://127.0.0.1:1/x"}, tc.args...), &out, &errOut)
			if code != 2 || out.Len() != 0 || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out.String(), errOut.String(), tc.want)
			}
		})
	}
	for _, max := range []int64{int64(len(root)), math.MaxInt64} {
		if _, err := readRoots(small, max); err != nil {
			t.Errorf("readRoots(a root of %d bytes, %d) = %v", len(root), max, err)
		}
	}
}

// TestTokenRequestURL: the device's ID is added to the query -token-url
// may already have, which is kept as it is, and before a fragment. Before,
// "?device=ID" was appended: "?tenant=t?device=ID" sent the tenant
// "t?device=ID" and no device.
func TestTokenRequestURL(t *testing.T) {
	id := "5D1C0DE5-0000-4000-8000-000000000001"
	for in, want := range map[string]string{
		"https://127.0.0.1/t":                  "https://127.0.0.1/t?device=" + id,
		"https://127.0.0.1/t?":                 "https://127.0.0.1/t?device=" + id,
		"https://127.0.0.1/t?tenant=a%20b&z=1": "https://127.0.0.1/t?tenant=a%20b&z=1&device=" + id,
		"https://127.0.0.1/t#frag":             "https://127.0.0.1/t?device=" + id + "#frag",
	} {
		if got := tokenRequestURL(in, id); got != want {
			t.Errorf("tokenRequestURL(%q) = %q, want %q", in, got, want)
		}
	}
	// through the issuer, as the devices call it
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		io.WriteString(w, "tok")
	}))
	defer srv.Close()
	tok, err := tokens(srv.Client(), "", srv.URL+"/t?tenant=contoso")(context.Background(), id)
	if err != nil || string(tok) != "tok" || got.Get("tenant") != "contoso" || got.Get("device") != id {
		t.Errorf("token %q, %v; the issuer got %v, want tenant=contoso and device=%s", tok, err, got, id)
	}
}
