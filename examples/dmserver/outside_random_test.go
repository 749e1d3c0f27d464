package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// randomDevice plays one device against dmserver over HTTP, answering
// what it gets in ways the protocol allows and some it does not: Statuses
// with varied codes (one left out now and then), Results whole or in
// chunks (the rest of an object sent, cut or with a wrong size), Alert
// 1222 or not, Final flipped, client events, an Atomic and a NoResp
// command of its own, restarts (Alert 1201, a new SessionID), aborts, and
// messages sent twice.
type randomDevice struct {
	t                 *testing.T
	rng               *rand.Rand
	url, dev, sid     string
	maxMsg            int
	msgID             int
	prevReq, prevRepl []byte
}

func (d *randomDevice) message(body string, final bool) []byte {
	meta := ""
	if d.maxMsg > 0 {
		meta = fmt.Sprintf(`<Meta><MaxMsgSize xmlns="syncml:metinf">%d</MaxMsgSize></Meta>`, d.maxMsg)
	}
	f := ""
	if final {
		f = "<Final/>"
	}
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + d.sid + `</SessionID><MsgID>` + strconv.Itoa(d.msgID) + `</MsgID>` +
		`<Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>` + d.dev + `</LocURI></Source>` +
		meta + `</SyncHdr><SyncBody>` + body + f + `</SyncBody></SyncML>`)
}

// post sends raw and checks the reply against the rules that hold
// whatever the device did; it returns the reply, nil when the session
// cannot go on.
func (d *randomDevice) post(raw []byte) *syncml.Message {
	d.t.Helper()
	code, b := postRaw(d.t, d.url, session.ContentType, raw)
	if code != http.StatusOK {
		d.t.Errorf("%s: HTTP %d for\n%s\n%s", d.dev, code, raw, b)
		return nil
	}
	if d.maxMsg > 0 && len(b) > d.maxMsg {
		d.t.Errorf("%s: reply of %d bytes over MaxMsgSize %d", d.dev, len(b), d.maxMsg)
	}
	var in, out syncml.Message
	if err := syncml.Unmarshal(raw, &in); err != nil {
		d.t.Fatal(err)
	}
	if err := syncml.Unmarshal(b, &out); err != nil {
		d.t.Errorf("%s: reply: %v", d.dev, err)
		return nil
	}
	if err := out.Validate(); err != nil {
		d.t.Errorf("%s: reply does not validate: %v\n%s", d.dev, err, b)
	}
	if out.Header.SessionID != d.sid || out.Header.Target.LocURI != d.dev {
		d.t.Errorf("%s: reply header %+v", d.dev, out.Header)
	}
	cmds := out.Body.Commands
	if len(cmds) == 0 {
		d.t.Errorf("%s: empty reply", d.dev)
		return nil
	}
	if st, ok := cmds[0].(*syncml.Status); !ok || st.CmdRef != "0" || st.MsgRef != in.Header.MsgID {
		d.t.Errorf("%s: first command %v, want the SyncHdr's Status for message %s", d.dev, cmds[0], in.Header.MsgID)
	}
	for i, c := range cmds {
		if c.ID() != strconv.Itoa(i+1) {
			d.t.Errorf("%s: command %d has CmdID %q", d.dev, i+1, c.ID())
		}
		// a Status answers this message, or an earlier one whose answers
		// did not all fit in its reply
		if st, ok := c.(*syncml.Status); ok {
			if n, err := strconv.Atoi(st.MsgRef); err != nil || n < 1 || n > d.msgID {
				d.t.Errorf("%s: Status %s answers message %q, not one of 1..%d", d.dev, st.CmdID, st.MsgRef, d.msgID)
			}
		}
	}
	if aborts(&in) {
		for _, c := range cmds {
			if _, ok := c.(*syncml.Status); !ok {
				d.t.Errorf("%s: abort answered with a %s", d.dev, c.ElementName())
			}
		}
	}
	if bytes.Equal(raw, d.prevReq) && !bytes.Equal(b, d.prevRepl) {
		d.t.Errorf("%s: a message sent again got another reply", d.dev)
	}
	d.prevReq, d.prevRepl = raw, b
	return &out
}

// answer returns the device's answer to m: its body and Final.
func (d *randomDevice) answer(m *syncml.Message) (string, bool) {
	r := d.rng
	var b strings.Builder
	ref := m.Header.MsgID
	fmt.Fprintf(&b, `<Status><CmdID>1</CmdID><MsgRef>%s</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`, ref)
	id := 2
	next := func() int { id++; return id - 1 }
	for _, c := range m.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status:
			if c.Cmd == "Results" && c.Data != nil && c.Data.Value == "213" && r.IntN(10) < 8 {
				// the next chunk: the last one (size right or wrong) or not
				data, more := []string{"efgh", "ef", "efghij"}[r.IntN(3)], r.IntN(3) == 0
				m := ""
				if more {
					m = "<MoreData/>"
				}
				fmt.Fprintf(&b, `<Results><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>%s</Data>%s</Item></Results>`,
					next(), c.CmdRef, strings.Join(c.SourceRef, ""), data, m)
			}
			continue
		}
		if r.IntN(12) == 0 {
			continue // no Status for this one
		}
		code := []string{"200", "200", "200", "200", "200", "404", "405", "500"}[r.IntN(8)]
		fmt.Fprintf(&b, `<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%s</Data></Status>`, next(), ref, c.ID(), c.ElementName(), code)
		if g, ok := c.(*syncml.Get); ok && code == "200" {
			uri := g.Items[0].Target.LocURI
			if r.IntN(5) == 0 {
				fmt.Fprintf(&b, `<Results><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Meta><Size xmlns="syncml:metinf">8</Size></Meta><Data>abcd</Data><MoreData/></Item></Results>`,
					next(), ref, c.ID(), uri)
			} else {
				fmt.Fprintf(&b, `<Results><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>v</Data></Item></Results>`,
					next(), ref, c.ID(), uri)
			}
		}
	}
	switch r.IntN(20) {
	case 0:
		fmt.Fprintf(&b, `<Alert><CmdID>%d</CmdID><Data>1223</Data></Alert>`, next())
	case 1:
		fmt.Fprintf(&b, `<Alert><CmdID>%d</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>`, next())
	case 2:
		fmt.Fprintf(&b, `<Alert><CmdID>%d</CmdID><Data>1201</Data></Alert>`, next())
	case 3:
		fmt.Fprintf(&b, `<Atomic><CmdID>%d</CmdID><Add><CmdID>%d</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item></Add></Atomic>`, next(), next())
	case 4:
		fmt.Fprintf(&b, `<Add><CmdID>%d</CmdID><NoResp/><Item><Target><LocURI>./c</LocURI></Target><Data>1</Data></Item></Add>`, next())
	case 5:
		d.sid = strconv.Itoa(r.IntN(4))
	}
	final := m.Body.Final
	if !final && r.IntN(5) < 3 {
		fmt.Fprintf(&b, `<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, next())
	}
	if r.IntN(10) == 0 {
		final = !final
	}
	return b.String(), final
}

// TestOutsideRandomSessions runs 600 devices, each a session of up to 25
// messages of randomDevice's, under device MaxMsgSizes from none to 900
// bytes, against one dmserver over HTTP, and checks every reply: HTTP
// 200, within the MaxMsgSize, valid, its SessionID and Target the
// device's, the SyncHdr's Status first, CmdIDs 1..n, each Status
// answering a message of the session, Statuses only for an abort, the
// same reply for a message sent twice. It fails on the code before this
// branch's fixes (an abort answered with an Alert 1225, device 13).
func TestOutsideRandomSessions(t *testing.T) {
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	for k := range 600 {
		rng := rand.New(rand.NewPCG(uint64(k), 10))
		d := &randomDevice{t: t, rng: rng, url: srv.URL + Path, dev: fmt.Sprintf("DEV-R%d", k),
			sid: strconv.Itoa(rng.IntN(4)), maxMsg: []int{0, 0, 900, 1000, 1200, 2000, 5000}[rng.IntN(7)], msgID: 1}
		m := d.post(d.message(`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`, true))
		for step := 0; m != nil && step < 25; step++ {
			if m.Body.Final && len(m.Body.Commands) > 0 && onlyStatuses(m) && rng.IntN(10) < 7 {
				break // the session is over
			}
			body, final := d.answer(m)
			d.msgID++
			raw := d.message(body, final)
			if m = d.post(raw); m != nil && rng.IntN(10) == 0 {
				m = d.post(raw) // sent again, as after a lost reply
			}
		}
		if t.Failed() {
			t.Fatalf("device %d (seed %d)", k, k)
		}
	}
}

func onlyStatuses(m *syncml.Message) bool {
	for _, c := range m.Body.Commands {
		if _, ok := c.(*syncml.Status); !ok {
			return false
		}
	}
	return true
}
