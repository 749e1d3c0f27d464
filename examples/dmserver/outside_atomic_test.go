package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestOutsideAtomicChunk: an Atomic must fit in one message (OMA DM 1.2,
// multiple messages in a package), so a command in it whose item is a
// chunk (MoreData) can never be completed. dmserver answered it 200, the
// Atomic 200 too, and handed the first chunk ("abcd" of a declared Size
// 8) to the handler as if it were the whole object: an Atomic reported
// done with a cut value. It is answered 400 (as a chunk in a command of
// several items is), so the Atomic fails: 507, the command before it
// rolled back (216), the one after not executed (215), and no large
// object is left in flight (the reply is Final, no Alert 1222).
func TestOutsideAtomicChunk(t *testing.T) {
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	body := `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Atomic><CmdID>2</CmdID>` +
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item></Replace>` +
		`<Add><CmdID>4</CmdID><Item><Target><LocURI>./b</LocURI></Target><Meta><Size xmlns="syncml:metinf">8</Size></Meta><Data>abcd</Data><MoreData/></Item></Add>` +
		`<Replace><CmdID>5</CmdID><Item><Target><LocURI>./c</LocURI></Target><Data>1</Data></Item></Replace></Atomic>`
	raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>DEV-ATOMIC-CHUNK</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
	code, b := postRaw(t, srv.URL+Path, session.ContentType, raw)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, b)
	}
	var out syncml.Message
	if err := syncml.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range out.Body.Commands {
		switch c := c.(type) {
		case *syncml.Status:
			if c.CmdRef != "0" && c.CmdRef != "1" {
				got = append(got, c.CmdRef+":"+c.Cmd+"="+c.Data.Value)
			}
		case *syncml.Alert:
			if c.Data != nil && c.Data.Value == "1222" {
				t.Errorf("Alert 1222: a chunk left in flight: %s", b)
			}
		}
	}
	if want := "2:Atomic=507 3:Replace=216 4:Add=400 5:Replace=215"; strings.Join(got, " ") != want {
		t.Errorf("Statuses %v, want %s", got, want)
	}
	if !out.Body.Final {
		t.Errorf("reply not Final: %s", b)
	}
}

// TestOutsideAtomicAbortRolledBack: an Alert 1223 inside an Atomic whose
// next command fails is answered 216, rolled back, so the session is not
// aborted: the commands sent before stay outstanding and the Statuses
// the device sends for them next are matched. dmserver answered the
// Alert 216 and aborted the session all the same: it gave up the first
// session's Gets ("commands abandoned") and then logged each of their
// Statuses as an "answer matches no command".
func TestOutsideAtomicAbortRolledBack(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.NewTextHandler(&logs, nil)), nil)))
	defer srv.Close()
	msg := func(msgID, body string) []byte {
		return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
			`<Source><LocURI>DEV-ATOMIC-ABORT</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
	}
	post := func(raw []byte) *syncml.Message {
		t.Helper()
		code, b := postRaw(t, srv.URL+Path, session.ContentType, raw)
		var out syncml.Message
		if err := syncml.Unmarshal(b, &out); code != http.StatusOK || err != nil {
			t.Fatalf("HTTP %d, %v: %s", code, err, b)
		}
		return &out
	}
	first := post(msg("1", `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`))
	hdr := func(ref string) string {
		return `<Status><CmdID>1</CmdID><MsgRef>` + ref + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	}
	out := post(msg("2", hdr("1")+`<Atomic><CmdID>2</CmdID><Alert><CmdID>3</CmdID><Data>1223</Data></Alert>`+
		`<Alert><CmdID>4</CmdID><Data>no code</Data></Alert></Atomic>`))
	var got []string
	for _, c := range out.Body.Commands {
		if st, ok := c.(*syncml.Status); ok && st.CmdRef != "0" {
			got = append(got, st.CmdRef+"="+st.Data.Value)
		}
	}
	if want := "2=507 3=216 4=400"; strings.Join(got, " ") != want {
		t.Fatalf("Statuses %v, want %s", got, want)
	}
	// the device answers what the first reply sent
	body, id := hdr("2"), 2
	for _, c := range first.Body.Commands {
		if _, ok := c.(*syncml.Status); ok {
			continue
		}
		body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>200</Data></Status>`, id, c.ID(), c.ElementName())
		id++
	}
	post(msg("3", body))
	if l := logs.String(); strings.Contains(l, "commands abandoned") || strings.Contains(l, "answer matches no command") ||
		strings.Count(l, "status=200") < len(firstSessionGets) {
		t.Errorf("the rolled back abort ended the session:\n%s", l)
	}
}

// TestOutsideNestedAtomic: an Atomic inside an Atomic is not legal (OMA
// DM 1.2.1, 4.1.6.3; Windows answers it so, oma-dm-protocol-support.md):
// the inner Atomic fails with 500 and its parent with 507, the commands
// before it are rolled back (216), and its own commands and the ones after
// it are not executed (215), whether they would succeed or not. Until
// now the inner Atomic was run as a Sequence is, all 200 when its commands
// succeeded.
func TestOutsideNestedAtomic(t *testing.T) {
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	replace := func(id, uri string) string {
		return `<Replace><CmdID>` + id + `</CmdID><Item><Target><LocURI>` + uri + `</LocURI></Target><Data>1</Data></Item></Replace>`
	}
	for i, tc := range []struct{ inner, want string }{
		{replace("5", "./b"), "2:Atomic=507 3:Replace=216 4:Atomic=500 5:Replace=215 7:Replace=215"},
		{replace("5", "./b") + `<Alert><CmdID>6</CmdID><Data>no code</Data></Alert>`,
			"2:Atomic=507 3:Replace=216 4:Atomic=500 5:Replace=215 6:Alert=215 7:Replace=215"},
	} {
		body := `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Atomic><CmdID>2</CmdID>` + replace("3", "./a") +
			`<Atomic><CmdID>4</CmdID>` + tc.inner + `</Atomic>` + replace("7", "./c") + `</Atomic>`
		if got := atomicStatuses(t, srv.URL, fmt.Sprintf("DEV-NESTED-%d", i), body); got != tc.want {
			t.Errorf("case %d: Statuses %s, want %s", i, got, tc.want)
		}
	}
}

// TestOutsideAtomicGet: a Get inside an Atomic is not legal either (OMA
// DM 1.2.1, 4.1.6.3; oma-dm-protocol-support.md: Windows answers the Get
// 500 and the Atomic 507), directly or in a Sequence of the Atomic: the
// commands before it are rolled back (216), the ones after it not
// executed (215). dmserver, which has no handler (200 for anything),
// answered the Get 200 and the Atomic 200.
func TestOutsideAtomicGet(t *testing.T) {
	srv := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer srv.Close()
	replace := func(id, uri string) string {
		return `<Replace><CmdID>` + id + `</CmdID><Item><Target><LocURI>` + uri + `</LocURI></Target><Data>1</Data></Item></Replace>`
	}
	const get = `<Get><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get>`
	for i, tc := range []struct{ inner, want string }{
		{get, "2:Atomic=507 3:Replace=216 4:Get=500 7:Replace=215"},
		{`<Sequence><CmdID>5</CmdID>` + get + `</Sequence>`, "2:Atomic=507 3:Replace=216 5:Sequence=216 4:Get=500 7:Replace=215"},
	} {
		body := `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Atomic><CmdID>2</CmdID>` + replace("3", "./a") +
			tc.inner + replace("7", "./c") + `</Atomic>`
		if got := atomicStatuses(t, srv.URL, fmt.Sprintf("DEV-ATOMIC-GET-%d", i), body); got != tc.want {
			t.Errorf("case %d: Statuses %s, want %s", i, got, tc.want)
		}
	}
}

// atomicStatuses posts a session's first message from device, body its
// SyncBody's commands, to the server at url and returns the Statuses of
// the reply but those of the SyncHdr and of CmdID 1 (the 1201), as
// "CmdRef:Cmd=code" in order.
func atomicStatuses(t *testing.T, url, device, body string) string {
	t.Helper()
	raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>` + device + `</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`)
	code, b := postRaw(t, url+Path, session.ContentType, raw)
	var out syncml.Message
	if err := syncml.Unmarshal(b, &out); code != http.StatusOK || err != nil {
		t.Fatalf("HTTP %d, %v: %s", code, err, b)
	}
	var got []string
	for _, c := range out.Body.Commands {
		if st, ok := c.(*syncml.Status); ok && st.CmdRef != "0" && st.CmdRef != "1" {
			got = append(got, st.CmdRef+":"+st.Cmd+"="+st.Data.Value)
		}
	}
	return strings.Join(got, " ")
}
