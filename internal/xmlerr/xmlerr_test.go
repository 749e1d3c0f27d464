package xmlerr

import (
	"errors"
	"io"
	"testing"
)

func TestKindsOfSyntax(t *testing.T) {
	for _, k := range []error{ErrDOCTYPE, ErrEntity, ErrNamespace, ErrDuplicateAttr, ErrInvalidChar, ErrEncoding} {
		if !errors.Is(k, ErrSyntax) {
			t.Errorf("%v does not match ErrSyntax", k)
		}
		if errors.Is(k, ErrStructure) || errors.Is(k, ErrLimit) {
			t.Errorf("%v matches ErrStructure or ErrLimit", k)
		}
	}
	if errors.Is(ErrStructure, ErrSyntax) || errors.Is(ErrNamespace, ErrEncoding) {
		t.Error("unrelated sentinels match")
	}
}

func TestMessages(t *testing.T) {
	const p = Pkg("pkg")
	tests := []struct {
		err  error
		want string
	}{
		{p.Decode(7, 2, 3, "/a/b", ErrNamespace), "pkg: line 2, column 3 (offset 7) in /a/b: namespace not well-formed"},
		{p.Decode(0, 1, 1, "", ErrSyntax), "pkg: line 1, column 1 (offset 0): not well-formed"},
		{p.Decode(0, 1, 1, "", nil), "pkg: line 1, column 1 (offset 0): not well-formed"},
		{p.Decode(0, 1, 1, "", errors.New("pkg: own cause")), "pkg: line 1, column 1 (offset 0): own cause"},
		{p.Limit("MaxDepth", 3, 10, "/a"), "pkg: limit MaxDepth (3) exceeded at offset 10 in /a"},
		{p.Limit("MaxBytes", 3, 3, ""), "pkg: limit MaxBytes (3) exceeded at offset 3"},
		{p.LimitCount("MaxQueue", 100, 105, ""), "pkg: limit MaxQueue (100) exceeded: 105"},
		{p.LimitCount("MaxSettings", 2, 3, "./Vendor/X"), "pkg: limit MaxSettings (2) exceeded: 3 in ./Vendor/X"},
		{&DecodeError{Line: 1, Column: 1, Err: ErrSyntax}, "line 1, column 1 (offset 0): not well-formed"},
		{p.Errorf("context: %w", p.Errorf("inner %d", 1)), "pkg: context: inner 1"},
		{p.Errorf("at %v: %w", p.Limit("MaxAttrs", 1, 2, ""), io.EOF), "pkg: at limit MaxAttrs (1) exceeded at offset 2: EOF"},
		{p.Errorf("other: %w", Pkg("q").Errorf("x")), "pkg: other: q: x"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	// Errorf keeps the chain of what it strips
	inner := p.Limit("MaxAttrs", 1, 2, "")
	err := p.Errorf("wrapped: %w", inner)
	var le *LimitError
	if !errors.As(err, &le) || le != inner || !errors.Is(err, ErrLimit) {
		t.Errorf("chain lost: %v", err)
	}
	if !errors.Is(p.Decode(0, 1, 1, "", ErrEntity), ErrSyntax) {
		t.Error("DecodeError does not unwrap to its cause")
	}
}
