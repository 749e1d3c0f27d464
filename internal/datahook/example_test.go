package datahook_test

import (
	"fmt"

	"github.com/windc-go/windc/internal/datahook"
	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// names is a Hook that asks for the content of the Data of Items whose
// Target is "./a", and a sink that lists the elements there.
type names struct{ seen []string }

func (h *names) Sink(input, target, source string) xmlscan.Sink {
	if target != "./a" {
		return nil
	}
	return h
}

func (h *names) Done(data any, sink xmlscan.Sink, start int, path string) {
	fmt.Printf("%s at %d: %q\n", path, start, data.(*syncml.Data).Value)
}

func (h *names) StartElement(t xmlscan.Tag, attrs []xmlscan.Attr, end int) {
	h.seen = append(h.seen, t.Name)
}
func (h *names) CharData(text string, cdata bool, start, end int) {}
func (h *names) EndElement(start, end int)                        {}

// syncml reads the message once; the hook sees the elements of the one
// Data it asked for as they are read.
func Example() {
	msg := []byte(`<SyncML><SyncBody><Replace><CmdID>1</CmdID>` +
		`<Item><Target><LocURI>./a</LocURI></Target><Data><x><y/></x></Data></Item>` +
		`<Item><Target><LocURI>./b</LocURI></Target><Data><z/></Data></Item>` +
		`</Replace></SyncBody></SyncML>`)
	h := new(names)
	var m syncml.Message
	if _, err := datahook.Unmarshal(msg, &m, syncml.Limits{}, h); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.seen, len(m.Body.Commands))
	// Output:
	// /SyncML/SyncBody/Replace/Item/Data at 92: "<x><y/></x>"
	// [x y] 1
}
