package dmclient

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
)

// ReadStatus returns nil when st reports success (2xx) and a *DeviceError
// otherwise, carrying msft:originalerror and its HRESULT when the device
// sent one. A Status whose code does not read is an error wrapping
// ErrBadValue; a nil st, ErrNoStatus.
func ReadStatus(st *syncml.Status) error {
	if st == nil {
		return ErrNoStatus
	}
	code, err := st.Code()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadValue, err)
	}
	if code.Success() {
		return nil
	}
	e := &DeviceError{Cmd: st.Cmd, CmdRef: st.CmdRef, Code: code}
	if st.Data != nil && st.Data.OriginalError != "" {
		e.OriginalError = st.Data.OriginalError
		if h, err := ParseHRESULT(st.Data.OriginalError); err == nil {
			e.HRESULT = h
		}
	}
	return e
}

// ReadEnrollStatus returns the EnrollStatus value in r, from the
// EnrollStatus node of any provider. A server that manages devices with
// more than one provider should use LinkedEnrollment.ReadEnrollStatus,
// which refuses another provider's value (ErrOtherProvider).
func ReadEnrollStatus(r *syncml.Results) (EnrollStatus, error) {
	v, err := value(r, "EnrollStatus")
	if err != nil {
		return 0, err
	}
	return ParseEnrollStatus(v)
}

// ReadLastError returns the LastError value in r, from the LastError node
// of any provider (LinkedEnrollment.ReadLastError checks the provider);
// SOK when the last operation did not fail. LastError is an int node, so
// Windows writes the HRESULT in signed decimal ("-2147024894");
// ParseHRESULT tells the forms read, and the ambiguous one refused
// ("80070002").
func ReadLastError(r *syncml.Results) (HRESULT, error) {
	v, err := value(r, "LastError")
	if err != nil {
		return 0, err
	}
	return ParseHRESULT(v)
}

// ReadDiscoveryEndpoint returns the DiscoveryEndpoint value in r, of any
// provider (LinkedEnrollment.ReadDiscoveryEndpoint checks the provider);
// "" when it is not set.
func ReadDiscoveryEndpoint(r *syncml.Results) (string, error) {
	return value(r, "DiscoveryEndpoint")
}

// ReadPriority returns the Priority value in r, of any provider
// (LinkedEnrollment.ReadPriority checks the provider).
func ReadPriority(r *syncml.Results) (int, error) {
	return parsePriority(value(r, "Priority"))
}

// parsePriority reads a Priority value v found with err.
func parsePriority(v string, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(trimSpace(v), 10, 32)
	if err != nil {
		return 0, badValue("Priority", v)
	}
	return int(n), nil
}

// value finds the item of r whose Source names the LinkedEnrollment node
// leaf (under some provider) and returns its data. An item without Source
// counts when it is the only one. Several such items are read as one
// when their data are the same but for XML spaces around them (which the
// readers ignore), and are an error wrapping ErrConflict when not, be
// they of one provider or of several.
func value(r *syncml.Results, leaf string) (string, error) {
	if r == nil {
		return "", fmt.Errorf("%w: nil Results", ErrNoResult)
	}
	if len(r.Items) == 1 && r.Items[0].Source == nil {
		return dataOf(r.Items[0]), nil
	}
	var m match
	for _, it := range r.Items {
		if it.Source == nil {
			continue
		}
		if p, ok := nodeProvider(it.Source.LocURI, leaf); ok {
			if err := m.add(r, leaf, p, dataOf(it)); err != nil {
				return "", err
			}
		}
	}
	if !m.found {
		return "", fmt.Errorf("%w: LinkedEnrollment/%s in Results %q", ErrNoResult, leaf, r.CmdRef)
	}
	return m.v, nil
}

// A match is the value found so far for a node in a Results.
type match struct {
	found bool
	p, v  string // ProviderID and data of the first item
}

// add takes the data v of another item naming the node leaf, of provider
// p: an error wrapping ErrConflict when v differs from the data taken,
// XML spaces around either aside.
func (m *match) add(r *syncml.Results, leaf, p, v string) error {
	if !m.found {
		m.found, m.p, m.v = true, p, v
		return nil
	}
	if trimSpace(v) == trimSpace(m.v) {
		return nil
	}
	if p == m.p {
		return fmt.Errorf("%w: LinkedEnrollment/%s of provider %q in Results %q is both %s and %s",
			ErrConflict, leaf, p, r.CmdRef, quoteCut(m.v), quoteCut(v))
	}
	return fmt.Errorf("%w: LinkedEnrollment/%s in Results %q is %s of provider %q and %s of provider %q",
		ErrConflict, leaf, r.CmdRef, quoteCut(m.v), m.p, quoteCut(v), p)
}

// dataOf returns the text of it.Data, "" when it has none.
func dataOf(it syncml.Item) string {
	if it.Data == nil {
		return ""
	}
	return it.Data.Value
}

// nodeProvider reports whether uri names the node
// Vendor/MSFT/DMClient/Provider/{ProviderID}/LinkedEnrollment/{leaf} of
// some provider, in any scope, and returns that ProviderID, unescaped.
// The LocURI is read with syncml.ParseLocURI, so "./Device/…",
// "./device/…", "Device/…" and "./Vendor/…" name the same node and
// escapes are decoded once; the fixed node names match without regard to
// case, as devices report them either way.
func nodeProvider(uri, leaf string) (string, bool) {
	l, err := syncml.ParseLocURI(uri)
	if err != nil {
		return "", false
	}
	want := [...]string{"Vendor", "MSFT", "DMClient", "Provider", "", "LinkedEnrollment", leaf}
	if len(l.Segments) != len(want) {
		return "", false
	}
	for i, w := range want {
		if w != "" && !strings.EqualFold(l.Segments[i], w) {
			return "", false
		}
	}
	return l.Segments[4], true
}

// badValue is the ErrBadValue error for the value v of a node, quoting
// at most 40 bytes of it, cut at a character's start as DeviceError cuts.
func badValue(what, v string) error {
	return fmt.Errorf("%w: %s %s", ErrBadValue, what, quoteCut(v))
}

// quoteCut quotes at most 40 bytes of v, cut at a character's start.
func quoteCut(v string) string {
	if len(v) > 40 {
		v = utf8cut.Prefix(v, 40) + "…"
	}
	return strconv.Quote(v)
}

func trimSpace(s string) string { return strings.Trim(s, " \t\r\n") }
