package reconcile

import (
	"context"
	"strings"

	"github.com/windc-go/windc/internal/cmdwalk"
	"github.com/windc-go/windc/syncml"
)

// unenrollType is the Meta Type of the generic alert (1226) with which a
// Windows device tells that its user asked to be unenrolled, in the first
// package of the session it starts for that.
const unenrollType = "com.microsoft:mdm.unenrollment.userrequest"

// unenrollRequest reports whether m holds a generic alert with an item of
// Meta Type unenrollType (white space around it, and letter case, as
// devices may write it), among its commands or those of its Atomic and
// Sequence groups.
func unenrollRequest(m *syncml.Message) bool {
	found := false
	cmdwalk.Each(m.Body.Commands, func(c syncml.Command) []syncml.Command {
		if found || c == nil {
			return nil
		}
		a, ok := c.(*syncml.Alert)
		if !ok {
			return c.Nested()
		}
		if code, err := a.Code(); err == nil && code == syncml.AlertGeneric {
			for _, it := range a.Items {
				if it.Meta != nil && strings.EqualFold(strings.TrimSpace(it.Meta.Type), unenrollType) {
					found = true
				}
			}
		}
		return nil
	})
	return found
}

// unenrolled forgets device, which asked to be unenrolled in session sess
// (Config.ForgetOnUnenroll): its state becomes the tombstone of sess
// (deviceState.Left), and Forgotten is reported unless it was that
// already (the same message handled again).
func (r *Reconciler) unenrolled(ctx context.Context, device, sess string) error {
	changed, err := r.forget(ctx, "Reconcile", device, sess)
	if err != nil {
		return err
	}
	if changed && r.cfg.OnEvent != nil {
		r.cfg.OnEvent(ctx, Event{Kind: Forgotten, Device: device})
	}
	return nil
}

// gone reports whether the device was forgotten in the session of the
// message (see Config.ForgetOnUnenroll): its state is the tombstone of
// that session, and the message does not start another one (with a
// session alert, as a device enrolled again may number its sessions
// anew). A message of another session clears the tombstone.
func (p *run) gone() bool {
	if p.st.Left == "" {
		return false
	}
	if p.st.Left == p.sess && !sessionAlert(p.m.Body.Commands) {
		return true
	}
	p.st.Left = ""
	return false
}
