package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// atomicResultsBody is an Atomic (CmdID 2) of a Replace, an Exec and a
// Replace: atomicResultsHandler gives the Exec Results of n bytes.
const atomicResultsBody = `<Atomic><CmdID>2</CmdID>` +
	`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item></Replace>` +
	`<Exec><CmdID>4</CmdID><Item><Target><LocURI>./run</LocURI></Target></Item></Exec>` +
	`<Replace><CmdID>5</CmdID><Item><Target><LocURI>./b</LocURI></Target><Data>2</Data></Item></Replace></Atomic>`

// atomicResultsHandler answers atomicResultsBody: every command with an
// Undo that notes its CmdID in undone, the Exec with Results of n bytes.
func atomicResultsHandler(n int, undone *[]string) Handler {
	return HandlerFunc(func(_ context.Context, r *Request) Response {
		id := r.Command.ID()
		resp := Response{Undo: func(context.Context) error {
			*undone = append(*undone, id)
			return nil
		}}
		if _, ok := r.Command.(*syncml.Exec); ok {
			resp.Results = []syncml.Item{{Source: &syncml.Location{LocURI: "./run"}, Data: syncml.Text(strings.Repeat("r", n))}}
		}
		return resp
	})
}

// statusesOf returns the summaries of the Statuses of m for commands
// other than the SyncHdr and the session's Alerts, and whether m carries
// a Results.
func statusesOf(m *syncml.Message) (got []string, results bool) {
	for _, s := range summary(m) {
		if strings.Contains(s, "Status(") && !strings.Contains(s, " SyncHdr ") && !strings.Contains(s, " Alert ") {
			got = append(got, s[strings.Index(s, ":")+1:])
		}
	}
	for _, c := range m.Body.Commands {
		if _, ok := c.(*syncml.Results); ok {
			results = true
		}
	}
	return got, results
}

// Results a handler gives inside an Atomic that are too large to send
// (over a Session's state bound; over the MaxObjSize the server
// announced, on a Client) fail their command (500) and with it the
// Atomic: 507, what ran before rolled back (216, its Undo called), what
// follows not run (215), and an Outcome with a *LimitError. Before, the
// command was answered 500 but the Atomic 200, the commands around it 200
// and nothing undone: an Atomic half applied.
func TestAtomicResultsTooLarge(t *testing.T) {
	want := []string{"Status(1/2 Atomic 507)", "Status(1/3 Replace 216)", "Status(1/4 Exec 500)", "Status(1/5 Replace 215)"}
	check := func(t *testing.T, reply *syncml.Message, outs []Outcome, undone []string, limit string, count, max int) {
		t.Helper()
		got, results := statusesOf(reply)
		if d := cmp.Diff(want, got); d != "" || results {
			t.Errorf("Results sent %v; Statuses (-want +got):\n%s", results, d)
		}
		if d := cmp.Diff([]string{"4", "3"}, undone); d != "" {
			t.Errorf("undone, newest first (-want +got):\n%s", d)
		}
		i := slices.IndexFunc(outs, func(o Outcome) bool { return o.Err != nil })
		var le *LimitError
		if i < 0 || !errors.As(outs[i].Err, &le) || le.Limit != limit || le.Count != int64(count) || le.Max != int64(max) {
			t.Fatalf("Outcomes %+v, want one with a LimitError of %s", outs, limit)
		}
		if r, ok := outs[i].Command.(*syncml.Results); !ok || r.CmdRef != "4" {
			t.Errorf("Outcome command %#v, want the Results for Exec 4", outs[i].Command)
		}
	}
	t.Run("Session", func(t *testing.T) {
		var undone []string
		s := NewSession(&Config{Handler: atomicResultsHandler(DefaultMaxObjectSize+1, &undone)})
		x := handle(t, s, devMsg("1", "1", alert1201+atomicResultsBody))
		check(t, x.Reply, x.Outcomes, undone, "MaxObjectSize", DefaultMaxObjectSize+1, DefaultMaxObjectSize)
	})
	t.Run("Client", func(t *testing.T) {
		var undone []string
		c := newTestClient(t, atomicResultsHandler(200, &undone))
		if _, err := c.Start(context.Background(), "1"); err != nil {
			t.Fatal(err)
		}
		raw := strings.Replace(string(devMsg("1", "1", atomicResultsBody)), "</Source>",
			`</Source><Meta><MaxObjSize xmlns="syncml:metinf">100</MaxObjSize></Meta>`, 1)
		var m syncml.Message
		if err := syncml.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		m.Header.Target.LocURI = "DEV1" // a device's message, sent back to it
		x, err := c.Handle(context.Background(), &m)
		if err != nil {
			t.Fatal(err)
		}
		check(t, x.Reply, x.Outcomes, undone, "MaxObjSize", 200, 100)
	})
	t.Run("fits", func(t *testing.T) {
		var undone []string
		s := NewSession(&Config{Handler: atomicResultsHandler(10, &undone)})
		x := handle(t, s, devMsg("1", "1", alert1201+atomicResultsBody))
		got, results := statusesOf(x.Reply)
		want := []string{"Status(1/2 Atomic 200)", "Status(1/3 Replace 200)", "Status(1/4 Exec 200)", "Status(1/5 Replace 200)"}
		if d := cmp.Diff(want, got); d != "" || !results || len(undone) != 0 || len(x.Outcomes) != 0 {
			t.Errorf("Results sent %v, undone %v, Outcomes %+v; Statuses (-want +got):\n%s", results, undone, x.Outcomes, d)
		}
	})
}
