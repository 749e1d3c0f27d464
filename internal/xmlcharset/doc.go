// Package xmlcharset finds the character encoding of an XML document
// (byte-order mark, UTF-16 without one, the XML declaration's encoding)
// and turns the document into UTF-8, strictly: bytes not valid in the
// encoding are an error wrapping xmlerr.ErrEncoding, never replaced.
// ISO-8859-1, US-ASCII and windows-1252 are decoded by its own tables;
// other labels go through golang.org/x/net/html/charset, with its silent
// replacements detected and refused. A declared UTF-16 on bytes that are
// plainly not UTF-16 (Windows sends such messages) is read as UTF-8.
//
// It is shared by syncml, discovery/mde2 and its provisioning package,
// which may not import each other.
package xmlcharset
