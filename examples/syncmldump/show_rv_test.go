package main

import "testing"

// TestShowEmptyDistinct (review): 8ddf921 shows an empty value as "" so
// that it is seen, but a value that is the two characters "" is printable
// and shown as it is: the same text. A peer's value can so pass for an
// empty one (or an empty one for it), which show's doc means to prevent
// for values that could forge the lines.
func TestShowEmptyDistinct(t *testing.T) {
	if a, b := show(""), show(`""`); a == b {
		t.Errorf("show(\"\") and show(`\"\"`) are both %s", a)
	}
}
