package session

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// States saved before format 9 load and go on.

// TestStateReceivingBeforeFormat9: testdata/state-v6-receiving.bin, saved
// before the chunks were counted (format 6) by a Server that had the first
// chunk "aa" of a 6-byte object for ./X, loads (its count taken as 0), is
// saved again in format 9, and its object is joined with the next chunks.
func TestStateReceivingBeforeFormat9(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "state-v6-receiving.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if old[0] != 6 {
		t.Fatalf("testdata of format %d", old[0])
	}
	var got []string
	cfg := &Config{MaxObjectChunks: 2, Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
		if it := r.Command.ItemList(); len(it) == 1 && it[0].Data != nil {
			got = append(got, itemURI(it[0])+"="+it[0].Data.Value)
		}
		return Response{}
	})}
	s := NewSession(cfg)
	if err := s.UnmarshalBinary(old); err != nil {
		t.Fatal(err)
	}
	if lo := s.st.LO; lo == nil || string(lo.Data) != "aa" || lo.Chunks != 0 {
		t.Fatalf("partial object %+v", lo)
	}
	b, err := s.MarshalBinary()
	if err != nil || b[0] != stateFormat {
		t.Fatalf("saved again: format %d, %v", b[0], err)
	}
	s = NewSession(cfg)
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	codes := []string{statusCodeOf(handle(t, s, chunkMsg("2", replaceChunk("2", "./X", "", "bb", true), false)).Reply, "Replace")}
	codes = append(codes, statusCodeOf(handle(t, s, chunkMsg("3", replaceChunk("2", "./X", "", "cc", false), true)).Reply, "Replace"))
	if d := cmp.Diff([]string{"213", "200"}, codes); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"./X=aabbcc"}, got); d != "" {
		t.Errorf("served (-want +got):\n%s", d)
	}
}

// TestStateSendingFormat8: testdata/state-v8-sending.bin, saved in format
// 8 by a Server that sent the first chunk of a Replace of
// strings.Repeat("ab&<", 1000) to a device of MaxMsgSize 1500, loads, and
// the device receives the whole object over the next messages.
func TestStateSendingFormat8(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "state-v8-sending.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if old[0] != 8 {
		t.Fatalf("testdata of format %d", old[0])
	}
	s := NewSession(nil)
	if err := s.UnmarshalBinary(old); err != nil {
		t.Fatal(err)
	}
	// the first chunk, from the reply the state holds
	var m syncml.Message
	if err := syncml.Unmarshal(s.st.Reply, &m); err != nil {
		t.Fatal(err)
	}
	var data strings.Builder
	var outcomes []Outcome
	for i := 2; i < 200; i++ {
		body := `<Status><CmdID>1</CmdID><MsgRef>` + m.Header.MsgID + `</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
		id, replaced := 2, false
		for _, c := range m.Body.Commands {
			r, ok := c.(*syncml.Replace)
			if !ok {
				continue
			}
			replaced = true
			it := r.Items[0]
			data.WriteString(it.Data.Value)
			code := "200"
			if it.MoreData {
				code = "213"
			}
			body += fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>Replace</Cmd><Data>%s</Data></Status>`, id, m.Header.MsgID, r.CmdID, code)
			id++
		}
		if !m.Body.Final {
			body += fmt.Sprintf(`<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, id)
		}
		x, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", fmt.Sprint(i), 1500, body, true)})
		if err != nil {
			t.Fatal(err)
		}
		outcomes = append(outcomes, x.Outcomes...)
		if b, err := s.MarshalBinary(); err != nil {
			t.Fatal(err)
		} else if s = NewSession(nil); s.UnmarshalBinary(bytes.Clone(b)) != nil {
			t.Fatal("state does not load again")
		}
		if !replaced {
			break
		}
		m = *x.Reply
	}
	if want := strings.Repeat("ab&<", 1000); data.String() != want {
		t.Errorf("device got %d bytes, want %d", data.Len(), len(want))
	}
	if len(outcomes) != 1 || outcomes[0].Err != nil || outcomes[0].Status == nil || outcomes[0].Status.Data.Value != "200" {
		t.Errorf("outcomes %+v, want the Replace's, 200", outcomes)
	}
}
