package ddf

import (
	"strings"
	"testing"
)

// TestParseDeclarationBounded: an XML declaration whose version,
// encoding name or standalone value is a megabyte is refused with a
// message that quotes a bounded part of it (the lexer quoted it whole:
// a 1 MB message).
func TestParseDeclarationBounded(t *testing.T) {
	big := strings.Repeat("a", 1<<20)
	for _, decl := range []string{
		`<?xml version="1.` + big + `!"?>`,
		`<?xml version="1.0" encoding="` + big + `!"?>`,
		`<?xml version="1.0" standalone="` + big + `"?>`,
	} {
		_, err := Parse([]byte(decl + `<MgmtTree/>`))
		if err == nil {
			t.Fatalf("Parse(%.40q…) took a malformed declaration", decl)
		}
		if n := len(err.Error()); n > 1024 {
			t.Errorf("Parse(%.40q…): message of %d bytes", decl, n)
		}
	}
}
