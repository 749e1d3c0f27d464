package session

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/syncml"
)

// outcomeLines lists Outcomes as "Element URI=length code results n",
// with " (not queued)" when the command is not one of queued, and
// Unmatched as "unmatched Element MsgRef/CmdRef".
func outcomeLines(x *Exchange, queued []syncml.Command) []string {
	var out []string
	for _, o := range x.Outcomes {
		mark := ""
		if !slices.Contains(queued, o.Command) {
			mark = " (not queued)"
		}
		uri, n := "", 0
		if it := o.Command.ItemList(); len(it) > 0 {
			uri = itemURI(it[0])
			if it[0].Data != nil {
				n = len(it[0].Data.Value)
			}
		}
		out = append(out, fmt.Sprintf("%s %s=%d %s results %d%s", o.Command.ElementName(), uri, n, codeOf(o), len(o.Results), mark))
	}
	for _, u := range x.Unmatched {
		switch u := u.(type) {
		case *syncml.Status:
			out = append(out, fmt.Sprintf("unmatched Status %s/%s", u.MsgRef, u.CmdRef))
		case *syncml.Results:
			out = append(out, fmt.Sprintf("unmatched Results %s/%s", u.MsgRef, u.CmdRef))
		}
	}
	return out
}

// A device message that refuses the server's object in flight (413 for
// its first chunk), whose reply fails (a bare Session that cannot sign
// it), gets on its retry what it would have got had the first try never
// happened: the same reply, byte for byte, and the same Outcomes, each
// with the very command queued, nothing unmatched. The twin session never
// fails. Before, the undo records of the refusal were taken after the
// message's Statuses had been matched, and putting them back brought
// those Statuses back: the retry found the chunk answered and reported
// its 413 Unmatched (see TestRefusedChunkRetryLateAnswers for the other
// answers of such a message).
func TestRefusedChunkRetryAsFirstTry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		queue func() []syncml.Command
		want  []string
	}{
		{"Get and Replace answered with the refusal", func() []syncml.Command {
			return []syncml.Command{get("./S"), replaceOf("./R", 10), replaceOf("./A", 40000), replaceOf("./B", 10)}
		}, []string{"Get ./S=0 200 results 1", "Replace ./R=10 200 results 0", "Replace ./A=40000 413 results 0", "Replace ./B=10 200 results 0"}},
	} {
		for _, failing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, failing %v", tc.name, failing), func(t *testing.T) {
				ctx := context.Background()
				nameA, nameB := "srv", "srv"
				a, b := signFailing(&nameA), signFailing(&nameB)
				qa, qb := tc.queue(), tc.queue()
				if err := a.Queue(qa...); err != nil {
					t.Fatal(err)
				}
				if err := b.Queue(qb...); err != nil {
					t.Fatal(err)
				}
				var devGot []string
				c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 0), MaxMsgSize: 2000, MaxObjectSize: 4000})
				if err != nil {
					t.Fatal(err)
				}
				m, err := c.Start(ctx, "1")
				if err != nil {
					t.Fatal(err)
				}
				var outA, outB []string
				refused := false
				for i := 0; ; i++ {
					if i == 30 {
						t.Fatal("the session does not end")
					}
					raw, err := syncml.Marshal(m)
					if err != nil {
						t.Fatal(err)
					}
					xa, err := a.Handle(ctx, &Inbound{Raw: raw})
					if err != nil {
						t.Fatalf("message %d: %v", i+1, err)
					}
					if failing {
						nameB = "!" // no secret: the reply does not sign
						if _, err := b.Handle(ctx, &Inbound{Raw: raw}); err == nil {
							t.Fatalf("message %d: the reply did not fail", i+1)
						}
						nameB = "srv"
					}
					xb, err := b.Handle(ctx, &Inbound{Raw: raw})
					if err != nil {
						t.Fatalf("message %d, retry: %v", i+1, err)
					}
					la, lb := outcomeLines(xa, qa), outcomeLines(xb, qb)
					if slices.ContainsFunc(la, func(l string) bool { return strings.Contains(l, " 413 ") }) {
						refused = true
					}
					if d := cmp.Diff(la, lb); d != "" {
						t.Errorf("message %d: Outcomes and Unmatched of the retry (-never failed +retry):\n%s", i+1, d)
					}
					if !bytes.Equal(xa.Raw, xb.Raw) {
						t.Errorf("message %d: the retry's reply differs:\nnever failed %s\nretry        %s", i+1, xa.Raw, xb.Raw)
					}
					outA, outB = append(outA, la...), append(outB, lb...)
					cx, err := c.HandleInbound(ctx, &Inbound{Raw: xa.Raw})
					if err != nil {
						t.Fatal(err)
					}
					if cx.Done {
						break
					}
					m = cx.Reply
				}
				if d := cmp.Diff(tc.want, outA); d != "" {
					t.Errorf("Outcomes of the session never failed (-want +got):\n%s", d)
				}
				if d := cmp.Diff(tc.want, outB); d != "" {
					t.Errorf("Outcomes of the session retried (-want +got):\n%s", d)
				}
				if !refused {
					t.Error("the device never refused the object: the case is not tested")
				}
				if slices.Contains(devGot, "./A=40000") {
					t.Errorf("the device's handler ran the refused object: %v", devGot)
				}
			})
		}
	}
}

// A device that answers the server's commands late, in the message that
// refuses the server's object in flight (413 for its first chunk), gets,
// when that message's reply fails (a bare Session that cannot sign it)
// and it retries, what it would have got had the first try never
// happened: the same reply and the same Outcomes, nothing unmatched. The
// late answers are a Replace's Status and the Status of the last piece of
// an object sent in chunks before (whose Outcome holds the very command
// queued, whole). Before, the retry found those commands answered by the
// failed try: it reported their Statuses unmatched and lost the Replace's
// Outcome, and the object's came out as the copy its record keeps.
func TestRefusedChunkRetryLateAnswers(t *testing.T) {
	ctx := context.Background()
	nameA, nameB := "srv", "srv"
	a, b := signFailing(&nameA), signFailing(&nameB)
	queue := func() []syncml.Command {
		return []syncml.Command{replaceOf("./R", 10), replaceOf("./O", 2500), replaceOf("./A", 40000), replaceOf("./B", 10)}
	}
	qa, qb := queue(), queue()
	if err := a.Queue(qa...); err != nil {
		t.Fatal(err)
	}
	if err := b.Queue(qb...); err != nil {
		t.Fatal(err)
	}
	status := func(id int, msgRef, cmdRef, cmd, code string) string {
		return fmt.Sprintf(`<Status><CmdID>%d</CmdID><MsgRef>%s</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>%s</Data></Status>`, id, msgRef, cmdRef, cmd, code)
	}
	// late holds the Statuses the device keeps back until its object is
	// refused.
	var late [][2]string // MsgRef, CmdRef
	var outA, outB []string
	msgID := 1
	raw := sizedMsg("1", "1", 2000, alert1201, true)
	refused := false
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("the session does not end")
		}
		xa, err := a.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatalf("message %d: %v", msgID, err)
		}
		nameB = "!"
		if _, err := b.Handle(ctx, &Inbound{Raw: raw}); err == nil {
			t.Fatalf("message %d: the reply did not fail", msgID)
		}
		nameB = "srv"
		xb, err := b.Handle(ctx, &Inbound{Raw: raw})
		if err != nil {
			t.Fatalf("message %d, retry: %v", msgID, err)
		}
		la, lb := outcomeLines(xa, qa), outcomeLines(xb, qb)
		if d := cmp.Diff(la, lb); d != "" {
			t.Errorf("message %d: Outcomes and Unmatched of the retry (-never failed +retry):\n%s", msgID, d)
		}
		if !bytes.Equal(xa.Raw, xb.Raw) {
			t.Errorf("message %d: the retry's reply differs:\nnever failed %s\nretry        %s", msgID, xa.Raw, xb.Raw)
		}
		outA, outB = append(outA, la...), append(outB, lb...)
		if xa.Done {
			break
		}
		// The device's next message: the SyncHdr's Status, then the
		// Statuses it answers now.
		ref := xa.Reply.Header.MsgID
		id := 1
		body := status(id, ref, "0", "SyncHdr", "200")
		more := false
		for _, c := range xa.Reply.Body.Commands {
			r, ok := c.(*syncml.Replace)
			if !ok {
				continue
			}
			id++
			it := r.Items[0]
			switch {
			case itemURI(it) == "./A":
				for _, l := range late {
					body += status(id, l[0], l[1], "Replace", "200")
					id++
				}
				body += status(id, ref, r.CmdID, "Replace", "413")
				late, refused = nil, true
			case itemURI(it) == "./B":
				body += status(id, ref, r.CmdID, "Replace", "200")
			case it.MoreData:
				body += status(id, ref, r.CmdID, "Replace", "213")
				more = true
			default: // ./R, ./O's last piece: answered late
				late = append(late, [2]string{ref, r.CmdID})
				id--
			}
		}
		if !xa.Reply.Body.Final || more {
			id++
			body += fmt.Sprintf(`<Alert><CmdID>%d</CmdID><Data>1222</Data></Alert>`, id)
		}
		msgID++
		raw = sizedMsg("1", strconv.Itoa(msgID), 0, body, xa.Reply.Body.Final && !more)
	}
	want := []string{"Replace ./R=10 200 results 0", "Replace ./O=2500 200 results 0", "Replace ./A=40000 413 results 0", "Replace ./B=10 200 results 0"}
	if d := cmp.Diff(want, outA); d != "" {
		t.Errorf("Outcomes of the session never failed (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, outB); d != "" {
		t.Errorf("Outcomes of the session retried (-want +got):\n%s", d)
	}
	if !refused {
		t.Error("the device never refused the object: the case is not tested")
	}
}

// failOnceStore is a Store whose CompareAndSwap fails once, when fail
// says so, before it changes anything.
type failOnceStore struct {
	m      *MemoryStore
	fail   bool
	failed int
}

func (s *failOnceStore) Load(ctx context.Context, d string) ([]byte, uint64, error) {
	return s.m.Load(ctx, d)
}

func (s *failOnceStore) CompareAndSwap(ctx context.Context, d string, old uint64, st []byte) (uint64, error) {
	if s.fail {
		s.fail = false
		s.failed++
		return 0, fmt.Errorf("store down")
	}
	return s.m.CompareAndSwap(ctx, d, old, st)
}

// A Server whose Store fails to save the state of the exchange in which
// the device refused the server's object in flight (413) answers the
// device's retry of that message as if the first try never happened: the
// same reply and the same Outcomes as a Server whose Store never failed
// (a Server saves no state on an error: no undo is needed).
func TestRefusedChunkRetryStoreFails(t *testing.T) {
	ctx := context.Background()
	type srv struct {
		s     *Server
		store *failOnceStore
		outs  []string
	}
	mk := func() *srv {
		x := &srv{store: &failOnceStore{m: NewMemoryStore()}}
		x.s = NewServer(ServerConfig{Store: x.store, OnExchange: func(_ context.Context, e *Exchange) {
			x.outs = append(x.outs, outcomeLines(e, nil)...)
		}})
		if err := x.s.Queue(ctx, "D", get("./S"), replaceOf("./A", 40000), replaceOf("./B", 10)); err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b := mk(), mk()
	post := func(x *srv, raw []byte) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(raw))
		req.Header.Set("Content-Type", ContentType)
		rec := httptest.NewRecorder()
		x.s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	var devGot []string
	c, err := NewClient(ClientConfig{DeviceID: "D", ServerURI: "S", Handler: recorder(&devGot, 0), MaxMsgSize: 2000, MaxObjectSize: 4000})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Start(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if i == 30 {
			t.Fatal("the session does not end")
		}
		raw, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		codeA, bodyA := post(a, raw)
		if b.store.failed == 0 && bytes.Contains(raw, []byte("<Data>413</Data>")) {
			b.store.fail = true
			if code, _ := post(b, raw); code == http.StatusOK {
				t.Fatalf("message %d: the exchange whose state was not saved answered 200", i+1)
			}
		}
		codeB, bodyB := post(b, raw)
		if codeA != http.StatusOK || codeB != http.StatusOK {
			t.Fatalf("message %d: HTTP %d and %d", i+1, codeA, codeB)
		}
		if !bytes.Equal(bodyA, bodyB) {
			t.Errorf("message %d: the retry's reply differs:\nnever failed %s\nretry        %s", i+1, bodyA, bodyB)
		}
		cx, err := c.HandleInbound(ctx, &Inbound{Raw: bodyA})
		if err != nil {
			t.Fatal(err)
		}
		if cx.Done {
			break
		}
		m = cx.Reply
	}
	if b.store.failed != 1 {
		t.Fatalf("the Store failed %d times, want once (on the refusal)", b.store.failed)
	}
	if d := cmp.Diff(a.outs, b.outs); d != "" {
		t.Errorf("Outcomes (-never failed +retried):\n%s", d)
	}
	want := []string{"Get ./S=0 200 results 1 (not queued)", "Replace ./A=40000 413 results 0 (not queued)", "Replace ./B=10 200 results 0 (not queued)"}
	if d := cmp.Diff(want, a.outs); d != "" {
		t.Errorf("Outcomes (-want +got):\n%s", d)
	}
}
