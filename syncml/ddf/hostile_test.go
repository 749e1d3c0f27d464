package ddf

import (
	"errors"
	"fmt"
	"github.com/windc-go/windc/syncml"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/windc-go/windc/internal/xmlscan"
)

// parseNumberStrconv is parseNumber as it was, on strconv.ParseUint: the
// oracle for TestParseNumberSame.
func parseNumberStrconv(s string) (number, bool) {
	s = xmlscan.TrimSpace(s)
	var n number
	if s != "" && (s[0] == '-' || s[0] == '+') {
		n.neg, s = s[0] == '-', s[1:]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	mag, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return number{}, false
	}
	n.mag = mag
	n.neg = n.neg && mag != 0
	return n, true
}

// TestParseNumberSame: parseNumber, which reads digits itself, takes
// exactly the numbers strconv.ParseUint took, with the same values, on a
// table of edge cases and 20,000 random strings over digits, hex letters,
// signs, prefixes, underscores and spaces.
func TestParseNumberSame(t *testing.T) {
	cases := []string{
		"", " ", "+", "-", "0", "-0", "+0", "7", " 7\n", "010", "0x", "0x1F", "0XfF", "-0x5", "0x-5",
		"1_000", "0b1", "0o7", "1e3", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "0x0000000000000000000001",
		"00000000000000000000000000001", "99999999999999999999", "\uff11", "1 2", "+-1", "--1", "0xg",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789aAfFgxX+-_ "
	for range 20000 {
		b := make([]byte, rng.IntN(26))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(3) == 0 && len(b) > 2 {
			b[0], b[1] = '0', 'x'
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		got, ok := parseNumber(s)
		want, wantOK := parseNumberStrconv(s)
		if got != want || ok != wantOK {
			t.Errorf("parseNumber(%q) = %+v, %v; strconv reading %+v, %v", s, got, ok, want, wantOK)
		}
	}
}

// TestEnumLongValue: a long value read against a long ENUM costs about
// one reading of each, not one copy of the value per ENUM value (strconv
// copied the text it refused into its error: 1,000 values and a 256 KiB
// value allocated some 256 MB).
func TestEnumLongValue(t *testing.T) {
	a := &AllowedValues{Type: ValueENUM}
	for i := range 1000 {
		a.Enums = append(a.Enums, Enum{Value: strconv.Itoa(i)})
	}
	for _, v := range []string{strings.Repeat("x", 256<<10), "1" + strings.Repeat("0", 256<<10), "0x" + strings.Repeat("f", 256<<10)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := a.Allows(v)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("Allows(%.10q…) = nil", v)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("Allows(%.10q…) allocated %d bytes, want under 4 MiB", v, n)
		}
	}
}

// TestDetailBounded: what a check says of a value, a name, an ENUM list
// or an expression is cut short, however long they are: a peer's 1 MiB
// value or name and a DDF's 10,000 ENUM values or 100 KiB expression
// give a Detail under 1 KiB, once per item. Each used to be shown whole.
func TestDetailBounded(t *testing.T) {
	var enums strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&enums, "<MSFT:Enum><MSFT:Value>%d%s</MSFT:Value></MSFT:Enum>", i, strings.Repeat("é", 30))
	}
	var flags strings.Builder
	for i := range 64 {
		fmt.Fprintf(&flags, "<MSFT:Enum><MSFT:Value>0x%x</MSFT:Value></MSFT:Enum>", uint64(1)<<i&^1)
	}
	expr := "x" + strings.Repeat("(?:abc|déf)", 10000)
	leaf := func(name, format, allowed string) string {
		return `<Node><NodeName>` + name + `</NodeName><DFProperties><AccessType><Get/><Replace/></AccessType><DFFormat><` + format + `/></DFFormat>` + allowed + `</DFProperties></Node>`
	}
	dyn := func(name, allowed string) string {
		return `<Node><NodeName>` + name + `</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>
<Node><NodeName></NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat>` + allowed + `</DFProperties></Node></Node>`
	}
	enum := `<MSFT:AllowedValues ValueType="ENUM">` + enums.String() + `</MSFT:AllowedValues>`
	re := `<MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>` + expr + `</MSFT:Value></MSFT:AllowedValues>`
	ddf := `<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>
<Node><NodeName>Root</NodeName><Path>./Device/Vendor/MSFT</Path><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>` +
		leaf("E", "chr", enum) + leaf("R", "chr", re) +
		leaf("F", "int", `<MSFT:AllowedValues ValueType="Flag">`+flags.String()+`</MSFT:AllowedValues>`) +
		leaf("G", "int", `<MSFT:AllowedValues ValueType="Range"><MSFT:Value>[0-9]</MSFT:Value></MSFT:AllowedValues>`) +
		leaf("FC", "chr", `<MSFT:AllowedValues ValueType="Flag">`+flags.String()+`</MSFT:AllowedValues>`) +
		leaf("GC", "chr", `<MSFT:AllowedValues ValueType="Range"><MSFT:Value>[0-9]</MSFT:Value></MSFT:AllowedValues>`) +
		leaf("I", "int", "") + leaf("B", "bool", "") + leaf("L", "float", "") + leaf("N", "node", "") +
		dyn("DE", enum) + dyn("DR", re) + `</Node></MgmtTree>`
	tr, err := Parse([]byte(ddf))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("y", 1<<20)
	const base = "./Device/Vendor/MSFT/Root/"
	var items []syncml.Item
	for _, leaf := range []struct{ name, format, value string }{
		{"E", "chr", long}, {"R", "chr", long}, {"F", "int", long}, {"F", "int", "0x1"}, {"G", "int", long},
		{"G", "int", "10"}, {"FC", "chr", long}, {"FC", "chr", "1" + long}, {"GC", "chr", long}, {"GC", "chr", "1" + long}, {"I", "int", long}, {"B", "bool", long}, {"L", "float", long}, {"N", "node", long},
		{"DE/" + long + "/x", "node", ""}, {"DR/" + long, "node", ""}, {"DE/" + long, "node", ""},
	} {
		items = append(items, fmtItem(base+leaf.name, leaf.format, syncml.Text(leaf.value)))
	}
	var ce *CheckError
	if !errors.As(tr.Check(&syncml.Replace{Items: items}), &ce) {
		t.Fatal("no *CheckError")
	}
	if len(ce.Violations) != len(items) {
		t.Errorf("%d violations, want %d", len(ce.Violations), len(items))
	}
	for _, v := range ce.Violations {
		if len(v.Detail) > 1024 || len(v.Error()) > 2048 {
			t.Errorf("item %d: Detail of %d bytes, message of %d: %.200s", v.Item, len(v.Detail), len(v.Error()), v.Detail)
		}
		if !utf8.ValidString(v.Detail) {
			t.Errorf("item %d: Detail is not UTF-8: %q", v.Item, v.Detail)
		}
	}
	for _, uri := range []string{base + "DE/" + long, base + "DR/" + long} {
		_, err := tr.Lookup(uri)
		var ne *NameError
		if !errors.As(err, &ne) {
			t.Fatalf("Lookup: %v, want a *NameError", err)
		}
		if len(ne.Detail) > 1024 || len(ne.Error()) > 2048 {
			t.Errorf("NameError: Detail of %d bytes, message of %d", len(ne.Detail), len(ne.Error()))
		}
	}
}

// TestParseErrorBounded: a DDF refused for a name or text 1 MiB long
// (an element, node or attribute-type name, a namespace, an encoding, a
// Path, a Range, an Occurrence bound) gives a *ParseError whose message
// quotes it cut short, under 1 KiB; they used to be quoted whole, a node
// name twice (in the message and in the node's path).
func TestParseErrorBounded(t *testing.T) {
	big := strings.Repeat("é", 1<<19) // 1 MiB, cut at a character's start
	head := `<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>`
	props := func(inner string) string {
		return head + `<Node><NodeName>a</NodeName><DFProperties>` + inner + `</DFProperties></Node></MgmtTree>`
	}
	tests := []struct{ name, in string }{
		{"NodeName with slash", head + `<Node><NodeName>` + big + `/</NodeName></Node></MgmtTree>`},
		{"NodeName not a name", head + `<Node><NodeName>` + big + `%G</NodeName></Node></MgmtTree>`},
		{"Path", head + `<Node><NodeName>a</NodeName><Path>` + big + `%G</Path></Node></MgmtTree>`},
		{"AccessType", props(`<AccessType><A` + big + `/></AccessType>`)},
		{"DFFormat", props(`<DFFormat><A` + big + `/></DFFormat>`)},
		{"Scope", props(`<Scope><A` + big + `/></Scope>`)},
		{"Occurrence", props(`<Occurrence><A` + big + `/></Occurrence>`)},
		{"Occurrence bound", props(`<Occurrence><ZeroOrN>` + big + `</ZeroOrN></Occurrence>`)},
		{"Range", props(`<DFFormat><int/></DFFormat><MSFT:AllowedValues ValueType="Range"><MSFT:Value>` + big + `</MSFT:Value></MSFT:AllowedValues>`)},
		{"element in Node", head + `<Node><NodeName>a</NodeName><A` + big + `/></Node></MgmtTree>`},
		{"element in MgmtTree", head + `<A` + big + `/></MgmtTree>`},
		{"element in text", head + `<Node><NodeName>a<A` + big + `/></NodeName></Node></MgmtTree>`},
		{"root element", `<A` + big + `/>`},
		{"namespace", `<MgmtTree xmlns="` + big + `"></MgmtTree>`},
		// an encoding name of name characters: internal/xmlscan refuses
		// others, quoting them whole
		{"encoding", `<?xml version="1.0" encoding="` + strings.Repeat("x", 1<<20) + `"?>` + head + `</MgmtTree>`},
		{"attribute type", `<!DOCTYPE MgmtTree [<!ATTLIST MgmtTree a A` + big + ` #IMPLIED>]>` + head + `</MgmtTree>`},
		{"PI target", `<!DOCTYPE MgmtTree [<?a:` + big + ` x?>]>` + head + `</MgmtTree>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var de *ParseError
			if !errors.As(err, &de) {
				t.Fatalf("Parse: %.200v, want a *ParseError", err)
			}
			if msg := err.Error(); len(msg) > 1024 || !utf8.ValidString(msg) {
				t.Errorf("message of %d bytes (valid UTF-8 %v): %.200s", len(msg), utf8.ValidString(msg), msg)
			}
		})
	}
	v := &Violation{Command: "Get", CmdID: big, LocURI: "./a", Err: ErrNoSuchNode}
	if n := len(v.Error()); n > 1024 {
		t.Errorf("a Violation with a 1 MiB CmdID: message of %d bytes", n)
	}
}

// TestRegExAnchoredSame: Parse compiles each RegEx a second time
// anchored at both ends, and a value or name is checked with that form
// (a search that stops early on a long value that does not match); it
// takes exactly what the leftmost-longest search over the expression as
// written takes, here over expressions with alternations, flags, anchors
// and empty matches of their own and values around them.
func TestRegExAnchoredSame(t *testing.T) {
	exprs := []string{
		`[0-9]+`, `a|ab`, `(?m)^x$`, `^(\d\.)?(\d)$`, `x*`, ``, `(?i)abc`, `a$|b`, `^a|b$`, `\bfoo\b`,
		`(?s).+`, `.+`, `(a)|b)|(c`, `[0-9A-Fa-f]{8}\-[0-9A-Fa-f]{4}`, `(?U)a+`, `a\z`, `\Aa`, `(?m)$`,
	}
	values := []string{"", "a", "ab", "abb", "b", "ba", "x", "xx", "x\ny", "\n", "ABC", "abc", "foo", "foo bar",
		"123", "12a", "1.0", "1.0.0", "aaa", "0123abcd-ABCD", "0123abcd-ABCDx", "é", "\xff"}
	for _, e := range exprs {
		parsed := &AllowedValues{Type: ValueRegEx, Value: e}
		parsed.compileRegEx(new(int), math.MaxInt)
		if parsed.RegexpErr != nil {
			if e != `(a)|b)|(c` {
				t.Errorf("%q: %v", e, parsed.RegexpErr)
			}
			continue
		}
		if parsed.whole.re == nil {
			t.Errorf("%q: no anchored form", e)
			continue
		}
		byHand := &AllowedValues{Type: ValueRegEx, Value: e, Regexp: regexp.MustCompile(e)}
		for _, v := range values {
			if got, want := parsed.matchesWhole(v), byHand.matchesWhole(v); got != want {
				t.Errorf("%q over %q: anchored %v, leftmost-longest %v", e, v, got, want)
			}
		}
	}
	// a Regexp changed by hand after Parse is read as it now is
	a := &AllowedValues{Type: ValueRegEx, Value: `[0-9]+`}
	a.compileRegEx(new(int), math.MaxInt)
	a.Regexp = regexp.MustCompile(`[a-z]+`)
	if !a.matchesWhole("abc") || a.matchesWhole("123") {
		t.Error("a replaced Regexp is not the one read")
	}
}

// TestMaxRegExCost: the RegEx expressions of a DDF may cost up to
// MaxRegExCost in all, default 1,000,000: their bytes, 1,000 for each
// Unicode class escape and their programs' instructions, twice (as
// written and anchored). One more is a *LimitError naming the limit,
// given before the expression that goes over is parsed (Unicode classes)
// or compiled (repetitions). Without it, 120 KB of Unicode classes took
// seconds and tens of MB to parse.
func TestMaxRegExCost(t *testing.T) {
	ddf := func(exprs ...string) []byte {
		var b strings.Builder
		b.WriteString(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>`)
		for i, e := range exprs {
			fmt.Fprintf(&b, `<Node><NodeName>n%d</NodeName><DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat>`+
				`<MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>%s</MSFT:Value></MSFT:AllowedValues></DFProperties></Node>`, i, e)
		}
		b.WriteString(`</MgmtTree>`)
		return []byte(b.String())
	}
	// what one expression adds, as compileRegEx counts it
	cost := func(e string) int {
		re, err := syntax.Parse(e, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		return regExCost + len(e) + unicodeClassCost*(strings.Count(e, `\p`)+strings.Count(e, `\P`)) + 2*progSize(re, math.MaxInt-1)
	}
	guid := `[0-9A-Fa-f]{8}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{4}\-[0-9A-Fa-f]{12}`
	twoGUIDs := 2 * cost(guid)
	if _, err := ParseLimits(ddf(guid, guid), Limits{MaxRegExCost: twoGUIDs}); err != nil {
		t.Errorf("two GUID expressions, limit their cost %d: %v", twoGUIDs, err)
	}
	classes := strings.Repeat(`[\p{L}\p{N}]`, 10000) // 120 KB, 20,000 escapes
	repeats := strings.Repeat(`a{1000}`, 1000)       // 7 KB, 1,000,000 instructions
	for _, tt := range []struct {
		name string
		in   []byte
		lim  Limits
	}{
		{"one over", ddf(guid, guid), Limits{MaxRegExCost: twoGUIDs - 1}},
		{"many expressions", ddf(slices.Repeat([]string{`(?:abc|def)`}, 10000)...), Limits{}},
		{"Unicode classes", ddf(classes), Limits{}},
		{"repetitions", ddf(repeats), Limits{}},
		{"many small", ddf(slices.Repeat([]string{`\pL{100}`}, 1000)...), Limits{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ParseLimits(tt.in, tt.lim)
			runtime.ReadMemStats(&after)
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "MaxRegExCost" || !errors.Is(err, ErrLimit) {
				t.Fatalf("ParseLimits: %.200v, want a *LimitError for MaxRegExCost", err)
			}
			want := int64(tt.lim.withDefaults().MaxRegExCost)
			if le.Max != want || le.Offset <= 0 || !strings.HasPrefix(le.Path, "/MgmtTree/Node") {
				t.Errorf("LimitError %+v, want Max %d and the refused expression's place", le, want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
				t.Errorf("refusing it allocated %d MB", n>>20)
			}
		})
	}
	// the spec DDFs' expressions cost a few GUIDs' worth
	files, _ := filepath.Glob(filepath.Join(specDir, "*.xml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseLimits(b, Limits{MaxRegExCost: DefaultMaxRegExCost / 100}); err != nil {
			t.Errorf("%s with MaxRegExCost %d: %v", filepath.Base(f), DefaultMaxRegExCost/100, err)
		}
	}
}

// TestListIndexSame: a list's items are read against an ENUM of more
// than enumScan values through an index, and against a Flag set with its
// mask computed once; either way Allows answers as reading each item
// alone with allowsOne does, error text included, over random sets and
// lists of numbers in several spellings, text and spaces. So does one
// value read through the index Check makes.
func TestListIndexSame(t *testing.T) {
	pool := []string{"0", "1", "01", "0x1", "+1", "-0", " 2", "2\n", "0x10", "16", "a", "A", " a ", "", " ", "-1",
		"18446744073709551615", "0xFFFFFFFFFFFFFFFF", "x1", "1_0", "3", "4", "0x4", "5", "7", "8"}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 4000 {
		a := &AllowedValues{Type: ValueENUM, Delimiter: ","}
		if i%2 == 1 {
			a.Type = ValueFlag
		}
		for range rng.IntN(3 * enumScan) {
			a.Enums = append(a.Enums, Enum{Value: pool[rng.IntN(len(pool))]})
		}
		items := make([]string, 1+rng.IntN(6))
		for j := range items {
			items[j] = pool[rng.IntN(len(pool))]
		}
		value := strings.Join(items, ",")
		var want error // an empty list is allowed
		for _, v := range items {
			if value == "" {
				break
			}
			if want = a.allowsOne(v); want != nil {
				break
			}
		}
		got := a.Allows(value)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s of %d values %q: Allows(%q) = %v, item by item %v", a.Type, len(a.Enums), a.Enums, value, got, want)
		}
		if a.Type == ValueENUM {
			// one value read through an index Check made, as a list is
			one := *a
			one.Delimiter = ""
			if got, want := one.allows(items[0], one.enumSet()), one.allowsOne(items[0]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("ENUM of %d values %q: allows(%q) by the index = %v, one by one %v", len(a.Enums), a.Enums, items[0], got, want)
			}
		}
	}
}

// TestLookupURIErrorBounded: a malformed LocURI of 1 MiB is refused
// with an error that still matches ErrURI and syncml.ErrLocURI but
// shows the URI cut in the middle (its reason, at the end, kept), in
// Lookup's error and in Check's violation; syncml's own error quotes it
// whole and was shown so.
func TestLookupURIErrorBounded(t *testing.T) {
	tr := mustParseSpec(t, "DMClient.xml")
	for _, u := range []string{
		"./Device/" + strings.Repeat("a", 1<<20) + "/%FF",
		strings.Repeat("%G", 1<<19),
		"./Device/Vendor/MSFT/DMClient/Provider/" + strings.Repeat("a/", 1<<19),
	} {
		_, err := tr.Lookup(u)
		if !errors.Is(err, ErrURI) || !errors.Is(err, syncml.ErrLocURI) {
			t.Errorf("Lookup(%.20q…) = %.100v, want ErrURI and syncml.ErrLocURI", u, err)
			continue
		}
		if n := len(err.Error()); n > 1024 {
			t.Errorf("Lookup(%.20q…): message of %d bytes", u, n)
		}
		var ce *CheckError
		if !errors.As(tr.Check(&syncml.Get{CmdID: "1", Items: []syncml.Item{item(u, nil)}}), &ce) || len(ce.Violations) != 1 {
			t.Fatalf("Check(%.20q…): want one violation", u)
		}
		if v := ce.Violations[0]; !errors.Is(v, ErrURI) || len(v.Detail) > 1024 || len(v.Error()) > 2048 {
			t.Errorf("Check(%.20q…): violation %v, Detail of %d bytes, message of %d", u, v.Err, len(v.Detail), len(v.Error()))
		}
	}
}
