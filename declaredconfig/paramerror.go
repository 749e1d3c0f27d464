package declaredconfig

import "github.com/windc-go/windc/internal/utf8cut"

// A ParamError reports a parameter (a Key or Value element) of a DSC
// element that Validate refuses: one without a name, a name given twice
// in its DSC element, or a Value carrying text or markup in an inventory
// (which reads the parameter and has no use for one). It is the DSC
// elements' counterpart of SettingError. It matches ErrInvalid and
// unwraps to the cause.
type ParamError struct {
	Namespace string // the namespace of the parameter's DSC element
	ClassName string // the className of the parameter's DSC element
	Name      string // the parameter's name
	Err       error  // why the document may not hold it
}

// Error names the parameter and its class and says why, each part
// bounded.
func (e *ParamError) Error() string {
	why := "refused"
	if e.Err != nil {
		why = utf8cut.Middle(e.Err.Error(), maxShownCause)
	}
	return pkg.Prefix() + "invalid: DSC " + shown(e.ClassName) + " parameter " + shown(e.Name) + ": " + why
}

// Unwrap returns the cause.
func (e *ParamError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalid.
func (e *ParamError) Is(target error) bool { return target == ErrInvalid }
