package session

import (
	"github.com/windc-go/windc/syncml"
)

// checkMsgRefs refuses a server message whose Statuses or Results answer
// a message the device did not send in this session: every MsgRef must be
// the MsgID of one of the session's messages (1 to the last one built,
// written as the Client writes them), or a server could have the device
// take a Status (its SyncHdr's 212, a challenge, a refusal) for a message
// it never saw. A Status without MsgRef answers the device's last message
// and a Results without one the first (MS-MDM), both sent. The error
// matches ErrProtocol and names the command by its CmdID.
func (c *Client) checkMsgRefs(m *syncml.Message) error {
	for _, cmd := range m.Body.Commands {
		var ref string
		switch x := cmd.(type) {
		case *syncml.Status:
			ref = x.MsgRef
		case *syncml.Results:
			ref = x.MsgRef
		default:
			continue
		}
		if ref == "" || c.sentMsg(ref) {
			continue
		}
		return errorf("%w: server message %s: %s %s answers MsgID %s, which the device did not send in session %q (its last is %d)",
			ErrProtocol, cut(m.Header.MsgID), cmd.ElementName(), cut(cmd.ID()), shown(ref), c.sessionID, c.outMsgID)
	}
	return nil
}

// sentMsg reports whether ref is the MsgID of a message built in this
// session: 1 to outMsgID, in decimal without leading zeros or sign.
func (c *Client) sentMsg(ref string) bool {
	return ref != "" && sentMsgID(ref, c.outMsgID)
}
