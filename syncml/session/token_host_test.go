package session

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// With SessionToken and no RespURI hook, an HTTP/1.0 request without a
// Host header leaves the server no URL to send the device to: it is the
// request's fault (400; for a bare Session an error matching ErrProtocol
// that says why), not the server's (500), and nothing is saved; the same
// message with a Host is accepted, with the token.
func TestSessionTokenNoHost(t *testing.T) {
	p := newTokenPeers(t, AuthBasic, true, 0)
	cred, err := basicCred("dev", "secret")
	if err != nil {
		t.Fatal(err)
	}
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1", Cred: cred,
		Target: syncml.Location{LocURI: p.ts.URL}, Source: syncml.Location{LocURI: "DEV"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{NewAlert(syncml.AlertClientInitiated)}}}
	number(m.Body.Commands, new(int))
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	before, _ := p.state(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /mdm HTTP/1.0\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ContentType, len(raw), raw)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("HTTP/1.0 without Host: %s %q, want 400", resp.Status, body)
	}
	if after, _ := p.state(t); after.SessionID != before.SessionID || after.OutMsgID != before.OutMsgID || after.Auth != nil {
		t.Errorf("state changed by the refused request: %+v", after)
	}
	s := NewSession(&Config{Authenticator: authServer(AuthBasic), SessionToken: true})
	if _, err := s.Handle(context.Background(), &Inbound{Message: m, URL: &url.URL{Scheme: "http", Path: "/mdm"}}); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "Host") {
		t.Errorf("bare Session, URL without host: %v, want ErrProtocol naming the Host header", err)
	}
	reply := p.post(t, p.ts.URL+"/mdm", raw)
	if code := hdrCode(t, reply); code != syncml.StatusAuthenticationAccepted || tokenOf(t, reply) == "" {
		t.Errorf("with a Host: %d, RespURI %q; want 212 and a token", code, reply.Header.RespURI)
	}
}
