package agent_test

import (
	"context"
	"maps"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestUnrecordedApplyHeldValueKept: AlwaysOn already holds "true", the
// very value the VPN profile's apply sets (the device's own), and
// RememberCredentials the device's own value. The apply's first Set
// (AlwaysOn's) is held while the test ends the apply's ctx, or sends a
// new version, or both: the apply's outcome is not recorded. The
// Unenroll after it, or the apply of a new version that no longer names
// AlwaysOn, leaves AlwaysOn with the device's "true": the batch read it
// before its Sets holding that value, so the apply never changed it.
// Before, every node whose Set was made went to the record's Leftover
// without a condition when the outcome was not recorded (heldBefore only
// kept it out of the nodes recorded before the Sets), and was deleted.
// RememberCredentials is deleted only when its Set was made.
func TestUnrecordedApplyHeldValueKept(t *testing.T) {
	uri := docURI(declaredconfig.Device, vpnID)
	// A2 sets RememberCredentials only.
	a2 := vpnDoc("A2")
	a2.CSPs[0].Settings = a2.CSPs[0].Settings[1:]
	for _, tc := range []struct {
		name            string
		replace, cancel bool
		// want is what the Surface holds after the Unenroll (after the
		// new version's apply when the apply goes on).
		want map[string]string
	}{
		{"cancelled", false, true, map[string]string{vpnNodes[0]: "true", vpnNodes[1]: own}},
		{"replaced and cancelled", true, true, map[string]string{vpnNodes[0]: "true", vpnNodes[1]: own}},
		{"replaced", true, false, map[string]string{vpnNodes[0]: "true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			surface := &blockingSurface{entered: make(chan string), release: make(chan struct{})}
			for u, v := range map[string]string{vpnNodes[0]: "true", vpnNodes[1]: own} {
				if err := surface.MemorySurface.Set(context.Background(), u, v); err != nil {
					t.Fatal(err)
				}
			}
			a := newAgent(t, agent.Config{Surface: surface})
			if c, _ := serve(t, a, "Add", uri, text(t, vpnDoc("A1"))); c != 200 {
				t.Fatalf("Add: %d", c)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- a.ApplyPending(ctx) }()
			if got := within(t, surface.entered, "the first Set"); got != vpnNodes[0] {
				t.Fatalf("the first Set is of %s, want %s", got, vpnNodes[0])
			}
			if tc.replace {
				if c, _ := serve(t, a, "Replace", uri, text(t, a2)); c != 200 {
					t.Fatalf("Replace while applying: %d", c)
				}
			}
			if tc.cancel {
				cancel()
			}
			surface.releaseAll()
			err := within(t, done, "ApplyPending returns")
			if tc.cancel != (err != nil) {
				t.Fatalf("ApplyPending: %v", err)
			}
			if !tc.cancel {
				// The new version is applied: it leaves AlwaysOn.
				if got, want := surface.Nodes("./"), map[string]string{vpnNodes[0]: "true", vpnNodes[1]: "false"}; !maps.Equal(got, want) {
					t.Errorf("after the new version's apply the Surface holds %v, want %v", got, want)
				}
			}
			unenrollLeaves(t, a, surface, tc.want)
		})
	}
}
