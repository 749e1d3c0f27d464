package ddf

import (
	"errors"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
)

// TestErrorPrefixOnce: every parse error starts with "ddf: " once; an
// unsupported encoding is a ParseError at the start of the input.
func TestErrorPrefixOnce(t *testing.T) {
	inputs := map[string]string{
		"syntax":    `<MgmtTree><`,
		"encoding":  `<?xml version="1.0" encoding="ISO-8859-1"?><MgmtTree/>`,
		"structure": `<Other/>`,
		"in a node": `<MgmtTree><Node><NodeName>a</NodeName><DFProperties><AccessType><Bogus/></AccessType></DFProperties></Node></MgmtTree>`,
		"size":      `<MgmtTree/>` + string(make([]byte, 100)),
	}
	for name, in := range inputs {
		_, err := ParseLimits([]byte(in), Limits{MaxBytes: 50})
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errtest.PrefixOnce(err.Error(), "ddf: ") {
			t.Errorf("%s: %q does not start with %q once", name, err, "ddf: ")
		}
		var pe *ParseError
		var le *LimitError
		if !errors.As(err, &pe) && !errors.As(err, &le) {
			t.Errorf("%s: %T", name, err)
		}
	}
}
