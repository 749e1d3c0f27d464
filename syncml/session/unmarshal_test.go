package session

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientUnmarshal checks that Run decodes each server reply with
// ClientConfig.Unmarshal when it is set, and that the handler is given
// the Data it decoded; an error it returns ends the session.
func TestClientUnmarshal(t *testing.T) {
	s := NewServer(ServerConfig{})
	ctx := context.Background()
	if err := s.Queue(ctx, "DEV1", &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Policy/X"}, Data: syncml.XML("<a/>")}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()

	var decoded []*syncml.Data // the Data of each Item Unmarshal gave
	var handled []*syncml.Data
	mux := NewMux()
	_ = mux.HandleSubtree("", "./Vendor/MSFT", HandlerFunc(func(_ context.Context, r *Request) Response {
		for _, it := range r.Command.ItemList() {
			handled = append(handled, it.Data)
		}
		return Response{}
	}))
	calls := 0
	c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL, Handler: mux, Unmarshal: func(data []byte, m *syncml.Message) error {
		calls++
		if err := syncml.Unmarshal(data, m); err != nil {
			return err
		}
		for _, cmd := range m.Body.Commands {
			for _, it := range cmd.ItemList() {
				if it.Data != nil && strings.HasPrefix(it.Target.LocURI, "./Vendor/MSFT") {
					decoded = append(decoded, it.Data)
				}
			}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx, srv.Client(), srv.URL, "1"); err != nil {
		t.Fatal(err)
	}
	if calls < 1 || len(decoded) != 1 || len(handled) != 1 || decoded[0] != handled[0] {
		t.Fatalf("Unmarshal called %d times; decoded %v, handled %v", calls, decoded, handled)
	}

	refuse := errors.New("refused")
	c2, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: srv.URL, Handler: mux,
		Unmarshal: func([]byte, *syncml.Message) error { return refuse }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Run(ctx, srv.Client(), srv.URL, "2"); !errors.Is(err, refuse) {
		t.Fatalf("Run with a failing Unmarshal: %v", err)
	}
}
