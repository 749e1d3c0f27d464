package syncml

import (
	"strings"
	"testing"
)

// fastReads reports whether the fast reader reads data (UTF-8) whole,
// with the default limits, rather than leaving it to the general reader.
func fastReads(data string) bool {
	sc := getScanner(data, Limits{}.withDefaults())
	defer putScanner(sc)
	pos, err := sc.prolog(0)
	if err != nil {
		return false
	}
	var m Message
	if m.XMLNS, pos, err = sc.root(pos); err != nil {
		return false
	}
	return sc.fastMessage(pos, &m)
}

// fastCase is a message for TestFastDecodeCases: whether the fast reader
// reads it whole, and whether it is an error (for both readers).
type fastCase struct {
	name string
	in   string
	fast bool
	bad  bool
}

// refCases are texts with references in each place the fast reader
// reads text, and malformed or refused references there.
func refCases() []fastCase {
	item := func(s string) string {
		return fastFuzzHead + `<Replace><CmdID>2</CmdID><Item>` + s + `</Item></Replace>` + fastFuzzTail
	}
	var cs []fastCase
	for _, r := range []struct {
		ref  string
		want string // "" when it is an error
	}{
		{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", `"`}, {"&apos;", "'"},
		{"&#65;", "A"}, {"&#x41;", "A"}, {"&#0000065;", "A"}, {"&#xe9;", "\u00e9"}, {"&#x1F600;", "\U0001F600"},
		{"&#9;", "\t"}, {"&#10;", "\n"}, {"&#13;", "\r"}, {"&#32;", " "},
		{"&#0;", ""}, {"&#xD800;", ""}, {"&#xFFFE;", ""}, {"&#x110000;", ""}, {"&#;", ""}, {"&#x;", ""},
		{"&#6a;", ""}, {"&#X41;", ""}, {"&LT;", ""}, {"&nbsp;", ""}, {"&lt", ""}, {"&", ""}, {"& lt;", ""},
	} {
		bad := r.want == ""
		for _, at := range []struct{ name, in string }{
			{"Data", item(`<Data>a` + r.ref + `b</Data>`)},
			{"Data alone", item(`<Data>` + r.ref + `</Data>`)},
			{"Data twice", item(`<Data>` + r.ref + r.ref + `x` + r.ref + `</Data>`)},
			{"plain Item", item(`<Source><LocURI>./a` + r.ref + `</LocURI></Source><Data>` + r.ref + `</Data>`)},
			{"LocURI", item(`<Target><LocURI>` + r.ref + `</LocURI><LocName>n` + r.ref + `</LocName></Target>`)},
			{"CmdID", fastFuzzHead + `<Alert><CmdID>` + r.ref + `</CmdID></Alert>` + fastFuzzTail},
			{"Meta", item(`<Meta><Type xmlns="syncml:metinf">` + r.ref + `</Type></Meta>`)},
			{"header", strings.Replace(fastFuzzHead, "<SessionID>1", "<SessionID>1"+r.ref, 1) + fastFuzzTail},
			{"header LocURI", strings.Replace(fastFuzzHead, "DEV", "DEV"+r.ref, 1) + fastFuzzTail},
		} {
			cs = append(cs, fastCase{r.ref + " in " + at.name, at.in, !bad, bad})
		}
	}
	// where the fast reader still gives up: a reference next to a
	// character it does not read, or as white space between elements
	cs = append(cs,
		fastCase{"ref and CR", item("<Data>&amp;\r</Data>"), false, false},
		fastCase{"ref and non-ASCII", item("<Data>&amp;\u00e9</Data>"), false, false},
		fastCase{"ref and ]", item("<Data>&amp;]</Data>"), false, false},
		fastCase{"ref and ]]>", item("<Data>&amp;]]></Data>"), false, true},
		fastCase{"ref then markup", item("<Data>&amp;<x/></Data>"), false, false},
		fastCase{"ref at the end", fastFuzzHead + `<Alert><CmdID>&amp;`, false, true},
		fastCase{"ref between elements", item("&#32;<Data>x</Data>"), false, false},
		fastCase{"ref in Final", fastFuzzHead + `<Final>&#32;</Final></SyncBody></SyncML>`, true, false},
		fastCase{"ref x in Final", fastFuzzHead + `<Final>&#65;</Final></SyncBody></SyncML>`, false, true},
	)
	return cs
}

// fastCases are all the cases of TestFastDecodeCases.
func fastCases() []fastCase {
	return refCases()
}

// TestFastDecodeCases checks, for each case, that the fast reader reads
// the message whole or leaves it to the general reader as expected, and
// that Unmarshal gives what the general reader alone gives: the same
// message, or the same error (type, offset, line, column, path, cause).
func TestFastDecodeCases(t *testing.T) {
	defer SetFastDecode(SetFastDecode(true))
	for _, c := range fastCases() {
		if got := fastReads(c.in); got != c.fast {
			t.Errorf("%s: the fast reader reads it: %v, want %v\ninput %q", c.name, got, c.fast, c.in)
		}
		var m Message
		SetFastDecode(false)
		if err := Unmarshal([]byte(c.in), &m); (err != nil) != c.bad {
			t.Errorf("%s: error %v, want one: %v", c.name, err, c.bad)
		}
		checkFastDecode(t, []byte(c.in), Limits{}, false)
		checkFastDecode(t, []byte(c.in), Limits{}, true)
	}
}
