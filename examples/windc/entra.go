package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/windc-go/windc/discovery/mde2"
)

// entra stands in for Microsoft Entra ID, which gives an Entra-joined
// device the token its Federated linked enrollment sends, and which the
// enrollment service checks. It is a stand-in for the demo, not an
// identity provider: a token is a random value it remembers, valid for
// the device it was given to.
type entra struct {
	log    *narrator
	mu     sync.Mutex
	issued map[string]string // token → device ID
}

// token gives deviceID a new device token.
func (e *entra) token(deviceID string) ([]byte, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	tok := "demo-entra-" + hex.EncodeToString(b)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.issued == nil {
		e.issued = map[string]string{}
	}
	e.issued[tok] = deviceID
	e.log.printf("  [Entra stand-in] device token issued to %s\n", deviceID)
	return []byte(tok), nil
}

// validate is the enrollment service's Federated check.
func (e *entra) validate(_ context.Context, token *mde2.FederatedToken) (*mde2.Identity, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.issued[string(token.Data)]
	if !ok {
		return nil, errors.New("not a device token of the (stand-in) Entra ID")
	}
	e.log.printf("  [enrollment service] Federated: the device token is valid, for %s\n", id)
	return &mde2.Identity{Name: id, Policy: mde2.Federated}, nil
}
