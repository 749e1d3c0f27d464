package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestQueueObjectOverMaxObjectSize: Queue refuses at once an Item whose
// data exceeds Config.MaxObjectSize, or DefaultMaxObjectSize when that is
// larger, at any depth: a LimitError naming MaxObjectSize, and the
// command in the message. The queue is unchanged. Before, Queue took it:
// a device without MaxObjSize got it whole, and the state kept it.
func TestQueueObjectOverMaxObjectSize(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		max int
	}{{Config{}, DefaultMaxObjectSize}, {Config{MaxObjectSize: 1 << 10}, DefaultMaxObjectSize}, {Config{MaxObjectSize: 6 << 20}, 6 << 20}} {
		s := NewSession(&tc.cfg)
		if err := s.Queue(limitReplace("./Vendor/A", 'x', tc.max)); err != nil {
			t.Fatalf("Queue of %d bytes: %v", tc.max, err)
		}
		big := limitReplace("./Vendor/B", 'x', tc.max+1)
		grp := &syncml.Sequence{Commands: []syncml.Command{limitReplace("./Vendor/C", 'x', 1)}}
		for _, cmds := range [][]syncml.Command{{big}, {grp, &syncml.Atomic{Commands: []syncml.Command{big}}}} {
			err := s.Queue(cmds...)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxObjectSize" || le.Max != int64(tc.max) || !strings.Contains(err.Error(), "Replace") {
				t.Errorf("MaxObjectSize %d: Queue of %d bytes: %v; want a LimitError of MaxObjectSize naming the Replace", tc.max, tc.max+1, err)
			}
			if s.Queued() != 1 {
				t.Errorf("MaxObjectSize %d: %d queued after the refusal, want 1", tc.max, s.Queued())
			}
		}
	}
}
