package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A stored part is decoded within a bound of the Config (maxStoredData):
// a state holding a text larger than the Config lets a state hold is
// ErrStoredState saying which part and which bound, whatever the part's
// own size; under a Config whose MaxObjectSize admits it, the same state
// loads. Before, a part decoded whatever its size (only the Store bounded
// it).
func TestStateBoundPart(t *testing.T) {
	big := Config{MaxObjectSize: 8 << 20}
	over := syncml.DefaultMaxTokenBytes + 1 // over the default bound of a text
	states := []struct {
		name, want string
		make       func(s *Session)
	}{
		{"queue", "queue: syncml: limit MaxTokenBytes", func(s *Session) {
			// escapes fivefold: over escapeFactor times the bound as SyncML
			if err := s.Queue(limitReplace("./Q", '&', 5<<20)); err != nil {
				t.Fatal(err)
			}
		}},
		{"partial object", "partial object of 4194305 bytes, over the 4194304", func(s *Session) {
			s.st.LO = &largeObject{Cmd: limitReplace("./LO", 'x', 1), URI: "./LO", Size: over + 10, Data: []byte(strings.Repeat("x", over))}
		}},
		{"package rest (format 8)", "text of 4194305 bytes, over the 4194304", func(s *Session) {
			c := limitReplace("./C", 'x', over)
			c.Items[0].MoreData = true
			s.st.Cont = []syncml.Command{c, limitReplace("./C", 'x', 1)}
		}},
		{"package rest (earlier format)", "package rest: syncml: limit MaxTokenBytes", func(s *Session) {
			s.st.Cont = []syncml.Command{limitReplace("./C", '&', 5<<20)}
		}},
	}
	for _, tc := range states {
		s := NewSession(&big)
		tc.make(s)
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := NewSession(&big).UnmarshalBinary(b); err != nil {
			t.Errorf("%s: state of %d bytes under MaxObjectSize 8 MiB: %v", tc.name, len(b), err)
		}
		err = NewSession(nil).UnmarshalBinary(b)
		if !errors.Is(err, ErrStoredState) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: state of %d bytes under the default Config: %v, want ErrStoredState saying %q", tc.name, len(b), err, tc.want)
		}
	}
}
