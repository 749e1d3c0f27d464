package reconcile_test

// Tests found by building a small server on the reconciler as a new user
// would, and answering it as a hostile device.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// firstExchange declares vpnDoc(ids[0], "A0") on dev1, runs the device's
// first message (a session alert and an empty summary) and returns the
// session and the CmdIDs of the Add and of the Get of its Results.
func firstExchange(t *testing.T, rec *reconcile.Reconciler) (ss *session.Session, add, get string) {
	t.Helper()
	ctx := context.Background()
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	ss = session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
	m := deviceMessage("1", &syncml.Alert{Data: syncml.AlertClientInitiated.Data()}, summaryAlertOf())
	x, err := ss.Handle(ctx, &session.Inbound{Message: m})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range x.Reply.Body.Commands {
		switch c.ElementName() {
		case "Add":
			add = c.ID()
		case "Get":
			get = c.ID()
		}
	}
	if add == "" || get == "" {
		t.Fatalf("the first reply sends no Add and Get: %v", x.Reply.Body.Commands)
	}
	return ss, add, get
}

// secondMessage declares the VPN document on a new Reconciler, runs the
// device's first exchange, and has the session handle the device's
// second message: the commands answer gives for the Add and the Get of
// the first reply, then a summary that lists the document applied.
func secondMessage(t *testing.T, answer func(add, get string) []syncml.Command) (*reconcile.Reconciler, *recorder, *session.Exchange) {
	t.Helper()
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	ss, add, get := firstExchange(t, rec)
	cmds := append(answer(add, get),
		summaryAlertOf(declaredconfig.SummaryEntry{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R1", State: "60"}))
	x, err := ss.Handle(context.Background(), &session.Inbound{Message: deviceMessage("2", cmds...)})
	if err != nil {
		t.Fatal(err)
	}
	return rec, ev, x
}

// deviceMessage is message msgID of dev1's session "1", its commands
// numbered from 1.
func deviceMessage(msgID string, cmds ...syncml.Command) *syncml.Message {
	syncml.NumberCommands(cmds, 1)
	return &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
			Target: syncml.Location{LocURI: "https://mdm.example"}, Source: syncml.Location{LocURI: dev1}},
		Body: syncml.Body{Commands: cmds, Final: true},
	}
}

// resultText is the result document of id at checksum, in state, with
// result_checksum rc.
func resultText(id, checksum, rc, state string) string {
	return `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + id +
		`" osdefinedscenario="MSFTVPN" checksum="` + checksum + `" result_checksum="` + rc + `" operation="Set" state="` + state + `">` +
		`<CSP name="./Vendor/MSFT/VPNv2" state="` + state + `"><URI path="P/AlwaysOn" status="200" state="` + state + `" type="bool"/></CSP>` +
		`</DeclaredConfigurationResult>`
}

// resultsOf is a Results answering Get get of message 1 with text, from
// the Results node of ids[0].
func resultsOf(get, text string) *syncml.Results {
	return &syncml.Results{MsgRef: "1", CmdRef: get, Items: []syncml.Item{{
		Source: &syncml.Location{LocURI: declaredconfig.ResultsURI(declaredconfig.Device, declaredconfig.Complete, ids[0]).String()},
		Data:   syncml.Text(text),
	}}}
}

// A Results item that Evaluate cannot attribute, for a reason of its own
// and no error beneath, makes a Problem that says the reason once (it was
// said twice, "reason: reason").
func TestProblemSaysReasonOnce(t *testing.T) {
	_, ev, _ := secondMessage(t, func(add, get string) []syncml.Command {
		return []syncml.Command{
			&syncml.Status{MsgRef: "1", CmdRef: add, Cmd: "Add", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: get, Cmd: "Get", Data: syncml.StatusOK.Data()},
			resultsOf(get, resultText(ids[1], "A0", "R1", "60")), // another document's result
		}
	})
	var problems int
	for _, e := range ev.events {
		if e.Kind != reconcile.Problem || e.Err == nil || !strings.Contains(e.Err.Error(), ids[1]) {
			continue
		}
		problems++
		msg := e.Err.Error()
		if strings.Count(msg, "is the result of document") != 1 {
			t.Errorf("the Problem repeats its reason: %s", msg)
		}
	}
	if problems != 1 {
		t.Errorf("%d Problems name the other document's result, want 1: %v", problems, ev.kinds())
	}
}

// DefaultNextChecksum is as its doc says: 64 lower-case hexadecimal
// digits, other for each n (the doc said upper-case, and could be read as
// the hash followed by "#n").
func TestDefaultNextChecksumForm(t *testing.T) {
	d := vpnDoc(ids[0], "A0").Document
	a, b := reconcile.DefaultNextChecksum(d, 1), reconcile.DefaultNextChecksum(d, 2)
	for _, s := range []string{a, b} {
		if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
			t.Errorf("DefaultNextChecksum = %q, want 64 lower-case hexadecimal digits", s)
		}
	}
	if a == b {
		t.Errorf("DefaultNextChecksum gives %q for n 1 and 2", a)
	}
}

// A device that answers the Get of a document's Results twice in one
// message (the second time with another result) does not have the second
// answer taken silently over the first: the first stands, the document is
// Applied, and a Problem names the second answer. Before, the second
// result replaced the first without a word, its result_checksum disagreed
// with the summary's, no Applied event came and the Results were asked for
// again.
func TestSecondResultsOfOneGet(t *testing.T) {
	rec, ev, x := secondMessage(t, func(add, get string) []syncml.Command {
		return []syncml.Command{
			&syncml.Status{MsgRef: "1", CmdRef: add, Cmd: "Add", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: get, Cmd: "Get", Data: syncml.StatusOK.Data()},
			resultsOf(get, resultText(ids[0], "A0", "R1", "60")),
			resultsOf(get, resultText(ids[0], "A0", "R2", "61")),
		}
	})
	st, err := rec.Status(context.Background(), dev1)
	if err != nil {
		t.Fatal(err)
	}
	d := st.Doc(ids[0])
	res, err := d.Result()
	if err != nil || res == nil {
		t.Fatalf("no result kept: %v", err)
	}
	if res.ResultChecksum != "R1" || d.Condition != reconcile.InSync {
		t.Errorf("kept result %q, %v (%s); want the first answer, R1, InSync", res.ResultChecksum, d.Condition, d.Reason)
	}
	var applied, second int
	for _, e := range ev.events {
		switch {
		case e.Kind == reconcile.Applied:
			applied++
		case e.Kind == reconcile.Problem && e.Err != nil && strings.Contains(e.Err.Error(), "second answer"):
			second++
		}
	}
	if applied != 1 || second != 1 {
		t.Errorf("%d Applied and %d Problems naming the second answer, want 1 and 1: %v", applied, second, ev.kinds())
	}
	for _, c := range x.Reply.Body.Commands {
		if c.ElementName() == "Get" {
			t.Errorf("the Results are asked for again: %v", syncml.Targets(c))
		}
	}
}

// A document large enough to go in chunks (the device announces a small
// MaxMsgSize) and refused by the device once whole (413) is Failed, as the
// same refusal of a document sent whole is. Between chunks the session
// counts the object neither queued nor pending: the reconciler took it
// for idle, forgot the Add it awaited, and the final 413 was attributed to
// nothing: the document stayed Unknown, no event came, and it was sent
// again, in full, in every session.
func TestChunkedDocumentRefused(t *testing.T) {
	ctx := context.Background()
	var ev recorder
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on})
	doc := vpnDoc(ids[0], "A0")
	for i := range 200 {
		doc.Document.CSPs[0].Settings = append(doc.Document.CSPs[0].Settings,
			declaredconfig.Setting{Path: "P/Extra" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("0", i/26), Type: "int", Value: "1"})
	}
	if err := rec.Declare(ctx, dev1, doc); err != nil {
		t.Fatal(err)
	}
	ss := session.NewSession(&session.Config{BeforeReply: rec.BeforeReply})
	in := deviceMessage("1", &syncml.Alert{Data: syncml.AlertClientInitiated.Data()}, summaryAlertOf())
	in.Header.Meta = &syncml.Meta{MaxMsgSize: "2000"}
	var chunks int
	for n := 1; ; n++ {
		x, err := ss.Handle(ctx, &session.Inbound{Message: in})
		if err != nil {
			t.Fatal(err)
		}
		if x.Done || n > 200 {
			break
		}
		var cmds []syncml.Command
		for _, c := range x.Reply.Body.Commands {
			if c.ElementName() == "Status" {
				continue
			}
			code := syncml.StatusOK
			switch {
			case c.ElementName() == "Add" && c.ItemList()[0].MoreData:
				code = syncml.StatusChunkedItemAccepted
				chunks++
			case c.ElementName() == "Add":
				code = syncml.StatusRequestEntityTooLarge
			case c.ElementName() == "Get":
				code = syncml.StatusNotFound
			}
			cmds = append(cmds, &syncml.Status{MsgRef: x.Reply.Header.MsgID, CmdRef: c.ID(), Cmd: c.ElementName(), Data: code.Data()})
		}
		if !x.Reply.Body.Final { // the package goes on: ask for its next message
			cmds = append(cmds, &syncml.Alert{Data: syncml.AlertNextMessage.Data()})
		}
		in = deviceMessage(strconv.Itoa(n+1), append(cmds, summaryAlertOf())...)
	}
	if chunks < 2 {
		t.Fatalf("the document went in %d chunks; the test needs several", chunks)
	}
	st, err := rec.Status(ctx, dev1)
	if err != nil {
		t.Fatal(err)
	}
	d := st.Doc(ids[0])
	if d.Condition != reconcile.Failed || d.Refused != syncml.StatusRequestEntityTooLarge || d.RefusedCmd != reconcile.SendDocument {
		t.Errorf("after %d chunks refused whole: %v (%s), refused %v by %v; want Failed, 413 to SendDocument", chunks, d.Condition, d.Reason, d.Refused, d.RefusedCmd)
	}
	if !slices.ContainsFunc(ev.events, func(e reconcile.Event) bool { return e.Kind == reconcile.FailedEvent }) {
		t.Errorf("events %v; want a Failed", ev.kinds())
	}
}

// A second Status for the Add (a device that answers it twice) is
// reported with what it names: the Problem said "answers nothing the
// server sent", of a Status that names the Add the server did send.
func TestSecondStatusNamed(t *testing.T) {
	var add string
	_, ev, _ := secondMessage(t, func(a, get string) []syncml.Command {
		add = a
		return []syncml.Command{
			&syncml.Status{MsgRef: "1", CmdRef: add, Cmd: "Add", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: add, Cmd: "Add", Data: syncml.StatusCommandFailed.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: get, Cmd: "Get", Data: syncml.StatusNotFound.Data()},
		}
	})
	var named int
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem && e.Err != nil {
			msg := e.Err.Error()
			if strings.Contains(msg, `CmdRef "`+add+`"`) && strings.Contains(msg, "answered already") {
				named++
			} else {
				t.Errorf("Problem: %s", msg)
			}
		}
	}
	if named != 1 {
		t.Errorf("%d Problems name the second Status's CmdRef %s, want 1", named, add)
	}
}

// A document over declaredconfig's default limits is refused by Declare
// with the limit named (ErrLimit), not a bare "does not read back".
func TestDeclareTooLargeSaysWhy(t *testing.T) {
	d := vpnDoc(ids[0], "A0")
	for i := range 30000 {
		d.Document.CSPs[0].Settings = append(d.Document.CSPs[0].Settings,
			declaredconfig.Setting{Path: "P/S" + strconv.Itoa(i), Type: "int", Value: "1"})
	}
	err := reconcile.New(reconcile.Config{}).Declare(context.Background(), dev1, d)
	if !errors.Is(err, reconcile.ErrInvalid) || !errors.Is(err, reconcile.ErrLimit) || !strings.Contains(err.Error(), "MaxBytes") {
		t.Errorf("Declare of a %d-setting document: %v; want ErrInvalid and ErrLimit, naming MaxBytes", len(d.Document.CSPs[0].Settings), err)
	}
}

// A device's Status for a SyncHdr the server did not send (MsgRef 0, as
// one corpus device writes) is the session's Unmatched, not a Problem of
// the reconciler's: it names no document, and would come with every
// message of such a device.
func TestHeaderStatusNoProblem(t *testing.T) {
	_, ev, x := secondMessage(t, func(add, get string) []syncml.Command {
		return []syncml.Command{
			&syncml.Status{MsgRef: "0", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: add, Cmd: "Add", Data: syncml.StatusOK.Data()},
			&syncml.Status{MsgRef: "1", CmdRef: get, Cmd: "Get", Data: syncml.StatusNotFound.Data()},
		}
	})
	if len(x.Unmatched) != 1 {
		t.Fatalf("%d Unmatched, want the SyncHdr Status of MsgRef 0", len(x.Unmatched))
	}
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
}
