package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// serverReplace is a server message (session "1", MsgID msgID) for DEV1
// whose one Replace carries pad bytes of text, encoded.
func serverReplace(t *testing.T, msgID string, pad int) []byte {
	t.Helper()
	return serverReplaceRuns(t, msgID, 1, pad)
}

// serverReplaceRuns is serverReplace with n Items of pad bytes each.
func serverReplaceRuns(t *testing.T, msgID string, n, pad int) []byte {
	t.Helper()
	r := &syncml.Replace{CmdID: "2"}
	for range n {
		r.Items = append(r.Items, syncml.Item{Target: &syncml.Location{LocURI: "./Vendor/X"}, Data: syncml.Text(strings.Repeat("a", pad))})
	}
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: msgID,
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{
			&syncml.Status{CmdID: "1", MsgRef: "1", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}, r}}}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// serverEnd is the server's message 2 of session "1", which ends it.
func serverEnd(t *testing.T) []byte {
	m := &syncml.Message{XMLNS: syncml.NamespaceSyncML12,
		Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "2",
			Target: syncml.Location{LocURI: "DEV1"}, Source: syncml.Location{LocURI: "https://srv/dm"}},
		Body: syncml.Body{Final: true, Commands: []syncml.Command{
			&syncml.Status{CmdID: "1", MsgRef: "2", CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}}}}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Error(err)
	}
	return raw
}

// TestClientReplyOverMaxMsgSize: a server reply larger than the
// MaxMsgSize the device announced is not decoded, by Run (over HTTP) or
// by HandleInbound (with or without the message parsed), nor given to
// ClientConfig.Unmarshal: the error holds a *LimitError for MaxMsgSize
// with the reply's size, and matches ErrProtocol; nothing of it runs. A
// reply of exactly MaxMsgSize is taken. Before the fix Run decoded it
// under syncml's 8 MiB default and ran the Replace.
func TestClientReplyOverMaxMsgSize(t *testing.T) {
	ctx := context.Background()
	const max = 4096
	over := serverReplace(t, "1", max)
	fits := serverReplace(t, "1", 0)
	fits = serverReplace(t, "1", max-len(fits))
	if len(fits) != max || len(over) <= max {
		t.Fatalf("replies of %d and %d bytes, want %d and more", len(fits), len(over), max)
	}
	ran, decoded := 0, 0
	newClient := func(withUnmarshal bool) *Client {
		cfg := ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm", MaxMsgSize: max,
			Handler: HandlerFunc(func(context.Context, *Request) Response { ran++; return Response{} })}
		if withUnmarshal {
			cfg.Unmarshal = func(data []byte, m *syncml.Message) error { decoded++; return syncml.Unmarshal(data, m) }
		}
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wantLimit := func(what string, err error, n int) {
		t.Helper()
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != "MaxMsgSize" || le.Max != max || le.Count != int64(n) || !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: %v; want MaxMsgSize (%d) exceeded: %d, and ErrProtocol", what, err, max, n)
		}
	}
	for _, withUnmarshal := range []bool{false, true} {
		ran, decoded = 0, 0
		reply, posts := over, 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ContentType)
			if posts++; posts > 1 {
				_, _ = w.Write(serverEnd(t)) // the answer to the reply
				return
			}
			_, _ = w.Write(reply)
		}))
		_, err := newClient(withUnmarshal).Run(ctx, srv.Client(), srv.URL, "1")
		wantLimit("Run", err, len(over))
		if ran != 0 || decoded != 0 {
			t.Errorf("Run, Unmarshal %v: the Handler ran %d times, Unmarshal %d; want none", withUnmarshal, ran, decoded)
		}
		reply, posts = fits, 0
		if _, err := newClient(withUnmarshal).Run(ctx, srv.Client(), srv.URL, "1"); err != nil {
			t.Errorf("Run within MaxMsgSize: %v", err)
		}
		if ran != 1 || (withUnmarshal && decoded != 2) {
			t.Errorf("Run within MaxMsgSize, Unmarshal %v: the Handler ran %d times, Unmarshal %d; want the reply handled", withUnmarshal, ran, decoded)
		}
		srv.Close()

		ran, decoded = 0, 0
		c := newClient(withUnmarshal)
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleInbound(ctx, &Inbound{Raw: over})
		wantLimit("HandleInbound, Raw", err, len(over))
		var m syncml.Message
		if err := syncml.Unmarshal(over, &m); err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleInbound(ctx, &Inbound{Raw: over, Message: &m})
		wantLimit("HandleInbound, Raw and Message", err, len(over))
		if ran != 0 || decoded != 0 {
			t.Errorf("HandleInbound, Unmarshal %v: the Handler ran %d times, Unmarshal %d; want none", withUnmarshal, ran, decoded)
		}
		if _, err := c.HandleInbound(ctx, &Inbound{Raw: fits}); err != nil || ran != 1 {
			t.Errorf("HandleInbound within MaxMsgSize: %v, the Handler ran %d times", err, ran)
		}
	}
}

// TestClientDecodeLimitsFollowConfig: without MaxMsgSize, a server
// message HandleInbound decodes from its bytes is bounded by the Client's
// MaxBytes (DefaultMaxBytes when zero, half syncml's default), as Run's
// reply is, not by syncml's defaults; and MaxObjectSize above syncml's
// MaxTokenBytes lets an object that large come whole. Before the fix
// HandleInbound decoded under syncml's defaults: the 5 MiB message of
// 1 MiB text runs was taken, and a 5 MiB text run refused whatever
// MaxObjectSize.
func TestClientDecodeLimitsFollowConfig(t *testing.T) {
	ctx := context.Background()
	start := func(cfg ClientConfig) *Client {
		cfg.DeviceID, cfg.ServerURI = "DEV1", "https://srv/dm"
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	small := serverReplace(t, "1", 2000)
	var le *LimitError
	_, err := start(ClientConfig{MaxBytes: 1000}).HandleInbound(ctx, &Inbound{Raw: small})
	if !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != 1000 {
		t.Errorf("MaxBytes 1000, %d bytes: %v; want MaxBytes (1000)", len(small), err)
	}
	if _, err := start(ClientConfig{MaxBytes: int64(len(small))}).HandleInbound(ctx, &Inbound{Raw: small}); err != nil {
		t.Errorf("MaxBytes %d, as many bytes: %v", len(small), err)
	}
	// over DefaultMaxBytes, within syncml's defaults
	five := serverReplaceRuns(t, "1", 5, 1<<20)
	_, err = start(ClientConfig{}).HandleInbound(ctx, &Inbound{Raw: five})
	if !errors.As(err, &le) || le.Limit != "MaxBytes" || le.Max != DefaultMaxBytes {
		t.Errorf("default MaxBytes, %d bytes: %v; want MaxBytes (%d)", len(five), err, DefaultMaxBytes)
	}
	big := serverReplace(t, "1", 5<<20) // one text run over syncml's MaxTokenBytes
	_, err = start(ClientConfig{MaxBytes: 8 << 20}).HandleInbound(ctx, &Inbound{Raw: big})
	if !errors.As(err, &le) || le.Limit != "MaxTokenBytes" {
		t.Errorf("MaxBytes 8 MiB, a 5 MiB text run: %v; want MaxTokenBytes", err)
	}
	if _, err := start(ClientConfig{MaxBytes: 8 << 20, MaxObjectSize: 6 << 20}).HandleInbound(ctx, &Inbound{Raw: big}); err != nil {
		t.Errorf("MaxObjectSize 6 MiB, a 5 MiB text run: %v", err)
	}
}
