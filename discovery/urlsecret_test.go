package discovery

import (
	"errors"
	"strings"
	"testing"
)

// TestURLPolicyHidesPasswords: a URL refused by the policy is named in the
// error without the password it may carry, since the error reaches logs
// and saved state (a device keeps the reason of a failed enrollment).
func TestURLPolicyHidesPasswords(t *testing.T) {
	p := URLPolicy{AllowLoopbackHTTP: true, AllowedHosts: []string{"good.example"}}
	for _, raw := range []string{
		"https://user:s3cret@good.example/x",  // user information
		"ftp://user:s3cret@good.example/x",    // scheme
		"http://user:s3cret@198.51.100.1/x",   // plain http off loopback
		"https://user:s3cret@%zz/x",           // not a URL
		"https://user:s3cret@good.example:x/", // bad port
		"user:s3cret@good.example",            // not absolute
	} {
		err := p.Check(raw)
		if err == nil || !errors.Is(err, ErrURL) && !errors.Is(err, ErrInsecureURL) {
			t.Errorf("Check(%q) = %v, want ErrURL or ErrInsecureURL", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Check(%q): error shows the password: %v", raw, err)
		}
	}
}
