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

// beforeReply is the session's BeforeReply: it queues again the Gets a
// restart or an abort of the session gave up (they go out in this reply,
// or in the device's next session after an abort), and starts the linked
// enrollment again when the device reads 1 (relink).
func beforeReply(ctx context.Context, log *slog.Logger, s *session.Session, m *syncml.Message, x *session.Exchange) {
	relink(ctx, s, m, x)
	if again := reask(x.Outcomes); len(again) > 0 {
		if err := s.Queue(again...); err != nil {
			log.LogAttrs(ctx, slog.LevelWarn, "commands not asked again", slog.String("device", x.Identity.Device),
				slog.Any("targets", targetsOf(again)), slog.String("err", err.Error()))
		}
	}
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
