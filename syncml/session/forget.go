package session

import "context"

// Forget drops what s keeps for device in its Store: its state (commands
// queued and not yet answered, the session under way and the reply kept
// for a replay, nonces, the owner it is bound to) becomes empty, and the
// records of an object it was sending in chunks are emptied. It is for a
// server whose device has left (a user's unenrollment, a device retired):
// nothing of it stays but the Store's empty record, and a message of the
// device afterwards is that of a device never seen (a session alert starts
// a new session; the rest of the old one is refused as a new device's
// would be, and a message sent again is not answered from the kept reply,
// which is gone). A device with no state is not an error. The device is the
// Identity.Device its state is kept under, as for Queue.
//
// A message of the device handled meanwhile by another instance may save
// a state after Forget's; the device is then forgotten from that state
// on only after Forget is called again. An object it was sending is
// refused (424), never joined, once its records are emptied. When another
// instance saves the state while Forget empties it, Forget loads it again
// and retries, up to MaxRetries times (an error matching ErrConflict
// after that).
func (s *Server) Forget(ctx context.Context, device string) error {
	if err := ctx.Err(); err != nil {
		return errorf("forget %s: %w", shown(device), err)
	}
	if err := s.swap(ctx, device, "forget", func(raw []byte) ([]byte, bool, error) {
		return nil, len(raw) > 0, nil
	}); err != nil {
		return err
	}
	if err := s.segStore(ctx, device).cleanUnread(nil, s.cfg.Session.maxObj()/MinObjectSegment+1); err != nil {
		return errorf("forget %s: %w", shown(device), err)
	}
	return nil
}
