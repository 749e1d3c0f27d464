package session

import (
	"bytes"
	"context"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// A device's Status for the server's SyncHdr counts for the server's
// credentials (212: accepted, a Chal: the nonce for the next ones) only
// when its MsgRef names a message the server sent in the session; one
// naming any other message goes to Exchange.Unmatched and changes nothing
// (the message is still answered: handle fails on an error).
func TestServerHeaderStatusMsgRef(t *testing.T) {
	hdrStatus := func(ref, code, chal string) string {
		s := `<Status><CmdID>1</CmdID>`
		if ref != "-" {
			s += `<MsgRef>` + ref + `</MsgRef>`
		}
		s += `<CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>`
		if chal != "" {
			s += `<Chal><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type>` +
				`<NextNonce xmlns="syncml:metinf">` + chal + `</NextNonce></Meta></Chal>`
		}
		return s + `<Data>` + code + `</Data></Status>`
	}
	for _, tt := range []struct {
		name, ref string
		counts    bool
	}{
		{"sent", "1", true},
		{"none", "-", true},
		{"zero", "0", false},
		{"later", "2", false},
		{"far", "7", false},
		{"leading zero", "01", false},
		{"not a number", "x", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSession(&Config{ServerAuth: &ServerAuth{Type: AuthMD5, Secret: func(context.Context, Identity) (string, string, error) {
				return "srv", "srv-secret", nil
			}}})
			if err := s.Queue(get("./DevDetail/SwV")); err != nil {
				t.Fatal(err)
			}
			x := handle(t, s, devMsg("1", "1", alert1201))
			if x.Reply.Header.Cred == nil {
				t.Fatal("first reply without the server's Cred")
			}
			// the device accepts the server's credentials and gives a nonce
			// for the next ones, naming message tt.ref
			x = handle(t, s, devMsg("1", "2", hdrStatus(tt.ref, "212", "AAECAw==")))
			accepted := x.Reply.Header.Cred == nil
			nonce := bytes.Equal(s.st.PeerNonce, []byte{0, 1, 2, 3})
			if accepted != tt.counts || nonce != tt.counts {
				t.Errorf("MsgRef %q: accepted %v, nonce taken %v; want %v", tt.ref, accepted, nonce, tt.counts)
			}
			want := 0
			if !tt.counts {
				want = 1
			}
			if len(x.Unmatched) != want {
				t.Fatalf("MsgRef %q: %d Unmatched, want %d", tt.ref, len(x.Unmatched), want)
			}
			if want == 1 {
				if st, ok := x.Unmatched[0].(*syncml.Status); !ok || st.CmdRef != "0" {
					t.Errorf("Unmatched: %#v, want the SyncHdr Status", x.Unmatched[0])
				}
			}
		})
	}
}

// The device messages of the shared corpus that answer the server's
// SyncHdr, each taken as the device's second message after one the server
// answered: the Statuses naming message 1 count (none is Unmatched), the
// one naming message 0 (Mattrax's test message) is Unmatched, and each
// message is answered.
func TestServerHeaderStatusMsgRefConformance(t *testing.T) {
	for _, tt := range []struct {
		file      string
		unmatched int
	}{
		{"057-marcosd4h-readme-L580.xml", 0},
		{"059-mattrax-msmdm-basic-L89.xml", 1},
		{"108-omadocs-26-L162.xml", 0},
	} {
		t.Run(tt.file, func(t *testing.T) {
			raw := conformance(t, tt.file)
			var m syncml.Message
			if err := syncml.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if m.Header.MsgID != "2" {
				t.Fatalf("MsgID %q, want 2", m.Header.MsgID)
			}
			s := NewSession(&Config{})
			if err := s.Queue(get("./DevDetail/SwV")); err != nil {
				t.Fatal(err)
			}
			handle(t, s, devMsg(m.Header.SessionID, "1", alert1201))
			x := handle(t, s, raw)
			hdr := 0
			for _, c := range x.Unmatched {
				if st, ok := c.(*syncml.Status); ok && st.CmdRef == "0" {
					hdr++
				}
			}
			if hdr != tt.unmatched {
				t.Errorf("%d SyncHdr Statuses Unmatched, want %d", hdr, tt.unmatched)
			}
		})
	}
}
