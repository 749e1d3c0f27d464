package session

import "testing"

// A server's Get of twelve nodes is answered per item (the Handler gives
// 200 for the even ones, with Results, 404 for the odd ones), and the
// server's MaxMsgSize of 1500 has room for only some of the twelve
// Statuses in the device's first reply: the others wait in the rest of
// the package with the Results. The server's next message announces a
// MaxObjSize of 1000, over which the Results of ./…/N00 (3000 bytes) is.
//   - When the server took that first reply, it holds the codes of the
//     items answered in it, so the Get cannot fail any more: every item
//     keeps its code (the odd ones 404, the even ones 200), the Results
//     within the bound go, and that of N00 alone is left out, with an
//     Outcome holding a *LimitError of MaxObjSize. Before, the Statuses
//     still to go became 500 and no Results went, while the server had
//     200 for the items answered first.
//   - When the server refused that reply (401, HMAC checked mid-session),
//     it has none of the codes: the message sent again carries all the
//     Statuses, and the Get fails, as any whose Status is still to go
//     (every item 500, no Results, an Outcome for each Results).
func TestClientGetItemStatusesSplit(t *testing.T) {
	t.Run("taken", func(t *testing.T) {
		testGetSplit(t, nil, 2, []string{"2"}, nil, false, 0)
	})
	t.Run("refused", func(t *testing.T) {
		testGetSplit(t, map[int]splitRefusal{2: {1500, true}}, 0, []string{"2"}, nil, true, 0)
	})
}
