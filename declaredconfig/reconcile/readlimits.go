package reconcile

import (
	"errors"

	"github.com/windc-go/windc/declaredconfig"
)

// readLimits returns the declaredconfig.Limits under which the reconciler
// reads a text a device sends that its Config bounds to n bytes and
// elements elements (a summary, a result): at most n bytes and that many
// elements, and as long a token (a setting's value, say) as n bytes can
// hold, never shorter than declaredconfig's default. A bound raised in
// Config is so not undone by the default limits of the reading behind it,
// and every reading of such a text takes its limits from here. The
// elements are a bound of their own: each takes some tens of times the
// bytes of a small one ("<a/>") in memory while the text is read, so they
// do not grow with n; the attributes in all follow them
// (declaredconfig.Limits.MaxTotalAttrs: 8 per element).
func readLimits(n, elements int) declaredconfig.Limits {
	return declaredconfig.Limits{
		MaxBytes:      int64(n),
		MaxElements:   elements,
		MaxTokenBytes: max(n, declaredconfig.DefaultMaxTokenBytes),
	}
}

// configLimit returns err with a *LimitError of lim's MaxElements made
// one of the Config field name (MaxResultElements), which is what a
// caller sets; err as it is otherwise.
func configLimit(err error, lim declaredconfig.Limits, name string) error {
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxElements" || le.Max != int64(lim.MaxElements) {
		return err
	}
	return pkg.Limit(name, le.Max, le.Offset, le.Path)
}
