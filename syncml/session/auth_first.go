package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/windc-go/windc/internal/backoff"
)

// FirstNonceKeyDevice is the name a Server keeps its first-nonce key
// under in its Store, as if it were a device: the secret the nonce of a
// device's first challenge is derived from (see AuthInput.FirstNonce),
// made by the first Server that needs it and shared by every Server of
// the Store, so that a device challenged by one is accepted by another.
// No device can have that name: it holds a NUL, which a SyncML message
// cannot carry. Server.Queue, Server.SetOwner and the like refuse it;
// an application that lists or removes a Store's devices must leave it.
//
// A first nonce is derived for a time window too (ServerConfig's
// FirstNonceWindow), and holds for that window and the next: credentials
// captured from a device's first session are refused two windows on,
// even if the application has removed the device's state by then.
// Removing the record (with every Server of the Store stopped: each
// keeps the key it loaded) makes a new key, and new first nonces at
// once.
const FirstNonceKeyDevice = "\x00windc first-nonce key"

// firstNonceKeySize is the size of the first-nonce key.
const firstNonceKeySize = 32

// firstNonceLabel separates the first nonces from any other use of the
// key.
const firstNonceLabel = "windc first nonce\x00"

// firstNonceKey returns the first-nonce key of the Store: loaded once
// and kept, or made (from rand, nil meaning crypto/rand) and saved with
// CompareAndSwap from version 0 when the Store has none; a Server that
// loses that race loads the winner's.
func (s *Server) firstNonceKey(ctx context.Context, rnd io.Reader) (*[firstNonceKeySize]byte, error) {
	if k := s.firstKey.Load(); k != nil {
		return k, nil
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	for attempt := range s.cfg.MaxRetries {
		raw, ver, err := s.cfg.Store.Load(ctx, FirstNonceKeyDevice)
		if err != nil {
			return nil, errorf("first-nonce key: %w", err)
		}
		k := new([firstNonceKeySize]byte)
		if ver != 0 {
			if len(raw) != firstNonceKeySize {
				return nil, errorf("first-nonce key: the Store holds %d bytes under %q, not a key of %d", len(raw), FirstNonceKeyDevice, firstNonceKeySize)
			}
			copy(k[:], raw)
			s.firstKey.Store(k)
			return k, nil
		}
		if _, err := io.ReadFull(rnd, k[:]); err != nil {
			return nil, errorf("first-nonce key: %w", err)
		}
		_, err = s.cfg.Store.CompareAndSwap(ctx, FirstNonceKeyDevice, 0, k[:])
		if err == nil {
			s.firstKey.Store(k)
			return k, nil
		}
		if !errors.Is(err, ErrConflict) {
			return nil, errorf("first-nonce key: %w", err)
		}
		// another Server saved its key meanwhile: load it
		if attempt+1 < s.cfg.MaxRetries {
			if err := backoff.Wait(ctx, attempt+1); err != nil {
				return nil, errorf("first-nonce key: %w", err)
			}
		}
	}
	return nil, errorf("first-nonce key: %w after %d attempts", ErrConflict, s.cfg.MaxRetries)
}

// firstNonce returns the nonces device is checked against while it has
// none: cur, of the present first-nonce window, which it is challenged
// with, and prev, of the window before (see AuthInput.FirstNonce).
func (s *Server) firstNonce(ctx context.Context, device string) (cur, prev []byte, err error) {
	k, err := s.firstNonceKey(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	cur, prev = deriveFirstNonces(k, firstWindow(now(), s.cfg.FirstNonceWindow), device)
	return cur, prev, nil
}

// firstWindow returns the index of the first-nonce window of length w
// that t is in: the windows start at the Unix epoch.
func firstWindow(t time.Time, w time.Duration) int64 {
	ns := t.UnixNano()
	i := ns / int64(w)
	if ns%int64(w) < 0 {
		i-- // before 1970: round down too
	}
	return i
}

// deriveFirstNonces returns HMAC-SHA256(k, firstNonceLabel + window +
// device), window being the 8 octets of win, big-endian, for win (cur)
// and win-1 (prev).
func deriveFirstNonces(k *[firstNonceKeySize]byte, win int64, device string) (cur, prev []byte) {
	m := hmac.New(sha256.New, k[:])
	b := make([]byte, 0, 2*sha256.Size)
	for i := range int64(2) {
		m.Reset()
		var w [8]byte
		binary.BigEndian.PutUint64(w[:], uint64(win-i))
		m.Write([]byte(firstNonceLabel))
		m.Write(w[:])
		m.Write([]byte(device))
		b = m.Sum(b)
	}
	return b[:sha256.Size:sha256.Size], b[sha256.Size:]
}
