package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestAtomicSequenceHoldingFailure pins the Status of a Sequence, inside
// an Atomic, that holds the command that fails the Atomic: 216 (rolled
// back) like the commands before the failure, 516 when the rollback of
// one of its commands failed; not the failing command's code, nor 507,
// which the Atomic alone carries. The failing command has its own code
// and those after it 215, in the Sequence and after it.
//
// The spec supports it (../shared/spec): SyncML RepPro 1.1.2, 6.4.1
// Status: the Status of a command that has other commands inside it
// (Sync, Atomic, Sequence) "only applies to the corresponding command,
// and is not related to the status of the commands inside it", so the
// Sequence does not take the failure of its command; OMA DM 1.2.1,
// 4.1.6.14 Sequence: its status "MUST be 200 if you begin executing the
// Sequence" (it was begun); 4.1.6.3 Atomic: the commands inside it are
// executed "as a set or not at all", and the Atomic alone fails with 507;
// RepPro 1.1.2 status codes: 216 is for a command "inside Atomic element
// and Atomic failed", "rolled back successfully", 516 the same "not
// rolled back successfully". A Sequence begun (200) in an Atomic that
// failed, its work undone, is thus 216, and a peer reads from 507 and the
// failing command's code which one failed.
func TestAtomicSequenceHoldingFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stuck bool // the rollback of ./b fails
		want  []string
	}{
		{"rolled back", false, []string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Sequence 216)",
			"Status(1/5 Replace 216)", "Status(1/6 Replace 404)", "Status(1/7 Replace 215)", "Status(1/8 Replace 215)"}},
		{"rollback failed", true, []string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Sequence 516)",
			"Status(1/5 Replace 516)", "Status(1/6 Replace 404)", "Status(1/7 Replace 215)", "Status(1/8 Replace 215)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var undone []string
			h := HandlerFunc(func(_ context.Context, r *Request) Response {
				uri := r.Command.ItemList()[0].Target.LocURI
				if uri == "./fail" {
					return Response{Code: syncml.StatusNotFound}
				}
				return Response{Undo: func(context.Context) error {
					if tc.stuck && uri == "./b" {
						return errors.New("stuck")
					}
					undone = append(undone, uri)
					return nil
				}}
			})
			replace := func(id, uri string) string {
				return `<Replace><CmdID>` + id + `</CmdID><Item><Target><LocURI>` + uri + `</LocURI></Target><Data>1</Data></Item></Replace>`
			}
			body := alert1201 + `<Atomic><CmdID>2</CmdID>` + replace("3", "./a") +
				`<Sequence><CmdID>4</CmdID>` + replace("5", "./b") + replace("6", "./fail") + replace("7", "./c") + `</Sequence>` +
				replace("8", "./d") + `</Atomic>`
			s := NewSession(&Config{Handler: h})
			x := handle(t, s, devMsg("1", "1", body))
			var got []string
			for _, st := range summary(x.Reply)[2:] { // after the SyncHdr's and Alert 1201's
				_, st, _ = strings.Cut(st, ":")
				got = append(got, st)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("reply (-want +got):\n%s", d)
			}
			wantUndone := []string{"./b", "./a"}
			if tc.stuck {
				wantUndone = []string{"./a"}
			}
			if d := cmp.Diff(wantUndone, undone); d != "" {
				t.Errorf("undone (-want +got):\n%s", d)
			}
		})
	}
}
