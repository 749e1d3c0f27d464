package declaredconfig

import (
	"runtime"
	"strings"
	"testing"
)

// TestReadMessageCRLFDeep: a document in a Data whose markup holds
// CR LF line ends, 23 elements deep (within the default MaxDepth), is
// read with allocations of the order of its size. Before, the line ends
// of each element's markup were normalised on their own, each copying
// what it holds: 39.7 MB for a message of 480 KB (82 times its size), 4.5
// MB after.
func TestReadMessageCRLFDeep(t *testing.T) {
	const depth = 20
	text := strings.Repeat("x\r\n", 160_000)
	data := `<DeclaredConfiguration><CSP name="c"><URI path="p">` + strings.Repeat("<a>", depth) + text + strings.Repeat("</a >", depth) + `</URI></CSP></DeclaredConfiguration>`
	msg := []byte(msgStart + replace("2", docURI, data) + msgEnd)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, items, err := ReadMessage(msg, ReadOptions{})
	runtime.ReadMemStats(&after)
	if err != nil || len(items) != 1 || items[0].Err != nil {
		t.Fatalf("ReadMessage: %v, %d items", err, len(items))
	}
	// the lexer's text, the message as a string, the normalised markup
	// and the offsets of its CR LF pairs: some 9 times the message
	if got := after.TotalAlloc - before.TotalAlloc; got > 16*uint64(len(msg)) {
		t.Errorf("%d bytes allocated for a message of %d", got, len(msg))
	}
	want := strings.Repeat("<a>", depth) + strings.ReplaceAll(text, "\r\n", "\n") + strings.Repeat("</a >", depth)
	if got := items[0].Document.CSPs[0].Settings[0].Value; got != want {
		t.Errorf("value of %d bytes, want %d", len(got), len(want))
	}
}

// TestReadMessageCRLF: documents whose markup holds CR and CR LF line
// ends in every place markup is kept (markup values, unknown elements,
// attributes, end tags with white space, nested and empty elements) are
// read in the one pass as the two passes read them.
func TestReadMessageCRLF(t *testing.T) {
	for _, doc := range []string{
		"<DeclaredConfiguration>\r\n<CSP name='c\r\nd'>\r<URI path='p'>\r\n<a x='1\r\n2'>\r<b/>\r\n<c>t\r\nu</c\r\n></a>\r\n</URI>" +
			"<URI path='q'><d>\r\r\n\n</d><e/></URI></CSP>\r\n<X>\r\n<y>\r</y></X ></DeclaredConfiguration>",
		"<DeclaredConfiguration><CSP name='c'><URI path='p'><a><b><c>\r\n\r\n</c></b>\r</a></URI></CSP></DeclaredConfiguration\r\n>",
		"<DeclaredConfiguration><CSP name='c'><URI path='p'><a/>\r\n<b/></URI></CSP><Z a='\r'/></DeclaredConfiguration>",
	} {
		msg := []byte(msgStart + replace("2", docURI, doc) + msgEnd)
		if err := sameAsTwoPass(msg, ReadOptions{}); err != nil {
			t.Errorf("%q: %v", doc, err)
		}
	}
}
