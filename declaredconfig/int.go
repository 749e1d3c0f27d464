package declaredconfig

import (
	"fmt"
	"math"
	"strconv"

	"github.com/windc-go/windc/internal/xmlscan"
)

// ParseInt reads the value of a node of format int as the module reads
// one everywhere (syncml/ddf's check of a value against a DDF): a signed
// 32-bit integer, -2147483648 to 2147483647, written in decimal or with a
// 0x prefix in hexadecimal, with an optional sign and the XML spaces
// around it ignored (no other spaces: U+00A0 is not one). Leading zeros
// do not change a decimal ("030" is 30, never octal). Validate reads a
// setting of type int so, and the agent the nodes of format int it
// serves (RefreshInterval, Abandoned, ConflictResolution).
func ParseInt(s string) (int32, error) {
	n, why := parseInt(s)
	if why != "" {
		return 0, errorf("%w: %s", ErrInvalid, why)
	}
	return n, nil
}

// parseInt is ParseInt, giving why s is not an int ("" if it is).
func parseInt(s string) (int32, string) {
	t := xmlscan.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	base := 10
	if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		base, t = 16, t[2:]
	}
	// With a base given, ParseUint takes no sign, prefix or underscore.
	mag, err := strconv.ParseUint(t, base, 64)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("value %s is not an int", shown(s))
	case !neg && mag > math.MaxInt32, neg && mag > -math.MinInt32:
		return 0, fmt.Sprintf("value %s is out of the signed 32-bit range", shown(s))
	case neg:
		return int32(-int64(mag)), ""
	}
	return int32(mag), ""
}
