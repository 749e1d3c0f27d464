//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml/session"
)

// TestRunEndsExchanges checks that run, told to stop (SIGINT), returns
// only after the exchanges in flight have ended, as its Shutdown lets
// them: main flushes the log and exits once run returns, which lost the
// records of those exchanges and cut their replies. http.Server.Serve
// returns as soon as Shutdown starts, so run returned with the exchange
// still held. The wait for run to return early can only make the test
// pass wrongly (on a machine slower than it), never fail wrongly.
func TestRunEndsExchanges(t *testing.T) {
	addrs, arrived, release := make(chan string, 1), make(chan struct{}, 1), make(chan struct{})
	h := holdingHandler{addr: addrs, arrived: arrived, release: release}
	runErr := make(chan error, 1)
	go func() { runErr <- run("127.0.0.1:0", slog.New(h), nil) }()
	var addr string
	select {
	case addr = <-addrs: // run is listening and has registered for SIGINT
	case err := <-runErr:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("run did not listen in a minute")
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := checkIn("RUNSTOP")
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		Path, addr, session.ContentType, len(body), body)
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the check-in did not reach its session start in a minute")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; { // Shutdown has closed the listener
		d, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		d.Close()
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the listener still accepts a minute after SIGINT")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-runErr:
		close(release)
		t.Fatalf("run returned (%v) with an exchange in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the held check-in's reply: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the held check-in: HTTP %d", resp.StatusCode)
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("run did not return in a minute after the exchange ended")
	}
}

// TestListeningNamesPaths: the "dmserver listening" record names every
// path run serves (paths), the WinDC endpoint among them, not only
// MDM.svc (path, as before): each is routed (not 404), where a path it
// does not name is 404.
func TestListeningNamesPaths(t *testing.T) {
	rec := make(chan slog.Record, 1)
	runErr := make(chan error, 1)
	go func() { runErr <- run("127.0.0.1:0", slog.New(listeningHandler{rec}), nil) }()
	var r slog.Record
	select {
	case r = <-rec:
	case err := <-runErr:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("run did not listen in a minute")
	}
	var addr, path string
	var paths []string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "addr":
			addr = a.Value.String()
		case "path":
			path = a.Value.String()
		case "paths":
			paths, _ = a.Value.Any().([]string)
		}
		return true
	})
	if path != Path || !slices.Contains(paths, Path) || !slices.Contains(paths, PathWinDC) || len(paths) < 9 {
		t.Errorf("listening record: path=%s paths=%q", path, paths)
	}
	for _, p := range append(slices.Clone(paths), "/not-served") {
		resp, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if notFound := resp.StatusCode == http.StatusNotFound; notFound != (p == "/not-served") {
			t.Errorf("GET %s: HTTP %d", p, resp.StatusCode)
		}
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("run did not return in a minute after SIGINT")
	}
}

// listeningHandler is a slog handler that sends the "dmserver listening"
// record to rec.
type listeningHandler struct{ rec chan<- slog.Record }

func (h listeningHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h listeningHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "dmserver listening" {
		h.rec <- r.Clone()
	}
	return nil
}

func (h listeningHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h listeningHandler) WithGroup(string) slog.Handler      { return h }
