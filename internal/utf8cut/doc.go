// Package utf8cut cuts text to a number of bytes without splitting a
// character: its start (Prefix), quoted so cut (Quote), or its two ends
// (Middle). The module's error messages and log records use it wherever
// they quote a peer's input or a long text of a document or DDF (a
// value, a name, a LocURI, a path, a fault reason), so that a message
// stays short whatever the input: the errors of syncml, syncml/ddf,
// internal/xmlscan and internal/xmlerr, syncml/session (and the Server's
// log records), declaredconfig and its agent and reconcile, discovery and
// mde2, dmclient and dmclient/device, and the event data examples/dmserver
// logs.
package utf8cut
