package agent

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
)

// A Surface is the configuration the agent manages: the nodes of the
// device's CSPs, addressed by their full LocURI (./Device/Vendor/MSFT/VPNv2/
// ContosoVPN/AlwaysOn, ./User/…). It has the shape of the MI providers that
// DSC documents configure: set a value, read it back to test it, delete it.
// The agent calls it from its worker and from the session that carries a
// server's commands; an implementation must be safe for concurrent use.
//
// An error that matches ErrNotFound is reported as status 404, one that
// matches ErrNotAllowed as 405, and any other as 500, with the setting in
// state ConfigCompletedError.
type Surface interface {
	// Set makes the node uri hold value.
	Set(ctx context.Context, uri, value string) error
	// Get returns the value of the node uri; ok is false when the node
	// does not exist. The value is what Set wrote (not a form of it): a
	// refresh takes another value for drift, and after a crash Unenroll
	// and the next version's apply delete a node recorded before its Set
	// (DocumentRecord.Intents) only when it holds the value Set wrote.
	// The agent writes a setting of type int in decimal and one of type
	// bool as true or false (see Drift in the package doc), so a Get that
	// reads such a node back in that form, as Windows does, agrees.
	Get(ctx context.Context, uri string) (value string, ok bool, err error)
	// Delete removes the node uri; a node that does not exist is no error.
	Delete(ctx context.Context, uri string) error
}

// MemorySurface is a Surface held in memory, for tests, examples and
// simulated devices. A node's URI is compared as written but for its
// scope: ./Vendor/X, Vendor/X and ./device/Vendor/X are ./Device/Vendor/X. Its zero value
// is empty and ready to use; it is safe for concurrent use.
type MemorySurface struct {
	mu    sync.Mutex
	nodes map[string]string
	// Refuse, when set, is asked before every Set and Delete: a non-nil
	// error refuses it (a simulated read-only or failing node).
	Refuse func(op, uri string) error
}

// canonical returns the key of a node URI: "./" and a Device or User
// first segment (any case) made explicit, ./Device when there is none. The
// rest is kept as written.
func canonical(uri string) (string, error) {
	if uri == "" {
		return "", errorf("%w: empty URI", ErrNotFound)
	}
	rest := strings.TrimPrefix(uri, "./")
	first, tail, _ := strings.Cut(rest, "/")
	switch {
	case (first == "Device" || first == "User") && tail != "" && len(rest) < len(uri):
		return uri, nil // written so already: no copy
	case strings.EqualFold(first, "Device") && tail != "":
		return "./Device/" + tail, nil
	case strings.EqualFold(first, "User") && tail != "":
		return "./User/" + tail, nil
	}
	return "./Device/" + rest, nil
}

// Set implements Surface.
func (s *MemorySurface) Set(_ context.Context, uri, value string) error {
	k, err := canonical(uri)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Refuse != nil {
		if err := s.Refuse("Set", k); err != nil {
			return err
		}
	}
	if s.nodes == nil {
		s.nodes = map[string]string{}
	}
	s.nodes[k] = value
	return nil
}

// Get implements Surface.
func (s *MemorySurface) Get(_ context.Context, uri string) (string, bool, error) {
	k, err := canonical(uri)
	if err != nil {
		return "", false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.nodes[k]
	return v, ok, nil
}

// Delete implements Surface.
func (s *MemorySurface) Delete(_ context.Context, uri string) error {
	k, err := canonical(uri)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Refuse != nil {
		if err := s.Refuse("Delete", k); err != nil {
			return err
		}
	}
	delete(s.nodes, k)
	return nil
}

// Nodes returns the nodes whose LocURI (scope made explicit, such as
// ./Device/Vendor/MSFT/VPNv2/P/AlwaysOn) starts with prefix, and their
// values.
func (s *MemorySurface) Nodes(prefix string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(s.nodes)) {
		if strings.HasPrefix(k, prefix) {
			out[k] = s.nodes[k]
		}
	}
	return out
}
