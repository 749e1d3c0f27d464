package session

import (
	"testing"
	"unsafe"

	"github.com/windc-go/windc/syncml"
)

// TestServerSharesLoadedState checks that a Server reading a state its
// Store loaded (a Store other than its MemoryStore) keeps it as it is,
// without a copy: the bytes are the caller's (see Store.Load), and a copy
// costs as much as the state at every message, the object's size while
// one goes out in chunks.
func TestServerSharesLoadedState(t *testing.T) {
	srv := NewServer(ServerConfig{Store: &copyStore{states: map[string][]byte{}, vers: map[string]uint64{}}})
	src := NewSession(&srv.cfg.Session)
	src.st.SessionID, src.st.Reply = "1", []byte("<SyncML>the last reply</SyncML>")
	raw, err := src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := srv.session(raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(sess.st.Reply) != string(src.st.Reply) {
		t.Fatalf("reply %q, want %q", sess.st.Reply, src.st.Reply)
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(sess.st.Reply))), uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	if p < lo || p >= lo+uintptr(len(raw)) {
		t.Errorf("the loaded state's reply is a copy, not the Store's bytes")
	}
	// the state never writes into them
	before := string(raw)
	sess.st.Reply = append(sess.st.Reply, "more"...)
	if string(raw) != before {
		t.Errorf("appending to the state's reply changed the Store's bytes")
	}
}

// TestStateSentMsgIDShared checks that the MsgIDs of the sent commands
// of a state read share its bytes, as their commands do, rather than a
// string allocated for each record at every message.
func TestStateSentMsgIDShared(t *testing.T) {
	src := NewSession(&Config{})
	src.st.SessionID = "1"
	for i := range 3 {
		src.st.Sent.sent = append(src.st.Sent.sent, &sentCmd{MsgID: itoa(i + 10), Cmd: &syncml.Get{CmdID: itoa(i + 1),
			Items: []syncml.Item{{Target: &syncml.Location{LocURI: "./a"}}}}})
	}
	raw, err := src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	dst := NewSession(&Config{})
	if err := dst.unmarshalState(raw); err != nil {
		t.Fatal(err)
	}
	if len(dst.st.Sent.sent) != 3 {
		t.Fatalf("%d sent commands, want 3", len(dst.st.Sent.sent))
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	for i, e := range dst.st.Sent.sent {
		if e.MsgID != itoa(i+10) {
			t.Fatalf("record %d: MsgID %q, want %q", i, e.MsgID, itoa(i+10))
		}
		if p := uintptr(unsafe.Pointer(unsafe.StringData(e.MsgID))); p < lo || p >= lo+uintptr(len(raw)) {
			t.Errorf("record %d: MsgID is a copy, not the state's bytes", i)
		}
	}
}
