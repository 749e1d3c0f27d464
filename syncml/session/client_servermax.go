package session

// DefaultServerMaxMsgSize is the default of ClientConfig.ServerMaxMsgSize:
// the size a Client keeps its messages within before the server has said
// what it takes. The server announces its MaxMsgSize in its replies, so
// package 1 is built before the device can know it, and one larger than
// the server reads is refused whole (often with an HTTP error, nothing of
// it run). 512 KiB is what the Windows MDM servers whose messages are at
// hand announce (Intune's published captures, Mattrax): package 1 (Alert
// 1201, the client alerts, the DevInfo and what was queued) is far
// smaller unless the device queued large objects, which then go in
// chunks, as they would once the server's bound is known. Other OMA DM
// servers may take less (an Android engine's test server announces
// 20000 bytes): set ServerMaxMsgSize for them.
const DefaultServerMaxMsgSize = 512 << 10

// packMax returns the bound the next message is kept within (0: none),
// and whether it is ServerMaxMsgSize standing for the server's, not heard
// yet: the server's MaxMsgSize once it announced one; before any server
// message was handled, ClientConfig.ServerMaxMsgSize (its default when
// zero, none when negative); none when the server announced none.
func (c *Client) packMax() (int, bool) {
	if c.peerMax > 0 {
		return c.peerMax, false
	}
	if c.peerSeen {
		return 0, false
	}
	switch n := c.cfg.ServerMaxMsgSize; {
	case n < 0:
		return 0, false
	case n == 0:
		return DefaultServerMaxMsgSize, true
	default:
		return n, true
	}
}
