package declaredconfig

import (
	"errors"
	"runtime/debug"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// nestIn returns n Sequences one inside the other, the innermost holding
// cmds: a tree only a program builds.
func nestIn(n int, cmds ...syncml.Command) syncml.Command {
	c := syncml.Command(&syncml.Sequence{Commands: cmds})
	for range n - 1 {
		c = &syncml.Sequence{Commands: []syncml.Command{c}}
	}
	return c
}

// shareIn returns 40 Sequences each holding the next twice, the
// innermost holding cmds twice: 2^40 paths to them.
func shareIn(cmds ...syncml.Command) syncml.Command {
	c := syncml.Command(&syncml.Sequence{Commands: append(cmds, cmds...)})
	for range 39 {
		c = &syncml.Sequence{Commands: []syncml.Command{c, c}}
	}
	return c
}

// deepReply is TestEvaluateSentGroups' exchange, with the commands sent
// and those of the reply each put inside wrap: a Replace of document A
// (CmdID 4) and a Get of its results (CmdID 3) sent in message 1, their
// Statuses, the Results of the Get and the summary in the reply.
func deepReply(wrap func(...syncml.Command) syncml.Command) (sent []Sent, reply *syncml.Message) {
	uA := DocumentURI(Device, Complete, docA)
	get := &syncml.Get{CmdID: "3", Items: []syncml.Item{{Target: target(ResultsURI(Device, Complete, docA))}}}
	rep := &syncml.Replace{CmdID: "4", Items: []syncml.Item{{Target: target(uA)}}}
	sent = []Sent{{MsgID: "1", Command: wrap(rep, get)}}
	reply = msg("2", wrap(
		&syncml.Status{CmdID: "2", MsgRef: "1", CmdRef: "4", Cmd: "Replace", Data: syncml.StatusOK.Data()},
		&syncml.Status{CmdID: "4", MsgRef: "1", CmdRef: "3", Cmd: "Get", Data: syncml.StatusOK.Data()},
		&syncml.Results{CmdID: "5", MsgRef: "1", CmdRef: "3", Items: []syncml.Item{{
			Source: source(ResultsURI(Device, Complete, docA).String()), Data: syncml.Text(resultXML("Device", docA, "A1", "200"))}}},
		summaryOf(docA, "A1"),
	))
	return sent, reply
}

// checkDeepReply runs ReadReply, ReadSummary, SentBy and Evaluate on
// deepReply(wrap); statuses is how many Statuses the reply holds, each
// place counted.
func checkDeepReply(t *testing.T, wrap func(...syncml.Command) syncml.Command, statuses int) {
	t.Helper()
	sent, reply := deepReply(wrap)
	r, err := ReadReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Statuses) != statuses || len(r.Results) != statuses/2 || r.Summary == nil {
		t.Errorf("ReadReply: %d Statuses, %d Results items, summary %v; want %d, %d and one", len(r.Statuses), len(r.Results), r.Summary, statuses, statuses/2)
	} else if r.Statuses[0].CmdRef != "4" || r.Statuses[1].CmdRef != "3" {
		t.Errorf("ReadReply: Statuses answer %s then %s, want 4 then 3", r.Statuses[0].CmdRef, r.Statuses[1].CmdRef)
	}
	if s, err := ReadSummary(reply); err != nil || s.Entry(docA) == nil {
		t.Errorf("ReadSummary: %v, %v", s, err)
	}
	d := Desired{URI: DocumentURI(Device, Complete, docA), Checksum: "A1"}
	if !d.SentBy(sent) || d.MsgID != "1" || d.CmdID != "4" {
		t.Errorf("SentBy: CmdID %q of message %q, want 4 of 1", d.CmdID, d.MsgID)
	}
	ev := r.Evaluate([]Desired{d}, sent)
	for _, u := range ev.Unmatched {
		t.Errorf("unmatched %s %s: %s", u.Command.ElementName(), u.Command.ID(), u.Reason)
	}
	if a := ev.Documents[0]; a.Condition != InSync || a.Result == nil || len(a.Settings) != 1 {
		t.Errorf("A = %v (%s), result %v, settings %+v; want InSync with one setting", a.Condition, a.Reason, a.Result, a.Settings)
	}
}

// TestReplyDeep: ReadReply, ReadSummary, SentBy and Evaluate read the
// commands sent and those of the reply inside a million Sequences one
// inside the other, without running out of stack (it is limited to 16
// MiB here, so that a recursive walk fails at once).
func TestReplyDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	checkDeepReply(t, func(cmds ...syncml.Command) syncml.Command { return nestIn(1_000_000, cmds...) }, 2)
	// with no summary to find, ReadSummary walks the whole tree
	if _, err := ReadSummary(msg("2", nestIn(1_000_000, &syncml.Status{}))); !errors.Is(err, ErrNoSummary) {
		t.Errorf("ReadSummary: %v, want ErrNoSummary", err)
	}
}

// TestReplyShared: the same, inside 40 Sequences each holding the next
// twice (2^40 paths), is read quickly: each group once, so the Statuses
// and Results items of the innermost group are read for its two places.
func TestReplyShared(t *testing.T) {
	checkDeepReply(t, shareIn, 4)
	if _, err := ReadSummary(msg("2", shareIn(&syncml.Status{}))); !errors.Is(err, ErrNoSummary) {
		t.Errorf("ReadSummary: %v, want ErrNoSummary", err)
	}
}
