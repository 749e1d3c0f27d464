package reconcile

import (
	"strconv"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/internal/xmlscan"
)

// resultProblems reports, as Problems, what a result read of d (res, the
// device's answer to a Get of its Results node) says that cannot be true
// of any document: a setting (its CSP name, letter case and a leading
// "./" aside, and its path) listed twice, a setting status or state that is not
// a number. It is called once for each result read (a new
// result_checksum), so a device that keeps giving the same result is
// told of once. The document's condition is left as the summary and the
// settings decide it. A setting the document does not have, or a result
// state other than the summary's, is not reported: published results do
// both (a result naming other paths than its document, a summary that
// moved on from the result read).
func (p *run) resultProblems(d *docState, res *declaredconfig.Result) {
	var why []string
	type key struct{ csp, path string }
	seen := map[key]bool{}
	for _, c := range res.CSPs {
		for _, s := range c.Settings {
			k := key{cspKey(c.Name), s.Path} // node names are case-sensitive
			where := "setting " + strconv.Quote(c.Name) + " " + strconv.Quote(s.Path)
			if seen[k] {
				why = append(why, where+" is listed twice")
			}
			seen[k] = true
			if s.Status != "" {
				if _, err := strconv.ParseUint(xmlscan.TrimSpace(s.Status), 10, 16); err != nil {
					why = append(why, where+" has status "+strconv.Quote(s.Status)+", not a number")
				}
			}
			if s.State != "" {
				if _, err := declaredconfig.ParseState(s.State); err != nil {
					why = append(why, where+" has state "+strconv.Quote(s.State)+", not a number")
				}
			}
		}
	}
	for _, w := range why {
		p.problem(d.status(), errorf("device %q: the result of document %s version %q (result_checksum %q): %s",
			p.device, d.uri(declaredconfig.NodeDocument), d.checksum(), res.ResultChecksum, w))
	}
}

// cspKey is the identity of a CSP name in a result: letter case and a
// leading "./" aside.
func cspKey(name string) string {
	return strings.ToLower(strings.TrimPrefix(name, "./"))
}
