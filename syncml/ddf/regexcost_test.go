package ddf

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceDir holds real messages, read in place when present.
const conformanceDir = "../../../shared/conformance"

// specDDFs returns the DDFs of the spec folder and those written out in
// the spec's pages or the conformance folder (from "<MgmtTree" to its
// end tag, a DOCTYPE before it included), by name.
func specDDFs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, _ := filepath.Glob(filepath.Join(specDir, "*.xml"))
	for _, f := range files {
		out[filepath.Base(f)] = readSpec(t, filepath.Base(f))
	}
	for _, root := range []string{filepath.Join(specDir, ".."), conformanceDir} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Dir(p) == filepath.Clean(specDir) {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			s := string(b)
			for n := 0; ; n++ {
				i := strings.Index(s, "<MgmtTree")
				j := strings.Index(s, "</MgmtTree>")
				if i < 0 || j < i {
					break
				}
				if k := strings.LastIndex(s[:i], "<!DOCTYPE MgmtTree"); k >= 0 {
					i = k
				}
				out[strings.TrimPrefix(filepath.ToSlash(p), "../../../shared/")+"#"+string(rune('0'+n))] = []byte(s[i : j+len("</MgmtTree>")])
				s = s[j+len("</MgmtTree>"):]
			}
			return nil
		})
	}
	return out
}

// TestRegExCostSpecDDFs measures what the RegEx expressions of every DDF
// at hand cost as Limits.MaxRegExCost counts them, against its default:
// the DDFs parse with the limit set to their own total and not one
// below, so the sum is what Parse counts.
func TestRegExCostSpecDDFs(t *testing.T) {
	ddfs := specDDFs(t)
	if len(ddfs) == 0 {
		t.Skip("no DDFs in " + specDir)
	}
	var most, mostOne int
	var mostName, mostExpr string
	exprs := 0
	for name, b := range ddfs {
		tr, err := Parse(b)
		if err != nil {
			t.Logf("%s: not a whole DDF: %.120v", name, err)
			continue
		}
		total := 0
		var walk func(n *Node)
		walk = func(n *Node) {
			if a := n.Allowed; a != nil && a.Type == ValueRegEx {
				exprs++
				c := 0
				(&AllowedValues{Type: ValueRegEx, Value: a.Value}).compileRegEx(&c, math.MaxInt)
				total += c
				if c > mostOne {
					mostOne, mostExpr = c, a.Value
				}
			}
			for _, c := range n.Children {
				walk(c)
			}
		}
		for _, r := range tr.Roots {
			walk(r)
		}
		if total == 0 {
			continue
		}
		t.Logf("%s: RegEx cost %d", name, total)
		if _, err := ParseLimits(b, Limits{MaxRegExCost: total}); err != nil {
			t.Errorf("%s with MaxRegExCost %d, its cost: %v", name, total, err)
		}
		var le *LimitError
		if _, err := ParseLimits(b, Limits{MaxRegExCost: total - 1}); !errors.As(err, &le) {
			t.Errorf("%s with MaxRegExCost %d, one below its cost: %v", name, total-1, err)
		}
		if total > most {
			most, mostName = total, name
		}
	}
	t.Logf("%d DDFs, %d RegEx; largest DDF total %d (%s), largest expression %d (%q); default %d, %d times the largest",
		len(ddfs), exprs, most, mostName, mostOne, mostExpr, DefaultMaxRegExCost, DefaultMaxRegExCost/max(most, 1))
	if most > DefaultMaxRegExCost/100 {
		t.Errorf("a spec DDF's RegEx cost %d, more than a hundredth of the default %d", most, DefaultMaxRegExCost)
	}
}
