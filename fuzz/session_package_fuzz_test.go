package fuzz

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// A pkgRun is the state of FuzzSessionClientPackage for one input: the
// program's bytes, the Client, the bounds it was given and what the test
// saw of it.
type pkgRun struct {
	t         *testing.T
	msgGen    // the program's bytes left
	c         *session.Client
	maxChunks int // ClientConfig.MaxObjectChunks
	maxObj    int // ClientConfig.MaxObjectSize
	maxQueue  int // ClientConfig.MaxQueue
	// queued are the LocURIs of the device's commands Queue accepted
	// (./Q/n), and outcomes how many Outcomes each got.
	queued   []string
	outcomes map[string]int
	// chunks are the server's chunk commands by MsgID and CmdID, and run
	// the 213s the device answered in a row for the object of a target.
	chunks map[[2]string]pkgChunk
	run    map[string]int
	// beforeReply is how many commands BeforeReply queues; handling
	// counts the commands queued since the last message was built (before
	// Start, or in the Handle under way, which takes them all: more than
	// MaxQueue is a queue beyond it), which a Handle that fails drops
	// (the documented contract: what BeforeReply queued goes with the
	// failed call).
	beforeReply int
	handling    int
	// each is whether EachMessage gives commands, in the first session
	// (session), and given their LocURIs (./E/1/n).
	each    bool
	session string
	given   []string
}

// A pkgChunk is a chunk of an object the server sends: its target and
// whether it is a first chunk (Meta Size).
type pkgChunk struct {
	target string
	first  bool
}

// queue queues n Replaces of the device, each of a node ./Q/k of its own
// with data of 0, 150, 300 or 450 bytes (which the server's lowered
// MaxMsgSize makes the device cut into chunks): Queue takes them or
// refuses them all with a *LimitError of MaxQueue, never takes more than
// MaxQueue before a message takes them, and afterwards the queue is
// within MaxQueue (see checkQueue).
func (r *pkgRun) queue(n int) {
	t := r.t
	if n == 0 {
		return
	}
	var cmds []syncml.Command
	var uris []string
	for range n {
		u := "./Q/" + strconv.Itoa(len(r.queued)+len(uris))
		uris = append(uris, u)
		cmds = append(cmds, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: u},
			Data: syncml.Text(strings.Repeat("d", 150*int(r.next()%4)))}}})
	}
	if err := r.c.Queue(cmds...); err != nil {
		var le *session.LimitError
		if !errors.As(err, &le) || le.Limit != "MaxQueue" || n <= 0 {
			t.Fatalf("Queue of %d: %v", n, err)
		}
	} else {
		r.queued = append(r.queued, uris...)
		if r.handling += len(uris); r.handling > r.maxQueue {
			t.Fatalf("Queue took %d commands while none went out, MaxQueue %d", r.handling, r.maxQueue)
		}
	}
	r.checkQueue("after Queue")
}

// checkQueue fails when the Client's queue holds more than MaxQueue
// commands: Queue of no command refuses exactly then.
func (r *pkgRun) checkQueue(when string) {
	if err := r.c.Queue(); err != nil {
		r.t.Fatalf("%s: the queue is beyond MaxQueue %d: %v", when, r.maxQueue, err)
	}
}

// outcomesOf counts the Outcomes of the device's queued commands: each
// gets one at most.
func (r *pkgRun) outcomesOf(x *session.Exchange) {
	for _, o := range x.Outcomes {
		if o.Command == nil {
			continue
		}
		its := o.Command.ItemList()
		if len(its) == 0 || its[0].Target == nil || !strings.HasPrefix(its[0].Target.LocURI, "./Q/") && !strings.HasPrefix(its[0].Target.LocURI, "./E/") {
			continue
		}
		u := its[0].Target.LocURI
		if r.outcomes[u]++; r.outcomes[u] > 1 {
			r.t.Fatalf("%s has %d Outcomes, the last %+v", u, r.outcomes[u], o)
		}
	}
}

// statusesOf reads the device's Statuses for the server's chunks in a
// reply: no object has more than MaxObjectChunks chunks answered 213 (the
// chunks the device buffers) in a row, counted from its first chunk.
func (r *pkgRun) statusesOf(m *syncml.Message) {
	if m == nil {
		return
	}
	for _, c := range m.Body.Commands {
		st, ok := c.(*syncml.Status)
		if !ok {
			continue
		}
		ch, ok := r.chunks[[2]string{st.MsgRef, st.CmdRef}]
		if !ok {
			continue
		}
		code, _ := st.Code()
		switch {
		case code != 213:
			r.run[ch.target] = 0
		case ch.first:
			r.run[ch.target] = 1
		default:
			r.run[ch.target]++
		}
		if r.run[ch.target] > r.maxChunks {
			r.t.Fatalf("%d chunks of %s taken (213), MaxObjectChunks %d", r.run[ch.target], ch.target, r.maxChunks)
		}
	}
}

// eachMessage is the Client's EachMessage: in the first session, when
// the input says so, zero to two Replaces of nodes ./E/1/n of their own,
// with data of 0, 150, 300 or 450 bytes (some too large for the message,
// left in the rest of the package, which an abort ends).
func (r *pkgRun) eachMessage(context.Context) ([]syncml.Command, error) {
	if !r.each || r.session != "1" {
		return nil, nil
	}
	var cmds []syncml.Command
	for n := r.next() % 3; n > 0; n-- {
		u := "./E/1/" + strconv.Itoa(len(r.given))
		r.given = append(r.given, u)
		cmds = append(cmds, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: u},
			Data: syncml.Text(strings.Repeat("e", 150*int(r.next()%4)))}}})
	}
	return cmds, nil
}

// notCarried fails when m, of the second session, carries a command
// EachMessage gave the first: one it gave a message that could not
// carry it is not sent again once that session ended.
func (r *pkgRun) notCarried(m *syncml.Message) {
	for _, c := range m.Body.Commands {
		for _, u := range syncml.Targets(c) {
			if strings.HasPrefix(u, "./E/1/") {
				r.t.Fatalf("the second session sends %s %s, which EachMessage gave the first", c.ElementName(), u)
			}
		}
	}
}

// answerable returns the device's commands in m that a Status answers.
func answerable(m *syncml.Message) []syncml.Command {
	var out []syncml.Command
	if m == nil {
		return nil
	}
	for _, c := range m.Body.Commands {
		switch c.(type) {
		case *syncml.Status, *syncml.Results:
		default:
			out = append(out, c)
		}
	}
	return out
}

// serverMessage builds server message msgID of the session from the
// program, after the device's message last: its header (the MaxMsgSize
// and MaxObjSize it announces, lowered or not, and Final), the Status of
// the device's SyncHdr, then up to four commands: chunks of objects for
// ./Vendor/O1 or ./Vendor/O2 (a first chunk announcing a Size; each
// chunk one "x" or twenty "y"; MoreData or not), a Replace or a Get of
// ./Vendor/A, a Status for one of the device's commands (200, 213, 413 or
// 500), Alert 1222, or (rarely) Alert 1223.
func (r *pkgRun) serverMessage(msgID int, last *syncml.Message) *syncml.Message {
	h := r.next()
	m := &syncml.Message{Header: serverHeader()}
	m.Header.MsgID = strconv.Itoa(msgID)
	if mm, mo := []string{"", "700", "900", "4000"}[h&3], []string{"", "", "100", "1000"}[h>>2&3]; mm != "" || mo != "" {
		m.Header.Meta = &syncml.Meta{MaxMsgSize: mm, MaxObjSize: mo}
	}
	m.Body.Final = h&16 == 0
	r.beforeReply = int(h>>5) % 3
	lastID := "1"
	if last != nil {
		lastID = last.Header.MsgID
	}
	m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: lastID, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")})
	var chunkAt []int
	for n := 1 + int(r.next()%4); n > 0 && len(r.p) > 0; n-- {
		b := r.next()
		switch b & 7 {
		case 0, 1, 2, 7:
			it := syncml.Item{Target: &syncml.Location{LocURI: "./Vendor/O" + strconv.Itoa(1+int(b>>3&1))},
				Data: syncml.Text("x"), MoreData: b&0x10 == 0}
			if b&0x20 != 0 {
				it.Data = syncml.Text(strings.Repeat("y", 20))
			}
			if b&0x40 != 0 {
				it.Meta = &syncml.Meta{Size: strconv.Itoa(int(r.next() % 100))}
			}
			chunkAt = append(chunkAt, len(m.Body.Commands))
			if b&0x80 != 0 {
				m.Body.Commands = append(m.Body.Commands, &syncml.Add{Items: []syncml.Item{it}})
			} else {
				m.Body.Commands = append(m.Body.Commands, &syncml.Replace{Items: []syncml.Item{it}})
			}
		case 3:
			it := syncml.Item{Target: &syncml.Location{LocURI: "./Vendor/A"}}
			if b&8 != 0 {
				m.Body.Commands = append(m.Body.Commands, &syncml.Get{Items: []syncml.Item{it}})
			} else {
				it.Data = syncml.Text("v")
				m.Body.Commands = append(m.Body.Commands, &syncml.Replace{Items: []syncml.Item{it}})
			}
		case 4:
			cmds, k := answerable(last), int(r.next())
			if len(cmds) == 0 {
				continue
			}
			c := cmds[k%len(cmds)]
			code := []string{"200", "213", "413", "500"}[b>>3&3]
			m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: lastID, CmdRef: c.ID(), Cmd: c.ElementName(), Data: syncml.Text(code)})
		default:
			code := syncml.AlertNextMessage
			if b&0xf8 == 0xf8 {
				code = syncml.AlertSessionAbort
			}
			m.Body.Commands = append(m.Body.Commands, session.NewAlert(code))
		}
	}
	syncml.NumberCommands(m.Body.Commands, 1)
	for _, i := range chunkAt {
		c := m.Body.Commands[i]
		it := c.ItemList()[0]
		r.chunks[[2]string{m.Header.MsgID, c.ID()}] = pkgChunk{it.Target.LocURI, it.Meta != nil && it.Meta.Size != ""}
	}
	return m
}

// drainMessage is a well-behaved server's answer in session sid to the
// device's message last: 200 for each of its commands (a chunk of an
// object included, which ends the object), Alert 1222 when last was not
// final, Final, announcing a MaxMsgSize of 700 bytes: room for the SyncHdr,
// its Status and a Status or a chunk more, so that the device must spread
// its answers and its package over messages, and can.
func drainMessage(sid string, msgID int, last *syncml.Message) *syncml.Message {
	m := &syncml.Message{Header: serverHeader(), Body: syncml.Body{Final: true}}
	m.Header.SessionID, m.Header.MsgID = sid, strconv.Itoa(msgID)
	m.Header.Meta = &syncml.Meta{MaxMsgSize: "700"}
	id := last.Header.MsgID
	m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: id, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")})
	for _, c := range answerable(last) {
		m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: id, CmdRef: c.ID(), Cmd: c.ElementName(), Data: syncml.Text("200")})
	}
	if !last.Body.Final {
		m.Body.Commands = append(m.Body.Commands, session.NewAlert(syncml.AlertNextMessage))
	}
	syncml.NumberCommands(m.Body.Commands, 1)
	return m
}

// FuzzSessionClientPackage drives a Client through a session of up to
// twelve server messages made from the input (see serverMessage), under
// small bounds the input picks: MaxObjectChunks 1 to 4, MaxObjectSize 16,
// 32 or 64, MaxQueue 2 to 5; the device queues commands before the
// session and in BeforeReply (see queue), some large enough to go in
// chunks under the MaxMsgSize the server announces. Then a second session
// answers everything the device sends (see drainMessage) until it ends.
// When the input says so (the second byte's top bit), EachMessage gives
// commands in the first session (see eachMessage).
// It checks, for any input: no panic; Queue refuses only with a
// *LimitError of MaxQueue, and the queue is never beyond MaxQueue (after
// Queue, Start and every Handle); the device answers no more than
// MaxObjectChunks chunks of one object 213 in a row, and its Handler
// gets no object of more chunks, nor one joined of more than
// MaxObjectSize bytes;
// each queued command and each EachMessage gave gets one Outcome at
// most, and, once the second session has ended, exactly one, but for
// those the Client counts in DroppedAbandoned (Abandoned Outcomes beyond
// MaxQueue); the second session carries none EachMessage gave the first;
// and the second
// session ends within 8 server messages and 24 more per command without
// an Outcome at its Start (each of 450 bytes at most, in chunks).
func FuzzSessionClientPackage(f *testing.F) {
	// The bytes: the bounds (MaxObjectChunks, MaxQueue; MaxObjectSize),
	// the commands queued and their sizes, then per server message its
	// header byte, its count of commands and theirs (see serverMessage).
	// An object of three chunks under MaxObjectChunks 1 and MaxQueue 2
	// (three commands queued: refused), refused from its second chunk,
	// then an item with a Size in one piece.
	f.Add([]byte{0x00, 0, 3, 1, 1, 1, 0x10, 0, 0x40, 3, 0x10, 0, 0x00, 0x00, 0, 0x10, 0x00, 0, 0x50, 1})
	// MaxObjectChunks 4, MaxObjectSize 64: an object of three chunks
	// taken, one of five refused at its fifth, one of 20-byte chunks over
	// MaxObjectSize at its fourth (a message that carries a chunk with
	// MoreData is not Final)
	f.Add([]byte{0x03, 2, 0, 0x10, 0, 0x40, 3, 0x10, 0, 0x00, 0x00, 0, 0x10,
		0x10, 0, 0x48, 5, 0x10, 0, 0x08, 0x10, 0, 0x08, 0x10, 0, 0x08, 0x00, 0, 0x18,
		0x10, 0, 0x60, 60, 0x10, 0, 0x20, 0x10, 0, 0x20, 0x10, 0, 0x20})
	// The server lowers its MaxMsgSize to 900; BeforeReply queues an
	// object of 450 bytes, which the device sends in chunks, answered 213
	// with Alert 1222, then 200
	f.Add([]byte{0x0c, 0, 1, 0, 0x22, 0, 0x03, 3, 0x02, 1, 0x0c, 0, 0x05, 0x02, 1, 0x0c, 0, 0x05, 0x02, 1, 0x0c, 0, 0x05,
		0x02, 1, 0x04, 0, 0x03})
	// MaxQueue 2: BeforeReply queues two commands at each message,
	// answered 500 and 413; an object of the server's cut by another
	// command; then the server aborts
	f.Add([]byte{0x00, 1, 1, 1, 0x40, 0, 0x03, 1, 1, 0x40, 1, 0x1c, 0, 0x03, 1, 1, 0x40, 2, 0x14, 1, 0x40, 4, 0x03, 2, 2,
		0x00, 0, 0xfe})
	// EachMessage gives nothing at package 1; the server lowers its
	// MaxMsgSize to 700 and sends a Get; EachMessage gives two Replaces
	// of 450 bytes for the answer, which carries one; the server aborts
	// the session (or, in the second, first sends Alert 1222)
	f.Add([]byte{0x00, 0x80, 0, 0, 0x01, 0, 0x0b, 2, 3, 3, 0x01, 0, 0xff})
	f.Add([]byte{0x00, 0x80, 0, 0, 0x01, 0, 0x0b, 2, 3, 3, 0x11, 0, 0x05, 0x01, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &pkgRun{t: t, msgGen: msgGen{p: data}, outcomes: map[string]int{}, chunks: map[[2]string]pkgChunk{}, run: map[string]int{}, session: "1"}
		b0, b1 := r.next(), r.next()
		r.maxChunks, r.maxQueue, r.maxObj = 1+int(b0%4), 2+int(b0>>2%4), 16<<(b1%3)
		r.each = b1&0x80 != 0
		mux := session.NewMux()
		mux.Handle("", session.HandlerFunc(func(_ context.Context, q *session.Request) session.Response {
			var res []syncml.Item
			for _, it := range q.Command.ItemList() {
				if it.Target == nil || it.Data == nil || !strings.HasPrefix(it.Target.LocURI, "./Vendor/O") {
					continue
				}
				d := it.Data.Value
				// an object of two chunks or more was joined (MaxObjectSize
				// bounds those only)
				if n := strings.Count(d, "x") + strings.Count(d, "y")/20; n > r.maxChunks || n > 1 && len(d) > r.maxObj {
					t.Fatalf("the Handler got %s of %d chunks, %d bytes (MaxObjectChunks %d, MaxObjectSize %d)", it.Target.LocURI, n, len(d), r.maxChunks, r.maxObj)
				}
			}
			if _, ok := q.Command.(*syncml.Get); ok {
				res = []syncml.Item{{Source: &syncml.Location{LocURI: "./Vendor/A"}, Data: syncml.Text("v")}}
			}
			return session.Response{Results: res}
		}))
		c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux,
			MaxObjectChunks: r.maxChunks, MaxObjectSize: r.maxObj, MaxQueue: r.maxQueue,
			BeforeReply: func(context.Context, *session.Client, *syncml.Message, *session.Exchange) { r.queue(r.beforeReply) },
			EachMessage: r.eachMessage})
		if err != nil {
			t.Fatal(err)
		}
		r.c = c
		r.queue(int(r.next() % 8))
		ctx := context.Background()
		last, err := c.Start(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		r.handling = 0 // package 1 took the queue
		r.checkQueue("after Start")
		for msgID := 1; msgID <= 12 && len(r.p) > 0; msgID++ {
			m := r.serverMessage(msgID, last)
			r.handling = 0
			x, err := c.Handle(ctx, m)
			if err != nil {
				r.queued = r.queued[:len(r.queued)-r.handling]
			}
			r.checkQueue("after Handle")
			if err != nil {
				continue
			}
			r.outcomesOf(x)
			r.statusesOf(x.Reply)
			if x.Reply != nil {
				last = x.Reply
			}
			if x.Done {
				break
			}
		}
		// a second session answered in full (BeforeReply queues nothing
		// more): what was left ends
		r.beforeReply, r.session = 0, "2"
		last, err = c.Start(ctx, "2")
		if err != nil {
			t.Fatal(err)
		}
		r.notCarried(last)
		r.checkQueue("after the second Start")
		// Each command without an Outcome yet (450 bytes of data at
		// most) may go in chunks: under MaxMsgSize 700, with the
		// Statuses of each message first, a chunk may be cut to a few
		// dozen bytes, some 12 messages for 450 bytes; 24 each, and 8
		// for the Statuses and the end, bound a session that ends.
		pending := 0
		for _, u := range slices.Concat(r.queued, r.given) {
			if r.outcomes[u] == 0 {
				pending++
			}
		}
		maxMsgs := 8 + 24*pending
		for msgID := 1; ; msgID++ {
			if msgID > maxMsgs {
				t.Fatalf("the second session goes on past %d server messages (%d commands without an Outcome at its Start)", msgID-1, pending)
			}
			x, err := c.Handle(ctx, drainMessage("2", msgID, last))
			if err != nil {
				t.Fatalf("second session, server message %d: %v", msgID, err)
			}
			r.outcomesOf(x)
			if x.Done || x.Reply == nil {
				break
			}
			r.notCarried(x.Reply)
			last = x.Reply
		}
		// Abandoned Outcomes beyond MaxQueue are dropped, the oldest
		// first, and counted: a command may lack its Outcome only so.
		missing := 0
		for _, u := range slices.Concat(r.queued, r.given) {
			if r.outcomes[u] == 0 {
				missing++
			}
		}
		if missing > c.DroppedAbandoned() {
			t.Fatalf("%d of %d queued commands and %d of EachMessage have no Outcome once both sessions ended, DroppedAbandoned %d", missing, len(r.queued), len(r.given), c.DroppedAbandoned())
		}
	})
}
