package session

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// TestItemCodesAgree: when a handler gives item codes that all agree and
// leaves Code unset, the one Status for the command carries that code (a
// refused one-item Add went out as 200).
func TestItemCodesAgree(t *testing.T) {
	s := NewSession(&Config{Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		switch r.Command.ID() {
		case "2": // one item, refused
			return Response{ItemCodes: []syncml.StatusCode{400}}
		case "3": // two items, both refused the same way
			return Response{ItemCodes: []syncml.StatusCode{404, 404}}
		case "4": // an item code of 0 is Code
			return Response{Code: syncml.StatusForbidden, ItemCodes: []syncml.StatusCode{0}}
		}
		return Response{}
	})})
	it := func(u string) string { return `<Item><Target><LocURI>` + u + `</LocURI></Target></Item>` }
	x := handle(t, s, devMsg("1", "1", alert1201+
		`<Add><CmdID>2</CmdID>`+it("./a")+`</Add>`+
		`<Replace><CmdID>3</CmdID>`+it("./a")+it("./b")+`</Replace>`+
		`<Delete><CmdID>4</CmdID>`+it("./c")+`</Delete>`))
	want := []string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)",
		"3:Status(1/2 Add 400)", "4:Status(1/3 Replace 404)", "5:Status(1/4 Delete 403)"}
	if d := cmp.Diff(want, summary(x.Reply)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
