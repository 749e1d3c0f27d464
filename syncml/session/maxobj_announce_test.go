package session

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A Server with AnnounceMaxObjSize sends it in the reply that starts the
// session, and a Client over HTTP keeps to it: the Results of an Item
// larger are not sent (its Get fails, 500, and the Client's Outcome holds
// a *LimitError of MaxObjSize), a smaller one goes. Without the
// announcement, the large Results go too. Before, the Server could not
// announce one and the Client sent whatever its handler gave.
func TestServerAnnouncesMaxObjSize(t *testing.T) {
	for _, tt := range []struct {
		name     string
		announce int
		bigCode  syncml.StatusCode
	}{
		{"announced", 1000, syncml.StatusCommandFailed},
		{"none", 0, syncml.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]syncml.StatusCode{} // URI of each Get: its code
			results := map[string]int{}           // URI: bytes of its Results
			srv := NewServer(ServerConfig{Session: Config{AnnounceMaxObjSize: tt.announce,
				BeforeReply: func(_ context.Context, _ *Session, _ *syncml.Message, x *Exchange) {
					mu.Lock()
					defer mu.Unlock()
					for _, o := range x.Outcomes {
						uri := o.Command.ItemList()[0].Target.LocURI
						got[uri], _ = o.Code()
						for _, r := range o.Results {
							results[uri] += len(r.Items[0].Data.Value)
						}
					}
				}}})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			if err := srv.Queue(context.Background(), "DEV", get("./Big"), get("./Small")); err != nil {
				t.Fatal(err)
			}
			c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: ts.URL,
				Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
					uri := r.Command.ItemList()[0].Target.LocURI
					n := 10
					if uri == "./Big" {
						n = 2000
					}
					return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text(strings.Repeat("v", n))}}}
				}),
			})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := c.Run(context.Background(), ts.Client(), ts.URL, "1")
			if err != nil {
				t.Fatal(err)
			}
			var le *LimitError
			limited := 0
			for _, o := range outs {
				if errors.As(o.Err, &le) {
					limited++
					if le.Limit != "MaxObjSize" || le.Max != 1000 || le.Count != 2000 || !errors.Is(o.Err, ErrLimit) {
						t.Errorf("Outcome error %v", o.Err)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.announce > 0]; limited != want {
				t.Errorf("%d Outcomes with a LimitError, want %d: %+v", limited, want, outs)
			}
			mu.Lock()
			defer mu.Unlock()
			if got["./Big"] != tt.bigCode || got["./Small"] != syncml.StatusOK || results["./Small"] != 10 {
				t.Errorf("server got %v, Results bytes %v; want ./Big %d, ./Small 200 with 10 bytes", got, results, tt.bigCode)
			}
			if wantBig := map[bool]int{true: 0, false: 2000}[tt.announce > 0]; results["./Big"] != wantBig {
				t.Errorf("./Big Results of %d bytes, want %d", results["./Big"], wantBig)
			}
		})
	}
}

// The MaxObjSize announced is lowered to what the session accepts and
// goes in the reply that starts the session only (it holds for the
// session); a negative or zero AnnounceMaxObjSize announces none.
func TestAnnounceMaxObjSizeHeader(t *testing.T) {
	for _, tt := range []struct {
		announce, maxObject int
		want                string
	}{
		{1000, 0, "1000"},
		{8 << 20, 0, "4194304"},
		{8 << 20, 6 << 20, "6291456"},
		{0, 0, ""},
		{-1, 0, ""},
	} {
		s := NewSession(&Config{AnnounceMaxObjSize: tt.announce, MaxObjectSize: tt.maxObject})
		obj := func(x *Exchange) string {
			if x.Reply.Header.Meta == nil {
				return ""
			}
			return x.Reply.Header.Meta.MaxObjSize
		}
		x := handle(t, s, devMsg("1", "1", alert1201))
		if got := obj(x); got != tt.want {
			t.Errorf("announce %d, MaxObjectSize %d: MaxObjSize %q, want %q", tt.announce, tt.maxObject, got, tt.want)
		}
		x = handle(t, s, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`))
		if got := obj(x); got != "" {
			t.Errorf("announce %d: second reply announces %q", tt.announce, got)
		}
	}
}

// A Client that heard the server's MaxObjSize does not send a command it
// queued with a larger Item, at any depth: its Outcome holds a
// *LimitError of MaxObjSize, and the other commands go.
func TestClientKeepsToServerMaxObjSize(t *testing.T) {
	var mu sync.Mutex
	var seen []string // URIs of the device's commands the server ran
	srv := NewServer(ServerConfig{Session: Config{AnnounceMaxObjSize: 1000,
		Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
			mu.Lock()
			defer mu.Unlock()
			if items := r.Command.ItemList(); len(items) > 0 && items[0].Target != nil {
				seen = append(seen, items[0].Target.LocURI)
			}
			return Response{}
		})}})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.Queue(context.Background(), "DEV", get("./DevDetail/SwV")); err != nil {
		t.Fatal(err)
	}
	replace := func(uri string, n int) *syncml.Replace {
		return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri}, Data: syncml.Text(strings.Repeat("v", n))}}}
	}
	queued := false
	c, err := NewClient(ClientConfig{DeviceID: "DEV", ServerURI: ts.URL, Handler: deviceMux(),
		BeforeReply: func(_ context.Context, c *Client, _ *syncml.Message, _ *Exchange) {
			if queued {
				return
			}
			queued = true
			if err := c.Queue(replace("./Big", 2000), replace("./Small", 10),
				&syncml.Sequence{Commands: []syncml.Command{replace("./InSeq", 2000)}}); err != nil {
				t.Error(err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := c.Run(context.Background(), ts.Client(), ts.URL, "1")
	if err != nil {
		t.Fatal(err)
	}
	var limited []string
	for _, o := range outs {
		var le *LimitError
		if errors.As(o.Err, &le) && le.Limit == "MaxObjSize" && le.Max == 1000 && le.Count == 2000 {
			limited = append(limited, o.Command.ElementName())
		}
	}
	if strings.Join(limited, ",") != "Replace,Sequence" {
		t.Errorf("not sent for MaxObjSize: %v, want Replace,Sequence; Outcomes %+v", limited, outs)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "./Small" {
		t.Errorf("server ran %v, want ./Small alone", seen)
	}
}
