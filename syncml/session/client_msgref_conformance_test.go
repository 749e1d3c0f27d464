package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestClientConformanceMsgRefs: every server message of the shared
// corpus that decodes is taken by a Client that has sent as many messages
// as the server's MsgID says (server and device number their messages
// alike, one answering the other): none of its MsgRefs names a message
// the device did not send. The corpus is read in place; the test skips
// without it.
func TestClientConformanceMsgRefs(t *testing.T) {
	dir := ""
	wd, _ := filepath.Abs(".")
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "shared", "conformance", "SOURCES.md")); err == nil {
			dir = filepath.Join(d, "shared", "conformance", "syncml")
			break
		}
		if filepath.Dir(d) == d {
			t.Skip("no conformance corpus")
		}
	}
	sources, err := os.ReadFile(filepath.Join(dir, "..", "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+\\.xml)` \\|.*dir: server->client")
	ctx := context.Background()
	taken := 0
	for _, f := range row.FindAllStringSubmatch(string(sources), -1) {
		raw, err := os.ReadFile(filepath.Join(dir, f[1]))
		if err != nil {
			continue
		}
		var m syncml.Message
		if syncml.Unmarshal(raw, &m) != nil || m.NoHeader {
			continue // malformed on purpose
		}
		msgID, err := strconv.Atoi(m.Header.MsgID)
		if err != nil || msgID < 1 || msgID > 20 {
			continue
		}
		sid := m.Header.SessionID
		if sid == "" {
			sid = "1"
		}
		c, err := NewClient(ClientConfig{DeviceID: "DEV1", ServerURI: "https://srv/dm"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, sid); err != nil {
			t.Fatal(err)
		}
		// server messages 1 to msgID-1, each a Get the device answers
		for k := 1; k < msgID; k++ {
			ref := strconv.Itoa(k)
			g := get("./DevDetail/SwV")
			g.CmdID = "2"
			_, err := c.Handle(ctx, &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: sid,
				MsgID: ref, Target: syncml.Location{LocURI: "DEV1"}},
				Body: syncml.Body{Final: true, Commands: []syncml.Command{
					&syncml.Status{CmdID: "1", MsgRef: ref, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.StatusOK.Data()}, g}}})
			if err != nil {
				t.Fatalf("%s: server message %d: %v", f[1], k, err)
			}
		}
		m.Header.SessionID, m.Header.Target.LocURI = sid, "DEV1" // the message was for another device
		_, err = c.Handle(ctx, &m)
		if errors.Is(err, ErrProtocol) && strings.Contains(err.Error(), "did not send") {
			t.Errorf("%s (MsgID %d): %v", f[1], msgID, err)
			continue
		}
		taken++
	}
	if taken == 0 {
		t.Skip("no server message in the corpus decodes")
	}
	t.Logf("%d server messages taken", taken)
}
