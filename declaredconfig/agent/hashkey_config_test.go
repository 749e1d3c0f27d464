package agent_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
)

var (
	configKeyA = []byte(strings.Repeat("A", 32))
	configKeyB = []byte(strings.Repeat("B", 32))
)

// hmacHex returns the hexadecimal HMAC-SHA256 of v under key.
func hmacHex(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// passwordStatus runs a refresh of an agent of cfg on surface, with the
// password's node holding pw, and returns the password setting's status
// and hash as the store then holds them, and the state saved.
func passwordStatus(t *testing.T, cfg agent.Config, surface *agent.MemorySurface, pw string) (int, string, *agent.Snapshot) {
	t.Helper()
	ctx := context.Background()
	a := newAgent(t, cfg)
	s := secretSetting(t, a.Snapshot())
	if err := surface.Set(ctx, s.URI, pw); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := cfg.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := secretSetting(t, st)
	return got.Status, got.Hash, st
}

// TestConfigHashKeyOutOfState: with Config.HashKey, the state saved holds
// no key; the password's hash is the HMAC under Config.HashKey, marked
// with the key's id; an agent started again with the key finds the node
// in sync, and a node that holds another value drifted.
func TestConfigHashKeyOutOfState(t *testing.T) {
	ctx := context.Background()
	store := &agent.MemoryStore{}
	surface := appliedSecretKey(t, store, configKeyA)
	st, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.HashKey != "" {
		t.Errorf("the state holds a key with Config.HashKey set: %s", st.HashKey)
	}
	h := secretSetting(t, st).Hash
	if !strings.HasPrefix(h, "hmac-") || !strings.HasSuffix(h, ":"+hmacHex(configKeyA, secretPassword)) {
		t.Errorf("the password's hash is %s, want hmac-<id>: and its HMAC under Config.HashKey", h)
	}
	cfg := agent.Config{Surface: surface, Store: store, HashKey: configKeyA}
	if status, _, _ := passwordStatus(t, cfg, surface, secretPassword); status != 200 {
		t.Errorf("started again with its key, the password's setting is %d after a refresh, want 200", status)
	}
	if status, _, _ := passwordStatus(t, cfg, surface, "guess"); status != 404 {
		t.Errorf("a password node that holds another value is %d after a refresh, want 404 (drifted)", status)
	}
}

// TestConfigHashKeySize: a Config.HashKey that is not 32 bytes fails New
// with ErrConfig.
func TestConfigHashKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := agent.New(context.Background(), agent.Config{Surface: &agent.MemorySurface{}, HashKey: make([]byte, n)})
		if !errors.Is(err, agent.ErrConfig) {
			t.Errorf("a key of %d bytes: New gives %v, want ErrConfig", n, err)
		}
	}
}

// TestConfigHashKeyFromStateKey: a state saved with its own key loads
// with Config.HashKey: the password's hash is checked with the state's
// key (a node that holds it is in sync, and its hash is made again under
// Config.HashKey; one that holds another value drifted), and the state
// saved holds no key.
func TestConfigHashKeyFromStateKey(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		pw     string
		status int
	}{{secretPassword, 200}, {"guess", 404}} {
		store := &agent.MemoryStore{}
		surface := appliedSecret(t, store)
		if st, _ := store.Load(ctx); st.HashKey == "" {
			t.Fatal("the state saved without Config.HashKey holds no key")
		}
		status, h, st := passwordStatus(t, agent.Config{Surface: surface, Store: store, HashKey: configKeyA}, surface, tc.pw)
		if status != tc.status {
			t.Errorf("node holding %q: the password's setting is %d after a refresh, want %d", tc.pw, status, tc.status)
		}
		if st.HashKey != "" {
			t.Errorf("the state saved with Config.HashKey still holds the state's key %s", st.HashKey)
		}
		if tc.status == 200 && !strings.HasSuffix(h, ":"+hmacHex(configKeyA, secretPassword)) {
			t.Errorf("the password's hash is %s after a refresh that found it, want its HMAC under Config.HashKey", h)
		}
		for _, s := range st.Documents[0].Settings {
			if !strings.HasSuffix(s.Hash, ":"+hmacHex(configKeyA, s.Value)) {
				t.Errorf("%s: a value kept has hash %s, not under Config.HashKey", s.URI, s.Hash)
			}
		}
	}
}

// TestConfigHashKeyChanged: a state whose hashes are under another
// Config.HashKey loads with an EventError; its password is not taken as
// drifted: the refresh takes the value the node holds, hashed under the
// new key, and the next refresh finds a change of it.
func TestConfigHashKeyChanged(t *testing.T) {
	store := &agent.MemoryStore{}
	surface := appliedSecretKey(t, store, configKeyA)
	var told []agent.Event
	cfg := agent.Config{Surface: surface, Store: store, HashKey: configKeyB,
		OnEvent: func(e agent.Event) { told = append(told, e) }}
	status, h, _ := passwordStatus(t, cfg, surface, secretPassword)
	if status != 200 {
		t.Errorf("under a new key the password's setting is %d after a refresh, want 200 (not known to differ)", status)
	}
	if !strings.HasSuffix(h, ":"+hmacHex(configKeyB, secretPassword)) {
		t.Errorf("the password's hash is %s after the refresh, want its HMAC under the new key", h)
	}
	found := false
	for _, e := range told {
		found = found || e.Kind == agent.EventError && strings.Contains(e.Detail, "key it does not hold")
	}
	if !found {
		t.Errorf("no EventError told of the hashes under a key not held: %v", told)
	}
	if status, _, _ := passwordStatus(t, cfg, surface, "guess"); status != 404 {
		t.Errorf("after the key changed, a password node that holds another value is %d, want 404 (drifted)", status)
	}
}

// droppingStore is a Store that keeps only the fields of the state it
// knows: it drops the hashKey field, as a Store written for a Snapshot
// before the field would.
type droppingStore struct{ agent.MemoryStore }

func (d *droppingStore) Save(ctx context.Context, s *agent.Snapshot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	delete(m, "hashKey")
	if b, err = json.Marshal(m); err != nil {
		return err
	}
	var t agent.Snapshot
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	return d.MemoryStore.Save(ctx, &t)
}

// TestConfigHashKeyDroppingStore: through a Store that drops the fields
// it does not know, an agent with Config.HashKey loses nothing: started
// again, it finds the password's node in sync, and one that holds another
// value drifted.
func TestConfigHashKeyDroppingStore(t *testing.T) {
	store := &droppingStore{}
	surface := appliedSecretKey(t, store, configKeyA)
	cfg := agent.Config{Surface: surface, Store: store, HashKey: configKeyA}
	if status, _, _ := passwordStatus(t, cfg, surface, secretPassword); status != 200 {
		t.Errorf("the password's setting is %d after a refresh, want 200", status)
	}
	if status, _, _ := passwordStatus(t, cfg, surface, "guess"); status != 404 {
		t.Errorf("a password node that holds another value is %d after a refresh, want 404", status)
	}
}
