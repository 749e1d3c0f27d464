package xmlerr

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestMessagesLongPath: a path longer than maxShownPath shows its head and
// tail around the count of bytes left out, cut at characters; the field
// keeps the whole path.
func TestMessagesLongPath(t *testing.T) {
	const p = Pkg("pkg")
	member := "/" + strings.Repeat("é", 20000) // a JSON member name of 40 KB
	deep := strings.Repeat("/a", 300) + "/last"
	for _, tc := range []struct {
		name string
		err  error
		path string
	}{
		{"decode", p.Decode(7, 1, 8, member, ErrSyntax), member},
		{"limit", p.Limit("MaxDepth", 300, 9, deep), deep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.err.Error()
			if len(msg) > maxShownPath+150 {
				t.Errorf("message of %d bytes for a path of %d", len(msg), len(tc.path))
			}
			if !utf8.ValidString(msg) {
				t.Errorf("message cut inside a character: %q", msg)
			}
			head, tail, ok := strings.Cut(msg[strings.Index(msg, " in ")+4:], "…(")
			if !ok || !strings.HasPrefix(tc.path, head) || len(head) == 0 {
				t.Fatalf("head of the path not shown: %q", msg)
			}
			n, rest, ok := strings.Cut(tail, " bytes)…")
			if !ok {
				t.Fatalf("no count of bytes left out: %q", msg)
			}
			rest, _, _ = strings.Cut(rest, ": ")
			if !strings.HasSuffix(tc.path, rest) || len(rest) == 0 {
				t.Errorf("tail of the path not shown: %q", msg)
			}
			if want := strconv.Itoa(len(tc.path) - len(head) - len(rest)); n != want {
				t.Errorf("count %s, want %s", n, want)
			}
			var de *DecodeError
			var le *LimitError
			if (errors.As(tc.err, &de) && de.Path != tc.path) || (errors.As(tc.err, &le) && le.Path != tc.path) {
				t.Error("the field lost its whole path")
			}
		})
	}
	// a path within the bound is shown whole
	if got := p.Decode(0, 1, 1, deep[:maxShownPath], nil).Error(); !strings.Contains(got, deep[:maxShownPath]+":") {
		t.Errorf("path of %d bytes not whole: %q", maxShownPath, got)
	}
}
