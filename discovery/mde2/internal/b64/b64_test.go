package b64

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// TestSameAsEncodingBase64: every length up to 300 (each remainder of
// the 6-byte loop and of padding), random and extreme bytes, appended
// after a prefix.
func TestSameAsEncodingBase64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2)) // fixed seed
	for n := 0; n <= 300; n++ {
		for _, fill := range []func([]byte){
			func(b []byte) {
				for i := range b {
					b[i] = byte(r.Uint32())
				}
			},
			func(b []byte) {
				for i := range b {
					b[i] = 0xFF
				}
			},
			func(b []byte) { clear(b) },
		} {
			src := make([]byte, n)
			fill(src)
			want := base64.StdEncoding.EncodeToString(src)
			got := AppendEncode([]byte("prefix"), src)
			if string(got) != "prefix"+want {
				t.Fatalf("%d bytes %x: %q, want %q", n, src, got, want)
			}
			if s := EncodeToString(src); s != want {
				t.Fatalf("EncodeToString %d bytes: %q, want %q", n, s, want)
			}
		}
	}
}

// FuzzAppendEncode compares with encoding/base64 on any input.
func FuzzAppendEncode(f *testing.F) {
	f.Add([]byte("any carnal pleas"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if got, want := AppendEncode(nil, src), base64.StdEncoding.AppendEncode(nil, src); !bytes.Equal(got, want) {
			t.Fatalf("%x: %q, want %q", src, got, want)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	src := make([]byte, 3000)
	for i := range src {
		src[i] = byte(i * 7)
	}
	dst := make([]byte, 0, EncodedLen(len(src)))
	b.Run("b64", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			dst = AppendEncode(dst[:0], src)
		}
	})
	b.Run("encoding-base64", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			dst = base64.StdEncoding.AppendEncode(dst[:0], src)
		}
	})
}
