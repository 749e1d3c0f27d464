package declaredconfig

// An Attr is one XML attribute that a type does not model as a field, kept
// so that it is written back. Name is the qualified name as written, such as
// "version" or "xmlns:x".
//
// A modeled attribute that was present with an empty value is kept here too,
// since an empty field means "absent"; writing an Attr with the name of a
// modeled attribute is allowed only with an empty value and an empty field.
type Attr struct {
	Name  string
	Value string
}

// splitAttrs assigns each attribute named in names (with a non-empty value)
// to the matching field and returns the others in document order, or nil.
func splitAttrs(attrs []Attr, names []string, fields ...*string) []Attr {
	var rest []Attr
next:
	for _, a := range attrs {
		if a.Value != "" {
			for i, n := range names {
				if a.Name == n {
					*fields[i] = a.Value
					continue next
				}
			}
		}
		rest = append(rest, a)
	}
	return rest
}
