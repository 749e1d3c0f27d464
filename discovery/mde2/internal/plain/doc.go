// Package plain tells the values an XML writer copies as they are from
// those it must check and escape: printable ASCII but &, <, > and ".
// Enrollment answers carry kilobytes of such values (base64 certificates),
// so the test takes eight bytes at a time, without a branch per byte.
package plain
