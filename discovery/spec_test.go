package discovery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// specPage is the discovery page, read in place from the shared spec
// folder beside the module; it is not copied into the repository.
var specPage = filepath.Join("..", "..", "shared", "spec", "ms-docs", "client-management", "declared-configuration-discovery.md")

// specExample is one fenced JSON block of the page with the list label
// that precedes it ("Microsoft Entra joined:" and so on).
type specExample struct {
	label string
	line  int
	body  []byte
}

var labelRE = regexp.MustCompile(`^\s*1\.\s+(.*\S)\s*$`)

func readSpecExamples(t *testing.T) []specExample {
	t.Helper()
	data, err := os.ReadFile(specPage)
	if os.IsNotExist(err) {
		t.Skipf("spec page not present: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []specExample
	var label string
	var cur *specExample
	for i, line := range strings.Split(string(data), "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case cur != nil && trim == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body = append(cur.body, line...)
			cur.body = append(cur.body, '\n')
		case trim == "```json":
			cur = &specExample{label: label, line: i + 1}
		default:
			if m := labelRE.FindStringSubmatch(line); m != nil {
				label = m[1]
			}
		}
	}
	return out
}

func isRequestExample(body []byte) bool { return bytes.Contains(body, []byte(`"osVersion"`)) }

// TestSpecExamples decodes every JSON example of the page, checks
// decode → encode → decode equality and the encoding fixed point, and
// checks each against Validate.
func TestSpecExamples(t *testing.T) {
	examples := readSpecExamples(t)
	if len(examples) != 8 {
		t.Fatalf("found %d JSON examples on the page, want 8 (6 requests, 2 responses)", len(examples))
	}
	for _, ex := range examples {
		what := "response"
		if isRequestExample(ex.body) {
			what = "request"
		}
		t.Run(fmt.Sprintf("%s_%s_line%d", what, kind(ex.label), ex.line), func(t *testing.T) {
			var first, second any
			var validate func() error
			if isRequestExample(ex.body) {
				r1, r2 := new(Request), new(Request)
				first, second, validate = r1, r2, r1.Validate
			} else {
				r1, r2 := new(Response), new(Response)
				first, second, validate = r1, r2, r1.Validate
			}
			if err := json.Unmarshal(ex.body, first); err != nil {
				t.Fatalf("decode line %d: %v\n%s", ex.line, err, ex.body)
			}
			if err := validate(); err != nil {
				t.Errorf("Validate line %d: %v", ex.line, err)
			}
			enc, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(enc, second); err != nil {
				t.Fatalf("decode of re-encoding %s: %v", enc, err)
			}
			if diff := cmp.Diff(first, second); diff != "" {
				t.Errorf("decode(encode(decode(example))) differs (-first +second):\n%s", diff)
			}
			enc2, err := json.Marshal(second)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, enc2) {
				t.Errorf("encoding not a fixed point:\n%s\n%s", enc, enc2)
			}
			// Nothing lost: the example and the re-encoding carry the
			// same members with the same values.
			var a, b map[string]string
			if err := json.Unmarshal(ex.body, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(enc, &b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("members differ (-example +encoding):\n%s", diff)
			}
		})
	}
}

// TestSpecPairRule pairs each request example with the response example
// of the same enrollment kind. The page's single-template example for an
// Entra registered device says enrollmentType "Device"; the pair rule
// catches that documentation defect, and only that one.
func TestSpecPairRule(t *testing.T) {
	examples := readSpecExamples(t)
	responses := map[string]*Response{}
	for _, ex := range examples {
		if !isRequestExample(ex.body) {
			var r Response
			if err := json.Unmarshal(ex.body, &r); err != nil {
				t.Fatal(err)
			}
			responses[kind(ex.label)] = &r
		}
	}
	if responses["joined"] == nil || responses["registered"] == nil {
		t.Fatalf("response examples not found by label: %v", responses)
	}
	var caught []int
	for _, ex := range examples {
		if !isRequestExample(ex.body) {
			continue
		}
		var req Request
		if err := json.Unmarshal(ex.body, &req); err != nil {
			t.Fatal(err)
		}
		if err := ValidatePair(&req, responses[kind(ex.label)]); err != nil {
			caught = append(caught, ex.line)
			if kind(ex.label) != "registered" || req.Type() != EnrollmentTypeDevice {
				t.Errorf("line %d (%s): unexpected pair error %v", ex.line, ex.label, err)
			}
		}
	}
	if len(caught) != 1 {
		t.Fatalf("pair rule rejected examples at lines %v, want exactly the mislabelled registered one", caught)
	}
	t.Logf("pair rule catches the registered example at line %d labelled enrollmentType Device", caught[0])
}

func kind(label string) string {
	switch {
	case strings.Contains(label, "Entra joined"):
		return "joined"
	case strings.Contains(label, "Entra registered"):
		return "registered"
	}
	return label
}
