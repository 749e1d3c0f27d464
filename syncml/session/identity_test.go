package session

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
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
	if x.Identity != (Identity{Device: "DEV1", User: "DEVICE-CN", Method: "tls"}) {
		t.Errorf("identity %+v", x.Identity)
	}
	if len(x.Reply.Body.Commands) != 3 {
		t.Errorf("with a certificate: %v", summary(x.Reply))
	}
}
