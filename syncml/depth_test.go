package syncml_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// nestIn returns inner inside n Sequences (the outermost first).
func nestIn(n int, inner syncml.Command) syncml.Command {
	c := inner
	for range n {
		c = &syncml.Sequence{Commands: []syncml.Command{c}}
	}
	return c
}

// deepGet is a Get of ./a with CmdID 1, inside n Sequences.
func deepGet(n int) *syncml.Message {
	get := &syncml.Get{CmdID: "1", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}}}}
	return &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{nestIn(n, get)}}}
}

// TestMarshalDepthBound: what Marshal writes decodes under the default
// Limits, whatever the nesting: a Get (Get, Item, Target, LocURI: four
// levels) in n Sequences stands at depth 3+n, its LocURI at 6+n, so
// Marshal writes it for n up to 26 and refuses it beyond with a
// *LimitError for MaxDepth naming the command.
func TestMarshalDepthBound(t *testing.T) {
	for n := 20; n <= 40; n++ {
		m := deepGet(n)
		b, err := syncml.Marshal(m)
		var got syncml.Message
		if n <= 26 {
			if err != nil {
				t.Fatalf("%d Sequences: Marshal: %v", n, err)
			}
			if err := syncml.Unmarshal(b, &got); err != nil {
				t.Fatalf("%d Sequences: Unmarshal(Marshal(m)): %v", n, err)
			}
			continue
		}
		var le *syncml.LimitError
		if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != syncml.DefaultMaxDepth {
			t.Fatalf("%d Sequences: Marshal: %v (%d bytes), want a MaxDepth LimitError", n, err, len(b))
		}
		// the first command refused: the Get, its LocURI at 6+n, while
		// the Sequences stand within 32 (n <= 30), else the 31st Sequence
		want := "/SyncML/SyncBody" + strings.Repeat("/Sequence", n) + "/Get"
		if n > 30 {
			want = "/SyncML/SyncBody" + strings.Repeat("/Sequence", 31)
		}
		if le.Path != want {
			t.Errorf("%d Sequences: Path %q, want %q", n, le.Path, want)
		}
		if !errors.Is(err, syncml.ErrLimit) {
			t.Errorf("%d Sequences: %v does not match ErrLimit", n, err)
		}
	}
	// far beyond the bound, refused as fast
	m := deepGet(100_000)
	if _, err := syncml.Marshal(m); !errors.Is(err, syncml.ErrLimit) {
		t.Fatalf("100000 Sequences: Marshal: %v, want ErrLimit", err)
	}
	if err := syncml.NewEncoder(new(bytes.Buffer)).Encode(m); !errors.Is(err, syncml.ErrLimit) {
		t.Fatalf("100000 Sequences: Encode: %v, want ErrLimit", err)
	}
	if _, err := syncml.AppendMessage(make([]byte, 10), m); !errors.Is(err, syncml.ErrLimit) {
		t.Fatalf("100000 Sequences: AppendMessage: %v, want ErrLimit", err)
	}
}

// TestMarshalDepthPath: the error names the command refused by the
// groups around it, and its Offset is where the command would start.
func TestMarshalDepthPath(t *testing.T) {
	get := &syncml.Get{Items: []syncml.Item{{Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: "1"}}}}} // Get, Item, Meta, Anchor, Last
	var c syncml.Command = get
	for i := range 25 {
		if i%2 == 0 {
			c = &syncml.Atomic{Commands: []syncml.Command{c}}
		} else {
			c = &syncml.Sequence{Commands: []syncml.Command{c}}
		}
	}
	m := &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c}}}
	// the Get stands at 3+25 = 28, its Last at 32: written
	b, err := syncml.Marshal(m)
	if err != nil {
		t.Fatalf("Last at depth 32: %v", err)
	}
	var got syncml.Message
	if err := syncml.Unmarshal(b, &got); err != nil {
		t.Fatalf("Last at depth 32: Unmarshal: %v", err)
	}
	// one more Atomic: the Last would stand at 33
	m.Body.Commands[0] = &syncml.Atomic{Commands: []syncml.Command{c}}
	_, err = syncml.Marshal(m)
	var le *syncml.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("Last at depth 33: %v, want a LimitError", err)
	}
	want := "/SyncML/SyncBody/Atomic" + strings.Repeat("/Atomic/Sequence", 12) + "/Atomic/Get"
	if le.Path != want || le.Offset != int64(len("<SyncML><SyncBody>")+14*len("<Atomic>")+12*len("<Sequence>")) {
		t.Errorf("Path %q, Offset %d; want %q", le.Path, le.Offset, want)
	}
	// AppendMessage counts the offset from the message, not from dst
	_, err = syncml.AppendMessage([]byte("prefix"), m)
	var le2 *syncml.LimitError
	if !errors.As(err, &le2) || le2.Offset != le.Offset {
		t.Errorf("AppendMessage: %v, want Offset %d", err, le.Offset)
	}
	// an Encoder counts what it has written out before
	var buf bytes.Buffer
	e := syncml.NewEncoder(&buf)
	if err := e.EncodeHeader("", nil); err != nil {
		t.Fatal(err)
	}
	big := &syncml.Replace{Items: []syncml.Item{{Data: &syncml.Data{Value: strings.Repeat("x", 40<<10)}}}}
	if err := e.EncodeCommand(big); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	if n == 0 {
		t.Fatal("the Encoder wrote nothing out after 40 KiB")
	}
	err = e.EncodeCommand(m.Body.Commands[0])
	if !errors.As(err, &le2) || le2.Offset != int64(n)+le.Offset-int64(len("<SyncML><SyncBody>")) {
		t.Errorf("Encoder: %v, want Offset %d", err, int64(n)+le.Offset-int64(len("<SyncML><SyncBody>")))
	}
	// the Encoder stays usable
	if err := e.EncodeCommand(get); err != nil {
		t.Errorf("EncodeCommand after the refusal: %v", err)
	}
	if err := e.EncodeEnd(true); err != nil {
		t.Errorf("EncodeEnd: %v", err)
	}
}

// TestEncoderSetMaxDepth: an Encoder given a MaxDepth writes what a
// decoder with that MaxDepth reads, and nothing deeper; a group that
// contains itself is refused as such, also past the groups enter scans.
func TestEncoderSetMaxDepth(t *testing.T) {
	m := deepGet(40) // the LocURI at depth 46
	for _, lim := range []int{45, 46, 1 << 20} {
		var buf bytes.Buffer
		e := syncml.NewEncoder(&buf)
		e.SetMaxDepth(lim)
		err := e.Encode(m)
		if lim < 46 {
			var le *syncml.LimitError
			if !errors.As(err, &le) || le.Max != int64(lim) {
				t.Errorf("SetMaxDepth(%d): %v, want a MaxDepth LimitError", lim, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("SetMaxDepth(%d): %v", lim, err)
		}
		var got syncml.Message
		if err := syncml.UnmarshalLimits(buf.Bytes(), &got, syncml.Limits{MaxDepth: 46}); err != nil {
			t.Errorf("SetMaxDepth(%d): UnmarshalLimits, MaxDepth 46: %v", lim, err)
		}
		if err := syncml.UnmarshalLimits(buf.Bytes(), &got, syncml.Limits{MaxDepth: 45}); !errors.Is(err, syncml.ErrLimit) {
			t.Errorf("SetMaxDepth(%d): UnmarshalLimits, MaxDepth 45: %v, want ErrLimit", lim, err)
		}
	}
	// 40 Sequences, the last holding the fifth again: a cycle that enter
	// finds in its set, not its scan
	for _, back := range []int{5, 36} {
		seqs := make([]*syncml.Sequence, 40)
		for i := range seqs {
			seqs[i] = &syncml.Sequence{}
		}
		for i := range 39 {
			seqs[i].Commands = []syncml.Command{seqs[i+1]}
		}
		seqs[39].Commands = []syncml.Command{seqs[back]}
		e := syncml.NewEncoder(new(bytes.Buffer))
		e.SetMaxDepth(1 << 16)
		err := e.Encode(&syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{seqs[0]}}})
		if !errors.Is(err, syncml.ErrStructure) || !strings.Contains(err.Error(), "contains itself") {
			t.Errorf("cycle back to the Sequence at %d: %v, want ErrStructure (contains itself)", back, err)
		}
	}
}

// TestValidateDepth: Validate reports a command nested deeper than
// Marshal writes with the rule "depth" at its path and goes no deeper:
// a nesting of a million Sequences is checked in as little as a shallow
// one (this test would not end before the fix: the paths built per
// level made it quadratic).
func TestValidateDepth(t *testing.T) {
	for _, n := range []int{26, 27, 1_000_000} {
		m := deepGet(n)
		err := m.Validate()
		var ve *syncml.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%d Sequences: %v", n, err)
		}
		var depth []syncml.Violation
		for _, v := range ve.Violations {
			if v.Rule == "depth" {
				depth = append(depth, v)
			}
		}
		if n <= 26 {
			if len(depth) != 0 {
				t.Errorf("%d Sequences: %v", n, depth)
			}
			continue
		}
		want := "SyncBody" + strings.Repeat("/Sequence[1]", 27) + "/Get[1]"
		if n > 30 {
			want = "SyncBody" + strings.Repeat("/Sequence[1]", 31)
		}
		if len(depth) != 1 || depth[0].Path != want {
			t.Errorf("%d Sequences: depth violations %v, want one at %s", n, depth, want)
		}
		if len(ve.Violations) > 70 { // per Sequence cmdid-missing and sequence-content, and depth
			t.Errorf("%d Sequences: %d violations", n, len(ve.Violations))
		}
	}
}

// bodyDepth is the element depth of a body command: SyncML, SyncBody, it.
const bodyDepth = 3

// TestPropertyDepth: for commands nested in groups around the bound,
// under the default MaxDepth or another given to an Encoder, the encoder
// refuses a message (with a MaxDepth LimitError) exactly when a decoder
// with that MaxDepth refuses what it would have written, and what it
// writes decodes to the same message; under the default, Validate
// reports "depth" exactly when Marshal refuses.
func TestPropertyDepth(t *testing.T) {
	metas := []*syncml.Meta{nil, {Type: "t"}, {Anchor: &syncml.Anchor{}}, {Anchor: &syncml.Anchor{Next: "2"}}, {Mem: &syncml.Mem{SharedMem: true}}}
	var refused, written, atBound int // the outcomes met
	props := gopter.NewProperties(propParams(t))
	props.Property("encoder refuses iff the decoder would", prop.ForAll(
		func(m *syncml.Message, inner syncml.Command, k int, kinds, metaPicks uint64, limPick int) string {
			lim := max(0, limPick)
			effective := lim
			if lim == 0 {
				effective = syncml.DefaultMaxDepth
			}
			// groups enough for the inner command to stand k levels
			// above the bound (its elements reach up to 4 deeper)
			n := max(1, effective-bodyDepth-k)
			c := inner
			for i := range n {
				meta := metas[(metaPicks>>(2*i%64))%uint64(len(metas))]
				if kinds>>(i%64)&1 == 0 {
					c = &syncml.Atomic{Meta: meta, Commands: []syncml.Command{c}}
				} else {
					c = &syncml.Sequence{CmdID: "7", Meta: meta, Commands: []syncml.Command{c}}
				}
			}
			m.Body.Commands = []syncml.Command{c}
			encode := func(lim int) ([]byte, error) {
				var buf bytes.Buffer
				e := syncml.NewEncoder(&buf)
				e.SetMaxDepth(lim)
				err := e.Encode(m)
				return buf.Bytes(), err
			}
			full, err := encode(1 << 16)
			if err != nil {
				return fmt.Sprintf("SetMaxDepth(1<<16): %v", err)
			}
			b, err := encode(lim)
			if lim == 0 {
				mb, merr := syncml.Marshal(m)
				if (merr == nil) != (err == nil) || merr == nil && !bytes.Equal(mb, b) {
					return fmt.Sprintf("Marshal: %v, Encoder: %v", merr, err)
				}
				verr := m.Validate()
				hasDepth := false
				var ve *syncml.ValidationError
				if errors.As(verr, &ve) {
					for _, v := range ve.Violations {
						hasDepth = hasDepth || v.Rule == "depth"
					}
				}
				if hasDepth != (err != nil) {
					return fmt.Sprintf("Validate: %v; Marshal: %v", verr, err)
				}
			}
			var got syncml.Message
			derr := syncml.UnmarshalLimits(full, &got, syncml.Limits{MaxDepth: lim})
			if err != nil {
				var le *syncml.LimitError
				if !errors.As(err, &le) || le.Limit != "MaxDepth" || le.Max != int64(effective) {
					return fmt.Sprintf("MaxDepth %d: encoder: %v, want a MaxDepth LimitError", effective, err)
				}
				if !errors.As(derr, &le) || le.Limit != "MaxDepth" {
					return fmt.Sprintf("MaxDepth %d: the encoder refused (%v) what the decoder reads (%v)", effective, err, derr)
				}
				refused++
				return ""
			}
			if derr != nil {
				return fmt.Sprintf("MaxDepth %d: the encoder wrote what the decoder refuses: %v", effective, derr)
			}
			if !bytes.Equal(b, full) {
				return "the bytes differ from those written without a bound"
			}
			if d := deepDiff(m, &got); d != "" {
				return "value changed (-want +got):\n" + d
			}
			written++
			if syncml.UnmarshalLimits(full, &got, syncml.Limits{MaxDepth: effective - 1}) != nil {
				atBound++ // the deepest element at the bound itself
			}
			return ""
		},
		syncmltest.GenMessage(),
		syncmltest.GenCommand(2),
		gen.IntRange(-1, 6),
		gen.UInt64(),
		gen.UInt64(),
		gen.IntRange(-10, 40),
	))
	props.TestingRun(t)
	t.Logf("%d refused, %d written, %d of them reaching the bound", refused, written, atBound)
	if n := refused + written; refused < n/5 || written < n/5 || atBound < n/20 {
		t.Errorf("too few of an outcome: %d refused, %d written, %d of them reaching the bound", refused, written, atBound)
	}
}

// TestMarshalDataDepth: XML in a Data or an Unknown is written nested as
// deep as the decoder reads under DefaultMaxDataDepth (24, counting the
// outermost elements of the Data's content, or the Unknown's children, as
// 1) and refused one deeper with a *LimitError for
// MaxDataDepth; Marshal wrote it before, which Unmarshal refused.
func TestMarshalDataDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("<a>", n) + strings.Repeat("</a>", n) }
	for _, n := range []int{syncml.DefaultMaxDataDepth, syncml.DefaultMaxDataDepth + 1} {
		for what, c := range map[string]syncml.Command{
			"Data":    &syncml.Replace{CmdID: "1", Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}, Data: syncml.XML(nest(n))}}},
			"Unknown": &syncml.Unknown{Name: "Ext", Raw: "<Ext>" + nest(n) + "</Ext>"}, // its children count from 1
		} {
			m := &syncml.Message{NoHeader: true, Body: syncml.Body{Commands: []syncml.Command{c}}}
			b, err := syncml.Marshal(m)
			if n <= syncml.DefaultMaxDataDepth {
				var got syncml.Message
				if err != nil {
					t.Errorf("%s %d deep: %v", what, n, err)
				} else if err := syncml.Unmarshal(b, &got); err != nil {
					t.Errorf("%s %d deep: Unmarshal(Marshal(m)): %v", what, n, err)
				}
				continue
			}
			var le *syncml.LimitError
			if !errors.As(err, &le) || le.Limit != "MaxDataDepth" || le.Max != syncml.DefaultMaxDataDepth {
				t.Errorf("%s %d deep: %v (%d bytes), want a MaxDataDepth LimitError", what, n, err, len(b))
			}
		}
	}
}
