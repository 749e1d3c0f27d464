package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// The defaults agree: an object of DefaultMaxObjectSize less 4 KiB, sent
// by the server to a device whose MaxMsgSize is 64 KiB (what Windows
// announces), goes through in one Run with the default MaxMessages, with
// room left: plain text, and text that every byte of grows fivefold when
// escaped (&amp;), the most XML text grows. Before, DefaultMaxMessages (64)
// was exceeded in every session ("limit MaxMessages (64) exceeded at
// offset 65"), the server sending the object again each time.
func TestDefaultMaxMessagesCarryMaxObject(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    string
		bare bool // served by a bare Session: a Server decodes the rest of the object from its
		// stored state at every message, which for the escaped one (369 messages, up to 20 MiB)
		// takes some 45 s, too long for a test run under -race
	}{{"plain", "y", false}, {"escaped fivefold", "&", true}} {
		t.Run(tc.name, func(t *testing.T) {
			value := strings.Repeat(tc.c, DefaultMaxObjectSize-4096)
			cfg := Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
				if first {
					_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/X"}, Data: syncml.Text(value)}}})
				}
			}}
			var h http.Handler = NewServer(ServerConfig{Session: cfg})
			if tc.bare {
				s := NewSession(&cfg)
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					x, err := s.Handle(r.Context(), &Inbound{Raw: body})
					if err != nil {
						t.Error(err)
						http.Error(w, err.Error(), http.StatusInternalServerError)
						return
					}
					w.Header().Set("Content-Type", ContentType)
					_, _ = w.Write(x.Raw)
				})
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			var got string
			posts := 0
			c, err := NewClient(ClientConfig{DeviceID: "dev-big", ServerURI: ts.URL, MaxMsgSize: 64 << 10,
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					got = r.Command.ItemList()[0].Data.Value
					return Response{}
				}),
				EachMessage: func(context.Context) ([]syncml.Command, error) { posts++; return nil, nil }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Run(context.Background(), nil, ts.URL, "1"); err != nil {
				t.Fatalf("Run: %v (after %d messages)", err, posts)
			}
			if got != value {
				t.Fatalf("the device got %d bytes, want %d", len(got), len(value))
			}
			// room for the rest of a session: the object in the other
			// direction too, and the 64 messages that were the default
			if 2*posts+64 > DefaultMaxMessages {
				t.Errorf("%d messages for the object: DefaultMaxMessages %d leaves too little room", posts, DefaultMaxMessages)
			}
			t.Logf("%d messages", posts)
		})
	}
}

// MaxMessages exceeded is a LimitError on a count: its text says the
// count, not an offset.
func TestMaxMessagesLimitCount(t *testing.T) {
	srv := NewServer(ServerConfig{Session: Config{OnStart: func(_ context.Context, s *Session, _ Identity, first bool) {
		if first {
			_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(strings.Repeat("y", 20000))}}})
		}
	}}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c, err := NewClient(ClientConfig{DeviceID: "dev", ServerURI: ts.URL, MaxMsgSize: 2000, MaxMessages: 3, Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Run(context.Background(), nil, ts.URL, "1")
	var le *syncml.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxMessages" || le.Max != 3 || le.Count != 4 || le.Offset != -1 || strings.Contains(err.Error(), "offset") {
		t.Errorf("err %v (%+v)", err, le)
	}
}
