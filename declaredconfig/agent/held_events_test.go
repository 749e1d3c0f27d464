package agent_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestMaxHeldEvents: the events of an ApplyPending batch whose save
// failed are held for the next save that succeeds, at most
// Config.MaxHeldEvents of them (the oldest); the rest are counted in one
// EventError told with that save. Before, the bound (a constant) left out
// the events the batch held while it ran: a batch of many documents whose
// save failed kept all of its events for as long as the store failed.
// A batch whose save succeeds tells all of its events, beyond the bound.
func TestMaxHeldEvents(t *testing.T) {
	ctx := context.Background()
	for _, fail := range []bool{true, false} {
		t.Run(fmt.Sprint("fail=", fail), func(t *testing.T) {
			st := &countingStore{pass: 1} // the save before the Sets works
			var log eventLog
			a := newAgent(t, agent.Config{Store: st, OnEvent: log.add, MaxHeldEvents: 2})
			for i := range 5 {
				d := vpnDoc("A1")
				d.ID = fmt.Sprintf("%08X-68B9-4320-9FC4-296F6FDFAFE2", i)
				if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String(), text(t, d)); c != 200 {
					t.Fatalf("Add %d", c)
				}
			}
			log.events = nil
			st.fail = fail
			if err := a.ApplyPending(ctx); (err != nil) != fail {
				t.Fatalf("ApplyPending: %v", err)
			}
			if fail {
				if len(log.events) != 1 || log.events[0].Kind != agent.EventError {
					t.Fatalf("events of the failed save: %v", log.events)
				}
				log.events, st.fail = nil, false
				if err := a.ApplyPending(ctx); err != nil { // the worker's next try
					t.Fatal(err)
				}
			}
			applied, dropped := 0, ""
			for _, e := range log.events {
				switch e.Kind {
				case agent.EventApplied:
					applied++
				case agent.EventError:
					dropped = e.Detail
				}
			}
			if !fail {
				if applied != 5 || dropped != "" {
					t.Errorf("saved batch: %d EventApplied, error %q; want 5 and none", applied, dropped)
				}
				return
			}
			if applied != 2 || !strings.HasPrefix(dropped, "3 later events") || !strings.Contains(dropped, "more than 2 held") {
				t.Errorf("%d EventApplied, error %q; want 2 and 3 dropped", applied, dropped)
			}
		})
	}
}
