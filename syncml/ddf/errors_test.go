package ddf

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"github.com/windc-go/windc/syncml"
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

// TestQuotedInputCut checks that where a message quotes the start of a
// long input (text where elements belong, a value Check refuses), the
// cut falls between characters: cut after a fixed count of bytes, it
// split an "é", which the message showed as \xc3.
func TestQuotedInputCut(t *testing.T) {
	long := "a" + strings.Repeat("é", 40)
	const hdr = `<MgmtTree><VerDTD>1.2</VerDTD>`
	_, err := Parse([]byte(hdr + long + `</MgmtTree>`))
	if !errors.Is(err, ErrStructure) || strings.Contains(err.Error(), `\x`) || !strings.Contains(err.Error(), `"a`+strings.Repeat("é", 15)+`…"`) {
		t.Errorf("Parse of text in MgmtTree: %v; want ErrStructure quoting 31 bytes, whole characters, then …", err)
	}
	tr, err := Parse([]byte(hdr + `<Node><NodeName>N</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Check(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./N"}, Meta: &syncml.Meta{Format: "int"}, Data: syncml.Text(long)}}})
	if !errors.Is(err, ErrValue) || strings.Contains(err.Error(), `\x`) || !strings.Contains(err.Error(), `"a`+strings.Repeat("é", 19)+`…"`) {
		t.Errorf("Check of a long int value: %v; want ErrValue quoting 39 bytes, whole characters, then …", err)
	}
}
