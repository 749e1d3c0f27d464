package session

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// objReplace returns a Replace of ./uri with value, which no message of
// 1200 bytes carries whole.
func objReplace(uri, value string) *syncml.Replace {
	return &syncml.Replace{Items: []syncml.Item{{Target: &syncml.Location{LocURI: uri},
		Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text(value)}}}
}

// objectSession runs a session between a Session, queueing srvCmd and
// announcing a MaxMsgSize of 1200, and a Client of the same bound, which
// queues devCmd after package 1; when saved, the Session's state is
// saved and loaded again between messages, as a Server's is. It returns
// the Outcomes of both sides. stop, when not nil, ends the session (the
// device sends nothing more) after the first server message for which it
// returns true; the Session is returned for what follows. cfg, when not
// nil, is the Session's Config (its AnnounceMaxMsgSize set to 1200); a
// message it fails to answer is handed to it once more.
func objectSession(t *testing.T, cfg *Config, srvCmd, devCmd syncml.Command, saved bool, stop func(*syncml.Message) bool) (s *Session, srvOuts, devOuts []Outcome) {
	t.Helper()
	if cfg == nil {
		cfg = &Config{}
	}
	cfg.AnnounceMaxMsgSize = 1200
	s = NewSession(cfg)
	if err := s.Queue(srvCmd); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: 1200, Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(devCmd); err != nil {
		t.Fatal(err)
	}
	chunks := 0
	for range 100 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
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
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Logf("Handle: %v; once more", err)
			x, err = s.Handle(ctx, &Inbound{Raw: raw})
		}
		if err != nil {
			t.Fatal(err)
		}
		srvOuts = append(srvOuts, x.Outcomes...)
		for _, c := range x.Reply.Body.Commands {
			if isChunk(c) {
				chunks++
			}
		}
		if stop != nil && stop(x.Reply) {
			return s, srvOuts, devOuts
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			t.Fatal(err)
		}
		devOuts = append(devOuts, cx.Outcomes...)
		if cx.Done {
			if chunks < 2 {
				t.Fatalf("the server sent %d chunks: the object was not cut", chunks)
			}
			return s, srvOuts, devOuts
		}
		m = cx.Reply
	}
	t.Fatal("the session does not end")
	return nil, nil, nil
}

// outcomeOf returns the one Outcome of outs for a Replace of uri.
func outcomeOf(t *testing.T, outs []Outcome, uri string) Outcome {
	t.Helper()
	var found []Outcome
	for _, o := range outs {
		if _, ok := o.Command.(*syncml.Replace); ok && itemURI(o.Command.ItemList()[0]) == uri {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d Outcomes for %s, want 1: %+v", len(found), uri, outs)
	}
	return found[0]
}

// The Outcome of an object sent in chunks holds the command queued,
// whole: on a Client with the Items it was queued with; on a Session the
// same command (or, when the state is saved between messages, a copy)
// with the object rejoined from its pieces. Before, it held the last
// chunk: the command queued cut down to the end of its object.
func TestChunkedOutcomeWhole(t *testing.T) {
	srvValue := strings.Repeat("server<&>", 400)
	devValue := strings.Repeat("device<&>", 400)
	for _, saved := range []bool{false, true} {
		name := map[bool]string{false: "in memory", true: "state saved"}[saved]
		t.Run(name, func(t *testing.T) {
			srvCmd, devCmd := objReplace("./S", srvValue), objReplace("./D", devValue)
			devItems := []syncml.Item{{Target: &syncml.Location{LocURI: "./D"},
				Meta: &syncml.Meta{Format: "chr", Type: "text/plain"}, Data: syncml.Text(devValue)}}
			_, srvOuts, devOuts := objectSession(t, nil, srvCmd, devCmd, saved, nil)

			o := outcomeOf(t, srvOuts, "./S")
			if code, err := o.Code(); err != nil || code != syncml.StatusOK {
				t.Errorf("server Outcome %d %v", code, err)
			}
			if !saved && o.Command != syncml.Command(srvCmd) {
				t.Errorf("server Outcome holds %p, not the command queued %p", o.Command, srvCmd)
			}
			items := o.Command.ItemList()
			if len(items) != 1 || items[0].Data == nil || items[0].Data.Value != srvValue || items[0].MoreData ||
				items[0].Meta == nil || items[0].Meta.Format != "chr" || items[0].Meta.Size != "" {
				t.Errorf("server Outcome command %s: its Item is not the whole object (%d bytes of %d)",
					summary(&syncml.Message{Body: syncml.Body{Commands: []syncml.Command{o.Command}}}), len(items[0].Data.Value), len(srvValue))
			}

			d := outcomeOf(t, devOuts, "./D")
			if code, err := d.Code(); err != nil || code != syncml.StatusOK {
				t.Errorf("device Outcome %d %v", code, err)
			}
			if d.Command != syncml.Command(devCmd) {
				t.Errorf("device Outcome holds %p, not the command queued %p", d.Command, devCmd)
			}
			if diff := cmp.Diff(devItems, d.Command.ItemList()); diff != "" {
				t.Errorf("device Outcome's Items, not as queued (-want +got):\n%s", diff)
			}
		})
	}
}

// A device that starts a new session after the server sent the last
// chunk of its object, before answering it, gets the object's command
// back whole, Abandoned.
func TestChunkedOutcomeAbandonedWhole(t *testing.T) {
	value := strings.Repeat("server<&>", 400)
	for _, saved := range []bool{false, true} {
		t.Run(map[bool]string{false: "in memory", true: "state saved"}[saved], func(t *testing.T) {
			cmd := objReplace("./S", value)
			lastSent := func(m *syncml.Message) bool {
				for _, c := range m.Body.Commands {
					if r, ok := c.(*syncml.Replace); ok && !isChunk(r) {
						return true
					}
				}
				return false
			}
			s, outs, _ := objectSession(t, nil, cmd, NewClientEvent(syncml.AlertClientEvent, "com.example/x", "x"), saved, lastSent)
			if len(outs) != 0 {
				t.Fatalf("Outcomes before the restart: %+v", outs)
			}
			x := handle(t, s, devMsg("2", "1", alert1201))
			o := outcomeOf(t, x.Outcomes, "./S")
			if !o.Abandoned {
				t.Errorf("Outcome %+v, want Abandoned", o)
			}
			if !saved && o.Command != syncml.Command(cmd) {
				t.Errorf("Outcome holds %p, not the command queued %p", o.Command, cmd)
			}
			if it := o.Command.ItemList()[0]; it.Data.Value != value || it.MoreData {
				t.Errorf("Abandoned Outcome holds %d bytes of the object's %d (MoreData %v)", len(it.Data.Value), len(value), it.MoreData)
			}
		})
	}
}

// A reply that fails after the Statuses that end an object sent in chunks
// (on a Session whose state stays in memory) puts back what making its
// command whole changed: the device's retry of the message gets the
// Outcome again, with the command queued, whole.
func TestChunkedOutcomeReplyFails(t *testing.T) {
	value := strings.Repeat("server<&>", 400)
	cmd := objReplace("./S", value)
	var bad *syncml.Replace
	seen := 0
	cfg := &Config{BeforeReply: func(_ context.Context, s *Session, _ *syncml.Message, x *Exchange) {
		for _, o := range x.Outcomes {
			if _, ok := o.Command.(*syncml.Replace); !ok || itemURI(o.Command.ItemList()[0]) != "./S" {
				continue
			}
			if seen++; seen == 1 {
				// a command that no longer encodes once queued: the reply fails
				bad = objReplace("./Bad", "ok")
				if err := s.Queue(bad); err != nil {
					t.Fatal(err)
				}
				bad.Items[0].Data.Value = "\x01"
			}
		}
	}}
	_, outs, _ := objectSession(t, cfg, cmd, NewClientEvent(syncml.AlertClientEvent, "com.example/x", "x"), false, nil)
	if seen != 2 {
		t.Fatalf("BeforeReply saw the Outcome %d times, want 2 (a failed reply, its retry)", seen)
	}
	o := outcomeOf(t, outs, "./S")
	if o.Command != syncml.Command(cmd) {
		t.Errorf("the retry's Outcome holds %p, not the command queued %p", o.Command, cmd)
	}
	if it := o.Command.ItemList()[0]; it.Data.Value != value || it.MoreData {
		t.Errorf("the retry's Outcome holds %d bytes of the object's %d", len(it.Data.Value), len(value))
	}
}

// A device's session that ended (the server's last message held only
// Statuses) with the last chunk of its object unanswered reports the
// object's command Abandoned in the Exchange that ends it (Changed: at its
// next session), with the Items it was queued with, as one given up
// before its end does, and not again at the next session.
func TestClientChunkedAbandonedAfterEnd(t *testing.T) {
	value := strings.Repeat("device<&>", 400)
	cmd := objReplace("./D", value)
	s := NewSession(&Config{AnnounceMaxMsgSize: 1200})
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", MaxMsgSize: 1200, Handler: Accept})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(cmd); err != nil {
		t.Fatal(err)
	}
	dropped := false
	var end []Outcome // the Outcomes of the session's last message
	for range 50 {
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x, err := s.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		var back syncml.Message
		if err := syncml.Unmarshal(x.Raw, &back); err != nil {
			t.Fatal(err)
		}
		// the server's Status for the object's last piece is lost
		for i, x := range back.Body.Commands {
			if st, ok := x.(*syncml.Status); ok && st.Cmd == "Replace" {
				if code, _ := st.Code(); code == syncml.StatusOK {
					back.Body.Commands = append(back.Body.Commands[:i:i], back.Body.Commands[i+1:]...)
					dropped = true
					break
				}
			}
		}
		cx, err := c.Handle(ctx, &back)
		if err != nil {
			t.Fatal(err)
		}
		if cx.Done {
			end = cx.Outcomes
			break
		}
		m = cx.Reply
	}
	if !dropped || c.sent.pending() != 0 {
		t.Fatalf("Status of the last piece dropped %v, %d pending, want none (reported)", dropped, c.sent.pending())
	}
	o := outcomeOf(t, end, "./D")
	if !o.Abandoned || o.Command != syncml.Command(cmd) {
		t.Errorf("Outcome %+v, want the command queued, Abandoned", o)
	}
	if it := cmd.Items[0]; it.Data.Value != value || it.MoreData || it.Meta.Size != "" {
		t.Errorf("the command holds %d bytes of its object's %d (MoreData %v, Size %q)", len(it.Data.Value), len(value), it.MoreData, it.Meta.Size)
	}
	m, err = c.Start(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := syncml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	x, err := s.Handle(ctx, &Inbound{Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	var back syncml.Message
	if err := syncml.Unmarshal(x.Raw, &back); err != nil {
		t.Fatal(err)
	}
	cx, err := c.Handle(ctx, &back)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range cx.Outcomes {
		if o.Command == syncml.Command(cmd) {
			t.Errorf("the next session reports the object again: %+v", o)
		}
	}
}
