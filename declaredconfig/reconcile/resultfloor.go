package reconcile

import (
	"strings"

	"github.com/windc-go/windc/declaredconfig"
)

// resultFloor returns the fewest bytes and elements that the result of
// doc takes, as a device that reports each of its settings writes it
// (Windows and declaredconfig/agent do): the DeclaredConfigurationResult
// element, a CSP element of each of doc's, with its name, and a URI
// element of each setting with its path, a status (three digits), a
// state (at least one) and, when the setting has one, its type; no other
// attribute, no value, no white space. A path's part from its first
// bulk variable ("@#name#", which a device fills with a value of at
// least one byte) on counts as one byte, and escapes as none: the floor
// is never more than such a result takes. It allocates nothing.
func resultFloor(doc *declaredconfig.Document) (size, elems int) {
	const (
		root = len("<DeclaredConfigurationResult></DeclaredConfigurationResult>")
		csp  = len(`<CSP name=""></CSP>`)
		uri  = len(`<URI path="" status="200" state="0"/>`)
		typ  = len(` type=""`)
	)
	size, elems = root, 1
	for i := range doc.CSPs {
		c := &doc.CSPs[i]
		size += csp + len(c.Name)
		elems += 1 + len(c.Settings)
		for j := range c.Settings {
			s := &c.Settings[j]
			p := s.Path
			if k := strings.Index(p, "@#"); k >= 0 {
				p = p[:k+1]
			}
			size += uri + len(p)
			if s.Type != "" {
				size += typ + len(s.Type)
			}
		}
	}
	return size, elems
}

// resultFits checks that the result of d, as small as resultFloor makes
// it, fits Config.MaxResultBytes and MaxResultElements: a larger one
// would never be read (a Problem each time the device sends it), and the
// document would be judged by its summary alone. It returns a
// *LimitError of the bound, wrapped with ErrInvalid, naming d.
func (r *Reconciler) resultFits(d Doc) error {
	size, elems := resultFloor(d.Document)
	if max := r.maxResultBytes(); size > max {
		return errorf("Declare: document %s: its result, which reports each of its %d settings, takes at least %d bytes, over Config.MaxResultBytes (%d): it would never be read; raise MaxResultBytes, or split the document: %w: %w",
			shown(d.Document.ID), elems-1-len(d.Document.CSPs), size, max, ErrInvalid, pkg.LimitCount("MaxResultBytes", int64(max), int64(size), ""))
	}
	if max := r.maxResultElements(); elems > max {
		return errorf("Declare: document %s: its result, which reports each of its %d settings, takes at least %d elements, over Config.MaxResultElements (%d): it would never be read; raise MaxResultElements, or split the document: %w: %w",
			shown(d.Document.ID), elems-1-len(d.Document.CSPs), elems, max, ErrInvalid, pkg.LimitCount("MaxResultElements", int64(max), int64(elems), ""))
	}
	return nil
}
