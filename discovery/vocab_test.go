package discovery

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
)

// TestDecodeErrorPrefixOnce: decode and limit errors start with
// "discovery: " once, also when the cause is one of the package's own
// sentinels (whose text carries the prefix).
func TestDecodeErrorPrefixOnce(t *testing.T) {
	var r Request
	errs := []error{
		json.Unmarshal([]byte(`{"UPN":"a"}`), &r),
		json.Unmarshal([]byte(`{"upn":1}`), &r),
	}
	// encoding/json checks the syntax before UnmarshalJSON sees the body
	for _, in := range []string{`{`, `{} x`, `{"upn":"abcdef"}`} {
		_, err := ReadRequest(strings.NewReader(in), 4)
		errs = append(errs, err)
	}
	for _, err := range errs {
		if err == nil || !errtest.PrefixOnce(err.Error(), "discovery: ") {
			t.Errorf("%v: want %q once at the start", err, "discovery: ")
		}
	}
	var le *LimitError
	if !errors.As(errs[len(errs)-1], &le) || le.Limit != "MaxBytes" || le.Max != 4 || le.Offset != 4 {
		t.Errorf("%v: want a LimitError on MaxBytes (4) at offset 4", errs[len(errs)-1])
	}
}
