package session_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A failed Atomic holding a wide Sequence is answered in about the time
// the same Atomic takes when it succeeds: finding whether the rollback of
// a command of the Sequence failed is not a search of all of them for
// each (that took a time quadratic in the Sequence's width: 40000
// Deletes and a Get, which fails there, took seconds, 100 times the
// Atomic that succeeds). The two are timed on the same machine at once,
// so that its load does not decide; the bound is wide.
func TestAtomicWideSequenceFailsInLinearTime(t *testing.T) {
	const n = 40000
	body := func(last string) []byte {
		var b strings.Builder
		b.WriteString(`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Atomic><CmdID>2</CmdID><Sequence><CmdID>3</CmdID>`)
		for i := range n {
			b.WriteString(`<Delete><CmdID>` + strconv.Itoa(i+4) + `</CmdID></Delete>`)
		}
		b.WriteString(last + `</Sequence></Atomic>`)
		return sizedDeviceMsg("1", "1", 1<<20, b.String())
	}
	run := func(raw []byte) (time.Duration, string) {
		s := session.NewSession(&session.Config{Handler: session.HandlerFunc(func(context.Context, *session.Request) session.Response {
			return session.Response{}
		})})
		start := time.Now()
		x, err := s.Handle(context.Background(), &session.Inbound{Raw: raw})
		d := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range x.Reply.Body.Commands {
			if st, ok := c.(*syncml.Status); ok && st.Cmd == "Atomic" {
				return d, st.Data.Value
			}
		}
		return d, ""
	}
	ok, okAtomic := run(body(`<Delete><CmdID>1</CmdID></Delete>`))
	failed, failedAtomic := run(body(`<Get><CmdID>1</CmdID></Get>`))
	if okAtomic != "200" || failedAtomic != "507" {
		t.Fatalf("Atomic answered %q and %q, want 200 and 507", okAtomic, failedAtomic)
	}
	if failed > 20*ok {
		t.Errorf("the failed Atomic took %v, the one that succeeds %v: more than 20 times as long", failed, ok)
	}
}
