package session

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func TestClientCertificate(t *testing.T) {
	s := NewSession(&Config{Authenticator: ClientCertificate})
	_ = s.Queue(get("./A"))
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "DEVICE-CN"}}
	ctx := context.Background()

	x, err := s.Handle(ctx, &Inbound{Raw: devMsg("1", "1", alert1201), TLS: &tls.ConnectionState{}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := x.Reply.Body.Commands[0].(*syncml.Status).Code(); code != 401 || len(x.Reply.Body.Commands) != 1 {
		t.Errorf("without a certificate: %v", summary(x.Reply))
	}
	x, err = s.Handle(ctx, &Inbound{Raw: devMsg("1", "2", alert1201), TLS: &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}})
	if err != nil {
		t.Fatal(err)
	}
	if x.Identity != (Identity{Device: "DEVICE-CN", User: "DEVICE-CN", Method: "tls"}) {
		t.Errorf("identity %+v", x.Identity)
	}
	if len(x.Reply.Body.Commands) != 3 {
		t.Errorf("with a certificate: %v", summary(x.Reply))
	}
}

// certRequest is a POST of raw over a TLS connection whose verified client
// certificate has the common name cn ("" for no certificate).
func certRequest(raw []byte, cn string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/ManagementServer/MDM.svc", bytes.NewReader(raw))
	r.Header.Set("Content-Type", ContentType)
	r.TLS = &tls.ConnectionState{}
	if cn != "" {
		cert := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
		r.TLS.VerifiedChains = [][]*x509.Certificate{{cert}}
	}
	return r
}

// locMsg is package 1 of a device that calls itself loc in its SyncHdr.
func locMsg(loc, sessionID string) []byte {
	return bytes.Replace(devMsg(sessionID, "1", alert1201), []byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>"+loc+"</LocURI>"), 1)
}

// A device holding a certificate cannot reach another device's session by
// writing that device's LocURI: the state is kept under the identity the
// certificate proves.
func TestClientCertificateKeysState(t *testing.T) {
	srv := NewServer(ServerConfig{Session: Config{Authenticator: ClientCertificate}})
	ctx := context.Background()
	if err := srv.Queue(ctx, "VICTIM", get("./Vendor/MSFT/Secret")); err != nil {
		t.Fatal(err)
	}
	post := func(raw []byte, cn string) *syncml.Message {
		t.Helper()
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, certRequest(raw, cn))
		if w.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	// The attacker's certificate says ATTACKER; its SyncHdr says VICTIM.
	m := post(locMsg("VICTIM", "7"), "ATTACKER")
	for _, c := range m.Body.Commands {
		if c.ElementName() == "Get" {
			t.Fatalf("the attacker received the victim's command: %v", summary(m))
		}
	}
	// Without a certificate nothing is let in nor changed.
	m = post(locMsg("VICTIM", "8"), "")
	if code, _ := m.Body.Commands[0].(*syncml.Status).Code(); code != syncml.StatusInvalidCredentials || len(m.Body.Commands) != 1 {
		t.Errorf("without a certificate: %v", summary(m))
	}
	// The victim, with its own certificate, still gets its command in a
	// reply numbered 1.
	m = post(locMsg("VICTIM", "9"), "VICTIM")
	if s := summary(m); len(s) != 3 || s[2] != "3:Get" || m.Header.MsgID != "1" {
		t.Errorf("the victim's session: %v (MsgID %s)", s, m.Header.MsgID)
	}
}
