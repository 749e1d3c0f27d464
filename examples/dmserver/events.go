package main

import (
	"context"
	"log/slog"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// maxEventData is the most bytes of an event's data a record shows.
const maxEventData = 256

// eventHandler answers the commands devices send (200, as a nil Handler
// does) and logs their client events: a generic alert (1226, which
// Windows sends for events such as a user's unenrollment) at Info, each
// item with its Meta Type and Format, Source and data (cut at maxEventData
// bytes); a client event (1224, the LoginStatus of every check-in) at
// Debug. Session alerts never reach it: the session answers them.
func eventHandler(log *slog.Logger) session.Handler {
	return session.HandlerFunc(func(ctx context.Context, r *session.Request) session.Response {
		a, ok := r.Command.(*syncml.Alert)
		if !ok {
			return session.Response{}
		}
		code, err := a.Code()
		if err != nil {
			return session.Response{}
		}
		level := slog.LevelInfo
		switch code {
		case syncml.AlertGeneric:
		case syncml.AlertClientEvent:
			level = slog.LevelDebug
		default:
			return session.Response{}
		}
		if !log.Enabled(ctx, level) {
			return session.Response{}
		}
		for i, it := range a.Items {
			var typ, format, source, data string
			if it.Meta != nil {
				typ, format = it.Meta.Type, it.Meta.Format
			}
			if it.Source != nil {
				source = it.Source.LocURI
			}
			if it.Data != nil {
				data = cutData(it.Data.Value)
			}
			log.LogAttrs(ctx, level, "device event", slog.String("device", r.Identity.Device),
				slog.Int("code", int(code)), slog.Int("item", i+1), slog.String("type", typ),
				slog.String("format", format), slog.String("source", source),
				slog.String("data", data))
		}
		return session.Response{}
	})
}

// cutData returns s cut to at most maxEventData bytes, at a character's
// start, with "…" when cut.
func cutData(s string) string {
	if len(s) <= maxEventData {
		return s
	}
	return utf8cut.Prefix(s, maxEventData) + "…"
}
