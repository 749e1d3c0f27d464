package session

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// statusCount is the count in the error of a message that cannot carry
// the Statuses it must: the former packSome counted those in the part of
// the candidates it measured, pack counts all, as the former pack did.
var statusCount = regexp.MustCompile(`[0-9]+ Statuses`)

// packCompared and packDiverged count the calls of pack that packSame
// compared with oldPack, and those that came out otherwise.
var packCompared, packDiverged atomic.Int64

func init() {
	// WINDC_PACKDIFF=1 go test ./syncml/session/ runs every test with each
	// packing compared with the former one; the first difference panics.
	// (TestPackSameAsBefore runs its tests so, in a process of their own:
	// packOracle is set here only, before any test runs.)
	if os.Getenv("WINDC_PACKDIFF") != "" {
		packOracle = packSame(func(d string) { panic("pack differs from the former packing: " + d) })
	}
}

// cloneCommands returns a copy of cmds through their encoding in a message
// of header h, or false when that copy would not encode as they do.
func cloneCommands(xmlns string, h syncml.Header, cmds []syncml.Command) ([]syncml.Command, bool) {
	m := &syncml.Message{XMLNS: xmlns, Header: h, Body: syncml.Body{Commands: cmds}}
	b, err := syncml.Marshal(m)
	if err != nil {
		return nil, false
	}
	var c syncml.Message
	if err := syncml.Unmarshal(b, &c); err != nil || len(c.Body.Commands) != len(cmds) {
		return nil, false
	}
	if b2, err := syncml.Marshal(&c); err != nil || !bytes.Equal(b, b2) {
		return nil, false
	}
	return c.Body.Commands, true
}

// packSame returns a packOracle that packs as pack does and packs a copy
// of the input with oldPack, telling differ of any difference in the
// message, the commands sent and left, Final and the error. (The Server
// packed with the former packSome, which measured the commands after the
// answers held from its last reply to pack only those that could fit:
// the same messages as oldPack, Statuses counted apart.)
func packSame(differ func(string)) func(*[]byte, *syncml.Message, []syncml.Command, int, bool, bool, syncml.Command) ([]byte, []syncml.Command, []syncml.Command, error) {
	return func(buf *[]byte, reply *syncml.Message, cands []syncml.Command, max int, force, final bool, cont syncml.Command) ([]byte, []syncml.Command, []syncml.Command, error) {
		fixed, ok1 := cloneCommands(reply.XMLNS, reply.Header, reply.Body.Commands)
		oc, ok2 := cloneCommands(reply.XMLNS, reply.Header, cands)
		var ocont syncml.Command
		ok3 := cont == nil
		for i, c := range cands {
			if c == cont && ok2 {
				ocont, ok3 = oc[i], true
			}
		}
		if !ok1 || !ok2 || !ok3 {
			return packWindowed(buf, reply, cands, max, force, final, cont, nil)
		}
		old := *reply
		old.Body.Commands = fixed
		var oout, osent, orest []byte
		var sentN, restN int
		var oerr error
		{
			var out []byte
			var sent, rest []syncml.Command
			out, sent, rest, oerr = oldPack(nil, &old, oc, max, force, final, ocont)
			oout, osent, orest = out, []byte(cmdShapes(sent)), []byte(cmdShapes(rest))
			sentN, restN = len(sent), len(rest)
		}
		out, sent, rest, err := packWindowed(buf, reply, cands, max, force, final, cont, nil)
		packCompared.Add(1)
		var d []string
		switch {
		case (err == nil) != (oerr == nil):
			d = append(d, fmt.Sprintf("error %v, before %v", err, oerr))
		case err != nil && statusCount.ReplaceAllString(err.Error(), "N Statuses") != statusCount.ReplaceAllString(oerr.Error(), "N Statuses"):
			d = append(d, fmt.Sprintf("error %q, before %q", err, oerr))
		case err != nil:
		case !bytes.Equal(out, oout):
			d = append(d, fmt.Sprintf("message\n%s\nbefore\n%s", out, oout))
		case len(sent) != sentN || len(rest) != restN:
			d = append(d, fmt.Sprintf("%d sent and %d left, before %d and %d", len(sent), len(rest), sentN, restN))
		case cmdShapes(sent) != string(osent) || cmdShapes(rest) != string(orest):
			d = append(d, fmt.Sprintf("sent %s left %s, before %s and %s", cmdShapes(sent), cmdShapes(rest), osent, orest))
		case reply.Body.Final != old.Body.Final || len(reply.Body.Commands) != len(old.Body.Commands):
			d = append(d, fmt.Sprintf("Final %v of %d, before %v of %d", reply.Body.Final, len(reply.Body.Commands), old.Body.Final, len(old.Body.Commands)))
		}
		if len(d) > 0 {
			packDiverged.Add(1)
			differ(fmt.Sprintf("%d candidates, max %d, force %v, final %v: %s", len(cands), max, force, final, strings.Join(d, "; ")))
		}
		return out, sent, rest, err
	}
}

// cmdShapes is the element names of cmds with their Items' counts and
// sizes, and whether each is a chunk: what they carry, without CmdIDs.
func cmdShapes(cmds []syncml.Command) string {
	var b strings.Builder
	for _, c := range cmds {
		fmt.Fprintf(&b, "%s[", c.ElementName())
		for _, it := range c.ItemList() {
			n := 0
			if it.Data != nil {
				n = len(it.Data.Value)
			}
			fmt.Fprintf(&b, "%d,", n)
		}
		fmt.Fprintf(&b, "]%v ", isChunk(c))
	}
	return b.String()
}

// TestPackSameAsBefore runs the packing tests with every packing compared
// with the former algorithm (oldPack, which numbered and encoded every
// candidate): the same messages, commands sent and left, Final and
// errors. It runs them in a process of its own (this test binary again,
// with WINDC_PACKDIFF set), where the comparison is set up before any
// test runs: no test of this one's process sees it come and go.
func TestPackSameAsBefore(t *testing.T) {
	if packOracle == nil {
		args := []string{"-test.run=^TestPackSameAsBefore$", "-test.count=1"}
		if testing.Short() {
			args = append(args, "-test.short")
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "WINDC_PACKDIFF=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the packing tests with every packing compared: %v\n%s", err, out)
		}
		return
	}
	before := packCompared.Load()
	for name, f := range map[string]func(*testing.T){
		"PropertyPackingBound":           TestPropertyPackingBound,
		"PackingStatusesOverMessages":    TestPackingStatusesOverMessages,
		"PackOverBoundIsError":           TestPackOverBoundIsError,
		"ClientOverBoundIsError":         TestClientOverBoundIsError,
		"ServerStatusesSpread":           TestServerStatusesSpread,
		"ServerStatusesTinyMaxMsgSize":   TestServerStatusesTinyMaxMsgSize,
		"ServerStatusesReplayed":         TestServerStatusesReplayedAndExtraAlert,
		"PackCutAnswerChunks":            TestPackCutAnswerChunks,
		"ServerRefusesOnlyWhatCannotFit": TestServerRefusesOnlyWhatCannotFit,
		"ServerCommandOverMaxMsgSize":    TestServerCommandOverMaxMsgSize,
		"ClientServerCmdIDs":             TestClientServerCmdIDs,
		"ServerMaxMsgSizeChanges":        TestServerMaxMsgSizeChangesMidSession,
		"ClientOwnWaitingBound":          TestClientOwnWaitingBound,
		"LongPackage":                    TestPackWorkPerMessage,
	} {
		t.Run(name, f)
	}
	t.Logf("%d packings compared", packCompared.Load()-before)
	if packCompared.Load() == before {
		t.Fatal("no packing compared")
	}
}

// TestPackWorkPerMessage packs a package of 3,000 commands into messages
// of 2,000 bytes, one after another as a Server or Client does, and
// checks through packWindowed's count that each message costs work in proportion to
// what it carries, not to the commands still waiting. Before, every
// message numbered and encoded all that waited (some 3,000 the first
// time, 60 times what it carries).
func TestPackWorkPerMessage(t *testing.T) {
	const cmds, limit = 3000, 2000
	cands := make([]syncml.Command, cmds)
	for i := range cands {
		cands[i] = &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: fmt.Sprintf("./Vendor/N%d", i)}, Data: syncml.Text("v")}}}
	}
	var worst float64
	sent, msgs := 0, 0
	for rest := cands; len(rest) > 0; msgs++ {
		reply := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: fmt.Sprint(msgs + 2),
			Target: syncml.Location{LocURI: "D"}, Source: syncml.Location{LocURI: "S"}},
			Body: syncml.Body{Commands: []syncml.Command{&syncml.Status{MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")}}}}
		var out []byte
		var s, r []syncml.Command
		var err error
		if packOracle != nil {
			out, s, r, err = pack(nil, reply, rest, limit, true, true, nil) // compared
		} else {
			work := 0
			out, s, r, err = packWindowed(nil, reply, rest, limit, true, true, nil, &work)
			worst = max(worst, float64(work)/float64(len(reply.Body.Commands)))
		}
		if err != nil {
			t.Fatalf("message %d: %v", msgs, err)
		}
		if len(out) > limit || len(s) == 0 {
			t.Fatalf("message %d: %d bytes, %d commands", msgs, len(out), len(s))
		}
		if reply.Body.Final != (len(r) == 0) {
			t.Fatalf("message %d: Final %v with %d left", msgs, reply.Body.Final, len(r))
		}
		sent += len(s)
		rest = r
	}
	if sent != cmds {
		t.Fatalf("%d sent of %d", sent, cmds)
	}
	// The window grows past what fits at most twice over, each command
	// numbered, encoded and measured a few times.
	if worst > 12 {
		t.Errorf("a message of %d cost work on %.1f commands per command it carries: want at most 12", msgs, worst)
	}
	t.Logf("%d messages, worst work per command carried %.1f", msgs, worst)
}
