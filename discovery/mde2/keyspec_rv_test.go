package mde2

import (
	"bytes"
	"os"
	"testing"
)

// TestKeySpecUnreadIgnored (review): keySpec "decides nothing" for a
// Client (KeyFromPolicy's doc), and before 283eb42 it was not read at all,
// so a policy whose keySpec is empty but not xsi:nil (or not a number)
// enrolled. Now the whole GetPoliciesResponse fails to read, a change that
// no "Changed:" note tells.
func TestKeySpecUnreadIgnored(t *testing.T) {
	in, err := os.ReadFile("testdata/golden/get-policies-response.xml")
	if err != nil {
		t.Skip(err)
	}
	const nilled = `<keySpec xsi:nil="true"/>`
	if !bytes.Contains(in, []byte(nilled)) {
		t.Fatalf("golden file has no %s", nilled)
	}
	for _, v := range []string{`<keySpec/>`, `<keySpec>AT_SIGNATURE</keySpec>`} {
		var m GetPoliciesResponse
		if err := Unmarshal(bytes.Replace(in, []byte(nilled), []byte(v), 1), &m); err != nil {
			t.Errorf("%s: %v; a keySpec the Client does not use refuses the policy", v, err)
		}
	}
}
