package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLogsDeviceEvents: a generic alert (1226) a device sends is answered
// 200 and logged at Info, an item a record with its Meta Type, Format,
// Source and data, cut at maxEventData bytes; the LoginStatus event
// (1224) of a check-in only at Debug. Before, dmserver had no Handler
// and logged neither.
func TestLogsDeviceEvents(t *testing.T) {
	long := strings.Repeat("é", maxEventData) // 2 bytes a character: cut
	body := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>5</SessionID><MsgID>1</MsgID><Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target>` +
		`<Source><LocURI>DEV-EV</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>` +
		`<Alert><CmdID>2</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>` +
		`<Alert><CmdID>3</CmdID><Data>1226</Data>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DMClient</LocURI></Source><Meta><Type xmlns="syncml:metinf">com.microsoft:mdm.unenrollment.userrequest</Type><Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item>` +
		`<Item><Meta><Type xmlns="syncml:metinf">com.example.long</Type></Meta><Data>` + long + `</Data></Item></Alert>` +
		`<Final/></SyncBody></SyncML>`)
	for _, tc := range []struct {
		level        slog.Level
		login, other bool
	}{{slog.LevelInfo, false, true}, {slog.LevelDebug, true, true}, {slog.LevelWarn, false, false}} {
		var logs bytes.Buffer
		srv := httptest.NewServer(newMux(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: tc.level})), nil))
		code, reply := postRaw(t, srv.URL+Path, "application/vnd.syncml.dm+xml", body)
		srv.Close()
		if code != http.StatusOK {
			t.Fatalf("HTTP %d", code)
		}
		for _, want := range []string{"<CmdRef>2</CmdRef><Cmd>Alert</Cmd><Data>200</Data>", "<CmdRef>3</CmdRef><Cmd>Alert</Cmd><SourceRef>./Vendor/MSFT/DMClient</SourceRef><Data>200</Data>"} {
			if !bytes.Contains(reply, []byte(want)) {
				t.Errorf("reply lacks %s:\n%s", want, reply)
			}
		}
		got := logs.String()
		for _, c := range []struct {
			want string
			in   bool
		}{
			{`msg="device event" device=DEV-EV code=1224 item=1 type=com.microsoft/MDM/LoginStatus format="" source="" data=user`, tc.login},
			{`msg="device event" device=DEV-EV code=1226 item=1 type=com.microsoft:mdm.unenrollment.userrequest format=int source=./Vendor/MSFT/DMClient data=1`, tc.other},
			{`msg="device event" device=DEV-EV code=1226 item=2 type=com.example.long format="" source="" data=` + strings.Repeat("é", maxEventData/2) + "…\n", tc.other},
		} {
			if strings.Contains(got, c.want) != c.in {
				t.Errorf("level %v: record %q logged: %v, want %v\nlog:\n%s", tc.level, c.want, !c.in, c.in, got)
			}
		}
	}
}
