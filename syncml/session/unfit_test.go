package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestServerCommandOverMaxMsgSize: a queued command that no message
// within the device's MaxMsgSize can carry (not even cut, not even after
// nothing but the SyncHdr's Status and the Alert 1222's) is not sent, as
// one over the device's MaxObjSize is not: its Outcome carries an error
// that matches ErrLimit and names MaxMsgSize, and the session goes on
// with the commands queued after it, every message within the bound and
// the package closed with Final. Handle used to fail on it instead (HTTP
// 500), in every session of the device while the command stayed at the
// head of its queue: seen from outside, a device announcing MaxMsgSize
// under 848 never got past dmserver's first-session Replace.
func TestServerCommandOverMaxMsgSize(t *testing.T) {
	const max = 800
	long := "./Device/Vendor/MSFT/DMClient/Provider/" + strings.Repeat("P", 60) + "/LinkedEnrollment/DiscoveryEndpoint"
	s := NewSession(nil)
	if err := s.Queue(get("./DevDetail/SwV"), replaceOf(long, 38), get("./DevDetail/OEM")); err != nil {
		t.Fatal(err)
	}
	cv, err := converse(t, s, max, "1")
	if err != nil {
		t.Fatalf("session under MaxMsgSize %d: %v", max, err)
	}
	for i, b := range cv.server {
		if len(b) > max {
			t.Errorf("server message %d: %d bytes over %d", i+1, len(b), max)
		}
	}
	if got := strings.Join(cv.received, " "); got != "./DevDetail/SwV ./DevDetail/OEM" {
		t.Errorf("device ran %q, want the two Gets", got)
	}
	var refused, ok int
	for _, o := range cv.outcomes {
		code, err := o.Code()
		var le *LimitError
		switch {
		case o.Command.ElementName() == "Replace" && errors.As(err, &le) && le.Limit == "MaxMsgSize" && errors.Is(err, ErrLimit):
			refused++
		case o.Command.ElementName() == "Get" && err == nil && code == 200:
			ok++
		default:
			t.Errorf("Outcome %s %v: %v %v", o.Command.ElementName(), o.Command.ItemList()[0].Target.LocURI, code, err)
		}
	}
	if refused != 1 || ok != 2 {
		t.Errorf("%d Replace refused (want 1), %d Gets answered 200 (want 2)", refused, ok)
	}
}

// TestServerRefusesOnlyWhatCannotFit: under every MaxMsgSize from 600 to
// 900 bytes, a command refused for MaxMsgSize is one that does not fit
// even in the smallest continuation message (the SyncHdr's Status, the
// Status of the device's Alert 1222, the command, no Final), measured on
// the encoding: the measure that counts a Final it will not send must not
// refuse a command that fits.
func TestServerRefusesOnlyWhatCannotFit(t *testing.T) {
	uris := []string{"./DevDetail/SwV", "./DevDetail/DevTyp", "./Vendor/MSFT/" + strings.Repeat("N", 40), "./DevDetail/HwV"}
	for max := 600; max <= 900; max++ {
		s := NewSession(nil)
		for _, u := range uris {
			if err := s.Queue(get(u)); err != nil {
				t.Fatal(err)
			}
		}
		cv, err := converse(t, s, max, "1")
		if err != nil {
			continue // not even the Statuses fit: an error, as before
		}
		for _, o := range cv.outcomes {
			_, err := o.Code()
			if !errors.Is(err, ErrLimit) {
				continue
			}
			// the smallest continuation: a server message of the
			// conversation that starts with two Statuses (the SyncHdr's,
			// an Alert's), those kept, the command alone after them
			var m syncml.Message
			for _, raw := range cv.server {
				var sm syncml.Message
				if err := syncml.Unmarshal(raw, &sm); err != nil {
					t.Fatal(err)
				}
				if len(sm.Body.Commands) >= 2 {
					if st, ok := sm.Body.Commands[1].(*syncml.Status); ok && st.Cmd == "Alert" {
						m = sm
					}
				}
			}
			if len(m.Body.Commands) < 2 {
				t.Fatalf("MaxMsgSize %d: no server message starts with two Statuses", max)
			}
			uri := o.Command.ItemList()[0].Target.LocURI
			m.Body.Commands = append(m.Body.Commands[:2:2], get(uri))
			m.Body.Commands[2].SetID("3")
			m.Body.Final = false
			b, merr := syncml.Marshal(&m)
			if merr != nil {
				t.Fatal(merr)
			}
			if len(b) <= max {
				t.Errorf("MaxMsgSize %d: Get %s refused (%v), yet a message of %d bytes carries it", max, uri, err, len(b))
			}
		}
	}
}
