package agent_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
)

// secretPassword is the PFX password bulkDoc's instance data gives.
const secretPassword = "hunter2"

// appliedSecret returns a store and a Surface on which an agent applied
// vpnDoc and bulkDoc with one instance (thumbprint T1, secretPassword),
// its instance data dropped after the apply, as by default.
func appliedSecret(t *testing.T, store agent.Store) *agent.MemorySurface {
	t.Helper()
	return appliedSecretKey(t, store, nil)
}

// appliedSecretKey is appliedSecret by an agent with Config.HashKey key
// (nil: none).
func appliedSecretKey(t *testing.T, store agent.Store, key []byte) *agent.MemorySurface {
	t.Helper()
	surface := &agent.MemorySurface{}
	a := newAgent(t, agent.Config{Surface: surface, Store: store, HashKey: key})
	if c, _ := serve(t, a, "Add", docURI(declaredconfig.Device, vpnID), text(t, vpnDoc("A1"))); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	if c, _ := serve(t, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(t, blob([2]string{"T1", secretPassword}))); c != 200 {
		t.Fatalf("BulkVariables %d", c)
	}
	if err := a.ApplyPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	return surface
}

// secretSetting returns the stored setting of the PFX password of st.
func secretSetting(t *testing.T, st *agent.Snapshot) *agent.SettingRecord {
	t.Helper()
	for i := range st.Documents {
		for k := range st.Documents[i].Settings {
			if s := &st.Documents[i].Settings[k]; strings.HasSuffix(s.Path, "PFXCertPassword") {
				if s.Value != "" {
					t.Fatalf("the password is kept in the state: %q", s.Value)
				}
				return s
			}
		}
	}
	t.Fatal("no password setting in the state")
	return nil
}

func sha256Hex(v string) string {
	s := sha256.Sum256([]byte(v))
	return hex.EncodeToString(s[:])
}

// TestHashKeyed: the hash of a value of instance data the agent dropped
// (a password) is the HMAC-SHA256 of the value under the state's own
// random key, not its bare SHA-256; two states holding the same value
// hold different hashes of it, and a state whose key is altered no
// longer finds the node holding it (the key is what the hash is checked
// with). Before, the state held the bare SHA-256: one guess of the
// password, hashed, matched it in any device's state.
func TestHashKeyed(t *testing.T) {
	ctx := context.Background()
	var hashes []string
	var last *agent.Snapshot
	for range 2 {
		store := &agent.MemoryStore{}
		appliedSecret(t, store)
		st, err := store.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		key, err := hex.DecodeString(st.HashKey)
		if err != nil || len(key) != 32 {
			t.Fatalf("HashKey %q is not 32 bytes in hexadecimal", st.HashKey)
		}
		s := secretSetting(t, st)
		if strings.Contains(s.Hash, sha256Hex(secretPassword)) {
			t.Errorf("the state holds the bare SHA-256 of the password: %s", s.Hash)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(secretPassword))
		if want := "hmac:" + hex.EncodeToString(m.Sum(nil)); s.Hash != want {
			t.Errorf("the password's hash is %s, want the HMAC under the state's key %s", s.Hash, want)
		}
		hashes = append(hashes, s.Hash)
		last = st
	}
	if hashes[0] == hashes[1] {
		t.Errorf("two states hold one hash of the password: %s", hashes[0])
	}

	// The same state under another key: the password's node, whose value
	// the agent no longer has, is no longer known to hold it.
	surface := &agent.MemorySurface{}
	store := &agent.MemoryStore{}
	pw := secretSetting(t, last)
	if err := surface.Set(ctx, pw.URI, secretPassword); err != nil {
		t.Fatal(err)
	}
	for _, s := range last.Documents[1].Settings {
		if s.Value != "" {
			if err := surface.Set(ctx, s.URI, s.Value); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, key := range []string{last.HashKey, strings.Repeat("5a", 32)} {
		st := *last
		st.HashKey = key
		if err := store.Save(ctx, &st); err != nil {
			t.Fatal(err)
		}
		b := newAgent(t, agent.Config{Surface: surface, Store: store})
		if err := b.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := store.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status := secretSetting(t, got).Status
		if key == last.HashKey && status != 200 {
			t.Errorf("under its own key the password's setting is %d after a refresh, want 200", status)
		}
		if key != last.HashKey && status != 404 {
			t.Errorf("under another key the password's setting is %d after a refresh, want 404 (its hash no longer matches)", status)
		}
	}
}

// TestHashKeyBad: a state whose HashKey is not 32 bytes in hexadecimal
// is ErrCorrupt.
func TestHashKeyBad(t *testing.T) {
	ctx := context.Background()
	for _, key := range []string{"zz", "00", strings.Repeat("0", 66)} {
		store := &agent.MemoryStore{}
		if err := store.Save(ctx, &agent.Snapshot{HashKey: key}); err != nil {
			t.Fatal(err)
		}
		if _, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: store}); !errors.Is(err, agent.ErrCorrupt) {
			t.Errorf("HashKey %q: New gives %v, want ErrCorrupt", key, err)
		}
	}
}

// TestLegacyHashState: a state a build before the key saved (no HashKey,
// bare SHA-256 hashes, in a FileStore), with the hash of a password the
// agent dropped and two crash-left Intents nodes, loads: a refresh finds
// the password's node in sync (compared the old way) and repairs the
// drifted node; the state saved then holds a key, the keyed hashes of the
// values kept and the password's old hash (its record is not rewritten);
// an Unenroll deletes every node the agent set, the Intents node that
// holds the value recorded among them, and leaves the one that holds the
// device's own value.
func TestLegacyHashState(t *testing.T) {
	ctx := context.Background()
	mem := &agent.MemoryStore{}
	surface := appliedSecret(t, mem)
	st, err := mem.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// As the build before the key saved it.
	st.HashKey = ""
	vpn := -1
	for i := range st.Documents {
		d := &st.Documents[i]
		if strings.Contains(d.URI, vpnID) {
			vpn = i
		}
		for k := range d.Settings {
			s := &d.Settings[k]
			if s.Value == "" {
				s.Hash = sha256Hex(secretPassword)
			} else {
				s.Hash = sha256Hex(s.Value)
			}
		}
	}
	mine, own := "./Device/Vendor/MSFT/VPNv2/Contoso/Mine", "./Device/Vendor/MSFT/VPNv2/Contoso/Own"
	d := &st.Documents[vpn]
	d.Leftover = []string{mine, own}
	d.Intents = map[string]string{mine: sha256Hex("mine"), own: sha256Hex("theirs")}
	if err := surface.Set(ctx, mine, "mine"); err != nil {
		t.Fatal(err)
	}
	if err := surface.Set(ctx, own, "the device's own"); err != nil {
		t.Fatal(err)
	}
	fs := &agent.FileStore{Path: filepath.Join(t.TempDir(), "state")}
	if err := fs.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := surface.Set(ctx, vpnNodes[0], "false"); err != nil { // drift
		t.Fatal(err)
	}
	a := newAgent(t, agent.Config{Surface: surface, Store: fs})
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := surface.Get(ctx, vpnNodes[0]); v != "true" {
		t.Errorf("the drifted node holds %q after the refresh, want true", v)
	}
	got, err := fs.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.HashKey == "" {
		t.Error("the state saved after the refresh holds no HashKey")
	}
	for _, d := range got.Documents {
		if d.State != declaredconfig.StateConfigCompletedSuccess {
			t.Errorf("%s: state %d after the refresh, want 60", d.URI, d.State)
		}
		for _, s := range d.Settings {
			switch {
			case s.Status != 200:
				t.Errorf("%s: status %d after the refresh, want 200", s.URI, s.Status)
			case s.Value == "" && s.Hash != sha256Hex(secretPassword):
				t.Errorf("%s: the password's old hash was rewritten: %s", s.URI, s.Hash)
			case s.Value != "" && !strings.HasPrefix(s.Hash, "hmac:"):
				t.Errorf("%s: a value kept has its old hash %s, want a keyed one", s.URI, s.Hash)
			}
		}
	}
	unenrollLeaves(t, a, surface, map[string]string{own: "the device's own"})
}
