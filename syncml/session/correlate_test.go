package session

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/syncml"
)

// Correlation never pairs a Status with the wrong command: commands sent
// over several messages, answered in any order, in any grouping, mixed
// with answers that name nothing, each come back once, with the Status
// whose MsgRef and CmdRef are theirs; the others are unmatched.
func TestPropertyCorrelation(t *testing.T) {
	props := gopter.NewProperties(propSeed(t))
	props.Property("Status and Results pair with their command", prop.ForAll(
		func(perMsg []int, order []int, bogus int, noMsgRef bool) string {
			var c correlator
			type ref struct{ msg, cmd string }
			var sent []ref
			for m, n := range perMsg {
				msg := strconv.Itoa(m + 1)
				for i := range n {
					g := get(fmt.Sprintf("./M%s/C%d", msg, i+1))
					g.CmdID = strconv.Itoa(i + 3) // after two Statuses
					c.add(msg, g)
					sent = append(sent, ref{msg, g.CmdID})
				}
			}
			// Answer in an order drawn from order, in batches of 3.
			idx := make([]int, len(sent))
			for i := range idx {
				idx[i] = i
			}
			for i, o := range order {
				if len(idx) > 1 {
					j := o % len(idx)
					k := i % len(idx)
					idx[j], idx[k] = idx[k], idx[j]
				}
			}
			var answers []syncml.Command
			for _, i := range idx {
				r := sent[i]
				answers = append(answers, &syncml.Status{MsgRef: r.msg, CmdRef: r.cmd, Cmd: "Get", Data: syncml.StatusOK.Data(),
					TargetRef: []string{fmt.Sprintf("./M%s/C%s", r.msg, strconv.Itoa(mustAtoi(r.cmd)-2))}})
				mr := r.msg
				if noMsgRef && r.msg == "1" {
					mr = ""
				}
				answers = append(answers, &syncml.Results{MsgRef: mr, CmdRef: r.cmd, Items: []syncml.Item{{Data: syncml.Text(r.msg + "/" + r.cmd)}}})
			}
			for b := range bogus {
				answers = append(answers, &syncml.Status{MsgRef: "99", CmdRef: strconv.Itoa(b + 3), Data: syncml.StatusOK.Data()})
			}
			seen := map[ref]bool{}
			unmatched := 0
			for start := 0; start < len(answers); start += 3 {
				outs, um, _ := c.receive(answers[start:min(start+3, len(answers))], "1", sentKey{}, nil)
				unmatched += len(um)
				for _, o := range outs {
					r := ref{o.MsgID, o.Command.ID()}
					if o.Status == nil || o.Status.MsgRef != r.msg || o.Status.CmdRef != r.cmd {
						return fmt.Sprintf("command %v paired with Status %+v", r, o.Status)
					}
					for _, res := range o.Results {
						if res.Items[0].Data.Value != r.msg+"/"+r.cmd {
							return fmt.Sprintf("command %v paired with Results %s", r, res.Items[0].Data.Value)
						}
					}
					if o.Status.TargetRef[0] != o.Command.ItemList()[0].Target.LocURI {
						return fmt.Sprintf("command %v paired with the Status of %s", r, o.Status.TargetRef[0])
					}
					if len(o.Results) > 0 {
						seen[r] = true
					}
				}
			}
			if len(seen) != len(sent) {
				return fmt.Sprintf("%d of %d commands came back with their Results", len(seen), len(sent))
			}
			if unmatched != bogus || c.pending() != 0 {
				return fmt.Sprintf("unmatched %d (want %d), pending %d", unmatched, bogus, c.pending())
			}
			return ""
		},
		gen.SliceOfN(4, gen.IntRange(0, 6)),
		gen.SliceOf(gen.IntRange(0, 100)),
		gen.IntRange(0, 4),
		gen.Bool(),
	))
	props.TestingRun(t)
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestReceiveResults: each Outcome holds the Results of its command, in
// order, however they interleave with others' in a body (two for one
// command, one before its Status, one for a command whose Status comes in
// the next body), and appending to one Outcome's Results changes no
// other's.
func TestReceiveResults(t *testing.T) {
	var c correlator
	for i, uri := range []string{"./A", "./B", "./C"} {
		g := get(uri)
		g.CmdID = strconv.Itoa(i + 2)
		c.add("1", g)
	}
	res := func(cmd, v string) *syncml.Results {
		return &syncml.Results{MsgRef: "1", CmdRef: cmd, Items: []syncml.Item{{Data: syncml.Text(v)}}}
	}
	status := func(cmd string) *syncml.Status {
		return &syncml.Status{MsgRef: "1", CmdRef: cmd, Cmd: "Get", Data: syncml.StatusOK.Data()}
	}
	values := func(o Outcome) string {
		s := ""
		for _, r := range o.Results {
			s += r.Items[0].Data.Value + ";"
		}
		return s
	}
	outs, um, _ := c.receive([]syncml.Command{res("2", "a1"), status("2"), res("3", "b1"), res("2", "a2"), status("3"), res("4", "c1")}, "1", sentKey{}, nil)
	if len(um) != 0 || len(outs) != 2 {
		t.Fatalf("%d outcomes, %d unmatched; want 2, 0", len(outs), len(um))
	}
	if got := values(outs[0]) + "|" + values(outs[1]); got != "a1;a2;|b1;" {
		t.Errorf("Results %q, want %q", got, "a1;a2;|b1;")
	}
	for _, o := range outs {
		o.Results = append(o.Results, res(o.Command.ID(), "x"))
	}
	if got := values(outs[0]) + "|" + values(outs[1]); got != "a1;a2;|b1;" {
		t.Errorf("after appending to each Outcome's Results: %q, want %q", got, "a1;a2;|b1;")
	}
	outs, _, _ = c.receive([]syncml.Command{status("4")}, "1", sentKey{}, nil)
	if len(outs) != 1 || values(outs[0]) != "c1;" {
		t.Errorf("Status after its Results: %d outcomes, Results %q; want 1, %q", len(outs), values(outs[0]), "c1;")
	}
}
