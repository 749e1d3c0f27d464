package declaredconfig

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/leanovate/gopter/prop"
)

// genWireItem is one Item of a generated message and whether its
// document should be read in the one pass.
type genWireItem struct {
	xml     string // the Item element
	onePass bool   // a matching markup Data the one pass takes
	match   bool   // the Item names a Document node
}

// Changes made to a document's markup: some the one pass takes, some it
// leaves to a second read, some that make the document (not the message)
// wrong.
var docEdits = []struct {
	name    string
	onePass bool
	edit    func(string) string
}{
	{"none", true, func(s string) string { return s }},
	{"CRLF between tags", true, func(s string) string { return strings.ReplaceAll(s, "><", ">\r\n<") }},
	{"comment and space around", true, func(s string) string { return " <!--a-->\n" + s + "<!--b--> " }},
	{"prefix declared around", true, func(s string) string {
		return strings.Replace(s, "<DeclaredConfiguration", `<DeclaredConfiguration o:m="1"`, 1)
	}},
	{"BOM", false, func(s string) string { return "\uFEFF" + s }},
	{"PI", false, func(s string) string { return "<?p?>" + s }},
	{"text before", false, func(s string) string { return "x" + s }},
	{"second root", false, func(s string) string { return s + "<DeclaredConfiguration/>" }},
	{"other root", false, func(s string) string { return "<Other>" + s + "</Other>" }},
	{"text in a structural element", false, func(s string) string { return "<DeclaredConfiguration>t" + s + "</DeclaredConfiguration>" }},
}

// genWire returns an Item carrying a generated document in a Data of a
// random kind, under a Target (or a Source) that names a Document node
// or another node.
func genWire(r *rand.Rand) genWireItem {
	doc := genDocument(r)
	b, err := doc.MarshalText()
	if err != nil {
		panic(err) // generated documents are writable (TestPropertyDocument)
	}
	e := docEdits[0]
	if r.Intn(2) == 0 {
		e = docEdits[r.Intn(len(docEdits))]
	}
	markup := e.edit(string(b))
	var data string
	onePass := false
	switch r.Intn(4) {
	case 0:
		data = esc(markup)
	case 1:
		if strings.Contains(markup, "]]>") {
			data = esc(markup)
		} else {
			data = "<![CDATA[" + markup + "]]>"
		}
	default:
		data, onePass = markup, e.onePass
	}
	uri := DocumentURI([]Scope{Device, User}[r.Intn(2)], []Host{Complete, Inventory}[r.Intn(2)], NewDocID()).String()
	match := true
	if r.Intn(4) == 0 {
		uri, match = "./Vendor/MSFT/Policy/Config/A", false
	}
	loc := `<Target><LocURI>` + uri + `</LocURI></Target>`
	if r.Intn(4) == 0 {
		loc = `<Source><LocURI>` + uri + `</LocURI></Source>`
	}
	return genWireItem{xml: `<Item>` + loc + `<Data>` + data + `</Data></Item>`, onePass: onePass && match, match: match}
}

// TestPropertyReadMessage checks, for generated messages of documents
// (in markup, CDATA and text, nested in Atomic and Sequence, some
// changed so that the one pass leaves them to a second read or refuses
// them), that ReadMessage gives the message, documents and errors the
// two-pass path gives, and that each markup document it can take is not
// lexed a second time.
func TestPropertyReadMessage(t *testing.T) {
	props := properties(t)
	props.Property("ReadMessage == Unmarshal + each Data decoded", prop.ForAll(func(seed int64) bool {
		r := rand.New(rand.NewSource(seed))
		var body strings.Builder
		items, onePass := 0, 0
		for i := r.Intn(3) + 1; i > 0; i-- {
			var cmd strings.Builder
			verb := []string{"Add", "Replace", "Results"}[r.Intn(3)]
			cmd.WriteString("<" + verb + "><CmdID>" + string(rune('1'+i)) + "</CmdID>")
			if verb == "Results" {
				cmd.WriteString("<MsgRef>1</MsgRef><CmdRef>1</CmdRef>")
			}
			for j := r.Intn(2) + 1; j > 0; j-- {
				it := genWire(r)
				cmd.WriteString(it.xml)
				if it.match {
					items++
				}
				if it.onePass {
					onePass++
				}
			}
			cmd.WriteString("</" + verb + ">")
			switch r.Intn(4) {
			case 0:
				body.WriteString(`<Atomic><CmdID>9</CmdID>` + cmd.String() + `</Atomic>`)
			case 1:
				body.WriteString(`<Sequence><CmdID>9</CmdID>` + cmd.String() + `</Sequence>`)
			default:
				body.WriteString(cmd.String())
			}
		}
		msg := []byte(strings.Replace(msgStart, "<SyncBody>", `<SyncBody xmlns:o="urn:o">`, 1) + body.String() + msgEnd)
		if err := sameAsTwoPass(msg, ReadOptions{}); err != nil {
			t.Logf("%v\n%s", err, msg)
			return false
		}
		lexed := 0
		onParse = func(string) { lexed++ }
		defer func() { onParse = nil }()
		_, got, err := ReadMessage(msg, ReadOptions{})
		if err != nil || len(got) != items {
			t.Logf("ReadMessage: %v, %d items, want %d\n%s", err, len(got), items, msg)
			return false
		}
		if lexed != items-onePass {
			t.Logf("%d documents lexed a second time, want %d\n%s", lexed, items-onePass, msg)
			return false
		}
		return true
	}, gen(func(r *rand.Rand) int64 { return r.Int63() })))
	props.TestingRun(t)
}
