package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestLongDeviceStringsCut: what a device sends is echoed cut (in the
// middle, beyond 256 bytes) in a document's reason, which the state
// keeps, and in a Problem about its result: a checksum of 100 KB listed
// for the declared document, and a result whose settings have paths of
// 100 KB. Before, the reason held the whole checksum (saved with the
// state) and the Problem every path whole.
func TestLongDeviceStringsCut(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	w := newWire(t, reconcile.Config{})
	if err := w.rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	w.send(startAlert("1") + sumAlert("2", entry(ids[0], long, "R0", "60")))
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	d := status(t, w.rec).Doc(ids[0])
	if d == nil || !strings.Contains(d.Reason, "the device holds version") || len(d.Reason) > 1024 {
		t.Fatalf("the reason is %d bytes, want at most 1024: %.80q", len(d.Reason), d.Reason)
	}
	// The device applies the version sent, and reports settings the
	// document does not have, of long paths.
	res := result(ids[0], "A0", "R1", "60")
	res = strings.Replace(res, `path="P/AlwaysOn"`, `path="P/AlwaysOn/`+long+`"`, 1)
	res = strings.Replace(res, `path="P/NativeProfile/Servers"`, `path="P/`+long+`"`, 1)
	w.send(`<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Replace /Document}</CmdRef><Cmd>Replace</Cmd><Data>200</Data></Status>` +
		`<Status><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
		`<Results><CmdID>3</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Data>` + esc(res) + `</Data></Item></Results>` +
		sumAlert("4", entry(ids[0], "A0", "R1", "60")))
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	found := false
	for _, e := range w.ev.events {
		if e.Kind != reconcile.Problem || !strings.Contains(e.Err.Error(), "is not in the document") {
			continue
		}
		found = true
		if n := len(e.Err.Error()); n > 4096 {
			t.Errorf("a Problem of %d bytes: %.200q", n, e.Err.Error())
		}
	}
	if !found {
		t.Errorf("no Problem of the settings not in the document: %v", w.ev.kinds())
	}
}
