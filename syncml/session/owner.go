package session

import "context"

// SetOwner binds the device to user, the owner its state keeps (see
// AuthInput.Owner), in place of the one it had; "" unbinds it, and the
// next message accepted with a user binds it again. It changes nothing
// else: see Server.SetOwner for what it means for a session under way.
func (s *Session) SetOwner(user string) { s.st.Owner = user }

// Owner returns the user the device is bound to, "" when none (see
// AuthInput.Owner).
func (s *Session) Owner() string { return s.st.Owner }

// SetOwner binds device to user in its state (see AuthInput.Owner), in
// place of the owner it had: a CredAuthenticator then refuses the
// credentials of any other user for it (unless its AnyDevice is set). It
// is for an enrollment server, which binds the device to the DM user it
// provisioned before the device's first session (instead of the first
// user to reach the new device's ID winning it), and binds a re-enrolled
// device to its new user. User "" unbinds the device: the next message
// accepted with a user binds it again. The device is the Identity.Device
// its state is kept under, as for Queue: by default its SyncHdr Source
// LocURI; with a DeviceKeyer (such as ClientCertificate) its key
// (ClientCertificate checks no owner: its user is that key). A device
// with no state yet gets one (as Queue makes it), but for "", which then
// changes nothing. When another server instance saves the state
// meanwhile, SetOwner loads it again and retries, up to MaxRetries times
// (an error matching ErrConflict after that).
//
// SetOwner does not touch the session itself, whose state is kept as it
// was but for the owner. Every message is authenticated with the owner
// of the state saved last (AuthInput.Owner), but a CredAuthenticator
// accepts the rest of a session whose credentials it accepted with 212
// (basic and MD5) without checking them or the owner again
// (AuthInput.Accepted): such a session keeps its user until the device
// starts a new session (a session alert or another SessionID), whose
// credentials are then checked against the new owner. HMAC is checked on
// every message: the former owner's next message is refused (401). And
// a session under way on a device unbound with "" binds the device again
// to the user of its next message, who may be that of the session.
func (s *Server) SetOwner(ctx context.Context, device, user string) error {
	if err := ctx.Err(); err != nil {
		return errorf("set owner of %s: %w", shown(device), err)
	}
	return s.update(ctx, device, "set owner of", func(sess *Session, had bool) (bool, error) {
		if !had && user == "" || had && sess.Owner() == user {
			return false, nil // no state and no owner, or the same owner
		}
		sess.SetOwner(user)
		return true, nil
	})
}

// Owner returns the user device is bound to (see SetOwner), "" when none
// or when the device has no state.
func (s *Server) Owner(ctx context.Context, device string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", errorf("owner of %s: %w", shown(device), err)
	}
	raw, _, err := s.cfg.Store.Load(ctx, device)
	if err != nil {
		return "", errorf("owner of %s: %w", shown(device), err)
	}
	sess, err := s.session(raw)
	if err != nil {
		return "", errorf("owner of %s: %w", shown(device), err)
	}
	return sess.Owner(), nil
}
