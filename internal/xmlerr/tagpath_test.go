package xmlerr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlerr"
)

// pathOf reads in and returns the Path of the DecodeError it is refused
// with.
func (r placeReader) pathOf(t *testing.T, in string) (string, bool) {
	t.Helper()
	err := r.read([]byte(in))
	var de *xmlerr.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("%s %q: %v: want a DecodeError", r.name, in, err)
		return "", false
	}
	return de.Path, true
}

// TestStartTagPathEveryReader: an error inside a start tag after its
// name (in or between its attributes, a namespace declaration it makes,
// the input ending there) names that element last in its Path, in every
// reader and in xmlscan's Scanner.Next, for an element inside the root
// and for the root element itself, by the name as the scanner reads it
// (up to a byte that cannot go on with a name: "b" of "<b\x01>"); the
// input ending right after the name (which may go on), or a byte that is
// not UTF-8 in it, does not. The path of the root's content is taken
// from an error there, so the test does not depend on how each reader
// writes its paths. Before, provisioning left the element out: its path
// ended with the element around it ("" for the root); ddf and mde2 took
// the name up to the next white space, '/' or '>' ("b\x01").
func TestStartTagPathEveryReader(t *testing.T) {
	attrs := []string{
		" a='1' a='2'", " a='1'b='2'", " a=1", " a", " a='&nbsp;'", " a='&#0;'", " a='\xff'", " a='\x01'", " a='<'",
		" a='&amp'", " p:a='1'", " xmlns:p=''", " xmlns:xml='x'", " a='1'/ ",
	}
	for _, r := range append(placeReaders, nextReader) {
		in, ok := r.pathOf(t, r.open+"\x01"+r.close)
		if !ok || in == "" {
			t.Errorf("%s: the root's content has path %q", r.name, in)
			continue
		}
		root := in[:strings.IndexByte(in[1:]+"/", '/')+1]
		for _, a := range attrs {
			for _, tail := range []string{"/>" + r.close, ">", ""} {
				if got, ok := r.pathOf(t, r.open+"\n<b"+a+tail); ok && got != in+"/b" {
					t.Errorf("%s %q: path %q, want %q", r.name, r.open+"\n<b"+a+tail, got, in+"/b")
				}
			}
			// the root's own start tag
			i := strings.IndexAny(r.open, " >")
			doc := r.open[:i] + a + r.open[i:] + r.close
			if got, ok := r.pathOf(t, doc); ok && got != root {
				t.Errorf("%s %q: path %q, want %q", r.name, doc, got, root)
			}
		}
		for _, cut := range []string{"<b ", "<b\n", "<b a", "<b a=", "<b a='1", "<b a='1'", "<b a='1'/"} {
			if got, ok := r.pathOf(t, r.open+cut); ok && got != in+"/b" {
				t.Errorf("%s %q: path %q, want %q", r.name, r.open+cut, got, in+"/b")
			}
		}
		// a byte that ends the name where white space should
		for _, c := range []struct{ tag, name string }{
			{"<b\x01 a='1'/>", "b"}, {"<b\x01>", "b"}, {"<b\"a='1'/>", "b"}, {"<b=1>", "b"}, {"<b'x'>", "b"},
			{"<b\u00a0a='1'>", "b"}, {"<b&a;>", "b"}, {"<p:b\x01/>", "p:b"},
		} {
			want := in + "/" + c.name // the qualified name
			if r.name == "ddf" || r.name == "mde2" {
				want = in + "/b" // the local name
			}
			if got, ok := r.pathOf(t, r.open+c.tag+r.close); ok && got != want {
				t.Errorf("%s %q: path %q, want %q", r.name, r.open+c.tag+r.close, got, want)
			}
		}
		// the input ending right after the name, which may go on, or a
		// byte that is not UTF-8 in it: the name is not all read
		for _, tag := range []string{"<b", "<b\xff>" + r.close, "<bc\xe2\x82>" + r.close} {
			if got, ok := r.pathOf(t, r.open+tag); ok && got != in {
				t.Errorf("%s %q: path %q, want %q", r.name, r.open+tag, got, in)
			}
		}
	}
}

// TestAttrPlaceEveryReader: an attribute repeated by its name, or not
// apart from the one before it, is refused by every reader at that
// attribute's name, with one wording ("duplicate attribute: a",
// "expected white space before attribute"), few or many attributes in
// the tag. Before, provisioning reported both at the tag's "<" and
// worded the second "no white space before an attribute of b".
func TestAttrPlaceEveryReader(t *testing.T) {
	many := " c='' d='' e='' f='' g='' h='' i='' j='' k=''"
	for _, c := range []struct {
		tag  string
		at   int
		kind error
		msg  string
	}{
		{"<b a='1' a='2'/>", 9, xmlerr.ErrDuplicateAttr, "duplicate attribute: a"},
		{"<b a='1' c='' a='2'/>", 14, xmlerr.ErrDuplicateAttr, "duplicate attribute: a"},
		{"<b a='1' c='' c='2' a=''/>", 14, xmlerr.ErrDuplicateAttr, "duplicate attribute: c"},
		{"<b a=''" + many + " a=''/>", 8 + len(many), xmlerr.ErrDuplicateAttr, "duplicate attribute: a"},
		{"<b a='1'c='2'/>", 8, xmlerr.ErrSyntax, "not well-formed: expected white space before attribute"},
		{"<b a='1' c=\"2\"d='3'/>", 14, xmlerr.ErrSyntax, "not well-formed: expected white space before attribute"},
	} {
		for _, r := range append(placeReaders, nextReader) {
			r.checkLine2(t, c.tag, c.at, c.kind, c.msg)
		}
	}
}
