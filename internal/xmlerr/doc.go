// Package xmlerr is the module's one vocabulary for refused input: the
// sentinel causes, the decode error and the limit error that every decoder
// of the module returns (syncml, syncml/ddf, declaredconfig, discovery and
// the packages still to come). Each package exposes them under its own
// name with type aliases and re-exported variables (syncml.DecodeError is
// an xmlerr.DecodeError, syncml.ErrSyntax is xmlerr.ErrSyntax), so that
// errors.Is and errors.As work the same across packages, and so that a
// package may use them without importing another public package.
//
// A package makes its errors through its Pkg (const pkg = xmlerr.Pkg("syncml")),
// which puts the package name at the start of each message, once.
package xmlerr
