package agent_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

func sampleSnapshot() *agent.Snapshot {
	return &agent.Snapshot{RefreshInterval: 45, ConflictResolution: "1", Seq: 2, LastRefresh: "2026-12-03T10:00:00Z",
		Documents: []agent.DocumentRecord{{URI: "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + vpnID + "/Document",
			Document: "<DeclaredConfiguration/>", State: 60, Seq: 1, Result: "<r/>", ResultChecksum: "AB",
			Settings: []agent.SettingRecord{{URI: "./Device/X", Value: "1", Hash: "h", Status: 200}}}}}
}

// TestStores checks that both stores give back what was saved, and an
// empty store gives nil.
func TestStores(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]agent.Store{
		"memory": &agent.MemoryStore{},
		"file":   &agent.FileStore{Path: filepath.Join(t.TempDir(), "s")},
	} {
		got, err := s.Load(ctx)
		if err != nil || got != nil {
			t.Errorf("%s: empty store gives %v, %v", name, got, err)
		}
		want := sampleSnapshot()
		if err := s.Save(ctx, want); err != nil {
			t.Fatal(err)
		}
		want.Documents[0].Settings[0].Value = "changed after Save"
		got, err = s.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(sampleSnapshot(), got); d != "" {
			t.Errorf("%s: (-want +got):\n%s", name, d)
		}
	}
}

// TestFileStoreCorrupt checks that a torn, altered or foreign file is
// refused with ErrCorrupt (and that New refuses to start from it), and
// that Save leaves no temporary file behind.
func TestFileStoreCorrupt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "agent.state")
	fs := &agent.FileStore{Path: path}
	if err := fs.Save(ctx, sampleSnapshot()); err != nil {
		t.Fatal(err)
	}
	if err := fs.Save(ctx, sampleSnapshot()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("files after Save: %v %v", entries, err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := append([]byte(nil), good...)
	flip[len(flip)-3] ^= 1
	for name, b := range map[string][]byte{
		"torn":         good[:len(good)-7],
		"altered":      flip,
		"no header":    good[len("windc-agent-state 1 "):],
		"empty":        {},
		"header only":  good[:bytesIndex(good, '\n')+1],
		"other format": []byte(`{"documents":[]}`),
	} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := fs.Load(ctx)
		if !errors.Is(err, agent.ErrCorrupt) || s != nil {
			t.Errorf("%s: Load gives %v, %v; want ErrCorrupt", name, s, err)
		}
		if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs}); !errors.Is(err, agent.ErrCorrupt) {
			t.Errorf("%s: New gives %v; want ErrCorrupt", name, err)
		}
	}
	// A state whose document does not read is refused by New too.
	bad := sampleSnapshot()
	if err := fs.Save(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs}); !errors.Is(err, agent.ErrCorrupt) {
		t.Errorf("New from a state with an invalid document: %v", err)
	}
	// MaxBytes bounds what Load reads.
	small := &agent.FileStore{Path: path, MaxBytes: 10}
	if _, err := small.Load(ctx); !errors.Is(err, declaredconfig.ErrLimit) {
		t.Errorf("Load beyond MaxBytes: %v", err)
	}
}

func bytesIndex(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// failingStore refuses every Save once armed.
type failingStore struct {
	agent.MemoryStore
	fail bool
}

func (f *failingStore) Save(ctx context.Context, s *agent.Snapshot) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.MemoryStore.Save(ctx, s)
}

// TestSaveFailure checks that a change that cannot be saved is answered
// 500 and not made.
func TestSaveFailure(t *testing.T) {
	st := &failingStore{}
	a := newAgent(t, agent.Config{Store: st})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	if c, _ := serve(t, a, "Add", docURI, text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	st.fail = true
	if c, _ := serve(t, a, "Replace", docURI, text(t, vpnDoc("A2"))); c != 500 {
		t.Errorf("Replace that cannot be saved: %d", c)
	}
	if c, _ := serve(t, a, "Delete", docURI, ""); c != 500 {
		t.Errorf("Delete that cannot be saved: %d", c)
	}
	if e := entry(a, vpnID); e.Checksum != "A1" {
		t.Errorf("after failed saves the document is %+v", e)
	}
	if err := a.ApplyPending(context.Background()); err == nil {
		t.Error("ApplyPending saved nothing and said nothing")
	}
	st.fail = false
	if err := a.ApplyPending(context.Background()); err != nil || entry(a, vpnID).State != "60" {
		t.Errorf("apply after the store recovered: %v, %+v", err, entry(a, vpnID))
	}
}

// TestAtomicUndo checks that the Undo of a command inside an Atomic puts
// the state back, through a session client that rolls back an Atomic
// whose second command fails.
func TestAtomicUndo(t *testing.T) {
	a := newAgent(t, agent.Config{})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	add, err := declaredconfig.AddDocument(docURI, vpnDoc("A1"), syncml.DataText)
	if err != nil {
		t.Fatal(err)
	}
	bad := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: declaredconfig.RefreshIntervalURI}, Data: syncml.Text("5")}}}
	codes := exchange(t, a, &syncml.Atomic{Commands: []syncml.Command{add, bad}})
	if d := cmp.Diff([]string{"SyncHdr 200", "Atomic 507", "Add 216", "Replace 400"}, codes); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	if n := len(a.Summary().Documents); n != 0 {
		t.Errorf("after the rollback the agent holds %d documents", n)
	}
}

// TestNewRefusesForeignState checks that New refuses saved state that no
// agent writes: a document twice, a setting naming a DSC element the
// document has not.
func TestNewRefusesForeignState(t *testing.T) {
	ctx := context.Background()
	good := agent.DocumentRecord{URI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String(),
		Document: text(t, vpnDoc("A1")), State: 60, Seq: 1}
	bad := good
	bad.Settings = []agent.SettingRecord{{DSC: 3, Path: "x", URI: "./Device/X", Hash: "h", Status: 200}}
	unknown := good
	unknown.State = 9999
	for name, s := range map[string]*agent.Snapshot{
		"twice":                {Seq: 2, Documents: []agent.DocumentRecord{good, good}},
		"bad DSC":              {Seq: 1, Documents: []agent.DocumentRecord{bad}},
		"unknown state":        {Seq: 1, Documents: []agent.DocumentRecord{unknown}},
		"RefreshInterval 5":    {RefreshInterval: 5},
		"ConflictResolution 2": {ConflictResolution: "2"},
	} {
		st := &agent.MemoryStore{}
		if err := st.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: st}); !errors.Is(err, agent.ErrCorrupt) {
			t.Errorf("%s: New gives %v, want ErrCorrupt", name, err)
		}
	}
}
