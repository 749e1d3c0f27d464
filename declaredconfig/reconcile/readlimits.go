package reconcile

import (
	"errors"

	"github.com/windc-go/windc/declaredconfig"
)

// readLimits returns the declaredconfig.Limits under which the reconciler
// reads a text a device sends that its Config bounds to n bytes, elements
// elements and attrs attributes in all (a summary, a result): at most
// those, and as long a token (a setting's value, say) as n bytes can
// hold, never shorter than declaredconfig's default. A bound raised in
// Config is so not undone by the default limits of the reading behind it,
// and every reading of such a text takes its limits from here. The
// elements and the attributes are bounds of their own: each takes some
// tens of bytes (an element some 250) in memory while the text is read,
// whatever its size, so they do not grow with n.
func readLimits(n, elements, attrs int) declaredconfig.Limits {
	return declaredconfig.Limits{
		MaxBytes:      int64(n),
		MaxElements:   elements,
		MaxTotalAttrs: attrs,
		MaxTokenBytes: max(n, declaredconfig.DefaultMaxTokenBytes),
	}
}

// configLimit returns err with a *LimitError of lim's MaxElements or
// MaxTotalAttrs made one of the Config field that set it, of those named
// (MaxResultElements, MaxResultAttrs), which is what a caller sets; err
// as it is otherwise.
func configLimit(err error, lim declaredconfig.Limits, elements, attrs string) error {
	if err == nil {
		return nil // without the allocation of le, which errors.As makes escape
	}
	var le *LimitError
	if !errors.As(err, &le) {
		return err
	}
	switch {
	case le.Limit == "MaxElements" && le.Max == int64(lim.MaxElements):
		return pkg.Limit(elements, le.Max, le.Offset, le.Path)
	case le.Limit == "MaxTotalAttrs" && le.Max == int64(lim.MaxTotalAttrs):
		return pkg.Limit(attrs, le.Max, le.Offset, le.Path)
	}
	return err
}
