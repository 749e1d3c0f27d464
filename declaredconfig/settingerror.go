package declaredconfig

import "github.com/windc-go/windc/internal/utf8cut"

// A SettingError reports a setting of a CSP element that Validate
// refuses: one whose node the document may not set (see SettingNode), a
// path given twice in its CSP, a type or value that does not agree with
// the DDF format, or a value in an inventory (which reads the node and
// has no use for one). It matches ErrInvalid, and unwraps to the cause:
// for a node that does not read as a LocURI, the error of
// syncml.ParseLocURI (which matches syncml.ErrLocURI).
type SettingError struct {
	CSP  string // the name of the setting's CSP element
	Path string // the setting's path
	Node string // the node's LocURI, as SettingNode joins it
	Err  error  // why the document may not set it
}

// Error names the setting and says why, each part bounded.
func (e *SettingError) Error() string {
	why := "refused"
	if e.Err != nil {
		why = utf8cut.Middle(e.Err.Error(), maxShownCause)
	}
	return pkg.Prefix() + "invalid: CSP " + shown(e.CSP) + " path " + shown(e.Path) + ": " + why
}

// Unwrap returns the cause.
func (e *SettingError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalid.
func (e *SettingError) Is(target error) bool { return target == ErrInvalid }
