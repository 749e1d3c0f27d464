package discovery

import (
	"errors"
	"testing"
)

func TestSupported(t *testing.T) {
	tests := []struct {
		os   string
		typ  EnrollmentType
		want bool
		err  error
	}{
		// Joined: every Windows 10/11 build.
		{"10.0.10240.16384", EnrollmentTypeDevice, true, nil},
		{"10.0.19041.1", "", true, nil},
		{"10.0.26100.1", EnrollmentTypeDevice, true, nil},
		{"10.0.10239.0", EnrollmentTypeDevice, false, nil},
		{"10.0.00000.0", EnrollmentTypeDevice, false, nil}, // the page's placeholder
		{"6.3.9600.0", EnrollmentTypeDevice, false, nil},   // Windows 8.1
		{"11.0.26100.1301", EnrollmentTypeDevice, false, nil},
		// Registered: the listed builds from their update on.
		{"10.0.26100.1301", EnrollmentTypeUser, true, nil},
		{"10.0.26100.1300", EnrollmentTypeUser, false, nil},
		{"10.0.22631.3958", EnrollmentTypeUser, true, nil},
		{"10.0.22631.3957", EnrollmentTypeUser, false, nil},
		{"10.0.22621.3958", EnrollmentTypeUser, true, nil},
		{"10.0.22621.4000", EnrollmentTypeUser, true, nil},
		{"10.0.22621.3000", EnrollmentTypeUser, false, nil},
		{"10.0.19045.4717", EnrollmentTypeUser, true, nil},
		{"10.0.19045.4716", EnrollmentTypeUser, false, nil},
		{"10.0.19044.9999", EnrollmentTypeUser, false, nil}, // Windows 10 21H2: not listed
		{"10.0.22000.9999", EnrollmentTypeUser, false, nil}, // Windows 11 21H2: not listed
		{"10.0.26200.1", EnrollmentTypeUser, true, nil},     // newer than every listed release
		{"6.3.99999.0", EnrollmentTypeUser, false, nil},
		// Errors.
		{"10.0.26100", EnrollmentTypeUser, false, ErrOSVersion},
		{"10.0.26100.1301", "Workplace", false, ErrEnrollmentType},
	}
	for _, tt := range tests {
		got, err := Supported(tt.os, tt.typ)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("Supported(%q, %q) = %v, %v; want %v, %v", tt.os, tt.typ, got, err, tt.want, tt.err)
		}
	}
}

func TestParseOSVersion(t *testing.T) {
	v, err := ParseOSVersion("10.0.026100.4294967295")
	if err != nil {
		t.Fatal(err)
	}
	if want := (OSVersion{10, 0, 26100, 4294967295}); v != want {
		t.Errorf("ParseOSVersion = %+v, want %+v", v, want)
	}
	if got := v.String(); got != "10.0.26100.4294967295" {
		t.Errorf("String() = %q", got)
	}
	for _, s := range []string{"", "10", "10.0.0", "a.b.c.d", "1.2.3.-4", "1.2.3.4.", "01234567890.0.0.0", "1.2.3.٣"} {
		if _, err := ParseOSVersion(s); !errors.Is(err, ErrOSVersion) {
			t.Errorf("ParseOSVersion(%q) = %v, want ErrOSVersion", s, err)
		}
	}
}
