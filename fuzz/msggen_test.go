package fuzz

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A genConfig holds what genMessage picks the items of a target's
// messages from: the URIs its handlers serve, the Data values they read
// and the Meta Types or Formats they look at.
type genConfig struct {
	uris, data, types []string
}

// genCodes are the Data of the Status and Alert commands genMessage
// writes: status codes of every class and the alert codes a session
// reads.
var genCodes = []string{"200", "212", "213", "215", "401", "404", "405", "407", "418", "500", "507", "516",
	"1200", "1201", "1222", "1223", "1224", "1226", "x", ""}

// genCmds are the Cmd names of the Status and Results genMessage writes.
var genCmds = []string{"SyncHdr", "Get", "Replace", "Add", "Delete", "Exec", "Atomic", "Sequence", "Alert", "Results", ""}

// generatedMessage lets the inputs that do not decode reach a session:
// the Go fuzzer's byte mutations make almost every input unreadable XML
// (measured: of the executions of FuzzSessionClient and FuzzReconcile
// over 30 s, all but the seeds'), so that a target stopped at
// syncml.Unmarshal. For three such inputs in four (those whose bytes
// do not add up to a multiple of four: any mutation may change it, where
// a fixed byte such as the first, '<' in XML, would choose one way for
// nearly all), it returns the message genMessage builds of the bytes with
// the header hdr, CmdIDs numbered; the others stay XML to be fuzzed.
func generatedMessage(data []byte, hdr syncml.Header, cfg *genConfig) (*syncml.Message, bool) {
	sum := 0
	for _, b := range data {
		sum += int(b)
	}
	if len(data) == 0 || sum%4 == 0 {
		return nil, false
	}
	return genMessage(data, hdr, cfg), true
}

// generatedRaw is generatedMessage for targets that hand a session the
// bytes: data itself when it decodes, else the encoding of the message
// generated (false when none is).
func generatedRaw(data []byte, hdr syncml.Header, cfg *genConfig) ([]byte, bool) {
	var m syncml.Message
	if syncml.Unmarshal(data, &m) == nil {
		return data, true
	}
	g, ok := generatedMessage(data, hdr, cfg)
	if !ok {
		return data, false
	}
	b, err := syncml.Marshal(g)
	if err != nil {
		return data, false
	}
	return b, true
}

// genMessage builds a message of up to 16 commands from p, a byte for
// each choice: the kind of command (Status, Results, Get, Replace, Add,
// Delete, Exec, Alert, Atomic or Sequence, three levels deep at most),
// what a Status or Results answers (MsgRef, CmdRef, Cmd), its code, and
// its items (Target or Source from cfg.uris, Data from cfg.data, Meta
// Size and MoreData for a chunk, Type and Format from cfg.types). The
// first byte says whether the message is Final. The same bytes build the
// same message.
func genMessage(p []byte, hdr syncml.Header, cfg *genConfig) *syncml.Message {
	g := &msgGen{p: p, cfg: cfg}
	m := &syncml.Message{Header: hdr}
	m.Body.Final = g.next()&1 == 0
	for len(g.p) > 0 && len(m.Body.Commands) < 16 {
		m.Body.Commands = append(m.Body.Commands, g.command(0))
	}
	syncml.NumberCommands(m.Body.Commands, 1)
	return m
}

// msgGen is the state of genMessage: the bytes left.
type msgGen struct {
	p   []byte
	cfg *genConfig
}

// next returns the next byte, 0 when none is left.
func (g *msgGen) next() byte {
	if len(g.p) == 0 {
		return 0
	}
	b := g.p[0]
	g.p = g.p[1:]
	return b
}

// pick returns an element of list chosen by the next byte, "" when the
// list is empty.
func (g *msgGen) pick(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[int(g.next())%len(list)]
}

func (g *msgGen) command(depth int) syncml.Command {
	op := g.next() % 11
	if depth >= 3 && op >= 9 {
		op = 2
	}
	switch op {
	case 0, 1:
		st := &syncml.Status{MsgRef: g.pick([]string{"1", "2", ""}), CmdRef: strconv.Itoa(int(g.next() % 8)),
			Cmd: g.pick(genCmds), Data: syncml.Text(g.pick(genCodes))}
		if b := g.next(); b&1 != 0 {
			st.Items = g.items(b)
		}
		return st
	case 2:
		return &syncml.Results{MsgRef: g.pick([]string{"1", "2", ""}), CmdRef: strconv.Itoa(int(g.next() % 8)),
			Items: g.items(g.next())}
	case 3:
		return &syncml.Get{Items: g.items(g.next())}
	case 4:
		return &syncml.Replace{Items: g.items(g.next())}
	case 5:
		return &syncml.Add{Items: g.items(g.next())}
	case 6:
		return &syncml.Delete{Items: g.items(g.next())}
	case 7:
		return &syncml.Exec{Items: g.items(g.next())}
	case 8:
		a := &syncml.Alert{Data: syncml.Text(g.pick(genCodes))}
		if b := g.next(); b&1 != 0 {
			a.Items = g.items(b)
		}
		return a
	}
	var cmds []syncml.Command
	for n := 1 + int(g.next()%3); n > 0 && len(g.p) > 0; n-- {
		cmds = append(cmds, g.command(depth+1))
	}
	if op == 9 {
		return &syncml.Atomic{Commands: cmds}
	}
	return &syncml.Sequence{Commands: cmds}
}

// items returns one or two items, as the bits of b say.
func (g *msgGen) items(b byte) []syncml.Item {
	its := make([]syncml.Item, 1+int(b>>7))
	for i := range its {
		it := &its[i]
		f := g.next()
		if f&1 == 0 {
			it.Target = &syncml.Location{LocURI: g.pick(g.cfg.uris)}
		}
		if f&2 != 0 {
			it.Source = &syncml.Location{LocURI: g.pick(g.cfg.uris)}
		}
		if f&4 == 0 {
			it.Data = syncml.Text(g.pick(g.cfg.data))
		}
		if f&8 != 0 {
			it.Meta = &syncml.Meta{Size: strconv.Itoa(int(g.next()))}
		}
		if f&16 != 0 {
			if it.Meta == nil {
				it.Meta = &syncml.Meta{}
			}
			it.Meta.Type = g.pick(g.cfg.types)
			it.Meta.Format = g.pick([]string{"chr", "int", "bool", "b64", "xml", "node", ""})
		}
		it.MoreData = f&32 != 0
	}
	return its
}

// TestGenMessage checks genMessage on programs of random bytes: each
// message encodes, decodes again, passes ValidateCmdIDs, and the same
// bytes build the same message; and generatedMessage keeps to XML the
// inputs whose bytes add up to a multiple of four.
func TestGenMessage(t *testing.T) {
	cfg := &genConfig{uris: []string{"./A", ""}, data: []string{"v", ""}, types: []string{"", "text/plain"}}
	r := rand.New(rand.NewSource(1))
	kinds := map[string]bool{}
	for i := range 2000 {
		p := make([]byte, r.Intn(64))
		r.Read(p)
		m := genMessage(p, deviceHeader("2"), cfg)
		b, err := syncml.Marshal(m)
		if err != nil {
			t.Fatalf("program %d %x: Marshal: %v", i, p, err)
		}
		var back syncml.Message
		if err := syncml.Unmarshal(b, &back); err != nil {
			t.Fatalf("program %d %x: Unmarshal: %v\n%s", i, p, err, b)
		}
		if err := back.ValidateCmdIDs(); err != nil {
			t.Fatalf("program %d %x: %v", i, p, err)
		}
		if again, _ := syncml.Marshal(genMessage(p, deviceHeader("2"), cfg)); !bytes.Equal(again, b) {
			t.Fatalf("program %d %x builds two messages", i, p)
		}
		for _, c := range m.Body.Commands {
			kinds[c.ElementName()] = true
		}
	}
	if len(kinds) != 10 {
		t.Errorf("built only %v", kinds)
	}
	if _, ok := generatedMessage([]byte("<B>"), deviceHeader("2"), cfg); ok { // 60+66+62
		t.Error("an input whose bytes add up to 188 is generated")
	}
	if _, ok := generatedMessage([]byte("<A>"), deviceHeader("2"), cfg); !ok { // 60+65+62
		t.Error("an input whose bytes add up to 187 is not generated")
	}
}
