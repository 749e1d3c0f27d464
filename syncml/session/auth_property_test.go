package session

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
)

// authCase is one generated credential: a user, a password, a nonce, a
// body, and a position and xor mask for a single-byte change.
type authCase struct {
	User, Password string
	Nonce, Body    []byte
	Pos            int
	Mask           byte
}

func genAuthCase() gopter.Gen {
	bytesGen := gen.SliceOf(gen.UInt8())
	return gopter.CombineGens(
		gen.AnyString().SuchThat(func(s string) bool { return s != "" }),
		gen.AnyString(),
		bytesGen, bytesGen,
		gen.IntRange(0, 1<<20), gen.UInt8Range(1, 255),
	).Map(func(v []any) authCase {
		return authCase{User: v[0].(string), Password: v[1].(string), Nonce: append([]byte{}, v[2].([]uint8)...),
			Body: append([]byte{}, v[3].([]uint8)...), Pos: v[4].(int), Mask: v[5].(uint8)}
	})
}

// authFlip returns b with the byte at pos (mod len) xored with mask.
func authFlip(b []byte, pos int, mask byte) []byte {
	c := append([]byte{}, b...)
	c[pos%len(c)] ^= mask
	return c
}

func TestAuthProperties(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261203)
	params.MinSuccessfulTests = 1000
	props := gopter.NewProperties(params)
	ctx := context.Background()
	setup := func(c authCase) *MemoryUsers {
		m := &MemoryUsers{}
		m.Set(c.User, c.Password)
		return m
	}

	props.Property("md5: made Cred is accepted; one changed byte of its digest or nonce is refused", prop.ForAll(func(c authCase) bool {
		creds := setup(c)
		nonce := append([]byte{0}, c.Nonce...) // a nonce is never nil
		cr := md5Cred(c.User, c.Password, nonce)
		if checkMD5(ctx, cr, c.User, nonce, nil, creds) != nil {
			return false
		}
		raw, _ := base64.StdEncoding.DecodeString(cr.Data.Value)
		bad := &syncml.Cred{Meta: cr.Meta, Data: syncml.Text(base64.StdEncoding.EncodeToString(authFlip(raw, c.Pos, c.Mask)))}
		return checkMD5(ctx, bad, c.User, nonce, nil, creds) != nil &&
			checkMD5(ctx, cr, c.User, authFlip(nonce, c.Pos, c.Mask), nil, creds) != nil
	}, genAuthCase()))

	props.Property("basic: made Cred is accepted; one changed byte of user:password is refused", prop.ForAll(func(c authCase) bool {
		creds := setup(c)
		cr, err := basicCred(c.User, c.Password)
		if err != nil {
			return authHasColon(c.User)
		}
		if u, err := checkBasic(ctx, cr, creds); err != nil || u != c.User {
			return false
		}
		raw, _ := base64.StdEncoding.DecodeString(cr.Data.Value)
		bad := &syncml.Cred{Meta: cr.Meta, Data: syncml.Text(base64.StdEncoding.EncodeToString(authFlip(raw, c.Pos, c.Mask)))}
		_, err = checkBasic(ctx, bad, creds)
		return err != nil
	}, genAuthCase()))

	props.Property("hmac: made header is accepted; one changed byte of body, mac or nonce is refused", prop.ForAll(func(c authCase) bool {
		creds := setup(c)
		nonce := append([]byte{0}, c.Nonce...)
		body := append([]byte("<"), c.Body...)
		h := newHMACHeader(c.User, c.Password, nonce, body)
		s, err := h.Format()
		if err != nil {
			return !authHeaderUserOK(c.User)
		}
		p, err := ParseHMACHeader(s)
		if err != nil || p != h || verifyHMAC(ctx, p, nonce, nil, body, creds) != nil {
			return false
		}
		raw, _ := base64.StdEncoding.DecodeString(h.MAC)
		badMAC := HMACHeader{Username: h.Username, MAC: base64.StdEncoding.EncodeToString(authFlip(raw, c.Pos, c.Mask))}
		return verifyHMAC(ctx, p, nonce, nil, authFlip(body, c.Pos, c.Mask), creds) != nil &&
			verifyHMAC(ctx, badMAC, nonce, nil, body, creds) != nil &&
			verifyHMAC(ctx, p, authFlip(nonce, c.Pos, c.Mask), nil, body, creds) != nil
	}, genAuthCase()))

	props.TestingRun(t)
}

func authHasColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}

// authHeaderUserOK reports whether a username can be written in the header.
func authHeaderUserOK(s string) bool {
	_, err := HMACHeader{Username: s, MAC: "QQ"}.Format()
	return err == nil
}
