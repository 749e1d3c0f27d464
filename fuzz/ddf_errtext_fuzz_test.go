package fuzz

import (
	"strings"
	"testing"
	"unicode"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
)

// FuzzDDFErrorText checks that no error text of ddf can break or forge a
// log line: a DDF (parsed under fuzzLimits; the seed DDF when it does not
// parse) and a peer's LocURI, value, Meta Format and CmdID go through
// ParseLimits, Lookup, Check (of a command, of it inside an Atomic, of
// every node of the tree named by its path with the value) and
// AllowedValues.Allows, and no error they return has a control character
// (C0, DEL, C1) or U+2028/U+2029 in its text: what the input held there
// is quoted (as Go quotes it) or left out, the DDF's own names, titles
// and allowed values as much as the peer's.
func FuzzDDFErrorText(f *testing.F) {
	seed, err := ddf.Parse([]byte(ddfSeed))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(ddfSeed), uint8(0), "./Device/Vendor/MSFT/Fz/a\n/Mode", "1\n2", "chr\r", "7\u2028")
	f.Add([]byte(ddfSeed), uint8(1), "./Vendor/MSFT/Fz/a/Minutes", "2\u20299", "int", "1")
	f.Add([]byte(ddfSeed), uint8(0), "./Vendor/MSFT/Fz/%0A/Minutes", "2\n9", "int", "1")
	f.Add([]byte(ddfSeed), uint8(2), "./Device/Vendor/MSFT/Fz/Docs/%0D%0Aforged/Doc", "x", "int", "\x1b[2J")
	f.Add([]byte(ddfSeed), uint8(3), "./Device/Vendor/MSFT/Fz/x/Version\x85", "\u2028", "", "")
	f.Add([]byte("<MgmtTree><Node><NodeName>A\nB</NodeName></Node></MgmtTree>"), uint8(0), "./A", "", "", "")
	// values of the DDF's own with line breaks in them (as character
	// references): an ENUM value and a RegEx that an error quotes, a
	// DFTitle in the path a NameError names
	ns := ` xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"`
	for _, av := range []string{`<MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>a&#10;forged</MSFT:Value></MSFT:Enum></MSFT:AllowedValues>`,
		`<MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>^a&#x2028;b$</MSFT:Value></MSFT:AllowedValues>`} {
		f.Add([]byte(`<MgmtTree`+ns+`><Node><NodeName>A</NodeName><DFProperties><DFFormat><chr/></DFFormat>`+av+`</DFProperties></Node></MgmtTree>`), uint8(0), "./A", "zz", "", "1")
	}
	f.Add([]byte(`<MgmtTree`+ns+`><Node><NodeName>A</NodeName><DFProperties><DFFormat><node/></DFFormat></DFProperties><Node><NodeName></NodeName><DFProperties><DFFormat><node/></DFFormat><DFTitle>T&#13;x</DFTitle>`+
		`<MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>q</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties><Node><NodeName>B</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node></Node></Node></MgmtTree>`),
		uint8(0), "./A/zz/B", "zz", "", "1")
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, uri, value, format, cmdID string) {
		tree, err := ddf.ParseLimits(data, fuzzLimits)
		if err != nil {
			checkErrText(t, "ParseLimits", err)
			tree = seed
		}
		_, err = tree.Lookup(uri)
		checkErrText(t, "Lookup", err)
		it := syncml.Item{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(value)}
		if format != "" {
			it.Meta = &syncml.Meta{Format: format}
		}
		items := []syncml.Item{it, {Source: &syncml.Location{LocURI: uri}, Data: syncml.Text(value)}}
		var cmd syncml.Command
		switch kind % 5 {
		case 0:
			cmd = &syncml.Replace{CmdID: cmdID, Items: items}
		case 1:
			cmd = &syncml.Add{CmdID: cmdID, Items: items}
		case 2:
			cmd = &syncml.Exec{CmdID: cmdID, Items: items}
		case 3:
			cmd = &syncml.Delete{CmdID: cmdID, Items: items}
		default:
			cmd = &syncml.Results{CmdID: cmdID, Items: items}
		}
		checkErrText(t, "Check", tree.Check(cmd))
		checkErrText(t, "Check of an Atomic", tree.Check(&syncml.Atomic{CmdID: cmdID, Commands: []syncml.Command{cmd}}))
		n := 0
		tree.Walk(func(node *ddf.Node) bool {
			if n++; n > 64 {
				return false
			}
			if node.Allowed != nil {
				checkErrText(t, "Allows", node.Allowed.Allows(value))
			}
			// the node's own path (its {Title} segments as written) and
			// the path filled in, with the peer's value and CmdID
			for _, u := range []string{node.Path(), fill(node.Path())} {
				_, err := tree.Lookup(u)
				checkErrText(t, "Lookup of a node's path", err)
				c := &syncml.Replace{CmdID: cmdID, Items: []syncml.Item{{Target: &syncml.Location{LocURI: u}, Data: syncml.Text(value)}}}
				checkErrText(t, "Check of a node's path", tree.Check(c))
			}
			return true
		})
	})
}

// checkErrText fails when err's text has a character that breaks or
// forges a line of a log: a control character (C0, DEL, C1) or a Unicode
// line or paragraph separator.
func checkErrText(t *testing.T, op string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	s := err.Error()
	if i := strings.IndexFunc(s, breaksLogLine); i >= 0 {
		t.Fatalf("%s: the error text has %q at byte %d: %q", op, []rune(s[i:])[0], i, s)
	}
}

// breaksLogLine reports whether r is a control character (C0, DEL, C1)
// or a Unicode line or paragraph separator.
func breaksLogLine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
