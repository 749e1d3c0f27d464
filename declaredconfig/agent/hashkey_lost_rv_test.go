package agent_test

import (
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
)

// TestConfigHashKeyLostDriftedRv: a setting found drifted under one key
// stays drifted under another, also once its node holds the value again:
// its value cannot be checked (the hash is under a key not held), and
// only a setting in sync takes the node's value (Config.HashKey). The
// doc said any setting did (review46).
func TestConfigHashKeyLostDriftedRv(t *testing.T) {
	store := &agent.MemoryStore{}
	surface := appliedSecretKey(t, store, configKeyA)
	// Under key A: the node drifts, and is found so.
	if status, _, _ := passwordStatus(t, agent.Config{Surface: surface, Store: store, HashKey: configKeyA}, surface, "guess"); status != 404 {
		t.Fatalf("under key A the drifted password is %d, want 404", status)
	}
	// The key changes to B; the node holds the password again.
	status, _, _ := passwordStatus(t, agent.Config{Surface: surface, Store: store, HashKey: configKeyB}, surface, secretPassword)
	if status != 404 {
		t.Errorf("under key B, the node holding the password again, the drifted setting is %d after a refresh, want 404: its value cannot be checked", status)
	}
}
