package agent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
)

// The hashes of values the state keeps (SettingRecord.Hash, the values of
// DocumentRecord.Intents) are keyed: HMAC-SHA256 under Snapshot.HashKey,
// 32 random bytes made once per state, written keyedPrefix and the
// hexadecimal MAC. A hash without the prefix is the bare SHA-256 of a
// state saved by a build before the key (legacy): it is compared the old
// way until its record is rewritten. One key per state, not a salt per
// record, so that two records' hashes of one value are equal (conflicts
// compare them at every refresh) and a value read back is hashed once.
//
// The key is in the state, next to the hashes: it makes the hashes of one
// value differ from state to state (no table made in advance, no value
// told by a hash seen in another state), but whoever holds the whole
// state can still try guesses of a value against its hash.
const (
	keyedPrefix  = "hmac:"
	hashKeyBytes = 32
)

// legacyEmpty is the legacy hash of "".
var legacyEmpty = hashOf("")

// A keyedHash makes and checks the keyed hashes of one state. It is safe
// for concurrent use.
type keyedHash struct {
	key   []byte
	empty string // the keyed hash of ""
	pool  sync.Pool
}

// A macState is a MAC and its buffers, reused (keyedHash.pool).
type macState struct {
	mac hash.Hash
	in  []byte
	sum []byte
}

// newHashKey returns a new key, hexadecimal, for Snapshot.HashKey.
func newHashKey() string {
	var k [hashKeyBytes]byte
	rand.Read(k[:]) // never fails (crypto/rand)
	return hex.EncodeToString(k[:])
}

// newKeyedHash returns the keyedHash of key (Snapshot.HashKey); an error
// when it is not 32 bytes in hexadecimal.
func newKeyedHash(key string) (*keyedHash, error) {
	k, err := hex.DecodeString(key)
	if err != nil || len(k) != hashKeyBytes {
		return nil, errorf("the hash key is not %d bytes in hexadecimal", hashKeyBytes)
	}
	h := &keyedHash{key: k}
	h.pool.New = func() any {
		return &macState{mac: hmac.New(sha256.New, h.key), sum: make([]byte, 0, sha256.Size)}
	}
	h.empty = h.sum("")
	return h, nil
}

// mac writes the hexadecimal HMAC-SHA256 of v into out.
func (h *keyedHash) mac(v string, out *[2 * sha256.Size]byte) {
	m := h.pool.Get().(*macState)
	m.mac.Reset()
	m.in = append(m.in[:0], v...)
	m.mac.Write(m.in)
	m.sum = m.mac.Sum(m.sum[:0])
	hex.Encode(out[:], m.sum)
	if cap(m.in) > 4096 {
		m.in = nil // no large buffer kept
	}
	h.pool.Put(m)
}

// sum returns the keyed hash of v, as the state keeps it.
func (h *keyedHash) sum(v string) string {
	var b [len(keyedPrefix) + 2*sha256.Size]byte
	copy(b[:], keyedPrefix)
	h.mac(v, (*[2 * sha256.Size]byte)(b[len(keyedPrefix):]))
	return string(b[:])
}

// holds reports whether stored, a hash the state keeps (keyed, or legacy:
// bare SHA-256), is the hash of v. The hexadecimal texts are compared in
// constant time: stored may be the hash of a secret.
func (h *keyedHash) holds(stored, v string) bool {
	var b [2 * sha256.Size]byte
	if rest, ok := strings.CutPrefix(stored, keyedPrefix); ok {
		h.mac(v, &b)
		return sameText(rest, b[:])
	}
	s := sha256.Sum256([]byte(v))
	hex.Encode(b[:], s[:])
	return sameText(stored, b[:])
}

// sameText reports, in a time that depends on their lengths only,
// whether s and b hold the same bytes.
func sameText(s string, b []byte) bool {
	if len(s) != len(b) {
		return false
	}
	var d byte
	for i := range b {
		d |= s[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(d, 0) == 1
}

// known reports whether the value of s is kept (not only its hash): its
// Value is not empty, or its hash is that of "".
func (h *keyedHash) known(s *SettingRecord) bool {
	return s.Value != "" || s.Hash == h.empty || s.Hash == legacyEmpty
}

// A valueRef is a setting's value as conflicts compare it: its hash, and
// its text when kept.
type valueRef struct {
	hash, text string
	known      bool
}

// ref returns the valueRef of s.
func (h *keyedHash) ref(s *SettingRecord) valueRef {
	return valueRef{hash: s.Hash, text: s.Value, known: h.known(s)}
}

// mixed reports whether one of x and y is keyed and the other legacy.
func (h *keyedHash) mixed(x, y string) bool {
	return strings.HasPrefix(x, keyedPrefix) != strings.HasPrefix(y, keyedPrefix)
}

// same reports whether x and y are one value: equal hashes, or, for a
// legacy hash and a keyed one, the hash of the one whose text is kept
// holds the other's text. Two values of unequal kinds of hash whose texts
// are both dropped are not known to be one: taken as different.
func (h *keyedHash) same(x, y valueRef) bool {
	if x.hash == y.hash {
		return true
	}
	if !h.mixed(x.hash, y.hash) {
		return false
	}
	switch {
	case y.known:
		return h.holds(x.hash, y.text)
	case x.known:
		return h.holds(y.hash, x.text)
	}
	return false
}

// rekey gives a state loaded without a key (a build before it saved it)
// the key of h: the settings whose value is kept get its keyed hash; the
// others (values of instance data dropped) and Intents keep their legacy
// hash, compared the old way until the record is rewritten.
func (h *keyedHash) rekey(st *Snapshot) {
	for i := range st.Documents {
		for k := range st.Documents[i].Settings {
			if s := &st.Documents[i].Settings[k]; s.Value != "" || s.Hash == legacyEmpty {
				s.Hash = h.sum(s.Value)
			}
		}
	}
}
