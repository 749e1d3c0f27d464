package session

import (
	"errors"
	"slices"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// ErrAuthGaveUp is matched by the error of a Client's Handle (and Run)
// when the server refused the device's credentials (401 or 407) once more
// than ClientConfig.MaxAuthRetries allows in a session, or once when the
// Client has no Credentials: the session is given up. The error also
// matches ErrInvalidCredentials (401) or ErrMissingCredentials (407). The
// server ran none of the refused message: the next Start sends its
// commands again (see Client.Start).
var ErrAuthGaveUp = errors.New("authentication given up")

// refusalCause returns the sentinel of a refusal code: ErrMissingCredentials
// for 407, ErrInvalidCredentials otherwise.
func refusalCause(code syncml.StatusCode) error {
	if code == syncml.StatusMissingCredentials {
		return ErrMissingCredentials
	}
	return ErrInvalidCredentials
}

// authGaveUp returns the error of a Handle that gives the session up on
// authentication: the server refused the last message with code.
func (c *Client) authGaveUp(code syncml.StatusCode) error {
	why := "the " + strconv.Itoa(c.retries) + " messages sent again (MaxAuthRetries) are spent"
	if c.cfg.Credentials == nil {
		why = "the Client has no Credentials to send"
	}
	return errorf("%w: session %q: the server refused message %d with %d and ran none of it, and %s; the next Start sends its commands again: %w",
		ErrAuthGaveUp, c.sessionID, c.outMsgID, int(code), why, refusalCause(code))
}

// unsend takes back the last message built, which the server refused at
// its SyncHdr (c.refused) when the session gave up on authentication: it
// ran none of it, so the message counts as not sent. The device's
// commands in it go back to the front of the rest of its package
// (c.cont, a new slice), in order, where giveUp finds them: all of a
// package 1 as Start asked it but what Start made of itself (Alert 1201,
// the alerts it was given, the DevInfo: the next Start is given or makes
// its own); of a later message, what it carried after EachMessage's
// commands but what Start made (a later message of a package 1 its
// MaxMsgSize cut: see withoutStartOwn, which takes those out of the rest
// of the package too), giveUp dropping the answers to the server and the
// alerts the session sent of itself, and putting the objects cut into
// chunks back whole. It returns the Outcomes of the commands EachMessage
// gave the message and of package 1's alerts, in the message or left
// for a later one (see refusedEach, leftOfPackage1: they are not sent
// again), and the records of the session without those of the message
// (a new slice: c.sent is left as it is). A message Run failed to post
// before any of it was written (c.unsent) is taken back the same way,
// and gives no Outcome (the server never saw it, EachMessage gives the
// next message its own, the next Start its own alerts) but for the
// Start alerts of a later message of package 1, in it or left for a
// message after it (see notPosted): the server answered those of the
// first, and each alert of the Start gets one Outcome.
func (c *Client) unsend() ([]Outcome, []*sentCmd) {
	var outs []Outcome
	if !c.unsent {
		outs = c.refusedEach(c.refused)
	}
	own := min(c.pkg1Own, len(c.pkg1))
	if c.lastPkg1 {
		alerts, _ := c.startOwn()
		if !c.unsent {
			outs = append(outs, c.refusedOf(alerts, c.refused, "Start gives each session its own alerts")...)
			outs = append(outs, c.leftOfPackage1(alerts)...)
		}
		// package 1 is the only message of the session sent: what of it
		// did not fit is among the rest
		c.cont = append([]syncml.Command(nil), c.pkg1[own:]...)
		return outs, nil
	}
	// A later message of package 1 (cut by the server's MaxMsgSize)
	// carries what Start made too, and the rest of the package may hold
	// more of it: those do not go back (the next Start makes its own),
	// and the alerts are reported, as those of a refused package 1 are.
	back, alerts := c.withoutStartOwn(c.lastSent[min(c.lastEach, len(c.lastSent)):])
	rest, left := c.withoutStartOwn(c.cont)
	if !c.unsent {
		outs = append(outs, c.refusedOf(alerts, c.refused, "Start gives each session its own alerts")...)
		for _, x := range left {
			outs = append(outs, c.leftOut(x, "Start gives each session its own alerts"))
		}
	} else {
		// The server answered the package's first message, and so the
		// alerts it carried: those it never saw are reported too, once,
		// so that each of the Start's alerts has an Outcome.
		for _, x := range alerts {
			outs = append(outs, c.notPosted(x, true))
		}
		for _, x := range left {
			outs = append(outs, c.notPosted(x, false))
		}
	}
	c.cont = append(append(make([]syncml.Command, 0, len(back)+len(rest)), back...), rest...)
	msgID := strconv.Itoa(c.outMsgID)
	keep := make([]*sentCmd, 0, len(c.sent.sent))
	for _, s := range c.sent.sent {
		if s.MsgID != msgID {
			keep = append(keep, s)
		}
	}
	return outs, keep
}

// leftOfPackage1 returns an Outcome for each of the Start alerts (alerts)
// and EachMessage commands that a package 1 refused until the session
// gave up left for its next messages (c.cont, the server's MaxMsgSize
// having cut it), which never went out: as those the refused message
// carried (see refusedOf), they are not sent again, and each comes back
// with an Err matching the refusal's cause, without MsgID. The queued
// commands of package 1 (pkg1 after what Start made) and the DevInfo are
// not among them: those go back to the queue, or are made anew.
func (c *Client) leftOfPackage1(alerts []syncml.Command) []Outcome {
	own := min(c.pkg1Own, len(c.pkg1))
	var outs []Outcome
	var queued map[syncml.Command]bool
	for _, x := range c.cont {
		if isAnswer(x) || sessionAlert(x) || isChunk(x) {
			continue
		}
		if queued == nil {
			queued = make(map[syncml.Command]bool, len(c.pkg1)-own+1)
			for _, q := range c.pkg1[own:] {
				queued[q] = true
			}
			if c.cfg.DevInfo.DevID != "" && own > 1 {
				queued[c.pkg1[own-1]] = true // the DevInfo, which Start makes anew
			}
		}
		if queued[x] {
			continue
		}
		why := "EachMessage gives each message its own"
		if slices.Contains(alerts, x) {
			why = "Start gives each session its own alerts"
		}
		outs = append(outs, c.leftOut(x, why))
	}
	return outs
}

// leftOut returns the Outcome of x, left for a message after the one the
// server refused (c.refused) when the session gave up, never sent and not
// sent again (why says why): no MsgID, and an Err matching the refusal's
// cause.
func (c *Client) leftOut(x syncml.Command, why string) Outcome {
	return Outcome{SessionID: c.sessionID, Command: x,
		Err: errorf("%s not sent: the server refused the message before it (%d) and the session gave up; %s: %w",
			x.ElementName(), int(c.refused), why, refusalCause(c.refused))}
}

// notPosted returns the Outcome of x, one of the alerts given to Start,
// which the last message built carried (in) or left for a later one,
// when that message was never posted (c.unsent) and the session is given
// up: a later message of a package 1 whose first message the server
// answered. x is not sent again (the next Start has alerts of its own):
// its Outcome has no MsgID, and an Err that says so.
func (c *Client) notPosted(x syncml.Command, in bool) Outcome {
	where := "the message that carried it"
	if !in {
		where = "the message before it"
	}
	return Outcome{SessionID: c.sessionID, Command: x,
		Err: errorf("%s not sent: %s (%d of session %q, package 1) was never posted and the session was given up; Start gives each session its own alerts",
			x.ElementName(), where, c.outMsgID, c.sessionID)}
}

// startOwn returns the alerts Start was given for the session's package 1
// and the DevInfo Replace it made (nil when none).
func (c *Client) startOwn() (alerts []syncml.Command, devInfo syncml.Command) {
	own := min(c.pkg1Own, len(c.pkg1))
	alerts = c.pkg1[min(1, own):own]
	if c.cfg.DevInfo.DevID != "" && len(alerts) > 0 {
		devInfo = alerts[len(alerts)-1]
		alerts = alerts[:len(alerts)-1]
	}
	return alerts, devInfo
}

// withoutStartOwn returns cmds without what Start made for the session's
// package 1 (see startOwn), in a new slice when it held any, and the
// alerts among them.
func (c *Client) withoutStartOwn(cmds []syncml.Command) ([]syncml.Command, []syncml.Command) {
	alerts, devInfo := c.startOwn()
	isOwn := func(x syncml.Command) bool {
		return x == devInfo && devInfo != nil || slices.Contains(alerts, x)
	}
	if !slices.ContainsFunc(cmds, isOwn) {
		return cmds, nil
	}
	var found []syncml.Command
	for _, x := range cmds {
		if slices.Contains(alerts, x) {
			found = append(found, x)
		}
	}
	return slices.DeleteFunc(slices.Clone(cmds), isOwn), found
}
