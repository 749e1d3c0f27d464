package syncml_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestLocURIErrorBounded: ParseLocURI's error for a URI of a megabyte
// shows a bounded part of it (it quoted the megabyte whole).
func TestLocURIErrorBounded(t *testing.T) {
	big := strings.Repeat("a", 1<<20)
	for _, u := range []string{"./Device/" + big + "/%FF", "./" + big + "/../x", big + "\x01"} {
		_, err := syncml.ParseLocURI(u)
		if !errors.Is(err, syncml.ErrLocURI) {
			t.Fatalf("ParseLocURI(%.30q…) = %v, want ErrLocURI", u, err)
		}
		if n := len(err.Error()); n > 1024 {
			t.Errorf("ParseLocURI(%.30q…): message of %d bytes", u, n)
		}
	}
}
