package fuzz

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// state8Run sends an object too large for one message from a server
// Session to a Client, saving the server's state and loading it into a
// new Session after every message, as a Server does. It returns the
// states saved (those while the object goes out are of format 8) and the
// device's messages, the i-th being the one that follows state i.
func state8Run(tb testing.TB, kind syncml.DataKind, value string, maxMsg int) (states, msgs [][]byte) {
	tb.Helper()
	ctx := context.Background()
	s := session.NewSession(nil)
	cmd := &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./Vendor/MSFT/Big"},
		Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: &syncml.Data{Kind: kind, Value: value}}}}
	if err := s.Queue(cmd, session.NewGets("./A")[0]); err != nil {
		tb.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: maxMsg})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		tb.Fatal(err)
	}
	for range 200 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		if len(states) > 0 {
			msgs = append(msgs, raw)
		}
		x, err := s.Handle(ctx, &session.Inbound{Raw: raw})
		if err != nil {
			tb.Fatalf("server message %d: %v", len(states)+1, err)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			tb.Fatal(err)
		}
		states = append(states, b)
		s = session.NewSession(nil)
		if err := s.UnmarshalBinary(b); err != nil {
			tb.Fatalf("state %d: %v", len(states), err)
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			tb.Fatal(err)
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			tb.Fatal(err)
		}
		if cx.Done {
			return states, msgs
		}
		m = cx.Reply
	}
	tb.Fatal("session does not end")
	return nil, nil
}

// receiveRun has a device send value in chunks of chunk bytes (a Replace
// each, in a message each) to a server Session, saving its state and
// loading it into a new Session after every message, as a Server does. It
// returns the states saved and the device's messages, the i-th being the
// one that follows state i.
func receiveRun(tb testing.TB, value string, chunk int) (states, msgs [][]byte) {
	tb.Helper()
	ctx := context.Background()
	s := session.NewSession(nil)
	for i, off := 0, 0; off < len(value); i, off = i+1, off+chunk {
		part := value[off:min(off+chunk, len(value))]
		body, more, final := "", "", ""
		if off == 0 {
			body = `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>`
		}
		size := ""
		if off == 0 {
			size = `<Meta><Size xmlns="syncml:metinf">` + strconv.Itoa(len(value)) + `</Size></Meta>`
		}
		if off+chunk < len(value) {
			more = `<MoreData/>`
		} else {
			final = `<Final/>`
		}
		body += `<Replace><CmdID>2</CmdID><Item><Target><LocURI>./Vendor/MSFT/Big</LocURI></Target>` + size +
			`<Data>` + strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(part) + `</Data>` + more + `</Item></Replace>`
		raw := []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
			`<SessionID>1</SessionID><MsgID>` + strconv.Itoa(i+1) + `</MsgID><Target><LocURI>S</LocURI></Target>` +
			`<Source><LocURI>D</LocURI></Source></SyncHdr><SyncBody>` + body + final + `</SyncBody></SyncML>`)
		if i > 0 {
			msgs = append(msgs, raw)
		}
		if _, err := s.Handle(ctx, &session.Inbound{Raw: raw}); err != nil {
			tb.Fatalf("chunk %d: %v", i+1, err)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			tb.Fatal(err)
		}
		states = append(states, b)
		s = session.NewSession(nil)
		if err := s.UnmarshalBinary(b); err != nil {
			tb.Fatalf("state %d: %v", len(states), err)
		}
	}
	return states, msgs
}

// FuzzSessionState8 hands arbitrary bytes to Session.UnmarshalBinary,
// seeded with the states of a server sending a large object in chunks
// (format 8: the text of the chunks kept apart from their SyncML, see
// syncml/session/state_text.go), in text and CDATA, with characters to
// escape, and with those of a server receiving an object in chunks
// (format 9), and one of a Server keeping part of such an object in its
// Store (format 11). A state either fails with ErrStoredState or loads; one that
// loads saves again, and what it saves loads and saves to the same
// bytes. The loaded Session then handles the device's message that
// followed the seed state (msg picks it): no state may make it panic, and
// the state after it must save and load again.
func FuzzSessionState8(f *testing.F) {
	value := strings.Repeat("a&b<c>d é ]]> \"q\" ", 40) // escapes, UTF-8, CDATA end
	var msgs [][]byte
	eights := 0
	for _, kind := range []syncml.DataKind{syncml.DataText, syncml.DataCDATA} {
		states, ms := state8Run(f, kind, value, 700)
		for i, st := range states {
			if st[0] >= 8 {
				eights++
			}
			f.Add(st, uint8(len(msgs)+i))
		}
		msgs = append(msgs, ms...)
		msgs = append(msgs, nil) // the last state has no message after it
	}
	if eights == 0 {
		f.Fatal("no seed state of format 8")
	}
	// and the states of a server receiving an object in chunks (format 9:
	// with the count of the chunks received)
	states, ms := receiveRun(f, strings.Repeat("x&y", 30), 16)
	nines := 0
	for i, st := range states {
		if st[0] == 9 {
			nines++
		}
		f.Add(st, uint8(len(msgs)+i))
	}
	if nines == 0 {
		f.Fatal("no seed state of format 9 receiving an object")
	}
	msgs = append(msgs, ms...)
	msgs = append(msgs, nil)
	// and the state of a Server that keeps part of the object received in
	// a segment of its Store (format 11), followed by the last chunk
	st10, last := serverReceiveRun(f)
	f.Add(st10, uint8(len(msgs)))
	msgs = append(msgs, last)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, state []byte, msg uint8) {
		s := session.NewSession(nil)
		if err := s.UnmarshalBinary(state); err != nil {
			if !errors.Is(err, session.ErrStoredState) {
				t.Fatalf("error %v does not match ErrStoredState", err)
			}
			return
		}
		b1, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("a state that loads does not save: %v", err)
		}
		s2 := session.NewSession(nil)
		if err := s2.UnmarshalBinary(b1); err != nil {
			t.Fatalf("a state saved from a loaded one does not load: %v\n%q", err, b1)
		}
		b2, err := s2.MarshalBinary()
		if err != nil {
			t.Fatalf("saved again: %v", err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("saved, loaded and saved again differs:\n%q\n%q", b1, b2)
		}
		raw := msgs[int(msg)%len(msgs)]
		if raw == nil {
			return
		}
		if _, err := s.Handle(ctx, &session.Inbound{Raw: raw}); err != nil {
			return
		}
		b3, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("state after a message does not save: %v", err)
		}
		if err := session.NewSession(nil).UnmarshalBinary(b3); err != nil {
			t.Fatalf("state after a message does not load: %v", err)
		}
	})
}
