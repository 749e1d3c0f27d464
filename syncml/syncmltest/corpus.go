package syncmltest

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// corpus holds the hand-written SyncML corpus: testdata/messages (accepted
// messages, one feature each), testdata/malformed (inputs the decoder must
// reject) and testdata/golden (the canonical encoding of each message).
//
//go:embed testdata
var corpus embed.FS

// A File is one corpus file: its base name and its bytes, exactly as
// stored (they may be UTF-16, Latin-1 or carry a byte-order mark).
type File struct {
	Name string
	Data []byte
}

// Messages returns the corpus messages the decoder must accept, sorted by
// name. Each call returns fresh copies of the bytes.
func Messages() []File { return list("testdata/messages") }

// Malformed returns the corpus inputs the decoder must reject, sorted by
// name. A name has the form "<kind>--<what>.xml"; see MalformedKind.
func Malformed() []File { return list("testdata/malformed") }

// Golden returns the canonical encoding (Marshal of Unmarshal) recorded for
// the message of the given name, and whether there is one.
func Golden(name string) ([]byte, bool) {
	b, err := corpus.ReadFile(path.Join("testdata/golden", name))
	if err != nil {
		return nil, false
	}
	return b, true
}

// MalformedKind returns the kind encoded in a malformed file's name, the
// part before "--": "syntax", "doctype", "entity", "prefix", "dupattr",
// "structure", "encoding" or "invalidchar" name the decoder error that the
// input must cause; "limit.<Field>" names the Limits field a *LimitError
// must report.
func MalformedKind(name string) string {
	kind, _, ok := strings.Cut(name, "--")
	if !ok {
		return ""
	}
	return kind
}

// FS returns the whole embedded corpus, rooted at testdata.
func FS() fs.FS {
	sub, err := fs.Sub(corpus, "testdata")
	if err != nil {
		panic(err) // the directory is embedded
	}
	return sub
}

func list(dir string) []File {
	entries, err := corpus.ReadDir(dir)
	if err != nil {
		panic(err) // the directory is embedded
	}
	var out []File
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		b, err := corpus.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			panic(err)
		}
		out = append(out, File{Name: e.Name(), Data: b})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
