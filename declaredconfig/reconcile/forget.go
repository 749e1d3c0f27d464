package reconcile

import (
	"context"
	"errors"

	"github.com/windc-go/windc/internal/backoff"
)

// Forget drops all that the Reconciler keeps of device: the documents
// desired on it, what it knows of the device (its summary, results,
// strays, RefreshInterval) and its decoded state and last summary kept in
// memory. It deletes nothing from the device (Remove does, while the
// device checks in). Call it once a device is retired or unenrolled: the
// Store keeps a device's state for ever otherwise, with the documents
// declared to it. A device that checks in afterwards is a device never
// seen: what it lists is Stray.
//
// Its state in the Store is replaced by an empty one with
// compare-and-swap (a Store that then deletes the row must not answer
// version 0 for it afterwards, as session.Store says); the default store
// lets go of the device altogether. A state that does not read is
// forgotten as well. Forget of a device without a state does nothing. It
// drops as well the mark that the device asked to be unenrolled in its
// current session (Config.ForgetOnUnenroll), whose rest is then
// reconciled again.
func (r *Reconciler) Forget(ctx context.Context, device string) error {
	_, err := r.forget(ctx, "Forget", device, "")
	return err
}

// forget is Forget (op names it in errors), which, with left set,
// replaces the state of device with the tombstone of that session
// (deviceState.Left) in place of an empty one. It reports whether the
// state it replaced was another than that tombstone (the device was not
// forgotten in that session already).
func (r *Reconciler) forget(ctx context.Context, op, device, left string) (bool, error) {
	if device == "" {
		return false, errorf("%s: device \"\": no device has that ID: %w", op, ErrInvalid)
	}
	var want []byte // the state that replaces the device's: none, or the tombstone
	if left != "" {
		var err error
		if want, err = encodeState(&deviceState{Left: left}); err != nil {
			return false, errorf("%s: device %s: %w", op, shown(device), err)
		}
	}
	sem := r.turnOf(device)
	held, err := takeTurn(ctx, sem)
	if err != nil {
		return false, errorf("%s: device %s: %w", op, shown(device), err)
	}
	if held {
		defer func() { <-sem }()
	}
	// Let go of what is cached first and last: an update that ends
	// meanwhile (without the turn) may have put it back.
	r.forgetCached(device)
	defer r.forgetCached(device)
	if ms, ok := r.store.(*memStore); ok && want == nil {
		ms.drop(device)
		return true, nil
	}
	var last error
	for attempt := range r.maxRetries() {
		raw, ver, err := r.loadStored(ctx, device)
		if err != nil {
			return false, errorf("%s: %w", op, err)
		}
		if raw == string(want) {
			return false, nil // no state, or replaced already
		}
		if left != "" {
			// A state of that tombstone holds what was declared since:
			// kept, for the device's next session.
			if st, err := r.decode(raw); err == nil && st.Left == left {
				return false, nil
			}
		}
		if _, err := r.store.CompareAndSwap(ctx, device, ver, want); err != nil {
			if !errors.Is(err, ErrConflict) {
				return false, errorf("%s: device %s: %w", op, shown(device), err)
			}
			last = err
			if attempt+1 < r.maxRetries() {
				if err := backoff.Wait(ctx, attempt+1); err != nil {
					return false, errorf("%s: device %s: %w", op, shown(device), err)
				}
			}
			continue
		}
		return true, nil
	}
	return false, errorf("%s: device %s: %d attempts to empty its state: %w", op, shown(device), r.maxRetries(), last)
}

// forgetCached lets go of the decoded state and summary kept of device.
func (r *Reconciler) forgetCached(device string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cache.remove(device)
}
