package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

// TestRun runs the whole demo and checks the outcome of each step.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	start := time.Now()
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("run took %v", d)
	}
	got := out.String()
	for _, want := range []string{
		// Primary session: the linked enrollment starts and succeeds.
		"Replace  4   ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/DiscoveryEndpoint = http://127.0.0.1:",
		"Exec     5   ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll",
		`[discovery service] request {"userDomain":"contoso.example"`,
		`"AuthPolicy":"Federated"`,
		"EnrollStatus = 4 EnrollmentSucceeded (final: true, failed: false)",
		"LastError = 0x00000000 S_OK",
		// WinDC session: the document is added and found in sync.
		"version A0: Pending — not in the device's summary",
		"Add      5   ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305/Document = (cdata) <DeclaredConfiguration",
		"1224 Client event  [com.microsoft.mdm.declaredconfigurationdocuments]",
		"version A0: InSync — ConfigCompletedSuccess(60), device holds A0",
		"ok     ./Vendor/MSFT/VPNv2/ContosoVPN/TrafficFilterList/0/Protocol (int): 200 OK, ConfigCompletedSuccess(60)",
		"ok     ./Vendor/MSFT/VPNv2/ContosoVPN/NativeProfile/Servers (chr): 200 OK, ConfigCompletedSuccess(60)",
		// RefreshInterval.
		"Replace  7   ./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval = 30",
		"[server] Replace RefreshInterval → 200 OK",
		"the device's RefreshInterval is 30 minutes",
		// Drift and repair.
		"version A0: Drifted — was in sync; now ConfigCompletedError(61)",
		"FAILED ./Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn (bool): 500 Command failed, ConfigCompletedError(61)",
		"re-declaring the document as version A1",
		"version A1: InSync — ConfigCompletedSuccess(60), device holds A1",
		"version A1: no drift",
		"[device] ./Device/Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn = true",
		"OK: linked enrollment succeeded, document in sync after drift repair, RefreshInterval 30.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, bad := range []string{"PROBLEM", "violation"} {
		if strings.Contains(got, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	// Three sessions; each side numbers its messages from 1 in each.
	for _, want := range []string{
		"SessionID 1  MsgID 1", "SessionID 1  MsgID 2",
		"SessionID 2  MsgID 1", "SessionID 2  MsgID 2",
		"SessionID 3  MsgID 1", "SessionID 3  MsgID 2", "SessionID 3  MsgID 3",
	} {
		if n := strings.Count(got, want); n != 2 {
			t.Errorf("%q appears %d times, want 2 (one per side)", want, n)
		}
	}
	if strings.Contains(got, "SessionID 3  MsgID 4") {
		t.Error("the drift session has a fourth round")
	}
	// Every Status points back at a command of the message it answers.
	re := regexp.MustCompile(`Status +\d+ +↩ Msg (\d+) Cmd (\d+)`)
	if n := len(re.FindAllString(got, -1)); n < 20 {
		t.Errorf("only %d Status lines", n)
	}
	if t.Failed() {
		t.Logf("output:\n%s", got)
	}
}

// TestVerbose checks that -v adds the full messages.
func TestVerbose(t *testing.T) {
	var out bytes.Buffer
	if err := runWith(&out, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<SyncML xmlns="SYNCML:SYNCML1.2">`, "<![CDATA[<DeclaredConfiguration", "<MaxMsgSize"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verbose output lacks %q", want)
		}
	}
}

// TestValidateDevInfo checks that the device's package 1 (a DevInfo
// Replace naming its nodes by Source) passes Message.Validate, and that
// broken messages do not.
func TestValidateDevInfo(t *testing.T) {
	d := newDevice(&narrator{w: io.Discard}, nil, "http://127.0.0.1/x")
	m := &syncml.Message{
		XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: "http://127.0.0.1/x"}, Source: syncml.Location{LocURI: d.id}},
		Body: syncml.Body{Commands: []syncml.Command{
			&syncml.Alert{CmdID: "1", Data: syncml.Text("1201")},
			number(d.devInfo(), "2"),
		}, Final: true},
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("package 1: %v", err)
	}
	// A duplicate CmdID is an error.
	m.Body.Commands = append(m.Body.Commands, &syncml.Alert{CmdID: "2", Data: syncml.Text("1201")})
	var ve *syncml.ValidationError
	if err := m.Validate(); !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Rule != "cmdid-unique" {
		t.Errorf("Validate = %v, want one cmdid-unique violation", err)
	}
}

// TestEnrollWithoutEndpoint checks the device's answer to Exec Enroll when
// DiscoveryEndpoint is not set: 500 with ERROR_FILE_NOT_FOUND, which
// survives encoding and reads back through dmclient.ReadStatus.
func TestEnrollWithoutEndpoint(t *testing.T) {
	d := newDevice(&narrator{w: io.Discard}, nil, "http://127.0.0.1/x")
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	in := &syncml.Message{Header: syncml.Header{MsgID: "1"}, Body: syncml.Body{Commands: []syncml.Command{
		number(le.ExecEnroll(), "2"),
	}}}
	var ids counter
	out, more := d.process(in, func(c syncml.Command) syncml.Command { return number(c, ids.next()) })
	if !more || len(out) != 2 {
		t.Fatalf("process = %d commands, more %v", len(out), more)
	}
	m := &syncml.Message{
		XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "2",
			Target: syncml.Location{LocURI: "http://127.0.0.1/x"}, Source: syncml.Location{LocURI: d.id}},
		Body: syncml.Body{Commands: out, Final: true},
	}
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back syncml.Message
	if err := syncml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	err = dmclient.ReadStatus(findStatus(&back, "1", "2"))
	var de *dmclient.DeviceError
	if !errors.As(err, &de) || de.Code != syncml.StatusCommandFailed || de.HRESULT != dmclient.ErrorFileNotFound {
		t.Errorf("ReadStatus = %v, want 500 with ERROR_FILE_NOT_FOUND", err)
	}
	if v, _ := d.get(string(le.EnrollStatus())); v != "3" {
		t.Errorf("EnrollStatus = %q, want 3 (EnrollmentFailed)", v)
	}
}

// TestServerRejects checks the SyncML endpoint's refusals.
func TestServerRejects(t *testing.T) {
	log := &narrator{w: io.Discard}
	srv := newServer(log, "http://127.0.0.1")
	ts := httptest.NewServer(srv.handler())
	defer ts.Close()

	resp, err := http.Post(ts.URL+pathWinDC, "application/xml", strings.NewReader("<SyncML/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("wrong content type: %s", resp.Status)
	}

	// Well-formed, but two commands share a CmdID.
	bad := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>http://s</LocURI></Target>` +
		`<Source><LocURI>urn:uuid:x</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Alert><CmdID>1</CmdID><Data>1201</Data></Alert>` +
		`<Final/></SyncBody></SyncML>`
	resp, err = http.Post(ts.URL+pathWinDC, contentType, strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "cmdid-unique") {
		t.Errorf("duplicate CmdID: %s %s", resp.Status, body)
	}
}
