package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// defaultMaxDeclareBytes is the default of -declare-max-bytes.
const defaultMaxDeclareBytes = 64 << 20

// readDeclare reads the -declare file, at most maxBytes of it:
// DeclaredConfiguration documents declared to every device that opens a
// session on PathWinDC. A longer file (or a device or pipe that does not
// end) is refused after maxBytes+1 bytes were read.
func readDeclare(file string, maxBytes int64) ([]reconcile.Doc, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("-declare: %w", err)
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, min(maxBytes, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("-declare %s: %w", file, err)
	}
	if int64(len(text)) > maxBytes {
		return nil, fmt.Errorf("-declare %s: more than %d bytes (-declare-max-bytes)", file, maxBytes)
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
// of its events and forgets a device that asks to be unenrolled
// (reconcile.Config.ForgetOnUnenroll; its event Forgotten is logged).
func newReconciler(log *slog.Logger) *reconcile.Reconciler {
	return reconcile.New(reconcile.Config{ForgetOnUnenroll: true, OnEvent: func(ctx context.Context, e reconcile.Event) {
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
// A device that asks to be unenrolled is forgotten by rec instead (see
// newReconciler): its documents and what rec knows of it are dropped, so
// that they do not stay for ever, and the rest of that session is not
// reconciled; its next session starts as a new device's, declared docs
// anew.
func newWinDCServer(log *slog.Logger, auth session.Authenticator, rec *reconcile.Reconciler, docs []reconcile.Doc) *session.Server {
	return session.NewServer(session.ServerConfig{
		Logger: log,
		Session: session.Config{
			Handler:       eventHandler(log),
			Authenticator: auth,
			SessionToken:  isTokenAuth(auth),
			OnStart: func(ctx context.Context, _ *session.Session, id session.Identity, first bool) {
				logSession(ctx, log, id, first)
				if err := rec.Declare(ctx, id.Device, docs...); err != nil {
					log.ErrorContext(ctx, "windc declare", "device", id.Device, "err", err)
				}
			},
			BeforeReply: rec.BeforeReply,
		},
	})
}
