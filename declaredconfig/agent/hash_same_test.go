package agent

import (
	"strings"
	"testing"
)

// TestSameMixedHashes: a legacy hash (bare SHA-256, its value dropped)
// and a keyed one of a value kept are one value when the keyed side's
// text hashes to the legacy one, so that a document of an older state and
// a new one setting a node to one value do not conflict.
func TestSameMixedHashes(t *testing.T) {
	h, err := newKeyedHash(strings.Repeat("ab", hashKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	legacy := valueRef{hash: hashOf("pw")}
	keyed := valueRef{hash: h.sum("pw"), text: "pw", known: true}
	other := valueRef{hash: h.sum("x"), text: "x", known: true}
	if !h.same(legacy, keyed) || !h.same(keyed, legacy) {
		t.Error("a legacy hash and a keyed one of one value are not the same")
	}
	if h.same(legacy, other) || h.same(other, legacy) || h.same(keyed, other) {
		t.Error("hashes of two values are the same")
	}
	if !h.same(keyed, valueRef{hash: h.sum("pw")}) {
		t.Error("two keyed hashes of one value are not the same")
	}
}

// BenchmarkValueHash measures the hash of a 40-byte value: bare (the
// SHA-256 the state held before the key), keyed (the HMAC the state
// keeps) and the check of a value read back against a stored keyed hash.
func BenchmarkValueHash(b *testing.B) {
	h, err := newKeyedHash(strings.Repeat("ab", hashKeyBytes))
	if err != nil {
		b.Fatal(err)
	}
	v := strings.Repeat("v", 40)
	stored := h.sum(v)
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = hashOf(v)
		}
	})
	b.Run("keyed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = h.sum(v)
		}
	})
	b.Run("holds", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !h.holds(stored, v) {
				b.Fatal("no")
			}
		}
	})
}
