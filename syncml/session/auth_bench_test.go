package session

import (
	"bytes"
	"context"
	"testing"
)

func BenchmarkAuth(b *testing.B) {
	ctx := context.Background()
	creds := &MemoryCredentials{}
	creds.Set("dev", "secret")
	nonce := bytes.Repeat([]byte{7}, DefaultNonceSize)
	body := bytes.Repeat([]byte("<Get><CmdID>1</CmdID></Get>"), 60) // about 1.6 KB
	b.Run("CheckMD5", func(b *testing.B) {
		c := MD5Cred("dev", "secret", nonce)
		b.ReportAllocs()
		for b.Loop() {
			if err := CheckMD5(ctx, c, "dev", nonce, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckBasic", func(b *testing.B) {
		c, _ := BasicCred("dev", "secret")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := CheckBasic(ctx, c, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseVerifyHMAC", func(b *testing.B) {
		h := NewHMACHeader("dev", "secret", nonce, body).String()
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			p, err := ParseHMACHeader(h)
			if err != nil {
				b.Fatal(err)
			}
			if err := VerifyHMAC(ctx, p, nonce, body, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ServerCheckMD5", func(b *testing.B) {
		s := &ServerAuth{Type: AuthMD5, Credentials: creds}
		at := AuthAttempt{Cred: MD5Cred("dev", "secret", nonce), Username: "dev", Nonce: nonce}
		b.ReportAllocs()
		for b.Loop() {
			if d, err := s.Check(ctx, at); err != nil || d.Code != 212 {
				b.Fatal(d, err)
			}
		}
	})
}
