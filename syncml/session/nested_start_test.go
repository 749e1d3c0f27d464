package session

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNestedSessionStart: an Alert 1200 or 1201 starts a session only at
// the top of a message's body (startsSession). Nested in a Sequence or an
// Atomic it starts nothing, so it is refused (400) rather than answered
// 200 as if it had; in an Atomic that refusal fails the Atomic. Before,
// each got 200 and the handler never heard of the mistake.
func TestNestedSessionStart(t *testing.T) {
	alert := func(id, code string) string {
		return `<Alert><CmdID>` + id + `</CmdID><Data>` + code + `</Data></Alert>`
	}
	replace := `<Replace><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>new</Data></Item></Replace>`
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"1201 in a Sequence",
			`<Sequence><CmdID>2</CmdID>` + replace + alert("4", "1201") + `</Sequence>`,
			[]string{"Status(1/2 Sequence 200)", "Status(1/3 Replace 200)", "Status(1/4 Alert 400)"}},
		{"1200 in an Atomic",
			`<Atomic><CmdID>2</CmdID>` + replace + alert("4", "1200") + `</Atomic>`,
			[]string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Alert 400)"}},
		{"1201 in a Sequence in an Atomic",
			`<Atomic><CmdID>2</CmdID>` + replace + `<Sequence><CmdID>4</CmdID>` + alert("5", "1201") + `</Sequence></Atomic>`,
			[]string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Sequence 216)", "Status(1/5 Alert 400)"}},
		{"1222 in a Sequence still asks for more",
			`<Sequence><CmdID>2</CmdID>` + alert("3", "1222") + `</Sequence>`,
			[]string{"Status(1/2 Sequence 200)", "Status(1/3 Alert 200)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &nodeHandler{nodes: map[string]string{"./a": "old"}}
			x := handle(t, NewSession(&Config{Handler: h}), devMsg("1", "1", alert1201+tc.body))
			var got []string
			for _, s := range summary(x.Reply)[2:] {
				_, s, _ = strings.Cut(s, ":")
				got = append(got, s)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("reply (-want +got):\n%s", d)
			}
			for _, s := range h.seen {
				if s == "Alert" {
					t.Errorf("the handler saw a session alert: %v", h.seen)
				}
			}
		})
	}
}
