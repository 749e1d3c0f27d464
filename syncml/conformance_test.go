package syncml_test

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The shared conformance corpus and the protocol documents are read in
// place; nothing of them is copied into the repository.
const (
	conformanceDir = "../../shared/conformance/syncml"
	sourcesFile    = "../../shared/conformance/SOURCES.md"
	specDir        = "../../shared/spec"
)

// sourceRow is what SOURCES.md says about one conformance file.
type sourceRow struct {
	wf          bool // well-formed for encoding/xml in strict mode
	placeholder bool // tagged invalid-placeholder
}

// readSources parses the table of SOURCES.md: | `file` | source | tags | WF | note |.
func readSources(t *testing.T) map[string]sourceRow {
	t.Helper()
	f, err := os.Open(sourcesFile)
	if err != nil {
		t.Skipf("no %s: %v", sourcesFile, err)
	}
	defer f.Close()
	rows := map[string]sourceRow{}
	wfCol, tagsCol := -1, -1
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if wfCol < 0 {
			for i, c := range cells {
				switch {
				case strings.HasPrefix(c, "WF"):
					wfCol = i
				case c == "Tags":
					tagsCol = i
				}
			}
			continue
		}
		if len(cells) <= wfCol || len(cells) <= tagsCol || !strings.HasPrefix(cells[0], "`") {
			continue
		}
		name := strings.Trim(cells[0], "`")
		wf := cells[wfCol]
		if !strings.HasPrefix(wf, "yes") && !strings.HasPrefix(wf, "no") {
			t.Fatalf("SOURCES.md: %s: WF column %q is neither yes nor no", name, wf)
		}
		rows[name] = sourceRow{
			wf:          strings.HasPrefix(wf, "yes"),
			placeholder: strings.Contains(cells[tagsCol], "invalid-placeholder"),
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if wfCol < 0 || tagsCol < 0 {
		t.Fatalf("SOURCES.md: no table with Tags and WF columns")
	}
	return rows
}

// wellFormednessCauses are the causes that say "not well-formed XML".
var wellFormednessCauses = []error{syncml.ErrSyntax, syncml.ErrEntity, syncml.ErrDOCTYPE, syncml.ErrNamespace, syncml.ErrDuplicateAttr}

func wrapsAny(err error, causes []error) bool {
	for _, c := range causes {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

func TestConformance(t *testing.T) {
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Skipf("no conformance corpus: %v", err)
	}
	rows := readSources(t)
	entries, err := os.ReadDir(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	var accepted, rejectedWF, rejectedStructure, placeholderAccepted int
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		name := e.Name()
		row, ok := rows[name]
		if !ok {
			t.Errorf("%s is not in SOURCES.md", name)
			continue
		}
		b, err := os.ReadFile(filepath.Join(conformanceDir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			var m syncml.Message
			err := syncml.Unmarshal(b, &m)
			switch {
			case !row.wf:
				var de *syncml.DecodeError
				if err == nil {
					t.Fatalf("accepted, but SOURCES.md says it is not well-formed")
				}
				if !errors.As(err, &de) || !wrapsAny(err, wellFormednessCauses) {
					t.Fatalf("want a DecodeError for ill-formed XML, got %T: %v", err, err)
				}
				checkRejected(t, name, b, err, kindOf(err))
				rejectedWF++
				t.Logf("rejected: %v", err)
			case !row.placeholder:
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				withKnownIssue(t, "conformance/"+name, func(r reporter) {
					checkAccepted(r, name, b)
					checkBoundaries(r, name, b, &m)
				})
				accepted++
			default: // documentation placeholders: accepted with every property, or ErrStructure
				if err != nil {
					if !errors.Is(err, syncml.ErrStructure) {
						t.Fatalf("placeholder text: want acceptance or ErrStructure, got %v", err)
					}
					checkRejected(t, name, b, err, "structure")
					rejectedStructure++
					t.Logf("rejected: %v", err)
					return
				}
				withKnownIssue(t, "conformance/"+name, func(r reporter) {
					checkAccepted(r, name, b)
				})
				placeholderAccepted++
			}
		})
	}
	t.Logf("conformance: %d well-formed accepted, %d placeholder accepted, %d placeholder rejected (ErrStructure), %d ill-formed rejected",
		accepted, placeholderAccepted, rejectedStructure, rejectedWF)
}

// kindOf names the malformed kind of a decoder error, for checkRejected.
func kindOf(err error) string {
	var le *syncml.LimitError
	if errors.As(err, &le) {
		return "limit." + le.Limit
	}
	for kind, cause := range malformedCause {
		if errors.Is(err, cause) {
			return kind
		}
	}
	return "?"
}

// specExample is one fenced code block of the protocol documents that
// holds a SyncML message.
type specExample struct {
	name string // file:line
	text []byte
}

// specExamples extracts, at test time, every fenced code block containing
// "<SyncML" from the Microsoft documents and the OMA DM 1.2.1 chapters.
func specExamples(t *testing.T) []specExample {
	t.Helper()
	var files []string
	msDocs := filepath.Join(specDir, "ms-docs")
	err := filepath.WalkDir(msDocs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Skipf("no %s: %v", msDocs, err)
	}
	oma, _ := filepath.Glob(filepath.Join(specDir, "oma-dm-1.2.1", "*.md"))
	files = append(files, oma...)
	sort.Strings(files)
	var out []specExample
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(specDir, p)
		lines := strings.Split(string(src), "\n")
		for i := 0; i < len(lines); i++ {
			open := strings.TrimSpace(lines[i])
			if !strings.HasPrefix(open, "```") && !strings.HasPrefix(open, "~~~") {
				continue
			}
			fence := open[:3]
			indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
			start := i + 1
			j := start
			for j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), fence) {
				j++
			}
			block := make([]string, 0, j-start)
			for _, l := range lines[start:min(j, len(lines))] {
				block = append(block, strings.TrimPrefix(l, indent))
			}
			text := strings.Join(block, "\n")
			if strings.Contains(text, "<SyncML") {
				out = append(out, specExample{name: rel + ":" + itoa(start+1), text: []byte(text)})
			}
			i = j
		}
	}
	return out
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestSpecExamples decodes every SyncML example of the protocol documents:
// each is accepted with every exactness property, or rejected with a typed
// error (documentation examples hold placeholders and fragments).
func TestSpecExamples(t *testing.T) {
	examples := specExamples(t)
	if len(examples) == 0 {
		t.Skip("no SyncML examples found")
	}
	var accepted, rejected int
	byCause := map[string]int{}
	for _, ex := range examples {
		var m syncml.Message
		err := syncml.Unmarshal(ex.text, &m)
		if err != nil {
			if !typedError(err) {
				t.Errorf("%s: untyped error %T: %v", ex.name, err, err)
				continue
			}
			checkRejected(t, ex.name, ex.text, err, kindOf(err))
			rejected++
			byCause[kindOf(err)]++
			t.Logf("rejected %s: %v", ex.name, err)
			continue
		}
		accepted++
		withKnownIssue(t, "spec/"+ex.name, func(r reporter) {
			checkAccepted(r, ex.name, ex.text)
		})
	}
	causes := make([]string, 0, len(byCause))
	for k, v := range byCause {
		causes = append(causes, k+"="+itoa(v))
	}
	sort.Strings(causes)
	t.Logf("spec examples: %d found, %d accepted, %d rejected (%s)", len(examples), accepted, rejected, strings.Join(causes, ", "))
	if accepted == 0 {
		t.Errorf("no spec example was accepted")
	}
}
