package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// authConformanceDir is the shared corpus of real messages, read in place.
const authConformanceDir = "../../../shared/conformance/syncml"

// Every real message of the corpus that carries a SyncHdr Cred of a known
// type is read by the checkers: its Cred is well-formed for its type (a
// wrong password or nonce, not a malformed credential, is why it is
// refused here) unless its Data is empty, and a Chal in its Statuses names
// a known type with a NextNonce in Base64.
func TestAuthConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(authConformanceDir, "*.xml"))
	if len(files) == 0 {
		t.Skip("no conformance corpus at " + authConformanceDir)
	}
	ctx := context.Background()
	creds := &MemoryUsers{}
	creds.Set("dummy", "x")
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m syncml.Message
		if syncml.Unmarshal(b, &m) != nil {
			continue
		}
		if c := m.Header.Cred; c != nil && c.Meta != nil {
			user := m.Header.Source.LocName
			if c.Data == nil || strings.TrimSpace(c.Data.Value) == "" {
				// The spec's examples that leave the value to a comment.
				if _, _, err := parseBasic(c); !errors.Is(err, ErrMalformedCredentials) {
					t.Errorf("%s: empty Cred: %v", filepath.Base(f), err)
				}
				continue
			}
			var err error
			switch AuthType(strings.TrimSpace(c.Meta.Type)) {
			case AuthBasic:
				_, _, err = parseBasic(c)
			case AuthMD5:
				err = checkMD5(ctx, c, user, []byte("n"), nil, creds)
				if !errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrMalformedCredentials) {
					t.Errorf("%s: md5 Cred: %v", filepath.Base(f), err)
				}
				err = nil
			default:
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
			}
			checked++
		}
		for _, cmd := range m.Body.Commands {
			if st, ok := cmd.(*syncml.Status); ok && st.Chal != nil && st.Chal.Meta != nil {
				if _, err := answerFor(AuthType(strings.TrimSpace(st.Chal.Meta.Type)), authMissing); err != nil {
					t.Errorf("%s: Chal: %v", filepath.Base(f), err)
				}
				if nn := st.Chal.Meta.NextNonce; nn != "" {
					if _, err := decodeNonce(nn); err != nil {
						t.Errorf("%s: %v", filepath.Base(f), err)
					}
				}
				checked++
			}
		}
	}
	t.Logf("%d credentials and challenges checked", checked)
}
