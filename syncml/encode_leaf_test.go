package syncml

import (
	"strings"
	"testing"

	"github.com/windc-go/windc/internal/xmlscan"
)

// TestShortLeaf: a leaf written at once (shortLeaf, text of at most
// shortLeaf bytes that verbatim vouches for) is byte for byte the open
// tag, the escaper's text and the close tag, for every string of up to
// four bytes over letters, digits, the escaped characters and others,
// and for strings around shortLeaf bytes; the escaper's errors stay.
func TestShortLeaf(t *testing.T) {
	const alphabet = "a9 &<>\r\t~\x7f\xc3"
	check := func(s string) {
		for _, e := range []*elem{elCmdID, elCorrelator} {
			for _, pretty := range []bool{false, true} {
				w := writer{b: make([]byte, 0, 1), pretty: pretty, started: true, indent: " "}
				err := w.leafText(e, s)
				want, werr := xmlscan.AppendText([]byte(e.open), s)
				prefix := ""
				if pretty {
					prefix = "\n"
				}
				if (err != nil) != (werr != nil) {
					t.Fatalf("%s %q: error %v, escaper's %v", e.name, s, err, werr)
				}
				if err == nil && string(w.b) != prefix+string(want)+e.close {
					t.Fatalf("%s %q: %q, want %q", e.name, s, w.b, prefix+string(want)+e.close)
				}
			}
		}
	}
	var walk func(s string)
	walk = func(s string) {
		check(s)
		if len(s) < 4 {
			for i := range len(alphabet) {
				walk(s + alphabet[i:i+1])
			}
		}
	}
	walk("")
	for n := shortLeaf - 2; n <= shortLeaf+2; n++ {
		for _, c := range []string{"7", "&", ">", "\x01", "é"} {
			check(strings.Repeat("x", n-1) + c)
			check(c + strings.Repeat("x", n-1))
		}
	}
}

// TestLocationTags: a Target or Source with a LocURI alone, written with
// its tags in pairs, is byte for byte the tags around the escaper's text,
// with the escaper's error for a LocURI it refuses; with a LocName, empty,
// or indented, it is written element by element as before.
func TestLocationTags(t *testing.T) {
	for _, e := range []*elem{elTarget, elSource} {
		for _, l := range []Location{{LocURI: "./DevDetail/SwV"}, {LocURI: "a&b<c>d\re"}, {LocURI: "x"},
			{LocURI: strings.Repeat("./Vendor/MSFT/", 20)}, {LocURI: "bad\x01"}, {LocURI: "./A", LocName: "n&"}, {}} {
			w := writer{}
			err := w.location(e, &l)
			uri, uerr := xmlscan.AppendText(nil, l.LocURI)
			name, _ := xmlscan.AppendText(nil, l.LocName)
			want := e.open
			if l.LocURI != "" {
				want += "<LocURI>" + string(uri) + "</LocURI>"
			}
			if l.LocName != "" {
				want += "<LocName>" + string(name) + "</LocName>"
			}
			want += e.close
			switch {
			case uerr != nil:
				if err == nil || err.Error() != encodeError(e.name+"/LocURI", uerr).Error() {
					t.Errorf("%s %+v: error %v, want the escaper's %v", e.name, l, err, uerr)
				}
			case err != nil || string(w.b) != want:
				t.Errorf("%s %+v: %q, %v; want %q", e.name, l, w.b, err, want)
			}
			p := writer{pretty: true, indent: " "}
			if err := p.location(e, &l); uerr == nil && (err != nil || strings.Contains(string(p.b), "><LocURI>")) {
				t.Errorf("%s %+v indented: %q, %v", e.name, l, p.b, err)
			}
		}
	}
}

// TestItemTags: Items written compact, the Target's tags joined with the
// Item's, are the Items written indented (element by element) without
// the line breaks, for a Target alone and with each other child, escaped
// URIs, a LocName, no Target; a LocURI the escaper refuses gives its
// error.
func TestItemTags(t *testing.T) {
	tgt := func(u string) *Location { return &Location{LocURI: u} }
	for _, items := range [][]Item{
		{{Target: tgt("./DevDetail/SwV")}},
		{{Target: tgt("./A&B<C>")}, {Target: tgt("./B")}},
		{{Target: tgt("./A"), Source: tgt("./S")}},
		{{Target: tgt("./A"), Meta: &Meta{Format: "chr"}}},
		{{Target: tgt("./A"), Data: Text("v&1")}},
		{{Target: tgt("./A"), MoreData: true}},
		{{Target: &Location{LocURI: "./A", LocName: "n"}}},
		{{Target: &Location{}}},
		{{Source: tgt("./S"), Data: Text("1")}},
		{{}},
	} {
		w := writer{}
		if err := w.items(items); err != nil {
			t.Fatalf("%+v: %v", items, err)
		}
		p := writer{pretty: true}
		if err := p.items(items); err != nil {
			t.Fatalf("%+v indented: %v", items, err)
		}
		if want := strings.ReplaceAll(string(p.b), "\n", ""); string(w.b) != want {
			t.Errorf("%+v:\n%s\nwant\n%s", items, w.b, want)
		}
	}
	w := writer{}
	_, uerr := xmlscan.AppendText(nil, "bad\x01")
	if err := w.items([]Item{{Target: tgt("bad\x01")}}); err == nil || err.Error() != encodeError("Item/Target/LocURI", uerr).Error() {
		t.Errorf("refused LocURI: %v, want %v", err, uerr)
	}
}
