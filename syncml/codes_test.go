package syncml

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestCodeData writes status and alert codes into Data and reads them
// back through Status.Code and Alert.Code.
func TestCodeData(t *testing.T) {
	for _, c := range []StatusCode{StatusOK, StatusNotFound, StatusAtomicFailed, 999} {
		d := c.Data()
		if d.Kind != DataText || d.Value != strconv.Itoa(int(c)) {
			t.Errorf("%v.Data() = %+v", c, d)
		}
		got, err := (&Status{Data: d}).Code()
		if err != nil || got != c {
			t.Errorf("Status{%v}.Code() = %v, %v", c, got, err)
		}
	}
	for _, c := range []AlertCode{AlertClientInitiated, AlertClientEvent, AlertDisplay} {
		d := c.Data()
		got, err := (&Alert{Data: d}).Code()
		if err != nil || got != c || d.Value != strconv.Itoa(int(c)) {
			t.Errorf("Alert{%v}.Code() = %v, %v (Data %q)", c, got, err, d.Value)
		}
	}
	// Each call returns a new Data, so changing one does not change another.
	a, b := StatusOK.Data(), StatusOK.Data()
	if a == b {
		t.Error("StatusOK.Data() returned the same *Data twice")
	}
}

// TestCodeDataReadable: whatever code Data writes, Code reads back, down
// to the ends of the int range, so a builder never writes a code the
// reader refuses.
func TestCodeDataReadable(t *testing.T) {
	for _, n := range []int{0, 1, 9, 99999, 1234567, -1, -200, math.MaxInt32, math.MinInt32, math.MaxInt, math.MinInt, math.MaxInt - 1, math.MinInt + 1} {
		if got, err := (&Status{Data: StatusCode(n).Data()}).Code(); err != nil || int(got) != n {
			t.Errorf("StatusCode(%d): Code() = %d, %v", n, got, err)
		}
		if got, err := (&Alert{Data: AlertCode(n).Data()}).Code(); err != nil || int(got) != n {
			t.Errorf("AlertCode(%d): Code() = %d, %v", n, got, err)
		}
	}
}

// TestCodeRead: Code reads a decimal code with XML white space around it
// and refuses anything else.
func TestCodeRead(t *testing.T) {
	tests := []struct {
		data    *Data
		want    int
		wantErr bool
	}{
		{Text("200"), 200, false},
		{Text(" 404\r\n"), 404, false},
		{CDATA("1224"), 1224, false},
		{Text(""), 0, true},
		{Text("2O0"), 0, true},
		{Text("-200"), -200, false},
		{Text("+200"), 0, true},
		{Text("-"), 0, true},
		{Text("--2"), 0, true},
		{Text("0x1F"), 0, true},
		{Text("1_000"), 0, true},
		{Text("1234567"), 1234567, false},
		{Text("9223372036854775808"), 0, true},
		{Text("-9223372036854775809"), 0, true},
		{Text("99999999999999999999999"), 0, true},
		{nil, 0, true},
	}
	for _, tt := range tests {
		st, errS := (&Status{Data: tt.data}).Code()
		al, errA := (&Alert{Data: tt.data}).Code()
		if (errS != nil) != tt.wantErr || (errA != nil) != tt.wantErr {
			t.Errorf("%+v: errors %v, %v; want error %v", tt.data, errS, errA, tt.wantErr)
			continue
		}
		if !tt.wantErr && (int(st) != tt.want || int(al) != tt.want) {
			t.Errorf("%+v: codes %d, %d; want %d", tt.data, st, al, tt.want)
		}
	}
}

// TestParseCodeShort compares parseCode, whose short path reads bare
// digits, with a reference on every string of up to five bytes over
// digits, signs, XML white space and a letter: the same value for the
// same input, and an error for the same inputs.
func TestParseCodeShort(t *testing.T) {
	const alphabet = "0159 -+\ta"
	ref := func(s string) (int, bool) {
		u := strings.Trim(s, " \t\r\n")
		if u == "" || u[0] == '+' {
			return 0, false
		}
		n, err := strconv.ParseInt(u, 10, 0)
		return int(n), err == nil
	}
	var walk func(s string)
	checked := 0
	walk = func(s string) {
		checked++
		got, err := parseCode(s)
		want, ok := ref(s)
		if (err == nil) != ok || got != want {
			t.Errorf("parseCode(%q) = %d, %v; want %d, ok %v", s, got, err, want, ok)
		}
		if len(s) == 5 {
			return
		}
		for i := range len(alphabet) {
			walk(s + alphabet[i:i+1])
		}
	}
	walk("")
	for _, s := range []string{"999999999", "1000000000", "0000000012", "123456789", "12345678a"} {
		got, err := parseCode(s)
		want, ok := ref(s)
		if (err == nil) != ok || got != want {
			t.Errorf("parseCode(%q) = %d, %v; want %d, ok %v", s, got, err, want, ok)
		}
	}
	if checked < 60000 {
		t.Errorf("checked %d strings", checked)
	}
}
