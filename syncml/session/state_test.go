package session

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// stateV4Sessions runs the sessions whose states, saved in format 4 by the
// code before format 5, are in testdata/state-v4-NAME.bin. answered's
// group is a Sequence of a Get (Queue refuses an Atomic holding one): its
// file was saved again by that code (6ae2ac1^), which saved the former
// one, with an Atomic, byte for byte as it was.
func stateV4Sessions(t *testing.T) map[string]*Session {
	checkin := NewSession(nil)
	_ = checkin.Queue(NewGets("./DevDetail/SwV", "./DevInfo/Mod")...)
	handle(t, checkin, devMsg("1", "1", alert1201))
	answered := NewSession(nil)
	if err := answered.Queue(get("./A"), &syncml.Sequence{Commands: []syncml.Command{get("./B")}}); err != nil {
		t.Fatal(err)
	}
	handle(t, answered, devMsg("1", "1", alert1201))
	_ = answered.Queue(&syncml.Exec{Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./X"}, Data: syncml.XML("<x/>")}}})
	handle(t, answered, devMsg("1", "2", `<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status>`+
		`<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Item><Data>early</Data></Item></Results>`))
	return map[string]*Session{"checkin": checkin, "answered": answered}
}

// loadOldState reads testdata/state-vFORMAT-NAME.bin, checks its format
// byte and returns the Session that loads it, with its bytes.
func loadOldState(t *testing.T, format byte, name string) (*Session, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "state-v"+strconv.Itoa(int(format))+"-"+name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != format {
		t.Fatalf("%s: format %d, want %d", name, b[0], format)
	}
	loaded := NewSession(nil)
	if err := loaded.UnmarshalBinary(b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return loaded, b
}

// savedAgain returns the states of loaded and of s, saved by this code.
func savedAgain(t *testing.T, loaded, s *Session) (got, want []byte) {
	t.Helper()
	want, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if got, err = loaded.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	return got, want
}

// TestStateFormat4Readable checks that a state saved in format 4 (before
// the sent commands were kept as a span of the reply) still loads, as the
// state the same session has now: once both are encoded again without
// the span, byte for byte the same.
func TestStateFormat4Readable(t *testing.T) {
	for name, s := range stateV4Sessions(t) {
		loaded, _ := loadOldState(t, 4, name)
		s.st.sentEnc = nil
		if got, want := savedAgain(t, loaded, s); !bytes.Equal(got, want) {
			t.Errorf("%s: format 4 state loaded and saved\n%q\nwant\n%q", name, got, want)
		}
		if loaded.Pending() != s.Pending() || loaded.Queued() != s.Queued() {
			t.Errorf("%s: pending %d queued %d, want %d %d", name, loaded.Pending(), loaded.Queued(), s.Pending(), s.Queued())
		}
	}
}

// TestStateFormat5Readable checks that a state saved in format 5 (before
// the device's owner was kept), in testdata/state-v5-NAME.bin (saved by
// the code before format 6 from stateV4Sessions), still loads, as the
// state the same session has now, without owner: saved again, the same
// bytes but for the format and the empty owner at the end.
func TestStateFormat5Readable(t *testing.T) {
	for name, s := range stateV4Sessions(t) {
		loaded, v5 := loadOldState(t, 5, name)
		got, want := savedAgain(t, loaded, s)
		if !bytes.Equal(got, want) || loaded.st.Owner != "" {
			t.Errorf("%s: format 5 state loaded and saved\n%q\nwant\n%q", name, got, want)
		}
		if v6 := append(append([]byte{6}, v5[1:]...), 0); !bytes.Equal(want, v6) {
			t.Errorf("%s: state without owner\n%q\nwant its format 5\n%q\nbut for the format and a 0 at the end", name, want, v5)
		}
	}
}

// TestStateFormat6: the state of a device bound to alice, saved by this
// code, is byte for byte testdata/state-v6-owned.bin (a change of the
// format needs a new format number), and loads with its owner.
func TestStateFormat6(t *testing.T) {
	s := NewSession(&Config{Authenticator: &userAuth{}})
	_ = s.Queue(NewGets("./DevDetail/SwV", "./DevInfo/Mod")...)
	handle(t, s, withLocName(devMsg("1", "1", alert1201), "alice"))
	got, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "state-v6-owned.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("state of format %d\n%q\nwant\n%q", got[0], got, want)
	}
	loaded := NewSession(nil)
	if err := loaded.UnmarshalBinary(want); err != nil || loaded.st.Owner != "alice" || loaded.Pending() != 2 {
		t.Fatalf("loaded: owner %q, %d pending, %v", loaded.st.Owner, loaded.Pending(), err)
	}
	if again, err := loaded.MarshalBinary(); err != nil || !bytes.Equal(again, want) {
		t.Errorf("loaded and saved again:\n%q, %v", again, err)
	}
}

// TestStateSentSpanBad checks that a state whose span of the sent
// commands lies outside its reply, or comes with a body as well, is an
// error, not a panic.
func TestStateSentSpanBad(t *testing.T) {
	s := NewSession(nil)
	_ = s.Queue(NewGets("./DevDetail/SwV")...)
	handle(t, s, devMsg("1", "1", alert1201))
	good, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// the state ends with: span offset+1, span length, 0 (no body), 0 (no
	// owner)
	if good[len(good)-1] != 0 || good[len(good)-2] != 0 {
		t.Fatalf("state does not end with an empty body and no owner: %q", good[len(good)-8:])
	}
	loaded := NewSession(nil)
	if err := loaded.UnmarshalBinary(good); err != nil {
		t.Fatal(err)
	}
	off, n := loaded.st.sentOff, len(loaded.st.sentEnc)
	prefix := good[:len(good)-2-len(uvarint(uint64(n)))-len(uvarint(uint64(off+1)))]
	for _, tc := range []struct {
		name string
		tail []byte
	}{
		{"past the reply", append(append(uvarint(uint64(off+1)), uvarint(uint64(len(s.st.Reply)))...), 0, 0)},
		{"empty span", append(uvarint(uint64(off+1)), 0, 0, 0)},
		{"span and body", append(append(uvarint(uint64(off+1)), uvarint(uint64(n))...), 1, 'x', 0)},
	} {
		bad := append(bytes.Clone(prefix), tc.tail...)
		if err := NewSession(nil).UnmarshalBinary(bad); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := NewSession(nil).UnmarshalBinary(append(bytes.Clone(prefix), good[len(prefix):]...)); err != nil {
		t.Errorf("the state cut and joined again: %v", err)
	}
}

func uvarint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// TestEncodedRun checks the search for the sent commands in a reply: the
// first opening tag of the first command, not the same bytes without
// their "<" before it, and none when it is absent.
func TestEncodedRun(t *testing.T) {
	g := get("./A")
	g.SetID("2")
	for _, tc := range []struct {
		name, out, want string
	}{
		{"after a Status", `<SyncML><SyncBody><Status><CmdID>1</CmdID></Status><Get><CmdID>2</CmdID></Get><Final/></SyncBody></SyncML>`, `<Get><CmdID>2</CmdID></Get>`},
		{"name inside another", `<SyncML><SyncBody><XGet><CmdID>2</CmdID></XGet><Get><CmdID>2</CmdID></Get></SyncBody></SyncML>`, `<Get><CmdID>2</CmdID></Get>`},
		{"other CmdID", `<SyncML><SyncBody><Get><CmdID>12</CmdID></Get></SyncBody></SyncML>`, ""},
		{"first in the body", `<Get><CmdID>2</CmdID></Get></SyncBody>`, `<Get><CmdID>2</CmdID></Get>`},
		{"no body end", `<Get><CmdID>2</CmdID></Get>`, ""},
	} {
		run, off := encodedRun([]byte(tc.out), []syncml.Command{g})
		if string(run) != tc.want || (run == nil) != (off < 0) || (run != nil && tc.out[off:off+len(run)] != tc.want) {
			t.Errorf("%s: %q at %d, want %q", tc.name, run, off, tc.want)
		}
	}
}

// TestStateSentFlags: the records of commands sent in the last reply,
// saved by their span in it, keep each flag (NoResp, Internal, Held) and
// MsgID through MarshalBinary and UnmarshalBinary, in every combination.
func TestStateSentFlags(t *testing.T) {
	s := NewSession(&Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		cmds := NewGets("./A", "./B", "./C", "./D", "./E", "./F", "./G", "./H")
		if err := s.Queue(cmds...); err != nil {
			t.Fatal(err)
		}
	}})
	handle(t, s, devMsg("1", "1", alert1201))
	sent := s.st.Sent.sent
	if len(sent) != 8 {
		t.Fatalf("%d commands sent, want 8", len(sent))
	}
	for i, e := range sent {
		e.NoResp, e.Internal, e.Held = i&1 != 0, i&2 != 0, i&4 != 0
	}
	if s.st.sentEncoded() == nil {
		t.Fatal("sent commands not kept as their span in the reply")
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var r Session
	if err := r.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if len(r.st.Sent.sent) != len(sent) {
		t.Fatalf("%d records loaded, want %d", len(r.st.Sent.sent), len(sent))
	}
	for i, e := range r.st.Sent.sent {
		w := sent[i]
		if e.MsgID != w.MsgID || e.NoResp != w.NoResp || e.Internal != w.Internal || e.Held != w.Held || e.Cmd.ID() != w.Cmd.ID() {
			t.Errorf("record %d: %q %v %v %v %s, want %q %v %v %v %s", i, e.MsgID, e.NoResp, e.Internal, e.Held, e.Cmd.ID(),
				w.MsgID, w.NoResp, w.Internal, w.Held, w.Cmd.ID())
		}
	}
}

// TestUnmarshalBinaryOwnsItsInput: a Session loaded with UnmarshalBinary
// keeps nothing of the bytes it was given, which the caller may reuse (a
// Store's buffer, see Server.loaded): its queued and sent commands are
// decoded sharing their bytes (syncml.UnmarshalOwned), so those must be
// the Session's own copy. Overwritten after the call, the bytes change
// neither the commands nor the state saved again.
func TestUnmarshalBinaryOwnsItsInput(t *testing.T) {
	s := NewSession(&Config{OnStart: func(_ context.Context, s *Session, _ Identity, _ bool) {
		if err := s.Queue(NewGets("./DevDetail/SwV", "./DevInfo/Man", "./DevInfo/Mod")...); err != nil {
			t.Fatal(err)
		}
	}})
	handle(t, s, devMsg("1", "1", alert1201))
	if err := s.Queue(NewGets("./Vendor/MSFT/Queued/A", "./Vendor/MSFT/Queued/B")...); err != nil {
		t.Fatal(err)
	}
	want, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(want)
	var r Session
	if err := r.UnmarshalBinary(buf); err != nil {
		t.Fatal(err)
	}
	if len(r.st.Queue) != 2 || len(r.st.Sent.sent) == 0 {
		t.Fatalf("%d commands queued, %d sent; want 2 and some", len(r.st.Queue), len(r.st.Sent.sent))
	}
	for i := range buf {
		buf[i] = 'x'
	}
	if u := r.st.Queue[1].(*syncml.Get).Items[0].Target.LocURI; u != "./Vendor/MSFT/Queued/B" {
		t.Errorf("queued Get now addresses %q", u)
	}
	if u := r.st.Sent.sent[len(r.st.Sent.sent)-1].Cmd.(*syncml.Get).Items[0].Target.LocURI; u != "./DevInfo/Mod" {
		t.Errorf("sent Get now addresses %q", u)
	}
	got, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("saved again after its input was overwritten:\n%q\nwant\n%q", got, want)
	}
}
