package device

import (
	"context"
)

// A Renewer is an Enroller that can also renew what an enrollment it set
// up holds before it expires, such as the client certificate of an MS-MDE2
// enrollment (MDE2 is one). Renew returns the renewed Enrollment, or an
// error; it must return when ctx ends.
type Renewer interface {
	Renew(ctx context.Context, e *Enrollment) (*Enrollment, error)
}

// Renew renews the linked enrollment through the Enroller, which must be
// a Renewer (an error matching ErrConfig otherwise), and saves the
// renewed Enrollment in the state (OnChange then gives it, so that the
// device's next sessions present the new certificate). A device calls it
// when the renewal schedule its enrollment set comes due; nothing on the
// LinkedEnrollment nodes starts it.
//
// Fields of the Renewer's Enrollment that are empty or zero are kept from
// the current one; a ManagementURL that changes must meet the discovery
// client's URL policy, as at Enroll. It is refused, with nothing renewed,
// without an enrollment (ErrNotEnrolled) and while an enroll, unenroll or
// renewal runs (ErrBusy); an Exec of Enroll or Unenroll that arrives
// during a renewal is refused as busy. A renewal that fails leaves the
// state as it was: EnrollStatus and LastError tell of enrollment and
// unenrollment only. It is bounded by Config.Timeout and cancelled by
// Close.
func (h *Handler) Renew(ctx context.Context) error {
	r, ok := h.cfg.Enroller.(Renewer)
	if !ok {
		return pkg.Errorf("%w: the Enroller (%T) is not a Renewer", ErrConfig, h.cfg.Enroller)
	}
	h.mu.Lock()
	refuse := h.cannotStart()
	if refuse == nil && h.st.Enrollment == nil {
		refuse = ErrNotEnrolled
	}
	if refuse != nil {
		h.mu.Unlock()
		return pkg.Errorf("renew: %w", refuse)
	}
	cur := h.st.Enrollment.clone()
	h.busy = true
	h.ops++
	h.mu.Unlock()
	defer h.done(nil)

	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	defer context.AfterFunc(h.ctx, cancel)()
	e, err := r.Renew(ctx, cur.clone())
	if err == nil && e == nil {
		err = ErrNoEnrollment
	}
	if err == nil {
		e = e.clone()
		if e.ManagementURL == "" {
			e.ManagementURL = cur.ManagementURL
		} else if e.ManagementURL != cur.ManagementURL {
			if cerr := h.cfg.Discovery.URLs.Check(e.ManagementURL); cerr != nil {
				err = pkg.Errorf("management server: %w", cerr)
			}
		}
		if e.AuthPolicy == "" {
			e.AuthPolicy = cur.AuthPolicy
		}
		if e.EnrollmentServiceURL == "" {
			e.EnrollmentServiceURL = cur.EnrollmentServiceURL
		}
		if e.Enrolled.IsZero() {
			e.Enrolled = cur.Enrolled
		}
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	h.busy = false
	if err != nil {
		return pkg.Errorf("renew: %w", err)
	}
	st := h.st.clone()
	st.Enrollment = e
	if err := h.commit(ctx, st); err != nil {
		return pkg.Errorf("renew: save the renewed enrollment: %w", err)
	}
	return nil
}
