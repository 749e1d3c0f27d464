package dmclient

import (
	"fmt"

	"github.com/windc-go/windc/syncml"
)

// The readers below are those of read.go for one provider: they take a
// value only from an item whose Source names l's own node, so a server
// managing a device with several providers cannot read another
// provider's EnrollStatus as its own. The ProviderID in the Source is
// compared, once unescaped, exactly with l.ProviderID (letter case
// counts); the rest of the LocURI is read as the package functions read
// it. An item of another provider gives an error wrapping
// ErrOtherProvider; an item without Source, whose provider cannot be
// known, is not taken (ErrNoResult). Several items of l's node are read
// as one when their data are the same, and are an error wrapping
// ErrConflict when not.

// ReadEnrollStatus returns the EnrollStatus value of l's provider in r.
// A value from another provider's EnrollStatus is an error wrapping
// ErrOtherProvider; an item without Source, ErrNoResult; a ProviderID that
// Validate refuses, its error.
func (l LinkedEnrollment) ReadEnrollStatus(r *syncml.Results) (EnrollStatus, error) {
	v, err := l.value(r, "EnrollStatus")
	if err != nil {
		return 0, err
	}
	return ParseEnrollStatus(v)
}

// ReadLastError returns the LastError value of l's provider in r; SOK
// when the last operation did not fail. See the function ReadLastError
// for the forms read.
func (l LinkedEnrollment) ReadLastError(r *syncml.Results) (HRESULT, error) {
	v, err := l.value(r, "LastError")
	if err != nil {
		return 0, err
	}
	return ParseHRESULT(v)
}

// ReadDiscoveryEndpoint returns the DiscoveryEndpoint value of l's
// provider in r; "" when it is not set.
func (l LinkedEnrollment) ReadDiscoveryEndpoint(r *syncml.Results) (string, error) {
	return l.value(r, "DiscoveryEndpoint")
}

// ReadPriority returns the Priority value of l's provider in r.
func (l LinkedEnrollment) ReadPriority(r *syncml.Results) (int, error) {
	return parsePriority(l.value(r, "Priority"))
}

// value finds the item of r whose Source names l's node leaf and returns
// its data.
func (l LinkedEnrollment) value(r *syncml.Results, leaf string) (string, error) {
	if r == nil {
		return "", fmt.Errorf("%w: nil Results", ErrNoResult)
	}
	other, found := "", false
	var m match
	for _, it := range r.Items {
		if it.Source == nil {
			continue
		}
		p, ok := nodeProvider(it.Source.LocURI, leaf)
		switch {
		case ok && p == l.ProviderID:
			if err := m.add(r, leaf, p, dataOf(it)); err != nil {
				return "", err
			}
		case ok && !found:
			other, found = p, true
		}
	}
	if m.found {
		return m.v, nil
	}
	// nothing of l's: say why
	if err := l.Validate(); err != nil {
		return "", err // no Source can name l's node
	}
	if found {
		return "", fmt.Errorf("%w: LinkedEnrollment/%s of provider %q in Results %q, not of %q", ErrOtherProvider, leaf, other, r.CmdRef, l.ProviderID)
	}
	if len(r.Items) == 1 && r.Items[0].Source == nil {
		return "", fmt.Errorf("%w: LinkedEnrollment/%s of %q in Results %q: its item has no Source to name the provider", ErrNoResult, leaf, l.ProviderID, r.CmdRef)
	}
	return "", fmt.Errorf("%w: LinkedEnrollment/%s of %q in Results %q", ErrNoResult, leaf, l.ProviderID, r.CmdRef)
}
