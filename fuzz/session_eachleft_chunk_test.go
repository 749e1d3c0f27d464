package fuzz

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestEachMessageChunkedNotResent is what FuzzSessionClientPackage found
// (its input "0\xad10200A1000020100A000%"): a command EachMessage gave
// a message that could not carry it waits in the rest of the package
// (Client.eachLeft); when a later message carries its first chunk, it
// is no longer known as EachMessage's, and when the next Start gives
// the session up mid-object, the object goes whole again in the next
// package 1: a stale report of the first session, which EachMessage's
// doc says is not queued again (259cd65; TestClientEachLeftNotQueued
// holds so for one left before any chunk went). Here EachMessage gives
// two Replaces of 450 bytes under the server's MaxMsgSize 700: the
// first goes in chunks, the second waits, then begins.
func TestEachMessageChunkedNotResent(t *testing.T) {
	next := chunkedThenGivenUp(t)
	for _, cmd := range next.Body.Commands {
		if u := syncml.Targets(cmd); len(u) > 0 && strings.HasPrefix(u[0], "./E/1/") {
			t.Errorf("the next session's package 1 sends %s %s again, which EachMessage gave the session given up", cmd.ElementName(), u[0])
		}
	}
}

// chunkedThenGivenUp runs a session whose package carries two Replaces of
// 450 bytes under the server's MaxMsgSize 700, given by EachMessage: the
// first goes in chunks, the second waits, then begins; the next Start
// gives the session up mid-object. It returns the next session's package
// 1.
func chunkedThenGivenUp(t *testing.T) *syncml.Message {
	ctx := context.Background()
	calls := 0
	replace := func(u string) syncml.Command {
		return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text(strings.Repeat("e", 450))}}}
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: session.Accept,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if calls++; calls != 2 {
				return nil, nil
			}
			return []syncml.Command{replace("./E/1/0"), replace("./E/1/1")}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	last, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	began := false
	for msgID := 1; msgID <= 30 && !began; msgID++ {
		m := &syncml.Message{Header: serverHeader()}
		m.Header.MsgID = strconv.Itoa(msgID)
		m.Header.Meta = &syncml.Meta{MaxMsgSize: "700"}
		m.Body.Commands = []syncml.Command{&syncml.Status{MsgRef: last.Header.MsgID, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}}
		for _, cmd := range answerable(last) {
			code := syncml.StatusOK
			if its := cmd.ItemList(); len(its) == 1 && its[0].MoreData {
				code = 213
			}
			m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: last.Header.MsgID, CmdRef: cmd.ID(), Cmd: cmd.ElementName(), Data: code.Data()})
		}
		m.Body.Commands = append(m.Body.Commands, session.NewAlert(syncml.AlertNextMessage))
		syncml.NumberCommands(m.Body.Commands, 1)
		x, err := c.Handle(ctx, m)
		if err != nil || x.Reply == nil {
			t.Fatalf("server message %d: %v", msgID, err)
		}
		last = x.Reply
		for _, cmd := range last.Body.Commands {
			if its := cmd.ItemList(); len(its) == 1 && its[0].Target != nil && its[0].Target.LocURI == "./E/1/1" && its[0].MoreData {
				began = true
			}
		}
	}
	if !began {
		t.Fatal("no reply carries the first chunk of EachMessage's second command: nothing to test")
	}
	next, err := c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	return next
}
