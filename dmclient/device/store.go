package device

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/internal/utf8cut"
)

// A Store keeps the State of each provider's LinkedEnrollment, so that it
// survives a restart of the device. Implementations are safe for
// concurrent use.
type Store interface {
	// Load returns the state saved for providerID; ok is false when
	// none was saved.
	Load(ctx context.Context, providerID string) (s State, ok bool, err error)
	// Save replaces the state saved for providerID.
	Save(ctx context.Context, providerID string, s State) error
}

// MemoryStore is a Store in memory, the default. The zero value is ready.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]State
}

// Load implements Store.
func (m *MemoryStore) Load(_ context.Context, providerID string) (State, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[providerID]
	return s.clone(), ok, nil
}

// Save implements Store.
func (m *MemoryStore) Save(_ context.Context, providerID string, s State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]State{}
	}
	m.m[providerID] = s.clone()
	return nil
}

// FileStore is a Store that keeps one JSON file per provider in Dir.
// A file is written whole to a temporary file that is synced and then
// renamed over the old one, so a crash leaves the old or the new state;
// Load, run once at start, removes the temporary files a crash left.
// Each file carries the SHA-256 of its state: a torn or altered file is
// reported (an error matching ErrCorrupt, naming the file), never used.
//
// A file's name is "linkedenrollment-", the ProviderID percent-encoded
// (as a LocURI segment, and the characters Windows does not take in a
// file name), and ".json". On a file system that ignores case (Windows
// and macOS by default), ProviderIDs that differ only in case name one
// file: give such providers FileStores of their own Dir. A file records
// the ProviderID it was saved for, and one provider never takes or
// overwrites another's state: Load and Save of a file that records
// another ProviderID fail with an error matching ErrConfig. (A file saved
// before the ProviderID was recorded is taken by either, as it was then,
// and records its provider from its next Save.)
type FileStore struct {
	// Dir is the directory of the files; it must exist.
	Dir string
	// MaxBytes bounds the size of a file Load reads; zero means
	// DefaultMaxFileBytes. A larger file is reported as ErrCorrupt.
	MaxBytes int64
}

// DefaultMaxFileBytes is the default of FileStore.MaxBytes: far more
// than a state with an enrollment's certificate and key takes.
const DefaultMaxFileBytes = 1 << 20

// fileVersion is the version of the file format.
const fileVersion = 1

type fileData struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	// Provider is the ProviderID the file was saved for; empty in a
	// file saved before it was recorded. SHA256 covers State only.
	Provider string          `json:"provider,omitempty"`
	State    json.RawMessage `json:"state"`
}

// path returns the file of providerID: its escaped name, so any
// ProviderID gives one file name inside Dir, on Windows too.
func (f *FileStore) path(providerID string) string {
	return filepath.Join(f.Dir, "linkedenrollment-"+fileSegment(providerID)+".json")
}

// fileSegment is dmclient.EscapeSegment(id) with, besides, the bytes
// Windows does not take in a file name percent-encoded: '\' (a path
// separator there, which would let an ID name a file elsewhere), ':'
// (which names a stream of another file) and '<', '>', '"', '|', '*'.
// EscapeSegment encodes '%', so the result is one name per ID.
func fileSegment(id string) string {
	seg := dmclient.EscapeSegment(id)
	if !strings.ContainsAny(seg, windowsFileBytes) {
		return seg
	}
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; strings.IndexByte(windowsFileBytes, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// windowsFileBytes are the bytes fileSegment encodes beyond
// EscapeSegment's.
const windowsFileBytes = `\:<>"|*`

// Load implements Store.
func (f *FileStore) Load(_ context.Context, providerID string) (State, bool, error) {
	p := f.path(providerID)
	removeStale(p)
	b, err := f.read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, pkg.Errorf("load %s: %w", p, err)
	}
	var fd fileData
	if err := json.Unmarshal(b, &fd); err != nil {
		return State{}, false, pkg.Errorf("load %s: %w: %v", p, ErrCorrupt, err)
	}
	if fd.Version != fileVersion {
		return State{}, false, pkg.Errorf("load %s: %w: version %d, want %d", p, ErrCorrupt, fd.Version, fileVersion)
	}
	sum := sha256.Sum256(fd.State)
	if hex.EncodeToString(sum[:]) != fd.SHA256 {
		return State{}, false, pkg.Errorf("load %s: %w: checksum does not match", p, ErrCorrupt)
	}
	if err := otherProvider(fd.Provider, providerID); err != nil {
		return State{}, false, pkg.Errorf("load %s: %w", p, err)
	}
	var s State
	dec := json.NewDecoder(bytes.NewReader(fd.State))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return State{}, false, pkg.Errorf("load %s: %w: %v", p, ErrCorrupt, err)
	}
	return s, true, nil
}

// read returns the content of file p, or an error matching ErrCorrupt
// when it is larger than MaxBytes.
func (f *FileStore) read(p string) ([]byte, error) {
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	file, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, limit)
	}
	return b, nil
}

// Save implements Store.
func (f *FileStore) Save(_ context.Context, providerID string, s State) error {
	st, err := json.Marshal(s)
	if err != nil {
		return pkg.Errorf("save: %w", err)
	}
	sum := sha256.Sum256(st)
	b, err := json.Marshal(fileData{Version: fileVersion, SHA256: hex.EncodeToString(sum[:]), Provider: providerID, State: st})
	if err != nil {
		return pkg.Errorf("save: %w", err)
	}
	p := f.path(providerID)
	// the check and the write as one, against another Save of this
	// process naming the same file (an ID differing in case)
	fileSaves.Lock()
	defer fileSaves.Unlock()
	if err := f.checkOwner(p, providerID); err != nil {
		return pkg.Errorf("save %s: %w", p, err)
	}
	if err := writeAtomic(p, b); err != nil {
		return pkg.Errorf("save %s: %w", p, err)
	}
	return nil
}

// fileSaves makes each FileStore Save's check of the file's provider and
// its write one step for the process: two Saves of IDs that differ only
// in case, which name one file on a file system that ignores case, could
// otherwise both find the file free and the second overwrite the first.
// Saves are rare (a state changes at each step of an enrollment), so one
// lock for every FileStore costs nothing that matters.
var fileSaves sync.Mutex

// checkOwner returns an error when file p holds the state of a provider
// other than providerID (see otherProvider). A missing file, or one that
// does not read or decode, is no other provider's: Save replaces it, as
// it always did.
func (f *FileStore) checkOwner(p, providerID string) error {
	b, err := f.read(p)
	if err != nil {
		return nil
	}
	var fd struct {
		Provider string `json:"provider"`
	}
	if json.Unmarshal(b, &fd) != nil {
		return nil
	}
	return otherProvider(fd.Provider, providerID)
}

// otherProvider returns an error matching ErrConfig when a file that
// records the ProviderID recorded (none: a file saved before they were)
// is asked for providerID, another one: two IDs that differ only in case
// name one file on a file system that ignores case.
func otherProvider(recorded, providerID string) error {
	if recorded == "" || recorded == providerID {
		return nil
	}
	return fmt.Errorf("%w: the file holds the state of ProviderID %s, not %s (on a file system that ignores case, give providers whose IDs differ only in case FileStores of their own Dir)",
		ErrConfig, utf8cut.Quote(recorded, 128), utf8cut.Quote(providerID, 128))
}

// removeStale removes the temporary files of p that a crash between
// their write and their rename left: each holds a copy of a state, and
// with it the enrollment's private key. It is best effort, and reads Dir
// once: Load calls it, not Save.
func removeStale(p string) {
	dir, prefix := filepath.Dir(p), filepath.Base(p)+".tmp"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// writeAtomic writes b to a temporary file beside p, syncs it and renames
// it to p.
func writeAtomic(p string, b []byte) (err error) {
	t, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			t.Close()
			os.Remove(t.Name())
		}
	}()
	if _, err = t.Write(b); err != nil {
		return err
	}
	if err = t.Sync(); err != nil {
		return err
	}
	if err = t.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return os.Rename(t.Name(), p)
}
