package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func replaceOfA() *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}, Data: syncml.Text("1")}}}
}

// illegalAtomics are groups a peer answers with a failed Atomic (the Get
// or inner Atomic 500, the Atomic 507), with the path the error names.
func illegalAtomics() []struct {
	name string
	c    syncml.Command
	path string
} {
	return []struct {
		name string
		c    syncml.Command
		path string
	}{
		{"Atomic{Get}", &syncml.Atomic{Commands: []syncml.Command{get("./a")}}, "Atomic[2]/Get[1]"},
		{"Atomic{Replace, Sequence{Get}}", &syncml.Atomic{Commands: []syncml.Command{replaceOfA(),
			&syncml.Sequence{Commands: []syncml.Command{replaceOfA(), get("./a")}}}}, "Atomic[2]/Sequence[2]/Get[2]"},
		{"Atomic{Atomic{Replace}}", &syncml.Atomic{Commands: []syncml.Command{&syncml.Atomic{Commands: []syncml.Command{replaceOfA()}}}}, "Atomic[2]/Atomic[1]"},
		{"Sequence{Atomic{Get}}", &syncml.Sequence{Commands: []syncml.Command{get("./a"),
			&syncml.Atomic{Commands: []syncml.Command{get("./a")}}}}, "Sequence[2]/Atomic[2]/Get[1]"},
	}
}

// legalGroups are groups Queue takes.
func legalGroups() []syncml.Command {
	return []syncml.Command{
		&syncml.Sequence{Commands: []syncml.Command{get("./a"), get("./b")}},
		&syncml.Atomic{Commands: []syncml.Command{replaceOfA(), &syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./b"}}}}}},
		&syncml.Atomic{Commands: []syncml.Command{&syncml.Sequence{Commands: []syncml.Command{replaceOfA()}}}},
		&syncml.Sequence{Commands: []syncml.Command{&syncml.Atomic{Commands: []syncml.Command{replaceOfA()}}}},
	}
}

// checkIllegalAtomic checks the error refusing an illegal Atomic: it
// matches syncml.ErrInvalid and names the command, its path and why.
func checkIllegalAtomic(t *testing.T, what, path string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: taken", what)
		return
	}
	name := path[strings.LastIndex(path, "/")+1 : strings.LastIndex(path, "[")]
	if !errors.Is(err, syncml.ErrInvalid) || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "a "+name+" inside an Atomic is not legal") {
		t.Errorf("%s: %v, want an error matching syncml.ErrInvalid naming %s, a %s inside an Atomic", what, err, path, name)
	}
}

// TestQueueRefusesIllegalAtomic: Session.Queue refuses an Atomic holding a
// Get or an Atomic (directly, in a Sequence of it, or an Atomic in a
// Sequence), which the device would answer 500 and the Atomic 507, on a
// Session whose queue is encoded when sent and on one whose queue is
// encoded as it grows; it takes Sequences of Gets and Atomics of
// Replaces and Adds. Queue took them all.
func TestQueueRefusesIllegalAtomic(t *testing.T) {
	for _, tc := range illegalAtomics() {
		for _, saved := range []bool{false, true} {
			s := NewSession(nil)
			s.saveQueue = saved
			if err := s.Queue(get("./first")); err != nil {
				t.Fatal(err)
			}
			checkIllegalAtomic(t, tc.name, tc.path, s.Queue(get("./ok"), tc.c))
			if s.Queued() != 1 {
				t.Errorf("%s, saved %v: %d queued, want 1", tc.name, saved, s.Queued())
			}
		}
	}
	for _, saved := range []bool{false, true} {
		s := NewSession(nil)
		s.saveQueue = saved
		for _, c := range legalGroups() {
			if err := s.Queue(get("./ok"), c); err != nil {
				t.Errorf("saved %v: %v", saved, err)
			}
		}
	}
}

// TestServerQueueRefusesIllegalAtomic: Server.Queue refuses them too, and
// stores nothing.
func TestServerQueueRefusesIllegalAtomic(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryStore()
	s := NewServer(ServerConfig{Store: store})
	for _, tc := range illegalAtomics() {
		checkIllegalAtomic(t, tc.name, tc.path, s.Queue(ctx, "DEV1", get("./ok"), tc.c))
	}
	if raw, _, err := store.Load(ctx, "DEV1"); err != nil || raw != nil {
		t.Errorf("stored %q, %v after refused Queues", raw, err)
	}
	for _, c := range legalGroups() {
		if err := s.Queue(ctx, "DEV1", get("./ok"), c); err != nil {
			t.Error(err)
		}
	}
}

// TestClientQueueRefusesIllegalAtomic: so does the device's side, in
// Queue, in Start's alerts and in what EachMessage gives (the server
// would answer them 500 and 507 as well).
func TestClientQueueRefusesIllegalAtomic(t *testing.T) {
	ctx := context.Background()
	for _, tc := range illegalAtomics() {
		c := newTestClient(t, nil)
		checkIllegalAtomic(t, "Queue "+tc.name, tc.path, c.Queue(get("./ok"), tc.c))
		if len(c.queue) != 0 {
			t.Errorf("%s: %d queued", tc.name, len(c.queue))
		}
		_, err := c.Start(ctx, "1", get("./ok"), tc.c)
		checkIllegalAtomic(t, "Start "+tc.name, tc.path, err)
		each, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://mdm.example/",
			EachMessage: func(context.Context) ([]syncml.Command, error) { return []syncml.Command{get("./ok"), tc.c}, nil }})
		if err != nil {
			t.Fatal(err)
		}
		_, err = each.Start(ctx, "1")
		checkIllegalAtomic(t, "EachMessage "+tc.name, tc.path, err)
	}
	c := newTestClient(t, nil)
	for _, g := range legalGroups() {
		if err := c.Queue(get("./ok"), g); err != nil {
			t.Error(err)
		}
	}
	if _, err := c.Start(ctx, "1", legalGroups()...); err != nil {
		t.Error(err)
	}
}

// TestQueueAtomicWalkEnds: the walk of an Atomic ends on a group that
// contains itself and passes over nil commands, which the encoder then
// refuses (ErrStructure), on both sides.
func TestQueueAtomicWalkEnds(t *testing.T) {
	cycle := &syncml.Sequence{}
	cycle.Commands = []syncml.Command{replaceOfA(), cycle}
	self := &syncml.Atomic{}
	self.Commands = []syncml.Command{&syncml.Sequence{Commands: []syncml.Command{self}}}
	for name, c := range map[string]syncml.Command{
		"Sequence that contains itself": &syncml.Atomic{Commands: []syncml.Command{cycle}},
		"nil Get":                       &syncml.Atomic{Commands: []syncml.Command{(*syncml.Get)(nil), &syncml.Sequence{Commands: []syncml.Command{(*syncml.Atomic)(nil), nil}}}},
	} {
		if err := NewSession(nil).Queue(c); !errors.Is(err, syncml.ErrStructure) {
			t.Errorf("Session %s: %v, want ErrStructure", name, err)
		}
		if err := newTestClient(t, nil).Queue(c); !errors.Is(err, syncml.ErrStructure) {
			t.Errorf("Client %s: %v, want ErrStructure", name, err)
		}
	}
	// an Atomic in a Sequence of itself: the inner one is what is refused
	checkIllegalAtomic(t, "Atomic in itself", "Atomic[1]/Sequence[1]/Atomic[1]", NewSession(nil).Queue(self))
}
