package session

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// startObject returns a Client of cfg (DeviceID "D", ServerURI "S",
// ServerMaxMsgSize 1500) that queued obj, 4000 bytes of data for ./B in
// q, and its package 1 of session "1", which carries the first chunk of
// it: the opening of the tests of a Client's object in flight played
// against an objScript.
func startObject(t *testing.T, cfg ClientConfig) (c *Client, m *syncml.Message, q *syncml.Replace, obj string) {
	t.Helper()
	cfg.DeviceID, cfg.ServerURI, cfg.ServerMaxMsgSize = "D", "S", 1500
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	obj = strings.Repeat("b", 4000)
	q = objReplace("./B", obj)
	if err := c.Queue(q); err != nil {
		t.Fatal(err)
	}
	if m, err = c.Start(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
	return c, m, q, obj
}

// An objScript is a server message being written, in answer to a device
// message, by the tests of a Client's object in flight: it starts with
// the Status of the device's SyncHdr (200).
type objScript struct {
	id   int // the last CmdID used
	body strings.Builder
}

// newObjScript starts the answer to m.
func newObjScript(m *syncml.Message) *objScript {
	s := &objScript{id: 1}
	fmt.Fprintf(&s.body, `<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, m.Header.MsgID)
	return s
}

// answer adds a Status for each command of m but its Statuses and
// Results, and those skip returns true for (nil: none): 213 for a chunk
// (one Item, MoreData), 200 otherwise. It returns the chunks answered.
func (s *objScript) answer(m *syncml.Message, skip func(syncml.Command) bool) (chunks int) {
	for _, x := range m.Body.Commands {
		if isAnswer(x) || skip != nil && skip(x) {
			continue
		}
		code := "200"
		if it := x.ItemList(); len(it) == 1 && it[0].MoreData {
			code = "213"
			chunks++
		}
		s.status(m.Header.MsgID, x.ID(), x.ElementName(), code)
	}
	return chunks
}

// read answers each command of m but its Statuses, Results too: 213 for
// a chunk (its last Item with MoreData), 200 otherwise. It adds the data
// of the Results' Items to got, by their Source LocURI, and returns the
// Statuses of Gets m carries, in order.
func (s *objScript) read(m *syncml.Message, got map[string]string) (gets []*syncml.Status) {
	for _, x := range m.Body.Commands {
		if st, ok := x.(*syncml.Status); ok {
			if st.Cmd == "Get" {
				gets = append(gets, st)
			}
			continue
		}
		it := x.ItemList()
		code := "200"
		if len(it) > 0 && it[len(it)-1].MoreData {
			code = "213"
		}
		if _, ok := x.(*syncml.Results); ok {
			for _, i := range it {
				got[i.Source.LocURI] += i.Data.Value
			}
		}
		s.status(m.Header.MsgID, x.ID(), x.ElementName(), code)
	}
	return gets
}

// status adds a Status of code for the command cmdRef (a cmd) of the
// device's message msgRef.
func (s *objScript) status(msgRef, cmdRef, cmd, code string) {
	s.id++
	fmt.Fprintf(&s.body, `<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%s</Data></Status>`,
		s.id, msgRef, cmdRef, cmd, code)
}

// adds adds 30 Adds, whose Statuses do not fit in one device message of
// 1500 bytes.
func (s *objScript) adds() {
	for i := range 30 {
		s.id++
		fmt.Fprintf(&s.body, `<Add><CmdID>%d</CmdID><Item><Target><LocURI>./Vendor/MSFT/Node%02d/%s</LocURI></Target><Data>v</Data></Item></Add>`,
			s.id, i, strings.Repeat("n", 40))
	}
}

// get adds a Get of ./G.
func (s *objScript) get() {
	s.id++
	fmt.Fprintf(&s.body, `<Get><CmdID>%d</CmdID><Item><Target><LocURI>./G</LocURI></Target></Item></Get>`, s.id)
}

// inbound returns the message, MsgID msg of session "1", Final when final;
// its SyncHdr Meta announces a MaxMsgSize of 1500, then holds meta.
func (s *objScript) inbound(msg int, meta string, final bool) *Inbound {
	body := s.body.String()
	if final {
		body += `<Final/>`
	}
	raw := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>` +
		fmt.Sprintf(`<MsgID>%d</MsgID>`, msg) + `<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source>` +
		`<Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize>` + meta + `</Meta></SyncHdr><SyncBody>` + body + `</SyncBody></SyncML>`
	return &Inbound{Raw: []byte(raw)}
}
