package session

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// lossMix is a queue of commands of every kind the packing treats on its
// own: Gets that fit, Gets too long for small MaxMsgSizes (unfit: a Get
// cannot be cut), Replaces large enough to go in chunks, Atomics and
// Sequences small and too large for small MaxMsgSizes, in the order given
// by kinds.
func lossMix(kinds string) (cmds []syncml.Command, leaves [][]string) {
	for i, k := range kinds {
		u := fmt.Sprintf("./Vendor/MSFT/N%02d", i)
		var c syncml.Command
		switch k {
		case 'g':
			c = get(u)
		case 'u':
			c = get(u + "/" + strings.Repeat("L", 700))
		case 'r':
			c = replaceOf(u, 2500)
		case 'a':
			c = &syncml.Atomic{Commands: []syncml.Command{replaceOf(u+"/A1", 10), replaceOf(u+"/A2", 10)}}
		case 'A': // unfit for small MaxMsgSizes: an Atomic is not cut
			c = &syncml.Atomic{Commands: []syncml.Command{replaceOf(u+"/"+strings.Repeat("A", 400), 10), replaceOf(u+"/A2", 600)}}
		case 'S':
			c = &syncml.Sequence{Commands: []syncml.Command{get(u + "/" + strings.Repeat("S", 400)), replaceOf(u+"/S2", 600)}}
		case 's':
			c = &syncml.Sequence{Commands: []syncml.Command{get(u + "/S1"), get(u + "/S2")}}
		}
		cmds = append(cmds, c)
		leaves = append(leaves, targetsDeep(c))
	}
	return cmds, leaves
}

// targetsDeep lists the Target LocURIs of c and of the commands it holds.
func targetsDeep(c syncml.Command) []string {
	switch c := c.(type) {
	case *syncml.Atomic:
		var out []string
		for _, in := range c.Commands {
			out = append(out, targetsDeep(in)...)
		}
		return out
	case *syncml.Sequence:
		var out []string
		for _, in := range c.Commands {
			out = append(out, targetsDeep(in)...)
		}
		return out
	}
	return syncml.Targets(c)
}

// TestServerNoLossNoReorder: under every MaxMsgSize from 300 to 3000
// bytes (step 7) and queues mixing fitting, unfit and large-object
// commands (unfit ones at the head, in the middle, at the end and right
// after an object's chunks), each queued command is either run by the
// device exactly once, in queue order, or refused with an Outcome whose
// Err matches ErrLimit; every queued command gets exactly one Outcome and
// every server message is within the bound. Only under a MaxMsgSize
// that not even the Statuses fit in may the session fail.
func TestServerNoLossNoReorder(t *testing.T) {
	// a server message of the SyncHdr's Status and the Alert 1222's, with
	// Final, is 499 bytes here: from 520 on, every session must end
	const statusesOnly = 520
	ran, skipped, refusals := 0, 0, 0
	defer func() {
		t.Logf("%d conversations, %d where not even the Statuses fit, %d refusals", ran, skipped, refusals)
	}()
	mixes := []string{"ugg", "gug", "ggu", "rug", "gru", "urgu", "uuu", "gagsg", "uasur", "rrgu", "ruuur", "AgS", "gAru", "rSAg"}
	for _, kinds := range mixes {
		for max := 300; max <= 3000; max += 7 {
			cmds, leaves := lossMix(kinds)
			s := NewSession(nil)
			if err := s.Queue(cmds...); err != nil {
				t.Fatal(err)
			}
			cv, err := converse(t, s, max, "1")
			if err != nil {
				if errors.Is(err, ErrLimit) && max < statusesOnly {
					skipped++
					continue // not even the Statuses fit
				}
				t.Errorf("%s MaxMsgSize %d: %v", kinds, max, err)
				continue
			}
			ran++
			for i, b := range cv.server {
				if len(b) > max {
					t.Errorf("%s MaxMsgSize %d: server message %d of %d bytes", kinds, max, i+1, len(b))
				}
			}
			seen := map[syncml.Command]int{}
			refused := map[syncml.Command]bool{}
			for _, o := range cv.outcomes {
				seen[o.Command]++
				if o.Err != nil {
					if !errors.Is(o.Err, ErrLimit) {
						t.Errorf("%s MaxMsgSize %d: %s refused with %v", kinds, max, o.Command.ElementName(), o.Err)
					}
					refused[o.Command] = true
					refusals++
				}
			}
			var want []string
			for i, c := range cmds {
				if n := seen[c]; n != 1 {
					t.Errorf("%s MaxMsgSize %d: command %d (%c) has %d Outcomes, want 1", kinds, max, i, kinds[i], n)
				}
				if !refused[c] {
					want = append(want, leaves[i]...)
				}
			}
			if got, w := strings.Join(cv.received, " "), strings.Join(want, " "); got != w {
				t.Errorf("%s MaxMsgSize %d: device ran\n%s\nwant\n%s", kinds, max, got, w)
			}
			if s.Queued() != 0 || len(s.st.Cont) != 0 {
				t.Errorf("%s MaxMsgSize %d: left over: %d queued, %d in Cont", kinds, max, s.Queued(), len(s.st.Cont))
			}
		}
	}
}

// TestServerObjectOverMaxMsgSize: a queued large object that no message
// within the device's MaxMsgSize can carry (its smallest chunk does not
// fit after the SyncHdr's Status and the Alert 1222's) is refused as an
// unfit command is, before any of its chunks goes out: an Outcome whose
// Err matches ErrLimit and names MaxMsgSize, the command whole in it, and
// the session goes on with the commands after it. Handle failed instead
// on every message of the device (HTTP 500), the object at the head of
// its package: under MaxMsgSize 601..727, a Replace of 2,500 bytes.
func TestServerObjectOverMaxMsgSize(t *testing.T) {
	const max = 650
	value := strings.Repeat("x", 2500)
	s := NewSession(nil)
	r := replaceOf("./Vendor/MSFT/Big", 0)
	r.Items[0].Data = syncml.Text(value)
	if err := s.Queue(r, get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	cv, err := converse(t, s, max, "1")
	if err != nil {
		t.Fatalf("session under MaxMsgSize %d: %v", max, err)
	}
	for i, b := range cv.server {
		if len(b) > max {
			t.Errorf("server message %d: %d bytes over %d", i+1, len(b), max)
		}
	}
	if got := strings.Join(cv.received, " "); got != "./DevDetail/SwV" {
		t.Errorf("device ran %q, want the Get alone", got)
	}
	var refused int
	for _, o := range cv.outcomes {
		var le *LimitError
		if o.Command == r {
			if !errors.As(o.Err, &le) || le.Limit != "MaxMsgSize" {
				t.Errorf("Replace Outcome: %v, want a MaxMsgSize LimitError", o.Err)
			}
			if it := r.Items[0]; it.Data == nil || it.Data.Value != value || it.MoreData {
				t.Errorf("refused Replace not whole: MoreData %v, %d bytes", it.MoreData, len(it.Data.Value))
			}
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d Outcomes for the Replace, want 1", refused)
	}
}
