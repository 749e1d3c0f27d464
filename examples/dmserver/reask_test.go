package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// The tests of this file check that the Gets of a device's first session
// are asked again when that session breaks before the device answers them
// (a new session, Alert 1201 under a new SessionID, or an abort, Alert
// 1223): once, and not once answered.

// reaskDevice posts raw messages of one device to a dmserver over store
// (nil: a MemoryStore) and keeps what it logged.
type reaskDevice struct {
	t      *testing.T
	url    string
	device string
	logs   *bytes.Buffer
}

func newReaskDevice(t *testing.T, device string, store session.Store) *reaskDevice {
	t.Helper()
	logs := new(bytes.Buffer)
	mux := http.NewServeMux()
	mux.Handle("POST "+Path, newServer(slog.New(slog.NewTextHandler(logs, nil)), nil, store))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &reaskDevice{t: t, url: srv.URL + Path, device: device, logs: logs}
}

// post posts body and returns the reply.
func (d *reaskDevice) post(body []byte) *syncml.Message {
	d.t.Helper()
	code, b := postRaw(d.t, d.url, session.ContentType, body)
	var m syncml.Message
	if code != http.StatusOK {
		d.t.Fatalf("HTTP %d: %s", code, b)
	}
	if err := syncml.Unmarshal(b, &m); err != nil {
		d.t.Fatalf("reply: %v: %s", err, b)
	}
	return &m
}

// checkIn starts session sid and returns the reply.
func (d *reaskDevice) checkIn(sid string) *syncml.Message {
	d.t.Helper()
	return d.post(syncmltest.WindowsCheckIn(d.device, sid))
}

// message returns the device's message msgID of session sid with body
// after the Status of the server's SyncHdr (of the reply's MsgID ref).
func (d *reaskDevice) message(sid, msgID, ref, body string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>` + sid +
		`</SessionID><MsgID>` + msgID + `</MsgID><Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>` +
		d.device + `</LocURI></Source></SyncHdr><SyncBody><Status><CmdID>1</CmdID><MsgRef>` + ref +
		`</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>` + body + `<Final/></SyncBody></SyncML>`)
}

// firstGets returns how many times the reply asks each of
// firstSessionGets, in their order, and the CmdID of each (the last).
func firstGets(m *syncml.Message) ([]int, []string) {
	n, ids := make([]int, len(firstSessionGets)), make([]string, len(firstSessionGets))
	for _, c := range m.Body.Commands {
		g, ok := c.(*syncml.Get)
		if !ok {
			continue
		}
		for _, it := range g.Items {
			if i := slices.Index(firstSessionGets, it.Target.LocURI); i >= 0 {
				n[i]++
				ids[i] = g.CmdID
			}
		}
	}
	return n, ids
}

// wantFirstGets fails unless m asks each of firstSessionGets want times.
func wantFirstGets(t *testing.T, what string, m *syncml.Message, want int) {
	t.Helper()
	n, _ := firstGets(m)
	for i, k := range n {
		if k != want {
			t.Errorf("%s: %s asked %d times, want %d (all: %v)", what, firstSessionGets[i], k, want, n)
			return
		}
	}
}

// A device that starts a new session before answering its first one is
// asked the first session's Gets again in the reply to the new session,
// once however often it restarts, and not once it answered them.
func TestReaskAfterRestart(t *testing.T) {
	d := newReaskDevice(t, "DEV-RR", nil)
	wantFirstGets(t, "session 1", d.checkIn("1"), 1)
	wantFirstGets(t, "session 2 (restart)", d.checkIn("2"), 1)
	// it breaks again before answering: asked once more, not twice
	r := d.checkIn("3")
	wantFirstGets(t, "session 3 (second restart)", r, 1)
	// answered this time (Status and Results)
	_, ids := firstGets(r)
	var body strings.Builder
	for i, u := range firstSessionGets {
		body.WriteString(`<Status><CmdID>` + strconv.Itoa(2+2*i) + `</CmdID><MsgRef>1</MsgRef><CmdRef>` + ids[i] + `</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`)
		body.WriteString(`<Results><CmdID>` + strconv.Itoa(3+2*i) + `</CmdID><MsgRef>1</MsgRef><CmdRef>` + ids[i] + `</CmdRef><Item><Source><LocURI>` + u +
			`</LocURI></Source><Data>value-` + strconv.Itoa(i) + `</Data></Item></Results>`)
	}
	d.post(d.message("3", "2", "1", body.String()))
	wantFirstGets(t, "session 4 (answered in 3)", d.checkIn("4"), 0)
	l := d.logs.String()
	if n := strings.Count(l, `msg="commands asked again" device=DEV-RR count=6 `); n != 2 {
		t.Errorf("%d records of the 6 Gets asked again, want 2 (sessions 2 and 3):\n%s", n, l)
	}
	for _, rec := range strings.Split(l, "\n") {
		if strings.Contains(rec, `msg="commands abandoned"`) && strings.Contains(rec, "./DevDetail/") {
			t.Errorf("Gets asked again logged as abandoned: %s", rec)
		}
	}
	if !strings.Contains(l, `targets=[./DevInfo/DevId] status=200 value=value-5`) {
		t.Errorf("the answered Gets are not logged:\n%s", l)
	}
}

// A device that aborts its first session (Alert 1223) before answering
// its Gets is asked them in its next session, once.
func TestReaskAfterAbort(t *testing.T) {
	d := newReaskDevice(t, "DEV-RA", nil)
	wantFirstGets(t, "session 1", d.checkIn("1"), 1)
	abort := d.post(d.message("1", "2", "1", `<Alert><CmdID>2</CmdID><Data>1223</Data></Alert>`))
	wantFirstGets(t, "reply to the abort", abort, 0)
	wantFirstGets(t, "session 2 (after the abort)", d.checkIn("2"), 1)
	// and a restart of that session asks them once more, not twice
	wantFirstGets(t, "session 3 (restart)", d.checkIn("3"), 1)
	l := d.logs.String()
	if n := strings.Count(l, `level=INFO msg="commands asked again" device=DEV-RA count=6 `); n != 2 {
		t.Errorf("%d Info records of the 6 Gets asked again, want 2 (the abort and session 3):\n%s", n, l)
	}
}

// A Get whose Results came without its Status is answered: a restart
// asks the other Gets again, not that one.
func TestReaskNotWithResults(t *testing.T) {
	d := newReaskDevice(t, "DEV-RW", nil)
	_, ids := firstGets(d.checkIn("1"))
	d.post(d.message("1", "2", "1", `<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>`+ids[1]+
		`</CmdRef><Item><Source><LocURI>./DevDetail/OEM</LocURI></Source><Data>Contoso-OEM</Data></Item></Results>`))
	n, _ := firstGets(d.checkIn("2"))
	if want := []int{1, 0, 1, 1, 1, 1}; !slices.Equal(n, want) {
		t.Errorf("restart asks %v of %v, want %v", n, firstSessionGets, want)
	}
}

// conflictStore is a MemoryStore whose CompareAndSwap fails with
// ErrConflict once when armed: the Server handles the message again.
type conflictStore struct {
	*session.MemoryStore
	armed     atomic.Bool
	conflicts atomic.Int32
}

func (s *conflictStore) CompareAndSwap(ctx context.Context, device string, old uint64, state []byte) (uint64, error) {
	if s.armed.CompareAndSwap(true, false) {
		s.conflicts.Add(1)
		return 0, session.ErrConflict
	}
	return s.MemoryStore.CompareAndSwap(ctx, device, old, state)
}

// The Server runs BeforeReply again for a message whose state it could
// not save: the Gets the failed try asked again do not pile up.
func TestReaskStoreConflict(t *testing.T) {
	store := &conflictStore{MemoryStore: session.NewMemoryStore()}
	d := newReaskDevice(t, "DEV-RC", store)
	d.checkIn("1")
	store.armed.Store(true)
	r := d.checkIn("2")
	if store.conflicts.Load() != 1 {
		t.Fatalf("%d conflicts, want 1", store.conflicts.Load())
	}
	wantFirstGets(t, "session 2 (restart, saved on the second try)", r, 1)
	// the record of session 2 is the kept try's: the Gets asked again
	if n := strings.Count(d.logs.String(), `msg="commands asked again" device=DEV-RC count=6 `); n != 1 {
		t.Errorf("%d records of the 6 Gets asked again in session 2, want 1:\n%s", n, d.logs)
	}
	wantFirstGets(t, "session 3 (restart)", d.checkIn("3"), 1)
}

// A device whose new session's first message also aborts it (Alert 1201
// and 1223 together) is asked the Gets the restart gave up in its next
// session, once (the restart and the abort give them up once, together).
func TestReaskRestartAndAbort(t *testing.T) {
	d := newReaskDevice(t, "DEV-RB", nil)
	d.checkIn("1")
	r := d.post(d.message("2", "1", "1", `<Alert><CmdID>2</CmdID><Data>1201</Data></Alert><Alert><CmdID>3</CmdID><Data>1223</Data></Alert>`))
	wantFirstGets(t, "reply to the restart that aborts", r, 0)
	wantFirstGets(t, "session 3", d.checkIn("3"), 1)
}

// A restart whose Gets Queue refuses (the device's queue near MaxQueue):
// the record of the Gets asked again does not claim them (it did: Queue's
// error was logged and the record listed them all the same); they are
// logged among the abandoned, and the refusal once, a warning with
// Queue's error, although the Server runs BeforeReply twice (a Store
// conflict on the first try).
func TestReaskQueueFull(t *testing.T) {
	ctx := context.Background()
	store := &conflictStore{MemoryStore: session.NewMemoryStore()}
	logs := new(bytes.Buffer)
	srv := newServer(slog.New(slog.NewTextHandler(logs, nil)), nil, store)
	mux := http.NewServeMux()
	mux.Handle("POST "+Path, srv)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	d := &reaskDevice{t: t, url: hs.URL + Path, device: "DEV-QF", logs: logs}
	wantFirstGets(t, "session 1", d.checkIn("1"), 1)
	// room for the restart's Get of EnrollStatus (OnStart), not for the
	// six Gets asked again
	fill := make([]string, session.DefaultMaxQueue-len(firstSessionGets)-1+1)
	for i := range fill {
		fill[i] = "./Vendor/Fill/" + strconv.Itoa(i)
	}
	if err := srv.Queue(ctx, d.device, session.NewGets(fill...)...); err != nil {
		t.Fatal(err)
	}
	store.armed.Store(true)
	wantFirstGets(t, "session 2 (restart, queue full)", d.checkIn("2"), 0)
	if store.conflicts.Load() != 1 {
		t.Fatalf("%d conflicts, want 1", store.conflicts.Load())
	}
	l := logs.String()
	if strings.Contains(l, `msg="commands asked again" device=DEV-QF`) {
		t.Errorf("the Gets Queue refused are logged as asked again:\n%s", l)
	}
	if n := strings.Count(l, `level=WARN msg="commands not asked again" device=DEV-QF`); n != 1 ||
		!strings.Contains(l, `targets="[./DevDetail/SwV ./DevDetail/OEM ./DevDetail/DevTyp ./DevDetail/FwV ./DevDetail/HwV ./DevInfo/DevId]" err="session: limit MaxQueue`) {
		t.Errorf("%d warnings of the refusal, want 1 with the targets and Queue's error:\n%s", n, l)
	}
	abandoned := false
	for _, rec := range strings.Split(l, "\n") {
		if strings.Contains(rec, `msg="commands abandoned" device=DEV-QF`) && strings.Contains(rec, "./DevDetail/SwV") && strings.Contains(rec, "./DevInfo/DevId") {
			abandoned = true
		}
	}
	if !abandoned {
		t.Errorf("the Gets not asked again are not logged as abandoned:\n%s", l)
	}
}

// syncMapLen returns the number of entries of m.
func syncMapLen(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// A check-in that notes nothing leaves no note, even when its request's
// context never ends, and a linked session's mark goes when the session
// ends in an exchange that notes nothing (reaskNotes.put keeps no note
// for it): the device answers Exec Enroll first (the exchange that links
// the session: a mark), then the Gets (the last exchange, Done).
func TestNotesAndMarksNotKept(t *testing.T) {
	notes, marks := new(reaskNotes), new(linkMarks)
	h := newServerOf(slog.New(slog.DiscardHandler), nil, nil, notes, marks)
	const device, sid = "NOTES1", "1"
	post := func(body []byte) *syncml.Message {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body)) // context.Background: never done
		req.Header.Set("Content-Type", session.ContentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
		var m syncml.Message
		if err := syncml.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return &m
	}
	d := &reaskDevice{t: t, device: device}
	first := post(syncmltest.WindowsCheckIn(device, sid))
	if n := syncMapLen(&notes.m); n != 0 {
		t.Fatalf("after a fresh check-in: %d notes kept, want none", n)
	}
	// the answers: the linked enrollment's commands first, then the Gets
	var link, gets strings.Builder
	id := 2
	for _, c := range first.Body.Commands {
		cmd := c.ElementName()
		if cmd == "Status" {
			continue
		}
		target := syncml.Targets(c)[0]
		b := &gets
		if strings.HasPrefix(target, linkedPrefix) && cmd != "Get" {
			b = &link
		}
		fmt.Fprintf(b, `<Status><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Cmd>%s</Cmd><Data>200</Data></Status>`, id, c.ID(), cmd)
		id++
		if cmd == "Get" {
			fmt.Fprintf(b, `<Results><CmdID>%d</CmdID><MsgRef>1</MsgRef><CmdRef>%s</CmdRef><Item><Source><LocURI>%s</LocURI></Source><Data>1</Data></Item></Results>`, id, c.ID(), target)
			id++
		}
	}
	if link.Len() == 0 || gets.Len() == 0 {
		t.Fatalf("first reply: no linked enrollment commands or no Gets: %d commands", len(first.Body.Commands))
	}
	// without Final: the package goes on, so the reply asks for more
	// (Alert 1222) and the session is not done
	second := post(bytes.Replace(d.message(sid, "2", "1", link.String()), []byte("<Final/>"), nil, 1))
	t.Logf("second: %d commands", len(second.Body.Commands))
	if n := syncMapLen(&marks.m); n != 1 {
		t.Fatalf("after the device answered Exec Enroll: %d marks, want 1", n)
	}
	last := post(d.message(sid, "3", "2", gets.String()))
	if n := syncMapLen(&marks.m); n != 0 {
		t.Errorf("after the session's last exchange: %d marks kept, want none (reply: %d commands)", n, len(last.Body.Commands))
	}
	if n := syncMapLen(&notes.m); n != 0 {
		t.Errorf("after the session: %d notes kept, want none", n)
	}
}

// A note that says nothing is not kept (reaskNotes.put), one that says
// something is, until taken. TestNotesAndMarksNotKept cannot tell: its
// OnExchange takes (and deletes) every note kept for the exchange.
func TestEmptyNoteNotKept(t *testing.T) {
	ns, ctx := new(reaskNotes), context.Background() // no HTTP request: kept by Exchange
	x := &session.Exchange{}
	ns.put(ctx, &reaskNote{x: x})
	if n := syncMapLen(&ns.m); n != 0 {
		t.Errorf("a note that says nothing: %d kept, want none", n)
	}
	if n := ns.take(ctx, x); n != nil {
		t.Errorf("take after a note that says nothing: %+v, want nil", n)
	}
	ns.put(ctx, &reaskNote{x: x, linked: "S1"})
	if n := ns.take(ctx, x); n == nil || n.linked != "S1" {
		t.Errorf("take after a note of a linked session: %+v, want it", n)
	}
	if n := syncMapLen(&ns.m); n != 0 {
		t.Errorf("after take: %d kept, want none", n)
	}
}
