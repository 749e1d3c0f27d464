package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// DefaultMaxStateBytes is the default of FileStore.MaxBytes.
const DefaultMaxStateBytes = 64 << 20

// fileMagic starts every state file; the header line is
// "windc-agent-state 1 <length> <sha256 of the body>\n".
const fileMagic = "windc-agent-state 1 "

// FileStore is a Store in one file. Save writes a temporary file in the
// same directory, syncs it and renames it over the file, so a crash leaves
// either the old state or the new one. The file starts with a header line
// that gives the length and SHA-256 of the JSON that follows; Load refuses
// (ErrCorrupt) a file whose header, length or checksum does not match, so a
// torn or altered file is reported and never applied. A missing file is an
// empty state. Load also removes the temporary files that a crash in the
// middle of a Save left behind. It is safe for concurrent use by one process.
type FileStore struct {
	// Path is the file (required).
	Path string
	// MaxBytes bounds the file: Load refuses a larger one and Save does
	// not write one (a limit error; the agent then refuses the change
	// that made the state too large). Zero means DefaultMaxStateBytes.
	// Lowered below the size of the file, it makes Load, and so the
	// agent's New, fail (a limit error) until it is raised again: the
	// state is read whole or not at all.
	MaxBytes int64

	mu sync.Mutex
}

func (f *FileStore) maxBytes() int64 {
	if f.MaxBytes <= 0 {
		return DefaultMaxStateBytes
	}
	return f.MaxBytes
}

// Load implements Store.
func (f *FileStore) Load(context.Context) (*Snapshot, error) {
	if f.Path == "" {
		return nil, errorf("%w: FileStore without a Path", ErrConfig)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removeTemporaries()
	max := f.maxBytes()
	fh, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errorf("load: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, errorf("load: %w", err)
	}
	if st.Size() > max {
		return nil, pkg.LimitCount("MaxBytes", max, st.Size(), f.Path)
	}
	b := make([]byte, st.Size())
	if _, err := fh.ReadAt(b, 0); err != nil {
		return nil, errorf("load %s: %w", f.Path, err)
	}
	body, err := checkState(b)
	if err != nil {
		return nil, errorf("load %s: %w: %s", f.Path, ErrCorrupt, err)
	}
	var s Snapshot
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, errorf("load %s: %w: %w", f.Path, ErrCorrupt, err)
	}
	return &s, nil
}

// removeTemporaries removes the temporary files of Saves a crash
// interrupted (.{base}.tmp-*, next to the file): none holds state that a
// Save finished. A file it cannot remove stays, to be tried at the next
// Load. f.mu held.
func (f *FileStore) removeTemporaries() {
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + ".tmp-"
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), prefix) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// checkState returns the body of a state file after checking its header.
func checkState(b []byte) ([]byte, error) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 || !bytes.HasPrefix(b, []byte(fileMagic)) {
		return nil, errors.New("no header line")
	}
	fields := bytes.Fields(b[len(fileMagic):nl])
	if len(fields) != 2 {
		return nil, errors.New("bad header line")
	}
	n, err := strconv.ParseInt(string(fields[0]), 10, 64)
	body := b[nl+1:]
	if err != nil || n != int64(len(body)) {
		return nil, errors.New("torn: the length does not match the header")
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != string(fields[1]) {
		return nil, errors.New("the checksum does not match the header")
	}
	return body, nil
}

// Save implements Store.
func (f *FileStore) Save(_ context.Context, s *Snapshot) error {
	if f.Path == "" {
		return errorf("%w: FileStore without a Path", ErrConfig)
	}
	body, err := json.Marshal(s)
	if err != nil {
		return errorf("save: %w", err)
	}
	sum := sha256.Sum256(body)
	b := make([]byte, 0, len(body)+128)
	b = append(b, fileMagic...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, ' ')
	b = hex.AppendEncode(b, sum[:])
	b = append(b, '\n')
	b = append(b, body...)
	if max := f.maxBytes(); int64(len(b)) > max {
		// Load would refuse it: keep the state that loads.
		return pkg.LimitCount("MaxBytes", max, int64(len(b)), f.Path)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return errorf("save: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return errorf("save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return errorf("save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return errorf("save: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return errorf("save: %w", err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself, where the system allows it
		d.Close()
	}
	return nil
}
