package fuzz

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// resGets are the nodes FuzzSessionResultsChunks's server reads.
var resGets = []string{"./G/0", "./G/1", "./G/2"}

// A resChunk is a Results chunk a device message of
// FuzzSessionResultsChunks carries: the Get it answers and whether its
// Status had been sent before it.
type resChunk struct {
	get         int
	first, last bool // a Size announced; no MoreData
	statused    bool
}

// resMessage builds device message msgID from the program p (returning
// the rest), answering the server's message last, whose Gets of resGets
// have the CmdIDs ids: the Status of its SyncHdr, then up to four
// commands, a byte each (its low three bits the kind, its top two the
// Get): a Results chunk for one of the Gets (one "x" or twenty "y", bit
// 4; MoreData unless bit 3; a first chunk announcing a Size, bit 5, the
// next byte), the Status of a Get (200), a Replace of ./X (another
// command, which cuts an object under way) or Alert 1222. Final as the header byte says. chunks gets the
// Results by CmdID, statused the Gets whose Status was sent.
func resMessage(p []byte, msgID int, last *syncml.Message, ids []string, statused []bool, chunks map[string]resChunk) (*syncml.Message, []byte) {
	g := &msgGen{p: p}
	m := &syncml.Message{Header: deviceHeader(strconv.Itoa(msgID))}
	h := g.next()
	m.Body.Final = h&1 == 0
	m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: last.Header.MsgID, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")})
	type note struct {
		at int
		c  resChunk
	}
	var notes []note
	for n := 1 + int(g.next()%4); n > 0 && len(g.p) > 0; n-- {
		b := g.next()
		i := int(b>>6) % len(ids)
		switch b & 7 {
		case 0, 1, 2, 7:
			it := syncml.Item{Source: &syncml.Location{LocURI: resGets[i]}, Data: syncml.Text("x"), MoreData: b&0x08 == 0}
			if b&0x10 != 0 {
				it.Data = syncml.Text(strings.Repeat("y", 20))
			}
			if b&0x20 != 0 {
				it.Meta = &syncml.Meta{Size: strconv.Itoa(int(g.next() % 100))}
			}
			notes = append(notes, note{len(m.Body.Commands), resChunk{i, it.Meta != nil, !it.MoreData, statused[i]}})
			m.Body.Commands = append(m.Body.Commands, &syncml.Results{MsgRef: "1", CmdRef: ids[i], Items: []syncml.Item{it}})
		case 3:
			statused[i] = true
			m.Body.Commands = append(m.Body.Commands, &syncml.Status{MsgRef: "1", CmdRef: ids[i], Cmd: "Get", Data: syncml.Text("200")})
		case 4:
			m.Body.Commands = append(m.Body.Commands, &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}, Data: syncml.Text("1")}}})
		default:
			m.Body.Commands = append(m.Body.Commands, session.NewAlert(syncml.AlertNextMessage))
		}
	}
	syncml.NumberCommands(m.Body.Commands, 1)
	for _, n := range notes {
		chunks[m.Header.MsgID+"/"+m.Body.Commands[n.at].ID()] = n.c
	}
	return m, g.p
}

// FuzzSessionResultsChunks drives the server side of a session (a
// Session that queued three Gets) through up to twelve device messages
// made from the input (see resMessage), under a MaxObjectChunks of 1 to 4
// and a MaxObjectSize of 16, 32 or 64 bytes the input picks. It checks,
// for any input: no panic; no object has more than MaxObjectChunks
// Results chunks answered 213 (buffered) in a row from its first; a Get
// whose Outcome holds Results holds none joined of more chunks than
// MaxObjectChunks or more bytes than MaxObjectSize; a Get whose Status
// the device had sent and one of whose objects the Session drops in a
// message (the chunk answered 413, 424 or 400 that ends it; the later
// chunks of that object get the same code) gets an Outcome in that
// Exchange whose Err holds a *ResultsChunksError (ResultsChunksErrors,
// the first of which errors.As finds: one per object dropped) with one
// of the codes its chunks were refused with in the message, or 0 (cut),
// unless the device began another object for the Get after them
// (its Outcome then waits for that one); a 413 matches ErrLimit and names
// MaxObjectChunks (its bound) or MaxObjectSize; and the state survives
// MarshalBinary and UnmarshalBinary.
func FuzzSessionResultsChunks(f *testing.F) {
	// The bytes: the bounds, then per device message its header byte
	// (bit 0: not Final, as a message carrying a chunk with MoreData is
	// not), its count of commands and theirs (see resMessage).
	// MaxObjectChunks 1: the Get's Status and an object of three chunks,
	// refused at its second (413) and its last.
	f.Add([]byte{0x00, 1, 1, 0x03, 0x20, 3, 1, 0, 0x00, 0, 0, 0x08})
	// MaxObjectChunks 4: joined; then another Get's object of two chunks
	f.Add([]byte{0x03, 1, 1, 0x03, 0x20, 3, 1, 0, 0x00, 1, 0, 0x08, 1, 1, 0x43, 0x60, 2, 0, 0, 0x48})
	// MaxObjectSize 64: 20-byte chunks, over it at the fourth
	f.Add([]byte{0x0b, 1, 1, 0x03, 0x30, 60, 1, 0, 0x10, 1, 0, 0x10, 1, 0, 0x10, 0, 0, 0x18})
	// an object cut by a Replace, then a chunk without its first (400)
	f.Add([]byte{0x03, 1, 1, 0x03, 0x20, 4, 1, 1, 0x04, 0x00, 0, 0, 0x08})
	// a Size the chunks do not add up to (424); Results before the Status
	f.Add([]byte{0x03, 1, 1, 0x03, 0x20, 2, 1, 0, 0x00, 1, 0, 0x08, 1, 1, 0x60, 3, 0x43, 0, 0, 0x48})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		maxChunks, maxObj := 1+int(data[0]%4), 16<<(data[0]>>2%3)
		p := data[1:]
		ctx := context.Background()
		s := session.NewSession(&session.Config{MaxObjectChunks: maxChunks, MaxObjectSize: maxObj})
		if err := s.Queue(session.NewGets(resGets...)...); err != nil {
			t.Fatal(err)
		}
		pkg1 := &syncml.Message{Header: deviceHeader("1"), Body: syncml.Body{Final: true,
			Commands: []syncml.Command{&syncml.Alert{CmdID: "1", Data: syncml.Text("1201")}}}}
		x, err := s.Handle(ctx, &session.Inbound{Message: pkg1})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range x.Reply.Body.Commands {
			if g, ok := c.(*syncml.Get); ok {
				ids = append(ids, g.CmdID)
			}
		}
		if len(ids) != len(resGets) {
			t.Fatalf("the reply carries %d Gets", len(ids))
		}
		last := x.Reply
		statused := make([]bool, len(ids))
		chunks := map[string]resChunk{}
		run := map[int]int{}
		dropped := map[int]bool{} // the Get's object under way was refused
		for msgID := 2; msgID <= 13 && len(p) > 0; msgID++ {
			var m *syncml.Message
			m, p = resMessage(p, msgID, last, ids, statused, chunks)
			x, err := s.Handle(ctx, &session.Inbound{Message: m})
			if err != nil {
				continue
			}
			refused := map[int]bool{}                     // by Get: one of its objects dropped
			codes := map[int]map[syncml.StatusCode]bool{} // by Get: the codes its chunks were refused with
			for _, c := range x.Reply.Body.Commands {
				st, ok := c.(*syncml.Status)
				if !ok || st.Cmd != "Results" {
					continue
				}
				ch, ok := chunks[st.MsgRef+"/"+st.CmdRef]
				if !ok {
					continue
				}
				code, _ := st.Code()
				switch {
				case code == 213 && ch.first:
					run[ch.get] = 1
				case code == 213:
					run[ch.get]++
				default:
					run[ch.get] = 0
				}
				if run[ch.get] > maxChunks {
					t.Fatalf("%d Results chunks for %s taken (213), MaxObjectChunks %d", run[ch.get], resGets[ch.get], maxChunks)
				}
				if ch.first && code == 213 {
					// another object for the Get begun: the Outcome says
					// why that one drops, if it does
					delete(refused, ch.get)
					dropped[ch.get] = false
				}
				if code == 413 || code == 424 || code == 400 {
					if codes[ch.get] == nil {
						codes[ch.get] = map[syncml.StatusCode]bool{0: true} // 0: an object cut
					}
					codes[ch.get][code] = true
					// the chunk that drops the object (the rest of its
					// chunks, up to its last or the end of the device's
					// package, get the same code, and no Outcome again)
					// (a first chunk with MoreData begins another object,
					// refused at once; a last chunk, even one with a Size,
					// ends the one dropped)
					if ch.statused && (!dropped[ch.get] || ch.first && !ch.last) {
						refused[ch.get] = true
					}
					dropped[ch.get] = true
				}
				if ch.last {
					dropped[ch.get] = false
				}
			}
			reported := map[int]bool{}
			for _, o := range x.Outcomes {
				g, ok := o.Command.(*syncml.Get)
				if !ok || len(g.Items) != 1 || g.Items[0].Target == nil {
					continue
				}
				i := strings.Index(strings.Join(resGets, " "), g.Items[0].Target.LocURI) / len(resGets[0]+" ")
				for _, res := range o.Results {
					for _, it := range res.Items {
						if it.Data == nil {
							continue
						}
						d := it.Data.Value
						if n := strings.Count(d, "x") + strings.Count(d, "y")/20; n > 1 && (n > maxChunks || len(d) > maxObj) {
							t.Fatalf("the Outcome of the Get of %s holds Results of %d chunks, %d bytes (MaxObjectChunks %d, MaxObjectSize %d)",
								resGets[i], n, len(d), maxChunks, maxObj)
						}
					}
				}
				var first *session.ResultsChunksError
				all := session.ResultsChunksErrors(o.Err)
				if errors.As(o.Err, &first) != (len(all) > 0) || len(all) > 0 && all[0] != first {
					t.Fatalf("the Outcome of %s: errors.As and ResultsChunksErrors disagree: %v", resGets[i], o.Err)
				}
				for _, rce := range all {
					if refused[i] && codes[i][rce.Code] {
						reported[i] = true
					}
					if rce.Code == 413 {
						if !errors.Is(o.Err, session.ErrLimit) || rce.Limit == nil ||
							rce.Limit.Limit != "MaxObjectSize" && (rce.Limit.Limit != "MaxObjectChunks" || rce.Limit.Max != int64(maxChunks)) {
							t.Fatalf("a 413 of %s with the limit %v: %v", resGets[i], rce.Limit, o.Err)
						}
					}
				}
			}
			for i := range refused {
				if !reported[i] {
					t.Fatalf("message %d: the Results of %s refused %v, no Outcome with a *ResultsChunksError of such a code: %+v", msgID, resGets[i], codes[i], x.Outcomes)
				}
			}
			if m.Body.Final {
				clear(dropped)
			}
			last = x.Reply
			if x.Done {
				break
			}
		}
		st, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary: %v", err)
		}
		if err := session.NewSession(&session.Config{MaxObjectChunks: maxChunks, MaxObjectSize: maxObj}).UnmarshalBinary(st); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
	})
}
