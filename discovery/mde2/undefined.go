package mde2

import "sync"

// DefaultMaxUndefinedFaults is the default of Server.MaxUndefinedFaults:
// each key the Server remembers is at most maxReason bytes and a few more,
// so 64 of them stay under 40 KB whatever its hooks return.
const DefaultMaxUndefinedFaults = 64

// undefinedSeen remembers which undefined fault codes and error types a
// hook returned have been logged at Error, so that each is logged at
// Error once and at Warn after that. It is safe for concurrent use; its
// zero value is empty.
type undefinedSeen struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

// first reports whether key (a code or error type, with its kind) is met
// for the first time, and remembers it. Once max keys are remembered, it
// reports false for every new key: a hook that makes up ever new codes is
// then logged at Warn, and the set stays bounded.
func (u *undefinedSeen) first(key string, max int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.seen[key]; ok || len(u.seen) >= max {
		return false
	}
	if u.seen == nil {
		u.seen = make(map[string]struct{})
	}
	u.seen[key] = struct{}{}
	return true
}
