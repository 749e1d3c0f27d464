package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerAbortFitSweep: under every MaxMsgSize from 300 to 3000 (step
// 13), for an abort placed first, in the middle or last among commands
// of varied sizes, the reply is within the bound or the error matches
// ErrLimit; when sent, it starts with the SyncHdr's Status, keeps the
// abort's own Status, keeps the other Statuses in the order of the
// commands they answer (a prefix of them), numbers its CmdIDs 1..n with
// no gap, carries Final, and the same message again gets the same bytes.
func TestServerAbortFitSweep(t *testing.T) {
	const others = 12
	sent, failed, cut := 0, 0, 0
	defer func() { t.Logf("%d replies sent (%d of them cut), %d over the bound (ErrLimit)", sent, cut, failed) }()
	for _, at := range []int{0, others / 2, others} {
		var cmds []string
		for i := range others {
			cmds = append(cmds, fmt.Sprintf(`<Alert><CmdID>%%d</CmdID><Data>1224</Data><Item><Data>%s</Data></Item></Alert>`, strings.Repeat("u", 1+i*37%90)))
		}
		cmds = append(cmds[:at], append([]string{`<Alert><CmdID>%d</CmdID><Data>1223</Data></Alert>`}, cmds[at:]...)...)
		var body strings.Builder
		body.WriteString(alert1201)
		abortID := ""
		for i, c := range cmds {
			fmt.Fprintf(&body, c, i+2)
			if i == at {
				abortID = strconv.Itoa(i + 2)
			}
		}
		for max := 300; max <= 3000; max += 13 {
			raw := sizedMsg("9", "1", max, body.String(), true)
			s := NewSession(nil)
			x, err := s.Handle(context.Background(), &Inbound{Raw: raw})
			if err != nil {
				if !errors.Is(err, ErrLimit) {
					t.Errorf("abort at %d, MaxMsgSize %d: %v", at, max, err)
				}
				failed++
				continue
			}
			if len(x.Raw) > max {
				t.Errorf("abort at %d, MaxMsgSize %d: reply of %d bytes", at, max, len(x.Raw))
			}
			if !x.Reply.Body.Final || !x.Done {
				t.Errorf("abort at %d, MaxMsgSize %d: Final %v Done %v", at, max, x.Reply.Body.Final, x.Done)
			}
			got := x.Reply.Body.Commands
			sent++
			if len(got) < others+2 {
				cut++
			}
			abortKept, prev := false, 0
			for i, c := range got {
				st, ok := c.(*syncml.Status)
				if !ok {
					t.Fatalf("abort at %d, MaxMsgSize %d: %s in the reply", at, max, c.ElementName())
				}
				if st.CmdID != strconv.Itoa(i+1) {
					t.Errorf("abort at %d, MaxMsgSize %d: command %d has CmdID %s: %v", at, max, i+1, st.CmdID, summary(x.Reply))
				}
				if i == 0 {
					if st.Cmd != "SyncHdr" {
						t.Errorf("abort at %d, MaxMsgSize %d: first Status is %s's", at, max, st.Cmd)
					}
					continue
				}
				ref, _ := strconv.Atoi(st.CmdRef)
				if ref <= prev {
					t.Errorf("abort at %d, MaxMsgSize %d: Statuses out of order: %v", at, max, summary(x.Reply))
				}
				prev = ref
				if st.CmdRef == abortID {
					abortKept = true
				}
			}
			if !abortKept {
				t.Errorf("abort at %d, MaxMsgSize %d: the abort's Status left out: %v", at, max, summary(x.Reply))
			}
			// the Statuses other than the abort's are the first ones
			var refs []int
			for _, c := range got[1:] {
				if st := c.(*syncml.Status); st.CmdRef != abortID {
					n, _ := strconv.Atoi(st.CmdRef)
					refs = append(refs, n)
				}
			}
			want := 1
			for _, r := range refs {
				if strconv.Itoa(want) == abortID {
					want++
				}
				if r != want {
					t.Errorf("abort at %d, MaxMsgSize %d: Statuses kept %v are not the first ones", at, max, refs)
					break
				}
				want++
			}
			again, err := s.Handle(context.Background(), &Inbound{Raw: raw})
			if err != nil || !bytes.Equal(again.Raw, x.Raw) {
				t.Errorf("abort at %d, MaxMsgSize %d: replay: %v, same bytes %v", at, max, err, err == nil && bytes.Equal(again.Raw, x.Raw))
			}
		}
	}
}
