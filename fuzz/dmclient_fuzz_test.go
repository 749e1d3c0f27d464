package fuzz

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
)

// FuzzDMClientReaders feeds fuzzed device values to the LinkedEnrollment
// readers. It checks: no panic; failures wrap ErrBadValue or ErrNoResult;
// an accepted EnrollStatus or HRESULT prints back to a string that reads
// to the same value; ReadStatus is nil exactly for 2xx codes and carries
// a readable msft:originalerror; the ProviderID round-trips through the
// URI the builders use whenever Validate accepts it; and the
// LinkedEnrollment readers tell its node from another provider's.
func FuzzDMClientReaders(f *testing.F) {
	f.Add("MS DM SERVER", "4", "500", "0x80070002")
	f.Add("p", "-2147024894", "200", "")
	f.Add("a/b%", " 8\n", "404", "2147942402")
	f.Add("", "9", "x", "0x")
	f.Add("é", "0x80180019", "1999999", "-1")
	f.Add("p", "0x04C5C572", "500", "80070002")
	f.Fuzz(func(t *testing.T, provider, value, code, origErr string) {
		le := dmclient.LinkedEnrollment{ProviderID: provider}
		res := func(u dmclient.URI) *syncml.Results {
			return &syncml.Results{Items: []syncml.Item{{Source: &syncml.Location{LocURI: string(u)}, Data: syncml.Text(value)}}}
		}

		st, err := dmclient.ReadEnrollStatus(res(le.EnrollStatus()))
		switch {
		case err == nil:
			if back, err := dmclient.ParseEnrollStatus(strconv.Itoa(int(st))); err != nil || back != st {
				t.Fatalf("EnrollStatus %d does not round-trip: %v %v", st, back, err)
			}
			if st.Known() == strings.HasPrefix(st.String(), "EnrollStatus(") {
				t.Fatalf("EnrollStatus %d: Known %v but String %q", st, st.Known(), st)
			}
			if st.IsEnrollment() && st.IsUnenrollment() || st.Failed() && !st.IsFinal() {
				t.Fatalf("EnrollStatus %d helpers disagree", st)
			}
		case le.Validate() != nil:
			// A ProviderID that cannot name a node gives a Source that
			// syncml.ParseLocURI refuses, so no item answers.
			if !errors.Is(err, dmclient.ErrNoResult) && !errors.Is(err, dmclient.ErrBadValue) {
				t.Fatalf("ReadEnrollStatus: %v", err)
			}
		case !errors.Is(err, dmclient.ErrBadValue):
			t.Fatalf("ReadEnrollStatus(%q) = %v, want ErrBadValue", value, err)
		}

		// the LinkedEnrollment's reader takes its own node's value as the
		// function does, and another provider's never
		if le.Validate() == nil {
			own, oerr := le.ReadEnrollStatus(res(le.EnrollStatus()))
			if own != st || (oerr == nil) != (err == nil) {
				t.Fatalf("ProviderID %q: method read %v, %v; function %v, %v", provider, own, oerr, st, err)
			}
			other := dmclient.LinkedEnrollment{ProviderID: provider + "x"}
			if v, err := other.ReadEnrollStatus(res(le.EnrollStatus())); !errors.Is(err, dmclient.ErrOtherProvider) {
				t.Fatalf("ProviderID %q read as %q's: %v, %v", provider, other.ProviderID, v, err)
			}
		}

		h, err := dmclient.ReadLastError(res(le.LastError()))
		if err == nil {
			hexPart, _, _ := strings.Cut(h.String(), " ")
			if back, err := dmclient.ParseHRESULT(hexPart); err != nil || back != h {
				t.Fatalf("HRESULT %v does not round-trip: %v %v", h, back, err)
			}
			// eight digits from 8 or 9 (0x04C4B400 to 0x05F5E0FF) are
			// refused as ambiguous with hexadecimal without 0x
			dec := strconv.FormatInt(int64(int32(h)), 10)
			ambiguous := len(dec) == 8 && (dec[0] == '8' || dec[0] == '9')
			if back, err := dmclient.ParseHRESULT(dec); ambiguous != (err != nil) || err == nil && back != h ||
				err != nil && !errors.Is(err, dmclient.ErrBadValue) {
				t.Fatalf("HRESULT %v as signed decimal %s: %v %v (ambiguous %v)", h, dec, back, err, ambiguous)
			}
		} else if le.Validate() == nil && !errors.Is(err, dmclient.ErrBadValue) {
			t.Fatalf("ReadLastError(%q) = %v", value, err)
		}

		if _, err := dmclient.ReadLastError(res(le.EnrollStatus())); provider != "" && !errors.Is(err, dmclient.ErrNoResult) {
			t.Fatalf("LastError read from an EnrollStatus result: %v", err)
		}

		status := &syncml.Status{Cmd: "Exec", CmdRef: "3", Data: &syncml.Data{Value: code, OriginalError: origErr}}
		serr := dmclient.ReadStatus(status)
		c, cerr := status.Code()
		switch {
		case cerr != nil:
			if !errors.Is(serr, dmclient.ErrBadValue) {
				t.Fatalf("ReadStatus of unreadable code %q = %v", code, serr)
			}
		case c.Success():
			if serr != nil {
				t.Fatalf("ReadStatus(%d) = %v", c, serr)
			}
		default:
			var de *dmclient.DeviceError
			if !errors.As(serr, &de) || de.Code != c {
				t.Fatalf("ReadStatus(%d) = %v", c, serr)
			}
			if want, err := dmclient.ParseHRESULT(origErr); err == nil && de.HRESULT != want {
				t.Fatalf("HRESULT %v, want %v", de.HRESULT, want)
			}
		}

		if le.Validate() == nil {
			u := string(le.Enroll())
			seg := strings.TrimSuffix(strings.TrimPrefix(u, string(dmclient.Root)+"/Provider/"), "/LinkedEnrollment/Enroll")
			if strings.Contains(seg, "/") {
				t.Fatalf("ProviderID %q leaks a '/' into %s", provider, u)
			}
			loc, err := syncml.ParseLocURI(u)
			if err != nil || len(loc.Segments) != 7 || loc.Segments[4] != provider {
				t.Fatalf("ParseLocURI(%s) = %v, %v; want ProviderID %q back", u, loc, err, provider)
			}
		}
	})
}

// FuzzDMClientMessage decodes arbitrary bytes as a SyncML message and runs
// every reader over each Status and Results it holds: no input may make a
// reader panic (the LinkedEnrollment methods included), and reader errors
// wrap the package's sentinels or are *DeviceError.
func FuzzDMClientMessage(f *testing.F) {
	f.Add([]byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID><Target><LocURI>s</LocURI></Target><Source><LocURI>d</LocURI></Source></SyncHdr><SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM"><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Exec</Cmd><Data msft:originalerror="0x80070002">500</Data></Status><Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus</LocURI></Source><Data>3</Data></Item></Results><Final/></SyncBody></SyncML>`))
	f.Add([]byte(`<SyncML><SyncHdr><VerDTD>1.1</VerDTD><VerProto>DM/1.1</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>s</LocURI></Target><Source><LocURI>d</LocURI></Source></SyncHdr><SyncBody><Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Item><Source><LocURI>./Vendor/MSFT/DMClient/Provider/p/LinkedEnrollment/LastError</LocURI></Source><Data>-2147024894</Data></Item></Results></SyncBody></SyncML>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			return
		}
		ok := func(err error) bool {
			var de *dmclient.DeviceError
			return err == nil || errors.Is(err, dmclient.ErrBadValue) || errors.Is(err, dmclient.ErrNoResult) ||
				errors.Is(err, dmclient.ErrOtherProvider) || errors.As(err, &de)
		}
		for _, c := range m.Body.Commands {
			switch x := c.(type) {
			case *syncml.Status:
				if err := dmclient.ReadStatus(x); !ok(err) {
					t.Fatalf("ReadStatus: %v", err)
				}
			case *syncml.Results:
				_, e1 := dmclient.ReadEnrollStatus(x)
				_, e2 := dmclient.ReadLastError(x)
				_, e3 := dmclient.ReadDiscoveryEndpoint(x)
				_, e4 := dmclient.ReadPriority(x)
				le := dmclient.LinkedEnrollment{ProviderID: "MS DM SERVER"}
				_, e5 := le.ReadEnrollStatus(x)
				_, e6 := le.ReadLastError(x)
				_, e7 := le.ReadDiscoveryEndpoint(x)
				_, e8 := le.ReadPriority(x)
				for _, err := range []error{e1, e2, e3, e4, e5, e6, e7, e8} {
					if !ok(err) {
						t.Fatalf("reader: %v", err)
					}
				}
			}
		}
	})
}
