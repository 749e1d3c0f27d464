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
// forgotten as well. Forget of a device without a state does nothing.
func (r *Reconciler) Forget(ctx context.Context, device string) error {
	if device == "" {
		return errorf("Forget: device \"\": no device has that ID: %w", ErrInvalid)
	}
	sem := r.turnOf(device)
	held, err := takeTurn(ctx, sem)
	if err != nil {
		return errorf("Forget: device %s: %w", shown(device), err)
	}
	if held {
		defer func() { <-sem }()
	}
	// Let go of what is cached first and last: an update that ends
	// meanwhile (without the turn) may have put it back.
	r.forgetCached(device)
	defer r.forgetCached(device)
	if ms, ok := r.store.(*memStore); ok {
		ms.drop(device)
		return nil
	}
	var last error
	for attempt := range r.maxRetries() {
		raw, ver, err := r.loadStored(ctx, device)
		if err != nil {
			return errorf("Forget: %w", err)
		}
		if ver == 0 || raw == "" {
			return nil // no state, or emptied already
		}
		if _, err := r.store.CompareAndSwap(ctx, device, ver, nil); err != nil {
			if !errors.Is(err, ErrConflict) {
				return errorf("Forget: device %s: %w", shown(device), err)
			}
			last = err
			if attempt+1 < r.maxRetries() {
				if err := backoff.Wait(ctx, attempt+1); err != nil {
					return errorf("Forget: device %s: %w", shown(device), err)
				}
			}
			continue
		}
		return nil
	}
	return errorf("Forget: device %s: %d attempts to empty its state: %w", shown(device), r.maxRetries(), last)
}

// forgetCached lets go of the decoded state and summary kept of device.
func (r *Reconciler) forgetCached(device string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cache.remove(device)
}
