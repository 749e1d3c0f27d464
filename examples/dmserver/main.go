// Command dmserver is a small device management server built on
// syncml/session: it answers the OMA DM sessions of any number of Windows
// devices over plain HTTP on a loopback address, queues a few Gets
// (DevDetail, DevInfo) on each device's first session, asks them again
// when that session breaks before the device answers them (it starts a
// new session or aborts: reask.go), starts the device's WinDC linked
// enrollment there, and logs each session and each answered command with
// slog (each HTTP exchange too, at Debug level).
//
//	go run ./examples/dmserver -addr 127.0.0.1:8080
//
// Devices POST to /ManagementServer/MDM.svc. Without -auth every device
// and every credential is accepted; -auth basic, md5 or hmac with -users
// FILE (lines name:password; blank lines and lines starting with # are
// skipped) checks the SyncHdr Cred (basic, md5) or the x-syncml-hmac
// header (hmac) of the devices against those users, any of whom may speak
// for any device; with -bind-users a device is bound to the first user
// accepted for it, and another user's valid credentials are refused for
// it (Windows MDM gives each device DM credentials of its own at
// enrollment):
//
//	go run ./examples/dmserver -addr 127.0.0.1:8080 -auth md5 -users users.txt -bind-users
//
// With -auth basic or md5, -session-token gives each session accepted on
// /ManagementServer/MDM.svc and /ManagementServer/WinDC.svc a secret token in
// the RespURI of its replies: a later message of the session that does not
// come to that URL needs credentials again (session.Config.SessionToken).
//
// On a device's first session on /ManagementServer/MDM.svc it also sets
// the DMClient LinkedEnrollment/DiscoveryEndpoint of provider
// WinDC-dmserver (the primary enrollment's w7 PROVIDER-ID) to its own
// /windc/discovery URL, executes LinkedEnrollment/Enroll and logs the
// EnrollStatus and LastError it reads back (linked.go); on later sessions
// it reads EnrollStatus and does the same again when it is 1 (not
// started).
//
// It also enrolls devices with MS-MDE2 (enroll.go; -tls, -tls-cert,
// -tls-key, -ca-out): GET/POST /EnrollmentServer/Discovery.svc for the
// primary enrollment and POST /windc/discovery for linked ones, whose DM
// sessions go to /ManagementServer/WinDC.svc. There a
// declaredconfig/reconcile Reconciler brings every device to hold the
// documents of -declare FILE (DeclaredConfiguration documents, one after
// another): it declares them, reads their state, re-declares drifted ones
// and logs what happens; a device there that asks to be unenrolled (the
// 1226 alert of a user's unenrollment) is forgotten by it (declare.go).
//
// The program is wiring only: the session rules live in package session.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// Path is where devices post their messages.
const Path = "/ManagementServer/MDM.svc"

// servedPaths are the paths run serves, which its "dmserver listening"
// record names: the DM endpoints of the primary and the linked
// enrollment, then the enrollment services (enroll.go).
var servedPaths = []string{Path, PathWinDC, PathDiscovery, PathPolicy, PathEnrollment,
	PathWinDCDiscovery, PathWinDCPolicy, PathWinDCEnroll, PathTestToken}

// firstSessionGets are the nodes read on a device's first session: what
// DevDetail says of the device, and its DevInfo/DevId. Windows reports the
// rest of DevInfo (Man, Mod, DmV, Lang) in the Replace of every check-in
// (a server reads them there with a Handler for Replace); reading them
// again would only make the reply 343 bytes larger.
var firstSessionGets = []string{
	"./DevDetail/SwV", "./DevDetail/OEM", "./DevDetail/DevTyp", "./DevDetail/FwV", "./DevDetail/HwV",
	"./DevInfo/DevId",
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	authType := flag.String("auth", "", "check credentials: basic, md5 or hmac (needs -users); none when empty")
	usersFile := flag.String("users", "", "file of name:password lines, the users -auth checks")
	bindUsers := flag.Bool("bind-users", false, "with -auth: bind each device to the first user accepted for it, refusing other users' credentials for it")
	sessionToken := flag.Bool("session-token", false, "with -auth basic or md5: post each accepted session's RespURI with a secret token, without which a message of the session needs credentials again (devices must follow RespURI)")
	declare := flag.String("declare", "", "file of DeclaredConfiguration documents declared to every device on "+PathWinDC)
	declareMax := flag.Int64("declare-max-bytes", defaultMaxDeclareBytes, "with -declare: the largest `N` bytes the -declare file may have")
	flag.Parse()
	ctx, stop := context.WithCancel(context.Background())
	go newGCTuner(16<<20, 4).run(ctx, 50*time.Millisecond)   // gctune.go
	lw := newLogWriter(os.Stderr, 1<<20, 2*time.Millisecond) // records in batches (logwriter.go)
	log := slog.New(slog.NewTextHandler(lw, nil))
	auth, err := authenticator(*authType, *usersFile, *bindUsers)
	if err == nil && *sessionToken {
		auth, err = withSessionToken(auth)
	}
	var docs []reconcile.Doc
	if err == nil && *declare != "" {
		docs, err = readDeclare(*declare, *declareMax)
	}
	if err == nil {
		err = run(*addr, log, auth, docs...)
	}
	stop()
	_ = lw.Close() // the waiting records; an error of stderr's has nowhere to go
	if err != nil {
		fmt.Fprintln(os.Stderr, "dmserver:", err)
		os.Exit(1)
	}
}

// run serves on addr until SIGINT or SIGTERM.
func run(addr string, log *slog.Logger, auth session.Authenticator, docs ...reconcile.Doc) error {
	if err := loopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := newMux(log, auth)
	if ln, err = withEnrollment(ln, mux, log, auth, docs); err != nil { // MS-MDE2 and WinDC, enroll.go
		return err
	}
	srv := newHTTPServer(checkInsFirst(mux))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	shutDown := make(chan struct{})
	go func() {
		defer close(shutDown)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("dmserver listening", "addr", ln.Addr().String(), "path", Path, "paths", servedPaths)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-shutDown // Serve returns as Shutdown starts: the exchanges in flight end first
	return nil
}

// newHTTPServer returns the http.Server run serves h with. Every wait on
// a client is bounded, so that no connection's goroutines outlive a
// client that stops: the request's header (ReadHeaderTimeout), its whole
// reading, body included (ReadTimeout: a 4 MiB body, the largest the DM
// endpoints take, in a minute is 70 KB/s), and the wait for the next
// request on a keep-alive connection (IdleTimeout; without it and
// ReadTimeout, net/http waits forever).
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
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

// newMux returns the primary enrollment's DM endpoint; withEnrollment
// adds the enrollment services and handleWinDC the WinDC endpoint.
func newMux(log *slog.Logger, auth session.Authenticator) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST "+Path, newServer(log, auth, nil))
	return mux
}

// checkInsFirst returns mux with the DM sessions' POSTs to Path handed
// straight to their handler: the one route every device takes on every
// session, without matching it against the patterns of the enrollment
// services (about 0.5 us of the 30 a check-in costs). Anything else,
// including other methods on Path, goes through mux.
func checkInsFirst(mux *http.ServeMux) http.Handler {
	dm, _ := mux.Handler(&http.Request{Method: http.MethodPost, URL: &url.URL{Path: Path}})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == Path && r.URL.RawPath == "" {
			dm.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// authenticator returns the Authenticator of -auth, -users and
// -bind-users (bind): nil (every device accepted) when kind and usersFile
// are empty. Without bind any user may speak for any device; bind
// without kind is an error (it would bind nothing).
func authenticator(kind, usersFile string, bind bool) (session.Authenticator, error) {
	types := map[string]session.AuthType{"basic": session.AuthBasic, "md5": session.AuthMD5, "hmac": session.AuthHMAC}
	if kind == "" { // -users alone checks OnPremise enrollment only (enroll.go)
		if bind {
			return nil, fmt.Errorf("-bind-users needs -auth: without it no user is checked, nor bound")
		}
		return nil, nil
	}
	t, ok := types[kind]
	if !ok {
		return nil, fmt.Errorf("-auth %q: want basic, md5 or hmac", kind)
	}
	if usersFile == "" {
		return nil, fmt.Errorf("-auth %s needs -users FILE", kind)
	}
	f, err := os.Open(usersFile)
	if err != nil {
		return nil, fmt.Errorf("-users: %w", err)
	}
	defer f.Close()
	users, err := readUsers(f)
	if err != nil {
		return nil, fmt.Errorf("-users %s: %w", usersFile, err)
	}
	return &session.CredAuthenticator{Type: t, Users: users, AnyDevice: !bind}, nil
}

// tokenAuth is the Authenticator of -auth basic or md5 with
// -session-token: newServer and newWinDCServer set
// session.Config.SessionToken for it.
type tokenAuth struct{ *session.CredAuthenticator }

// withSessionToken returns auth, the Authenticator of -auth, for
// -session-token: an error unless it checks basic or md5 credentials,
// which accept a session once (212) and leave its later messages without
// credentials (hmac proves every message; without -auth nothing is
// checked).
func withSessionToken(auth session.Authenticator) (session.Authenticator, error) {
	if ca, ok := auth.(*session.CredAuthenticator); ok && (ca.Type == session.AuthBasic || ca.Type == session.AuthMD5) {
		return tokenAuth{ca}, nil
	}
	return nil, fmt.Errorf("-session-token needs -auth basic or md5: only they leave a session's later messages without credentials")
}

// isTokenAuth reports whether auth is of -session-token.
func isTokenAuth(auth session.Authenticator) bool {
	_, ok := auth.(tokenAuth)
	return ok
}

// readUsers reads name:password lines (blank lines and # comments
// skipped) into a MemoryUsers, which keeps keys only.
func readUsers(r io.Reader) (*session.MemoryUsers, error) {
	users := &session.MemoryUsers{}
	sc := bufio.NewScanner(r)
	n, count := 0, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, password, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d: want name:password", n)
		}
		users.Set(name, password)
		count++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, errors.New("no users")
	}
	return users, nil
}

// newServer wires a session.Server over store (nil: a MemoryStore): auth
// (nil accepts everyone), Gets on a device's first session, asked again
// when that session breaks before the device answers them (reask.go), a
// log record per session (the Server's own per-exchange record is at
// Debug), one per answered command, one for the Gets asked again (those
// Queue took; a warning with its error when it refused them) and one for
// the other commands a restarted or aborted session gave up (a warning
// when the linked enrollment's are among them).
func newServer(log *slog.Logger, auth session.Authenticator, store session.Store) *session.Server {
	return newServerOf(log, auth, store, new(reaskNotes), new(linkMarks))
}

// newServerOf is newServer keeping its notes and marks in those given.
func newServerOf(log *slog.Logger, auth session.Authenticator, store session.Store, notes *reaskNotes, marks *linkMarks) *session.Server {
	return session.NewServer(session.ServerConfig{
		Logger: log,
		Store:  store,
		Session: session.Config{
			Handler:       eventHandler(log), // events.go
			Authenticator: auth,
			SessionToken:  isTokenAuth(auth), // -session-token
			OnStart: func(ctx context.Context, s *session.Session, id session.Identity, first bool) {
				logSession(ctx, log, id, first)
				if first {
					_ = s.Queue(session.NewGets(firstSessionGets...)...)
					_ = s.Queue(linkCommands(ctx)...)
				} else {
					// A device that reads 1 (not started) is linked again.
					_ = s.Queue(linkedProvider.GetEnrollStatus())
				}
			},
			BeforeReply: func(ctx context.Context, s *session.Session, m *syncml.Message, x *session.Exchange) {
				beforeReply(ctx, notes, marks, s, m, x)
			},
		},
		OnExchange: func(ctx context.Context, x *session.Exchange) {
			note := notes.take(ctx, x)
			switch {
			case note != nil:
				marks.note(x, note.linked) // saved: relink does not start it again in a linked session
			case x.Refused == nil:
				marks.note(x, "") // beforeReply saw x and noted nothing (reaskNotes.put)
			}
			// the records' attributes cost allocations: none when discarded
			info, warn := log.Enabled(ctx, slog.LevelInfo), log.Enabled(ctx, slog.LevelWarn)
			if !info && !warn {
				return
			}
			// the targets of the Gets beforeReply queued again, each
			// claimed by one abandoned Get below
			var queued map[string]int
			if note != nil && note.err == nil && len(note.targets) > 0 {
				queued = make(map[string]int, len(note.targets))
				for _, t := range note.targets {
					queued[t]++
				}
			}
			var abandoned, again []string // the targets of the commands a restart or abort gave up, and of those asked again
			var failed []linkedFailure    // the linked enrollment's commands that failed: one warning (warnLinked)
			n := 0
			gaveUp := slog.LevelInfo // Warn when the linked enrollment is given up
			for _, o := range x.Outcomes {
				if o.Abandoned && o.Status == nil && o.Err == nil && len(o.Results) == 0 {
					// one record for them all (below): a device that
					// restarts its session before answering gives up
					// every command of its first session at once (one
					// whose Results came without its Status has its own,
					// with their values)
					t := syncml.Targets(o.Command)
					if askedAgain(o.Command) && queued[t[0]] > 0 {
						queued[t[0]]--
						again = append(again, t...)
						continue
					}
					if len(t) > 0 {
						if _, ok := linkedNode(t[0]); ok {
							gaveUp = slog.LevelWarn // as warnLinked warns of failed nodes
						}
					}
					abandoned = append(abandoned, t...)
					n++
					continue
				}
				if !info {
					if f, ok := logLinked(ctx, log, x.Identity.Device, o); ok {
						failed = append(failed, f)
					}
					continue
				}
				attrs := []slog.Attr{slog.String("device", x.Identity.Device), slog.String("cmd", o.Command.ElementName()),
					slog.Any("targets", syncml.Targets(o.Command))}
				if code, err := o.Code(); err == nil {
					attrs = append(attrs, slog.Int("status", int(code)))
				} else if o.Err != nil { // not sent: why
					attrs = append(attrs, slog.String("err", o.Err.Error()))
				} else {
					attrs = append(attrs, slog.Bool("abandoned", o.Abandoned))
				}
				for _, r := range o.Results {
					for _, it := range r.Items {
						if it.Data != nil {
							attrs = append(attrs, slog.String("value", it.Data.Value))
						}
					}
				}
				log.LogAttrs(ctx, slog.LevelInfo, "command answered", attrs...)
				if f, ok := logLinked(ctx, log, x.Identity.Device, o); ok {
					failed = append(failed, f)
				}
			}
			warnLinked(ctx, log, x.Identity.Device, failed)
			if note != nil && note.err != nil && warn {
				// given up for good: listed among the abandoned below
				log.LogAttrs(ctx, slog.LevelWarn, "commands not asked again", slog.String("device", x.Identity.Device),
					slog.Any("targets", note.targets), slog.String("err", note.err.Error()))
			}
			if len(again) > 0 && info {
				// not lost: the device answers them in this session, or
				// in its next after an abort
				log.LogAttrs(ctx, slog.LevelInfo, "commands asked again", slog.String("device", x.Identity.Device),
					slog.Int("count", len(again)), slog.Any("targets", again))
			}
			if n > 0 && (info || gaveUp == slog.LevelWarn) {
				log.LogAttrs(ctx, gaveUp, "commands abandoned", slog.String("device", x.Identity.Device),
					slog.Int("count", n), slog.Any("targets", abandoned))
			}
			for _, u := range x.Unmatched {
				log.LogAttrs(ctx, slog.LevelWarn, "answer matches no command", slog.String("device", x.Identity.Device),
					slog.String("element", u.ElementName()))
			}
		},
	})
}

// logSession writes the record of a session, at its start: which device,
// which user and how it was authenticated, whether it is the device's
// first session. The record goes to the handler directly, without the
// caller's position (pc 0), which dmserver's handler does not print and
// which costs a stack walk per record.
func logSession(ctx context.Context, log *slog.Logger, id session.Identity, first bool) {
	h := log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "session start", 0)
	r.AddAttrs(slog.String("device", id.Device), slog.String("user", id.User),
		slog.String("auth", id.Method), slog.Bool("first", first))
	_ = h.Handle(ctx, r)
}
