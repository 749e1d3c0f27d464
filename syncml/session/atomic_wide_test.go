package session_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// wideAtomic returns a device's first message whose Atomic holds a
// Sequence of n Deletes and then a command named last (CmdIDs are unique:
// a message whose are not is refused whole).
func wideAtomic(n int, last string) []byte {
	var b strings.Builder
	b.WriteString(`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Atomic><CmdID>2</CmdID><Sequence><CmdID>3</CmdID>`)
	for i := range n {
		b.WriteString(`<Delete><CmdID>` + strconv.Itoa(i+4) + `</CmdID></Delete>`)
	}
	b.WriteString(`<` + last + `><CmdID>` + strconv.Itoa(n+4) + `</CmdID></` + last + `></Sequence></Atomic>`)
	return sizedDeviceMsg("1", "1", 1<<20, b.String())
}

// handleWide handles raw on a new Session whose Handler succeeds and
// returns the codes of the reply's Statuses by Cmd.
func handleWide(tb testing.TB, raw []byte) map[string]map[string]int {
	s := session.NewSession(&session.Config{Handler: session.HandlerFunc(func(context.Context, *session.Request) session.Response {
		return session.Response{}
	})})
	x, err := s.Handle(context.Background(), &session.Inbound{Raw: raw})
	if err != nil {
		tb.Fatal(err)
	}
	codes := map[string]map[string]int{}
	for _, c := range x.Reply.Body.Commands {
		if st, ok := c.(*syncml.Status); ok {
			if codes[st.Cmd] == nil {
				codes[st.Cmd] = map[string]int{}
			}
			codes[st.Cmd][st.Data.Value]++
		}
	}
	return codes
}

// A failed Atomic holding a wide Sequence answers every command of it:
// the Sequence and its Deletes rolled back (216), the Get that fails it
// 500. Finding whether the rollback of a command of the Sequence failed
// was a search of all of them for each, quadratic in the width a device
// chooses (40000 Deletes and a Get took seconds, 100 times the Atomic that
// succeeds): BenchmarkAtomicWideSequence shows the time per command.
func TestAtomicWideSequenceFailed(t *testing.T) {
	const n = 3000
	got := handleWide(t, wideAtomic(n, "Get"))
	want := map[string]map[string]int{"SyncHdr": {"200": 1}, "Alert": {"200": 1}, "Atomic": {"507": 1},
		"Sequence": {"216": 1}, "Delete": {"216": n}, "Get": {"500": 1}}
	if len(got) != len(want) {
		t.Errorf("Statuses %v, want %v", got, want)
	}
	for cmd, codes := range want {
		for code, count := range codes {
			if got[cmd][code] != count {
				t.Errorf("%s %s: %d Statuses, want %d (all: %v)", cmd, code, got[cmd][code], count, got[cmd])
			}
		}
	}
}

// BenchmarkAtomicWideSequence answers an Atomic holding a Sequence of
// 20000 Deletes and a last command that succeeds (ok) or fails it (a Get:
// failed). Per command, failed should cost about what ok does; the
// quadratic search it replaced made it 80 times as much.
func BenchmarkAtomicWideSequence(b *testing.B) {
	const n = 20000
	for _, bc := range []struct{ name, last string }{
		{"ok", "Delete"},
		{"failed", "Get"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			raw := wideAtomic(n, bc.last)
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				handleWide(b, raw)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/command")
		})
	}
}
