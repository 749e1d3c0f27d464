package reconcile_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// TestRefreshIntervalDeviceHoldsOther: a device that takes the Replace of
// RefreshInterval but holds another value (its own bound) is not sent the
// Replace again in every session for it; once its value changes from the
// one it held (a wipe: 240 again, read by the Get that asks a device
// without documents for its summary), the value is set again, once.
func TestRefreshIntervalDeviceHoldsOther(t *testing.T) {
	ctx := context.Background()
	w := newWire(t, reconcile.Config{})
	if err := w.rec.SetRefreshInterval(ctx, dev1, 100); err != nil {
		t.Fatal(err)
	}
	answer := func(replace bool, holds string) string {
		s := ""
		if replace {
			s = `<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Replace /RefreshInterval}</CmdRef><Cmd>Replace</Cmd><Data>200</Data></Status>`
		}
		return s + `<Status><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>` +
			`<Results><CmdID>3</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /RefreshInterval}</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval</LocURI></Source><Data>` +
			holds + `</Data></Item></Results>` + sumAlert("4", "")
	}
	var replaces []int
	for s := 1; s <= 6; s++ {
		// The device holds 120 when 100 is set; it is wiped before
		// session 4, which it starts holding 240 and no document, so
		// sending no summary (the server asks with a Get).
		holds, first := "120", startAlert("1")+sumAlert("3", "")
		if s == 4 {
			holds, first = "240", startAlert("1")
		}
		w.sess, w.msg = strconv.Itoa(s), 0
		w.send(first)
		for range 3 {
			replace, get := false, false
			for _, c := range w.reply.Body.Commands {
				switch c.ElementName() {
				case "Replace":
					replace = true
				case "Get":
					get = true
				}
			}
			if !get {
				break
			}
			if replace {
				replaces = append(replaces, s)
				holds = "120"
			}
			w.send(answer(replace, holds))
		}
	}
	if len(w.errs) > 0 {
		t.Fatal(w.errs)
	}
	if len(replaces) != 2 || replaces[0] != 1 || replaces[1] != 4 {
		t.Errorf("the Replace of RefreshInterval went in sessions %v, want the first and the one of the wipe (4)", replaces)
	}
}
