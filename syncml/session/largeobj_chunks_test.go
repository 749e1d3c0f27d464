package session

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// The bound of the chunks of one object (Config.MaxObjectChunks).

// statusCodeOf returns the code of the last Status of a cmd in m, "" for none.
func statusCodeOf(m *syncml.Message, cmd string) string {
	code := ""
	for _, c := range m.Body.Commands {
		if st, ok := c.(*syncml.Status); ok && st.Cmd == cmd && st.Data != nil {
			code = st.Data.Value
		}
	}
	return code
}

// TestServerBoundsObjectChunks: an object a device sends in more chunks
// than MaxObjectChunks is answered 413 from the chunk over the bound to
// its last, never joined nor served, and the session goes on: a command
// after it is served, and an object within the bound is joined. The
// count carries over in the saved state ("saved": a new Session loads the
// state before each message), so a device cannot reset it by spreading
// its chunks over messages.
func TestServerBoundsObjectChunks(t *testing.T) {
	for _, saved := range []bool{false, true} {
		t.Run("saved="+strconv.FormatBool(saved), func(t *testing.T) {
			var got []string
			cfg := &Config{MaxObjectChunks: 3, Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
				for _, it := range r.Command.ItemList() {
					if it.Data != nil {
						got = append(got, itemURI(it)+"="+it.Data.Value)
					}
				}
				return Response{}
			})}
			s := NewSession(cfg)
			msgID := 0
			send := func(body string, final bool) *syncml.Message {
				t.Helper()
				if saved {
					b, err := s.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					s = NewSession(cfg)
					if err := s.UnmarshalBinary(b); err != nil {
						t.Fatal(err)
					}
				}
				msgID++
				return handle(t, s, chunkMsg(strconv.Itoa(msgID), body, final)).Reply
			}
			var codes []string
			codes = append(codes, statusCodeOf(send(alert1201+replaceChunk("2", "./X", "10", "aa", true), false), "Replace"))
			for i := 2; i <= 4; i++ {
				codes = append(codes, statusCodeOf(send(replaceChunk("2", "./X", "", "aa", true), false), "Replace"))
			}
			codes = append(codes, statusCodeOf(send(replaceChunk("2", "./X", "", "aa", false), true), "Replace"))
			if d := cmp.Diff([]string{"213", "213", "213", "413", "413"}, codes); d != "" {
				t.Errorf("five chunks, three allowed (-want +got):\n%s", d)
			}
			if got != nil {
				t.Errorf("served %v", got)
			}
			// the session goes on
			if code := statusCodeOf(send(replaceChunk("2", "./Y", "", "y", false), true), "Replace"); code != "200" {
				t.Errorf("a Replace after the refused object: %s, want 200", code)
			}
			codes = codes[:0]
			codes = append(codes, statusCodeOf(send(replaceChunk("2", "./Z", "6", "aa", true), false), "Replace"))
			codes = append(codes, statusCodeOf(send(replaceChunk("2", "./Z", "", "bb", true), false), "Replace"))
			codes = append(codes, statusCodeOf(send(replaceChunk("2", "./Z", "", "cc", false), true), "Replace"))
			if d := cmp.Diff([]string{"213", "213", "200"}, codes); d != "" {
				t.Errorf("three chunks (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]string{"./Y=y", "./Z=aabbcc"}, got); d != "" {
				t.Errorf("served (-want +got):\n%s", d)
			}
		})
	}
}

// TestServerBoundsResultsChunks: the bound holds for Results a device
// sends in chunks too (the answer to a Get), answered 413.
func TestServerBoundsResultsChunks(t *testing.T) {
	s := NewSession(&Config{MaxObjectChunks: 2})
	_ = s.Queue(get("./A"))
	handle(t, s, devMsg("1", "1", alert1201)) // the Get goes out as CmdID 3 of message 1
	res := func(size, data string, more bool) string { return resultsChunk("3", size, data, more) }
	var codes []string
	x := handle(t, s, chunkMsg("2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`+
		`<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+res("6", "ab", true), false))
	codes = append(codes, statusCodeOf(x.Reply, "Results"))
	x = handle(t, s, chunkMsg("3", res("", "cd", true), false))
	codes = append(codes, statusCodeOf(x.Reply, "Results"))
	x = handle(t, s, chunkMsg("4", res("", "ef", false), true))
	codes = append(codes, statusCodeOf(x.Reply, "Results"))
	if d := cmp.Diff([]string{"213", "213", "413"}, codes); d != "" {
		t.Errorf("three chunks, two allowed (-want +got):\n%s", d)
	}
	for _, o := range x.Outcomes {
		if len(o.Results) > 0 {
			t.Errorf("the refused Results reached the Get's Outcome: %+v", o)
		}
	}
}

// TestServerChunkCountFailedReply: a chunk whose reply fails is not
// counted: the device's retry of it counts once.
func TestServerChunkCountFailedReply(t *testing.T) {
	name := "srv"
	s := NewSession(&Config{MaxObjectChunks: 3, ServerAuth: &ServerAuth{Type: AuthHMAC, Secret: func(context.Context, Identity) (string, string, error) {
		if name == "!" {
			return "", "", errors.New("no secret today")
		}
		return name, "srv-secret", nil
	}}})
	x := handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "6", "aa", true), false))
	codes := []string{statusCodeOf(x.Reply, "Replace")}
	second := chunkMsg("2", replaceChunk("2", "./X", "", "bb", true), false)
	name = "!"
	if _, err := s.Handle(context.Background(), &Inbound{Raw: second}); err == nil {
		t.Fatal("the reply did not fail")
	}
	name = "srv"
	codes = append(codes, statusCodeOf(handle(t, s, second).Reply, "Replace"))
	codes = append(codes, statusCodeOf(handle(t, s, chunkMsg("3", replaceChunk("2", "./X", "", "cc", false), true)).Reply, "Replace"))
	if d := cmp.Diff([]string{"213", "213", "200"}, codes); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestMaxObjectChunksDefault: zero is DefaultMaxObjectChunks, or enough
// chunks of half the MaxMsgSize a Server announces for an object of
// MaxObjectSize; below zero no bound.
func TestMaxObjectChunksDefault(t *testing.T) {
	for _, tc := range []struct {
		cfg  *Config
		want int
	}{
		{nil, DefaultMaxObjectChunks},
		{&Config{}, DefaultMaxObjectChunks},
		{&Config{MaxObjectChunks: 7}, 7},
		{&Config{MaxObjectChunks: -1}, 0},
		{&Config{AnnounceMaxMsgSize: 64 << 10}, DefaultMaxObjectChunks},
		{&Config{AnnounceMaxMsgSize: 4 << 10}, DefaultMaxObjectSize/(2<<10) + 1},
		{&Config{AnnounceMaxMsgSize: 4 << 10, MaxObjectSize: 1 << 20}, DefaultMaxObjectChunks},
		{&Config{AnnounceMaxMsgSize: 1000, MaxObjectSize: 1 << 20}, (1<<20)/500 + 1},
		{&Config{AnnounceMaxMsgSize: 1000, MaxObjectChunks: 5}, 5},
	} {
		if got := tc.cfg.maxChunks(); got != tc.want {
			t.Errorf("%+v: %d, want %d", tc.cfg, got, tc.want)
		}
	}
}

// TestServerObjectChunksOutgoing: a device announcing a MaxMsgSize so
// small that an object queued for it takes more chunks than
// MaxObjectChunks does not get it: the command is not sent, its Outcome's
// Err is a *LimitError of MaxObjectChunks, and what was queued with it
// goes out. Plain text is caught before it is cut (its chunks counted at
// least); text that escapes is cut and counted, then put back whole.
func TestServerObjectChunksOutgoing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value string
	}{
		{"plain", strings.Repeat("a", 20000)},
		{"escaped", strings.Repeat("&", 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(&Config{MaxObjectChunks: 8})
			big := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(tc.value)}}}
			_ = s.Queue(big)
			_ = s.Queue(get("./Small"))
			x, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", 1500, alert1201, true)})
			if err != nil {
				t.Fatal(err)
			}
			var le *LimitError
			if len(x.Outcomes) != 1 || x.Outcomes[0].Command != big || !errors.As(x.Outcomes[0].Err, &le) || !errors.Is(x.Outcomes[0].Err, ErrLimit) {
				t.Fatalf("outcomes %+v, want the Replace's with a LimitError", x.Outcomes)
			}
			if le.Limit != "MaxObjectChunks" || le.Max != 8 || le.Count <= 8 {
				t.Errorf("limit %+v", le)
			}
			if it := big.Items; len(it) != 1 || it[0].Data.Value != tc.value || it[0].MoreData || it[0].Meta != nil {
				t.Errorf("the Replace was not put back whole: %d items", len(it))
			}
			if d := cmp.Diff([]string{"1:Status(1/0 SyncHdr 200)", "2:Status(1/1 Alert 200)", "3:Get"}, summary(x.Reply)); d != "" {
				t.Errorf("reply (-want +got):\n%s", d)
			}
		})
	}
	// within the bound it goes, in chunks
	s := NewSession(&Config{MaxObjectChunks: 64})
	_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(strings.Repeat("a", 20000))}}})
	x, err := s.Handle(context.Background(), &Inbound{Raw: sizedMsg("1", "1", 1500, alert1201, true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Outcomes) != 0 || statusCodeOf(x.Reply, "Alert") != "200" || len(x.Reply.Body.Commands) != 3 {
		t.Errorf("within the bound: outcomes %+v, reply %v", x.Outcomes, summary(x.Reply))
	}
}

// TestServerObjectChunksOutgoingNotCut: an object of DefaultMaxObjectSize
// for a device of MaxMsgSize 1500 (some 4000 chunks) is refused without
// being cut first: the reply allocates a few hundred times, not the
// thousands of commands its chunks would be.
func TestServerObjectChunksOutgoingNotCut(t *testing.T) {
	value := strings.Repeat("a", DefaultMaxObjectSize)
	raw := sizedMsg("1", "1", 1500, alert1201, true)
	var outcomes []Outcome
	allocs := testing.AllocsPerRun(3, func() {
		s := NewSession(nil)
		_ = s.Queue(&syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Big"}, Data: syncml.Text(value)}}})
		x, err := s.Handle(context.Background(), &Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		outcomes = x.Outcomes
	})
	if len(outcomes) != 1 || !errors.Is(outcomes[0].Err, ErrLimit) {
		t.Fatalf("outcomes %+v, want the Replace's LimitError", outcomes)
	}
	if allocs > 1000 && !raceEnabled {
		t.Errorf("%.0f allocations for a refused object", allocs)
	}
}

// TestServerBoundsEmptyChunks: chunks without data count too. Before the
// bound, a device could send them without end, each making the server save
// the object received so far again; now the one after
// DefaultMaxObjectChunks is answered 413.
func TestServerBoundsEmptyChunks(t *testing.T) {
	s := NewSession(nil)
	x := handle(t, s, chunkMsg("1", alert1201+replaceChunk("2", "./X", "4", "ab", true), false))
	if code := statusCodeOf(x.Reply, "Replace"); code != "213" {
		t.Fatalf("first chunk: %s", code)
	}
	for i := 2; i <= DefaultMaxObjectChunks+1; i++ {
		x = handle(t, s, chunkMsg(strconv.Itoa(i), replaceChunk("2", "./X", "", "", true), false))
		want := "213"
		if i > DefaultMaxObjectChunks {
			want = "413"
		}
		if code := statusCodeOf(x.Reply, "Replace"); code != want {
			t.Fatalf("chunk %d: %s, want %s", i, code, want)
		}
	}
}
