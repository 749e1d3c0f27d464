package mde2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServerTimestamp checks the WS-Security Timestamp of a
// RequestSecurityToken against the Server's clock: an expired one, one
// created in the future, one that expires before it was created or whose
// times are not dates is answered with an InvalidSecurity fault and no
// certificate, within MaxClockSkew (default DefaultMaxClockSkew) it is
// accepted, and a request without one is refused only under
// RequireTimestamp.
func TestServerTimestamp(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	ts := func(created, expires string) *Timestamp { return &Timestamp{Created: created, Expires: expires} }
	for _, tc := range []struct {
		name    string
		ts      *Timestamp
		skew    time.Duration
		require bool
		refused bool
	}{
		{name: "fresh", ts: ts(at(-time.Minute), at(4*time.Minute))},
		{name: "fresh, fractional seconds", ts: ts(now.Add(-time.Second).Format(time.RFC3339Nano), "")},
		{name: "expired", ts: ts(at(-11*time.Minute), at(-6*time.Minute)), refused: true},
		{name: "expired within the skew", ts: ts(at(-9*time.Minute), at(-4*time.Minute))},
		{name: "expired past a set skew", ts: ts(at(-7*time.Minute), at(-2*time.Minute)), skew: time.Minute, refused: true},
		{name: "expired, no skew", ts: ts(at(-5*time.Minute), at(-time.Second)), skew: -1, refused: true},
		{name: "created in the future", ts: ts(at(6*time.Minute), at(11*time.Minute)), refused: true},
		{name: "created in the future within the skew", ts: ts(at(4*time.Minute), at(9*time.Minute))},
		{name: "created in the future past a set skew", ts: ts(at(2*time.Minute), at(7*time.Minute)), skew: time.Minute, refused: true},
		{name: "Expires only, expired", ts: ts("", at(-6*time.Minute)), refused: true},
		{name: "Created only, future", ts: ts(at(6*time.Minute), ""), refused: true},
		{name: "expires before created", ts: ts(at(time.Minute), at(-time.Minute)), refused: true},
		{name: "Created not a date", ts: ts("yesterday", at(time.Minute)), refused: true},
		{name: "Expires not a date", ts: ts(at(0), "2026-13-01T00:00:00Z"), refused: true},
		{name: "no time zone, read as UTC", ts: ts("2026-12-07T00:00:00", "2026-12-07T00:05:00.123")},
		{name: "no time zone, expired as UTC", ts: ts("2026-12-06T23:50:00", "2026-12-06T23:54:00"), refused: true},
		{name: "no time zone, future as UTC", ts: ts("2026-12-07T00:06:00", ""), refused: true},
		{name: "offset", ts: ts("2026-12-07T01:00:00+01:00", "2026-12-07T01:05:00+01:00")},
		{name: "lower-case z", ts: ts("2026-12-07T00:00:00z", ""), refused: true},
		{name: "no seconds", ts: ts("2026-12-07T00:00", ""), refused: true},
		{name: "space for T", ts: ts("2026-12-07 00:00:00", ""), refused: true},
		{name: "no time zone, trailing garbage", ts: ts("2026-12-07T00:00:00 UTC", ""), refused: true},
		{name: "no Timestamp"},
		{name: "no Timestamp, required", require: true, refused: true},
		{name: "no Created, required", ts: ts("", at(time.Minute)), require: true, refused: true},
		{name: "fresh, required", ts: ts(at(0), at(5*time.Minute)), require: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, false)
			issuer := &countingIssuer{Issuer: f.ca}
			f.srv.Issuer = issuer
			f.srv.Now = func() time.Time { return now }
			f.srv.MaxClockSkew = tc.skew
			f.srv.RequireTimestamp = tc.require
			hdr := Header{MessageID: "urn:uuid:ts", Timestamp: tc.ts, UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
			csr := handCSR(t, testECKey, "device", 12, false)
			status, fault := post(t, f.ts.URL+pathEnroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), hdr))
			if tc.refused {
				if fault == nil || fault.Code != FaultInvalidSecurity || issuer.n != 0 {
					t.Errorf("status %d, fault %v, %d certificates issued; want an InvalidSecurity fault and none", status, fault, issuer.n)
				}
				return
			}
			if status != 200 || issuer.n != 1 {
				t.Errorf("status %d, fault %v, %d certificates issued; want 200 and 1", status, fault, issuer.n)
			}
		})
	}
}

// TestServerReplay checks that a RequestSecurityToken whose MessageID the
// Server saw within ReplayWindow is answered with an InvalidSecurity fault
// and no certificate; that it is accepted again once the window has
// passed or when ReplayCacheSize is negative; and that a request that
// fails authentication is not remembered.
func TestServerReplay(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, false)
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	f.srv.Now = func() time.Time { return now }
	csr := handCSR(t, testECKey, "device", 12, false)
	send := func(id, password string) (int, *Fault) {
		hdr := Header{MessageID: id, UsernameToken: &UsernameToken{Username: "u", Password: password}}
		return post(t, f.ts.URL+pathEnroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), hdr))
	}
	want := func(name string, refused bool, issued int, status int, fault *Fault) {
		t.Helper()
		if refused && (fault == nil || fault.Code != FaultInvalidSecurity) || !refused && status != 200 || issuer.n != issued {
			t.Errorf("%s: status %d, fault %v, %d certificates issued; want refused %v, %d issued", name, status, fault, issuer.n, refused, issued)
		}
	}
	status, fault := send("urn:uuid:a", "secret")
	want("first", false, 1, status, fault)
	status, fault = send("urn:uuid:a", "secret")
	want("replay", true, 1, status, fault)
	status, fault = send("urn:uuid:b", "secret")
	want("another MessageID", false, 2, status, fault)
	now = now.Add(DefaultReplayWindow - time.Second)
	status, fault = send("urn:uuid:a", "secret")
	want("replay at the end of the window", true, 2, status, fault)
	now = now.Add(time.Second)
	status, fault = send("urn:uuid:a", "secret")
	want("after the window", false, 3, status, fault)

	status, fault = send("urn:uuid:c", "wrong")
	if fault == nil || fault.Code != FaultAuthentication {
		t.Errorf("wrong password: status %d, fault %v, want an Authentication fault", status, fault)
	}
	status, fault = send("urn:uuid:c", "secret")
	want("after a failed authentication", false, 4, status, fault)

	f.srv.ReplayWindow = time.Minute
	now = now.Add(time.Minute)
	status, fault = send("urn:uuid:c", "secret")
	want("after a set window", false, 5, status, fault)

	f.srv.ReplayCacheSize = -1
	status, fault = send("urn:uuid:c", "secret")
	want("check off", false, 6, status, fault)
}

// TestServerReplayCacheBound checks that the Server never remembers more
// than ReplayCacheSize MessageIDs: past it the oldest is forgotten (and
// so accepted again) while the newer ones are still refused.
func TestServerReplayCacheBound(t *testing.T) {
	f := newFixture(t, false)
	issuer := &countingIssuer{Issuer: f.ca}
	f.srv.Issuer = issuer
	f.srv.ReplayCacheSize = 3
	csr := handCSR(t, testECKey, "device", 12, false)
	send := func(id string) *Fault {
		hdr := Header{MessageID: id, UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
		_, fault := post(t, f.ts.URL+pathEnroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), hdr))
		return fault
	}
	for i := range 5 {
		if fault := send(fmt.Sprint("urn:uuid:", i)); fault != nil {
			t.Fatalf("MessageID %d: %v", i, fault)
		}
		if n := f.srv.replay.len(); n > 3 {
			t.Fatalf("after %d requests %d MessageIDs remembered, want at most 3", i+1, n)
		}
	}
	if fault := send("urn:uuid:4"); fault == nil || fault.Code != FaultInvalidSecurity {
		t.Errorf("replay of the newest: fault %v, want InvalidSecurity", fault)
	}
	if fault := send("urn:uuid:0"); fault != nil {
		t.Errorf("the oldest, forgotten: fault %v, want it accepted", fault)
	}
}

// TestReplayCacheBound drives the cache itself with many MessageIDs: it
// holds at most max of them, and forgets those older than the window.
func TestReplayCacheBound(t *testing.T) {
	var c replayCache
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if !c.add(fmt.Sprint(i), now, time.Hour, 100) {
			t.Fatalf("id %d refused as a replay", i)
		}
		if n, m := c.len(), len(c.seen); n > 100 || m != n {
			t.Fatalf("after %d ids: %d in order, %d in the map; want at most 100, equal", i+1, n, m)
		}
	}
	if c.add("999", now, time.Hour, 100) || !c.add("0", now, time.Hour, 100) {
		t.Error("want 999 remembered and 0 forgotten")
	}
	now = now.Add(time.Hour)
	if !c.add("x", now, time.Hour, 100) || c.len() != 1 {
		t.Errorf("after the window %d ids remembered, want 1", c.len())
	}
}

// TestClientSendsTimestamp checks that a Client's RequestSecurityToken
// carries a Timestamp, as Windows's does, so that it enrolls with a
// Server that requires one, and that its MessageIDs pass the replay
// check enrollment after enrollment.
func TestClientSendsTimestamp(t *testing.T) {
	f := newFixture(t, false)
	f.srv.RequireTimestamp = true
	for i := range 2 {
		if _, err := f.client.Enroll(context.Background(), f.ts.URL+pathDiscovery, testDevice, Credentials{Username: "u", Password: "secret"}); err != nil {
			t.Fatalf("enrollment %d: %v", i+1, err)
		}
	}
}

// sharedReplays is a ReplayCache as servers behind a load balancer would
// share it (a database table keyed by MessageID, here a map): one atomic
// step records a MessageID and tells whether it was seen in the window.
type sharedReplays struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	calls int
	err   error
}

func (c *sharedReplays) Seen(_ context.Context, id string, now time.Time, window time.Duration) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.err != nil {
		return false, c.err
	}
	if at, ok := c.seen[id]; ok && now.Sub(at) < window {
		return true, nil
	}
	c.seen[strings.Clone(id)] = now
	return false, nil
}

// TestServerSharedReplayCache: two Servers sharing a ReplayCache refuse,
// with an InvalidSecurity fault and no certificate, a request replayed to
// the second one; each Server with its own memory (no ReplayCache)
// accepts it, which is what the shared cache is for. The Server passes
// ReplayWindow; a negative ReplayCacheSize still turns the check off; an
// error of the cache is answered InternalServiceFault, logged at Error,
// and nothing is issued.
func TestServerSharedReplayCache(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	shared := &sharedReplays{seen: map[string]time.Time{}}
	var servers [2]*fixture
	var issuers [2]*countingIssuer
	for i := range servers {
		f := newFixture(t, false)
		issuers[i] = &countingIssuer{Issuer: f.ca}
		f.srv.Issuer = issuers[i]
		f.srv.Now = func() time.Time { return now }
		f.srv.ReplayCache = shared
		servers[i] = f
	}
	csr := handCSR(t, testECKey, "device", 12, false)
	send := func(i int, id string) (int, *Fault) {
		hdr := Header{MessageID: id, UsernameToken: &UsernameToken{Username: "u", Password: "secret"}}
		return post(t, servers[i].ts.URL+pathEnroll, "application/soap+xml", rstEnvelope(t, *NewToken(ValueTypePKCS10, csr), hdr))
	}
	if status, fault := send(0, "urn:uuid:a"); status != 200 || issuers[0].n != 1 {
		t.Fatalf("first request: status %d, fault %v, %d issued", status, fault, issuers[0].n)
	}
	if status, fault := send(1, "urn:uuid:a"); fault == nil || fault.Code != FaultInvalidSecurity || issuers[1].n != 0 {
		t.Errorf("replay to the second server: status %d, fault %v, %d issued; want InvalidSecurity and none", status, fault, issuers[1].n)
	}
	if status, fault := send(1, "urn:uuid:b"); status != 200 || issuers[1].n != 1 {
		t.Errorf("another MessageID to the second server: status %d, fault %v", status, fault)
	}
	if n := servers[0].srv.replay.len() + servers[1].srv.replay.len(); n != 0 {
		t.Errorf("%d MessageIDs in the Servers' own memory, want none with a ReplayCache", n)
	}
	// The window the Server passes.
	servers[0].srv.ReplayWindow = time.Minute
	now = now.Add(time.Minute)
	if status, fault := send(0, "urn:uuid:b"); status != 200 {
		t.Errorf("after ReplayWindow: status %d, fault %v, want it accepted", status, fault)
	}
	// Off.
	calls := shared.calls
	servers[1].srv.ReplayCacheSize = -1
	if status, fault := send(1, "urn:uuid:b"); status != 200 || shared.calls != calls {
		t.Errorf("check off: status %d, fault %v, %d calls of the cache", status, fault, shared.calls-calls)
	}
	servers[1].srv.ReplayCacheSize = 0
	// Without the shared cache each server has its own memory.
	servers[0].srv.ReplayCache, servers[1].srv.ReplayCache = nil, nil
	if _, fault := send(0, "urn:uuid:c"); fault != nil {
		t.Fatal(fault)
	}
	if status, fault := send(1, "urn:uuid:c"); status != 200 {
		t.Errorf("own memories: the second server refused what only the first saw: %d %v", status, fault)
	}
	// The cache fails: no certificate.
	var logs bytes.Buffer
	servers[0].srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	servers[0].srv.ReplayCache = shared
	shared.err = errors.New("database down")
	issued := issuers[0].n
	if _, fault := send(0, "urn:uuid:d"); fault == nil || fault.Code != FaultInternalServiceFault || issuers[0].n != issued {
		t.Errorf("cache error: fault %v, %d issued; want InternalServiceFault and none", fault, issuers[0].n-issued)
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "database down") {
		t.Errorf("cache error logged as %q, want at Error with the cause", l)
	}
}
