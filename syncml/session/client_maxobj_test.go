package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// maxObjSession runs a session between a Session that announces a
// MaxObjSize of 1000 (and queues a Get of ./G, so that the device sends
// more than package 1) and a Client cfg (DeviceID D, ServerURI S): queue
// goes in package 1. It returns the device's Outcomes and the LocURIs
// whose Replace (or chunk of one) each device message carried.
func maxObjSession(t *testing.T, cfg ClientConfig, queue ...syncml.Command) (outs []Outcome, sent [][]string) {
	t.Helper()
	s := NewSession(&Config{AnnounceMaxObjSize: 1000})
	if err := s.Queue(get("./G")); err != nil {
		t.Fatal(err)
	}
	cfg.DeviceID, cfg.ServerURI, cfg.Handler = "D", "S", Accept
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Queue(queue...); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		var uris []string
		for _, x := range m.Body.Commands {
			if _, ok := x.(*syncml.Replace); ok {
				uris = append(uris, itemURI(x.ItemList()[0]))
			}
		}
		sent = append(sent, uris)
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
		outs = append(outs, cx.Outcomes...)
		if cx.Done {
			return outs, sent
		}
		m = cx.Reply
	}
	t.Fatal("the session does not end")
	return nil, nil
}

// limitedOutcomes returns the Outcomes of outs whose Err is a *LimitError
// of MaxObjSize, checking that it names 1000 and n bytes.
func limitedOutcomes(t *testing.T, outs []Outcome, n int) []Outcome {
	t.Helper()
	var found []Outcome
	for _, o := range outs {
		var le *LimitError
		if !errors.As(o.Err, &le) {
			continue
		}
		if le.Limit != "MaxObjSize" || le.Max != 1000 || le.Count != int64(n) || !errors.Is(o.Err, ErrLimit) {
			t.Errorf("Outcome error %v, want a LimitError of MaxObjSize 1000 for %d bytes", o.Err, n)
		}
		found = append(found, o)
	}
	return found
}

// An object of package 1 that the Client cut into chunks before the
// server announced its MaxObjSize, and none of which went out (the first
// message was full), is not sent once the announcement says the server
// takes no object that large: its Outcome holds the command as queued and
// a *LimitError of MaxObjSize, and the rest of the package goes on. One
// within the bound goes. Before, every chunk went out.
func TestClientContOverPeerMaxObj(t *testing.T) {
	filler := objReplace("./A", strings.Repeat("a", 600))
	big := objReplace("./B", strings.Repeat("b", 3000))
	after := objReplace("./C", "c")
	outs, sent := maxObjSession(t, ClientConfig{ServerMaxMsgSize: 1500}, filler, big, after)
	if len(sent[0]) == 0 || strings.Join(sent[0], " ") != "./A" {
		t.Fatalf("package 1's first message carried %v, want ./A alone (the test needs ./B left for later)", sent[0])
	}
	var all []string
	for _, uris := range sent {
		all = append(all, uris...)
	}
	if strings.Contains(strings.Join(all, " "), "./B") {
		t.Errorf("the device sent ./B (Replaces per message %v)", sent)
	}
	if !strings.Contains(strings.Join(all, " "), "./C") {
		t.Errorf("the device never sent ./C (Replaces per message %v)", sent)
	}
	found := limitedOutcomes(t, outs, 3000)
	if len(found) != 1 || found[0].Command != syncml.Command(big) {
		t.Fatalf("Outcomes with a LimitError %+v, want one for ./B", found)
	}
	if it := big.Items[0]; it.Data.Value != strings.Repeat("b", 3000) || it.MoreData || it.Meta.Size != "" {
		t.Errorf("./B's Item is not as queued: %d bytes, MoreData %v, Size %q", len(it.Data.Value), it.MoreData, it.Meta.Size)
	}

	// within the bound: it goes
	small := objReplace("./B", strings.Repeat("b", 900))
	outs, sent = maxObjSession(t, ClientConfig{ServerMaxMsgSize: 1500}, filler, small)
	if found := limitedOutcomes(t, outs, 900); len(found) != 0 {
		t.Errorf("Outcomes with a LimitError %+v for an object within the bound", found)
	}
	var n int
	for _, uris := range sent {
		n += strings.Count(strings.Join(uris, " "), "./B")
	}
	if n == 0 {
		t.Errorf("./B within the bound was not sent (Replaces per message %v)", sent)
	}

	// in flight (its first chunk in package 1): the server answered that
	// chunk, which carried the object's Size; it took it (213), and the
	// rest goes
	outs, sent = maxObjSession(t, ClientConfig{ServerMaxMsgSize: 1500}, objReplace("./B", strings.Repeat("b", 3000)))
	if found := limitedOutcomes(t, outs, 3000); len(found) != 0 || len(sent) < 3 || strings.Join(sent[0], " ") != "./B" {
		t.Errorf("an object in flight: Outcomes with a LimitError %+v, Replaces per message %v", found, sent)
	}
}

// The commands EachMessage gives are held to the MaxObjSize the server
// announced, as queued commands are: one over it is not sent in the
// messages after the announcement, and each such message's Exchange
// reports it in an Outcome with a *LimitError of MaxObjSize. Before, it
// went in every message.
func TestClientEachMessageOverPeerMaxObj(t *testing.T) {
	value := strings.Repeat("e", 2000)
	cfg := ClientConfig{EachMessage: func(context.Context) ([]syncml.Command, error) {
		return []syncml.Command{objReplace("./E", value), objReplace("./F", "f")}, nil
	}}
	outs, sent := maxObjSession(t, cfg)
	if len(sent) < 2 {
		t.Fatalf("%d device messages, want at least 2", len(sent))
	}
	if strings.Join(sent[0], " ") != "./E ./F" {
		t.Errorf("package 1 carried %v, want ./E ./F (before the announcement)", sent[0])
	}
	for i, uris := range sent[1:] {
		if strings.Join(uris, " ") != "./F" {
			t.Errorf("device message %d carried %v, want ./F alone", i+2, uris)
		}
	}
	found := limitedOutcomes(t, outs, 2000)
	if len(found) != len(sent)-1 {
		t.Errorf("%d Outcomes with a LimitError, want one per message after package 1 (%d)", len(found), len(sent)-1)
	}
	for _, o := range found {
		if it := o.Command.ItemList(); itemURI(it[0]) != "./E" || o.MsgID != "" {
			t.Errorf("Outcome %+v, want ./E, never sent", o)
		}
	}
}
