package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// inSequences returns c inside n Sequences, the outermost first.
func inSequences(n int, c syncml.Command) syncml.Command {
	for range n {
		c = &syncml.Sequence{Commands: []syncml.Command{c}}
	}
	return c
}

// TestQueueDepth: Queue takes a group nested as deep as the encoder
// writes (a Get, four levels of elements, in 26 Sequences: its LocURI at
// depth 32) and refuses one more, or a nesting of a million (which it
// walked in time quadratic in the depth before: a million levels did not
// end), with an error matching syncml.ErrLimit that names the path; on a
// Session with its queue encoded when sent or as it grows, and on a
// Client. Nothing is queued by a refused call.
func TestQueueDepth(t *testing.T) {
	type queuer struct {
		name   string
		queue  func(...syncml.Command) error
		queued func() int
	}
	queuers := func() []queuer {
		s, saved, c := NewSession(nil), NewSession(nil), newTestClient(t, nil)
		saved.saveQueue = true
		return []queuer{
			{"Session", s.Queue, s.Queued},
			{"Session, queue encoded", saved.Queue, saved.Queued},
			{"Client", c.Queue, func() int { return len(c.queue) }},
		}
	}
	for _, q := range queuers() {
		if err := q.queue(inSequences(26, get("./a"))); err != nil {
			t.Errorf("%s: 26 Sequences: %v", q.name, err)
		}
	}
	for _, n := range []int{27, 40, 1_000_000} {
		for _, q := range queuers() {
			err := q.queue(get("./ok"), inSequences(n, get("./a")))
			if !errors.Is(err, syncml.ErrLimit) {
				t.Errorf("%s: %d Sequences: %v, want ErrLimit", q.name, n, err)
				continue
			}
			// the walk stops at the 31st Sequence (depth 33); the
			// encoder refuses the Get in 27 (its LocURI at 33)
			want := "Sequence" + strings.Repeat("/Sequence", 26) + "/Get"
			if n > 30 {
				want = "Sequence[2]" + strings.Repeat("/Sequence[1]", 30)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %d Sequences: %v, want the path %s", q.name, n, err, want)
			}
			if q.queued() != 0 {
				t.Errorf("%s: %d Sequences: %d queued", q.name, n, q.queued())
			}
		}
	}
	// an illegal Get past the bound is refused for the depth; one within
	// it for the Atomic
	checkIllegalAtomic(t, "Get in an Atomic in 20 Sequences", "Sequence[1]"+strings.Repeat("/Sequence[1]", 19)+"/Atomic[1]/Get[1]",
		NewSession(nil).Queue(inSequences(20, &syncml.Atomic{Commands: []syncml.Command{get("./a")}})))
	deepAtomic := &syncml.Atomic{Commands: []syncml.Command{inSequences(1_000_000, get("./a"))}}
	if err := NewSession(nil).Queue(deepAtomic); !errors.Is(err, syncml.ErrLimit) {
		t.Errorf("Atomic{a million Sequences{Get}}: %v, want ErrLimit", err)
	}
	// a Sequence that holds itself twice (a walk that does not stop at
	// the first repeat takes 2^29 steps to reach the bound)
	twice := &syncml.Sequence{}
	twice.Commands = []syncml.Command{twice, twice}
	if err := NewSession(nil).Queue(&syncml.Atomic{Commands: []syncml.Command{twice}}); !errors.Is(err, syncml.ErrStructure) {
		t.Errorf("a Sequence holding itself twice: %v, want ErrStructure", err)
	}
	// a Sequence that contains itself through 20 others is walked to the
	// bound and left to the encoder (ErrStructure, as a shorter cycle in
	// TestQueueAtomicWalkEnds); through 40 others, it is too deep before
	// it repeats, for the encoder too
	for _, tc := range []struct {
		others int
		want   error
	}{{20, syncml.ErrStructure}, {40, syncml.ErrLimit}} {
		first := &syncml.Sequence{}
		last := first
		for range tc.others {
			s := &syncml.Sequence{}
			last.Commands = []syncml.Command{s}
			last = s
		}
		last.Commands = []syncml.Command{first}
		atomic := &syncml.Atomic{Commands: []syncml.Command{first}}
		if err := NewSession(nil).Queue(atomic); !errors.Is(err, tc.want) {
			t.Errorf("a cycle of %d Sequences: %v, want %v", tc.others+1, err, tc.want)
		}
		if _, err := syncml.Marshal(&syncml.Message{Body: syncml.Body{Commands: []syncml.Command{atomic}}}); !errors.Is(err, tc.want) {
			t.Errorf("Marshal, a cycle of %d Sequences: %v, want %v", tc.others+1, err, tc.want)
		}
	}
}
