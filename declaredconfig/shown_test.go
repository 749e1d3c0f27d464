package declaredconfig

import (
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// maxMessage is what TestMessagesBounded allows one error message or
// reason: a few shown pieces of input and the words around them.
const maxMessage = 1 << 10

// leaves returns the errors errors.Join put together in err (err itself
// when it joins none). An error wrapping several with fmt.Errorf is a
// leaf: its message is one.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && fmt.Sprintf("%T", err) == "*errors.joinError" {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// checkBounded fails when err is nil or one of its messages is longer
// than maxMessage.
func checkBounded(t *testing.T, name string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	for _, e := range leaves(err) {
		if n := len(e.Error()); n > maxMessage {
			t.Errorf("%s: message of %d bytes: %.200s…", name, n, e.Error())
		} else if testing.Verbose() {
			t.Logf("%s: %d bytes", name, n)
		}
	}
}

// TestMessagesBounded: a document with a megabyte of text in each place
// an error message shows gives messages of at most a kibibyte each.
func TestMessagesBounded(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	id := "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	target := DocumentURI(Device, Complete, id)
	base := func() *Document {
		return &Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "C1", Scenario: ScenarioVPN,
			CSPs: []CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "True"}}}}}
	}
	validate := []struct {
		name   string
		edit   func(d *Document)
		target URI
		opts   []ValidateOption
	}{
		{"id", func(d *Document) { d.ID = big }, target, nil},
		{"target DocID", nil, DocumentURI(Device, Complete, big), nil},
		{"context", func(d *Document) { d.Context = big }, target, nil},
		{"scenario", func(d *Document) { d.Scenario = big }, target, []ValidateOption{StrictScenario}},
		{"default namespace", func(d *Document) { d.Attrs = []Attr{{Name: "xmlns", Value: big}} }, target, nil},
		{"CSP name", func(d *Document) { d.CSPs[0].Name = big; d.CSPs[0].Settings[0].Path = "" }, target, nil},
		{"CSP name of a setting", func(d *Document) { d.CSPs[0].Name = big + "?" }, target, nil},
		{"path", func(d *Document) { d.CSPs[0].Settings[0].Path = big + "?" }, target, nil},
		{"type", func(d *Document) { d.CSPs[0].Settings[0].Type = big }, target, nil},
		{"bool value", func(d *Document) { d.CSPs[0].Settings[0].Value = big }, target, nil},
		{"int value", func(d *Document) { d.CSPs[0].Settings[0].Type, d.CSPs[0].Settings[0].Value = "int", big }, target, nil},
		{"DSC class", func(d *Document) { d.DSCs = []DSC{{ClassName: big, Keys: []Param{{Name: ""}}}} }, target, nil},
		{"DSC parameter", func(d *Document) {
			d.DSCs = []DSC{{ClassName: big, Namespace: "n", Keys: []Param{{Name: big}}, Values: []Param{{Name: big}}}}
		}, target, nil},
		{"property", func(d *Document) {
			d.Reflected = &ReflectedProperties{Properties: []Property{{Name: big, Type: big}, {Name: big, Type: "bool", Value: big}}}
		}, target, nil},
	}
	for _, c := range validate {
		d := base()
		if c.edit != nil {
			c.edit(d)
		}
		checkBounded(t, "Validate: "+c.name, d.Validate(c.target, c.opts...))
	}

	// Decoding, under limits raised so that the text reaches the check.
	lim := Limits{MaxBytes: 8 << 20, MaxTokenBytes: 4 << 20}
	docAt := func(root string) string { return "<" + root + ` schema="1.0"/>` }
	decode := []struct {
		name string
		text string
		v    Decodable
	}{
		{"document root", docAt(big), &Document{}},
		{"document root in a namespace", `<p:DeclaredConfiguration xmlns:p="` + big + `"/>`, &Document{}},
		{"result root", docAt(big), &Result{}},
		{"summary root", docAt(big), &Summary{}},
		{"instance blob root", docAt(big), &InstanceBlob{}},
		{"not a qualified name", docAt("a:b:" + big), &Document{}},
		{"undeclared prefix", docAt(big + ":a"), &Document{}},
		{"end tag", "<" + big + "></" + big + "y>", &Document{}},
		{"attribute twice", `<DeclaredConfiguration ` + big + `="1" ` + big + `="2"/>`, &Document{}},
		{"XML version", `<?xml version="` + big + `"?><DeclaredConfiguration/>`, &Document{}},
		{"PI target", `<?a:` + big + ` x?><DeclaredConfiguration/>`, &Document{}},
	}
	for _, c := range decode {
		checkBounded(t, "UnmarshalLimits: "+c.name, UnmarshalLimits([]byte(c.text), c.v, lim))
	}

	// Reading values and URIs.
	_, err := ParseURI("./Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + big + "/Document")
	checkBounded(t, "ParseURI: DocID", err)
	_, err = ParseURI("./Vendor/MSFT/" + big)
	checkBounded(t, "ParseURI: other node", err)
	_, err = ParseURI("./Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + big + "//Document")
	checkBounded(t, "ParseURI: not a LocURI", err)
	checkBounded(t, "CheckDocID", CheckDocID(big))
	_, err = ParseState(big)
	checkBounded(t, "ParseState", err)
	_, err = ParseInt(big)
	checkBounded(t, "ParseInt", err)

	// Writing.
	write := []struct {
		name string
		edit func(d *Document)
	}{
		{"attribute name", func(d *Document) { d.Attrs = []Attr{{Name: "1" + big}} }},
		{"attribute given twice", func(d *Document) { d.Attrs = []Attr{{Name: big}, {Name: big}} }},
		{"namespace declaration", func(d *Document) { d.Attrs = []Attr{{Name: "xmlns:" + big, Value: ""}} }},
		{"undeclared prefix", func(d *Document) { d.Attrs = []Attr{{Name: big + ":a"}} }},
		{"attribute value", func(d *Document) { d.Attrs = []Attr{{Name: big, Value: "\x00"}} }},
		{"kept element", func(d *Document) { d.Unknown = []string{big} }},
		{"kept element not closed", func(d *Document) { d.Unknown = []string{"<" + big + ">"} }},
		{"markup value", func(d *Document) { d.CSPs[0].Settings[0].Value, d.CSPs[0].Settings[0].Markup = "<a:"+big+"/>", true }},
	}
	for _, c := range write {
		d := base()
		c.edit(d)
		_, err := d.MarshalText()
		checkBounded(t, "MarshalText: "+c.name, err)
	}
}

// TestReplyReasonsBounded: the reasons of an Evaluation and the errors of
// ReadReply show a device's text bounded. The text is as long as the
// default limits let a summary or result hold.
func TestReplyReasonsBounded(t *testing.T) {
	big := strings.Repeat("x", 400<<10)
	_, err := ReadReply(msg(big, &syncml.Alert{CmdID: "9", Data: syncml.AlertClientEvent.Data(),
		Items: []syncml.Item{{Meta: &syncml.Meta{Type: SummaryType}, Data: syncml.Text("<" + big + "/>")}}}), msg("2"))
	checkBounded(t, "ReadReply", err)

	get := func(u URI) []Sent {
		return []Sent{{MsgID: "1", Command: &syncml.Get{CmdID: "2", Items: []syncml.Item{{Target: target(u)}}}}}
	}
	u := DocumentURI(Device, Complete, docB)
	cases := []struct {
		name    string
		cmds    []syncml.Command
		sent    []Sent
		desired Desired
	}{
		{"result of another document", []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2",
			Items: []syncml.Item{{Data: syncml.Text(resultXML("Device", big, "B1", "200"))}}}}, get(ResultsURI(Device, Complete, docB)), Desired{URI: u, Checksum: "B1"}},
		{"result of another context", []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2",
			Items: []syncml.Item{{Data: syncml.Text(resultXML(big, docB, "B1", "200"))}}}}, get(ResultsURI(Device, Complete, docB)), Desired{URI: u, Checksum: "B1"}},
		{"document of another id", []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2",
			Items: []syncml.Item{{Data: syncml.Text(documentXML(big, "B1"))}}}}, get(u), Desired{URI: u, Checksum: "B1"}},
		{"result not read", []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2",
			Items: []syncml.Item{{Data: syncml.Text("<" + big + "/>")}}}}, get(ResultsURI(Device, Complete, docB)), Desired{URI: u, Checksum: "B1"}},
		{"not sent", []syncml.Command{&syncml.Results{CmdID: "1", MsgRef: big, CmdRef: big,
			Items: []syncml.Item{{Source: source(big), Data: syncml.Text("x")}}}}, nil, Desired{URI: u, Checksum: "B1"}},
		{"status of an unknown command", []syncml.Command{&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: big, Cmd: big, Data: syncml.Text("200")}},
			nil, Desired{URI: u, Checksum: "B1"}},
		{"checksum held", []syncml.Command{summaryOf(docB, big)}, nil, Desired{URI: u, Checksum: "B1"}},
		{"setting failed", []syncml.Command{summaryOf(docB, "B1"), &syncml.Results{CmdID: "1", MsgRef: "1", CmdRef: "2",
			Items: []syncml.Item{{Data: syncml.Text(strings.Replace(resultXML("Device", docB, "B1", "500"),
				"PFXCertInstall/T1/KeyLocation", big, 1))}}}}, get(ResultsURI(Device, Complete, docB)), Desired{URI: u, Checksum: "B1"}},
	}
	for _, c := range cases {
		r, err := ReadReply(msg("2", c.cmds...))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ev := r.Evaluate([]Desired{c.desired}, c.sent)
		var reasons []string
		for _, d := range ev.Documents {
			reasons = append(reasons, d.Reason)
		}
		for _, um := range ev.Unmatched {
			reasons = append(reasons, um.Reason)
			if um.Err != nil {
				reasons = append(reasons, um.Err.Error())
			}
		}
		long := false
		for _, s := range reasons {
			if len(s) > maxMessage {
				t.Errorf("%s: reason of %d bytes: %.200s…", c.name, len(s), s)
			}
			long = long || strings.Contains(s, "xxxxxxxx")
		}
		if !long {
			t.Errorf("%s: no reason shows the text (%q): the case checks nothing", c.name, reasons)
		}
	}
}
