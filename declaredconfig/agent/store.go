package agent

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"

	"github.com/windc-go/windc/declaredconfig"
)

// A Store keeps the agent's state across restarts: the documents, their
// results and what was applied, RefreshInterval and ConflictResolution.
// The agent saves the whole Snapshot after every change and before it
// answers the command that made it (applies: once per ApplyPending
// batch, when it ends; a save of the worker's that fails is tried again:
// Agent.Run), and before it sets a node that no record holds as set yet
// (see DocumentRecord.Leftover); it loads it once, in New.
type Store interface {
	// Load returns the saved state; nil and no error when nothing was
	// saved yet. State that cannot be trusted (torn, corrupt) is an error
	// matching ErrCorrupt, never a partial Snapshot.
	Load(ctx context.Context) (*Snapshot, error)
	// Save replaces the saved state with s, all of it or nothing.
	Save(ctx context.Context, s *Snapshot) error
}

// A Snapshot is the agent's whole state, as a Store keeps it. Its JSON
// encoding is what FileStore writes.
type Snapshot struct {
	// RefreshInterval is in minutes; 0 means the default
	// (declaredconfig.DefaultRefreshInterval).
	RefreshInterval uint32 `json:"refreshInterval,omitempty"`
	// ConflictResolution is the node's value: "", "0" or "1" ("" when
	// not set).
	ConflictResolution string `json:"conflictResolution,omitempty"`
	// LastRefresh is when the last refresh ran, in RFC 3339 (UTC).
	LastRefresh string `json:"lastRefresh,omitempty"`
	// Seq counts the documents accepted, so that each has an order.
	Seq uint64 `json:"seq"`
	// HashKey is the key of the hashes of values the state keeps
	// (SettingRecord.Hash, DocumentRecord.Intents): 32 random bytes in
	// hexadecimal, made by New when the state has none (a new state, or
	// one a build before the field saved) and kept until the state is
	// gone; "" with Config.HashKey, which keeps the key out of the state
	// (a state that holds one loses it: see Config.HashKey). A state with
	// a HashKey that is not 32 bytes in hexadecimal is
	// ErrCorrupt. A build before the field refuses a FileStore state that
	// holds one (unknown field: ErrCorrupt); through a Store that drops
	// unknown fields, it would not know the key, and would find a setting
	// whose value it no longer keeps drifted (404) and forget the nodes of
	// Intents.
	HashKey   string           `json:"hashKey,omitempty"`
	Documents []DocumentRecord `json:"documents"` // in the order they were first accepted
}

// A DocumentRecord is one document the agent holds.
type DocumentRecord struct {
	URI      string               `json:"uri"`      // its Document node, as the server named it
	Document string               `json:"document"` // canonical XML
	State    declaredconfig.State `json:"state"`    // as the summary reports it
	Seq      uint64               `json:"seq"`      // when it was accepted (Snapshot.Seq)
	// Pending: accepted and not applied yet.
	Pending   bool `json:"pending,omitempty"`
	Abandoned bool `json:"abandoned,omitempty"` // Properties/Abandoned is 1
	// Result is the canonical XML of the last result ("" before the
	// first), and ResultChecksum its result_checksum.
	Result         string `json:"result,omitempty"`
	ResultChecksum string `json:"resultChecksum,omitempty"` // upper-case hexadecimal
	// InstanceData is the canonical XML of the InstanceBlob of a bulk
	// template, while it is kept.
	InstanceData string `json:"instanceData,omitempty"`
	// Settings are the settings of the last apply, bulk templates
	// expanded, with what the refresh needs to check them.
	Settings []SettingRecord `json:"settings,omitempty"`
	// Applied is the canonical XML of the version whose apply made
	// Settings, while that is not Document: from a Replace of an applied
	// version until the new one is applied (pending, under way, or in
	// ConfigInfraError when its plan failed). "" when Settings are
	// Document's own, or there are none. New holds Settings to it (and
	// drops those of a version not applied that Document does not make
	// when it is "": see New); it counts in the state's size
	// (FileStore.MaxBytes) meanwhile.
	Applied string `json:"applied,omitempty"`
	// Leftover holds the Surface nodes the agent set, or may have set,
	// for this document that Settings does not name as set (each once):
	// those an apply or a refresh is about to set (recorded and saved
	// before the first Set, so that a crash at any point leaves them
	// here, marked in Intents; those whose Set is surely not made come
	// out when the apply or refresh ends, its outcome recorded or not),
	// those an apply set whose outcome was not recorded
	// (cancelled, or a new version or an Undo came meanwhile), those of a
	// Set whose outcome is not known (timed out), those set before whose
	// setting a refresh could not set again, and those of an earlier
	// version that the last recorded apply did not set again and could
	// not delete (another document names them, the delete failed, the
	// document is abandoned). Unenroll deletes them as it deletes Settings' nodes;
	// the next recorded apply deletes those it does not set. It counts in
	// the state's size (FileStore.MaxBytes) and Config.MaxLeftover bounds
	// it. A record
	// saved by a build before the field has none. New keeps only nodes in
	// the scope of the document's context that a document may set
	// (declaredconfig.CheckSettingNode).
	Leftover []string `json:"leftover,omitempty"`
	// Intents marks the nodes of Leftover that an apply or a refresh
	// recorded before its Sets and whose outcome is not recorded yet
	// (the process stopped, or the batch goes on): each maps the node, as
	// Leftover writes it, to the hash of the value its Set writes, keyed
	// as SettingRecord.Hash (an Intents hash a build before the key saved
	// is the bare SHA-256, and compared so). The agent set such a node
	// only if the Surface holds that value: Unenroll, the next recorded
	// apply and an Undo delete it only then (a Get first; a node that
	// holds another value, or none, is left as it is and forgotten), so
	// that a crash during a batch does not have the nodes of a document
	// whose apply had not started deleted, with the value the device had
	// before. An apply's batch and a refresh read the nodes before they
	// record them: one that holds the very value its Set writes is not
	// recorded (Changed: it was, and a crash had Unenroll delete the
	// device's value). A node that changes between that read and the Set
	// is not seen: one the device set to the agent's value meanwhile is
	// recorded, and deleted after a crash. Intents are empty between batches but for what a crash
	// left; a build before the field refuses a FileStore state that holds
	// some (unknown field: ErrCorrupt). A node another
	// record, a setting that succeeded or a Leftover node not in Intents
	// holds is deleted as it is. A record saved by a build before the
	// field has none; New drops the keys that are not in Leftover.
	Intents map[string]string `json:"intents,omitempty"`
}

// A SettingRecord is one node a document sets (or, for an inventory,
// reads), as last applied.
type SettingRecord struct {
	Group int    `json:"group"`         // the CSP or DSC element of the result it belongs to
	CSP   string `json:"csp,omitempty"` // the CSP's name; "" for a DSC parameter
	DSC   int    `json:"dsc,omitempty"` // for a DSC Value parameter, 1 + the index of its DSC element
	// DSCKeys holds, for a DSC Value parameter of a bulk template, the
	// keys of its DSC element filled from instance data (name=value,
	// query-escaped, joined by &); "" when they are as the document
	// writes them.
	DSCKeys string `json:"dscKeys,omitempty"`
	Path    string `json:"path"`           // the setting's path in the result (placeholders filled)
	Type    string `json:"type,omitempty"` // the setting's type attribute
	URI     string `json:"uri"`            // the Surface node
	// Value is the value to set, when it is kept; a value that came from
	// instance data that is not kept has only its Hash.
	Value string `json:"value,omitempty"`
	// Hash is the keyed hash of the value: "hmac:" and the hexadecimal
	// HMAC-SHA256 of the value under Snapshot.HashKey (with
	// Config.HashKey: "hmac-", 8 hexadecimal digits that identify that
	// key, ":" and the HMAC under it), so that a value
	// of instance data the agent dropped (a password) cannot be found
	// from the hash without the key. Changed: it was the bare SHA-256;
	// a record saved so keeps it (compared as such) until it is
	// rewritten, but for a setting whose Value is kept, which New hashes
	// again with the key.
	Hash string `json:"hash"`
	// Status is the SyncML status of the last apply or check.
	Status int `json:"status"`
	// Missing: the value needs instance data the agent does not have.
	Missing bool `json:"missing,omitempty"`
	// Invalid: the instance data gives a variable of the path a value
	// that is not one node name (empty, ".", "..", with a "/", or making
	// a node that syncml.ParseLocURI refuses, such as "%2e%2e"), or
	// makes it name a node an earlier instance's setting names; the
	// setting is not made (status 400).
	Invalid bool `json:"invalid,omitempty"`
	// Observed is the value an inventory read.
	Observed string `json:"observed,omitempty"`
}

// clone returns a deep copy of s.
func (s *Snapshot) clone() *Snapshot {
	c := *s
	c.Documents = make([]DocumentRecord, len(s.Documents))
	for i, d := range s.Documents {
		d.Settings = append([]SettingRecord(nil), d.Settings...)
		d.Leftover = slices.Clone(d.Leftover)
		d.Intents = maps.Clone(d.Intents)
		c.Documents[i] = d
	}
	return &c
}

// MemoryStore is a Store in memory: state survives a new Agent on the
// same MemoryStore, not the process. Its zero value is empty and ready to
// use; it is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	data []byte
}

// Load implements Store.
func (m *MemoryStore) Load(context.Context) (*Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		return nil, nil
	}
	var s Snapshot
	if err := json.Unmarshal(m.data, &s); err != nil {
		return nil, errorf("%w: %w", ErrCorrupt, err)
	}
	return &s, nil
}

// Save implements Store.
func (m *MemoryStore) Save(_ context.Context, s *Snapshot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return errorf("save: %w", err)
	}
	m.mu.Lock()
	m.data = b
	m.mu.Unlock()
	return nil
}
