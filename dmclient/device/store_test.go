package device

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

func TestFileStoreRestart(t *testing.T) {
	ds := discoveryServer(t, nil)
	dir := t.TempDir()
	cfg := config(ds, &fakeEnroller{})
	cfg.Store = &FileStore{Dir: dir}
	h, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
	serve(h, &syncml.Replace{Items: []syncml.Item{item(string(le.Priority()), syncml.Text("1"), "int")}})
	if r := serve(h, le.ExecEnroll()); r.Code != 0 {
		t.Fatalf("Exec: %+v", r)
	}
	before := h.State()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHandler(t, cfg)
	if diff := cmp.Diff(before, h2.State()); diff != "" {
		t.Errorf("state after restart (-before +after):\n%s", diff)
	}
	// A second provider has its own file.
	other := cfg
	other.ProviderID = "Other Provider"
	h3 := newHandler(t, other)
	if st := h3.State(); st.Status != dmclient.StatusEnrollmentNotStarted || st.DiscoveryEndpoint != "" {
		t.Errorf("another provider sees %+v", st)
	}
}

func TestInterruptedByRestart(t *testing.T) {
	for _, tt := range []struct {
		from, want dmclient.EnrollStatus
		enrollment *Enrollment
	}{
		{dmclient.StatusEnrollmentInProgress, dmclient.StatusEnrollmentFailed, nil},
		{dmclient.StatusUnenrollmentInProgress, dmclient.StatusUnenrollmentFailed, &Enrollment{ManagementURL: winDC}},
	} {
		store := &MemoryStore{}
		if err := store.Save(context.Background(), provider, State{Status: tt.from, DiscoveryEndpoint: "https://d.example/", Enrollment: tt.enrollment}); err != nil {
			t.Fatal(err)
		}
		cfg := config(discoveryServer(t, nil), &fakeEnroller{})
		cfg.Store = store
		h := newHandler(t, cfg)
		st := h.State()
		if st.Status != tt.want || st.LastError != EAbort || st.DiscoveryEndpoint != "https://d.example/" {
			t.Errorf("from %v: %+v", tt.from, st)
		}
		if saved, _, _ := store.Load(context.Background(), provider); saved.Status != tt.want {
			t.Errorf("from %v: saved %v", tt.from, saved.Status)
		}
	}
}

func TestFileStoreCorrupt(t *testing.T) {
	dir := t.TempDir()
	fs := &FileStore{Dir: dir}
	ctx := context.Background()
	if err := fs.Save(ctx, provider, State{Status: dmclient.StatusEnrollmentSucceeded, Enrollment: &Enrollment{ManagementURL: winDC}}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "linkedenrollment-MS%20DM%20SERVER.json")
	good, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := fs.Load(ctx, provider); !ok || err != nil {
		t.Fatalf("Load: %v %v", ok, err)
	}
	// The same JSON with another URL: only the checksum tells.
	altered := bytes.Replace(good, []byte("ManagementServer"), []byte("ManagementServes"), 1)
	if bytes.Equal(altered, good) {
		t.Fatal("the state does not hold the URL")
	}
	for name, b := range map[string][]byte{
		"torn":          good[:len(good)/2],
		"empty":         {},
		"altered state": altered,
		"other version": []byte(`{"version":2,"sha256":"","state":{}}`),
		"unknown field": sealed(t, `{"enrollStatus":4,"extra":1}`),
	} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, ok, err := fs.Load(ctx, provider)
		if ok || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: ok %v err %v, want ErrCorrupt", name, ok, err)
		}
		cfg := config(discoveryServer(t, nil), &fakeEnroller{})
		cfg.Store = fs
		if _, err := New(ctx, cfg); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: New %v, want ErrCorrupt", name, err)
		}
	}
	if _, ok, err := fs.Load(ctx, "never saved"); ok || err != nil {
		t.Errorf("absent file: %v %v", ok, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// sealed returns a file whose checksum matches state.
func sealed(t *testing.T, state string) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(state))
	return []byte(`{"version":1,"sha256":"` + hex.EncodeToString(sum[:]) + `","state":` + state + `}`)
}

// TestFileStoreNameOnWindows: a ProviderID that holds what Windows reads
// in a path ('\' separates, ':' names a stream of another file, and
// <>"|* are not taken) still gives one plain file name inside Dir, each
// ID its own, and its state round-trips. With only the LocURI escaping,
// `x\..\linkedenrollment-B` named B's file on Windows.
func TestFileStoreNameOnWindows(t *testing.T) {
	dir := t.TempDir()
	f := &FileStore{Dir: dir}
	ids := []string{`x\..\linkedenrollment-B`, "B", "a:b", "a%3Ab", `<>"|*`, "MS DM SERVER"}
	seen := map[string]string{}
	for i, id := range ids {
		p := f.path(id)
		name := filepath.Base(p)
		if filepath.Dir(p) != dir || strings.ContainsAny(name, `\:<>"|*/`) {
			t.Errorf("ProviderID %q: file %q is not a plain name in Dir", id, p)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("ProviderIDs %q and %q share the file %s", other, id, name)
		}
		seen[name] = id
		st := State{Status: dmclient.StatusEnrollmentFailed, LastError: dmclient.HRESULT(i + 1)}
		if err := f.Save(context.Background(), id, st); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range ids {
		st, ok, err := f.Load(context.Background(), id)
		if err != nil || !ok || st.LastError != dmclient.HRESULT(i+1) {
			t.Errorf("Load(%q) = %+v, %v, %v; want the state saved for it", id, st, ok, err)
		}
	}
}

// TestFileStoreOtherProvider: on a file system that ignores case,
// ProviderIDs "abc" and "ABC" name one file. Simulated here by putting
// the file saved for one at the other's name: Load and Save for the other
// fail (ErrConfig) and leave the file as it was, rather than giving one
// provider's enrollment to the other or overwriting it. A file saved
// before providers were recorded is still taken, and records its
// provider from its next Save.
func TestFileStoreOtherProvider(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := &FileStore{Dir: dir}
	saved := State{Status: dmclient.StatusEnrollmentFailed, LastError: 7}
	if err := f.Save(ctx, "abc", saved); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.path("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path("ABC"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.Load(ctx, "ABC"); !errors.Is(err, ErrConfig) || ok || !strings.Contains(err.Error(), `"abc"`) {
		t.Errorf(`Load("ABC") of abc's file: ok %v, err %v; want an ErrConfig naming "abc"`, ok, err)
	}
	if err := f.Save(ctx, "ABC", State{Status: dmclient.StatusEnrollmentSucceeded}); !errors.Is(err, ErrConfig) {
		t.Errorf(`Save("ABC") over abc's file: err %v; want ErrConfig`, err)
	}
	if after, _ := os.ReadFile(f.path("ABC")); !bytes.Equal(after, b) {
		t.Errorf("the refused Save changed the file:\n%s\nwant\n%s", after, b)
	}
	if st, ok, err := f.Load(ctx, "abc"); err != nil || !ok || st.LastError != 7 {
		t.Errorf(`Load("abc") = %+v, %v, %v; want its own state`, st, ok, err)
	}

	// a file of the earlier format, without a provider, is taken by the
	// ID whose name it has, and records it when saved again
	var fd map[string]json.RawMessage
	if err := json.Unmarshal(b, &fd); err != nil {
		t.Fatal(err)
	}
	delete(fd, "provider")
	old, err := json.Marshal(fd)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path("ABC"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	if st, ok, err := f.Load(ctx, "ABC"); err != nil || !ok || st.LastError != 7 {
		t.Errorf(`Load("ABC") of a file without a provider = %+v, %v, %v; want its state`, st, ok, err)
	}
	if err := f.Save(ctx, "ABC", State{Status: dmclient.StatusEnrollmentSucceeded}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (&FileStore{Dir: dir}).Load(ctx, "ABC"); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(f.path("ABC")); !bytes.Contains(after, []byte(`"provider":"ABC"`)) {
		t.Errorf("the Save did not record its provider: %s", after)
	}
}
