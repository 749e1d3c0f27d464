// Command dmserver is a small device management server built on
// syncml/session: it answers the OMA DM sessions of any number of Windows
// devices over plain HTTP on a loopback address, queues a few Gets
// (DevDetail, DevInfo) on each device's first session, and logs each
// exchange and each answered command with slog.
//
//	go run ./examples/dmserver -addr 127.0.0.1:8080
//
// Devices POST to /ManagementServer/MDM.svc. Every device and every
// credential is accepted. The program is wiring only: the session rules
// live in package session.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Path is where devices post their messages.
const Path = "/ManagementServer/MDM.svc"

// firstSessionGets are the nodes read on a device's first session.
var firstSessionGets = []string{
	"./DevDetail/SwV", "./DevDetail/OEM", "./DevDetail/DevTyp", "./DevDetail/FwV", "./DevDetail/HwV",
	"./DevInfo/DevId", "./DevInfo/Man", "./DevInfo/Mod", "./DevInfo/DmV", "./DevInfo/Lang",
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, log); err != nil {
		fmt.Fprintln(os.Stderr, "dmserver:", err)
		os.Exit(1)
	}
}

// run serves on addr until SIGINT or SIGTERM.
func run(addr string, log *slog.Logger) error {
	if err := loopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newMux(log), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("dmserver listening", "addr", ln.Addr().String(), "path", Path)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loopback refuses an address that is not on the loopback interface.
func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: not a loopback address", addr)
	}
	return nil
}

// newMux returns the server's routes.
func newMux(log *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST "+Path, newServer(log))
	return mux
}

// newServer wires a session.Server: Gets on a device's first session, a
// log record per answered command.
func newServer(log *slog.Logger) *session.Server {
	return session.NewServer(session.ServerConfig{
		Logger: log,
		Session: session.Config{
			OnStart: func(ctx context.Context, s *session.Session, id session.Identity, first bool) {
				log.InfoContext(ctx, "session start", "device", id.Device, "first", first)
				if !first {
					return
				}
				for _, uri := range firstSessionGets {
					_ = s.Queue(&syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}}}})
				}
			},
		},
		OnExchange: func(ctx context.Context, x *session.Exchange) {
			for _, o := range x.Outcomes {
				attrs := []any{"device", x.Identity.Device, "cmd", o.Command.ElementName(), "targets", syncml.Targets(o.Command)}
				if code, err := o.Code(); err == nil {
					attrs = append(attrs, "status", int(code))
				} else {
					attrs = append(attrs, "abandoned", o.Abandoned)
				}
				for _, r := range o.Results {
					for _, it := range r.Items {
						if it.Data != nil {
							attrs = append(attrs, "value", it.Data.Value)
						}
					}
				}
				log.InfoContext(ctx, "command answered", attrs...)
			}
			for _, u := range x.Unmatched {
				log.WarnContext(ctx, "answer matches no command", "device", x.Identity.Device, "element", u.ElementName())
			}
		},
	})
}
