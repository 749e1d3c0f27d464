package session

import (
	"slices"
	"unicode/utf8"

	"github.com/windc-go/windc/syncml"
)

// chunkMargin is what a continuation may carry beyond what overhead
// measures: a Chal in the header's Status, the header Meta, longer IDs.
const chunkMargin = 128

// minChunk is the least room a chunk is cut for.
const minChunk = 64

// overhead is the length of a continuation message with header h and
// nothing to carry but the Status for the peer's SyncHdr and the Status of
// its Alert 1222, plus chunkMargin: what a message needs besides the
// command (or chunk) it continues a package with.
func overhead(h *syncml.Header) int {
	hdr := syncml.Header{VerDTD: h.VerDTD, VerProto: h.VerProto, SessionID: h.SessionID, MsgID: "2147483647",
		Target: h.Target, Source: h.Source, RespURI: h.RespURI}
	big := "2147483647"
	m := syncml.Message{Header: hdr, Body: syncml.Body{Final: true, Commands: []syncml.Command{
		&syncml.Status{CmdID: big, MsgRef: big, CmdRef: "0", Cmd: "SyncHdr", TargetRef: []string{h.Source.LocURI},
			SourceRef: []string{h.Target.LocURI}, Data: syncml.Text("200")},
		&syncml.Status{CmdID: big, MsgRef: big, CmdRef: big, Cmd: "Alert", Data: syncml.Text("200")},
	}}}
	b, err := syncml.Marshal(&m)
	if err != nil {
		return 1 << 10 // a header that does not encode: the message fails later
	}
	return len(b) + chunkMargin
}

// chunkCommands replaces, in cands, every command too large for one
// message of max bytes by the chunks of its object (an Add, Replace, Copy,
// Exec or, from a device, Results with one Item of text, CDATA or XML
// Data; the XML is sent as text), each with MoreData but the last, Meta
// Size on the first. The command itself becomes the last chunk, so that
// its Outcome reports it. A multi-item Results too large is first spread
// over several. Each piece is cut to fit a continuation message with
// header h (see overhead). Commands for which done returns true (nil: none)
// were cut before and stay as they are. A command whose object exceeds
// maxObj (0: no bound) is not sent: it is returned in refused. Each
// command cut (the last of its chunks now) is returned in cut with the
// Items it had before, in the order cut: undone last to first (undoCuts),
// they put the commands back as they were (rejoin cannot: the chunks of
// XML Data are text). On an error nothing stays cut: the commands cut
// before it get their Items back.
func chunkCommands(cands []syncml.Command, max, maxObj int, h *syncml.Header, done func(syncml.Command) bool) (out, refused []syncml.Command, cut []uncut, err error) {
	out, refused, _, cut, err = chunkBounded(cands, max, maxObj, 0, h, done)
	return out, refused, cut, err
}

// chunkBounded is chunkCommands with a bound on the chunks of one object:
// a command whose object would take more than maxChunks (0: no bound) is
// not sent either, but returned in many, as it was, with its chunks.
func chunkBounded(cands []syncml.Command, max, maxObj, maxChunks int, h *syncml.Header, done func(syncml.Command) bool) (out, refused []syncml.Command, many []manyChunks, cut []uncut, err error) {
	if max <= 0 && maxObj <= 0 {
		return cands, nil, nil, nil, nil // nothing is cut or refused
	}
	room := -1 // measured on the first command that may need cutting
	roomOf := func() int {
		if room < 0 {
			room = max - overhead(h)
		}
		return room
	}
	out = make([]syncml.Command, 0, len(cands))
	for _, c := range cands {
		if done != nil && done(c) {
			out = append(out, c)
			continue
		}
		if r, ok := c.(*syncml.Results); ok && len(r.Items) > 1 && max > 0 {
			items := r.Items
			parts, err := splitResults(r, roomOf())
			if err != nil {
				undoCuts(cut)
				return nil, nil, nil, nil, err
			}
			if len(parts) > 1 {
				cut = append(cut, uncut{cmd: r, items: items})
				// each part is chunked in turn when one item alone is too large
				var more []uncut
				parts, _, _, more, err = chunkBounded(parts, max, 0, 0, h, nil)
				if err != nil {
					undoCuts(cut) // more is undone already
					return nil, nil, nil, nil, err
				}
				cut = append(cut, more...)
				out = append(out, parts...)
				continue
			}
		}
		items := c.ItemList()
		obj := 0
		if len(items) == 1 && items[0].Data != nil {
			obj = len(items[0].Data.Value)
		}
		if maxObj > 0 && obj > maxObj {
			refused = append(refused, c)
			continue
		}
		if max <= 0 || obj == 0 || !chunkable(c) {
			out = append(out, c)
			continue
		}
		if least := (obj-1)/atLeast(roomOf(), minChunk) + 1; maxChunks > 0 && least > maxChunks {
			// a chunk carries at most that much of the object (see
			// split): more chunks than the bound, whatever it escapes to
			many = append(many, manyChunks{c, least})
			continue
		}
		if !overRoom(items[0].Data, roomOf()) {
			l, err := encodedLen(c)
			if err != nil {
				undoCuts(cut)
				return nil, nil, nil, nil, err
			}
			if l <= roomOf() {
				out = append(out, c)
				continue
			}
		}
		cut = append(cut, uncut{cmd: c, items: items})
		chunks, err := split(c, roomOf(), roomOf(), false)
		if err != nil {
			undoCuts(cut)
			return nil, nil, nil, nil, err
		}
		if maxChunks > 0 && len(chunks) > maxChunks {
			undoCuts(cut[len(cut)-1:]) // c as it was
			cut = cut[:len(cut)-1]
			many = append(many, manyChunks{c, len(chunks)})
			continue
		}
		out = append(out, chunks...)
	}
	return out, refused, many, cut, nil
}

// manyChunks is a command not sent because its object takes more chunks
// than the bound (chunkBounded): as many as chunks, or at least that many
// when it was not cut to count them.
type manyChunks struct {
	cmd    syncml.Command
	chunks int
}

// atLeast returns the larger of n and least.
func atLeast(n, least int) int {
	if n < least {
		return least
	}
	return n
}

// overRoom reports whether d, text or CDATA, is longer than room as it
// is: encoded, it cannot be shorter (escaping and the CDATA section only
// add bytes), and its command is to be cut without encoding it whole
// first, an encoding as large as the object escaped. What cannot be
// encoded fails as it would have, when split encodes the pieces.
func overRoom(d *syncml.Data, room int) bool {
	return (d.Kind == syncml.DataText || d.Kind == syncml.DataCDATA) && len(d.Value) > room
}

func chunkable(c syncml.Command) bool {
	switch c.(type) {
	case *syncml.Add, *syncml.Replace, *syncml.Copy, *syncml.Exec, *syncml.Results:
		return true
	}
	return false
}

// splitResults spreads the items of r over Results that each encode
// within room, in order, each item whole: a part holds as many items as
// fit, an item that does not fit alone is alone in its part. The last
// part is r itself. It returns r alone when all fit.
func splitResults(r *syncml.Results, room int) ([]syncml.Command, error) {
	l, err := encodedLen(r)
	if err != nil || l <= room {
		return []syncml.Command{r}, err
	}
	empty := withItems(r, nil)
	empty.SetID("2147483647")
	base, err := encodedLen(empty)
	if err != nil {
		return nil, err
	}
	items := r.Items
	var parts []syncml.Command
	for start := 0; start < len(items); {
		used, end := base, start
		for end < len(items) {
			il, err := encodedLen(withItems(empty, items[end:end+1]))
			if err != nil {
				return nil, err
			}
			il -= base
			if end > start && used+il > room {
				break
			}
			used += il
			end++
		}
		if end == len(items) {
			setItems(r, items[start:end:end])
			parts = append(parts, r)
			break
		}
		parts = append(parts, withItems(r, items[start:end:end]))
		start = end
	}
	return parts, nil
}

// splittable reports whether split can cut c: a command that may be
// chunked, with one Item whose Data is not empty.
func splittable(c syncml.Command) bool {
	items := c.ItemList()
	return chunkable(c) && len(items) == 1 && items[0].Data != nil && items[0].Data.Value != ""
}

// split cuts c's object into chunks whose commands encode within room,
// the first within first. A fresh object (cont false) gets Meta Size on
// its first chunk and MoreData on all but the last; a chunk cut again
// (cont true: c continues an object already begun) keeps its Meta on the
// first piece, without Size on the others, and its own MoreData on the
// last. The last chunk is c itself.
func split(c syncml.Command, first, room int, cont bool) ([]syncml.Command, error) {
	return splitLeast(c, first, room, cont, minChunk)
}

// splitLeast is split with the first chunk cut for no less than
// firstLeast bytes of data (minChunk for the others): a forced message
// (see forced) cuts the first to the room it has left, however small,
// when the command can wait for no later message.
func splitLeast(c syncml.Command, first, room int, cont bool, firstLeast int) ([]syncml.Command, error) {
	it := c.ItemList()[0]
	value := it.Data.Value
	kind := it.Data.Kind
	if kind == syncml.DataXML {
		kind = syncml.DataText
	}
	more := it.MoreData // what follows the last piece
	firstMeta := sizedMeta(it.Meta, len(value))
	if cont || more {
		// a chunk already: its Size, if any, is the whole object's
		firstMeta = it.Meta
	}
	var laterMeta *syncml.Meta
	if it.Meta != nil {
		m := *it.Meta
		m.Size = ""
		laterMeta = &m
	}
	// The bytes a chunk's command adds beyond its data.
	empty := withItems(c, []syncml.Item{{Target: it.Target, Source: it.Source, Meta: sizedMeta(it.Meta, len(value)), Data: &syncml.Data{Kind: kind}, MoreData: true}})
	empty.SetID("2147483647")
	base, err := encodedLen(empty)
	if err != nil {
		return nil, err
	}
	pl, err := encodedLen(withItems(c, []syncml.Item{{Data: &syncml.Data{Kind: kind}}}))
	if err != nil {
		return nil, err
	}
	var chunks []syncml.Command
	// what the last piece took encoded per byte of its text, in
	// hundredths: the next piece is first tried at the length that fits if
	// it escapes alike, one encoding for most pieces (text that escapes
	// fivefold took two before, the first of five times its room)
	grow := 100
	for isFirst := true; value != ""; isFirst = false {
		r, least := room, minChunk
		if isFirst {
			r, least = first, firstLeast
		}
		budget := max(r-base, least)
		most := min(budget, len(value)) // escaping never shortens
		n := min(budget*100/grow, most)
		fit := -1 // a length that fits, tried longer once (see below)
		for {
			for n < len(value) && n > 0 && !utf8.RuneStart(value[n]) {
				n--
			}
			// Escaping may lengthen the text: shrink until it fits.
			probe := syncml.Item{Data: &syncml.Data{Kind: kind, Value: value[:n]}}
			l, err := encodedLen(withItems(c, []syncml.Item{probe}))
			if err != nil {
				return nil, err
			}
			if n > 0 {
				grow = max(100, (l-pl)*100/n)
			}
			if l-pl <= budget || n <= minChunk/4 {
				if fit < 0 && n < most && l-pl < budget-budget/8 && l-pl <= budget {
					// The text escapes less than the last piece's: a
					// longer piece, as long as fits if the rest escapes
					// as value[:n] does, is tried once.
					fit = n
					n = min(most, int(int64(n)*int64(budget)/int64(max(l-pl, 1))))
					if n > fit {
						continue
					}
					n = fit
				}
				break
			}
			if fit >= 0 {
				n = fit // the longer piece does not fit
				break
			}
			// The next try is what fits if the rest escapes as value[:n]
			// does (one encoding for most chunks, not one per eighth cut
			// off: text that escapes fivefold took a dozen), never more
			// than seven eighths of n.
			n = min(int(int64(n)*int64(budget)/int64(l-pl)), n*7/8)
		}
		if n == 0 {
			n = len(value) // cannot happen with budget >= minChunk/4; never loop forever
		}
		piece := syncml.Item{Target: it.Target, Source: it.Source, Data: &syncml.Data{Kind: kind, Value: value[:n]}}
		value = value[n:]
		piece.Meta = laterMeta
		if isFirst {
			piece.Meta = firstMeta
		}
		piece.MoreData = value != "" || more
		if value == "" {
			// The command itself carries the last chunk.
			setItems(c, []syncml.Item{piece})
			chunks = append(chunks, c)
			break
		}
		chunks = append(chunks, withItems(c, []syncml.Item{piece}))
	}
	return chunks, nil
}

// sizedMeta returns a copy of m (or a new Meta) with Size set to n.
func sizedMeta(m *syncml.Meta, n int) *syncml.Meta {
	var out syncml.Meta
	if m != nil {
		out = *m
	}
	out.Size = itoa(n)
	return &out
}

// setItems replaces the Items of c in place.
func setItems(c syncml.Command, items []syncml.Item) {
	switch c := c.(type) {
	case *syncml.Add:
		c.Items = items
	case *syncml.Replace:
		c.Items = items
	case *syncml.Copy:
		c.Items = items
	case *syncml.Exec:
		c.Items = items
	case *syncml.Results:
		c.Items = items
	}
}

// rejoinCont puts back together, at the head of Cont, an object whose
// first chunks went out when the session is given up (restarted or
// aborted) before its last one: its pieces would start a new session as
// an object cut short. The command itself (the last piece) gets the whole
// Data back, with the first chunk's Meta without Size, and goes out again
// whole, to be cut anew.
func (st *state) rejoinCont() {
	st.takeAnswers() // they answer messages of the session given up
	st.rejoinObject()
}

// rejoinObject is rejoinCont but for the answers at the head of Cont,
// which it leaves: it reports whether there was an object in flight.
func (st *state) rejoinObject() bool {
	if st.Sent.continued(st.Cont) == nil {
		return false
	}
	var sent []syncml.Command // the chunks sent, last first
	from := len(st.Sent.sent) // where they (and the Alerts 1222 among them) start
	for i := len(st.Sent.sent) - 1; i >= 0; i-- {
		c := st.Sent.sent[i].Cmd
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && code == syncml.AlertNextMessage {
				from = i
				continue
			}
		}
		if !isChunk(c) {
			break
		}
		sent = append(sent, c)
		from = i
	}
	// The chunks are forgotten (nothing waits for their Status), so that
	// the object is rejoined once.
	clear(st.Sent.sent[from:])
	st.Sent.sent = st.Sent.sent[:from]
	st.Sent.index, st.Sent.next = nil, 0
	k := objectEnd(st.Cont)
	slices.Reverse(sent)
	last := rejoin(append(sent, st.Cont[:k]...))
	st.Cont = append([]syncml.Command{last}, st.Cont[k:]...)
	return true
}

// refusedChunk returns the record of the first chunk, among those of the
// object this side sent last, that the peer answered with a Status that
// is no success: the peer refused the object, which goes no further. A
// chunk accepted is answered 213 (OMA DM 1.2.1, 2.2); another 2xx, which
// a peer that does not follow that rule may send, is taken as accepted
// too, not as a refusal. Nil when there is none.
func (c *correlator) refusedChunk() *sentCmd {
	var first *sentCmd
	for i := len(c.sent) - 1; i >= 0; i-- {
		s := c.sent[i]
		if isNextMessage(s) {
			continue
		}
		if !isChunk(s.Cmd) {
			break
		}
		if s.Status != nil {
			if code, err := s.Status.Code(); err != nil || !code.Success() {
				first = s
			}
		}
	}
	return first
}

// dropRefused ends the object in flight the peer refused with the Status
// of its chunk s (see refusedChunk): no chunk of it goes out any more,
// the chunks sent are forgotten and the rest of it leaves Cont; what
// follows goes on. It returns the Outcome of the object's command, whole
// again (see rejoin), with the refusal.
func (st *state) dropRefused(s *sentCmd) Outcome {
	o := Outcome{MsgID: s.MsgID, Command: s.Cmd, Status: s.Status}
	if st.rejoinObject() {
		o.Command = st.Cont[0]
		st.Cont = st.Cont[1:]
	} else {
		// the rest of it is not in Cont: its chunks sent are forgotten
		i := len(st.Sent.sent)
		for i > 0 && (isChunk(st.Sent.sent[i-1].Cmd) || isNextMessage(st.Sent.sent[i-1])) {
			i--
		}
		clear(st.Sent.sent[i:])
		st.Sent.sent, st.Sent.index, st.Sent.next = st.Sent.sent[:i], nil, 0
	}
	if len(st.Cont) == 0 {
		st.Cont = nil
	}
	return o
}

// isNextMessage reports whether s is an Alert 1222 the session sent of
// itself.
func isNextMessage(s *sentCmd) bool {
	a, ok := s.Cmd.(*syncml.Alert)
	if !ok || !s.Internal {
		return false
	}
	code, err := a.Code()
	return err == nil && code == syncml.AlertNextMessage
}

// rejoin puts the object cut into pieces (its chunks in order, the
// command itself last) back whole into the command, which it returns:
// its data joined, its Meta without Size, no MoreData.
func rejoin(pieces []syncml.Command) syncml.Command {
	last := pieces[len(pieces)-1]
	var b []byte
	for _, c := range pieces {
		b = appendData(b, c.ItemList()[0].Data)
	}
	// The last piece's Meta is the object's without Size (see split):
	// nil when the object had none, not an empty Meta from the first's.
	it := last.ItemList()[0]
	it.MoreData, it.Data = false, &syncml.Data{Kind: it.Data.Kind, Value: string(b)}
	setItems(last, []syncml.Item{it})
	return last
}

// objectEnd returns the index after the last piece of the object whose
// pieces start cmds: after its first command that is not a chunk.
func objectEnd(cmds []syncml.Command) int {
	for i, c := range cmds {
		if !isChunk(c) {
			return i + 1
		}
	}
	return len(cmds)
}

// isChunk reports whether c carries a chunk followed by more.
func isChunk(c syncml.Command) bool {
	items := c.ItemList()
	return len(items) > 0 && items[len(items)-1].MoreData
}

// takeAnswers removes from the front of st.Cont the Statuses and Results
// of this side's last reply that did not fit in it and returns them.
func (st *state) takeAnswers() []syncml.Command {
	k := 0
	for k < len(st.Cont) && isAnswer(st.Cont[k]) {
		k++
	}
	if k == 0 {
		return nil
	}
	held := st.Cont[:k:k]
	st.Cont = st.Cont[k:]
	if len(st.Cont) == 0 {
		st.Cont = nil
	}
	return held
}

// isAnswer reports whether c is a Status or a Results.
func isAnswer(c syncml.Command) bool {
	switch c.(type) {
	case *syncml.Status, *syncml.Results:
		return true
	}
	return false
}
