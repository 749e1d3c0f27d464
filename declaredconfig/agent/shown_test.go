package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestStoredTextShownBounded: New's error for a stored state that does
// not read shows a bounded part of the text at fault (a megabyte
// ConflictResolution, a document's megabyte URI), not all of it.
func TestStoredTextShownBounded(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for name, s := range map[string]*agent.Snapshot{
		"ConflictResolution": {ConflictResolution: big},
		"document URI":       {Documents: []agent.DocumentRecord{{URI: "./Device/" + big}}},
	} {
		store := &agent.MemoryStore{}
		if err := store.Save(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		_, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}, Store: store})
		if !errors.Is(err, agent.ErrCorrupt) {
			t.Fatalf("%s: New gives %.200v, want ErrCorrupt", name, err)
		}
		if n := len(err.Error()); n > 1024 {
			t.Errorf("%s: New's error of %d bytes", name, n)
		}
	}
}
