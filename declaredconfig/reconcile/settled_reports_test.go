package reconcile_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// reportTwins hands msgs (a device's, renumbered as messages 1, 2, ... of
// session S9) to a reconciler keeping the settled documents of state as
// stored and to one reading them in full, and fails t unless both send,
// report, store and show the same; it returns how many documents the
// first kept as stored before, and the replies of the first.
func reportTwins(t *testing.T, state []byte, msgs ...[]byte) (int, [][]byte) {
	t.Helper()
	var raw [][]byte
	for i, data := range msgs {
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
		m.Header.SessionID, m.Header.MsgID = "S9", fmt.Sprint(i+1)
		b, err := syncml.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b)
	}
	lazy, eager := newSettledWorld(t, state, false), newSettledWorld(t, state, true)
	kept, err := reconcile.Kept(lazy.rec, dev1)
	if err != nil {
		t.Fatal(err)
	}
	lazy.handle(t, raw)
	eager.handle(t, raw)
	sameTwins(t, lazy, eager)
	sameStatus(t, lazy, eager)
	return kept, lazy.sent
}

// TestSettledTwinsReports hands a device of three settled documents
// kept as stored the summaries and commands that make a run read them:
// entries repeated with other states, of the User scope under the same
// DocID, missing, reordered, failed with a new result_checksum, with
// other attributes, a checksum of another case; Results and a Status
// for commands the server never sent; then the steady summary again.
// Kept as stored or read in full, the reconcilers send, report, store
// and show the same.
func TestSettledTwinsReports(t *testing.T) {
	state, steady := settledState(t)
	s := string(steady)
	const e1 = `&lt;DeclaredConfiguration context="Device" id="11111111-1111-4111-8111-111111111111" checksum="V1" result_checksum="RC1-V1" state="60"/&gt;`
	const e2 = `&lt;DeclaredConfiguration context="Device" id="22222222-2222-4222-8222-222222222222" checksum="V1" result_checksum="RC2-V1" state="60"/&gt;`
	const e3 = `&lt;DeclaredConfiguration context="Device" id="33333333-3333-4333-8333-333333333333" checksum="V1" result_checksum="RC3-V1" state="60"/&gt;`
	if !strings.Contains(s, e1+e2+e3) {
		t.Fatalf("the steady message is not as expected: %s", s)
	}
	resURI := "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/11111111-1111-4111-8111-111111111111/Results"
	result := `&lt;DeclaredConfiguration context="Device" schema="1.0" id="11111111-1111-4111-8111-111111111111" checksum="V1" result_checksum="RC1-V2" operation="Set" state="60"&gt;&lt;CSP name="./Vendor/MSFT/VPNv2" state="60"&gt;&lt;URI path="P/AlwaysOn" status="500" state="62" type="bool"/&gt;&lt;/CSP&gt;&lt;/DeclaredConfiguration&gt;`
	extra := map[string]string{
		"results": `<Results><CmdID>7</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>` + resURI + `</LocURI></Source><Data>` + result + `</Data></Item></Results>`,
		"status":  `<Status><CmdID>8</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Replace</Cmd><Data>500</Data></Status>`,
	}
	variants := map[string]string{
		"repeated failed": strings.Replace(s, e1, e1+strings.Replace(e1, `state="60"`, `state="62"`, 1), 1),
		"repeated first":  strings.Replace(s, e1, strings.Replace(e1, `state="60"`, `state="62"`, 1)+e1, 1),
		"user scope":      strings.Replace(s, e1, e1+strings.Replace(e1, `context="Device"`, `context="User"`, 1), 1),
		"user scope only": strings.Replace(s, e1, strings.Replace(e1, `context="Device"`, `context="User"`, 1), 1),
		"missing":         strings.Replace(s, e2, "", 1),
		"reordered":       strings.Replace(s, e1+e2+e3, e3+e1+e2, 1),
		"failed new rc":   strings.Replace(s, e3, strings.Replace(strings.Replace(e3, `state="60"`, `state="62"`, 1), "RC3-V1", "RC3-V2", 1), 1),
		"new rc":          strings.Replace(s, e2, strings.Replace(e2, "RC2-V1", "RC2-V2", 1), 1),
		"no rc":           strings.Replace(s, e2, strings.Replace(e2, ` result_checksum="RC2-V1"`, "", 1), 1),
		"other attribute": strings.Replace(s, e1, strings.Replace(e1, `state="60"`, `state="60" other="x"`, 1), 1),
		"checksum case":   strings.Replace(s, e1, strings.Replace(e1, `checksum="V1"`, `checksum="v1"`, 1), 1),
		"deleted state":   strings.Replace(s, e1, strings.Replace(e1, `state="60"`, `state="70"`, 1), 1),
		"in progress":     strings.Replace(s, e1, strings.Replace(e1, `state="60"`, `state="10"`, 1), 1),
		"empty summary":   strings.Replace(s, e1+e2+e3, "", 1),
		"stray":           strings.Replace(s, e3, e3+strings.Replace(e3, "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444", 1), 1),
		"results":         strings.Replace(s, "<Final/>", extra["results"]+"<Final/>", 1),
		"status":          strings.Replace(s, "<Final/>", extra["status"]+"<Final/>", 1),
		"results and drift": strings.Replace(strings.Replace(s, "<Final/>", extra["results"]+"<Final/>", 1), e2,
			strings.Replace(e2, `checksum="V1"`, `checksum="V0"`, 1), 1),
	}
	for name, v := range variants {
		if v == s {
			t.Fatalf("%s: the variant is the steady message", name)
		}
		t.Run(name, func(t *testing.T) {
			kept, _ := reportTwins(t, state, []byte(v), steady)
			if kept != len(ids) {
				t.Fatalf("%d documents kept as stored, not %d", kept, len(ids))
			}
			reportTwins(t, state, steady, []byte(v), []byte(v))
		})
	}
	// The variants are read: a failed document with a new result_checksum
	// makes the server ask for its results, which the steady message does
	// not.
	_, a := reportTwins(t, state, []byte(variants["failed new rc"]))
	_, b := reportTwins(t, state, steady)
	if len(a) != 1 || len(b) != 1 || bytes.Equal(a[0], b[0]) || !bytes.Contains(a[0], []byte("<Get>")) {
		t.Errorf("a failed document with a new result_checksum, replied\n%s\nthe steady message\n%s", a, b)
	}
}
