// Package utf8cut cuts text to a number of bytes without splitting a
// character (Prefix) and quotes text so cut (Quote), for error messages
// and log records that quote a peer's input: discovery (the JSON
// handler's error answers), mde2 (quoted values, fault reasons),
// reconcile (a RefreshInterval read back) and examples/dmserver (the data
// of a device's events).
package utf8cut
