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

// shapeLimits sets the depth, attributes per element and namespaces of
// lim to those a Config sets (depth, elementAttrs, namespaces), each
// declaredconfig's default when zero.
func shapeLimits(lim *declaredconfig.Limits, depth, elementAttrs, namespaces int) {
	lim.MaxDepth = orDefault(depth, declaredconfig.DefaultMaxDepth)
	lim.MaxAttrs = orDefault(elementAttrs, declaredconfig.DefaultMaxAttrs)
	lim.MaxNamespaces = orDefault(namespaces, declaredconfig.DefaultMaxNamespaces)
}

// limitNames name the Config fields that set the limits of one reading
// (see configLimit): those of its elements and attributes in all, and
// of its depth, attributes per element and namespaces.
type limitNames struct {
	elements, attrs, depth, elementAttrs, namespaces string
}

// The Config fields of the limits of a result and of a summary.
var (
	resultLimitNames  = limitNames{"MaxResultElements", "MaxResultAttrs", "MaxResultDepth", "MaxResultElementAttrs", "MaxResultNamespaces"}
	summaryLimitNames = limitNames{"MaxSummaryElements", "MaxSummaryAttrs", "MaxSummaryDepth", "MaxSummaryElementAttrs", "MaxSummaryNamespaces"}
)

// configLimit returns err with a *LimitError of one of lim's limits that
// a Config field sets, of those names names, made one of that field,
// which is what a caller sets; err as it is otherwise.
func configLimit(err error, lim declaredconfig.Limits, names limitNames) error {
	if err == nil {
		return nil // without the allocation of le, which errors.As makes escape
	}
	var le *LimitError
	if !errors.As(err, &le) {
		return err
	}
	name := ""
	switch {
	case le.Limit == "MaxElements" && le.Max == int64(lim.MaxElements):
		name = names.elements
	case le.Limit == "MaxTotalAttrs" && le.Max == int64(lim.MaxTotalAttrs):
		name = names.attrs
	case le.Limit == "MaxDepth" && le.Max == int64(lim.MaxDepth):
		name = names.depth
	case le.Limit == "MaxAttrs" && le.Max == int64(lim.MaxAttrs):
		name = names.elementAttrs
	case le.Limit == "MaxNamespaces" && le.Max == int64(lim.MaxNamespaces):
		name = names.namespaces
	}
	if name == "" {
		return err
	}
	return pkg.Limit(name, le.Max, le.Offset, le.Path)
}
