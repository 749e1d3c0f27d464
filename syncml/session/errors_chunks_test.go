package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// resultsChunk returns a device's Results of CmdID id answering the Get
// of CmdID 3 of message 1 (./A): one chunk, data, with the Meta Size
// size when not "", MoreData when more.
func resultsChunk(id, size, data string, more bool) string {
	return `<Results><CmdID>` + id + `</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef>` +
		chunkItem(`<Source><LocURI>./A</LocURI></Source>`, size, data, more) + `</Results>`
}

// getOutcomes queues a Get of ./A in a Session of cfg, sends it (CmdID 3
// of message 1), hands the Session the device's messages msgs (2, 3…;
// the last one final) and returns the Get's Outcomes.
func getOutcomes(t *testing.T, cfg *Config, msgs []string) []Outcome {
	t.Helper()
	s := NewSession(cfg)
	if err := s.Queue(get("./A")); err != nil {
		t.Fatal(err)
	}
	handle(t, s, devMsg("1", "1", alert1201))
	var outs []Outcome
	for i, body := range msgs {
		x := handle(t, s, chunkMsg(itoa(i+2), body, i == len(msgs)-1))
		for _, o := range x.Outcomes {
			if o.Command.ElementName() == "Get" {
				outs = append(outs, o)
			}
		}
	}
	return outs
}

// TestResultsChunksError: the Outcome of a Get whose Results the device
// sends in chunks that are not joined has a *ResultsChunksError saying
// why (the code answered, the bound for 413) and how far the object
// came, one case per cause. Before, the Outcome of an object refused
// mid-way had an error whose text listed every cause, and one refused at
// its first chunk had none (a Status 200 and no Results: a Get answered
// with nothing).
func TestResultsChunksError(t *testing.T) {
	res := func(size, data string, more bool) string { return resultsChunk("3", size, data, more) }
	const hdrStatus = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	const getStatus = `<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`
	const other = `<Replace><CmdID>4</CmdID><Item><Target><LocURI>./B</LocURI></Target><Data>1</Data></Item></Replace>`
	for _, tc := range []struct {
		name  string
		cfg   Config
		msgs  []string // device messages 2, 3…, after the Get went out; the last one final
		want  ResultsChunksError
		limit *LimitError // want.Limit, compared by its fields
	}{
		{name: "MaxObjectChunks", cfg: Config{MaxObjectChunks: 2},
			msgs:  []string{hdrStatus + getStatus + res("6", "ab", true), res("", "cd", true), res("", "ef", false)},
			want:  ResultsChunksError{Code: 413, Size: 6, Received: 4, Chunks: 2},
			limit: &LimitError{Limit: "MaxObjectChunks", Max: 2, Offset: -1, Count: 3}},
		{name: "MaxObjectSize mid-way", cfg: Config{MaxObjectSize: 5},
			msgs:  []string{hdrStatus + getStatus + res("4", "ab", true), res("", "cd", true), res("", "ef", false)},
			want:  ResultsChunksError{Code: 413, Size: 4, Received: 4, Chunks: 2},
			limit: &LimitError{Limit: "MaxObjectSize", Max: 5, Offset: -1, Count: 6}},
		{name: "MaxObjectSize announced", cfg: Config{MaxObjectSize: 5},
			msgs:  []string{hdrStatus + getStatus + res("10", "ab", true), res("", "cd", false)},
			want:  ResultsChunksError{Code: 413, Size: 10},
			limit: &LimitError{Limit: "MaxObjectSize", Max: 5, Offset: -1, Count: 10}},
		{name: "size mismatch",
			msgs: []string{hdrStatus + getStatus + res("10", "ab", true), res("", "cd", false)},
			want: ResultsChunksError{Code: 424, Size: 10, Received: 4, Chunks: 2}},
		{name: "no size",
			msgs: []string{hdrStatus + getStatus + res("", "ab", true), res("", "cd", false)},
			want: ResultsChunksError{Code: 400, Size: -1}},
		{name: "cut by the device",
			msgs: []string{hdrStatus + getStatus + res("6", "ab", true), other},
			want: ResultsChunksError{Code: 0, Size: 6, Received: 2, Chunks: 1}},
		{name: "Status in an earlier message", cfg: Config{MaxObjectSize: 5},
			msgs:  []string{hdrStatus + getStatus, res("10", "ab", true), res("", "cd", false)},
			want:  ResultsChunksError{Code: 413, Size: 10},
			limit: &LimitError{Limit: "MaxObjectSize", Max: 5, Offset: -1, Count: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs []error
			for _, o := range getOutcomes(t, &tc.cfg, tc.msgs) {
				if o.Status == nil || len(o.Results) > 0 {
					t.Errorf("the Get's Outcome has Status %v and %d Results, want the device's Status and none", o.Status, len(o.Results))
				}
				if o.Err != nil {
					errs = append(errs, o.Err)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("the Get's Outcomes had %d errors (%v), want one", len(errs), errs)
			}
			var e *ResultsChunksError
			if !errors.As(errs[0], &e) {
				t.Fatalf("the Get's Outcome has Err %T %v, not a *ResultsChunksError", errs[0], errs[0])
			}
			want := tc.want
			want.MsgID, want.Cmd, want.CmdID = "1", "Get", "3"
			got := *e
			got.Limit = nil
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
			var le *LimitError
			switch {
			case tc.limit == nil && (e.Limit != nil || errors.Is(e, ErrLimit)):
				t.Errorf("Limit %v, want none", e.Limit)
			case tc.limit != nil && !errors.As(errs[0], &le):
				t.Errorf("errors.As finds no *LimitError in %v", errs[0])
			case tc.limit != nil && (le.Limit != tc.limit.Limit || le.Max != tc.limit.Max || le.Count != tc.limit.Count || !errors.Is(errs[0], ErrLimit)):
				t.Errorf("Limit %+v, want %+v", le, tc.limit)
			}
			if msg := e.Error(); !strings.HasPrefix(msg, "session: Get 3 of message 1: ") {
				t.Errorf("Error() = %q", msg)
			}
			if _, err := (Outcome{Err: errs[0]}).Code(); err == nil {
				t.Error("Code gives no error")
			}
		})
	}
}

// TestResultsChunksErrorText pins the text of each cause.
func TestResultsChunksErrorText(t *testing.T) {
	for _, tc := range []struct {
		e    *ResultsChunksError
		want string
	}{
		{&ResultsChunksError{MsgID: "1", Cmd: "Get", CmdID: "3", Code: 413, Size: 6, Received: 4, Chunks: 2,
			Limit: pkg.LimitCount("MaxObjectChunks", 2, 3, "")},
			"session: Get 3 of message 1: its Results came in chunks that were not joined: refused (413): limit MaxObjectChunks (2) exceeded: 3 (2 chunks, 4 bytes taken, 6 announced)"},
		{&ResultsChunksError{MsgID: "1", Cmd: "Get", CmdID: "3", Code: 424, Size: 10, Received: 4, Chunks: 2},
			"session: Get 3 of message 1: its Results came in chunks that were not joined: refused (424): not of the size announced (2 chunks, 4 bytes taken, 10 announced)"},
		{&ResultsChunksError{MsgID: "1", Cmd: "Get", CmdID: "3", Code: 400, Size: -1},
			"session: Get 3 of message 1: its Results came in chunks that were not joined: refused (400): no size announced, or several items (0 chunks, 0 bytes taken)"},
		{&ResultsChunksError{MsgID: "1", Cmd: "Get", CmdID: "3", Size: 6, Received: 2, Chunks: 1},
			"session: Get 3 of message 1: its Results came in chunks that were not joined: the device cut the object (1 chunks, 2 bytes taken, 6 announced)"},
		{nil, "results not joined (nil *ResultsChunksError)"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// TestResultsChunksErrorCountsSegments: on a Server, the data received
// of an object is mostly in segments of the Store, not in the state:
// the Count of MaxObjectSize in the error of Results refused mid-way is
// what the object would have reached, its segments included.
func TestResultsChunksErrorCountsSegments(t *testing.T) {
	r := &responder{joinResults: true, maxObj: 100 << 10}
	lo := &largeObject{Size: 120 << 10, Data: make([]byte, 10), Segs: 1, SegLen: objSegment, Chunks: 2}
	c := &syncml.Results{MsgRef: "1", CmdRef: "3", Items: []syncml.Item{{Data: syncml.Text(strings.Repeat("x", 40<<10))}}}
	r.noteDropped(c, lo, syncml.StatusRequestEntityTooLarge)
	if len(r.dropped) != 1 || r.dropped[0].err.Limit == nil {
		t.Fatalf("dropped %+v", r.dropped)
	}
	e := r.dropped[0].err
	if want := int64(objSegment + 10 + 40<<10); e.Limit.Count != want || e.Received != objSegment+10 {
		t.Errorf("Count %d, Received %d; want %d and %d", e.Limit.Count, e.Received, want, objSegment+10)
	}
}

// TestResultsChunksErrorSeveral: a device answers one Get with several
// Results objects in chunks, and more than one is dropped in one message:
// the Get's Outcome names each of them, in the order they came (errors.As
// still finds the first, and ResultsChunksErrors lists them all). Before,
// it named only the last one.
func TestResultsChunksErrorSeveral(t *testing.T) {
	const hdrStatus = `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	const getStatus = `<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`
	for _, tc := range []struct {
		name string
		msgs []string // device messages 2, 3…; the last one final
		want []ResultsChunksError
	}{
		{name: "with the Status",
			msgs: []string{hdrStatus + getStatus +
				resultsChunk("3", "", "ab", true) + resultsChunk("4", "", "cd", false) + // no size: 400
				resultsChunk("5", "10", "ab", true) + resultsChunk("6", "", "cd", false) + // over MaxObjectSize: 413
				resultsChunk("7", "6", "ab", true) + resultsChunk("8", "", "cd", false)}, // 4 bytes of 6: 424
			want: []ResultsChunksError{{Code: 400, Size: -1}, {Code: 413, Size: 10}, {Code: 424, Size: 6, Received: 4, Chunks: 2}}},
		{name: "after the Status",
			msgs: []string{hdrStatus + getStatus,
				resultsChunk("3", "10", "ab", true) + resultsChunk("4", "", "cd", false) +
					resultsChunk("5", "", "ab", true) + resultsChunk("6", "", "cd", false)},
			want: []ResultsChunksError{{Code: 413, Size: 10}, {Code: 400, Size: -1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errs []error
			for _, o := range getOutcomes(t, &Config{MaxObjectSize: 8}, tc.msgs) {
				if o.Err != nil {
					errs = append(errs, o.Err)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("the Get's Outcomes had %d errors (%v), want one", len(errs), errs)
			}
			var got []ResultsChunksError
			for _, e := range ResultsChunksErrors(errs[0]) {
				g := *e
				g.Limit = nil
				got = append(got, g)
			}
			want := tc.want
			for i := range want {
				want[i].MsgID, want[i].Cmd, want[i].CmdID = "1", "Get", "3"
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("ResultsChunksErrors (-want +got):\n%s", d)
			}
			var first *ResultsChunksError
			if !errors.As(errs[0], &first) || first.Code != want[0].Code {
				t.Errorf("errors.As finds %+v, want the first dropped (%d)", first, want[0].Code)
			}
			if !errors.Is(errs[0], ErrLimit) {
				t.Error("errors.Is(err, ErrLimit) does not hold, with a 413 among them")
			}
			for _, w := range want {
				if !strings.Contains(errs[0].Error(), "refused ("+itoa(int(w.Code))+")") {
					t.Errorf("Error() %q does not say %d", errs[0].Error(), w.Code)
				}
			}
		})
	}
}
