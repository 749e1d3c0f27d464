package discovery

import "strings"

// isUTF8Charset reports whether a charset parameter's value names UTF-8.
// The Client and the Handler both read bodies as UTF-8 and use this one
// test, so they accept the same labels: "utf-8" and its common variant
// "utf8", in any case (charset names are case-insensitive).
func isUTF8Charset(name string) bool {
	return strings.EqualFold(name, "utf-8") || strings.EqualFold(name, "utf8")
}
