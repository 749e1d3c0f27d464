package dmclient

import (
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

func results(uri, v string) *syncml.Results {
	return &syncml.Results{CmdRef: "4", Items: []syncml.Item{{Source: &syncml.Location{LocURI: uri}, Data: syncml.Text(v)}}}
}

func TestReadEnrollStatus(t *testing.T) {
	tests := []struct {
		r    *syncml.Results
		want EnrollStatus
		err  error
	}{
		{results(testBase+"EnrollStatus", "4"), StatusEnrollmentSucceeded, nil},
		{results(testBase+"EnrollStatus", " 8\n"), StatusUnenrollmentSucceeded, nil},
		{results("./Vendor/MSFT/DMClient/Provider/X/LinkedEnrollment/EnrollStatus", "2"), StatusEnrollmentInProgress, nil},
		{results(testBase+"EnrollStatus", "12"), EnrollStatus(12), nil},
		{results(testBase+"EnrollStatus", "four"), 0, ErrBadValue},
		{results(testBase+"EnrollStatus", "+4"), StatusEnrollmentSucceeded, nil},
		{results(testBase+"EnrollStatus", "\u00a04"), 0, ErrBadValue},
		{results(testBase+"EnrollStatus", ""), 0, ErrBadValue},
		{results(testBase+"LastError", "4"), 0, ErrNoResult},
		{results("./Device/Vendor/MSFT/DMClient/Provider//LinkedEnrollment/EnrollStatus", "4"), 0, ErrNoResult},
		{&syncml.Results{Items: []syncml.Item{{Data: syncml.Text("3")}}}, StatusEnrollmentFailed, nil},
		{&syncml.Results{}, 0, ErrNoResult},
		{nil, 0, ErrNoResult},
		{&syncml.Results{Items: []syncml.Item{
			{Source: &syncml.Location{LocURI: testBase + "LastError"}, Data: syncml.Text("0")},
			{Source: &syncml.Location{LocURI: testBase + "EnrollStatus"}, Data: syncml.Text("1")},
		}}, StatusEnrollmentNotStarted, nil},
	}
	for i, tt := range tests {
		got, err := ReadEnrollStatus(tt.r)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) || got != tt.want {
			t.Errorf("%d: ReadEnrollStatus = %v, %v; want %v, %v", i, got, err, tt.want, tt.err)
		}
	}
}

func TestEnrollStatusHelpers(t *testing.T) {
	tests := []struct {
		s                             EnrollStatus
		name                          string
		enroll, unenroll, final, fail bool
	}{
		{StatusUndefined, "Undefined", false, false, false, false},
		{StatusEnrollmentNotStarted, "EnrollmentNotStarted", true, false, false, false},
		{StatusEnrollmentInProgress, "EnrollmentInProgress", true, false, false, false},
		{StatusEnrollmentFailed, "EnrollmentFailed", true, false, true, true},
		{StatusEnrollmentSucceeded, "EnrollmentSucceeded", true, false, true, false},
		{StatusUnenrollmentNotStarted, "UnenrollmentNotStarted", false, true, false, false},
		{StatusUnenrollmentInProgress, "UnenrollmentInProgress", false, true, false, false},
		{StatusUnenrollmentFailed, "UnenrollmentFailed", false, true, true, true},
		{StatusUnenrollmentSucceeded, "UnenrollmentSucceeded", false, true, true, false},
		{EnrollStatus(9), "EnrollStatus(9)", false, false, false, false},
		{EnrollStatus(-1), "EnrollStatus(-1)", false, false, false, false},
	}
	for _, tt := range tests {
		if tt.s.String() != tt.name || tt.s.IsEnrollment() != tt.enroll || tt.s.IsUnenrollment() != tt.unenroll ||
			tt.s.IsFinal() != tt.final || tt.s.Failed() != tt.fail || tt.s.Known() != (tt.s >= 0 && tt.s <= 8) {
			t.Errorf("%d: String %q enrollment %v unenrollment %v final %v failed %v", int(tt.s), tt.s,
				tt.s.IsEnrollment(), tt.s.IsUnenrollment(), tt.s.IsFinal(), tt.s.Failed())
		}
	}
}

func TestParseHRESULT(t *testing.T) {
	tests := []struct {
		in   string
		want HRESULT
		ok   bool
	}{
		{"0x80070002", ErrorFileNotFound, true},
		{"0X80070002", ErrorFileNotFound, true},
		{"2147942402", ErrorFileNotFound, true},
		{"-2147024894", ErrorFileNotFound, true},
		{" 0 ", SOK, true},
		{"0x8000ffff", EUnexpected, true},
		{"-2147483648", 0x80000000, true},
		{"-2147483649", 0, false},
		{"4294967296", 0, false},
		{"0x100000000", 0, false},
		{"0x", 0, false},
		{"", 0, false},
		{"E_FAIL", 0, false},
		// Eight digits from 8 or 9: decimal (the int the DDF gives
		// LastError) reads a success code, hexadecimal without 0x a
		// failure. Ambiguous, so refused.
		{"80070002", 0, false},
		{" 80070002\n", 0, false},
		{"86000002", 0, false},
		{"99999999", 0, false},
		{"80000000", 0, false},
		{"8007000A", 0, false},
		// the same digits in an unambiguous form
		{"-80070002", HRESULT(uint32(0xFB3A3A8E)), true},
		{"080070002", 80070002, true},
		{"79999999", 79999999, true},
		{"800700020", 800700020, true},
		{"8007000", 8007000, true},
		// one sign rule and one trimming rule with ParseEnrollStatus
		{"+4", 4, true},
		{" +2147942402\t", ErrorFileNotFound, true},
		{"+80070002", 80070002, true},
		{"++4", 0, false},
		{"+-4", 0, false},
		{"+0x4", 0, false},
		{"-0x4", 0, false},
		{"\u00a00x80070002", 0, false},
		{"0\u2003", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseHRESULT(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseHRESULT(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseHRESULT(%q) error %v does not wrap ErrBadValue", tt.in, err)
		}
	}
}

func TestHRESULTString(t *testing.T) {
	tests := []struct {
		h      HRESULT
		s      string
		failed bool
	}{
		{ErrorFileNotFound, "0x80070002 ERROR_FILE_NOT_FOUND", true},
		{SOK, "0x00000000 S_OK", false},
		{MenrollEUserLicense, "0x80180018 MENROLL_E_USER_LICENSE", true},
		{0x80180032, "0x80180032 MENROLL_E_CUSTOMSERVERERROR", true}, // a linked enrollment's CustomServerError fault
		{0x86000002, "0x86000002", true},
		{1, "0x00000001", false},
	}
	for _, tt := range tests {
		if tt.h.String() != tt.s || tt.h.Failed() != tt.failed {
			t.Errorf("%08x: String %q Failed %v", uint32(tt.h), tt.h, tt.h.Failed())
		}
	}
}

func TestReadLastErrorAndOthers(t *testing.T) {
	// hexadecimal without 0x is not read as decimal 0x04C5C572
	if h, err := ReadLastError(results(testBase+"LastError", "80070002")); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "0x") {
		t.Errorf("ReadLastError(80070002) = %v, %v; want ErrBadValue naming the 0x form", h, err)
	}
	h, err := ReadLastError(results(testBase+"LastError", "-2147024894"))
	if err != nil || h != ErrorFileNotFound {
		t.Errorf("ReadLastError = %v, %v", h, err)
	}
	ep, err := ReadDiscoveryEndpoint(&syncml.Results{Items: []syncml.Item{{Source: &syncml.Location{LocURI: testBase + "DiscoveryEndpoint"}}}})
	if err != nil || ep != "" {
		t.Errorf("ReadDiscoveryEndpoint of unset endpoint = %q, %v", ep, err)
	}
	ep, err = ReadDiscoveryEndpoint(results(testBase+"DiscoveryEndpoint", testEndpoint))
	if err != nil || ep != testEndpoint {
		t.Errorf("ReadDiscoveryEndpoint = %q, %v", ep, err)
	}
	p, err := ReadPriority(results(testBase+"Priority", "1"))
	if err != nil || p != 1 {
		t.Errorf("ReadPriority = %d, %v", p, err)
	}
	if _, err := ReadPriority(results(testBase+"Priority", "high")); !errors.Is(err, ErrBadValue) {
		t.Errorf("ReadPriority(high) = %v", err)
	}
}

func TestReadStatus(t *testing.T) {
	failed := &syncml.Status{CmdRef: "3", Cmd: "Exec", Data: &syncml.Data{Value: "500", OriginalError: "0x80070002"}}
	err := ReadStatus(failed)
	var de *DeviceError
	if !errors.As(err, &de) || de.Code != syncml.StatusCommandFailed || de.HRESULT != ErrorFileNotFound || de.CmdRef != "3" {
		t.Fatalf("ReadStatus = %#v", err)
	}
	if want := `dmclient: Exec "3" failed: 500 Command failed (0x80070002 ERROR_FILE_NOT_FOUND)`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if err := ReadStatus(&syncml.Status{Data: syncml.Text("404")}); !errors.As(err, &de) || de.HRESULT != 0 || de.Code != syncml.StatusNotFound {
		t.Errorf("ReadStatus(404) = %v", err)
	}
	if err := ReadStatus(&syncml.Status{Data: syncml.Text("200")}); err != nil {
		t.Errorf("ReadStatus(200) = %v", err)
	}
	if err := ReadStatus(&syncml.Status{Data: syncml.Text("OK")}); !errors.Is(err, ErrBadValue) {
		t.Errorf("ReadStatus(OK) = %v", err)
	}
	// A missing Status is not a missing result: it has its own cause.
	if err := ReadStatus(nil); !errors.Is(err, ErrNoStatus) || errors.Is(err, ErrNoResult) {
		t.Errorf("ReadStatus(nil) = %v, want ErrNoStatus only", err)
	}
}

// TestReadLocURIForms: a result is recognised by its Source as
// syncml.ParseLocURI reads it, whatever form of the same node the device
// writes.
func TestReadLocURIForms(t *testing.T) {
	const tail = "/Vendor/MSFT/DMClient/Provider/MS%20DM%20SERVER/LinkedEnrollment/EnrollStatus"
	tests := []struct {
		uri string
		ok  bool
	}{
		{"./Device" + tail, true},
		{"./device" + tail, true},
		{"./DEVICE" + tail, true},
		{"Device" + tail, true},
		{"device" + tail, true},
		{"." + tail, true},
		{tail[1:], true},
		{"./User" + tail, true},
		{"./user" + tail, true},
		{"./device/vendor/msft/dmclient/provider/MS%20DM%20SERVER/linkedenrollment/enrollstatus", true},
		{"./Device/Vendor/MSFT/DMClient/Provider/MS DM SERVER/LinkedEnrollment/EnrollStatus", true},
		{"./Device" + tail + "/Extra", false},
		{"./Device/Vendor/MSFT/DMClient/Provider/X/Y/LinkedEnrollment/EnrollStatus", false},
		{"./Device/Vendor/MSFT/DMClient/Provider/%2E/LinkedEnrollment/EnrollStatus", false},
		{".//Device" + tail, false},
		{"/Device" + tail, false},
		{"./Device/Vendor/MSFT/DMClientX/Provider/X/LinkedEnrollment/EnrollStatus", false},
		{"./Device/Vendor/MSFT/DMClient/Provider/X/LinkedEnrollment/LastError", false},
		{"./Device/Vendor/MSFT/DMClient/Provider/X/LinkedEnrollment/EnrollStatus%", false},
	}
	for _, tt := range tests {
		got, err := ReadEnrollStatus(results(tt.uri, "4"))
		switch {
		case tt.ok && (err != nil || got != StatusEnrollmentSucceeded):
			t.Errorf("%s: ReadEnrollStatus = %v, %v; want EnrollmentSucceeded", tt.uri, got, err)
		case !tt.ok && !errors.Is(err, ErrNoResult):
			t.Errorf("%s: ReadEnrollStatus = %v, %v; want ErrNoResult", tt.uri, got, err)
		}
	}
}

// TestDeviceErrorText: a DeviceError says which command failed and with
// which status code, and never shows S_OK for a failure: the HRESULT
// appears only as the device wrote it in msft:originalerror, and one that
// does not read is kept and shown rather than dropped.
func TestDeviceErrorText(t *testing.T) {
	tests := []struct {
		st       *syncml.Status
		want     string
		original string
		h        HRESULT
	}{
		{&syncml.Status{Data: syncml.Text("404")}, `dmclient: command failed: 404 Not found`, "", 0},
		{&syncml.Status{Cmd: "Get", CmdRef: "4", Data: syncml.Text("500")}, `dmclient: Get "4" failed: 500 Command failed`, "", 0},
		{&syncml.Status{Cmd: "Get", CmdRef: "4", Data: syncml.Text("599")}, `dmclient: Get "4" failed: 599`, "", 0},
		{&syncml.Status{Cmd: "Exec", CmdRef: "3", Data: &syncml.Data{Value: "500", OriginalError: "0x00000000"}},
			`dmclient: Exec "3" failed: 500 Command failed (msft:originalerror 0x00000000)`, "0x00000000", 0},
		{&syncml.Status{Cmd: "Exec", CmdRef: "3", Data: &syncml.Data{Value: "500", OriginalError: "E_FAIL"}},
			`dmclient: Exec "3" failed: 500 Command failed (msft:originalerror "E_FAIL" does not read as an HRESULT)`, "E_FAIL", 0},
		{&syncml.Status{Cmd: "Exec", CmdRef: "3", Data: &syncml.Data{Value: "500", OriginalError: "0x86000002"}},
			`dmclient: Exec "3" failed: 500 Command failed (0x86000002)`, "0x86000002", 0x86000002},
		// a long one is cut at a character's start, not inside "é"
		{&syncml.Status{Cmd: "Exec", CmdRef: "3", Data: &syncml.Data{Value: "500", OriginalError: strings.Repeat("x", 39) + "éyz"}},
			`dmclient: Exec "3" failed: 500 Command failed (msft:originalerror "` + strings.Repeat("x", 39) + `…" does not read as an HRESULT)`,
			strings.Repeat("x", 39) + "éyz", 0},
	}
	for _, tt := range tests {
		err := ReadStatus(tt.st)
		var de *DeviceError
		if !errors.As(err, &de) {
			t.Errorf("ReadStatus(%s) = %v, want a *DeviceError", tt.st.Data.Value, err)
			continue
		}
		if got := err.Error(); got != tt.want || strings.Contains(got, "S_OK") {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if de.OriginalError != tt.original || de.HRESULT != tt.h {
			t.Errorf("%q: OriginalError %q HRESULT %v, want %q %v", tt.want, de.OriginalError, de.HRESULT, tt.original, tt.h)
		}
	}
}

// TestBadValueCut checks that the error for a long value that does not
// read quotes its start cut at a character, not inside one (the cut
// after 40 bytes fell in the middle of an "é" here).
func TestBadValueCut(t *testing.T) {
	v := "a" + strings.Repeat("é", 30)
	for name, read := range map[string]func(string) error{
		"EnrollStatus": func(v string) error { _, err := ParseEnrollStatus(v); return err },
		"HRESULT":      func(v string) error { _, err := ParseHRESULT(v); return err },
		"Priority":     func(v string) error { _, err := ReadPriority(results(testBase+"Priority", v)); return err },
	} {
		err := read(v)
		if !errors.Is(err, ErrBadValue) {
			t.Fatalf("%s(%q) = %v, want ErrBadValue", name, v, err)
		}
		if msg := err.Error(); strings.Contains(msg, `\x`) || !strings.Contains(msg, `"a`+strings.Repeat("é", 19)+`…"`) {
			t.Errorf("%s: error %q, want the value's first 39 bytes, whole characters, then …", name, msg)
		}
	}
}
