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

	"github.com/beevik/etree"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// The shared conformance corpus and the protocol documents are read in
// place; nothing of them is copied into the repository. They sit in a
// "shared" folder beside the project (../../shared from this package), or
// beside a folder that holds the project, as for a git worktree.
var (
	sharedDir      = findShared()
	conformanceDir = filepath.Join(sharedDir, "conformance", "syncml")
	sourcesFile    = filepath.Join(sharedDir, "conformance", "SOURCES.md")
	specDir        = filepath.Join(sharedDir, "spec")
)

// findShared returns the nearest "shared" folder, holding conformance or
// spec, in this package's parent folders, or ../../shared when there is
// none (the tests that need it then skip).
func findShared() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return filepath.Join("..", "..", "shared")
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		for _, sub := range []string{"conformance", "spec"} {
			if fi, err := os.Stat(filepath.Join(d, "shared", sub)); err == nil && fi.IsDir() {
				return filepath.Join(d, "shared")
			}
		}
		if filepath.Dir(d) == d {
			return filepath.Join("..", "..", "shared")
		}
	}
}

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

// headerShape describes the SyncHdr of a message as an XML tree (read
// with etree, not with the codec): "none", or "SyncHdr" followed by the
// names of its empty Target and Source children, and whether the header
// holds nothing else.
func headerShape(b []byte) (string, error) {
	u, err := toUTF8(b)
	if err != nil {
		return "", err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(u); err != nil {
		return "", err
	}
	root := doc.Root()
	if root == nil {
		return "", errors.New("no root")
	}
	h := root.SelectElement("SyncHdr")
	if h == nil {
		return "none", nil
	}
	shape := "SyncHdr"
	if len(h.ChildElements()) == 0 {
		shape += " empty"
	}
	for _, c := range h.ChildElements() {
		if (c.Tag == "Target" || c.Tag == "Source") && strings.TrimSpace(c.Text()) == "" && len(c.ChildElements()) == 0 {
			shape += " empty-" + c.Tag
		}
	}
	return shape, nil
}

// TestHeaderKeptInRealMessages: every accepted real message (conformance
// corpus, the examples of the protocol documents, the embedded corpus)
// keeps its SyncHdr on a round trip, empty or not, and its empty Target
// and Source; one that had none still has none. Messages with an empty
// header used to lose it.
func TestHeaderKeptInRealMessages(t *testing.T) {
	type input struct {
		name string
		data []byte
	}
	var inputs []input
	if files, err := filepath.Glob(filepath.Join(conformanceDir, "*.xml")); err == nil {
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, input{"conformance/" + filepath.Base(f), b})
		}
	}
	if _, err := os.Stat(filepath.Join(specDir, "ms-docs")); err == nil {
		for _, ex := range specExamples(t) {
			inputs = append(inputs, input{"spec/" + ex.name, ex.text})
		}
	}
	for _, f := range syncmltest.Messages() {
		inputs = append(inputs, input{"corpus/" + f.Name, f.Data})
	}
	shapes := map[string]int{}
	for _, in := range inputs {
		var m syncml.Message
		if err := syncml.Unmarshal(in.data, &m); err != nil {
			continue
		}
		want, err := headerShape(in.data)
		if err != nil {
			t.Logf("%s: %v", in.name, err)
			continue // not for encoding/xml (see the differential tests)
		}
		shapes[want]++
		c, err := syncml.Marshal(&m)
		if err != nil {
			t.Errorf("%s: Marshal: %v", in.name, err)
			continue
		}
		got, err := headerShape(c)
		if err != nil {
			t.Errorf("%s: output: %v", in.name, err)
			continue
		}
		if got != want {
			t.Errorf("%s: header %q became %q:\n%s", in.name, want, got, c)
		}
		if m.NoHeader != (want == "none") {
			t.Errorf("%s: NoHeader %v for a header %q", in.name, m.NoHeader, want)
		}
	}
	t.Logf("header shapes of the accepted inputs: %v", shapes)
	if _, err := os.Stat(conformanceDir); err != nil {
		return // the embedded corpus alone holds neither shape
	}
	if shapes["none"] == 0 || shapes["SyncHdr empty"] == 0 {
		t.Errorf("the inputs hold no message without SyncHdr or none with an empty one: %v", shapes)
	}
}
