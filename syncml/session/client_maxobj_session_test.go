package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The MaxObjSize a server announced holds for its session only: the next
// session of the Client, whose server announces none, sends objects
// larger than it, in package 1 (a queued object and one EachMessage
// gives, in chunks) and in the messages after it (the rest of package 1,
// an object not begun when the server first answers). package1 is given
// its bound by its caller (Start: none) instead of reading what
// Client.peerObj holds; the messages after it read peerObj, which Start
// zeroes: the test fails when it does not (./B is left out, with an
// Outcome saying it is over the last session's MaxObjSize).
func TestClientMaxObjSizeEndsWithSession(t *testing.T) {
	p := newScriptServer(t, func(n int) string {
		if n == 1 {
			return `<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize><MaxObjSize xmlns="syncml:metinf">1000</MaxObjSize></Meta>`
		}
		return `<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta>`
	}, func(int) bool { return false })
	each := 0 // EachMessage gives ./E in the second session's first message
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: Accept, ServerMaxMsgSize: 1500,
		EachMessage: func(context.Context) ([]syncml.Command, error) {
			if each++; each == 2 {
				return []syncml.Command{objReplace("./E", strings.Repeat("e", 3000))}, nil
			}
			return nil, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Run(ctx, p.ts.Client(), p.ts.URL, "1"); err != nil {
		t.Fatal(err)
	}
	if c.peerObj != 1000 {
		t.Fatalf("the first session ended with the server's MaxObjSize %d, want 1000 (the test needs it announced)", c.peerObj)
	}
	big := objReplace("./B", strings.Repeat("b", 3000))
	if err := c.Queue(objReplace("./A", strings.Repeat("a", 600)), big); err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(ctx, p.ts.Client(), p.ts.URL, "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		var le *LimitError
		if errors.As(o.Err, &le) {
			t.Errorf("%s %s not sent: %v", o.Command.ElementName(), itemURI(o.Command.ItemList()[0]), o.Err)
		}
	}
	data := map[string]int{} // the bytes of each node the server got
	for _, m := range p.msgs[1:] {
		for _, it := range m {
			data[itemURI(it)] += len(it.Data.Value)
		}
	}
	if data["./E"] != 3000 || data["./A"] != 600 || data["./B"] != 3000 {
		t.Errorf("the second session sent ./E %d, ./A %d, ./B %d bytes; want 3000, 600, 3000", data["./E"], data["./A"], data["./B"])
	}
	if sent := p.sent(); len(sent) < 2 || !strings.Contains(sent[1], "./E(3000)") || strings.Contains(sent[1], "./B") {
		t.Errorf("device messages %q: want the second session's package 1 to begin ./E, and ./B to go later (the test needs it not begun when the server answers)", sent)
	}
}
