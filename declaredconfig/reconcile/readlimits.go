package reconcile

import "github.com/windc-go/windc/declaredconfig"

// readLimits returns the declaredconfig.Limits under which the reconciler
// reads a text a device sends that its Config bounds to n bytes (a
// summary, a result): at most n bytes, and as many elements and as long a
// token (a setting's value, say) as n bytes can hold (an element takes at
// least 4: "<a/>"), never fewer than declaredconfig's defaults. A bound
// raised in Config is so not undone by the default limits of the reading
// behind it, and every reading of such a text takes its limits from here.
func readLimits(n int) declaredconfig.Limits {
	return declaredconfig.Limits{
		MaxBytes:      int64(n),
		MaxElements:   max(n/4, declaredconfig.DefaultMaxElements),
		MaxTokenBytes: max(n, declaredconfig.DefaultMaxTokenBytes),
	}
}
