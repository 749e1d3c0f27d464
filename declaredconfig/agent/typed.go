package agent

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
)

// typedValue returns the form of value, a setting's of type typ, that
// the agent sets, hashes and compares: what a Windows node of that
// format reads back. An int (as declaredconfig.ParseInt reads it: "030",
// "0x1E", " 30 ") is its decimal ("30"); a bool ("True", "FALSE", as
// Validate takes one) is "true" or "false". Any other value, and one that
// does not read as its type (a filled placeholder, for one), is as
// written.
func typedValue(typ, value string) string {
	switch {
	case strings.EqualFold(typ, "int"):
		if n, err := declaredconfig.ParseInt(value); err == nil {
			if s := strconv.FormatInt(int64(n), 10); s != value {
				return s
			}
		}
	case strings.EqualFold(typ, "bool"):
		if value != "true" && strings.EqualFold(value, "true") {
			return "true"
		}
		if value != "false" && strings.EqualFold(value, "false") {
			return "false"
		}
	}
	return value
}
