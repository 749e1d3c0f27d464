package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestQueueNeedsItems: Queue refuses, with an error matching
// syncml.ErrInvalid that names the command, a command that cannot reach a
// node of the device: an Add, Copy, Delete, Get or Replace without an
// Item, an Exec without exactly one, an Item without the LocURI its
// command names its node by (syncml.Validate's "items" and "locuri"
// rules), at the top or nested in an Atomic or Sequence. Before, they
// were queued and sent, and a device answered them (200 from some). The
// commands a server queues most still pass.
func TestQueueNeedsItems(t *testing.T) {
	tgt := func(uri string) *syncml.Location { return &syncml.Location{LocURI: uri} }
	for _, tc := range []struct {
		name string
		cmd  syncml.Command
		want string // "" queued
	}{
		{"Get", &syncml.Get{}, "Get[1]: a Get needs at least one Item"},
		{"Get no Target", &syncml.Get{Items: []syncml.Item{{}}}, "Get[1]: its Item 1 has no Target LocURI"},
		{"Get empty LocURI", &syncml.Get{Items: []syncml.Item{{Target: tgt("")}}}, "Get[1]: its Item 1 has no Target LocURI"},
		{"Replace", &syncml.Replace{}, "Replace[1]: a Replace needs at least one Item"},
		{"Replace by Source", &syncml.Replace{Items: []syncml.Item{{Source: tgt("./DevInfo/Lang"), Data: syncml.Text("en")}}}, ""},
		{"Replace neither", &syncml.Replace{Items: []syncml.Item{{Data: syncml.Text("x")}}}, "Replace[1]: its Item 1 has no Target or Source LocURI"},
		{"Add", &syncml.Add{}, "Add[1]: an Add needs at least one Item"},
		{"Delete", &syncml.Delete{}, "Delete[1]: a Delete needs at least one Item"},
		{"Copy one side", &syncml.Copy{Items: []syncml.Item{{Target: tgt("./a")}}}, "Copy[1]: its Item 1 has no Target and Source LocURI"},
		{"Exec none", &syncml.Exec{}, "Exec[1]: an Exec needs exactly one Item"},
		{"Exec two", &syncml.Exec{Items: []syncml.Item{{Target: tgt("./a")}, {Target: tgt("./b")}}}, "Exec[1]: an Exec needs exactly one Item"},
		{"Exec", &syncml.Exec{Items: []syncml.Item{{Target: tgt("./a")}}}, ""},
		{"in an Atomic", &syncml.Atomic{Commands: []syncml.Command{
			&syncml.Replace{Items: []syncml.Item{{Target: tgt("./a"), Data: syncml.Text("1")}}},
			&syncml.Sequence{Commands: []syncml.Command{&syncml.Delete{}}}}}, "Atomic[1]: a Delete in it needs at least one Item"},
		{"in a Sequence", &syncml.Sequence{Commands: []syncml.Command{&syncml.Get{Items: []syncml.Item{{Target: tgt("./a")}}}, &syncml.Exec{}}}, "Sequence[1]: an Exec in it needs exactly one Item"},
		// one walk looks for both (queueable): a command not legal in an
		// Atomic is reported before one that names no node, also after it
		{"illegal after unaddressed", &syncml.Atomic{Commands: []syncml.Command{
			&syncml.Sequence{Commands: []syncml.Command{&syncml.Delete{}}},
			&syncml.Get{Items: []syncml.Item{{Target: tgt("./a")}}}}}, "Atomic[1]/Get[2]: a Get inside an Atomic is not legal"},
		{"unaddressed in a Sequence shared", func() syncml.Command {
			ok := &syncml.Sequence{Commands: []syncml.Command{&syncml.Replace{Items: []syncml.Item{{Target: tgt("./a"), Data: syncml.Text("1")}}}}}
			return &syncml.Sequence{Commands: []syncml.Command{ok, ok, &syncml.Sequence{Commands: []syncml.Command{ok, &syncml.Add{}}}}}
		}(), "Sequence[1]: an Add in it needs at least one Item"},
		{"NewGets", NewGets("./DevDetail/SwV")[0], ""},
		{"Alert", NewAlert(syncml.AlertDisplay), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pre := range []bool{false, true} { // an empty queue, and one already encoded
				s := NewSession(&Config{})
				if pre {
					s.saveQueue = true
					if err := s.Queue(NewGets("./a")...); err != nil {
						t.Fatal(err)
					}
				}
				n := s.Queued()
				err := s.Queue(tc.cmd)
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("Queue: %v", err)
				case tc.want != "" && (err == nil || !errors.Is(err, syncml.ErrInvalid) || !strings.Contains(err.Error(), tc.want)):
					t.Fatalf("Queue: %v, want an error matching syncml.ErrInvalid with %q", err, tc.want)
				case tc.want != "" && s.Queued() != n:
					t.Fatalf("refused, yet %d queued, want %d", s.Queued(), n)
				}
			}
		})
	}
}

// TestClientQueueNeedsItems: the device side's Queue refuses the same
// commands, with the same errors. Before, it queued them.
func TestClientQueueNeedsItems(t *testing.T) {
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: "https://127.0.0.1/x"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cmd  syncml.Command
		want string
	}{
		{&syncml.Replace{}, "Replace[1]: a Replace needs at least one Item"},
		{&syncml.Sequence{Commands: []syncml.Command{&syncml.Exec{}}}, "Sequence[1]: an Exec in it needs exactly one Item"},
	} {
		if err := c.Queue(tc.cmd); err == nil || !errors.Is(err, syncml.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Queue: %v, want an error matching syncml.ErrInvalid with %q", err, tc.want)
		}
	}
	if err := c.Queue(NewClientEvent(syncml.AlertGeneric, "com.example", "x")); err != nil {
		t.Errorf("a client event: %v", err)
	}
}
