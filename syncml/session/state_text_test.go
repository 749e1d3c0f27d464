package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// deliverSaved is deliver with the Session's state saved by save and
// loaded into a new Session after every message (nil: kept in memory),
// as a Server does. It returns the Data the device saw per LocURI, the
// server's messages and the states saved.
func deliverSaved(t *testing.T, cmd syncml.Command, maxMsg int, save func(*Session) ([]byte, error)) (map[string]string, [][]byte, [][]byte) {
	t.Helper()
	seen := map[string]string{}
	h := HandlerFunc(func(_ context.Context, r *Request) Response {
		for _, it := range r.Command.ItemList() {
			if it.Data != nil {
				seen[itemURI(it)] += it.Data.Value
			}
		}
		return Response{}
	})
	s := NewSession(nil)
	if err := s.Queue(cmd); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: h, MaxMsgSize: maxMsg})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var msgs, states [][]byte
	for range 500 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatalf("server message %d: %v", len(msgs)+1, err)
		}
		msgs = append(msgs, x.Raw)
		if save != nil {
			b, err := save(s)
			if err != nil {
				t.Fatal(err)
			}
			states = append(states, b)
			s = NewSession(nil)
			if err := s.UnmarshalBinary(b); err != nil {
				t.Fatalf("state after message %d: %v", len(msgs), err)
			}
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			t.Fatal(err)
		}
		if cx.Done {
			return seen, msgs, states
		}
		m = cx.Reply
	}
	t.Fatal("session does not end")
	return nil, nil, nil
}

// earlierFormat saves s as the versions before format 8 did (6, or 7
// with a token).
func earlierFormat(s *Session) ([]byte, error) { return s.appendStateSplit(nil, false) }

// A large object sent through a session whose state is saved and loaded
// between messages goes out as it does from a Session kept in memory,
// message for message, whether the states are of format 8 or of the
// earlier format (a state saved by an earlier version while the object
// goes out still loads), or alternate. Its states of format 8 hold the
// object's text as it is: not escaped, which is what makes each message
// cost a copy of the rest of the object, not its encoding.
func TestStateTextLargeObject(t *testing.T) {
	value := strings.Repeat("a&b<c>d é ]]> \"q\" ", 3000) // escapes, UTF-8, CDATA end
	for _, kind := range []syncml.DataKind{syncml.DataText, syncml.DataCDATA} {
		newCmd := func() syncml.Command {
			return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Big"},
				Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: &syncml.Data{Kind: kind, Value: value}}}}
		}
		seen, want, _ := deliverSaved(t, newCmd(), 4000, nil)
		if seen["./Vendor/MSFT/Big"] != value || len(want) < 10 {
			t.Fatalf("kind %d in memory: %d messages, joined object of %d bytes, want %d", kind, len(want), len(seen["./Vendor/MSFT/Big"]), len(value))
		}
		n := 0
		saves := map[string]func(*Session) ([]byte, error){
			"format 8": (*Session).MarshalBinary,
			"earlier":  earlierFormat,
			"alternate": func(s *Session) ([]byte, error) {
				if n++; n%2 == 0 {
					return earlierFormat(s)
				}
				return s.MarshalBinary()
			},
		}
		for name, save := range saves {
			seen, msgs, states := deliverSaved(t, newCmd(), 4000, save)
			if seen["./Vendor/MSFT/Big"] != value {
				t.Errorf("kind %d, %s: joined object of %d bytes, want %d", kind, name, len(seen["./Vendor/MSFT/Big"]), len(value))
			}
			if len(msgs) != len(want) {
				t.Errorf("kind %d, %s: %d messages, want %d", kind, name, len(msgs), len(want))
				continue
			}
			for i := range msgs {
				if !bytes.Equal(msgs[i], want[i]) {
					t.Errorf("kind %d, %s: message %d differs from the one kept in memory\n%s\nwant\n%s", kind, name, i+1, msgs[i], want[i])
					break
				}
			}
			if name != "format 8" {
				continue
			}
			eights := 0
			for i, b := range states {
				if b[0] != stateFormat {
					continue
				}
				eights++
				// the text of the object as it is, and escaped only in
				// the last reply the state holds
				raw, esc := []byte(`a&b<c>d é ]]> "q"`), []byte(`a&amp;b&lt;c&gt;d é ]]&gt; "q"`)
				if bytes.Count(b, raw) == 0 || bytes.Count(b, esc) > bytes.Count(msgs[i], esc) {
					t.Errorf("kind %d: state %d of format 8 holds the object's text %d times as it is, %d times escaped (%d in the reply)",
						kind, i+1, bytes.Count(b, raw), bytes.Count(b, esc), bytes.Count(msgs[i], esc))
				}
			}
			if eights < len(states)/2 {
				t.Errorf("kind %d: %d states of format 8 among %d", kind, eights, len(states))
			}
		}
	}
}

// stateWithPieces returns the format 8 state of a session whose first
// chunk of an object went out, and the text of its last chunk.
func stateWithPieces(t *testing.T) ([]byte, string) {
	t.Helper()
	s := NewSession(nil)
	value := strings.Repeat("x", 2000) + "THE-END"
	if err := s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(value)}}}); err != nil {
		t.Fatal(err)
	}
	handle(t, s, []byte(strings.Replace(string(devMsg("1", "1", alert1201)), "</Source></SyncHdr>",
		`</Source><Meta><MaxMsgSize xmlns="syncml:metinf">1500</MaxMsgSize></Meta></SyncHdr>`, 1)))
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != stateFormat || len(s.st.Cont) == 0 {
		t.Fatalf("state of format %d, %d commands in Cont", b[0], len(s.st.Cont))
	}
	last := s.st.Cont[len(s.st.Cont)-1].ItemList()[0].Data.Value
	if !strings.HasSuffix(last, "THE-END") {
		t.Fatalf("last chunk %q", last)
	}
	return b, last
}

// A state of format 8 whose texts do not fit its commands is
// ErrStoredState, saying what is wrong, not a panic nor a text lost.
func TestStateTextBad(t *testing.T) {
	good, last := stateWithPieces(t)
	// the last text of the rest of the package: its command's index, its
	// Item's, its Kind, its length, then the text
	at := bytes.Index(good, append(lenPrefix(len(last)), last...))
	if at < 4 {
		t.Fatalf("last text not found in the state")
	}
	lenLen := len(lenPrefix(len(last)))
	cmdAt, itemAt, kindAt := at-3, at-2, at-1
	if good[itemAt] != 0 || good[kindAt] != byte(syncml.DataText) {
		t.Fatalf("unexpected bytes before the last text: % x", good[at-4:at+lenLen])
	}
	for _, tc := range []struct {
		name string
		at   int
		b    byte
		want string
	}{
		{"command out of range", cmdAt, 100, "for command 100"},
		{"command out of order", cmdAt, 0, "out of order"},
		{"item out of range", itemAt, 1, "for item 1 of 1"},
		{"kind XML", kindAt, byte(syncml.DataXML), "of kind 2"},
	} {
		bad := bytes.Clone(good)
		bad[tc.at] = tc.b
		s := NewSession(nil)
		err := s.UnmarshalBinary(bad)
		if !errors.Is(err, ErrStoredState) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "package rest") {
			t.Errorf("%s: %v, want ErrStoredState saying %q", tc.name, err, tc.want)
		}
	}
	s := NewSession(nil)
	if err := s.UnmarshalBinary(good); err != nil {
		t.Fatal(err)
	}
	if got := s.st.Cont[len(s.st.Cont)-1].ItemList()[0].Data.Value; got != last {
		t.Errorf("last chunk loaded: %d bytes, want %d", len(got), len(last))
	}
	// Truncated anywhere among the texts: an error.
	for i := at - 4; i < len(good); i += 97 {
		if err := NewSession(nil).UnmarshalBinary(good[:i]); !errors.Is(err, ErrStoredState) {
			t.Errorf("state cut at %d of %d: %v", i, len(good), err)
		}
	}
}

// lenPrefix is the uvarint of n, as a state writes a field's length.
func lenPrefix(n int) []byte {
	var w stateWriter
	w.uint(uint64(n))
	return w.b
}

// A state of format 8 with a text for an Item that has Data in the
// skeleton, or for a command that is not chunked, is refused.
func TestStateTextPut(t *testing.T) {
	withData := func() []syncml.Command {
		return []syncml.Command{&syncml.Replace{Items: []syncml.Item{{Data: syncml.Text("kept")}}}}
	}
	text := pulled{data: syncml.Data{Value: "v"}}
	for _, tc := range []struct {
		name  string
		cmds  []syncml.Command
		texts []pulled
		want  string
	}{
		{"item with Data", withData(), []pulled{text}, "an item with Data"},
		{"a Get", []syncml.Command{&syncml.Get{Items: []syncml.Item{{}}}}, []pulled{text}, "for a Get"},
		{"empty text", []syncml.Command{&syncml.Replace{Items: []syncml.Item{{}}}}, []pulled{{}}, "0 bytes"},
		{"twice", []syncml.Command{&syncml.Replace{Items: []syncml.Item{{}}}}, []pulled{text, text}, "out of order"},
	} {
		if err := putTexts(tc.cmds, tc.texts, false); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	cmds := []syncml.Command{&syncml.Get{}, &syncml.Add{Items: []syncml.Item{{}, {Data: syncml.Text("k")}, {}}}}
	if err := putTexts(cmds, []pulled{{cmd: 1, item: 0, data: syncml.Data{Value: "a"}}, {cmd: 1, item: 2, data: syncml.Data{Kind: syncml.DataCDATA, Value: "c"}}}, false); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(cmds[1].ItemList()[0].Data, cmds[1].ItemList()[1].Data, cmds[1].ItemList()[2].Data)
	if want := fmt.Sprint(syncml.Text("a"), syncml.Text("k"), &syncml.Data{Kind: syncml.DataCDATA, Value: "c"}); got != want {
		t.Errorf("texts put back: %s, want %s", got, want)
	}
}
