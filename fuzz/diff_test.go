package fuzz

import (
	"reflect"

	"github.com/google/go-cmp/cmp"
)

// diff returns "" when x and y are equal as cmp sees them, and cmp.Diff's
// report otherwise. reflect.DeepEqual decides first, in time linear in
// the values: cmp compares each slice element twice (once for its edit
// script, once for the report), so cmp.Equal and cmp.Diff alone cost
// 2^n on a value nested n deep, such as an Atomic inside an Atomic 30
// times. cmp.Diff runs only when DeepEqual finds a difference, so cmp's
// own rules (Equal methods, nil and empty slices) still have the last
// word.
func diff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}
