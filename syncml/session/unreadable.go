package session

import (
	"context"
	"errors"
	"math"
)

// startOver returns the fresh Session that in, a message of device whose
// stored state raw does not read (err), is handled on under
// ServerConfig.ReplaceUnreadableState: nil, and the state stays, unless
// the option is set, err is ErrStoredState, in starts a session, and the
// state's owner reads (readFields, which does not decode its commands),
// which the fresh state keeps. A state that names no owner had none.
func (s *Server) startOver(ctx context.Context, device string, raw []byte, in *Inbound, err error) *Session {
	if !s.cfg.ReplaceUnreadableState || !errors.Is(err, ErrStoredState) || in == nil || in.Message == nil || !startsSession(in.Message) {
		return nil
	}
	var fs stateFields
	if ferr := readFields(raw, math.MaxInt, &fs); ferr != nil {
		s.log.ErrorContext(ctx, "stored state does not read, nor does its owner: not replaced", "device", cut(device), "err", err, "owner_err", ferr)
		return nil
	}
	sess, _ := s.handling(nil, false, false, nil) // cannot fail: no state
	sess.st.Owner = fs.st.Owner
	s.log.ErrorContext(ctx, "stored state does not read: the device starts over on a fresh state", "device", cut(device), "err", err)
	return sess
}
