package ddf

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func item(uri string, d *syncml.Data) syncml.Item {
	return syncml.Item{Target: &syncml.Location{LocURI: uri}, Data: d}
}

func fmtItem(uri, format string, d *syncml.Data) syncml.Item {
	it := item(uri, d)
	it.Meta = &syncml.Meta{Format: format}
	return it
}

func TestCheck(t *testing.T) {
	tr := mustParseSpec(t, "DMClient.xml")
	const p = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/"
	const le = p + "LinkedEnrollment/"
	type v struct {
		item int
		err  error
	}
	tests := []struct {
		name string
		cmd  syncml.Command
		want []v
	}{
		{"replace endpoint", &syncml.Replace{CmdID: "2", Items: []syncml.Item{item(le+"DiscoveryEndpoint", syncml.Text("https://x/"))}}, nil},
		{"add endpoint chr", &syncml.Add{CmdID: "2", Meta: &syncml.Meta{Format: "chr"}, Items: []syncml.Item{item(le+"DiscoveryEndpoint", syncml.Text("https://x/"))}}, nil},
		{"exec enroll", &syncml.Exec{CmdID: "3", Items: []syncml.Item{item(le+"Enroll", nil)}}, nil},
		{"get status", &syncml.Get{CmdID: "4", Items: []syncml.Item{item(le+"EnrollStatus", nil), item(le+"LastError", nil)}}, nil},
		{"delete endpoint", &syncml.Delete{CmdID: "5", Items: []syncml.Item{item(le+"DiscoveryEndpoint", nil)}}, nil},
		{"vendor shorthand", &syncml.Get{Items: []syncml.Item{item("./Vendor/MSFT/DMClient/HWDevID", nil)}}, nil},
		{"no such node", &syncml.Get{Items: []syncml.Item{item(le+"Nope", nil)}}, []v{{0, ErrNoSuchNode}}},
		{"bad uri", &syncml.Get{Items: []syncml.Item{item(le+"%G0", nil)}}, []v{{0, ErrURI}}},
		{"no target", &syncml.Get{Items: []syncml.Item{{}}}, []v{{0, ErrURI}}},
		{"replace read-only", &syncml.Replace{Items: []syncml.Item{fmtItem(le+"EnrollStatus", "int", syncml.Text("4"))}}, []v{{0, ErrAccessType}}},
		{"exec not exec", &syncml.Exec{Items: []syncml.Item{item(le+"DiscoveryEndpoint", nil)}}, []v{{0, ErrAccessType}}},
		{"get exec-only", &syncml.Get{Items: []syncml.Item{item(le+"Enroll", nil)}}, []v{{0, ErrAccessType}}},
		{"format mismatch", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigRefresh/Cadence", "chr", syncml.Text("90"))}}, []v{{0, ErrFormat}}},
		{"default format is chr", &syncml.Replace{Items: []syncml.Item{item(p+"ConfigRefresh/Cadence", syncml.Text("90"))}}, []v{{0, ErrFormat}}},
		{"command meta applies", &syncml.Replace{Meta: &syncml.Meta{Format: "int"}, Items: []syncml.Item{item(p+"ConfigRefresh/Cadence", syncml.Text("90"))}}, nil},
		{"out of range", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigRefresh/Cadence", "int", syncml.Text("29"))}}, []v{{0, ErrValue}}},
		{"not an int", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigRefresh/PausePeriod", "int", syncml.Text("ten"))}}, []v{{0, ErrValue}}},
		{"bool", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigRefresh/Enabled", "bool", syncml.Text("maybe"))}}, []v{{0, ErrValue}}},
		{"bool ok", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigRefresh/Enabled", "bool", syncml.Text("true"))}}, nil},
		{"enum", &syncml.Replace{Items: []syncml.Item{fmtItem(p+"ConfigLock/Lock", "int", syncml.Text("7"))}}, []v{{0, ErrValue}}},
		{"regex", &syncml.Replace{Items: []syncml.Item{item(p+"SyncApplicationVersion", syncml.Text("2.0"))}}, nil},
		{"regex miss", &syncml.Replace{Items: []syncml.Item{item(p+"SyncApplicationVersion", syncml.Text("2.0.1"))}}, []v{{0, ErrValue}}},
		{"chunk not read", &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: p + "SyncApplicationVersion"}, Data: syncml.Text("2."), MoreData: true}}}, nil},
		{"device node under user", &syncml.Get{Items: []syncml.Item{item("./User/Vendor/MSFT/DMClient/Provider/X/LinkedEnrollment/EnrollStatus", nil)}}, []v{{0, ErrScope}}},
		{"delete permanent", &syncml.Delete{Items: []syncml.Item{item(p+"FirstSyncStatus/SkipUserStatusPage", nil)}}, []v{{0, ErrAccessType}, {0, ErrScope}}},
		{"add interior node", &syncml.Add{Items: []syncml.Item{fmtItem(p+"Poll", "node", nil)}}, nil},
		{"interior with data", &syncml.Add{Items: []syncml.Item{fmtItem(p+"Poll", "node", syncml.Text("x"))}}, []v{{0, ErrValue}}},
		{"results", &syncml.Results{Items: []syncml.Item{{Source: &syncml.Location{LocURI: le + "EnrollStatus"}, Data: syncml.Text("4")}}}, nil},
		{"results not readable", &syncml.Results{Items: []syncml.Item{{Source: &syncml.Location{LocURI: le + "Enroll"}}, {}}}, []v{{0, ErrAccessType}, {1, ErrURI}}},
		{"copy", &syncml.Copy{Items: []syncml.Item{{Target: &syncml.Location{LocURI: le + "DiscoveryEndpoint"}, Source: &syncml.Location{LocURI: le + "Enroll"}}}}, []v{{0, ErrAccessType}, {0, ErrAccessType}}},
		{"status and alert pass", &syncml.Atomic{Commands: []syncml.Command{&syncml.Status{}, &syncml.Alert{}, &syncml.Unknown{Name: "Map"}}}, nil},
		{"atomic descends", &syncml.Atomic{CmdID: "1", Commands: []syncml.Command{
			&syncml.Replace{CmdID: "2", Items: []syncml.Item{item(le+"DiscoveryEndpoint", syncml.Text("u")), item(le+"EnrollStatus", syncml.Text("1"))}},
			&syncml.Sequence{CmdID: "3", Commands: []syncml.Command{&syncml.Exec{CmdID: "4", Items: []syncml.Item{item(le+"Missing", nil)}}}},
		}}, []v{{1, ErrAccessType}, {1, ErrFormat}, {0, ErrNoSuchNode}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tr.Check(tt.cmd)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Check = %v, want *CheckError", err)
			}
			if len(ce.Violations) != len(tt.want) {
				t.Fatalf("Check = %v, want %d violations", err, len(tt.want))
			}
			for i, w := range tt.want {
				got := ce.Violations[i]
				if got.Item != w.item || !errors.Is(got, w.err) {
					t.Errorf("violation %d = item %d %v, want item %d %v", i, got.Item, got.Err, w.item, w.err)
				}
			}
			for _, w := range tt.want {
				if !errors.Is(err, w.err) {
					t.Errorf("errors.Is(CheckError, %v) = false", w.err)
				}
			}
		})
	}
}

func TestCheckViolationFields(t *testing.T) {
	tr := mustParseSpec(t, "DMClient.xml")
	uri := "./Device/Vendor/MSFT/DMClient/Provider/P/LinkedEnrollment/EnrollStatus"
	err := tr.Check(&syncml.Sequence{CmdID: "9", Commands: []syncml.Command{
		&syncml.Replace{CmdID: "10", Items: []syncml.Item{{}, fmtItem(uri, "int", syncml.Text("4"))}},
	}})
	var v *Violation
	if !errors.As(err, &v) {
		t.Fatalf("Check = %v", err)
	}
	// errors.As finds the first violation: item 0 without a Target.
	if v.Command != "Replace" || v.CmdID != "10" || v.Item != 0 || v.Err != ErrURI {
		t.Errorf("first violation = %+v", v)
	}
	want := `ddf: 2 violations; Replace "10" item 0: malformed LocURI: Replace item has no Target LocURI; Replace "10" item 1 ` + uri + `: command not in AccessType: Replace not in AccessType Get`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
}

// TestCheckNilAndCycle: a nil or typed nil command (alone or inside
// Atomic/Sequence) addresses no node and passes, as Validate is where it
// is reported; a group that contains itself is checked once.
func TestCheckNilAndCycle(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(16 << 20))
	tr := mustParseSpec(t, "DMClient.xml")
	bad := &syncml.Get{Items: []syncml.Item{item("./Device/Vendor/MSFT/DMClient/Nope", nil)}}
	self := &syncml.Sequence{}
	self.Commands = []syncml.Command{self, bad}
	for name, cmd := range map[string]syncml.Command{
		"nil":           nil,
		"nil Add":       (*syncml.Add)(nil),
		"nil Copy":      (*syncml.Copy)(nil),
		"nil Results":   (*syncml.Results)(nil),
		"nil Atomic":    (*syncml.Atomic)(nil),
		"nil in Atomic": &syncml.Atomic{Commands: []syncml.Command{(*syncml.Replace)(nil), nil, (*syncml.Sequence)(nil)}},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: Check panics: %v", name, r)
				}
			}()
			if err := tr.Check(cmd); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}()
	}
	var ce *CheckError
	if err := tr.Check(self); !errors.As(err, &ce) || len(ce.Violations) != 1 || !errors.Is(ce.Violations[0].Err, ErrNoSuchNode) {
		t.Errorf("self-containing Sequence: %v, want one ErrNoSuchNode", err)
	}
}

// TestCheckInt32: an int value is a decimal or 0x hexadecimal number
// within a signed 32-bit integer's range, the DDF's int format: the
// unsigned values past 2147483647, a 64-bit value that wrapped to -1, or
// Go's octal, binary and underscore forms, are not.
func TestCheckInt32(t *testing.T) {
	tr, err := Parse([]byte(`<MgmtTree><Node><NodeName>I</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	for v, ok := range map[string]bool{
		"0": true, "-2147483648": true, "2147483647": true, "0x7FFFFFFF": true, "-0x80000000": true, " 010 ": true, "-0x10": true,
		"2147483648": false, "0x80000000": false, "4294967295": false, "0xFFFFFFFF": false, "-0x80000001": false,
		"4294967296": false, "-2147483649": false, "18446744073709551615": false, "0xFFFFFFFFFFFFFFFF": false,
		"1_000": false, "0b101": false, "0o17": false, "": false,
	} {
		err := tr.Check(&syncml.Replace{Items: []syncml.Item{fmtItem("./I", "int", syncml.Text(v))}})
		if (err == nil) != ok || err != nil && !errors.Is(err, ErrValue) {
			t.Errorf("Replace int %q: %v, want ok=%v", v, err, ok)
		}
	}
}

// TestCheckFloat: a float value is written as XML Schema writes floats,
// within a 32-bit float's range: Go's own forms (hexadecimal, Inf,
// infinity, nan) are not floats.
func TestCheckFloat(t *testing.T) {
	tr, err := Parse([]byte(`<MgmtTree><Node><NodeName>F</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><float/></DFFormat></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	for v, ok := range map[string]bool{
		"1": true, "-1.5": true, ".5": true, "5.": true, "1e3": true, "1.5E-3": true, " +2.0e+2 ": true,
		"INF": true, "-INF": true, "NaN": true, "3.4e38": true,
		"0x1p-2": false, "Inf": false, "infinity": false, "nan": false, "inf": false, "1e39": false,
		"1_0": false, ".": false, "e3": false, "1e": false, "": false, "1.2.3": false,
	} {
		err := tr.Check(&syncml.Replace{Items: []syncml.Item{fmtItem("./F", "float", syncml.Text(v))}})
		if (err == nil) != ok || err != nil && !errors.Is(err, ErrValue) {
			t.Errorf("Replace float %q: %v, want ok=%v", v, err, ok)
		}
	}
}

// TestCheckFormatSpaces: a Meta Format is read without the XML spaces
// around it, a blank one counting as absent, as the LinkedEnrollment
// device of dmclient/device reads it; no-break spaces are not XML spaces.
func TestCheckFormatSpaces(t *testing.T) {
	tr, err := Parse([]byte(`<MgmtTree><Node><NodeName>I</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node></MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		item, cmd string
		ok        bool
	}{
		{" int\r\n", "", true},
		{"\tint", "chr", true},
		{" ", "int", true},
		{"", " int ", true},
		{"\u00a0int", "", false},
		{"int\u0085", "", false},
		{" ", "", false}, // chr by default
	} {
		it := fmtItem("./I", tc.item, syncml.Text("1"))
		c := &syncml.Replace{Items: []syncml.Item{it}}
		if tc.cmd != "" {
			c.Meta = &syncml.Meta{Format: tc.cmd}
		}
		err := tr.Check(c)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrFormat) {
			t.Errorf("item Format %q, command Format %q: %v, want ok=%v", tc.item, tc.cmd, err, tc.ok)
		}
	}
}

// TestItemFormat: the item's Format wins over the command's, each read
// without the XML spaces around it, a blank one counting as absent; with
// neither, the caller's default comes back.
func TestItemFormat(t *testing.T) {
	m := func(f string) *syncml.Meta { return &syncml.Meta{Format: f} }
	for _, tc := range []struct {
		item, cmd *syncml.Meta
		absent    Format
		want      Format
	}{
		{nil, nil, FormatChr, FormatChr},
		{nil, nil, "", ""},
		{m("int"), m("chr"), FormatChr, FormatInt},
		{m(" \t"), m(" int\n"), FormatChr, FormatInt},
		{nil, m(""), FormatInt, FormatInt},
		{m("\u00a0b64"), nil, FormatChr, "\u00a0b64"},
		{&syncml.Meta{Type: "text/plain"}, nil, FormatBool, FormatBool},
	} {
		if got := ItemFormat(tc.item, tc.cmd, tc.absent); got != tc.want {
			t.Errorf("ItemFormat(%+v, %+v, %q) = %q, want %q", tc.item, tc.cmd, tc.absent, got, tc.want)
		}
	}
}

// TestCheckValueSpaces: a value is read with the XML spaces around it
// ignored and no others, as the device and dmclient's readers read it:
// before, Check took "\u00a05" as the int 5 (strings.TrimSpace), which
// the device refuses.
func TestCheckValueSpaces(t *testing.T) {
	tr, err := Parse([]byte(`<MgmtTree>` +
		`<Node><NodeName>I</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><int/></DFFormat></DFProperties></Node>` +
		`<Node><NodeName>B</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><bool/></DFFormat></DFProperties></Node>` +
		`<Node><NodeName>F</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><float/></DFFormat></DFProperties></Node>` +
		`<Node xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><NodeName>E</NodeName><DFProperties><AccessType><Replace/></AccessType><DFFormat><chr/></DFFormat>` +
		`<MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>true</MSFT:Value></MSFT:Enum><MSFT:Enum><MSFT:Value>false</MSFT:Value></MSFT:Enum></MSFT:AllowedValues></DFProperties></Node>` +
		`</MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		node, format, value string
		ok                  bool
	}{
		{"./I", "int", " 5\r\n", true},
		{"./I", "int", "\u00a05", false},
		{"./I", "int", "5\u0085", false},
		{"./B", "bool", "\ttrue ", true},
		{"./B", "bool", "true\u00a0", false},
		{"./F", "float", " 1.5\n", true},
		{"./F", "float", "\u20001.5", false},
		// ENUM text too: before, " true" was not "true" though Range
		// and RegEx read their values without the spaces around.
		{"./E", "chr", " true\n", true},
		{"./E", "chr", "\tfalse", true},
		{"./E", "chr", "\u00a0true", false},
		{"./E", "chr", "True", false},
	} {
		c := &syncml.Replace{Items: []syncml.Item{fmtItem(tc.node, tc.format, syncml.Text(tc.value))}}
		if err := tr.Check(c); (err == nil) != tc.ok {
			t.Errorf("%s %q: %v, want ok=%v", tc.node, tc.value, err, tc.ok)
		}
	}
}

// TestCheckControlCharsQuoted: a peer's LocURI (or a refused NodeName)
// with a line end or another control character is shown quoted in the
// error message, so it cannot break or forge a log line, and a malformed
// LocURI is named malformed once.
func TestCheckControlCharsQuoted(t *testing.T) {
	tr := mustParseSpec(t, "DMClient.xml")
	for _, uri := range []string{"./Vendor/MSFT/DMClient/X\nlevel=INFO msg=fake", "./Vendor/MSFT/DMClient/X\rY", "./Vendor/MSFT/DMClient/\u0085X", "./Vendor/MSFT/DMClient/X\u2028Y"} {
		err := tr.Check(&syncml.Replace{CmdID: "1", Items: []syncml.Item{item(uri, syncml.Text("1"))}})
		if err == nil {
			t.Fatalf("%q: Check passes", uri)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r\u0085\u2028") {
			t.Errorf("%q: raw control character in %q", uri, msg)
		}
		if errors.Is(err, ErrURI) && strings.Count(msg, ErrURI.Error()) != 1 {
			t.Errorf("%q: %q names %q more than once", uri, msg, ErrURI.Error())
		}
	}
	_, err := Parse([]byte(`<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>a&#10;level=INFO</NodeName>` +
		`<DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat></DFProperties></Node></MgmtTree>`))
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Parse = %q, want an error without a raw line feed", err)
	}
}
