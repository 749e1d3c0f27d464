// Package utf8cut cuts text to a number of bytes without splitting a
// character, for error messages that quote a peer's input. It is shared
// by discovery (the JSON handler's error answers) and mde2 (quoted
// values, fault reasons).
package utf8cut
