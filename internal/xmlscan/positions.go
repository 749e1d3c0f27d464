package xmlscan

import "strings"

// Advance returns the line and column after s for text that starts at
// line, col. CR LF, CR and LF each end a line, as XML reads them; columns
// count bytes from 1.
func Advance(line, col int, s string) (int, int) {
	if strings.IndexByte(s, '\r') < 0 {
		if n := strings.Count(s, "\n"); n > 0 {
			return line + n, len(s) - strings.LastIndexByte(s, '\n')
		}
		return line, col + len(s)
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			line, col = line+1, 1
		case '\n':
			line, col = line+1, 1
		default:
			col++
		}
	}
	return line, col
}

// LineCol returns the 1-based line and byte column of offset off in s
// (clamped to len(s)).
func LineCol(s string, off int) (line, col int) {
	return Advance(1, 1, s[:min(max(off, 0), len(s))])
}

// NormalizeEOL applies XML end-of-line handling to s: CR LF and a CR
// alone become LF.
func NormalizeEOL(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return string(appendNormalisedEOL(make([]byte, 0, len(s)), s))
}
