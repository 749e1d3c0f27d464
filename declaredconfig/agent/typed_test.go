package agent

import "testing"

// TestTypedValue: the form the agent sets of a typed value: an int as
// declaredconfig.ParseInt reads it, in decimal; a bool, any case, as true
// or false; a value that does not read as its type (a filled
// placeholder), and any other type, as written.
func TestTypedValue(t *testing.T) {
	for _, tc := range []struct{ typ, in, want string }{
		{"int", "030", "30"},
		{"int", "0x1E", "30"},
		{"INT", " +30\n", "30"},
		{"int", "-0", "0"},
		{"int", "-2147483648", "-2147483648"},
		{"int", "30", "30"},
		{"int", "2147483648", "2147483648"},
		{"int", "abc", "abc"},
		{"int", "\u00a030", "\u00a030"},
		{"int", "", ""},
		{"bool", "True", "true"},
		{"Bool", "FALSE", "false"},
		{"bool", "true", "true"},
		{"bool", " true", " true"},
		{"bool", "1", "1"},
		{"chr", "030", "030"},
		{"chr", "True", "True"},
		{"", "030", "030"},
	} {
		if got := typedValue(tc.typ, tc.in); got != tc.want {
			t.Errorf("typedValue(%q, %q) = %q, want %q", tc.typ, tc.in, got, tc.want)
		}
	}
}
