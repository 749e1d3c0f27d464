package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/syncml"
)

func TestKeyNeverShown(t *testing.T) {
	k := KeyOf("Bruce2", "OhBehave")
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("k", "key", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %s %#v", k, k, k), sb.String()} {
		if !strings.Contains(s, "REDACTED") || strings.Contains(s, fmt.Sprint([16]byte(k))) {
			t.Errorf("key shown: %s", s)
		}
	}
	if !k.Equal(KeyOf("Bruce2", "OhBehave")) || k.Equal(KeyOf("Bruce2", "OhBehavf")) {
		t.Error("Key.Equal")
	}
}

func authCredOf(typ, format, data string) *syncml.Cred {
	c := &syncml.Cred{Meta: &syncml.Meta{Type: typ, Format: format}}
	if data != "-" {
		c.Data = syncml.Text(data)
	}
	return c
}

func TestBasic(t *testing.T) {
	c, err := basicCred("Bruce2", "OhBehave")
	if err != nil {
		t.Fatal(err)
	}
	// The spec's example: base64 of "Bruce2:OhBehave".
	if c.Data.Value != "QnJ1Y2UyOk9oQmVoYXZl" || c.Meta.Type != "syncml:auth-basic" || c.Meta.Format != "b64" {
		t.Fatalf("BasicCred = %+v %+v", c.Meta, c.Data)
	}
	if _, err := basicCred("a:b", "c"); !errors.Is(err, ErrMalformedCredentials) {
		t.Errorf("colon in username: %v", err)
	}
	creds := &MemoryUsers{}
	creds.Set("Bruce2", "OhBehave")
	creds.Set("empty", "")
	ctx := context.Background()
	tests := []struct {
		name string
		c    *syncml.Cred
		user string
		want error
	}{
		{"spec example", c, "Bruce2", nil},
		{"no format", authCredOf("syncml:auth-basic", "", "QnJ1Y2UyOk9oQmVoYXZl"), "Bruce2", nil},
		{"spaces", authCredOf(" syncml:auth-basic ", "b64", " QnJ1Y2UyOk9oQmVoYXZl\n"), "Bruce2", nil},
		{"empty password", authCredOf("syncml:auth-basic", "b64", "ZW1wdHk6"), "empty", nil},
		{"nil", nil, "", ErrMissingCredentials},
		{"wrong password", authCredOf("syncml:auth-basic", "b64", "QnJ1Y2UyOk9oQmVoYXZm"), "", ErrInvalidCredentials},
		{"unknown user", authCredOf("syncml:auth-basic", "b64", "QnJ1Y2UzOk9oQmVoYXZl"), "", ErrInvalidCredentials},
		{"md5 type", authCredOf("syncml:auth-md5", "b64", "QnJ1Y2UyOk9oQmVoYXZl"), "", ErrMalformedCredentials},
		{"no meta", &syncml.Cred{Data: syncml.Text("QnJ1Y2UyOk9oQmVoYXZl")}, "", ErrMalformedCredentials},
		{"chr format", authCredOf("syncml:auth-basic", "chr", "QnJ1Y2UyOk9oQmVoYXZl"), "", ErrMalformedCredentials},
		{"no data", authCredOf("syncml:auth-basic", "b64", "-"), "", ErrMalformedCredentials},
		{"not base64", authCredOf("syncml:auth-basic", "b64", "QnJ1Y2UyOk9oQmVoYXZl!"), "", ErrMalformedCredentials},
		{"no colon", authCredOf("syncml:auth-basic", "b64", "QnJ1Y2Uy"), "", ErrMalformedCredentials},
	}
	for _, tt := range tests {
		u, err := checkBasic(ctx, tt.c, creds)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) || u != tt.user {
			t.Errorf("%s: CheckBasic = %q, %v; want %q, %v", tt.name, u, err, tt.user, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "session: ") {
			t.Errorf("%s: message %q", tt.name, err)
		}
	}
	if _, err := checkBasic(ctx, c, authFailing{}); err == nil || errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("failing source: %v", err)
	}
}

// authFailing is a Credentials source that is down.
type authFailing struct{}

func (authFailing) Key(context.Context, string) (Key, error) { return Key{}, errors.New("db down") }

func TestMD5SpecExample(t *testing.T) {
	// OMA DM protocol 2.4.4.2: user "Bruce2", password "OhBehave", nonce
	// "Nonce" give Zz6EivR3yeaaENcRN6lpAQ==.
	c := md5Cred("Bruce2", "OhBehave", []byte("Nonce"))
	if c.Data.Value != "Zz6EivR3yeaaENcRN6lpAQ==" || c.Meta.Type != string(AuthMD5) || c.Meta.Format != formatB64 {
		t.Fatalf("MD5Cred = %+v %q", c.Meta, c.Data.Value)
	}
	// A nonce is bytes, not text (computed independently).
	if got := md5Cred("Bruce2", "OhBehave", []byte{0, 1, 2, 255}).Data.Value; got != "uvFLZaY+GqxItEY2W7rDFQ==" {
		t.Errorf("binary nonce: %s", got)
	}
	creds := &MemoryUsers{}
	creds.Set("Bruce2", "OhBehave")
	ctx := context.Background()
	nonce := []byte("Nonce")
	tests := []struct {
		name  string
		c     *syncml.Cred
		user  string
		nonce []byte
		want  error
	}{
		{"spec example", c, "Bruce2", nonce, nil},
		{"stale nonce", c, "Bruce2", []byte("Nonce2"), ErrInvalidCredentials},
		{"no nonce issued", md5Cred("Bruce2", "OhBehave", nil), "Bruce2", nil, ErrInvalidCredentials},
		{"wrong password", md5Cred("Bruce2", "OhBehavf", nonce), "Bruce2", nonce, ErrInvalidCredentials},
		{"other user", c, "Bruce3", nonce, ErrInvalidCredentials},
		{"missing", nil, "Bruce2", nonce, ErrMissingCredentials},
		{"short digest", authCredOf("syncml:auth-md5", "b64", "Zz6EivR3yeaaENcRN6lp"), "Bruce2", nonce, ErrMalformedCredentials},
		{"basic type", authCredOf("syncml:auth-basic", "b64", "Zz6EivR3yeaaENcRN6lpAQ=="), "Bruce2", nonce, ErrMalformedCredentials},
	}
	for _, tt := range tests {
		err := checkMD5(ctx, tt.c, tt.user, tt.nonce, nil, creds)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: CheckMD5 = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestNonce(t *testing.T) {
	a, err := newNonce(nil, 0)
	if err != nil || len(a) != DefaultNonceSize {
		t.Fatalf("NewNonce = %x, %v", a, err)
	}
	b, _ := newNonce(nil, 0)
	if string(a) == string(b) {
		t.Error("two nonces are equal")
	}
	if n, _ := newNonce(nil, 32); len(n) != 32 {
		t.Error("size option")
	}
	if _, err := newNonce(strings.NewReader("short"), 16); err == nil {
		t.Error("short reader accepted")
	}
	if d, err := decodeNonce(" " + encodeNonce(a) + "\n"); err != nil || string(d) != string(a) {
		t.Errorf("DecodeNonce = %x, %v", d, err)
	}
	if _, err := decodeNonce("LG3iZQhhdmKNHg=="); err != nil {
		t.Errorf("spec NextNonce: %v", err)
	}
	if _, err := decodeNonce("***"); !errors.Is(err, ErrMalformedCredentials) {
		t.Errorf("bad nonce: %v", err)
	}
}

func TestMemoryCredentials(t *testing.T) {
	m := &MemoryUsers{}
	ctx := context.Background()
	if _, err := m.Key(ctx, "a"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("empty: %v", err)
	}
	m.Set("a", "pw")
	if k, err := m.Key(ctx, "a"); err != nil || !k.Equal(KeyOf("a", "pw")) {
		t.Errorf("Key = %v", err)
	}
	m.Delete("a")
	if _, err := m.Key(ctx, "a"); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("deleted: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Key(cctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestHMACCompute(t *testing.T) {
	// Computed independently: B64(H(B64(H("Bruce2:OhBehave")):Nonce:B64(H("<SyncML/>")))).
	key := KeyOf("Bruce2", "OhBehave")
	body := []byte("<SyncML/>")
	if got := computeHMACB64(key, []byte("Nonce"), body); got != "urdCeS3JUmjFgi8SX3webw==" {
		t.Fatalf("ComputeHMAC = %s", got)
	}
	creds := &MemoryUsers{}
	creds.Set("Bruce2", "OhBehave")
	ctx := context.Background()
	h := newHMACHeader("Bruce2", "OhBehave", []byte("Nonce"), body)
	tests := []struct {
		name  string
		h     HMACHeader
		nonce []byte
		body  string
		want  error
	}{
		{"ok", h, []byte("Nonce"), "<SyncML/>", nil},
		{"no algorithm", HMACHeader{Username: "Bruce2", MAC: h.MAC}, []byte("Nonce"), "<SyncML/>", nil},
		{"md5 lower case", HMACHeader{Algorithm: "md5", Username: "Bruce2", MAC: h.MAC}, []byte("Nonce"), "<SyncML/>", nil},
		{"no padding", HMACHeader{Username: "Bruce2", MAC: strings.TrimRight(h.MAC, "=")}, []byte("Nonce"), "<SyncML/>", nil},
		{"body changed", h, []byte("Nonce"), "<SyncML />", ErrInvalidCredentials},
		{"stale nonce", h, []byte("Nonce1"), "<SyncML/>", ErrInvalidCredentials},
		{"nil nonce", newHMACHeader("Bruce2", "OhBehave", nil, body), nil, "<SyncML/>", ErrInvalidCredentials},
		{"unknown user", HMACHeader{Username: "x", MAC: h.MAC}, []byte("Nonce"), "<SyncML/>", ErrInvalidCredentials},
		{"sha1", HMACHeader{Algorithm: "SHA1", Username: "Bruce2", MAC: h.MAC}, []byte("Nonce"), "<SyncML/>", ErrUnsupportedAuth},
		{"short mac", HMACHeader{Username: "Bruce2", MAC: "AAAA"}, []byte("Nonce"), "<SyncML/>", ErrMalformedCredentials},
	}
	for _, tt := range tests {
		err := verifyHMAC(ctx, tt.h, tt.nonce, nil, []byte(tt.body), creds)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: VerifyHMAC = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestHMACHeaderParse(t *testing.T) {
	ok := []struct {
		in, out string
		h       HMACHeader
	}{
		// The spec's example (its mac is unpadded Base64).
		{`algorithm=MD5, username="Robert Jordan", mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk`,
			`algorithm=MD5, username="Robert Jordan", mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk`,
			HMACHeader{"MD5", "Robert Jordan", "NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk"}},
		{`mac=AB+/cd==,username="a\"b\\c"`, `username="a\"b\\c", mac=AB+/cd==`, HMACHeader{"", `a"b\c`, "AB+/cd=="}},
		{" \tUserName = bob ,, MAC=QQ== , ", `username="bob", mac=QQ==`, HMACHeader{"", "bob", "QQ=="}},
		{`username="Ünï", mac=QQ, algorithm=x-sha`, `algorithm=x-sha, username="Ünï", mac=QQ`, HMACHeader{"x-sha", "Ünï", "QQ"}},
	}
	for _, tt := range ok {
		h, err := ParseHMACHeader(tt.in)
		if err != nil || h != tt.h {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, h, err, tt.h)
			continue
		}
		if s, err := h.Format(); err != nil || s != tt.out {
			t.Errorf("Format(%+v) = %q, %v; want %q", h, s, err, tt.out)
		}
	}
	bad := []struct{ in, path string }{
		{``, "/username"},
		{`username="a"`, "/mac"},
		{`mac=QQ==`, "/username"},
		{`username="a", mac=QQ==, username="b"`, "/username"},
		{`username="a", mac=QQ==, realm="x"`, ""},
		{`username "a", mac=QQ==`, "/username"},
		{`username="a" mac=QQ==`, "/username"},
		{`username="a, mac=QQ==`, "/username"},
		{`username="", mac=QQ==`, "/username"},
		{"username=\"a\x01\", mac=QQ==", "/username"},
		{"username=\"a\\\x01\", mac=QQ==", "/username"},
		{"username=\"\xff\", mac=QQ==", "/username"},
		{`username=a@b, mac=QQ==`, "/username"},
		{`username="a", mac=`, "/mac"},
		{`username="a", mac=Q===`, "/mac"},
		{`username="a", mac=QQ==;`, "/mac"},
		{`username="a", mac=Q-Q`, "/mac"},
		{`algorithm=, username="a", mac=QQ`, "/algorithm"},
		{`algorithm="MD5", username="a", mac=QQ`, "/algorithm"},
		{`=x`, ""},
	}
	for _, tt := range bad {
		h, err := ParseHMACHeader(tt.in)
		var de *xmlerr.DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrMalformedHeader) || !errors.Is(err, xmlerr.ErrSyntax) || !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("Parse(%q) = %+v, %v; want a DecodeError", tt.in, h, err)
			continue
		}
		if de.Path != tt.path || de.Offset < 0 || int(de.Offset) > len(tt.in) {
			t.Errorf("Parse(%q): path %q offset %d; want path %q", tt.in, de.Path, de.Offset, tt.path)
		}
	}
	long := `username="` + strings.Repeat("a", 2000) + `", mac=QQ`
	if _, err := ParseHMACHeader(long); !errors.Is(err, xmlerr.ErrLimit) {
		t.Errorf("long header: %v", err)
	}
	if _, err := (hmacLimits{MaxBytes: 4096}).Parse(long); err != nil {
		t.Errorf("MaxBytes option: %v", err)
	}
	for _, h := range []HMACHeader{{Username: "", MAC: "QQ"}, {Username: "a", MAC: ""}, {Username: "a", MAC: "Q Q"},
		{Username: "a\n", MAC: "QQ"}, {Username: "\xff", MAC: "QQ"}, {Algorithm: "M D5", Username: "a", MAC: "QQ"}} {
		if s, err := h.Format(); !errors.Is(err, ErrMalformedHeader) || h.String() != "" {
			t.Errorf("Format(%+v) = %q, %v", h, s, err)
		}
	}
}
