package syncmltest

import (
	"errors"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// CmdIDsAgree checks m.ValidateCmdIDs against m.Validate: it returns ""
// when ValidateCmdIDs reports the first CmdID violation ("cmdid-…") that
// Validate lists, with the same Path, Rule and CmdID, or nil when Validate
// lists none, and a description of the difference otherwise. A list
// Validate cut short ("truncated") before any CmdID violation is not
// compared.
func CmdIDsAgree(m *syncml.Message) string {
	var want *syncml.Violation
	var ve *syncml.ValidationError
	if errors.As(m.Validate(), &ve) {
		for i, v := range ve.Violations {
			if strings.HasPrefix(v.Rule, "cmdid-") {
				want = &ve.Violations[i]
				break
			}
			if v.Rule == "truncated" {
				return "" // the rest is not checked
			}
		}
	}
	err := m.ValidateCmdIDs()
	switch {
	case want == nil && err == nil:
		return ""
	case want == nil:
		return "ValidateCmdIDs: " + err.Error() + "; Validate lists no CmdID violation"
	case !errors.As(err, &ve):
		return "ValidateCmdIDs: nil; Validate lists " + want.String()
	}
	if got := ve.Violations[0]; got.Path != want.Path || got.Rule != want.Rule || got.CmdID != want.CmdID {
		return "ValidateCmdIDs: " + got.String() + "; Validate's first: " + want.String()
	}
	return ""
}
