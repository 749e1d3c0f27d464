package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// TestRun runs the whole demo and checks the outcome of each step.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		// Primary session: the linked enrollment starts and succeeds.
		"Replace  4   ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/DiscoveryEndpoint = https://127.0.0.1:",
		"Exec     5   ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Enroll",
		`[discovery service] request {"userDomain":"contoso.example"`,
		`"AuthPolicy":"Federated"`,
		// MS-MDE2 at the URLs discovery returned, Federated with the
		// stand-in Entra's token; the provisioning document read.
		"[Entra stand-in] device token issued to urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809",
		"SOAP  POST /EnrollmentServer/Policy.svc  GetPolicies",
		"SOAP  200 OK  GetPoliciesResponse",
		"SOAP  POST /EnrollmentServer/Enrollment.svc  RequestSecurityToken ",
		"[enrollment service] Federated: the device token is valid",
		"[enrollment service] RequestSecurityToken: RSA CSR from urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809",
		"SOAP  200 OK  RequestSecurityTokenResponse",
		"[device] certificate issued: subject CN=urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809, issuer CN=Contoso demo enrollment root",
		`[device] provisioning document: w7 APPLICATION "Contoso WinDC", ADDR https://127.0.0.1:`,
		"EnrollStatus = 4 EnrollmentSucceeded (final: true, failed: false)",
		// The WinDC sessions are identified by the issued certificate.
		"[server] session of urn:uuid:8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809, identified by its client certificate",
		"LastError = 0x00000000 S_OK",
		// WinDC session: the document is added and found in sync.
		"version A0: Unknown — not on the device; sending version \"A0\"",
		"Add      5   ./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305/Document = (cdata) <DeclaredConfiguration",
		"1224 Client event  [com.microsoft.mdm.declaredconfigurationdocuments]",
		"version A0: InSync — ConfigCompletedSuccess(60), device holds A0",
		"ok     ./Vendor/MSFT/VPNv2/ContosoVPN/TrafficFilterList/0/Protocol (int): 200 OK, ConfigCompletedSuccess(60)",
		"ok     ./Vendor/MSFT/VPNv2/ContosoVPN/NativeProfile/Servers (chr): 200 OK, ConfigCompletedSuccess(60)",
		// RefreshInterval.
		"Replace  7   ./Device/Vendor/MSFT/DeclaredConfiguration/ManagementServiceConfiguration/RefreshInterval = 30",
		"[server] Replace RefreshInterval → 200 OK",
		"the device's RefreshInterval is 30 minutes",
		// The agent applies the document after the session and asks for
		// another to report it.
		"the agent asks for a session (document 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 applied)",
		// Drift the agent repairs: no session.
		`[agent] Repaired 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 ./Device/Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn: was "false", set again to "true"`,
		// Drift it cannot repair: 61, a session, the server re-declares.
		"[agent] Drifted 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 ./Device/Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn state 61",
		"the agent asks for a session (document 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305 drifted and cannot be repaired)",
		"version A0: Drifted — was in sync; now ConfigCompletedError(61)",
		"FAILED ./Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn (bool): 500 Command failed, ConfigCompletedError(61)",
		"re-declaring the document as version A1",
		"version A1: InSync — ConfigCompletedSuccess(60), device holds A1",
		"version A1: no drift",
		"[device] ./Device/Vendor/MSFT/VPNv2/ContosoVPN/AlwaysOn = true",
		// Unenroll rolls back what WinDC applied.
		"Exec     4   ./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/Unenroll",
		`[agent] Deleted 5E4B7A12-3C9D-4F1E-8A26-B0C7D9E1F305`,
		"EnrollStatus = 8 UnenrollmentSucceeded (final: true, failed: false)",
		"[device] configuration nodes left: 0; documents held: 0; WinDC account: false",
		"Unenroll rolled back what WinDC applied.",
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
	// Six sessions (primary; declare; report; drift; report; unenroll on
	// the primary account); each side
	// numbers its messages from 1 in each, and every message one side
	// sends has its answer from the other. The drift session has at least
	// two rounds (the server reads the results); how many the others have
	// is the server's choice.
	for _, want := range []string{
		"SessionID 1  MsgID 1", "SessionID 1  MsgID 2",
		"SessionID 2  MsgID 1", "SessionID 2  MsgID 2",
		"SessionID 3  MsgID 1",
		"SessionID 4  MsgID 1", "SessionID 4  MsgID 2",
		"SessionID 5  MsgID 1",
		"SessionID 6  MsgID 1", "SessionID 6  MsgID 2",
	} {
		if n := strings.Count(got, want+" "); n != 2 {
			t.Errorf("%q appears %d times, want 2 (one per side)", want, n)
		}
	}
	pairs := map[string]int{}
	for _, m := range regexp.MustCompile(`SessionID (\d+)  MsgID (\d+) `).FindAllStringSubmatch(got, -1) {
		pairs[m[1]+"/"+m[2]]++
	}
	for k, n := range pairs {
		if n != 2 {
			t.Errorf("session/message %s appears %d times, want 2 (one per side)", k, n)
		}
	}
	if strings.Contains(got, "SessionID 7") {
		t.Error("a seventh session: the story needs six")
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

// TestTrace checks that -trace writes every message that crossed the
// wire, one file each, in order, each the SyncML it claims to be.
func TestTrace(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := runTrace(&out, false, dir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	nSyncML, nSOAP := strings.Count(out.String(), "    SyncML  SessionID"), strings.Count(out.String(), "    SOAP  ")
	if len(entries) != nSyncML+nSOAP || nSyncML == 0 || nSOAP != 4 {
		t.Fatalf("%d files for %d SyncML and %d SOAP messages", len(entries), nSyncML, nSOAP)
	}
	var soap []string
	for i, e := range entries {
		var m syncml.Message
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(e.Name(), "enrollment") {
			// MS-MDE2: named by its message type, which it holds.
			msg, err := mde2.ReadMessage(b, mde2.Limits{})
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			name := fmt.Sprintf("%T", msg)
			if want := name[strings.LastIndex(name, ".")+1:] + ".xml"; !strings.HasSuffix(e.Name(), "-"+want) || !strings.HasPrefix(e.Name(), fmt.Sprintf("%03d-", i+1)) {
				t.Errorf("file %s holds a %s", e.Name(), want)
			}
			soap = append(soap, e.Name()[4:])
			continue
		}
		if err := syncml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		want := fmt.Sprintf("%03d-", i+1)
		suffix := "-s" + m.Header.SessionID + "-m" + m.Header.MsgID + ".xml"
		if !strings.HasPrefix(e.Name(), want) || !strings.HasSuffix(e.Name(), suffix) {
			t.Errorf("file %s holds message %s of session %s", e.Name(), m.Header.MsgID, m.Header.SessionID)
		}
	}
	if !strings.Contains(entries[0].Name(), "device-to-primary") || !strings.Contains(entries[1].Name(), "primary-to-device") {
		t.Errorf("first files %s, %s", entries[0].Name(), entries[1].Name())
	}
	want := []string{"device-to-enrollment-GetPolicies.xml", "enrollment-to-device-GetPoliciesResponse.xml",
		"device-to-enrollment-RequestSecurityToken.xml", "enrollment-to-device-RequestSecurityTokenResponse.xml"}
	if !slices.Equal(soap, want) {
		t.Errorf("MS-MDE2 files %q, want %q", soap, want)
	}
}

// TestPackage1 checks that the device's package 1 (Alert 1201, DevInfo
// named by Source) passes Message.Validate, and that a broken message does
// not.
func TestPackage1(t *testing.T) {
	d, err := newDevice(&narrator{w: io.Discard}, nil, "http://127.0.0.1/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: d.id, ServerURI: "http://127.0.0.1/x", DevInfo: d.info})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(context.Background(), "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("package 1: %v", err)
	}
	if r, ok := m.Body.Commands[1].(*syncml.Replace); !ok || len(r.Items) != 5 || r.Items[0].Data.Value != d.id {
		t.Errorf("package 1 has no DevInfo Replace naming the device: %+v", m.Body.Commands)
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
	d, err := newDevice(&narrator{w: io.Discard}, nil, "http://127.0.0.1/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: d.id, ServerURI: "http://127.0.0.1/x", Handler: d.mux})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
	exec := le.ExecEnroll()
	exec.SetID("2")
	in := &syncml.Message{
		XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Location{LocURI: d.id}, Source: syncml.Location{LocURI: "http://127.0.0.1/x"}},
		Body: syncml.Body{Commands: []syncml.Command{exec}, Final: true},
	}
	x, err := c.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var back syncml.Message
	if err := syncml.Unmarshal(x.Raw, &back); err != nil {
		t.Fatal(err)
	}
	var st *syncml.Status
	for _, c := range back.Body.Commands {
		if s, ok := c.(*syncml.Status); ok && s.MsgRef == "1" && s.CmdRef == "2" {
			st = s
		}
	}
	if st == nil {
		t.Fatalf("no Status for the Exec in %s", x.Raw)
	}
	err = dmclient.ReadStatus(st)
	var de *dmclient.DeviceError
	if !errors.As(err, &de) || de.Code != syncml.StatusCommandFailed || de.HRESULT != dmclient.ErrorFileNotFound {
		t.Errorf("ReadStatus = %v, want 500 with ERROR_FILE_NOT_FOUND", err)
	}
	if s := d.linked.State().Status; s != dmclient.StatusEnrollmentFailed {
		t.Errorf("EnrollStatus = %v, want 3 (EnrollmentFailed)", s)
	}
}

// TestServerRejects checks the SyncML endpoint's refusals.
func TestServerRejects(t *testing.T) {
	srv := newServer(&narrator{w: io.Discard}, "http://127.0.0.1", testCA(t))
	h, err := srv.handler()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	for _, tc := range []struct {
		contentType, body string
		want              int
	}{
		{"application/xml", "<SyncML/>", http.StatusUnsupportedMediaType},
		{session.ContentType, "not XML", http.StatusBadRequest},
		{session.ContentType, "<html/>", http.StatusBadRequest},
	} {
		resp, err := http.Post(ts.URL+pathWinDC, tc.contentType, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %q: %s, want %d", tc.contentType, tc.body, resp.Status, tc.want)
		}
	}
}

// TestWinDCWithoutSummary checks the WinDC endpoint with a device that
// sends no 1224 summary (a device holds none while it has no document):
// the server asks once (a Get, whose answer would carry it), then takes
// the device as holding nothing and declares its document.
func TestWinDCWithoutSummary(t *testing.T) {
	srv := newServer(&narrator{w: io.Discard}, "http://127.0.0.1", testCA(t))
	// This test is about the reconciler; TestWinDCNeedsCertificate and
	// TestRun about the certificate.
	srv.winDCAuth = nil
	h, err := srv.handler()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	var got []string
	c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:1", ServerURI: ts.URL + pathWinDC,
		Handler: session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
			got = append(got, r.Command.ElementName()+" "+lastSegments(syncml.Targets(r.Command)[0], 2))
			return session.Response{}
		})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), ts.Client(), ts.URL+pathWinDC, "1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"Get ManagementServiceConfiguration/RefreshInterval", "Add " + declaredID + "/Document", "Get " + declaredID + "/Document"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the device got %q, want %q", got, want)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.faults) != 0 {
		t.Errorf("faults = %v", srv.faults)
	}
}

func testCA(t *testing.T) *mde2.CA {
	t.Helper()
	ca, err := mde2.NewMemoryCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestWinDCNeedsCertificate checks that the WinDC endpoint refuses a
// session over TLS without a client certificate (401), and takes one
// with a certificate of the enrollment CA as the device its common name
// names, whatever the SyncHdr says.
func TestWinDCNeedsCertificate(t *testing.T) {
	ca := testCA(t)
	var out bytes.Buffer
	srv := newServer(&narrator{w: &out}, "https://127.0.0.1", ca)
	h, err := srv.handler()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	cert, err := ca.IssueTLSServer("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Root())
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: roots}
	ts.StartTLS()
	defer ts.Close()
	run := func(hc *http.Client) error {
		c, err := session.NewClient(session.ClientConfig{DeviceID: "urn:uuid:claimed", ServerURI: ts.URL + pathWinDC,
			Handler: session.HandlerFunc(func(context.Context, *session.Request) session.Response { return session.Response{} })})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Run(context.Background(), hc, ts.URL+pathWinDC, "1")
		return err
	}
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	if err := run(noCert); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("without a certificate: %v, want 401", err)
	}
	// A client certificate issued by the enrollment CA for CN=dev-7.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: "dev-7"}}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := mde2.ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(context.Background(), &mde2.IssueRequest{CSR: csr, Subject: pkix.Name{CommonName: "dev-7"}})
	if err != nil {
		t.Fatal(err)
	}
	withCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}}}}}
	if err := run(withCert); err != nil {
		t.Fatalf("with a certificate: %v", err)
	}
	if !strings.Contains(out.String(), "session of dev-7, identified by its client certificate") {
		t.Errorf("the server did not take the device as dev-7:\n%s", out.String())
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.devices["dev-7"] == nil || srv.devices["urn:uuid:claimed"] != nil {
		t.Errorf("devices known: %v", slices.Collect(maps.Keys(srv.devices)))
	}
}
