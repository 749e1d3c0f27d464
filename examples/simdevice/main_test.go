package main

import (
	"bufio"
	"bytes"
	"context"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAgainstDMServer builds examples/dmserver, starts it on a loopback
// port it picks, and runs simdevice against it: every device checks in,
// answers the ten DevDetail and DevInfo Gets dmserver sends on a first
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
	a, ok := <-addr
	if !ok {
		t.Fatal("dmserver ended without listening")
	}
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
	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	want := map[string]int{"DevDetail 200": 5 * n, "DevInfo 200": 5 * n, "Device/Vendor/MSFT/DMClient 404": 2 * n}
	if got := <-statuses; !maps.Equal(got, want) {
		t.Errorf("dmserver logged Get statuses %v, want %v", got, want)
	}
}

func TestArguments(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-server", "http://mdm.example/x"},
		{"-server", "ftp://127.0.0.1/x"},
		{"-server", "/relative"},
		{"-server", "http://127.0.0.1/x", "-devices", "0"},
		{"-server", "http://127.0.0.1/x", "-drift", "2"},
		{"-server", "http://127.0.0.1/x", "-drift-mode", "maybe"},
		{"-unknown"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 || out.Len() != 0 || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out.String(), errOut.String())
		}
	}
	for _, u := range []string{"https://mdm.example/x", "http://localhost:1/x", "http://[::1]:8080/x"} {
		if err := checkURL(u); err != nil {
			t.Errorf("checkURL(%q) = %v", u, err)
		}
	}
}
