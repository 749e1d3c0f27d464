package declaredconfig

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/windc-go/windc/internal/xmlscan"
)

// A ValidateOption makes Document.Validate stricter than its default.
type ValidateOption uint8

// The options of Document.Validate.
const (
	// StrictScenario refuses an osdefinedscenario that is not one of
	// Scenarios; the error lists them. Without it any non-empty name is
	// accepted, as Microsoft's own samples use names the documentation
	// does not list (MSFTPolicies).
	StrictScenario ValidateOption = 1 << iota
	// AllProblems reports every problem Validate finds. Without it the
	// first MaxProblems are reported and one more error counts the rest:
	// a document within the decoding Limits can hold tens of thousands of
	// faulty settings, whose messages together would be many times its
	// size.
	AllProblems
)

// MaxProblems is how many problems Validate reports without AllProblems.
const MaxProblems = 64

// Validate checks d against the rules of the CSP for sending it to the node
// target: target is a Document node (a target that is not a node of the
// CSP matches ErrURI as well); id is a GUID equal to the target's DocID
// (compared by EqualDocID); context agrees with the target's scope (Device
// or User, any case; the MI provider scenarios need Device); the scenario
// is present (and, with StrictScenario, one of Scenarios), and a defined
// one fits the target's Host (an inventory scenario under Inventory, any
// other under Complete or BulkTemplate: a *HostError otherwise); schema and
// checksum are present; each CSP has a name and its setting paths are
// unique, each naming a node a document may set (SettingNode: a node
// that reads as a LocURI, in the scope of the context, with no "?" and not
// in the DeclaredConfiguration CSP: a *SettingError otherwise); DSC
// elements are only in a Device document (their parameters are device
// wide nodes, under ./Device/DSC, whatever the scenario), name a class and
// a namespace and have at least one Key, their parameters each with a name
// of its own (a *ParamError otherwise);
// there is at least one CSP or DSC; each setting and reflected property
// has a type (chr, int, bool, b64, xml, node, null, date, time or
// float, any case) and a value that agrees with it
// (int, as ParseInt reads it, bool and b64 are checked; values holding a bulk template
// placeholder "@#" are not). Under Inventory a setting names a node to read
// and carries no value (its type is still checked): a device reads the
// node and has no use for one, so a value there would be dropped unseen;
// likewise a DSC Value names a parameter to read and carries no value (a
// *ParamError), while a Key keeps its value, which picks the instance.
// A problem of one setting is a *SettingError naming it.
// The document's elements are in no namespace: Attrs declares no default
// namespace but the empty one (UnmarshalText refuses a document whose
// root is in a namespace, with a prefix or by a default declaration).
// The problems are reported joined, each matching ErrInvalid: the first
// MaxProblems of them and an error counting the rest, or all of them with
// AllProblems. A nil d is an error too.
func (d *Document) Validate(target URI, opts ...ValidateOption) error {
	if d == nil {
		return errorf("%w: nil Document", ErrInvalid)
	}
	var opt ValidateOption
	for _, o := range opts {
		opt |= o
	}
	var errs []error
	found := 0 // problems found, reported or not
	keep := func() bool {
		found++
		return opt&AllProblems != 0 || found <= MaxProblems
	}
	report := func(err error) {
		if keep() {
			errs = append(errs, err)
		}
	}
	add := func(format string, args ...any) {
		if keep() {
			errs = append(errs, errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
		}
	}
	targetErr := target.Check()
	if targetErr != nil {
		report(errorf("%w: target: %w", ErrInvalid, targetErr))
	} else if target.Node != NodeDocument {
		add("target %s is not a Document node", target)
	}
	if err := CheckDocID(d.ID); err != nil && !(targetErr != nil && d.ID == target.DocID && onlyDocID(target)) {
		report(err) // (the target's error says it already otherwise)
	}
	if !EqualDocID(d.ID, target.DocID) {
		add("document id %s differs from the DocID %s of the target", shown(d.ID), shown(target.DocID))
	}
	switch {
	case d.Context == "":
		add("context is missing")
	case !strings.EqualFold(d.Context, "Device") && !strings.EqualFold(d.Context, "User"):
		add("context %s is neither Device nor User", shown(d.Context))
	case !strings.EqualFold(d.Context, target.Scope.String()):
		add("context %s does not match the %s scope of the target", shown(d.Context), target.Scope)
	}
	if ns := defaultNamespace(d.Attrs); ns != "" {
		// UnmarshalText refuses the text such a document makes
		add("the document declares the default namespace %s: its elements are in no namespace", shown(ns))
	}
	if d.Schema == "" {
		add("schema is missing")
	}
	if d.Checksum == "" {
		add("checksum is missing")
	}
	switch {
	case d.Scenario == "":
		add("osdefinedscenario is missing")
	case !knownScenario(d.Scenario):
		if opt&StrictScenario != 0 {
			add("osdefinedscenario %s is not a defined scenario (known: %s)", shown(d.Scenario), strings.Join(Scenarios(), ", "))
		}
	case deviceOnlyScenario(d.Scenario) && !strings.EqualFold(d.Context, "Device"):
		add("scenario %s needs context Device", shown(d.Scenario))
	}
	hostErr := checkHost(d.Scenario, target.Host)
	if hostErr != nil {
		report(hostErr)
	}
	// the settings of an inventory name nodes to read; those of a
	// document of another kind sent there (hostErr) are checked as what
	// they are
	read := target.Host == Inventory && hostErr == nil
	if len(d.CSPs) == 0 && len(d.DSCs) == 0 {
		add("document has no CSP or DSC settings")
	}
	if len(d.DSCs) > 0 && strings.EqualFold(d.Context, "User") {
		// a DSC parameter is a node of ./Device/DSC: device wide,
		// whatever the scenario
		add("DSC element %s in a document of context %s: DSC elements need context Device", shown(d.DSCs[0].ClassName), shown(d.Context))
	}
	for i, c := range d.CSPs {
		if c.Name == "" {
			add("CSP %d has no name", i+1)
		}
		seen := make(map[string]bool, len(c.Settings))
		for _, s := range c.Settings {
			if s.Path == "" {
				add("CSP %s: a URI has no path", shown(c.Name))
				continue
			}
			bad := func(err error) {
				if keep() {
					errs = append(errs, &SettingError{CSP: c.Name, Path: s.Path, Node: SettingURI(d.Context, c.Name, s.Path), Err: err})
				}
			}
			if seen[s.Path] {
				bad(errors.New("the path is given more than once"))
			}
			seen[s.Path] = true
			if c.Name != "" {
				if _, err := SettingNode(d.Context, c.Name, s.Path); err != nil {
					report(err)
				}
			}
			value, markup := s.Value, s.Markup
			if read {
				// white space alone is a pretty-printed empty element
				if markup || !xmlscan.IsAllSpace(value) {
					bad(errors.New("the setting carries a value in an inventory, which reads the node: the value would not be set, only dropped"))
				}
				value, markup = "", false // its type is still checked
			}
			if err := checkTyped(s.Type, value, markup, read); err != nil {
				bad(err)
			}
		}
	}
	for i, c := range d.DSCs {
		if c.ClassName == "" {
			add("DSC %d has no className", i+1)
		}
		if c.Namespace == "" {
			add("DSC %d has no namespace", i+1)
		}
		if len(c.Keys) == 0 {
			add("DSC %s has no Key", shown(c.ClassName))
		}
		seen := map[string]bool{}
		for k, p := range append(append([]Param(nil), c.Keys...), c.Values...) {
			bad := func(why string) {
				if keep() {
					errs = append(errs, &ParamError{Namespace: c.Namespace, ClassName: c.ClassName, Name: p.Name, Err: errors.New(why)})
				}
			}
			if p.Name == "" {
				bad("the parameter has no name")
			} else if seen[p.Name] {
				bad("the name is given more than once")
			}
			seen[p.Name] = true
			if read && k >= len(c.Keys) && (p.Markup || !xmlscan.IsAllSpace(p.Value)) {
				// a Key's value picks the instance to read; a Value's
				// has nothing to say
				bad("the Value carries a value in an inventory, which reads the parameter: the value would not be set, only dropped")
			}
		}
	}
	if r := d.Reflected; r != nil {
		seen := map[string]bool{}
		for _, p := range r.Properties {
			if p.Name == "" {
				add("ReflectedProperties: a Property has no name")
			} else if seen[p.Name] {
				add("ReflectedProperties: property %s given more than once", shown(p.Name))
			}
			seen[p.Name] = true
			if err := checkTyped(p.Type, p.Value, p.Markup, false); err != nil {
				add("property %s: %v", shown(p.Name), err)
			}
		}
	}
	if more := found - len(errs); more > 0 {
		errs = append(errs, errorf("%w: %d more problems not reported (AllProblems reports them)", ErrInvalid, more))
	}
	return errors.Join(errs...)
}

// checkTyped checks that a value agrees with its DDF format name. With
// read (a setting of an inventory, which names a node to read) an empty
// value is accepted for any known type.
func checkTyped(typ, value string, markup, read bool) error {
	t := strings.ToLower(typ)
	if typ == "" {
		return fmt.Errorf("type is missing")
	}
	if read && value == "" && !markup {
		switch t {
		case "chr", "xml", "node", "null", "date", "time", "float", "int", "bool", "b64":
			return nil
		}
		return fmt.Errorf("unknown type %s", shown(typ))
	}
	if strings.Contains(value, "@#") {
		return nil // bulk template placeholder, filled in on the device
	}
	switch t {
	case "chr", "xml", "node", "null", "date", "time", "float":
		if markup && t != "xml" {
			return fmt.Errorf("type %s value holds elements", shown(typ))
		}
		return nil
	case "int":
		if markup {
			return fmt.Errorf("int value holds elements")
		}
		if _, why := parseInt(value); why != "" {
			return fmt.Errorf("%s", why)
		}
		return nil
	case "bool":
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") || markup {
			return fmt.Errorf("value %s is not a bool (true or false)", shown(value))
		}
		return nil
	case "b64":
		if _, err := base64.StdEncoding.DecodeString(value); err != nil || markup {
			return fmt.Errorf("value is not base64")
		}
		return nil
	}
	return fmt.Errorf("unknown type %s", shown(typ))
}

// onlyDocID reports whether the DocID is all that target.Check finds
// wrong with target.
func onlyDocID(target URI) bool {
	target.DocID = "00000000-0000-0000-0000-000000000000"
	return target.Check() == nil
}
