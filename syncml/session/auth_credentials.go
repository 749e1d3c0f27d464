package session

import (
	"context"
	"errors"
	"sync"
)

// Users looks up the secret of a user: the Key H(username:password),
// which checks every credential type, so no password need be stored.
// Implementations return an error matching ErrUnknownUser for a user they
// do not know; any other error is a failure of the source itself. They
// must be safe for concurrent use and must not log keys.
type Users interface {
	Key(ctx context.Context, username string) (Key, error)
}

// MemoryUsers is an in-memory Users, safe for concurrent use.
// It keeps keys only, never passwords. The zero value is empty and ready.
type MemoryUsers struct {
	mu   sync.RWMutex
	keys map[string]Key
}

// Set stores the key of username and password, replacing any.
func (m *MemoryUsers) Set(username, password string) {
	m.SetKey(username, KeyOf(username, password))
}

// SetKey stores a precomputed key for username.
func (m *MemoryUsers) SetKey(username string, k Key) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = make(map[string]Key)
	}
	m.keys[username] = k
}

// Delete removes username.
func (m *MemoryUsers) Delete(username string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, username)
}

// Key returns the key of username, or an error matching ErrUnknownUser.
func (m *MemoryUsers) Key(ctx context.Context, username string) (Key, error) {
	if err := ctx.Err(); err != nil {
		return Key{}, pkg.Errorf("credentials: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	k, ok := m.keys[username]
	if !ok {
		return Key{}, pkg.Errorf("credentials: user %s: %w", shown(username), ErrUnknownUser)
	}
	return k, nil
}

// found is a looked-up key and whether the user exists.
type authFound struct {
	key   Key
	found bool
}

// lookup asks creds for username's key. An unknown user gives a zero key
// and found false, so the caller does the same work before refusing; any
// other error of creds is returned.
func authLookup(ctx context.Context, creds Users, username string) (authFound, error) {
	if creds == nil {
		return authFound{}, pkg.Errorf("no Credentials configured: %w", ErrUnsupportedAuth)
	}
	k, err := creds.Key(ctx, username)
	if errors.Is(err, ErrUnknownUser) {
		return authFound{}, nil
	}
	if err != nil {
		return authFound{}, pkg.Errorf("credentials for %s: %w", shown(username), err)
	}
	return authFound{key: k, found: true}, nil
}
