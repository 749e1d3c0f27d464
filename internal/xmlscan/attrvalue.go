package xmlscan

// AppendAttrValue appends s escaped for a double-quoted attribute value,
// for writers whose output must read back to s exactly: &, <, >, " and
// the three white-space characters that attribute-value normalisation
// would change (TAB, LF, CR) become references. Unlike AppendAttr it
// also escapes '>' and checks nothing: the caller has checked that s
// holds only characters XML can carry.
func AppendAttrValue(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}
