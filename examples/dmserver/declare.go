package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// readDeclare reads the -declare file: DeclaredConfiguration documents
// declared to every device that opens a session on PathWinDC.
func readDeclare(file string) ([]reconcile.Doc, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-declare: %w", err)
	}
	docs, err := reconcile.ParseDocs(text)
	if err != nil {
		return nil, fmt.Errorf("-declare %s: %w", file, err)
	}
	return docs, nil
}

// handleWinDC adds the WinDC endpoint (PathWinDC) to mux: the DM
// sessions of linked enrollments, whose devices are to hold docs. It
// returns the endpoint's Reconciler.
func handleWinDC(mux *http.ServeMux, log *slog.Logger, auth session.Authenticator, docs []reconcile.Doc) *reconcile.Reconciler {
	log = log.With("endpoint", "WinDC")
	rec := newReconciler(log)
	mux.Handle("POST "+PathWinDC, newWinDCServer(log, auth, rec, docs))
	return rec
}

// newReconciler returns the WinDC endpoint's Reconciler, which logs each
// of its events.
func newReconciler(log *slog.Logger) *reconcile.Reconciler {
	return reconcile.New(reconcile.Config{OnEvent: func(ctx context.Context, e reconcile.Event) {
		attrs := []any{"device", e.Device, "event", e.Kind.String()}
		if e.Status.URI.DocID != "" {
			attrs = append(attrs, "doc", e.Status.URI.DocID, "checksum", e.Status.Checksum,
				"condition", e.Status.Condition.String(), "reason", e.Status.Reason)
			for _, s := range e.Status.FailedSettings() {
				attrs = append(attrs, "failed", s.Provider+"/"+s.Name+" "+s.Status.String())
			}
		}
		if e.RefreshInterval != "" {
			attrs = append(attrs, "refreshInterval", e.RefreshInterval)
		}
		if e.Err != nil {
			log.WarnContext(ctx, "windc", append(attrs, "err", e.Err)...)
			return
		}
		log.InfoContext(ctx, "windc", attrs...)
	}})
}

// newWinDCServer wires the WinDC endpoint: every device that starts a
// session is to hold docs, and rec brings it there before each reply.
// A device that asks to be unenrolled (a generic alert of
// unenrollType, events.go) is forgotten by rec instead: its documents,
// what rec knows of it and keeps in memory are dropped, so that they do
// not stay for ever, and the rest of that session is not reconciled
// (which would record the device again); its next session starts as a
// new device's, declared docs anew.
//
// Changed: before, rec kept every device's records for ever.
func newWinDCServer(log *slog.Logger, auth session.Authenticator, rec *reconcile.Reconciler, docs []reconcile.Doc) *session.Server {
	left := newLeftDevices(maxLeftDevices)
	return session.NewServer(session.ServerConfig{
		Logger: log,
		Session: session.Config{
			Handler:       eventHandler(log),
			Authenticator: auth,
			SessionToken:  isTokenAuth(auth),
			OnStart: func(ctx context.Context, _ *session.Session, id session.Identity, first bool) {
				logSession(ctx, log, id, first)
				left.drop(id.Device) // a new session: reconciled, whether it left before or not
				if err := rec.Declare(ctx, id.Device, docs...); err != nil {
					log.ErrorContext(ctx, "windc declare", "device", id.Device, "err", err)
				}
			},
			BeforeReply: func(ctx context.Context, s *session.Session, m *syncml.Message, x *session.Exchange) {
				device := x.Identity.Device
				if unenrollRequest(m) {
					left.add(device, m.Header.SessionID)
					if err := rec.Forget(ctx, device); err != nil {
						log.WarnContext(ctx, "windc forget", "device", device, "err", err)
						return
					}
					log.InfoContext(ctx, "windc forget", "device", device, "reason", "unenrollment requested")
					return
				}
				if left.has(device, m.Header.SessionID) {
					return
				}
				rec.BeforeReply(ctx, s, m, x)
			},
		},
	})
}

// maxLeftDevices bounds the devices a WinDC endpoint remembers as having
// asked to be unenrolled in their current session (leftDevices).
const maxLeftDevices = 4096

// leftDevices are the devices that asked to be unenrolled, each with the
// SessionID of the session in which they did: the rest of that session
// is not reconciled. A device is dropped when its next session starts;
// one that never comes back stays until the set is full, which empties
// it (an entry matters only while its session lasts).
type leftDevices struct {
	mu  sync.Mutex
	max int
	m   map[string]string
}

// newLeftDevices returns an empty set of at most max devices.
func newLeftDevices(max int) *leftDevices { return &leftDevices{max: max, m: map[string]string{}} }

// add records that device asked to be unenrolled in session sid.
func (l *leftDevices) add(device, sid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[device]; !ok && len(l.m) >= l.max {
		clear(l.m)
	}
	l.m[device] = sid
}

// has reports whether device asked to be unenrolled in session sid.
func (l *leftDevices) has(device, sid string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.m[device]
	return ok && s == sid
}

// drop forgets that device asked to be unenrolled.
func (l *leftDevices) drop(device string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, device)
}
