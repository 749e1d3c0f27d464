package session

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/windc-go/windc/syncml/syncmltest"
)

// userAuth accepts every message as the user its SyncHdr Source LocName
// names ("" for none), and records the Owner of each AuthInput.
type userAuth struct{ owners []string }

func (a *userAuth) Authenticate(_ context.Context, in *AuthInput) (AuthDecision, error) {
	a.owners = append(a.owners, in.Owner)
	return AuthDecision{Identity: Identity{User: in.Message.Header.Source.LocName, Method: "test"}}, nil
}

// withLocName returns msg with user as its SyncHdr Source LocName.
func withLocName(msg []byte, user string) []byte {
	return bytes.Replace(msg, []byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>DEV1</LocURI><LocName>"+user+"</LocName>"), 1)
}

// TestOwnerBinding checks when a Session binds its device: to the user of
// the first message accepted with one, by any Authenticator, for good and
// in its state; not by a message accepted without user, nor by a replay
// (of a state saved before owners, which has none), and never with no
// Authenticator. AuthInput.Owner is the owner before the message.
func TestOwnerBinding(t *testing.T) {
	t.Run("first user", func(t *testing.T) {
		a := &userAuth{}
		s := NewSession(&Config{Authenticator: a})
		handle(t, s, devMsg("1", "1", alert1201)) // no user: binds nothing
		handle(t, s, withLocName(devMsg("1", "2", ""), "alice"))
		handle(t, s, withLocName(devMsg("2", "1", alert1201), "bob"))
		handle(t, s, devMsg("3", "1", alert1201))
		if want := []string{"", "", "alice", "alice"}; !slices.Equal(a.owners, want) {
			t.Errorf("AuthInput.Owner %q, want %q", a.owners, want)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		loaded := NewSession(nil)
		if err := loaded.UnmarshalBinary(b); err != nil || loaded.st.Owner != "alice" {
			t.Errorf("owner saved and loaded: %q, %v", loaded.st.Owner, err)
		}
	})
	t.Run("replay", func(t *testing.T) {
		v5, err := os.ReadFile(filepath.Join("testdata", "state-v5-checkin.bin"))
		if err != nil {
			t.Fatal(err)
		}
		a := &userAuth{}
		s := NewSession(&Config{Authenticator: a})
		if err := s.UnmarshalBinary(v5); err != nil {
			t.Fatal(err)
		}
		if x := handle(t, s, devMsg("1", "1", alert1201)); !x.Replayed || len(a.owners) != 0 || s.st.Owner != "" {
			t.Errorf("replay: replayed %v, authenticated %d times, owner %q", x.Replayed, len(a.owners), s.st.Owner)
		}
		handle(t, s, withLocName(devMsg("1", "2", ""), "mallory"))
		if s.st.Owner != "mallory" {
			t.Errorf("owner %q after the replay and a new message", s.st.Owner)
		}
	})
	t.Run("no authenticator", func(t *testing.T) {
		srv := NewServer(ServerConfig{})
		ts := httptest.NewServer(srv)
		defer ts.Close()
		runDevice(t, ts.Client(), ts.URL, "DEV-N", "1")
		runDevice(t, ts.Client(), ts.URL, "DEV-N", "2")
		b, _, err := srv.cfg.Store.Load(context.Background(), "DEV-N")
		if err != nil {
			t.Fatal(err)
		}
		s := NewSession(nil)
		if err := s.UnmarshalBinary(b); err != nil || s.st.Owner != "" || !s.st.Started {
			t.Errorf("owner %q with no Authenticator (started %v), %v", s.st.Owner, s.st.Started, err)
		}
	})
}

// TestMemoryStoreOwnerCost: a MemoryStore keeps the check-ins of devices
// bound to owners of 16 characters unlike each other at the cost of
// those without owner (no Authenticator) and about the owner's length:
// the owner is the last field of the state, whose other bytes are as
// they were.
func TestMemoryStoreOwnerCost(t *testing.T) {
	const devices, nameLen = 100, 16
	perDevice := func(a Authenticator) (int, []byte) {
		s := NewMemoryStore()
		srv := dmServerAuth(s, a)
		postOK(t, srv, syncmltest.WindowsCheckIn(dmID(0), "1"))
		live := s.slabs.live
		for i := 1; i <= devices; i++ {
			postOK(t, srv, syncmltest.WindowsCheckIn(dmID(i), fmt.Sprint(i+1)))
			if form := storedOf(s, dmID(i)); len(form) == 0 || form[0] == 0 {
				t.Fatalf("%s: stored as it is, %d bytes", dmID(i), len(form))
			}
		}
		last, _, err := s.Load(context.Background(), dmID(devices))
		if err != nil {
			t.Fatal(err)
		}
		return (s.slabs.live - live) / devices, last
	}
	owners := AuthenticatorFunc(func(_ context.Context, in *AuthInput) (AuthDecision, error) {
		user := fmt.Sprintf("%x", randBytes(uint64(crc32.ChecksumIEEE([]byte(in.Message.Header.Source.LocURI))), nameLen/2))
		return AuthDecision{Identity: Identity{User: user, Method: "test"}}, nil
	})
	none, plain := perDevice(nil)
	owned, last := perDevice(owners)
	t.Logf("slab bytes a device: %d without owner, %d with owners of %d characters", none, owned, nameLen)
	if s := NewSession(nil); s.UnmarshalBinary(last) != nil || len(s.st.Owner) != nameLen || plain[len(plain)-1] != 0 {
		t.Fatalf("owner %q; last byte without owner %d", s.st.Owner, plain[len(plain)-1])
	}
	if owned < none+nameLen/2 || owned > none+nameLen+8 {
		t.Errorf("%d slab bytes a device with owners, %d without; want about %d more", owned, none, nameLen)
	}
}
