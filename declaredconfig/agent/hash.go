package agent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"sync"
)

// The hashes of values the state keeps (SettingRecord.Hash, the values of
// DocumentRecord.Intents) are keyed: HMAC-SHA256 under Snapshot.HashKey,
// 32 random bytes made once per state, written keyedPrefix and the
// hexadecimal MAC; or, with Config.HashKey, under that key, written
// "hmac-", the key's id (keyID), ":" and the MAC, so that a hash tells
// which key made it. A hash without the "hmac" prefix is the bare SHA-256
// of a state saved by a build before the key (legacy): it is compared
// the old way until its record is rewritten. One key per state, not a
// salt per record, so that two records' hashes of one value are equal
// (conflicts compare them at every refresh) and a value read back is
// hashed once.
//
// The key in the state makes the hashes of one value differ from state
// to state (no table made in advance, no value told by a hash seen in
// another state), but whoever holds the whole state can still try
// guesses of a value against its hash; Config.HashKey keeps the key out
// of the state, so that the state alone no longer checks a guess.
const (
	keyedPrefix  = "hmac:"
	hashKeyBytes = 32
	// keyedMark begins every keyed hash, of either kind; no legacy hash
	// (hexadecimal) does.
	keyedMark = "hmac"
)

// legacyEmpty is the legacy hash of "".
var legacyEmpty = hashOf("")

// A keyedHash makes and checks the keyed hashes of one state. It is safe
// for concurrent use.
type keyedHash struct {
	key []byte
	// prefix begins the hashes made under key: keyedPrefix for the
	// state's own key, "hmac-" and the key's id and ":" for
	// Config.HashKey's.
	prefix string
	empty  string // the keyed hash of ""
	// old, when set, checks the hashes made under the key the state held
	// when New found Config.HashKey set (its own prefix), for as long as
	// the agent lives: the state saved then no longer holds that key.
	old  *keyedHash
	pool sync.Pool
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
	return keyedWith(k, keyedPrefix), nil
}

// configKeyedHash returns the keyedHash of Config.HashKey (a copy of
// key): an error matching ErrConfig when it is not 32 bytes.
func configKeyedHash(key []byte) (*keyedHash, error) {
	if len(key) != hashKeyBytes {
		return nil, errorf("%w: Config.HashKey is %d bytes, want %d", ErrConfig, len(key), hashKeyBytes)
	}
	k := slices.Clone(key)
	return keyedWith(k, "hmac-"+keyID(k)+":"), nil
}

// keyID returns the id of a key that its hashes carry: 8 hexadecimal
// digits of the HMAC of a fixed text under it, which tell one key from
// another and nothing of a value.
func keyID(k []byte) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("windc agent hash key id"))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// keyedWith returns the keyedHash of key k whose hashes begin with prefix.
func keyedWith(k []byte, prefix string) *keyedHash {
	h := &keyedHash{key: k, prefix: prefix}
	h.pool.New = func() any {
		return &macState{mac: hmac.New(sha256.New, h.key), sum: make([]byte, 0, sha256.Size)}
	}
	h.empty = h.sum("")
	return h
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
	var b [len("hmac-01234567:") + 2*sha256.Size]byte
	n := copy(b[:], h.prefix)
	h.mac(v, (*[2 * sha256.Size]byte)(b[n:]))
	return string(b[:n+2*sha256.Size])
}

// holds reports whether stored, a hash the state keeps (keyed, or legacy:
// bare SHA-256), is the hash of v. The hexadecimal texts are compared in
// constant time: stored may be the hash of a secret. A hash under a key
// the agent does not hold (lost) holds no value.
func (h *keyedHash) holds(stored, v string) bool {
	var b [2 * sha256.Size]byte
	if rest, ok := strings.CutPrefix(stored, h.prefix); ok {
		h.mac(v, &b)
		return sameText(rest, b[:])
	}
	if h.old != nil && strings.HasPrefix(stored, h.old.prefix) {
		return h.old.holds(stored, v)
	}
	if strings.HasPrefix(stored, keyedMark) {
		return false // lost
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

// mixed reports whether x and y are hashes of unequal kinds: keyed under
// two keys, or one keyed and the other legacy.
func (h *keyedHash) mixed(x, y string) bool {
	return kind(x) != kind(y)
}

// kind returns the prefix of a keyed hash, up to its last ":"; "" for a
// legacy one.
func kind(hash string) string {
	if !strings.HasPrefix(hash, keyedMark) {
		return ""
	}
	return hash[:strings.LastIndexByte(hash, ':')+1]
}

// stale reports whether hash is keyed under another key than h's: the
// state's before Config.HashKey came (old), or one the agent does not
// hold (lost).
func (h *keyedHash) stale(hash string) bool {
	return strings.HasPrefix(hash, keyedMark) && !strings.HasPrefix(hash, h.prefix)
}

// lost reports whether hash is keyed under a key the agent does not hold
// (Config.HashKey changed, set after the state's own key was lost, or
// dropped): no value is known to be its.
func (h *keyedHash) lost(hash string) bool {
	return h.stale(hash) && (h.old == nil || !strings.HasPrefix(hash, h.old.prefix))
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

// rekey gives a state loaded without a key (a build before it saved it),
// or with another key than Config.HashKey, the key of h: the settings
// whose value is kept get its keyed hash; the others (values of instance
// data dropped) and Intents keep their hash: a legacy one is compared the
// old way until the record is rewritten, one under the state's former
// key (h.old) as long as the agent lives (a refresh that finds the value
// re-keys it), and one under a key lost is re-keyed by the next refresh
// with the value the node holds (see Config.HashKey). It returns the
// number of such lost hashes.
func (h *keyedHash) rekey(st *Snapshot) (lost int) {
	for i := range st.Documents {
		for k := range st.Documents[i].Settings {
			s := &st.Documents[i].Settings[k]
			switch {
			case s.Value != "" || s.Hash == legacyEmpty || h.old != nil && s.Hash == h.old.empty:
				s.Hash = h.sum(s.Value)
			case h.lost(s.Hash):
				lost++
			}
		}
	}
	return lost
}
