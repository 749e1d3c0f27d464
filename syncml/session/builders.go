package session

import "github.com/windc-go/windc/syncml"

// NewAlert returns an Alert with code and items (no CmdID).
func NewAlert(code syncml.AlertCode, items ...syncml.Item) *syncml.Alert {
	return &syncml.Alert{Data: code.Data(), Items: items}
}

// NewClientEvent returns a client event Alert (code 1224 or 1226) with one
// Item of the given Meta Type and Data, such as
// NewClientEvent(syncml.AlertClientEvent, "com.microsoft/MDM/LoginStatus", "user").
func NewClientEvent(code syncml.AlertCode, metaType, data string) *syncml.Alert {
	return NewAlert(code, syncml.Item{Meta: &syncml.Meta{Type: metaType}, Data: syncml.Text(data)})
}

// NewGets returns one Get per node URI, in order, each with one Item
// whose Target is the node (no CmdID): what a server queues to read nodes
// of a device. The commands are allocated together.
func NewGets(uris ...string) []syncml.Command {
	type get struct {
		cmd  syncml.Get
		item [1]syncml.Item
		loc  syncml.Location
	}
	gets := make([]get, len(uris))
	cmds := make([]syncml.Command, len(uris))
	for i, u := range uris {
		g := &gets[i]
		g.loc.LocURI = u
		g.item[0].Target = &g.loc
		g.cmd.Items = g.item[:]
		cmds[i] = &g.cmd
	}
	return cmds
}
