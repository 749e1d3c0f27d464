package declaredconfig

import (
	"fmt"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// CheckSettingNode reports why node, the node a setting of a document
// sets (its CSP's name joined with its path, as syncml.ParseLocURI reads
// it), is not one a document may set; nil if it may. It is the rule
// Validate applies to each setting of a CSP, for a device to apply to a
// node it makes otherwise (a bulk template's path once its instance data
// is filled in). Two kinds of node are refused, with an error matching
// ErrInvalid:
//
//   - a node name holding a "?" (written or percent-encoded): in OMA-DM
//     what follows it asks for a property of the node (?prop=ACL, its
//     access rights) or a listing, so the URI does not name a node;
//   - a node of the DeclaredConfiguration CSP itself (./Vendor/MSFT/
//     DeclaredConfiguration, any letter case, in either scope): that CSP
//     holds the documents and the refresh settings, which a document
//     could otherwise abandon, delete or change at each refresh.
func CheckSettingNode(node syncml.LocURI) error {
	if why := badSettingNode(node); why != "" {
		return errorf("%w: %s", ErrInvalid, why)
	}
	return nil
}

// badSettingNode returns why CheckSettingNode refuses node, or "".
func badSettingNode(node syncml.LocURI) string {
	for _, seg := range node.Segments {
		if strings.Contains(seg, "?") {
			return fmt.Sprintf("the node name %q holds a \"?\", which starts a property or listing query, not a node", seg)
		}
	}
	if s := node.Segments; len(s) >= 3 && strings.EqualFold(s[0], "Vendor") && strings.EqualFold(s[1], "MSFT") &&
		strings.EqualFold(s[2], "DeclaredConfiguration") {
		return "the node is in the DeclaredConfiguration CSP, which documents do not configure"
	}
	return ""
}

// settingNodeProblem returns why CheckSettingNode refuses the node of the
// setting path of the CSP named csp, or "". A node that
// syncml.ParseLocURI does not read is not checked here.
func settingNodeProblem(csp, path string) string {
	l, err := syncml.ParseLocURI("./" + strings.TrimPrefix(csp, "./") + "/" + path)
	if err != nil {
		return ""
	}
	return badSettingNode(l)
}
