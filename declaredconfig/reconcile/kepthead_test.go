package reconcile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// headDoc returns a settled document of DocID id whose checksum, result
// checksum and result are of the lengths asked for (a length of one, two
// or three bytes), the checksum and result checksum made of bytes c.
func headDoc(t *testing.T, id string, nCS, nRC int, c byte) *docState {
	d := choiceDoc(t, id, docChoices{})
	cs, rc := strings.Repeat(string([]byte{c}), max(nCS, 1)), strings.Repeat(string([]byte{c + 1}), nRC)
	d.Doc.Checksum, d.Base, d.Acked = cs, cs, cs
	d.Last.DevCS, d.LastCS = cs, cs
	d.Last.DevRC, d.InSyncRC, d.ResultsRC, d.LastRC = rc, rc, rc, rc
	d.GetDone = cs + "/" + rc
	d.LastEvent = "AppliedA" + cs + "/"
	if !d.settled() {
		t.Fatalf("document %q (checksum of %d bytes, result checksum of %d): not settled", id, nCS, nRC)
	}
	return d
}

// sameHead fails t unless k, a document a load kept as stored, names
// and reports what the same document read in full does (its head), and
// unless its status is what a load before 2093995 gave (ID and checksum
// of the head, DevCS the checksum, Reason the state's name).
func sameHead(t *testing.T, where string, k *docState) {
	t.Helper()
	x, err := k.read()
	if err != nil {
		if !errors.Is(err, ErrStoredState) {
			t.Fatalf("%s: read in full: %v, not ErrStoredState", where, err)
		}
		return
	}
	if k.docID() != x.Doc.ID || k.checksum() != x.Doc.Checksum || k.resultRaw != x.resultRaw ||
		k.Last.DevRC != x.Last.DevRC || k.Scope != x.Scope || k.Host != x.Host || k.Redeclared != x.Redeclared ||
		k.Last.State != x.Last.State || k.Last.Condition != x.Last.Condition || k.Last.Reported != x.Last.Reported ||
		k.Abandoned != x.Abandoned || k.Repairing != x.Repairing || k.StrayHost != x.StrayHost || k.Hint != x.Hint {
		t.Fatalf("%s: kept as stored, the head reads as ID %q checksum %q DevRC %q result %d bytes, scope %v host %v state %d;\n"+
			"read in full as ID %q checksum %q DevRC %q result %d bytes, scope %v host %v state %d",
			where, k.docID(), k.checksum(), k.Last.DevRC, len(k.resultRaw), k.Scope, k.Host, k.Last.State,
			x.Doc.ID, x.Doc.Checksum, x.Last.DevRC, len(x.resultRaw), x.Scope, x.Host, x.Last.State)
	}
	s := k.status()
	if s.URI.DocID != x.Doc.ID || s.Checksum != x.Doc.Checksum || s.DeviceChecksum != x.Doc.Checksum ||
		s.Reason != stateName(s.State) || s.Refused != 0 || s.ResultChecksum != x.Last.DevRC {
		t.Fatalf("%s: status of the document kept as stored %+v; read in full: ID %q checksum %q", where, s, x.Doc.ID, x.Doc.Checksum)
	}
}

// TestSettledHeadLengths loads settled documents whose four head
// strings have lengths at the boundaries of one, two and three bytes
// (settledHead reads one and two, docStrs the rest), and whose checksum
// or result checksum equals the DocID or each other (written as
// references, which settledHead leaves to docStrs): each is kept as
// stored, names and reports what it does read in full, and is saved
// again byte for byte.
func TestSettledHeadLengths(t *testing.T) {
	lengths := []int{1, 127, 128, 16383, 16384}
	n := 0
	for _, nID := range []int{0, 1, 5, 128, 255, 256, 16384, 65535, 65536} {
		for _, nCS := range lengths {
			for _, nRC := range append([]int{0}, lengths...) {
				for _, same := range []int{0, 1, 2} {
					id := strings.Repeat("i", nID)
					if nID == 5 {
						id = "\x00\x80\xff\xc3I" // odd bytes: NUL, not UTF-8, a byte of a length
					}
					c := byte('a')
					if same == 1 && nID > 0 && nID == nCS {
						c = 'i' - 0 // the checksum is the DocID: a reference
					} else if same == 1 {
						continue
					}
					d := headDoc(t, id, nCS, nRC, c)
					if same == 2 {
						if nRC != nCS {
							continue
						}
						// The result checksum is the checksum: a reference.
						rc := d.Doc.Checksum
						d.Last.DevRC, d.InSyncRC, d.ResultsRC, d.LastRC = rc, rc, rc, rc
						d.GetDone = rc + "/" + rc
					}
					if !d.settled() {
						t.Fatalf("not settled")
					}
					raw, err := encodeState(&deviceState{Docs: []*docState{d}, LastMsg: "S1/2"})
					if err != nil {
						t.Fatal(err)
					}
					st, err := decodeStored(string(raw))
					if err != nil {
						t.Fatal(err)
					}
					where := "ID " + itoa(nID) + " checksum " + itoa(nCS) + " rc " + itoa(nRC) + " same " + itoa(same)
					k := st.Docs[0]
					if k.stored == "" || k.Doc != nil {
						t.Fatalf("%s: not kept as stored", where)
					}
					if k.docID() != id || k.checksum() != d.Doc.Checksum || k.Last.DevRC != d.Last.DevRC {
						t.Fatalf("%s: kept as stored, ID %d bytes, checksum %d, rc %d", where, len(k.docID()), len(k.checksum()), len(k.Last.DevRC))
					}
					sameHead(t, where, k)
					again, err := encodeState(st)
					if err != nil || string(again) != string(raw) {
						t.Fatalf("%s: saved again as other bytes (%v)", where, err)
					}
					n++
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("%d documents tried", n)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// FuzzKeptHead loads arbitrary bytes as a state (seeds: states of
// settled documents whose head strings take one, two or three bytes of
// length, with one byte changed): a load must not panic, and every
// document it keeps as stored names and reports what the same document
// read in full does, when that reads; the state must save without a
// panic.
func FuzzKeptHead(f *testing.F) {
	t := &testing.T{}
	for _, nID := range []int{0, 5, 127, 128} {
		for _, nCS := range []int{1, 127, 128} {
			d := headDoc(t, strings.Repeat("i", nID), nCS, 3, 'a')
			raw, err := encodeState(&deviceState{Docs: []*docState{d, headDoc(t, "second", 2, 2, 'k')}, LastMsg: "S1/2"})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
			for i := 1; i < 60 && i < len(raw); i++ {
				for _, x := range []byte{1, 0x80, 0xff} {
					b := []byte(string(raw))
					b[i] ^= x
					f.Add(b)
				}
			}
		}
	}
	// Documents with refusals of their other commands (format 4).
	refused := headDoc(t, "refused", 2, 2, 'r')
	refused.CmdRefused = &cmdRefusals{kAbandon: {What: "1", Code: 405, Tries: 1}, kDelete: {What: "cs", Code: 503, Tries: 3}}
	if raw, err := encodeState(&deviceState{Docs: []*docState{refused}, Removed: []*docState{refused}}); err != nil {
		f.Fatal(err)
	} else {
		f.Add(raw)
	}
	// The committed state of the current format.
	for _, name := range []string{"state-v4.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := decodeStored(string(raw))
		if err != nil {
			if !errors.Is(err, ErrStoredState) {
				t.Fatalf("load: %v, not ErrStoredState", err)
			}
			return
		}
		for i, d := range st.Docs {
			if d.stored == "" {
				continue
			}
			if d.Doc != nil {
				t.Fatalf("document %d: kept as stored with a body", i)
			}
			sameHead(t, "document "+itoa(i), d)
		}
		_ = st.status("d")
		if _, err := encodeState(st); err != nil && !errors.Is(err, ErrStoredState) {
			t.Fatalf("save: %v", err)
		}
		if noTail != (docTail{}) {
			t.Fatal("noTail changed")
		}
	})
}
