package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestFileStoreLoadRemovesTemporaries checks that Load removes the
// temporary files a Save interrupted by a crash left next to the state
// file, and only those.
func TestFileStoreLoadRemovesTemporaries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.state")
	fs := &agent.FileStore{Path: path}
	if err := fs.Save(ctx, sampleSnapshot()); err != nil {
		t.Fatal(err)
	}
	left := []string{".agent.state.tmp-123", ".agent.state.tmp-9999"}
	kept := []string{"other.tmp-1", ".other.state.tmp-1", "agent.state.bak"}
	for _, n := range append(append([]string(nil), left...), kept...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("torn"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fs.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range left {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s left by a crash is still there (%v)", n, err)
		}
	}
	for _, n := range kept {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s is not the store's and was removed: %v", n, err)
		}
	}
	// Without a state file too (a crash before the first rename).
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, left[0]), []byte("torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := fs.Load(ctx); err != nil || s != nil {
		t.Fatalf("Load without a file: %v, %v", s, err)
	}
	if _, err := os.Stat(filepath.Join(dir, left[0])); !os.IsNotExist(err) {
		t.Errorf("a temporary file without a state file is still there (%v)", err)
	}
}
