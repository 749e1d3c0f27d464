// Package errtest holds test helpers that check a package keeps to the
// error vocabulary of internal/xmlerr.
package errtest
