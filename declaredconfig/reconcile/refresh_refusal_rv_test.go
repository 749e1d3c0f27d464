package reconcile_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// rvRefreshSession runs session s of the wire's device, which holds the
// RefreshInterval *held and answers a Replace of it with replace (taking
// the value when it is 200). With summary false its first message holds
// no summary, so the reconciler reads RefreshInterval (the Get that asks
// for one). It returns how many Replaces of RefreshInterval the session
// carried and how many Problems it told.
func rvRefreshSession(w *wire, s int, held *string, replace int, summary bool) (replaces, problems int) {
	w.t.Helper()
	w.sess, w.msg = strconv.Itoa(s), 0
	first := startAlert("1")
	if summary {
		first += sumAlert("3", "")
	}
	w.send(first)
	for range 3 {
		var answer strings.Builder
		id := 1
		for _, c := range w.reply.Body.Commands {
			if ts := c.ElementName(); ts != "Replace" && ts != "Get" {
				continue
			}
			name := c.ElementName() + " /RefreshInterval"
			answer.WriteString(`<Status><CmdID>` + strconv.Itoa(id) + `</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{` + name + `}</CmdRef><Cmd>` + c.ElementName() + `</Cmd><Data>`)
			id++
			if c.ElementName() == "Replace" {
				replaces++
				answer.WriteString(strconv.Itoa(replace) + `</Data></Status>`)
				if replace == 200 {
					*held = "100"
				}
				continue
			}
			answer.WriteString(`200</Data></Status><Results><CmdID>` + strconv.Itoa(id) + `</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{` + name + `}</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval</LocURI></Source><Data>` + *held + `</Data></Item></Results>`)
			id++
		}
		if answer.Len() == 0 {
			break
		}
		w.send(answer.String() + sumAlert(strconv.Itoa(id), ""))
	}
	for _, e := range w.ev.events {
		if e.Kind == reconcile.Problem {
			problems++
		}
	}
	w.ev.events = nil
	if len(w.errs) > 0 {
		w.t.Fatalf("session %d: %v", s, w.errs)
	}
	return replaces, problems
}

// FINDING (held): a refusal of the Replace of RefreshInterval is kept in
// RefreshTried after the device has taken that value. When the device
// later loses it (a wipe: the reconciler reads its default back and sets
// the value again, d5d5dd7), the first refusal after the wipe is counted
// as one more in a row with the refusal from before the device took the
// value: no Problem tells it (refreshRefused reports only a new value or
// code), and with RetryRefused 1 it is final at once, so the device keeps
// its default for ever, silently. A document's refusal is cleared when
// the command passes (outcomes.go, setCmdRefusal(k, cmdRefusal{})); the
// refusal of RefreshInterval should be as well.
func TestRefreshRefusalKeptAfterSuccessRv(t *testing.T) {
	ctx := context.Background()
	w := newWire(t, reconcile.Config{RetryRefused: 1})
	if err := w.rec.SetRefreshInterval(ctx, dev1, 100); err != nil {
		t.Fatal(err)
	}
	held := "240"
	// Session 1: refused once (a Problem); session 2: sent again, taken.
	if r, p := rvRefreshSession(w, 1, &held, 500, true); r != 1 || p != 1 {
		t.Fatalf("session 1: %d Replaces, %d Problems, want 1 and 1", r, p)
	}
	if r, _ := rvRefreshSession(w, 2, &held, 200, true); r != 1 || held != "100" {
		t.Fatalf("session 2: %d Replaces (device holds %s), want the Replace taken", r, held)
	}
	if st, err := w.rec.Status(ctx, dev1); err != nil || st.RefreshInterval != "100" {
		t.Fatalf("after session 2: Status %+v, %v; want RefreshInterval 100", st, err)
	}
	// Wiped: the device holds its default again, and refuses the first
	// Replace after the wipe (busy, 500).
	held = "240"
	r3, p3 := rvRefreshSession(w, 3, &held, 500, false)
	if r3 != 1 {
		t.Fatalf("session 3 (after the wipe): %d Replaces of RefreshInterval, want 1 (d5d5dd7 sets it again)", r3)
	}
	if p3 == 0 {
		t.Errorf("session 3: the device refused RefreshInterval 100 after having taken it (a first refusal in a row): no Problem told")
	}
	r4, _ := rvRefreshSession(w, 4, &held, 200, true)
	if r4 == 0 {
		t.Errorf("session 4: the RefreshInterval was not sent again after one refusal in a row (RetryRefused 1): the refusal before the device took the value was still counted")
	}
}
