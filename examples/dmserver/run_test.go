//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml/session"
)

// runHandler is the slog handler of TestRunEndsExchanges: it sends the
// address run listens on to addr and holds the session start record
// until release is closed, after telling arrived.
type runHandler struct {
	addr             chan<- string
	arrived, release chan struct{}
}

func (h runHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h runHandler) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "dmserver listening":
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "addr" {
				h.addr <- a.Value.String()
			}
			return true
		})
	case "session start":
		close(h.arrived)
		<-h.release
	}
	return nil
}

func (h runHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h runHandler) WithGroup(string) slog.Handler      { return h }

// TestRunEndsExchanges checks that run, told to stop (SIGINT), returns
// only after the exchanges in flight have ended, as its Shutdown lets
// them: main flushes the log and exits once run returns, which lost the
// records of those exchanges and cut their replies. http.Server.Serve
// returns as soon as Shutdown starts, so run returned with the exchange
// still held. The wait for run to return early can only make the test
// pass wrongly (on a machine slower than it), never fail wrongly.
func TestRunEndsExchanges(t *testing.T) {
	addrs := make(chan string, 1)
	h := runHandler{addr: addrs, arrived: make(chan struct{}), release: make(chan struct{})}
	runErr := make(chan error, 1)
	go func() { runErr <- run("127.0.0.1:0", slog.New(h), nil) }()
	addr := <-addrs // run is listening and has registered for SIGINT
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := checkIn("RUNSTOP")
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		Path, addr, session.ContentType, len(body), body)
	<-h.arrived
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for { // Shutdown has closed the listener
		d, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		d.Close()
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-runErr:
		close(h.release)
		t.Fatalf("run returned (%v) with an exchange in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(h.release)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the held check-in's reply: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the held check-in: HTTP %d", resp.StatusCode)
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}
