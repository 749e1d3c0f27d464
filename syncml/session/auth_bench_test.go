package session

import (
	"bytes"
	"context"
	"testing"
)

func BenchmarkAuth(b *testing.B) {
	ctx := context.Background()
	creds := &MemoryUsers{}
	creds.Set("dev", "secret")
	nonce := bytes.Repeat([]byte{7}, DefaultNonceSize)
	body := bytes.Repeat([]byte("<Get><CmdID>1</CmdID></Get>"), 60) // about 1.6 KB
	b.Run("CheckMD5", func(b *testing.B) {
		c := md5Cred("dev", "secret", nonce)
		b.ReportAllocs()
		for b.Loop() {
			if err := checkMD5(ctx, c, "dev", nonce, nil, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckBasic", func(b *testing.B) {
		c, _ := basicCred("dev", "secret")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := checkBasic(ctx, c, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseVerifyHMAC", func(b *testing.B) {
		h := newHMACHeader("dev", "secret", nonce, body).String()
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			p, err := ParseHMACHeader(h)
			if err != nil {
				b.Fatal(err)
			}
			if err := verifyHMAC(ctx, p, nonce, nil, body, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ServerCheckMD5", func(b *testing.B) {
		s := &CredAuthenticator{Type: AuthMD5, Users: creds}
		at := authAttempt{Cred: md5Cred("dev", "secret", nonce), Username: "dev", Nonce: nonce}
		b.ReportAllocs()
		for b.Loop() {
			if d, err := s.check(ctx, at); err != nil || d.Code != 212 {
				b.Fatal(d, err)
			}
		}
	})
}
