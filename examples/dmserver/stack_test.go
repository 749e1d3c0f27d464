package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/internal/stackprobe"
	"github.com/windc-go/windc/syncml/session"
)

// holdingHandler is a slog handler that sends the address run listens on
// to addr (when not nil), and holds every session start record until
// release is closed, after telling arrived.
type holdingHandler struct {
	addr    chan<- string
	arrived chan<- struct{}
	release <-chan struct{}
}

func (h holdingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h holdingHandler) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "dmserver listening":
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "addr" && h.addr != nil {
				h.addr <- a.Value.String()
			}
			return true
		})
	case "session start":
		h.arrived <- struct{}{}
		<-h.release
	}
	return nil
}

func (h holdingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h holdingHandler) WithGroup(string) slog.Handler      { return h }

// TestCheckInStack16KiB checks that a check-in that net/http serves on a
// new connection runs on a 16 KiB stack (session's reserveStack) through
// dmserver's handler, whose frames below the DM server's ServeHTTP are
// the deepest the reservation meets: with session's 12 KiB frame, 384
// bytes more there gave every connection a 32 KiB stack. The stacks are
// measured as the growth of the memory of goroutine stacks per connection
// with conns check-ins held at their session start record; it also holds
// net/http's goroutine reading each connection (a few KiB).
func TestCheckInStack16KiB(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes frames larger")
	}
	const conns = 128
	arrived := make(chan struct{}, conns)
	release := make(chan struct{})
	ts := httptest.NewServer(checkInsFirst(newMux(slog.New(holdingHandler{arrived: arrived, release: release}), nil)))
	defer ts.Close()
	stackprobe.Want16KiB(t, ts.Listener.Addr().String(), conns, func(i int) []byte {
		return stackprobe.Post(Path, session.ContentType, checkIn(fmt.Sprintf("STACK%d", i)))
	}, arrived, release)
}
