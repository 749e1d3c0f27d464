package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A device's session may break before the device answers what it was
// sent: it starts a new one (Alert 1201, another SessionID) or aborts
// (Alert 1223). Its Outcomes then say the commands were abandoned. The
// Gets among them (firstSessionGets, on the device's first session) are
// asked again: a Get changes nothing on the device. The linked
// enrollment's are not: relink starts it again on a later session that
// reads EnrollStatus 1, as it does for a device that lost it.

// reask returns the Gets of outcomes that a restart or abort gave up
// unanswered, as new commands, but for the linked enrollment's.
func reask(outcomes []session.Outcome) []syncml.Command {
	return slices.DeleteFunc(session.AbandonedGets(outcomes), func(c syncml.Command) bool { return !askedAgain(c) })
}

// askedAgain reports whether cmd, abandoned unanswered, is asked again: a
// Get of a node that is not the linked enrollment's.
func askedAgain(cmd syncml.Command) bool {
	if _, ok := cmd.(*syncml.Get); !ok {
		return false
	}
	t := syncml.Targets(cmd)
	if len(t) == 0 {
		return false
	}
	_, linked := linkedNode(t[0])
	return !linked
}

// beforeReply is the session's BeforeReply: it asks again, in this reply,
// the Gets a restart of the session gave up, and starts the linked
// enrollment again when the device reads 1 (relink). The Gets an abort
// gives up are not among x.Outcomes yet (the session gives them up once
// BeforeReply has returned): afterAbort asks them.
func beforeReply(ctx context.Context, log *slog.Logger, s *session.Session, m *syncml.Message, x *session.Exchange) {
	relink(ctx, s, m, x)
	if abortsSession(m) {
		// a restart and an abort in one message: the Gets the restart
		// gave up are afterAbort's too, asked once, in the next session
		return
	}
	if again := reask(x.Outcomes); len(again) > 0 {
		if err := s.Queue(again...); err != nil {
			log.LogAttrs(ctx, slog.LevelWarn, "commands not asked again", slog.String("device", x.Identity.Device),
				slog.Any("targets", targetsOf(again)), slog.String("err", err.Error()))
		}
	}
}

// afterAbort queues for the device's next session the Gets that an abort
// gave up unanswered, which beforeReply did not see, and returns them; x
// is the Exchange of every message, once its state is saved (the
// Server's OnExchange). An abort's is Done: its reply carries only
// Statuses. That of a restart is not, but for one whose commands were all
// refused (no message within the device's MaxMsgSize carries them): its
// Gets are then asked in the next session. The error is Server.Queue's.
func afterAbort(ctx context.Context, srv *session.Server, x *session.Exchange) ([]syncml.Command, error) {
	if !x.Done {
		return nil, nil
	}
	again := reask(x.Outcomes)
	if len(again) == 0 {
		return nil, nil
	}
	return again, srv.Queue(ctx, x.Identity.Device, again...)
}

// abortsSession reports whether m aborts the session: an Alert 1223 among its
// commands (not nested in an Atomic, which may roll it back).
func abortsSession(m *syncml.Message) bool {
	for _, c := range m.Body.Commands {
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && code == syncml.AlertSessionAbort {
				return true
			}
		}
	}
	return false
}

// targetsOf returns the first target of each of cmds.
func targetsOf(cmds []syncml.Command) []string {
	t := make([]string, 0, len(cmds))
	for _, c := range cmds {
		if ts := syncml.Targets(c); len(ts) > 0 {
			t = append(t, ts[0])
		}
	}
	return t
}
