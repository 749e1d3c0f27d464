package syncml

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// A bodyShape says how to build a body that strains the slabs: how many
// commands, of which kinds, with how many Items each, how deep Atomic and
// Sequence nest, how long the Data are (so that the message is under or
// over countMax and the first slabs are sized from the tags or the
// length), and whether each Item has a Target, a Source, a Meta.
type bodyShape struct {
	Kinds []int // one per command: an index in shapeKinds
	Items []int // Items per command (cycled)
	Depth int   // how deep each group nests
	Pad   int   // bytes of each Data
	Parts int   // bits: 1 Target, 2 Source, 4 Meta, 8 Data
}

var shapeKinds = []string{"Add", "Alert", "Delete", "Exec", "Get", "Replace", "Results", "Status", "Atomic", "Sequence", "Copy"}

// build returns the Message of the shape.
func (s bodyShape) build() *Message {
	m := &Message{XMLNS: "SYNCML:SYNCML1.2", Header: Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: Location{LocURI: "https://mdm.example/"}, Source: Location{LocURI: "dev"}}}
	n := 0
	for i, k := range s.Kinds {
		m.Body.Commands = append(m.Body.Commands, s.command(shapeKinds[k%len(shapeKinds)], i, s.Depth, &n))
	}
	m.Body.Final = len(s.Kinds)%2 == 0
	return m
}

func (s bodyShape) items(i int, n *int) []Item {
	k := 0
	if len(s.Items) > 0 {
		k = s.Items[i%len(s.Items)]
	}
	var items []Item
	for j := range k {
		*n++
		var it Item
		uri := fmt.Sprintf("./c%d/i%d", i, j)
		if s.Parts&1 != 0 || s.Parts&15 == 0 {
			it.Target = &Location{LocURI: uri}
		}
		if s.Parts&2 != 0 {
			it.Source = &Location{LocURI: uri, LocName: map[bool]string{true: "n"}[j%2 == 0]}
		}
		if s.Parts&4 != 0 && j%3 != 1 {
			it.Meta = &Meta{Format: "chr", Type: "text/plain"}
		}
		if s.Parts&8 != 0 {
			it.Data = Text(fmt.Sprint(*n) + strings.Repeat("x", s.Pad))
		}
		items = append(items, it)
	}
	return items
}

func (s bodyShape) command(kind string, i, depth int, n *int) Command {
	id := fmt.Sprint(*n + 1)
	switch kind {
	case "Add":
		return &Add{CmdID: id, Items: s.items(i, n)}
	case "Alert":
		return &Alert{CmdID: id, Data: Text("1201"), Items: s.items(i, n)}
	case "Delete":
		return &Delete{CmdID: id, Items: s.items(i, n)}
	case "Exec":
		return &Exec{CmdID: id, Items: s.items(i, n)}
	case "Get":
		return &Get{CmdID: id, Items: s.items(i, n)}
	case "Replace":
		return &Replace{CmdID: id, Items: s.items(i, n)}
	case "Copy":
		return &Copy{CmdID: id, Items: s.items(i, n)}
	case "Results":
		return &Results{CmdID: id, MsgRef: "1", CmdRef: "2", Items: s.items(i, n)}
	case "Status":
		return &Status{CmdID: id, MsgRef: "1", CmdRef: "2", Cmd: "Get", Data: Text("200"), Items: s.items(i, n)}
	}
	// a group of the commands it may hold, nesting depth more
	var cmds []Command
	for j, k := range []string{"Add", "Replace", "Delete", "Exec", "Get", "Copy"}[:1+i%6] {
		cmds = append(cmds, s.command(k, i+j, 0, n))
	}
	if depth > 0 {
		inner := "Atomic"
		if depth%2 == 0 {
			inner = "Sequence"
		}
		cmds = append(cmds, s.command(inner, i+1, depth-1, n))
		cmds = append(cmds, s.command("Replace", i+2, 0, n))
	}
	if kind == "Atomic" {
		return &Atomic{CmdID: id, Commands: cmds}
	}
	return &Sequence{CmdID: id, Commands: cmds}
}

func genBodyShape() gopter.Gen {
	// many commands of few Items, few of many, and sizes near the
	// slabs' thresholds (4, 12, 14, 64 values; 40 and 120 tags; 8 KB),
	// drawn from a seed (gopter's sieves of combined generators discard
	// too many of them)
	return gen.Int64().Map(func(seed int64) bodyShape {
		r := rand.New(rand.NewSource(seed))
		pick := func(ranges ...[2]int) int {
			g := ranges[r.Intn(len(ranges))]
			return g[0] + r.Intn(g[1]-g[0]+1)
		}
		var s bodyShape
		n := pick([2]int{1, 1}, [2]int{0, 30}, [2]int{300, 300})
		for range n {
			s.Kinds = append(s.Kinds, r.Intn(len(shapeKinds)))
		}
		for range 3 {
			s.Items = append(s.Items, pick([2]int{0, 5}, [2]int{10, 16}, [2]int{60, 70}, [2]int{100, 600}, [2]int{2000, 2000}))
		}
		s.Depth = r.Intn(7)
		s.Pad = pick([2]int{0, 0}, [2]int{1, 40}, [2]int{200, 3000})
		s.Parts = r.Intn(16)
		// a bound on the whole: at most about 20,000 Items and 3 MB
		for total := max(len(s.Kinds), 1) * slices.Max(s.Items) * (1 + s.Depth) * 7; total > 20000 || total*(s.Pad+80) > 3<<20; total /= 2 {
			s.Items = []int{s.Items[0] / 2, s.Items[1] / 2, s.Items[2] / 2}
		}
		return s
	})
}

// commandsDiff is cmp.Diff of the commands, after reflect.DeepEqual.
func commandsDiff(want, got []Command) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return cmp.Diff(want, got)
}

// appendAll appends to the Items of every command of cmds, nested ones
// too, and to the Commands of every group, keeping the slices it appended
// to; then it restores them. Appending must change no value of the
// message but the slice appended to.
func appendAll(cmds []Command) {
	for _, c := range cmds {
		v := reflect.ValueOf(c).Elem()
		if f := v.FieldByName("Items"); f.IsValid() {
			old := f.Interface().([]Item)
			grown := append(old, Item{Data: Text("appended")}, Item{Data: Text("appended")})
			f.Set(reflect.ValueOf(grown))
			f.Set(reflect.ValueOf(old))
		}
		if f := v.FieldByName("Commands"); f.IsValid() {
			old := f.Interface().([]Command)
			appendAll(old)
			_ = append(old, &Get{CmdID: "appended"})
		}
	}
}

// TestSlabShapes builds bodies of many shapes (gopter, see bodyShape):
// thousands of Items in one command or one Item in each of hundreds of
// commands, groups nested up to seven deep, empty and large Data, tags
// and sizes around the thresholds of the first slabs. Marshal's bytes
// decode to the Message built with the fast reader and with the general
// one, through the Decoder command by command from a reader that returns
// one byte or half what is asked at a time, and through UnmarshalOwned;
// appending to every decoded slice changes none of the others.
func TestSlabShapes(t *testing.T) {
	defer SetFastDecode(SetFastDecode(true))
	p := gopter.DefaultTestParametersWithSeed(20261204)
	p.MinSuccessfulTests = 200
	if testing.Short() || raceEnabled {
		p.MinSuccessfulTests = 30 // a few seconds, not a minute, under -race
	}
	props := gopter.NewProperties(p)
	props.Property("decoded as built, whatever the shape", prop.ForAll(func(s bodyShape) string {
		m := s.build()
		b, err := Marshal(m)
		if err != nil {
			return fmt.Sprintf("Marshal: %v", err)
		}
		for _, fast := range []bool{true, false} {
			SetFastDecode(fast)
			var got Message
			if err := Unmarshal(b, &got); err != nil {
				return fmt.Sprintf("fast=%v: Unmarshal: %v", fast, err)
			}
			if d := commandsDiff(m.Body.Commands, got.Body.Commands); d != "" || got.Body.Final != m.Body.Final {
				return fmt.Sprintf("fast=%v: decoded differently (-built +decoded):\n%s", fast, d)
			}
			appendAll(got.Body.Commands)
			_ = append(got.Body.Commands, &Get{CmdID: "appended"})
			if d := commandsDiff(m.Body.Commands, got.Body.Commands); d != "" {
				return fmt.Sprintf("fast=%v: appending changed the message (-built +decoded):\n%s", fast, d)
			}
		}
		var owned Message
		if err := UnmarshalOwned(bytes.Clone(b), &owned, Limits{}); err != nil {
			return fmt.Sprintf("UnmarshalOwned: %v", err)
		}
		if d := commandsDiff(m.Body.Commands, owned.Body.Commands); d != "" {
			return fmt.Sprintf("UnmarshalOwned decoded differently (-built +decoded):\n%s", d)
		}
		readers := []io.Reader{iotest.HalfReader(bytes.NewReader(b))}
		if len(b) < 64<<10 {
			readers = append(readers, iotest.OneByteReader(bytes.NewReader(b)))
		}
		for _, rd := range readers {
			d := NewDecoder(rd)
			var cmds []Command
			for {
				c, err := d.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					return fmt.Sprintf("Decoder.Next: %v", err)
				}
				cmds = append(cmds, c)
			}
			if diff := commandsDiff(m.Body.Commands, cmds); diff != "" {
				return fmt.Sprintf("the Decoder decoded differently (-built +decoded):\n%s", diff)
			}
			appendAll(cmds)
			if diff := commandsDiff(m.Body.Commands, cmds); diff != "" {
				return fmt.Sprintf("Decoder: appending changed the message (-built +decoded):\n%s", diff)
			}
		}
		return ""
	}, genBodyShape()))
	props.TestingRun(t)
}
