package reconcile_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
)

// The steps of a device's history in the property test.
const (
	opSession    = iota // a whole session
	opLost              // a session whose device message is lost
	opReplay            // the device's last message arrives again
	opDrift             // an in-sync document drifts (unrepaired)
	opFailing           // the device fails what it applies from now on
	opTransient         // the device leaves what it applies in progress
	opSettle            // the device behaves and finishes what is in progress
	opNewVersion        // the server declares a new version of a document
	opRemove            // the server no longer wants a document
	opRedeclare         // the server wants a removed document again
	opLoseDoc           // the device loses a document (a reset)
	opRefuse            // the device refuses what it is sent from now on
	opNoResults         // the device answers no Get of Results from now on
	opReenroll          // the device is wiped and enrolled again: its session IDs start over
	nOps
)

var opNames = [nOps]string{"session", "lost", "replay", "drift", "failing", "transient", "settle",
	"newVersion", "remove", "redeclare", "loseDoc", "refuse", "noResults", "reenroll"}

type step struct{ Op, Arg int }

func (s step) String() string { return fmt.Sprintf("%s(%d)", opNames[s.Op], s.Arg) }

func genSteps() gopter.Gen {
	return gen.SliceOfN(20, gen.Struct(reflect.TypeOf(step{}), map[string]gopter.Gen{
		"Op":  gen.IntRange(0, nOps-1),
		"Arg": gen.IntRange(0, 5),
	})).SuchThat(func(v []step) bool { return len(v) > 0 })
}

// TestConvergence runs any history of device reports (in sync, failed,
// drifted, lost messages, replays) and server changes, and checks that
// the reconciler never loses a desired document, never deletes a desired
// one, and brings the device to the desired state once it applies what
// it is sent.
func TestConvergence(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261203)
	params.MinSuccessfulTests = 1000
	if testing.Short() || raceEnabled {
		params.MinSuccessfulTests = 200 // the same seed: the first 200 cases
	}
	t.Logf("seed %d", params.Seed())
	props := gopter.NewProperties(params)
	props.Property("never loses or deletes a desired document; converges", prop.ForAll(func(steps []step) string {
		return history(t, steps)
	}, genSteps()))
	props.TestingRun(t)
}

// history runs steps and returns "" or what went wrong.
func history(t *testing.T, steps []step) string {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{})
	dev := newSimDevice(t, dev1)
	l := newLink(t, rec, dev)
	versions := map[string]int{}
	desired := map[string]bool{}
	declare := func(id string) error {
		versions[id]++
		desired[id] = true
		return rec.Declare(ctx, dev1, vpnDoc(id, fmt.Sprintf("V%d", versions[id])))
	}
	for _, id := range ids {
		if err := declare(id); err != nil {
			return err.Error()
		}
	}
	// check looks at what the server sent since the last check.
	check := func(when string) string {
		for _, m := range l.sent {
			for _, c := range m.Body.Commands {
				if c.ElementName() != "Delete" {
					continue
				}
				for _, tg := range syncml.Targets(c) {
					if u, err := declaredconfig.ParseURI(tg); err == nil && desired[strings.ToUpper(u.DocID)] {
						return when + ": deleted desired document " + u.DocID
					}
				}
			}
		}
		l.sent = nil
		docs, err := rec.Desired(ctx, dev1)
		if err != nil {
			return err.Error()
		}
		n := 0
		for _, d := range docs {
			id := strings.ToUpper(d.Document.ID)
			if !desired[id] || d.Document.Checksum != fmt.Sprintf("V%d", versions[id]) {
				return when + ": desired state holds " + id + " " + d.Document.Checksum
			}
			n++
		}
		want := 0
		for _, ok := range desired {
			if ok {
				want++
			}
		}
		if n != want {
			return fmt.Sprintf("%s: %d desired documents, want %d", when, n, want)
		}
		l.noErrors()
		return ""
	}
	for i, s := range steps {
		id := ids[s.Arg%len(ids)]
		switch s.Op {
		case opSession:
			l.session(-1)
		case opLost:
			l.session(s.Arg % 3)
		case opReplay:
			l.replay()
		case opDrift:
			dev.drift(id)
		case opFailing:
			dev.failApply = true
		case opTransient:
			dev.transient = true
		case opSettle:
			dev.failApply, dev.transient, dev.refuse, dev.noResults = false, false, 0, false
			dev.settle()
		case opRefuse:
			dev.refuse = syncml.StatusForbidden
		case opNoResults:
			dev.noResults = true
		case opNewVersion:
			if desired[id] {
				if err := declare(id); err != nil {
					return err.Error()
				}
			}
		case opRemove:
			if err := rec.Remove(ctx, dev1, id); err != nil {
				return err.Error()
			}
			desired[id] = false
		case opRedeclare:
			if !desired[id] {
				if err := declare(id); err != nil {
					return err.Error()
				}
			}
		case opReenroll:
			// An odd Arg: it sends no summary while it holds nothing.
			dev = newSimDevice(t, dev1)
			dev.quiet = s.Arg%2 == 1
			l.dev, l.n = dev, 0
		case opLoseDoc:
			if dev.docs[id] != nil {
				delete(dev.docs, id)
				for j, k := range dev.order {
					if k == id {
						dev.order = append(dev.order[:j:j], dev.order[j+1:]...)
						break
					}
				}
			}
		}
		if msg := check(fmt.Sprintf("step %d %v", i, s)); msg != "" {
			return msg + fmt.Sprintf("\nsteps %v", steps)
		}
	}
	// The device now applies what it is sent. A version that failed is
	// not sent again: the administrator declares a new one.
	dev.failApply, dev.transient, dev.refuse, dev.noResults = false, false, 0, false
	dev.settle()
	for range 3 {
		l.session(-1)
		st, err := rec.Status(ctx, dev1)
		if err != nil {
			return err.Error()
		}
		for _, d := range st.Docs {
			if d.Condition == reconcile.Failed {
				if err := declare(strings.ToUpper(d.URI.DocID)); err != nil {
					return err.Error()
				}
			}
		}
	}
	l.session(-1)
	if msg := check("final"); msg != "" {
		return msg + fmt.Sprintf("\nsteps %v", steps)
	}
	st, err := rec.Status(ctx, dev1)
	if err != nil {
		return err.Error()
	}
	for id, want := range desired {
		d, onDevice := st.Doc(id), dev.docs[id]
		switch {
		case want && (d == nil || d.Condition != reconcile.InSync || onDevice == nil || onDevice.checksum != d.Checksum):
			return fmt.Sprintf("did not converge: %s is %+v on the server, %+v on the device\nsteps %v", id, d, onDevice, steps)
		case !want && (onDevice != nil || d != nil):
			return fmt.Sprintf("removed %s is still there: %+v\nsteps %v", id, d, steps)
		}
	}
	// And then it is quiet; but a device that sends no summary while it
	// holds nothing is asked for one in each session.
	l.session(-1)
	cmds := l.commands()
	if dev.quiet && len(dev.order) == 0 && len(cmds) == 1 && strings.HasPrefix(cmds[0], "Get ") &&
		sameNode(strings.TrimPrefix(cmds[0], "Get "), declaredconfig.RefreshIntervalURI) {
		cmds = nil
	}
	if len(cmds) > 0 {
		return fmt.Sprintf("converged, yet sent %q\nsteps %v", cmds, steps)
	}
	return ""
}
