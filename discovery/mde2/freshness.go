package mde2

import (
	"container/list"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Defaults of the Server's freshness checks of a RequestSecurityToken.
const (
	// DefaultMaxClockSkew is the default Server.MaxClockSkew: how far the
	// device's clock may be from the Server's when the WS-Security
	// Timestamp is checked.
	DefaultMaxClockSkew = 5 * time.Minute
	// DefaultReplayWindow is the default Server.ReplayWindow: how long a
	// MessageID is remembered. It covers a Windows Timestamp's five
	// minutes of validity and the clock skew allowed on either side.
	DefaultReplayWindow = 15 * time.Minute
	// DefaultReplayCacheSize is the default Server.ReplayCacheSize: with
	// MessageIDs of at most DefaultMaxMessageID bytes the cache stays
	// under a few megabytes.
	DefaultReplayCacheSize = 10000
)

func (s *Server) maxClockSkew() time.Duration {
	switch {
	case s.MaxClockSkew == 0:
		return DefaultMaxClockSkew
	case s.MaxClockSkew < 0:
		return 0
	}
	return s.MaxClockSkew
}

// checkTimestamp checks the WS-Security Timestamp of a request, when it
// has one (or refuses it for having none when RequireTimestamp is set):
// Created and Expires must be dates (see parseDateTime), Expires not before Created, Created
// not after now and Expires not before now, each give or take the clock
// skew allowed. A refusal is an InvalidSecurity fault, the code MS-MDE2
// gives for a security header the server cannot accept.
func (s *Server) checkTimestamp(h *Header) error {
	ts := h.Timestamp
	if ts == nil {
		if s.RequireTimestamp {
			return NewFault(FaultInvalidSecurity, "", "the security header has no Timestamp")
		}
		return nil
	}
	var created, expires time.Time
	var err error
	if ts.Created != "" {
		if created, err = parseDateTime(ts.Created); err != nil {
			return NewFault(FaultInvalidSecurity, "", "the Timestamp's Created is not a date and time")
		}
	} else if s.RequireTimestamp {
		return NewFault(FaultInvalidSecurity, "", "the Timestamp has no Created")
	}
	if ts.Expires != "" {
		if expires, err = parseDateTime(ts.Expires); err != nil {
			return NewFault(FaultInvalidSecurity, "", "the Timestamp's Expires is not a date and time")
		}
	}
	now, skew := s.now(), s.maxClockSkew()
	switch {
	case !created.IsZero() && !expires.IsZero() && expires.Before(created):
		return NewFault(FaultInvalidSecurity, "", "the Timestamp expires before it was created")
	case !created.IsZero() && created.After(now.Add(skew)):
		return NewFault(FaultInvalidSecurity, "", "the Timestamp was created in the future")
	case !expires.IsZero() && expires.Before(now.Add(-skew)):
		return NewFault(FaultInvalidSecurity, "", "the message has expired")
	}
	return nil
}

// parseDateTime reads an xsd:dateTime, the type of wsu:Created and
// wsu:Expires: with a zone ("Z" or an offset), or without one, which XML
// Schema allows and WS-Security's "SHOULD be UTC" leaves open, read as
// UTC. Anything else (no seconds, a lower-case "z", a space for the "T")
// is refused.
func parseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t2, err2 := time.Parse("2006-01-02T15:04:05.999999999", s); err2 == nil {
			return t2, nil
		}
	}
	return t, err
}

// ReplayCache remembers the MessageIDs of authenticated
// RequestSecurityTokens for a Server's replay check (see
// Server.ReplayCache). Servers behind a load balancer share one, kept
// where all of them reach it (a database, a cache server), so that a
// request replayed to another server than the first is refused too. It
// must be safe for concurrent use.
//
// Seen records that the MessageID id was received at now, and reports
// whether it had been recorded less than window before now: the request
// is then a replay. Recording and looking up must be one atomic step
// for the servers sharing the store (in SQL, an insert into a table
// keyed by the MessageID that does nothing on conflict, then reading
// the time kept, or a conditional update of it), or two servers
// receiving the same request at once could both accept it. A record
// older than window may be dropped. id is at most the Server's
// Limits.MaxMessageID bytes; it shares the memory of the request's body,
// so a cache that keeps it in memory keeps a copy (strings.Clone), as the
// Server's own does. An error fails the request, which
// is answered InternalServiceFault and logged at Error: the Server does
// not accept what it could not check.
type ReplayCache interface {
	Seen(ctx context.Context, id string, now time.Time, window time.Duration) (replay bool, err error)
}

// checkReplay refuses a request whose MessageID the Server (or its
// ReplayCache) has seen within ReplayWindow, and remembers the
// MessageID. A request without a MessageID is not checked.
func (s *Server) checkReplay(ctx context.Context, h *Header) error {
	if s.ReplayCacheSize < 0 || h.MessageID == "" {
		return nil
	}
	window := s.ReplayWindow
	if window <= 0 {
		window = DefaultReplayWindow
	}
	var replay bool
	if s.ReplayCache != nil {
		var err error
		if replay, err = s.ReplayCache.Seen(ctx, h.MessageID, s.now(), window); err != nil {
			return &failure{NewFault(FaultInternalServiceFault, "", "the server failed to process the request"), slog.LevelError,
				pkg.Errorf("Server.ReplayCache: %w", err)}
		}
	} else {
		size := s.ReplayCacheSize
		if size == 0 {
			size = DefaultReplayCacheSize
		}
		replay = !s.replay.add(h.MessageID, s.now(), window, size)
	}
	if replay {
		return NewFault(FaultInvalidSecurity, "", "the MessageID was used before: the request is a replay")
	}
	return nil
}

// replayCache remembers MessageIDs for a time, at most a given number of
// them: once full, the oldest is forgotten first. It is safe for
// concurrent use; its zero value is empty.
type replayCache struct {
	mu    sync.Mutex
	seen  map[string]*list.Element
	order list.List // of *replayEntry, oldest first
}

type replayEntry struct {
	id   string
	seen time.Time
}

// add remembers id seen at now and reports whether it was new: not
// seen since now-window. Entries older than the window are forgotten,
// and the oldest ones too while more than max are remembered.
func (c *replayCache) add(id string, now time.Time, window time.Duration, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = make(map[string]*list.Element)
	}
	// Forget what left the window. Entries are in the order they were
	// added; a clock set back may leave a later one older, which then
	// stays until the ones before it go or the cache is full.
	for e := c.order.Front(); e != nil; e = c.order.Front() {
		if r := e.Value.(*replayEntry); now.Sub(r.seen) >= window {
			c.forget(e)
			continue
		}
		break
	}
	if e, ok := c.seen[id]; ok {
		if now.Sub(e.Value.(*replayEntry).seen) < window {
			return false
		}
		c.forget(e)
	}
	for c.order.Len() >= max && c.order.Len() > 0 {
		c.forget(c.order.Front())
	}
	id = strings.Clone(id) // kept for the window: not the request's memory
	c.seen[id] = c.order.PushBack(&replayEntry{id: id, seen: now})
	return true
}

func (c *replayCache) forget(e *list.Element) {
	delete(c.seen, e.Value.(*replayEntry).id)
	c.order.Remove(e)
}

// len returns how many MessageIDs are remembered.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
