package reconcile

import "context"

// LastMessage returns the SessionID and MsgID of the last message
// reconciled for device, as its stored state says.
func LastMessage(r *Reconciler, device string) (session, msg string, err error) {
	st, err := r.load(context.Background(), device)
	if err != nil {
		return "", "", err
	}
	for i := len(st.LastMsg) - 1; i >= 0; i-- {
		if st.LastMsg[i] == '/' {
			return st.LastMsg[:i], st.LastMsg[i+1:], nil
		}
	}
	return st.LastMsg, "", nil
}
