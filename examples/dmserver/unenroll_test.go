package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// unenrollMsg is package 1 of the session a Windows device starts when
// its user asks to be unenrolled, as the DMClient sends it: Alert 1201
// and a generic alert (1226) of Meta Type
// com.microsoft:mdm.unenrollment.userrequest, Format int, Data 1, as in
// the second sample of Microsoft's unenrollment article (its first writes
// the namespace syncml:metinfo, which package syncml refuses).
func unenrollMsg(sessionID, device string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + sessionID + `</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example` + PathWinDC + `</LocURI></Target>` +
		`<Source><LocURI>` + device + `</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>` +
		`<Alert><CmdID>2</CmdID><Data>1226</Data><Item><Meta>` +
		`<Type xmlns="syncml:metinf">com.microsoft:mdm.unenrollment.userrequest</Type>` +
		`<Format xmlns="syncml:metinf">int</Format></Meta><Data>1</Data></Item></Alert>` +
		`<Final/></SyncBody></SyncML>`)
}

// TestUnenrollForgets: a device of the WinDC endpoint that asks to be
// unenrolled (the 1226 alert of a user's unenrollment) is forgotten by
// the endpoint's Reconciler: its documents and what it knew of the device
// are gone (Status lists nothing, Desired is empty), a later message of
// that session records nothing again, and the device's next session
// starts as a new device's: the document is sent and Applied again, not
// reported Lost. Before, the Reconciler kept the device's records for
// ever, and that session found the document lost.
func TestUnenrollForgets(t *testing.T) {
	const device = "DEV-U"
	ctx := context.Background()
	docs, err := reconcile.ParseDocs([]byte(declareDoc))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	routes := newMux(log, nil)
	rec := handleWinDC(routes, log, nil, docs)
	srv := httptest.NewServer(routes)
	defer srv.Close()
	url := srv.URL + PathWinDC

	dev := &heldDevice{}
	c := dev.client(t, device, url)
	docsOf := func() []reconcile.DocStatus {
		t.Helper()
		ds, err := rec.Status(ctx, device)
		if err != nil {
			t.Fatal(err)
		}
		return ds.Docs
	}
	if _, err := c.Run(ctx, srv.Client(), url, "1", dev.summary()); err != nil {
		t.Fatal(err)
	}
	if d := docsOf(); len(d) != 1 || d[0].Condition != reconcile.InSync {
		t.Fatalf("after the first session: %+v, want the document in sync", d)
	}

	// The user unenrolls: the device drops its documents and starts a
	// session with the alert.
	dev.drop()
	if code, b := postRaw(t, url, windowsContentType, unenrollMsg("2", device)); code != http.StatusOK || !bytes.Contains(b, []byte("<Data>200</Data>")) {
		t.Fatalf("the unenrollment: HTTP %d\n%s", code, b)
	}
	if d := docsOf(); len(d) != 0 {
		t.Errorf("after the unenrollment the reconciler keeps %+v", d)
	}
	if want, err := rec.Desired(ctx, device); err != nil || len(want) != 0 {
		t.Errorf("after the unenrollment the reconciler desires %d documents (%v)", len(want), err)
	}
	if !strings.Contains(logs.String(), `msg=windc endpoint=WinDC device=`+device+` event=Forgotten`) {
		t.Errorf("no record of the device forgotten:\n%s", logs.String())
	}
	// A later message of that session is not reconciled: the document
	// its summary still lists would be recorded as a Stray.
	listed := session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType,
		`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="`+declareID+`" checksum="A0" result_checksum="R" state="60"/></DeclaredConfigurations>`)
	listed.CmdID = "1"
	second, err := syncml.Marshal(&syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "2", MsgID: "2",
			Target: syncml.Location{LocURI: "https://mdm.example" + PathWinDC}, Source: syncml.Location{LocURI: device}},
		Body: syncml.Body{Commands: []syncml.Command{listed}, Final: true}})
	if err != nil {
		t.Fatal(err)
	}
	if code, b := postRaw(t, url, windowsContentType, second); code != http.StatusOK {
		t.Fatalf("the unenrollment's second message: HTTP %d\n%s", code, b)
	}
	if d := docsOf(); len(d) != 0 {
		t.Errorf("the unenrollment's second message recorded %+v", d)
	}

	// The device's next session starts fresh.
	logs.Reset()
	if _, err := c.Run(ctx, srv.Client(), url, "3", dev.summary()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	adds := 0
	for _, c := range dev.commands() {
		if strings.HasPrefix(c, "Add ") {
			adds++
		}
	}
	if adds != 2 || strings.Contains(out, "event=Lost") || !strings.Contains(out, "event=Applied") {
		t.Errorf("the next session: %d Adds in all (want 2), log:\n%s", adds, out)
	}
	if d := docsOf(); len(d) != 1 || d[0].Condition != reconcile.InSync {
		t.Errorf("after the next session: %+v, want the document in sync", d)
	}
}
