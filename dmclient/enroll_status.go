package dmclient

import "strconv"

// An EnrollStatus is the value of LinkedEnrollment/EnrollStatus: where the
// linked enrollment or unenrollment stands. Values past 8 may appear in
// later Windows releases; they print as EnrollStatus(n).
type EnrollStatus int

// The EnrollStatus values of the DMClient CSP.
const (
	StatusUndefined              EnrollStatus = 0
	StatusEnrollmentNotStarted   EnrollStatus = 1
	StatusEnrollmentInProgress   EnrollStatus = 2
	StatusEnrollmentFailed       EnrollStatus = 3
	StatusEnrollmentSucceeded    EnrollStatus = 4
	StatusUnenrollmentNotStarted EnrollStatus = 5
	StatusUnenrollmentInProgress EnrollStatus = 6
	StatusUnenrollmentFailed     EnrollStatus = 7
	StatusUnenrollmentSucceeded  EnrollStatus = 8
)

var enrollStatusNames = [...]string{
	"Undefined",
	"EnrollmentNotStarted",
	"EnrollmentInProgress",
	"EnrollmentFailed",
	"EnrollmentSucceeded",
	"UnenrollmentNotStarted",
	"UnenrollmentInProgress",
	"UnenrollmentFailed",
	"UnenrollmentSucceeded",
}

// String returns the value's name, such as "EnrollmentSucceeded".
func (s EnrollStatus) String() string {
	if s.Known() {
		return enrollStatusNames[s]
	}
	return "EnrollStatus(" + strconv.Itoa(int(s)) + ")"
}

// Known reports whether s is one of the documented values 0 to 8.
func (s EnrollStatus) Known() bool { return s >= 0 && int(s) < len(enrollStatusNames) }

// IsEnrollment reports whether s describes an enrollment (1 to 4).
func (s EnrollStatus) IsEnrollment() bool {
	return s >= StatusEnrollmentNotStarted && s <= StatusEnrollmentSucceeded
}

// IsUnenrollment reports whether s describes an unenrollment (5 to 8).
func (s EnrollStatus) IsUnenrollment() bool {
	return s >= StatusUnenrollmentNotStarted && s <= StatusUnenrollmentSucceeded
}

// IsFinal reports whether the operation has ended, failed or succeeded; a
// server polling EnrollStatus can stop then and read LastError on failure.
func (s EnrollStatus) IsFinal() bool {
	switch s {
	case StatusEnrollmentFailed, StatusEnrollmentSucceeded, StatusUnenrollmentFailed, StatusUnenrollmentSucceeded:
		return true
	}
	return false
}

// Failed reports whether the operation ended in failure (3 or 7).
func (s EnrollStatus) Failed() bool {
	return s == StatusEnrollmentFailed || s == StatusUnenrollmentFailed
}

// ParseEnrollStatus reads the decimal value of an EnrollStatus node, with
// an optional sign (+ or -) and XML spaces around it ignored, as
// ParseHRESULT reads decimals. Values outside 0–8 are returned as they are
// (see Known).
func ParseEnrollStatus(v string) (EnrollStatus, error) {
	n, err := strconv.ParseInt(trimSpace(v), 10, 32)
	if err != nil {
		return 0, badValue("EnrollStatus", v)
	}
	return EnrollStatus(n), nil
}
