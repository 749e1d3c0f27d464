package mde2

import (
	"unicode/utf8"

	"github.com/windc-go/windc/discovery/mde2/internal/plain"
)

// xw writes XML append-style. The first string that XML cannot carry
// (invalid UTF-8, a control character) is remembered and reported by
// Marshal.
type xw struct {
	b   []byte
	bad string // the first value that XML cannot carry
}

// open writes a start tag; attrs are name, value pairs.
func (w *xw) open(name string, attrs ...string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.attrs(attrs)
	w.b = append(w.b, '>')
}

// empty writes an empty-element tag.
func (w *xw) empty(name string, attrs ...string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.attrs(attrs)
	w.b = append(w.b, '/', '>')
}

func (w *xw) attrs(attrs []string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b = append(w.b, ' ')
		w.b = append(w.b, attrs[i]...)
		w.b = append(w.b, '=', '"')
		w.escape(attrs[i+1], true)
		w.b = append(w.b, '"')
	}
}

// close writes an end tag.
func (w *xw) close(name string) {
	w.b = append(w.b, '<', '/')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// elem writes <name attrs>text</name>.
func (w *xw) elem(name, text string, attrs ...string) {
	w.open(name, attrs...)
	w.escape(text, false)
	w.close(name)
}

// opt writes elem when text is not empty.
func (w *xw) opt(name, text string) {
	if text != "" {
		w.elem(name, text)
	}
}

// escape writes s as character data or an attribute value. CR (and in
// attributes TAB and LF) are written as character references so that they
// read back unchanged.
func (w *xw) escape(s string, attr bool) {
	if plain.String(s) {
		w.b = append(w.b, s...)
		return
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				w.b = append(w.b, "&amp;"...)
			case c == '<':
				w.b = append(w.b, "&lt;"...)
			case c == '>':
				w.b = append(w.b, "&gt;"...)
			case c == '"' && attr:
				w.b = append(w.b, "&quot;"...)
			case c == '\r':
				w.b = append(w.b, "&#xD;"...)
			case c == '\n' && attr:
				w.b = append(w.b, "&#xA;"...)
			case c == '\t' && attr:
				w.b = append(w.b, "&#x9;"...)
			case c < 0x20 && c != '\n' && c != '\t':
				w.fail(s)
			default:
				w.b = append(w.b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			w.fail(s)
		}
		w.b = append(w.b, s[i:i+n]...)
		i += n
	}
}

func (w *xw) fail(s string) {
	if w.bad == "" {
		w.bad = s
	}
}
