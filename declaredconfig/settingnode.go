package declaredconfig

import (
	"errors"
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
			return fmt.Sprintf("the node name %s holds a \"?\", which starts a property or listing query, not a node", shown(seg))
		}
	}
	if s := node.Segments; len(s) >= 3 && strings.EqualFold(s[0], "Vendor") && strings.EqualFold(s[1], "MSFT") &&
		strings.EqualFold(s[2], "DeclaredConfiguration") {
		return "the node is in the DeclaredConfiguration CSP, which documents do not configure"
	}
	return ""
}

// SettingNode returns the node that a setting of a document whose
// context is context sets: path below the CSP named csp, in the scope the
// context names (User in any letter case, Device otherwise) unless the
// CSP's name starts with its own (./Device/… or ./User/…), read as
// syncml.ParseLocURI reads it. When the document may not set that node
// it returns a *SettingError saying why: the node does not read as a
// LocURI (an empty, "." or ".." segment, a bad escape…), it is in the
// other scope than the context's (a CSP named ./User/… in a Device
// document: a document's settings are all in the scope of its context),
// or CheckSettingNode refuses it. Validate applies it to each setting; it
// is the rule the agent (package agent) holds each setting to.
func SettingNode(context, csp, path string) (syncml.LocURI, error) {
	uri := SettingURI(context, csp, path)
	l, err := syncml.ParseLocURI(uri)
	if err != nil {
		return syncml.LocURI{}, &SettingError{CSP: csp, Path: path, Node: uri, Err: err}
	}
	want := syncml.ScopeDevice
	if strings.EqualFold(context, "User") {
		want = syncml.ScopeUser
	}
	if l.Scope != want {
		return syncml.LocURI{}, &SettingError{CSP: csp, Path: path, Node: uri,
			Err: fmt.Errorf("the node is in %s scope, the document's context is %s", l.Scope, shown(context))}
	}
	if why := badSettingNode(l); why != "" {
		return syncml.LocURI{}, &SettingError{CSP: csp, Path: path, Node: uri, Err: errors.New(why)}
	}
	return l, nil
}

// SettingURI returns the node, as written, that a setting of a document
// whose context is context sets: path below the CSP named csp, in the
// scope the context names (./User/ for "User" in any letter case,
// ./Device/ otherwise) unless the CSP's name starts with its own
// (./Device/… or ./User/…, kept as written). It does not check the node:
// SettingNode does.
func SettingURI(context, csp, path string) string {
	name := strings.TrimPrefix(csp, "./")
	if l := len(name); l >= 7 && strings.EqualFold(name[:7], "device/") || l >= 5 && strings.EqualFold(name[:5], "user/") {
		return "./" + name + "/" + path
	}
	if strings.EqualFold(context, "User") {
		return "./User/" + name + "/" + path
	}
	return "./Device/" + name + "/" + path
}
