package mde2

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPooledParserKeepsNothing: tree parsers go back to a pool after
// each message, refused ones included (an error deep inside an element,
// a limit, a bad encoding); the next message reads the same as on a
// fresh parser, also concurrently.
func TestPooledParserKeepsNothing(t *testing.T) {
	good := rstWithContext(t, ContextItem{"DeviceID", "7BA748C8-703E-4DF2-A74A-92984117346A"}, ContextItem{"DeviceType", "CIMClient_Windows"})
	var want RequestSecurityToken
	if err := Unmarshal(good, &want); err != nil {
		t.Fatal(err)
	}
	s := string(good)
	bad := []string{
		strings.Replace(s, "</ac:Value>", "</ac:Wrong>", 1),
		strings.Replace(s, `Name="DeviceType"`, `Name="DeviceType" Name="x"`, 1),
		strings.Replace(s, "<ac:Value>", "<ac:Value><x:y>", 1),
		s[:len(s)/2],
		strings.Replace(s, "<s:Body>", "<s:Body>"+strings.Repeat("<a>", DefaultMaxDepth), 1),
		"<?xml version=\"1.0\" encoding=\"x-unknown\"?>" + s,
		strings.Replace(s, "7BA748C8", strings.Repeat("7", DefaultMaxDeviceID), 1),
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				for _, b := range bad {
					var m RequestSecurityToken
					if err := Unmarshal([]byte(b), &m); err == nil {
						t.Errorf("accepted %q", b)
						return
					}
					var got RequestSecurityToken
					if err := Unmarshal(good, &got); err != nil {
						t.Errorf("after %q: %v", b, err)
						return
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("after %q: (-want +got)\n%s", b, diff)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
