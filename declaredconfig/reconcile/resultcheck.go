package reconcile

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/xmlscan"
)

// resultProblems reports, as Problems, what a result read of d (res, the
// device's answer to a Get of its Results node) says that cannot be true
// of the document: a setting it does not have (CSP settings of a Complete
// or Inventory document; a bulk template's result lists the nodes its
// instances make) or one listed twice (a setting is its CSP name, letter
// case and a leading "./" aside, and its path, case-sensitive as node
// names are), a setting status or state that is not a number. It is
// called once for each result read (a new result_checksum), so a device
// that keeps giving the same result is told of once. The document's
// condition is left as the summary and the settings decide it: the
// settings the document has are judged by their own outcomes. A result
// whose state is not the summary entry's (es) for the same version and
// result_checksum is told too (a new outcome comes with a new
// result_checksum); the summary's state still decides. The faults of one
// result are told in one Problem, the first maxResultFaults named.
func (p *run) resultProblems(d *docState, res *declaredconfig.Result, es *declaredconfig.DocumentStatus) {
	// The first maxResultFaults faults are written, the rest counted: a
	// result may list tens of thousands of settings, each a fault.
	var (
		why  []string
		more int
	)
	fault := func(f func() string) {
		if len(why) < maxResultFaults {
			why = append(why, f())
		} else {
			more++
		}
	}
	if es.Reported && res.State != "" && res.ResultChecksum != "" && res.ResultChecksum == es.ResultChecksum &&
		(res.Checksum == "" || res.Checksum == es.Checksum) {
		if st, err := declaredconfig.ParseState(res.State); err != nil || st != es.State {
			fault(func() string {
				return "its state " + shown(res.State) + " is not the summary's " + strconv.Quote(stateText(es.State)) + " for the same result_checksum"
			})
		}
	}
	type key struct{ csp, path string }
	var declared map[key]bool
	if doc, err := d.full(); err == nil && d.Host != declaredconfig.BulkTemplate {
		declared = map[key]bool{}
		for _, c := range doc.CSPs {
			for _, s := range c.Settings {
				declared[key{cspKey(c.Name), s.Path}] = true
			}
		}
	}
	seen := map[key]bool{}
	for _, c := range res.CSPs {
		csp := cspKey(c.Name)
		for _, s := range c.Settings {
			k := key{csp, s.Path} // node names are case-sensitive
			where := func() string { return "setting " + shown(c.Name) + " " + shown(s.Path) }
			switch {
			case seen[k]:
				fault(func() string { return where() + " is listed twice" })
			case declared != nil && !declared[k]:
				fault(func() string { return where() + " is not in the document" })
			}
			seen[k] = true
			if s.Status != "" {
				if _, err := strconv.ParseUint(xmlscan.TrimSpace(s.Status), 10, 16); err != nil {
					fault(func() string { return where() + " has status " + shown(s.Status) + ", not a number" })
				}
			}
			if s.State != "" {
				if _, err := declaredconfig.ParseState(s.State); err != nil {
					fault(func() string { return where() + " has state " + shown(s.State) + ", not a number" })
				}
			}
		}
	}
	if len(why) == 0 {
		return
	}
	// one Problem for the result, however many faults it holds
	what := strings.Join(why, "; ")
	if more > 0 {
		what += "; and " + strconv.Itoa(more) + " more"
	}
	p.problem(d.status(), errorf("device %s: the result of document %s version %s (result_checksum %s): %s",
		shown(p.device), d.uri(declaredconfig.NodeDocument), shown(d.checksum()), shown(res.ResultChecksum), what))
}

// maxResultFaults is how many of a result's faults its Problem names; it
// counts the rest.
const maxResultFaults = 8

// cspKey is the identity of a CSP name in a result: letter case and a
// leading "./" aside.
func cspKey(name string) string {
	return strings.ToLower(strings.TrimPrefix(name, "./"))
}

func stateText(s declaredconfig.State) string { return strconv.FormatUint(uint64(s), 10) }
